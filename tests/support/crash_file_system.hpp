// CrashFileSystem: a FileSystem wrapper that simulates a process killed after
// a chosen number of mutating file operations. Test-only.
//
// Mutating operations are the FsOps for which mutates() holds: creating,
// reopening, renaming, removing and truncating files, sync_dir, create_dir,
// lock_file, and append, sync and close of a WritableFile it handed out.
// Each one that is let through to the wrapped FileSystem counts one. After
// crash_after(n), the (n+1)-th mutating operation and every later operation,
// reads included (open_readable_file, read_file_from, list_dir; exists()
// answers false), fail with IOError "simulated crash" without reaching the
// wrapped FileSystem. What was written before stays in the wrapped
// FileSystem, as the OS keeps a killed process's writes: reopening a
// database on the wrapped FileSystem is "the restart". Locks taken through
// the wrapper are released when their handle is destroyed, as the kernel
// releases a dead process's flocks.
//
// Thread-safety: safe to use from many threads at once (the engine's
// background threads do). With several threads the op that crashes is
// whichever gets there first.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "sand/file_system.hpp"
#include "support/forwarding_file_system.hpp"

namespace sand::test {

class CrashFileSystem final : public ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;

  // Lets mutating operations through while fewer than `n` have been counted
  // in total (since construction); the next one crashes. crash_after(ops())
  // crashes at the very next mutating op.
  void crash_after(std::uint64_t n) { limit_.store(n); }
  // Mutating operations let through so far (the crashing one is not counted).
  std::uint64_t ops() const { return ops_.load(); }
  // Whether the simulated crash has happened.
  bool crashed() const { return crashed_.load(); }

 private:
  Status intercept(const FsCall& call, const Forward& forward) override;
  // Counts one mutating op and returns OK, or returns the "simulated crash"
  // IOError (naming `what`) and from then on crashed().
  Status admit_mutation(const std::string& what);

  std::atomic<std::uint64_t> limit_{std::numeric_limits<std::uint64_t>::max()};
  std::atomic<std::uint64_t> ops_{0};
  std::atomic<bool> crashed_{false};
};

}  // namespace sand::test
