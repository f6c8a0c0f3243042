// Tests for src/io: the POSIX and in-memory FileSystems obey the same
// contract (run against both), plus POSIX-only locking across handles.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "sand/file_system.hpp"
#include "support/temp_dir.hpp"

using namespace sand;

namespace {

void check_contract(FileSystem& fs, const std::string& dir) {
  REQUIRE(fs.create_dir(dir + "/sub/deeper").is_ok());
  REQUIRE(fs.exists(dir + "/sub/deeper"));
  const std::string path = dir + "/sub/a.txt";

  auto w = fs.new_writable_file(path);
  REQUIRE(w.is_ok());
  REQUIRE((*w)->append("hello ").is_ok());
  REQUIRE((*w)->append("world").is_ok());
  CHECK((*w)->size() == 11);
  REQUIRE((*w)->sync().is_ok());
  REQUIRE((*w)->close().is_ok());

  auto r = fs.open_readable_file(path);
  REQUIRE(r.is_ok());
  CHECK((*r)->contents() == "hello world");

  auto again = fs.reopen_writable_file(path);
  REQUIRE(again.is_ok());
  CHECK((*again)->size() == 11);
  REQUIRE((*again)->append("!").is_ok());
  REQUIRE((*again)->close().is_ok());
  CHECK((*fs.open_readable_file(path))->contents() == "hello world!");
  // The earlier mapping still shows the bytes it was opened with.
  CHECK((*r)->contents() == "hello world");

  REQUIRE(fs.truncate_file(path, 5).is_ok());
  CHECK((*fs.open_readable_file(path))->contents() == "hello");

  REQUIRE(fs.rename_file(path, dir + "/sub/b.txt").is_ok());
  CHECK_FALSE(fs.exists(path));
  auto names = fs.list_dir(dir + "/sub");
  REQUIRE(names.is_ok());
  std::sort(names->begin(), names->end());
  CHECK(*names == std::vector<std::string>{"b.txt", "deeper"});
  REQUIRE(fs.sync_dir(dir + "/sub").is_ok());

  // A log file reads back exactly what was appended once it is closed,
  // whatever the file system preallocated while it was open.
  auto log = fs.new_log_file(dir + "/log");
  REQUIRE(log.is_ok());
  REQUIRE((*log)->append("abc").is_ok());
  REQUIRE((*log)->sync().is_ok());
  REQUIRE((*log)->append(std::string(5000, 'd')).is_ok());
  CHECK((*log)->size() == 5003);
  REQUIRE((*log)->close().is_ok());
  CHECK((*fs.open_readable_file(dir + "/log"))->contents() == "abc" + std::string(5000, 'd'));

  auto empty = fs.new_writable_file(dir + "/empty");
  REQUIRE(empty.is_ok());
  CHECK((*fs.open_readable_file(dir + "/empty"))->contents().empty());

  REQUIRE(fs.remove_file(dir + "/sub/b.txt").is_ok());
  CHECK(fs.remove_file(dir + "/sub/b.txt").code() == Code::kNotFound);
  CHECK(fs.open_readable_file(dir + "/missing").status().code() == Code::kNotFound);

  auto lock = fs.lock_file(dir + "/LOCK");
  REQUIRE(lock.is_ok());
  auto second = fs.lock_file(dir + "/LOCK");
  REQUIRE(second.status().code() == Code::kBusy);
  CHECK(second.status().message().find(dir + "/LOCK") != std::string::npos);
  lock->reset();
  CHECK(fs.lock_file(dir + "/LOCK").is_ok());
}

}  // namespace

// link_file makes a second name for the same bytes; rename_file moves a
// directory with everything under it.
void check_link_and_dir_rename(FileSystem& fs, const std::string& dir) {
  REQUIRE(fs.create_dir(dir + "/from/sub").is_ok());
  auto w = fs.new_writable_file(dir + "/from/a");
  REQUIRE(w.is_ok());
  REQUIRE((*w)->append("bytes").is_ok());
  REQUIRE((*w)->close().is_ok());
  REQUIRE(fs.link_file(dir + "/from/a", dir + "/from/sub/b").is_ok());
  CHECK((*fs.open_readable_file(dir + "/from/sub/b"))->contents() == "bytes");
  CHECK_FALSE(fs.link_file(dir + "/from/a", dir + "/from/sub/b").is_ok());  // exists
  CHECK(fs.link_file(dir + "/from/missing", dir + "/from/c").code() == Code::kNotFound);
  REQUIRE(fs.remove_file(dir + "/from/a").is_ok());  // the other name keeps the bytes
  CHECK((*fs.open_readable_file(dir + "/from/sub/b"))->contents() == "bytes");

  REQUIRE(fs.rename_file(dir + "/from", dir + "/to").is_ok());
  CHECK_FALSE(fs.exists(dir + "/from"));
  CHECK_FALSE(fs.exists(dir + "/from/sub/b"));
  CHECK(fs.exists(dir + "/to/sub"));
  CHECK((*fs.open_readable_file(dir + "/to/sub/b"))->contents() == "bytes");
  CHECK(fs.sync_dir(dir).is_ok());
  CHECK(*fs.list_dir(dir + "/to") == std::vector<std::string>{"sub"});
}

TEST_CASE("memory file system keeps the FileSystem contract", "[io]") {
  auto fs = memory_file_system();
  check_contract(*fs, "/db");
  check_link_and_dir_rename(*fs, "/links");
}

TEST_CASE("memory file system: the roots / and . need no create_dir", "[io]") {
  auto fs = memory_file_system();
  for (const std::string file : {"/top", "top"}) {
    INFO(file);
    auto w = fs->new_writable_file(file);
    REQUIRE(w.is_ok());
    REQUIRE((*w)->close().is_ok());
    REQUIRE(fs->link_file(file, file + ".link").is_ok());
  }
  REQUIRE(fs->create_dir("/a/b").is_ok());
  REQUIRE(fs->rename_file("/a", "/c").is_ok());  // a directory moved to just under /
  CHECK(fs->exists("/c/b"));
  CHECK(fs->sync_dir("/").is_ok());
  CHECK(fs->sync_dir(".").is_ok());
  CHECK(fs->new_writable_file("/missing/x").status().message().find("/missing/x") !=
        std::string::npos);
}

TEST_CASE("posix file system keeps the FileSystem contract", "[io]") {
  sand::test::TempDir tmp;
  check_contract(*posix_file_system(), tmp.path());
  check_link_and_dir_rename(*posix_file_system(), tmp.path() + "/links");
}

TEST_CASE("posix errors name the path and the OS reason", "[io]") {
  sand::test::TempDir tmp;
  auto fs = posix_file_system();
  auto w = fs->new_writable_file(tmp.path() + "/no/such/dir/file");
  REQUIRE(w.status().code() == Code::kIOError);
  CHECK(w.status().message() ==
        tmp.path() + "/no/such/dir/file: No such file or directory");
}
