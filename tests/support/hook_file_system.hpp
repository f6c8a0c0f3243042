// HookFileSystem: a FileSystem wrapper for read-only handle tests. It runs a
// hook before each read of a file and each directory listing (so a test can
// make the writer retire files at the worst moment) and counts the mutating
// calls that reach it (a read-only handle must make none). Test-only.
//
// Thread-safety: as the wrapped FileSystem; set the hooks before sharing.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "sand/file_system.hpp"
#include "support/forwarding_file_system.hpp"

namespace sand::test {

class HookFileSystem final : public ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;

  // Called with the path before open_readable_file and read_file_from; a
  // non-OK status is returned instead of reading (e.g. NotFound: "vanished").
  std::function<Status(const std::string& path)> before_read;
  // Called with the directory before list_dir.
  std::function<void(const std::string& dir)> before_list;
  // Mutating calls of the file system (create, reopen, rename, remove,
  // truncate, sync_dir, create_dir, lock; not a file's append, sync, close)
  // that came through this wrapper.
  std::atomic<int> mutations{0};

 private:
  Status intercept(const FsCall& call, const Forward& forward) override {
    if (call.op == FsOp::kOpenReadableFile || call.op == FsOp::kReadFileFrom) {
      if (before_read) SAND_RETURN_IF_ERROR(before_read(call.path));
    } else if (call.op == FsOp::kListDir) {
      if (before_list) before_list(call.path);
    } else if (mutates(call.op) && !is_file_op(call.op)) {
      ++mutations;
    }
    return forward();
  }
};

}  // namespace sand::test
