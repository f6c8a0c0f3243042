// ForwardingFileSystem: the one base of every FileSystem test double. It
// passes every FileSystem call, and every append/sync/close of a WritableFile
// it handed out, through one virtual hook, intercept(), on the way to a
// wrapped FileSystem (LevelDB's EnvWrapper, with one door instead of one
// override per method). A double overrides intercept() to fail, delay or
// record calls. It cannot override the FileSystem methods themselves (they
// are final here), so no call bypasses the hook and none falls back to a
// sand::FileSystem default; a double that models a file system of its own
// (FaultFileSystem) wraps an implementation derived from CompleteFileSystem.
//
// FsOp names every FileSystem and WritableFile method. tests/io/
// forwarding_file_system_test.cpp checks that list against
// include/sand/file_system.hpp, and that every op reaches the wrapped file
// system as itself (support/fs_op_coverage.hpp), so a method added to the
// interface fails a test until it is added here. Test-only.
//
// Thread-safety: as the wrapped FileSystem and the derived intercept().
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sand/file_system.hpp"

namespace sand::test {

// Every method of FileSystem (the first 14) and of WritableFile (the last
// 3; size() is left out: it reports the handle's own count and cannot fail).
enum class FsOp {
  kNewWritableFile,
  kNewLogFile,
  kReopenWritableFile,
  kOpenReadableFile,
  kReadFileFrom,
  kRenameFile,
  kLinkFile,
  kRemoveFile,
  kTruncateFile,
  kSyncDir,
  kCreateDir,
  kListDir,
  kExists,
  kLockFile,
  kAppend,
  kSync,
  kClose,
};
inline constexpr std::size_t kFsOpCount = static_cast<std::size_t>(FsOp::kClose) + 1;

// The name of the method `op` stands for, as spelled in file_system.hpp.
std::string_view fs_op_name(FsOp op);
// Whether `op` is a WritableFile method (append, sync, close).
bool is_file_op(FsOp op);
// Whether `op` can change a file or a name: everything but the reads
// (open_readable_file, read_file_from, list_dir) and exists(). lock_file is
// one (it creates its file if missing).
bool mutates(FsOp op);

// One call, as intercept() sees it.
struct FsCall {
  FsOp op;
  // The path the call names: rename_file's and link_file's `from`,
  // sync_dir's directory; for
  // a WritableFile op, the path the file was opened by.
  const std::string& path;
  std::string_view to{};     // rename_file, link_file: the new name
  std::uint64_t size = 0;    // truncate_file: the new size
  std::uint64_t offset = 0;  // read_file_from: where to start
  std::string_view data{};   // append: the bytes
};

// The call on the wrapped FileSystem (or file) that an intercepted call
// stands for; returns its status. A non-owning reference to a callable,
// valid during intercept() only.
class Forward {
 public:
  template <typename F>
  explicit Forward(F& f)
      : f_(&f), call_([](void* g) -> Status { return (*static_cast<F*>(g))(); }) {}
  Status operator()() const { return call_(f_); }

 private:
  void* f_;
  Status (*call_)(void*);
};

// A FileSystem without default methods: each FileSystem method that has a
// default body is pure again here, so an implementation (or the forwarding
// base) that forgets one does not compile. Keep it in step with
// file_system.hpp; forwarding_file_system_test checks it is.
class CompleteFileSystem : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> new_log_file(const std::string& path) override = 0;
  Result<std::string> read_file_from(const std::string& path, std::uint64_t offset) override = 0;
  Status link_file(const std::string& from, const std::string& to) override = 0;
};

class InterceptedWritableFile;

class ForwardingFileSystem : public CompleteFileSystem,
                             public std::enable_shared_from_this<ForwardingFileSystem> {
 public:
  explicit ForwardingFileSystem(std::shared_ptr<FileSystem> base);

  // How many calls of `op` came in, whatever intercept() made of them.
  std::uint64_t calls(FsOp op) const;

  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) final;
  Result<std::unique_ptr<WritableFile>> new_log_file(const std::string& path) final;
  Result<std::unique_ptr<WritableFile>> reopen_writable_file(const std::string& path) final;
  Result<std::unique_ptr<ReadableFile>> open_readable_file(const std::string& path) final;
  Result<std::string> read_file_from(const std::string& path, std::uint64_t offset) final;
  Status rename_file(const std::string& from, const std::string& to) final;
  Status link_file(const std::string& from, const std::string& to) final;
  Status remove_file(const std::string& path) final;
  Status truncate_file(const std::string& path, std::uint64_t size) final;
  Status sync_dir(const std::string& dir) final;
  Status create_dir(const std::string& dir) final;
  Result<std::vector<std::string>> list_dir(const std::string& dir) final;
  bool exists(const std::string& path) final;
  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) final;

 protected:
  // The hook: every call comes here first, `forward` being the call itself.
  // Return forward()'s status to let it through (the default); return an
  // error without calling it to fail the call (exists() then answers false);
  // or call it late, or record around it. Answering OK without forwarding
  // is a silent success for a Status call (e.g. an fsync that lies) but an
  // IOError for a call that returns a value or a file.
  //
  // Files this file system hands out are wrapped so that their append, sync
  // and close come here too; such a file keeps its file system alive when
  // that is owned by a shared_ptr (REQUIRES otherwise: it outlives them).
  virtual Status intercept(const FsCall& call, const Forward& forward);

 private:
  friend class InterceptedWritableFile;

  // Counts `call` and runs it through intercept(); `forward` calls base_.
  Status dispatch(const FsCall& call, const Forward& forward);
  template <typename T, typename F>
  Result<T> dispatch_result(const FsCall& call, F&& call_base);
  Result<std::unique_ptr<WritableFile>> wrap(const std::string& path,
                                             Result<std::unique_ptr<WritableFile>> file);

  const std::shared_ptr<FileSystem> base_;
  std::array<std::atomic<std::uint64_t>, kFsOpCount> calls_{};
};

}  // namespace sand::test
