// CrashFileSystem: a FileSystem wrapper that simulates a process killed after
// a chosen number of mutating file operations. Test-only.
//
// Mutating operations are: new_writable_file, reopen_writable_file, append,
// sync and close of a WritableFile it handed out, rename_file, remove_file,
// truncate_file, sync_dir, create_dir and lock_file. Each one that is let
// through to the wrapped FileSystem counts one. After crash_after(n), the
// (n+1)-th mutating operation and every later operation, reads included
// (open_readable_file, list_dir; exists() answers false), fail with IOError
// "simulated crash" without reaching the wrapped FileSystem. What was written
// before stays in the wrapped FileSystem, as the OS keeps a killed process's
// writes: reopening a database on the wrapped FileSystem is "the restart".
// Locks taken through the wrapper are released when their handle is
// destroyed, as the kernel releases a dead process's flocks.
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
#include <vector>

#include "sand/file_system.hpp"

namespace sand::test {

// The crash point and counters, shared with the WritableFiles handed out
// (they may outlive the CrashFileSystem that made them).
class CrashState {
 public:
  // Counts one mutating op and returns OK, or returns the "simulated crash"
  // IOError (naming `what`) and from then on crashed().
  Status admit_mutation(const std::string& what);
  // OK unless crashed(): after the crash reads fail too.
  Status admit_read(const std::string& what) const;

  std::atomic<std::uint64_t> limit{std::numeric_limits<std::uint64_t>::max()};
  std::atomic<std::uint64_t> ops{0};
  std::atomic<bool> crashed{false};
};

class CrashFileSystem final : public FileSystem {
 public:
  explicit CrashFileSystem(std::shared_ptr<FileSystem> base);

  // Lets mutating operations through while fewer than `n` have been counted
  // in total (since construction); the next one crashes. crash_after(ops())
  // crashes at the very next mutating op.
  void crash_after(std::uint64_t n) { state_->limit.store(n); }
  // Mutating operations let through so far (the crashing one is not counted).
  std::uint64_t ops() const { return state_->ops.load(); }
  // Whether the simulated crash has happened.
  bool crashed() const { return state_->crashed.load(); }

  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> reopen_writable_file(const std::string& path) override;
  Result<std::unique_ptr<ReadableFile>> open_readable_file(const std::string& path) override;
  Status rename_file(const std::string& from, const std::string& to) override;
  Status remove_file(const std::string& path) override;
  Status truncate_file(const std::string& path, std::uint64_t size) override;
  Status sync_dir(const std::string& dir) override;
  Status create_dir(const std::string& dir) override;
  Result<std::vector<std::string>> list_dir(const std::string& dir) override;
  bool exists(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) override;

 private:
  const std::shared_ptr<FileSystem> base_;
  const std::shared_ptr<CrashState> state_ = std::make_shared<CrashState>();
};

}  // namespace sand::test
