// fs_op_coverage: the check that a FileSystem test double lets every FsOp
// through its hook as itself. Each double's test calls it (the doubles of
// tests/support in tests/io/forwarding_file_system_test.cpp, the others in
// the test file that defines them). Test-only.
//
// Thread-safety: call it from one thread, with no other user of `fs`.
#pragma once

#include <string>
#include <vector>

#include "sand/file_system.hpp"
#include "support/forwarding_file_system.hpp"

namespace sand::test {

// Calls every FileSystem method once on `fs`, and append, sync and close on
// a new, a log and a reopened file it hands out, in `dir` (which it
// creates; `fs` must not hold it yet). Checks (Catch2 CHECKs) that each call
// succeeds and reaches each of `observers` as its own FsOp exactly once:
// their calls() go up by one for that op and for no other. Pass the double
// itself (what its intercept() saw) and the ForwardingFileSystem it wraps
// (what got through), so a call that skips the hook, turns into another
// method (a FileSystem default) or is forwarded twice fails. Also checks
// that the calls made cover every FsOp, so a new FsOp needs a call here.
void check_every_op_reaches(FileSystem& fs,
                            const std::vector<const ForwardingFileSystem*>& observers,
                            const std::string& dir);

}  // namespace sand::test
