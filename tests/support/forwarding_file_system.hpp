// ForwardingFileSystem: a FileSystem that passes every call to a wrapped
// one (LevelDB's EnvWrapper idea). Test wrappers derive from it and override
// only the calls they change. Test-only.
//
// Thread-safety: as the wrapped FileSystem.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sand/file_system.hpp"

namespace sand::test {

class ForwardingFileSystem : public FileSystem {
 public:
  explicit ForwardingFileSystem(std::shared_ptr<FileSystem> base) : base_(std::move(base)) {}

  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override {
    return base_->new_writable_file(path);
  }
  // Forwarded as a log, so the wrapped file system may preallocate it (or, a
  // FaultFileSystem, model that). A wrapper that intercepts creations must
  // override both.
  Result<std::unique_ptr<WritableFile>> new_log_file(const std::string& path) override {
    return base_->new_log_file(path);
  }
  Result<std::unique_ptr<WritableFile>> reopen_writable_file(const std::string& path) override {
    return base_->reopen_writable_file(path);
  }
  Result<std::unique_ptr<ReadableFile>> open_readable_file(const std::string& path) override {
    return base_->open_readable_file(path);
  }
  Result<std::string> read_file_from(const std::string& path, std::uint64_t offset) override {
    return base_->read_file_from(path, offset);
  }
  Status rename_file(const std::string& from, const std::string& to) override {
    return base_->rename_file(from, to);
  }
  Status remove_file(const std::string& path) override { return base_->remove_file(path); }
  Status truncate_file(const std::string& path, std::uint64_t size) override {
    return base_->truncate_file(path, size);
  }
  Status sync_dir(const std::string& dir) override { return base_->sync_dir(dir); }
  Status create_dir(const std::string& dir) override { return base_->create_dir(dir); }
  Result<std::vector<std::string>> list_dir(const std::string& dir) override {
    return base_->list_dir(dir);
  }
  bool exists(const std::string& path) override { return base_->exists(path); }
  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) override {
    return base_->lock_file(path);
  }

 protected:
  const std::shared_ptr<FileSystem>& base() const { return base_; }

 private:
  std::shared_ptr<FileSystem> base_;
};

}  // namespace sand::test
