// An in-memory FileSystem for tests and ephemeral stores.
//
// Files are shared byte strings; everything written is immediately "durable"
// (fault injection that drops unsynced data wraps a FileSystem instead).
// Directories are implicit prefixes plus an explicit set so list_dir works;
// renaming one moves every name under it. A link is a second name for the
// same bytes object.
// Thread-safety: one mutex, MemState::mu, guards the namespace and every
// file's bytes; it is a leaf (nothing else is taken under it).
#include <cerrno>
#include <map>
#include <set>

#include "sand/file_system.hpp"
#include "util/mutex.hpp"

namespace sand {
namespace {

struct MemFile {
  std::string bytes;  // guarded by MemState::mu (not expressible here)
};

struct MemState {
  Mutex mu;
  std::map<std::string, std::shared_ptr<MemFile>> files SAND_GUARDED_BY(mu);
  std::set<std::string> dirs SAND_GUARDED_BY(mu);
  std::set<std::string> locks SAND_GUARDED_BY(mu);
};

std::string parent_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The roots "/" and "." always exist: create_dir never lists them.
bool is_root(const std::string& dir) { return dir == "/" || dir == "."; }

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(std::shared_ptr<MemState> state, std::shared_ptr<MemFile> file)
      : state_(std::move(state)), file_(std::move(file)) {}

  Status append(std::string_view data) override {
    MutexLock lock(state_->mu);
    file_->bytes.append(data);
    return Status::ok();
  }
  Status sync() override { return Status::ok(); }
  Status close() override { return Status::ok(); }
  std::uint64_t size() const override {
    MutexLock lock(state_->mu);
    return file_->bytes.size();
  }

 private:
  std::shared_ptr<MemState> state_;
  std::shared_ptr<MemFile> file_;
};

// A copy of the file as it was when opened, like a mapping of an immutable
// file; later appends are not seen.
class MemReadableFile final : public ReadableFile {
 public:
  explicit MemReadableFile(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string_view contents() const override { return bytes_; }

 private:
  std::string bytes_;
};

class MemFileLock final : public FileLock {
 public:
  MemFileLock(std::shared_ptr<MemState> state, std::string path)
      : state_(std::move(state)), path_(std::move(path)) {}
  ~MemFileLock() override {
    MutexLock lock(state_->mu);
    state_->locks.erase(path_);
  }

 private:
  std::shared_ptr<MemState> state_;
  std::string path_;
};

class MemoryFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> new_writable_file(
      const std::string& path) override {
    MutexLock lock(state_->mu);
    SAND_RETURN_IF_ERROR(check_parent(path));
    auto file = std::make_shared<MemFile>();
    state_->files[path] = file;
    return std::unique_ptr<WritableFile>(std::make_unique<MemWritableFile>(state_, file));
  }

  Result<std::unique_ptr<WritableFile>> reopen_writable_file(
      const std::string& path) override {
    MutexLock lock(state_->mu);
    SAND_RETURN_IF_ERROR(check_parent(path));
    auto& file = state_->files[path];
    if (!file) file = std::make_shared<MemFile>();
    return std::unique_ptr<WritableFile>(std::make_unique<MemWritableFile>(state_, file));
  }

  Result<std::unique_ptr<ReadableFile>> open_readable_file(
      const std::string& path) override {
    MutexLock lock(state_->mu);
    const auto it = state_->files.find(path);
    if (it == state_->files.end()) return Status::not_found(path + ": no such file");
    return std::unique_ptr<ReadableFile>(std::make_unique<MemReadableFile>(it->second->bytes));
  }

  Status rename_file(const std::string& from, const std::string& to) override {
    MutexLock lock(state_->mu);
    if (state_->dirs.contains(from)) return rename_dir(from, to);
    const auto it = state_->files.find(from);
    if (it == state_->files.end()) return Status::io_error(from + ": no such file");
    auto file = it->second;
    state_->files.erase(it);
    state_->files[to] = std::move(file);
    return Status::ok();
  }

  Status link_file(const std::string& from, const std::string& to) override {
    MutexLock lock(state_->mu);
    const auto it = state_->files.find(from);
    if (it == state_->files.end()) return Status::not_found(from + ": no such file");
    SAND_RETURN_IF_ERROR(check_parent(to));
    if (state_->files.contains(to) || state_->dirs.contains(to)) {
      return Status::io_error(to, EEXIST);
    }
    state_->files[to] = it->second;  // a hard link: one bytes object, two names
    return Status::ok();
  }

  Status remove_file(const std::string& path) override {
    MutexLock lock(state_->mu);
    if (state_->files.erase(path) == 0) return Status::not_found(path + ": no such file");
    return Status::ok();
  }

  Status truncate_file(const std::string& path, std::uint64_t size) override {
    MutexLock lock(state_->mu);
    const auto it = state_->files.find(path);
    if (it == state_->files.end()) return Status::io_error(path + ": no such file");
    if (size < it->second->bytes.size()) it->second->bytes.resize(size);
    return Status::ok();
  }

  Status sync_dir(const std::string& dir) override {
    MutexLock lock(state_->mu);
    if (!state_->dirs.contains(dir) && !is_root(dir)) {
      return Status::io_error(dir + ": no such directory");
    }
    return Status::ok();
  }

  Status create_dir(const std::string& dir) override {
    MutexLock lock(state_->mu);
    for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
      if (pos == dir.size() || dir[pos] == '/') state_->dirs.insert(dir.substr(0, pos));
    }
    return Status::ok();
  }

  Result<std::vector<std::string>> list_dir(const std::string& dir) override {
    MutexLock lock(state_->mu);
    if (!state_->dirs.contains(dir)) return Status::not_found(dir + ": no such directory");
    std::vector<std::string> names;
    const std::string prefix = dir + "/";
    for (const auto& [path, file] : state_->files) {
      if (path.starts_with(prefix) && path.find('/', prefix.size()) == std::string::npos) {
        names.push_back(path.substr(prefix.size()));
      }
    }
    for (const auto& sub : state_->dirs) {
      if (sub.starts_with(prefix) && sub.find('/', prefix.size()) == std::string::npos) {
        names.push_back(sub.substr(prefix.size()));
      }
    }
    return names;
  }

  bool exists(const std::string& path) override {
    MutexLock lock(state_->mu);
    return state_->files.contains(path) || state_->dirs.contains(path);
  }

  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) override {
    MutexLock lock(state_->mu);
    SAND_RETURN_IF_ERROR(check_parent(path));
    if (!state_->locks.insert(path).second) {
      return Status::busy(path + ": held by another process (one writer at a time)");
    }
    if (!state_->files.contains(path)) state_->files[path] = std::make_shared<MemFile>();
    return std::unique_ptr<FileLock>(std::make_unique<MemFileLock>(state_, path));
  }

 private:
  // Moves directory `from`, every file and directory under it, to `to`
  // (which must not exist, or be an empty directory, as for rename(2)).
  Status rename_dir(const std::string& from, const std::string& to) SAND_REQUIRES(state_->mu) {
    if (to == from) return Status::ok();
    const std::string from_prefix = from + "/", to_prefix = to + "/";
    if (to.starts_with(from_prefix)) return Status::io_error(from + " -> " + to, EINVAL);
    SAND_RETURN_IF_ERROR(check_parent(to));
    if (state_->files.contains(to)) return Status::io_error(from + " -> " + to, ENOTDIR);
    const auto file_under = state_->files.lower_bound(to_prefix);
    const auto dir_under = state_->dirs.lower_bound(to_prefix);
    if ((file_under != state_->files.end() && file_under->first.starts_with(to_prefix)) ||
        (dir_under != state_->dirs.end() && dir_under->starts_with(to_prefix))) {
      return Status::io_error(from + " -> " + to, ENOTEMPTY);
    }
    std::map<std::string, std::shared_ptr<MemFile>> moved_files;
    for (auto it = state_->files.lower_bound(from_prefix);
         it != state_->files.end() && it->first.starts_with(from_prefix);) {
      moved_files[to_prefix + it->first.substr(from_prefix.size())] = std::move(it->second);
      it = state_->files.erase(it);
    }
    std::set<std::string> moved_dirs{to};
    state_->dirs.erase(from);
    for (auto it = state_->dirs.lower_bound(from_prefix);
         it != state_->dirs.end() && it->starts_with(from_prefix);) {
      moved_dirs.insert(to_prefix + it->substr(from_prefix.size()));
      it = state_->dirs.erase(it);
    }
    state_->files.merge(moved_files);
    state_->dirs.merge(moved_dirs);
    return Status::ok();
  }

  Status check_parent(const std::string& path) const SAND_REQUIRES(state_->mu) {
    const std::string dir = parent_of(path);
    if (!state_->dirs.contains(dir) && !is_root(dir)) return Status::io_error(path, ENOENT);
    return Status::ok();
  }

  std::shared_ptr<MemState> state_ = std::make_shared<MemState>();
};

}  // namespace

std::shared_ptr<FileSystem> memory_file_system() {
  return std::make_shared<MemoryFileSystem>();
}

}  // namespace sand
