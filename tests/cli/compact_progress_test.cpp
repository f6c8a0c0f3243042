// Tests for src/cli/compact_progress.cpp: on a terminal, compact ends with a
// summary of the tables merged and the bytes read; elsewhere nothing is
// drawn; an error erases the line instead.
#include "cli/compact_progress.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "cli/terminal_pair.hpp"
#include "sand/file_system.hpp"
#include "support/db_helpers.hpp"

namespace sand::cli {
namespace {

using sand::test::must;

// Two flushed tables and unflushed writes, so compact() flushes one more.
std::unique_ptr<DB> db_with_three_tables() {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  for (int table = 0; table < 3; ++table) {
    for (int i = 0; i < 100; ++i) must(db->put("key" + std::to_string(i), std::to_string(table)));
    if (table < 2) must(db->flush());
  }
  return db;
}

TEST_CASE("compact progress on a terminal sums up the tables and bytes merged",
          "[compact_progress]") {
  test::TerminalPair pty;
  const std::unique_ptr<DB> db = db_with_three_tables();
  const Status compacted =
      with_compact_progress(*db, pty.terminal(), [&] { return db->compact(); });
  REQUIRE(compacted.is_ok());
  const Stats stats = db->stats();
  const std::string drawn = pty.read_until("\n");
  char expected[128];
  std::snprintf(expected, sizeof expected, "\rcompact: 3 tables, %.1f MiB in ",
                stats.compaction_bytes_read / (1024.0 * 1024.0));
  CHECK(drawn.find(expected) != std::string::npos);
}

TEST_CASE("compact progress on a pipe draws nothing", "[compact_progress]") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const std::unique_ptr<DB> db = db_with_three_tables();
  CHECK(with_compact_progress(*db, fds[1], [&] { return db->compact(); }).is_ok());
  close(fds[1]);
  char byte;
  CHECK(read(fds[0], &byte, 1) == 0);  // end of file: nothing was written
  close(fds[0]);
}

TEST_CASE("compact progress erases its line when the work fails", "[compact_progress]") {
  test::TerminalPair pty;
  const std::unique_ptr<DB> db = db_with_three_tables();
  must(db->close());
  const Status compacted =
      with_compact_progress(*db, pty.terminal(), [&] { return db->compact(); });
  CHECK(compacted.code() == Code::kReadOnly);
  // Either nothing was drawn or the line was erased: never a summary. The
  // marker written after it says when everything drawn has been read.
  REQUIRE(write(pty.terminal(), "END", 3) == 3);
  const std::string drawn = pty.read_until("END");
  CHECK(drawn.ends_with("END"));
  CHECK(drawn.find("compact:") == std::string::npos);
}

}  // namespace
}  // namespace sand::cli
