// TestDb: a database on an in-memory file system that runs shell scripts,
// for the shell's tests (shell_test.cpp, json_shell_test.cpp).
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <sstream>
#include <string>

#include "cli/shell.hpp"
#include "cli/stream_line_reader.hpp"
#include "sand/sand.hpp"

namespace sand::cli {

inline constexpr char kTestDbPath[] = "/db";

// A database on an in-memory file system that can be closed and reopened.
class TestDb {
 public:
  // `options` without a file system: the test's in-memory one is filled in.
  explicit TestDb(Options options = {}) : fs_(memory_file_system()), options_(std::move(options)) {
    options_.file_system = fs_;
    reopen();
  }

  void reopen() {
    if (db_) REQUIRE(db_->close().is_ok());
    db_.reset();
    Result<std::unique_ptr<DB>> db = DB::open(kTestDbPath, options_);
    INFO(db.status().to_string());
    REQUIRE(db.is_ok());
    db_ = std::move(db).value();
  }

  DB& db() { return *db_; }

  // Runs `script` through a non-interactive shell and returns its output;
  // exit_code() is then what run() returned.
  std::string run(const std::string& script, ShellOptions options = {}) {
    std::istringstream in(script);
    StreamLineReader reader(in);
    std::ostringstream out;
    Shell shell(*db_, reader, out, options);
    exit_code_ = shell.run();
    return out.str();
  }

  int exit_code() const { return exit_code_; }

 private:
  std::shared_ptr<FileSystem> fs_;
  Options options_;
  std::unique_ptr<DB> db_;
  int exit_code_ = -1;
};

}  // namespace sand::cli
