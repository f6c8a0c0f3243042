// CrashFileSystem: every mutating call asks CrashState for admission first, so
// the crash point is one counter compared with one limit.
#include "support/crash_file_system.hpp"

namespace sand::test {
namespace {

Status crash_error(const std::string& what) { return Status::io_error(what + ": simulated crash"); }

// Passes appends, syncs and closes through while the process is "alive".
class CrashWritableFile final : public WritableFile {
 public:
  CrashWritableFile(std::shared_ptr<CrashState> state, std::unique_ptr<WritableFile> base,
                    std::string path)
      : state_(std::move(state)), base_(std::move(base)), path_(std::move(path)) {}

  Status append(std::string_view data) override {
    SAND_RETURN_IF_ERROR(state_->admit_mutation(path_));
    return base_->append(data);
  }
  Status sync() override {
    SAND_RETURN_IF_ERROR(state_->admit_mutation(path_));
    return base_->sync();
  }
  Status close() override {
    SAND_RETURN_IF_ERROR(state_->admit_mutation(path_));
    return base_->close();
  }
  std::uint64_t size() const override { return base_->size(); }

 private:
  const std::shared_ptr<CrashState> state_;
  const std::unique_ptr<WritableFile> base_;
  const std::string path_;
};

}  // namespace

Status CrashState::admit_mutation(const std::string& what) {
  // Compare-and-swap makes "check the limit, then count" one step, so with
  // several threads exactly `limit` ops get through.
  std::uint64_t n = ops.load();
  do {
    if (crashed.load() || n >= limit.load()) {
      crashed.store(true);
      return crash_error(what);
    }
  } while (!ops.compare_exchange_weak(n, n + 1));
  return Status::ok();
}

Status CrashState::admit_read(const std::string& what) const {
  return crashed.load() ? crash_error(what) : Status::ok();
}

CrashFileSystem::CrashFileSystem(std::shared_ptr<FileSystem> base) : base_(std::move(base)) {}

Result<std::unique_ptr<WritableFile>> CrashFileSystem::new_writable_file(const std::string& path) {
  SAND_RETURN_IF_ERROR(state_->admit_mutation(path));
  SAND_ASSIGN_OR_RETURN(auto file, base_->new_writable_file(path));
  return std::unique_ptr<WritableFile>(
      std::make_unique<CrashWritableFile>(state_, std::move(file), path));
}

Result<std::unique_ptr<WritableFile>> CrashFileSystem::reopen_writable_file(
    const std::string& path) {
  SAND_RETURN_IF_ERROR(state_->admit_mutation(path));
  SAND_ASSIGN_OR_RETURN(auto file, base_->reopen_writable_file(path));
  return std::unique_ptr<WritableFile>(
      std::make_unique<CrashWritableFile>(state_, std::move(file), path));
}

Result<std::unique_ptr<ReadableFile>> CrashFileSystem::open_readable_file(const std::string& path) {
  SAND_RETURN_IF_ERROR(state_->admit_read(path));
  return base_->open_readable_file(path);
}

Status CrashFileSystem::rename_file(const std::string& from, const std::string& to) {
  SAND_RETURN_IF_ERROR(state_->admit_mutation(from));
  return base_->rename_file(from, to);
}

Status CrashFileSystem::remove_file(const std::string& path) {
  SAND_RETURN_IF_ERROR(state_->admit_mutation(path));
  return base_->remove_file(path);
}

Status CrashFileSystem::truncate_file(const std::string& path, std::uint64_t size) {
  SAND_RETURN_IF_ERROR(state_->admit_mutation(path));
  return base_->truncate_file(path, size);
}

Status CrashFileSystem::sync_dir(const std::string& dir) {
  SAND_RETURN_IF_ERROR(state_->admit_mutation(dir));
  return base_->sync_dir(dir);
}

Status CrashFileSystem::create_dir(const std::string& dir) {
  SAND_RETURN_IF_ERROR(state_->admit_mutation(dir));
  return base_->create_dir(dir);
}

Result<std::vector<std::string>> CrashFileSystem::list_dir(const std::string& dir) {
  SAND_RETURN_IF_ERROR(state_->admit_read(dir));
  return base_->list_dir(dir);
}

bool CrashFileSystem::exists(const std::string& path) {
  return !state_->crashed.load() && base_->exists(path);
}

Result<std::unique_ptr<FileLock>> CrashFileSystem::lock_file(const std::string& path) {
  SAND_RETURN_IF_ERROR(state_->admit_mutation(path));
  return base_->lock_file(path);
}

}  // namespace sand::test
