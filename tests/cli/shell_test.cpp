// End-to-end tests of the shell (src/cli/shell.cpp) against a real DB on an
// in-memory file system: scripts in, exact answer text out.
#include "cli/shell.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <sstream>
#include <string>

#include "sand/sand.hpp"

namespace sand::cli {
namespace {

constexpr char kDbPath[] = "/db";

// A database on an in-memory file system that can be closed and reopened.
class TestDb {
 public:
  TestDb() : fs_(memory_file_system()) { reopen(); }

  void reopen() {
    if (db_) REQUIRE(db_->close().is_ok());
    db_.reset();
    Result<std::unique_ptr<DB>> db = DB::open(kDbPath, Options{.file_system = fs_});
    INFO(db.status().to_string());
    REQUIRE(db.is_ok());
    db_ = std::move(db).value();
  }

  DB& db() { return *db_; }

  // Runs `script` through a non-interactive shell and returns its output.
  std::string run(const std::string& script) {
    std::istringstream in(script);
    std::ostringstream out;
    Shell shell(*db_, in, out, /*interactive=*/false);
    CHECK(shell.run() == 0);
    return out.str();
  }

 private:
  std::shared_ptr<FileSystem> fs_;
  std::unique_ptr<DB> db_;
};

TEST_CASE("shell: put and get answer with versions and values", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put a 1\n"
              "put b hello world\n"
              "get a\n"
              "get b\n"
              "get missing\n") ==
        "OK 1\n"
        "OK 2\n"
        "1\n"
        "hello world\n"
        "NOT_FOUND\n");
}

TEST_CASE("shell: empty lines are ignored and the last line needs no newline", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("\n\nput a 1\n   \nget a") == "OK 1\n1\n");
}

TEST_CASE("shell: values keep spaces and escaped bytes", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put k\\x20\\x5c  two  spaces\\x00\\x0A\n"
              "get k\\x20\\x5c\n"
              "put e \n"
              "get e\n") ==
        "OK 1\n"
        " two  spaces\\x00\\x0a\n"
        "OK 2\n"
        "\n");
  CHECK(t.db().get("k \\").value() == std::string(" two  spaces\0\n", 14));
  CHECK(t.db().get("e").value() == "");
}

TEST_CASE("shell: history after put, put, del lists newest first", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put k v1\n"
              "put k v 2\n"
              "del k\n"
              "get k\n"
              "history k\n"
              "history never\n") ==
        "OK 1\n"
        "OK 2\n"
        "OK 3\n"
        "NOT_FOUND\n"
        "3\tdel\n"
        "2\tput\tv 2\n"
        "1\tput\tv1\n"
        "\n"
        "\n");
}

TEST_CASE("shell: get @V reads old versions", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put k v1\n"
              "put k v2\n"
              "del k\n"
              "get k @0\n"
              "get k @1\n"
              "get k @2\n"
              "get k @3\n") ==
        "OK 1\n"
        "OK 2\n"
        "OK 3\n"
        "NOT_FOUND\n"
        "v1\n"
        "v2\n"
        "NOT_FOUND\n");
}

TEST_CASE("shell: get @V newer than the last version is an error", "[cli][shell]") {
  TestDb t;
  const std::string out = t.run("put k v\nget k @2\nget k\n");
  CHECK(out.starts_with("OK 1\nERR InvalidArgument: "));
  CHECK(out.ends_with("\nv\n"));
}

TEST_CASE("shell: scans with and without bounds", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put a 1\nput b 2\nput c 3\nput d 4\ndel c\n") == "OK 1\nOK 2\nOK 3\nOK 4\nOK 5\n");
  CHECK(t.run("scan\n") == "a\t1\nb\t2\nd\t4\n\n");
  CHECK(t.run("scan - -\n") == "a\t1\nb\t2\nd\t4\n\n");
  CHECK(t.run("scan b d\n") == "b\t2\n\n");
  CHECK(t.run("scan b -\n") == "b\t2\nd\t4\n\n");
  CHECK(t.run("scan - b\n") == "a\t1\n\n");
  CHECK(t.run("scan x z\n") == "\n");
}

TEST_CASE("shell: scan escapes keys with spaces and an escaped dash bounds the key -",
          "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put a\\x20b x y\nput \\x2d dash\nscan\nscan \\x2d \\x2e\n") ==
        "OK 1\n"
        "OK 2\n"
        "-\tdash\n"
        "a\\x20b\tx y\n"
        "\n"
        "-\tdash\n"
        "\n");
}

TEST_CASE("shell: errors are answered and the shell goes on", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("bogus\n"
              "put a\n"
              "get a\\q\n"
              "scan a\n"
              "put a 1\n") ==
        "ERR InvalidArgument: unknown command 'bogus' (commands: put get del scan history "
        "flush stats sync quit)\n"
        "ERR InvalidArgument: usage: put KEY VALUE\n"
        "ERR InvalidArgument: KEY: bad escape at byte 1: expected \\xNN with two hex digits\n"
        "ERR InvalidArgument: usage: scan [FROM TO] (- for an open bound)\n"
        "OK 1\n");
}

TEST_CASE("shell: get of a key longer than 64 KiB is InvalidArgument", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("get " + std::string(kMaxKeySize + 1, 'k') + "\nget " +
              std::string(kMaxKeySize, 'k') + "\n") ==
        "ERR InvalidArgument: KEY is 65537 bytes; the limit is 65536\n"
        "NOT_FOUND\n");
}

TEST_CASE("shell: quit stops before the next line", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put a 1\nquit\nput b 2\n") == "OK 1\n");
  CHECK(t.db().get("b").value() == std::nullopt);
}

TEST_CASE("shell: sync on and off answer OK and writes go on", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("sync on\nput a 1\nsync off\nput b 2\nsync maybe\n") ==
        "OK\nOK 1\nOK\nOK 2\nERR InvalidArgument: usage: sync on|off\n");
  CHECK(t.db().get("a").value() == "1");
}

TEST_CASE("shell: flush writes a table and stats show it", "[cli][shell]") {
  TestDb t;
  const std::string out = t.run("put a 1\nput b 2\nflush\nstats\n");
  CHECK(out.starts_with("OK 1\nOK 2\nOK\nlast_version: 2\n"));
  CHECK(out.find("\ntables_l0: 1\n") != std::string::npos);
  CHECK(out.find("\nflushes: 1\n") != std::string::npos);
  CHECK(
      out.ends_with("\nmanifest_bytes: " + std::to_string(t.db().stats().manifest_bytes) + "\n\n"));
  CHECK(t.run("get a\nscan\n") == "1\na\t1\nb\t2\n\n");
}

TEST_CASE("shell: stats answers every field, then an empty line", "[cli][shell]") {
  TestDb t;
  const std::string out = t.run("stats\n");
  std::istringstream lines(out);
  std::string line;
  std::string names;
  while (std::getline(lines, line) && !line.empty()) {
    const std::size_t colon = line.find(": ");
    REQUIRE(colon != std::string::npos);
    names += line.substr(0, colon) + " ";
  }
  CHECK(names ==
        "last_version memtable_bytes immutable_memtables tables_l0 tables_l1 tables_l2 "
        "table_bytes_l0 table_bytes_l1 table_bytes_l2 wal_bytes user_bytes_written flushes "
        "flush_bytes_written live_snapshots manifest_bytes ");
  CHECK(out.ends_with("\n\n"));
}

TEST_CASE("shell: reopening the database keeps everything", "[cli][shell]") {
  TestDb t;
  CHECK(t.run("put a 1\nput b 2\nflush\nput a 3\ndel b\nput c 4\n") ==
        "OK 1\nOK 2\nOK\nOK 3\nOK 4\nOK 5\n");
  t.reopen();
  CHECK(t.run("scan\nhistory a\nhistory b\nget b @4\nput d 5\n") ==
        "a\t3\n"
        "c\t4\n"
        "\n"
        "3\tput\t3\n"
        "1\tput\t1\n"
        "\n"
        "4\tdel\n"
        "2\tput\t2\n"
        "\n"
        "NOT_FOUND\n"
        "OK 6\n");
}

TEST_CASE("shell: interactive mode prompts before every line", "[cli][shell]") {
  TestDb t;
  std::istringstream in("put a 1\nget a\n");
  std::ostringstream out;
  Shell shell(t.db(), in, out, /*interactive=*/true);
  CHECK(shell.run() == 0);
  CHECK(out.str() == "sand> OK 1\nsand> 1\nsand> \n");
}

}  // namespace
}  // namespace sand::cli
