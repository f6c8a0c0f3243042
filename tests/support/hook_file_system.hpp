// HookFileSystem: a FileSystem wrapper for read-only handle tests. It runs a
// hook before each read of a file and each directory listing (so a test can
// make the writer retire files at the worst moment) and counts the mutating calls that reach it (a
// read-only handle must make none). Test-only.
//
// Thread-safety: as the wrapped FileSystem; set the hook before sharing.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

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
  // Mutating calls (create, reopen, rename, remove, truncate, sync_dir,
  // create_dir, lock) that came through this wrapper.
  std::atomic<int> mutations{0};

  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override {
    ++mutations;
    return ForwardingFileSystem::new_writable_file(path);
  }
  Result<std::unique_ptr<WritableFile>> new_log_file(const std::string& path) override {
    ++mutations;
    return ForwardingFileSystem::new_log_file(path);
  }
  Result<std::unique_ptr<WritableFile>> reopen_writable_file(const std::string& path) override {
    ++mutations;
    return ForwardingFileSystem::reopen_writable_file(path);
  }
  Result<std::unique_ptr<ReadableFile>> open_readable_file(const std::string& path) override {
    if (before_read) SAND_RETURN_IF_ERROR(before_read(path));
    return ForwardingFileSystem::open_readable_file(path);
  }
  Result<std::string> read_file_from(const std::string& path, std::uint64_t offset) override {
    if (before_read) SAND_RETURN_IF_ERROR(before_read(path));
    return ForwardingFileSystem::read_file_from(path, offset);
  }
  Status rename_file(const std::string& from, const std::string& to) override {
    ++mutations;
    return ForwardingFileSystem::rename_file(from, to);
  }
  Status remove_file(const std::string& path) override {
    ++mutations;
    return ForwardingFileSystem::remove_file(path);
  }
  Status truncate_file(const std::string& path, std::uint64_t size) override {
    ++mutations;
    return ForwardingFileSystem::truncate_file(path, size);
  }
  Status sync_dir(const std::string& dir) override {
    ++mutations;
    return ForwardingFileSystem::sync_dir(dir);
  }
  Status create_dir(const std::string& dir) override {
    ++mutations;
    return ForwardingFileSystem::create_dir(dir);
  }
  Result<std::vector<std::string>> list_dir(const std::string& dir) override {
    if (before_list) before_list(dir);
    return ForwardingFileSystem::list_dir(dir);
  }
  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) override {
    ++mutations;
    return ForwardingFileSystem::lock_file(path);
  }
};

}  // namespace sand::test
