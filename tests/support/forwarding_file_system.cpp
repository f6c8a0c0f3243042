// ForwardingFileSystem: every method builds an FsCall and a Forward that
// calls the wrapped FileSystem, and hands both to dispatch(); the files it
// returns are InterceptedWritableFiles, which do the same for their calls.
#include "support/forwarding_file_system.hpp"

#include <optional>
#include <utility>

namespace sand::test {

std::string_view fs_op_name(FsOp op) {
  // No default: a new FsOp without a name is a -Wswitch error.
  switch (op) {
    case FsOp::kNewWritableFile:
      return "new_writable_file";
    case FsOp::kNewLogFile:
      return "new_log_file";
    case FsOp::kReopenWritableFile:
      return "reopen_writable_file";
    case FsOp::kOpenReadableFile:
      return "open_readable_file";
    case FsOp::kReadFileFrom:
      return "read_file_from";
    case FsOp::kRenameFile:
      return "rename_file";
    case FsOp::kLinkFile:
      return "link_file";
    case FsOp::kRemoveFile:
      return "remove_file";
    case FsOp::kTruncateFile:
      return "truncate_file";
    case FsOp::kSyncDir:
      return "sync_dir";
    case FsOp::kCreateDir:
      return "create_dir";
    case FsOp::kListDir:
      return "list_dir";
    case FsOp::kExists:
      return "exists";
    case FsOp::kLockFile:
      return "lock_file";
    case FsOp::kAppend:
      return "append";
    case FsOp::kSync:
      return "sync";
    case FsOp::kClose:
      return "close";
  }
  return "unknown";
}

bool is_file_op(FsOp op) { return op == FsOp::kAppend || op == FsOp::kSync || op == FsOp::kClose; }

bool mutates(FsOp op) {
  switch (op) {
    case FsOp::kOpenReadableFile:
    case FsOp::kReadFileFrom:
    case FsOp::kListDir:
    case FsOp::kExists:
      return false;
    default:
      return true;
  }
}

// A WritableFile whose append, sync and close go through its file system's
// intercept(); size() is the wrapped file's.
class InterceptedWritableFile final : public WritableFile {
 public:
  InterceptedWritableFile(ForwardingFileSystem* fs, std::unique_ptr<WritableFile> base,
                          std::string path)
      : keep_alive_(fs->weak_from_this().lock()),
        fs_(fs),
        base_(std::move(base)),
        path_(std::move(path)) {}

  Status append(std::string_view data) override {
    auto forward = [&] { return base_->append(data); };
    return fs_->dispatch({.op = FsOp::kAppend, .path = path_, .data = data}, Forward(forward));
  }
  Status sync() override {
    auto forward = [&] { return base_->sync(); };
    return fs_->dispatch({.op = FsOp::kSync, .path = path_}, Forward(forward));
  }
  Status close() override {
    auto forward = [&] { return base_->close(); };
    return fs_->dispatch({.op = FsOp::kClose, .path = path_}, Forward(forward));
  }
  std::uint64_t size() const override { return base_->size(); }

 private:
  // Null if the file system is not owned by a shared_ptr.
  const std::shared_ptr<ForwardingFileSystem> keep_alive_;
  ForwardingFileSystem* const fs_;
  const std::unique_ptr<WritableFile> base_;
  const std::string path_;
};

ForwardingFileSystem::ForwardingFileSystem(std::shared_ptr<FileSystem> base)
    : base_(std::move(base)) {}

std::uint64_t ForwardingFileSystem::calls(FsOp op) const {
  return calls_[static_cast<std::size_t>(op)].load();
}

Status ForwardingFileSystem::intercept(const FsCall& /*call*/, const Forward& forward) {
  return forward();
}

Status ForwardingFileSystem::dispatch(const FsCall& call, const Forward& forward) {
  calls_[static_cast<std::size_t>(call.op)].fetch_add(1);
  return intercept(call, forward);
}

template <typename T, typename F>
Result<T> ForwardingFileSystem::dispatch_result(const FsCall& call, F&& call_base) {
  // The Forward keeps the wrapped call's whole Result (value and all) here;
  // intercept() only sees its status.
  std::optional<Result<T>> result;
  auto forward = [&] {
    result.emplace(call_base());
    return result->status();
  };
  SAND_RETURN_IF_ERROR(dispatch(call, Forward(forward)));
  if (!result) {
    return Status::io_error(call.path + ": " + std::string(fs_op_name(call.op)) +
                            " answered without reaching the file system");
  }
  return std::move(*result);
}

Result<std::unique_ptr<WritableFile>> ForwardingFileSystem::wrap(
    const std::string& path, Result<std::unique_ptr<WritableFile>> file) {
  if (!file.is_ok()) return file;
  return std::unique_ptr<WritableFile>(
      std::make_unique<InterceptedWritableFile>(this, std::move(file).value(), path));
}

Result<std::unique_ptr<WritableFile>> ForwardingFileSystem::new_writable_file(
    const std::string& path) {
  return wrap(path, dispatch_result<std::unique_ptr<WritableFile>>(
                        {.op = FsOp::kNewWritableFile, .path = path},
                        [&] { return base_->new_writable_file(path); }));
}

Result<std::unique_ptr<WritableFile>> ForwardingFileSystem::new_log_file(const std::string& path) {
  return wrap(path, dispatch_result<std::unique_ptr<WritableFile>>(
                        {.op = FsOp::kNewLogFile, .path = path},
                        [&] { return base_->new_log_file(path); }));
}

Result<std::unique_ptr<WritableFile>> ForwardingFileSystem::reopen_writable_file(
    const std::string& path) {
  return wrap(path, dispatch_result<std::unique_ptr<WritableFile>>(
                        {.op = FsOp::kReopenWritableFile, .path = path},
                        [&] { return base_->reopen_writable_file(path); }));
}

Result<std::unique_ptr<ReadableFile>> ForwardingFileSystem::open_readable_file(
    const std::string& path) {
  return dispatch_result<std::unique_ptr<ReadableFile>>(
      {.op = FsOp::kOpenReadableFile, .path = path},
      [&] { return base_->open_readable_file(path); });
}

Result<std::string> ForwardingFileSystem::read_file_from(const std::string& path,
                                                         std::uint64_t offset) {
  return dispatch_result<std::string>({.op = FsOp::kReadFileFrom, .path = path, .offset = offset},
                                      [&] { return base_->read_file_from(path, offset); });
}

Status ForwardingFileSystem::rename_file(const std::string& from, const std::string& to) {
  auto forward = [&] { return base_->rename_file(from, to); };
  return dispatch({.op = FsOp::kRenameFile, .path = from, .to = to}, Forward(forward));
}

Status ForwardingFileSystem::link_file(const std::string& from, const std::string& to) {
  auto forward = [&] { return base_->link_file(from, to); };
  return dispatch({.op = FsOp::kLinkFile, .path = from, .to = to}, Forward(forward));
}

Status ForwardingFileSystem::remove_file(const std::string& path) {
  auto forward = [&] { return base_->remove_file(path); };
  return dispatch({.op = FsOp::kRemoveFile, .path = path}, Forward(forward));
}

Status ForwardingFileSystem::truncate_file(const std::string& path, std::uint64_t size) {
  auto forward = [&] { return base_->truncate_file(path, size); };
  return dispatch({.op = FsOp::kTruncateFile, .path = path, .size = size}, Forward(forward));
}

Status ForwardingFileSystem::sync_dir(const std::string& dir) {
  auto forward = [&] { return base_->sync_dir(dir); };
  return dispatch({.op = FsOp::kSyncDir, .path = dir}, Forward(forward));
}

Status ForwardingFileSystem::create_dir(const std::string& dir) {
  auto forward = [&] { return base_->create_dir(dir); };
  return dispatch({.op = FsOp::kCreateDir, .path = dir}, Forward(forward));
}

Result<std::vector<std::string>> ForwardingFileSystem::list_dir(const std::string& dir) {
  return dispatch_result<std::vector<std::string>>({.op = FsOp::kListDir, .path = dir},
                                                   [&] { return base_->list_dir(dir); });
}

bool ForwardingFileSystem::exists(const std::string& path) {
  // A bool has no room for an error: a failed (or unforwarded) call is "no".
  bool found = false;
  auto forward = [&] {
    found = base_->exists(path);
    return Status::ok();
  };
  return dispatch({.op = FsOp::kExists, .path = path}, Forward(forward)).is_ok() && found;
}

Result<std::unique_ptr<FileLock>> ForwardingFileSystem::lock_file(const std::string& path) {
  return dispatch_result<std::unique_ptr<FileLock>>({.op = FsOp::kLockFile, .path = path},
                                                    [&] { return base_->lock_file(path); });
}

}  // namespace sand::test
