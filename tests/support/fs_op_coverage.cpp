// fs_op_coverage: one step per call; each step compares every observer's
// calls() before and after it.
#include "support/fs_op_coverage.hpp"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <set>

namespace sand::test {
namespace {

using Counts = std::array<std::uint64_t, kFsOpCount>;

Counts counts_of(const ForwardingFileSystem& fs) {
  Counts c{};
  for (std::size_t i = 0; i < kFsOpCount; ++i) c[i] = fs.calls(static_cast<FsOp>(i));
  return c;
}

// What an observer saw between two snapshots, e.g. "new_writable_file" or
// "new_writable_file x2, sync"; empty if nothing.
std::string seen(const Counts& before, const Counts& after) {
  std::string out;
  for (std::size_t i = 0; i < kFsOpCount; ++i) {
    const std::uint64_t n = after[i] - before[i];
    if (n == 0) continue;
    if (!out.empty()) out += ", ";
    out += fs_op_name(static_cast<FsOp>(i));
    if (n > 1) out += " x" + std::to_string(n);
  }
  return out;
}

}  // namespace

void check_every_op_reaches(FileSystem& fs,
                            const std::vector<const ForwardingFileSystem*>& observers,
                            const std::string& dir) {
  std::set<FsOp> called;
  const auto step = [&](FsOp op, const auto& call) {
    std::vector<Counts> before;
    for (const ForwardingFileSystem* o : observers) before.push_back(counts_of(*o));
    const Status s = call();
    INFO(fs_op_name(op) << ": " << s.to_string());
    CHECK(s.is_ok());
    for (std::size_t i = 0; i < observers.size(); ++i) {
      INFO("observer " << i << " saw " << fs_op_name(op) << " as");
      CHECK(seen(before[i], counts_of(*observers[i])) == fs_op_name(op));
    }
    called.insert(op);
  };
  // append, sync and close of a file the double handed out.
  const auto write_through = [&](std::unique_ptr<WritableFile>& file, std::string_view data) {
    REQUIRE(file != nullptr);
    step(FsOp::kAppend, [&] { return file->append(data); });
    step(FsOp::kSync, [&] { return file->sync(); });
    step(FsOp::kClose, [&] { return file->close(); });
  };
  // Stores a call's value in `out` and returns its status.
  const auto keep = [](auto& out, auto result) {
    Status s = result.status();
    if (s.is_ok()) out = std::move(result).value();
    return s;
  };

  const std::string a = dir + "/a", b = dir + "/b", log = dir + "/log";
  std::unique_ptr<WritableFile> file;
  step(FsOp::kCreateDir, [&] { return fs.create_dir(dir); });
  step(FsOp::kNewWritableFile, [&] { return keep(file, fs.new_writable_file(a)); });
  write_through(file, "abc");
  step(FsOp::kNewLogFile, [&] { return keep(file, fs.new_log_file(log)); });
  write_through(file, "log");
  step(FsOp::kReopenWritableFile, [&] { return keep(file, fs.reopen_writable_file(a)); });
  write_through(file, "def");

  std::unique_ptr<ReadableFile> readable;
  step(FsOp::kOpenReadableFile, [&] { return keep(readable, fs.open_readable_file(a)); });
  CHECK((readable && readable->contents() == "abcdef"));
  std::string tail;
  step(FsOp::kReadFileFrom, [&] { return keep(tail, fs.read_file_from(a, 4)); });
  CHECK(tail == "ef");
  step(FsOp::kTruncateFile, [&] { return fs.truncate_file(a, 2); });
  step(FsOp::kRenameFile, [&] { return fs.rename_file(a, b); });
  step(FsOp::kLinkFile, [&] { return fs.link_file(b, dir + "/c"); });
  step(FsOp::kSyncDir, [&] { return fs.sync_dir(dir); });
  std::vector<std::string> names;
  step(FsOp::kListDir, [&] { return keep(names, fs.list_dir(dir)); });
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"b", "c", "log"});
  bool found = false;
  step(FsOp::kExists, [&] {
    found = fs.exists(b);
    return Status::ok();
  });
  CHECK(found);
  std::unique_ptr<FileLock> lock;
  step(FsOp::kLockFile, [&] { return keep(lock, fs.lock_file(dir + "/LOCK")); });
  lock.reset();
  step(FsOp::kRemoveFile, [&] { return fs.remove_file(b); });

  std::string missing;  // e.g. "sync_dir, exists"
  for (std::size_t i = 0; i < kFsOpCount; ++i) {
    if (called.contains(static_cast<FsOp>(i))) continue;
    if (!missing.empty()) missing += ", ";
    missing += fs_op_name(static_cast<FsOp>(i));
  }
  INFO("FsOps check_every_op_reaches does not call: add a step for each");
  CHECK(missing == "");
}

}  // namespace sand::test
