// `sand dump db`: the live state of a database directory as its files say
// it (spec/README.md "Reading a database"; spec/dump.md section 6): the
// counters, the last version, each level with its sorted runs and tables in
// the order a read consults them, and the live WALs.
//
// Only reads: no lock is taken and nothing is created, written or removed,
// so it may run next to a writer (a file the writer retires meanwhile makes
// it fail; run it again).
//
// Thread-safety: a pure function of its arguments, the files and the sink.
#pragma once

#include <string>

#include "cli/dump_sink.hpp"
#include "sand/file_system.hpp"
#include "sand/status.hpp"

namespace sand::cli {

// Dumps the database in `dir`. Errors: NotFound if dir/MANIFEST is absent;
// Corruption as MANIFEST's reader (dump_manifest) or WAL replay reports it,
// or naming a live table or WAL that is missing; IOError.
Status dump_db(FileSystem& fs, const std::string& dir, DumpSink& sink);

}  // namespace sand::cli
