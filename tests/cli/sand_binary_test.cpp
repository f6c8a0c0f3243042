// Runs the real `sand` executable (SAND_CLI_PATH) through /bin/sh on a
// temporary directory under /tmp: exit codes, one-shot answers, and the shell
// over a pipe.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>

#include "cli/format.hpp"
#include "sand/sand.hpp"
#include "sand_process.hpp"

namespace {

using sand::test::quote;
using sand::test::read_file;
using sand::test::Run;
using sand::test::run_sand;
using sand::test::TempDir;

TEST_CASE("sand: put then get exit 0 with the shell's answers", "[cli][binary]") {
  TempDir dir;
  Run put = run_sand(dir, "--db db put k 'hello world'");
  CHECK(put.exit_code == 0);
  CHECK(put.out == "OK 1\n");
  CHECK(put.err.empty());
  Run get = run_sand(dir, "--db db get k");
  CHECK(get.exit_code == 0);
  CHECK(get.out == "hello world\n");
}

TEST_CASE("sand: get of a missing key exits 1", "[cli][binary]") {
  TempDir dir;
  CHECK(run_sand(dir, "--db db put k v").exit_code == 0);
  Run get = run_sand(dir, "--db db get nope");
  CHECK(get.exit_code == 1);
  CHECK(get.out == "NOT_FOUND\n");
  CHECK(get.err.empty());
}

TEST_CASE("sand: usage errors exit 2", "[cli][binary]") {
  TempDir dir;
  CHECK(run_sand(dir, "--db db").exit_code == 2);
  CHECK(run_sand(dir, "--db db bogus").exit_code == 2);
  CHECK(run_sand(dir, "--db db get").exit_code == 2);
  CHECK(run_sand(dir, "--db db put k").exit_code == 2);
  CHECK(run_sand(dir, "--db db --compression zstd put k v").exit_code == 2);
  CHECK(run_sand(dir, "--db db get k --at x").exit_code == 2);
  Run bad_escape = run_sand(dir, "--db db put " + quote("a\\q") + " v");
  CHECK(bad_escape.exit_code == 2);
  CHECK(bad_escape.err ==
        "ERR InvalidArgument: KEY: bad escape at byte 1: expected \\xNN with two hex digits\n");
  // Nothing was opened, so nothing was created.
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/db"));
}

TEST_CASE("sand: --help exits 0", "[cli][binary]") {
  TempDir dir;
  Run help = run_sand(dir, "--help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("shell") != std::string::npos);
}

TEST_CASE("sand: --version prints the library's version and exits 0", "[cli][binary]") {
  TempDir dir;
  const Run run = run_sand(dir, "--version");
  CHECK(run.exit_code == 0);
  CHECK(run.out == "sand " + std::string(sand::version()) + "\n");
  CHECK(run.err.empty());
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/sand-data"));  // opened nothing
}

TEST_CASE("sand: other errors exit 3 with ERR on stderr", "[cli][binary]") {
  TempDir dir;
  // Reads do not create a missing database.
  Run get = run_sand(dir, "--db missing get k");
  CHECK(get.exit_code == 3);
  CHECK(get.out.empty());
  CHECK(get.err.starts_with("ERR NotFound: "));
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/missing"));
  // A version newer than the last one.
  CHECK(run_sand(dir, "--db db put k v").exit_code == 0);
  Run at = run_sand(dir, "--db db get k --at 9");
  CHECK(at.exit_code == 3);
  CHECK(at.err.starts_with("ERR InvalidArgument: "));
}

TEST_CASE("sand: a database held by another process is Busy", "[cli][binary]") {
  TempDir dir;
  sand::Result<std::unique_ptr<sand::DB>> held = sand::DB::open(dir.path() + "/db");
  REQUIRE(held.is_ok());
  Run put = run_sand(dir, "--db " + quote(dir.path() + "/db") + " put k v");
  CHECK(put.exit_code == 3);
  CHECK(put.err.starts_with("ERR Busy: " + dir.path() + "/db/LOCK"));
}

TEST_CASE("sand: --db defaults to ./sand-data", "[cli][binary]") {
  TempDir dir;
  CHECK(run_sand(dir, "put k v").exit_code == 0);
  CHECK(std::filesystem::is_directory(dir.path() + "/sand-data"));
  CHECK(run_sand(dir, "get k").out == "v\n");
}

TEST_CASE("sand: global options may follow the command", "[cli][binary]") {
  TempDir dir;
  CHECK(run_sand(dir, "put k v --db other --sync --compression none").out == "OK 1\n");
  CHECK(run_sand(dir, "--db other get k").out == "v\n");
}

TEST_CASE("sand: escaped arguments and escaped answers", "[cli][binary]") {
  TempDir dir;
  CHECK(run_sand(dir, "--db db put " + quote("a\\x20b") + " " + quote("x\\x00 y")).out == "OK 1\n");
  CHECK(run_sand(dir, "--db db put -- -dash ''").out == "OK 2\n");
  CHECK(run_sand(dir, "--db db scan").out == "-dash\t\na\\x20b\tx\\x00 y\n\n");
  CHECK(run_sand(dir, "--db db get " + quote("a\\x20b")).out == "x\\x00 y\n");
}

TEST_CASE("sand: del, history, scan options, flush and stats", "[cli][binary]") {
  TempDir dir;
  for (const char* args : {"put a 1", "put b 2", "put c 3", "del b", "put a 4"}) {
    REQUIRE(run_sand(dir, std::string("--db db ") + args).exit_code == 0);
  }
  CHECK(run_sand(dir, "--db db history a").out == "5\tput\t4\n1\tput\t1\n\n");
  CHECK(run_sand(dir, "--db db history b").out == "4\tdel\n2\tput\t2\n\n");
  CHECK(run_sand(dir, "--db db scan").out == "a\t4\nc\t3\n\n");
  CHECK(run_sand(dir, "--db db scan --reverse").out == "c\t3\na\t4\n\n");
  CHECK(run_sand(dir, "--db db scan --at 3").out == "a\t1\nb\t2\nc\t3\n\n");
  CHECK(run_sand(dir, "--db db scan --from b --to z").out == "c\t3\n\n");
  CHECK(run_sand(dir, "--db db scan --limit 1").out == "a\t4\n\n");
  CHECK(run_sand(dir, "--db db scan --limit 0").out == "\n");
  CHECK(run_sand(dir, "--db db flush").out == "OK\n");
  Run stats = run_sand(dir, "--db db stats");
  CHECK(stats.exit_code == 0);
  CHECK(stats.out.starts_with("levels: L0="));
  CHECK(stats.out.find("\nlast_version: 5\n") != std::string::npos);
  // How many tables each reopen left behind is the engine's business.
  CHECK(stats.out.find("\ntables_l0: ") != std::string::npos);
  CHECK(stats.out.ends_with("\n\n"));
}

TEST_CASE("sand: shell over a pipe answers every line without a prompt", "[cli][binary]") {
  TempDir dir;
  Run shell = run_sand(dir, "--db db shell",
                       "put k v 1\n"
                       "get k\n"
                       "nonsense\n"
                       "del k\n"
                       "history k\n"
                       "scan\n");
  CHECK(shell.exit_code == 3);  // `nonsense` failed
  CHECK(shell.out ==
        "OK 1\n"
        "v 1\n"
        "ERR InvalidArgument: unknown command 'nonsense' (commands: put get del scan "
        "history flush compact forget-before checkpoint stats refresh sync quit)\n"
        "OK 2\n"
        "2\tdel\n"
        "1\tput\tv 1\n"
        "\n"
        "\n");
  CHECK(shell.err.empty());
  // The shell's writes are durable for the next process.
  CHECK(run_sand(dir, "--db db get k").exit_code == 1);
}

TEST_CASE("sand shell: exit 3 after a failed command, 0 when all succeeded",
          "[cli][binary][exit]") {
  TempDir dir;
  Run ok = run_sand(dir, "--db db shell", "put k v\nget k\nget nope\nhelp get\n");
  CHECK(ok.exit_code == 0);  // NOT_FOUND is an answer, not a failure
  Run failed = run_sand(dir, "--db db shell", "get k @99\nput j w\n");
  CHECK(failed.exit_code == 3);
  CHECK(failed.out.starts_with("ERR InvalidArgument: "));
  CHECK(failed.out.ends_with("\nOK 2\n"));  // the shell went on
  CHECK(failed.err.empty());                // answers, ERR included, are on stdout
  Run quit = run_sand(dir, "--db db shell", "bogus\nquit\n");
  CHECK(quit.exit_code == 3);
}

TEST_CASE("sand shell --bail stops at the first failed command", "[cli][binary][exit]") {
  TempDir dir;
  Run bail = run_sand(dir, "--db db shell --bail", "put a 1\nscan a\nput b 2\n");
  CHECK(bail.exit_code == 3);
  CHECK(bail.out ==
        "OK 1\n"
        "ERR InvalidArgument: usage: scan [FROM TO] (- for an open bound)\n");
  CHECK(run_sand(dir, "--db db get b").exit_code == 1);  // never ran
  Run clean = run_sand(dir, "--db db shell --bail", "put b 2\nget a\n");
  CHECK(clean.exit_code == 0);
  CHECK(clean.out == "OK 2\n1\n");
  CHECK(run_sand(dir, "--db db shell --bogus").exit_code == 2);
}

TEST_CASE("sand shell: CRLF line endings and a missing last newline", "[cli][binary]") {
  TempDir dir;
  Run shell = run_sand(dir, "--db db shell", "put k v\r\nget k\r\nscan\r\nget k");
  CHECK(shell.exit_code == 0);
  CHECK(shell.out == "OK 1\nv\nk\tv\n\nv\n");
  CHECK(run_sand(dir, "--db db get k").out == "v\n");  // no CR stored
}

TEST_CASE("sand shell: help over a pipe ends with an empty line", "[cli][binary][help]") {
  TempDir dir;
  Run shell = run_sand(dir, "--db db shell", "help\nhelp scan\nput k v\n");
  CHECK(shell.exit_code == 0);
  CHECK(shell.out.starts_with("put KEY VALUE "));
  const std::size_t first_end = shell.out.find("\n\n");
  REQUIRE(first_end != std::string::npos);
  CHECK(shell.out.substr(first_end + 2).starts_with("scan [FROM TO] [OPTION...]\n"));
  CHECK(shell.out.ends_with("\n\nOK 1\n"));
}

TEST_CASE("sand scan --prefix, and the shell's scan takes the same options",
          "[cli][binary][scan]") {
  TempDir dir;
  REQUIRE(run_sand(dir, "--db db shell",
                   "put ab 1\nput abc 2\nput b 3\nput a\\xff 4\nput a\\xff\\xff 5\n")
              .exit_code == 0);
  CHECK(run_sand(dir, "--db db scan --prefix ab").out == "ab\t1\nabc\t2\n\n");
  CHECK(run_sand(dir, "--db db scan --prefix " + quote("a\\xff")).out ==
        "a\\xff\t4\na\\xff\\xff\t5\n\n");
  CHECK(run_sand(dir, "--db db scan --prefix a --reverse --limit 2 --at 4").out ==
        "a\\xff\t4\nabc\t2\n\n");
  CHECK(run_sand(dir, "--db db scan --prefix a --from abc").out ==
        "abc\t2\na\\xff\t4\na\\xff\\xff\t5\n\n");
  CHECK(run_sand(dir, "--db db shell", "scan --prefix a --reverse --limit 2 --at 4\n").out ==
        "a\\xff\t4\nabc\t2\n\n");
  CHECK(run_sand(dir, "--db db shell", "scan --prefix a --reverse --limit 2 @4\n").out ==
        "a\\xff\t4\nabc\t2\n\n");
  Run bad = run_sand(dir, "--db db scan --prefix " + quote("\\q"));
  CHECK(bad.exit_code == 2);
  CHECK(bad.err ==
        "ERR InvalidArgument: --prefix: bad escape at byte 0: expected \\xNN with "
        "two hex digits\n");
}

TEST_CASE("sand: compact and forget-before exit 0 and answer OK", "[cli][binary]") {
  TempDir dir;
  for (const char* args : {"put k v1", "put k v2", "put k v3"}) {
    REQUIRE(run_sand(dir, std::string("--db db ") + args).exit_code == 0);
  }
  Run compact = run_sand(dir, "--db db compact");
  CHECK(compact.exit_code == 0);
  CHECK(compact.out == "OK\n");
  CHECK(compact.err.empty());
  Run forget = run_sand(dir, "--db db forget-before 3");
  CHECK(forget.exit_code == 0);
  CHECK(forget.out == "OK\n");
  CHECK(forget.err.empty());
  // The mark is durable: the next process refuses reads below it.
  CHECK(run_sand(dir, "--db db history k").out == "3\tput\tv3\n2\tput\tv2\n\n");
  Run old = run_sand(dir, "--db db get k --at 1");
  CHECK(old.exit_code == 3);
  CHECK(old.err.starts_with("ERR InvalidArgument: "));
  Run stats = run_sand(dir, "--db db stats");
  CHECK(stats.out.find("\nlow_water_mark: 3\n") != std::string::npos);
  CHECK(stats.out.find("\ntables_l0: 0\n") != std::string::npos);
  CHECK(stats.out.find("\ntables_l2: 1\n") != std::string::npos);
}

TEST_CASE("sand: compact and forget-before do not create a missing database", "[cli][binary]") {
  TempDir dir;
  Run compact = run_sand(dir, "--db missing compact");
  CHECK(compact.exit_code == 3);
  CHECK(compact.err.starts_with("ERR NotFound: "));
  Run forget = run_sand(dir, "--db missing forget-before 0");
  CHECK(forget.exit_code == 3);
  CHECK(forget.err.starts_with("ERR NotFound: "));
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/missing"));
}

TEST_CASE("sand: forget-before past the last version exits 3", "[cli][binary]") {
  TempDir dir;
  REQUIRE(run_sand(dir, "--db db put k v").exit_code == 0);
  Run forget = run_sand(dir, "--db db forget-before 2");
  CHECK(forget.exit_code == 3);
  CHECK(forget.out.empty());
  CHECK(forget.err.starts_with("ERR InvalidArgument: "));
}

TEST_CASE("sand: tuning flags are accepted before or after the command", "[cli][binary]") {
  TempDir dir;
  CHECK(run_sand(dir, "--db db --l0-trigger 2 --l1-trigger 3 --retention all put k v1").out ==
        "OK 1\n");
  CHECK(run_sand(dir, "--db db put k v2 --retention latest --l0-trigger 8").out == "OK 2\n");
  CHECK(run_sand(dir, "--db db put j x").out == "OK 3\n");
  CHECK(run_sand(dir, "--db db --retention all history k").out == "2\tput\tv2\n1\tput\tv1\n\n");
  // Latest-only: the mark is the last version (3), so only k's state as of 3
  // is retained.
  Run history = run_sand(dir, "--db db --retention latest history k");
  CHECK(history.exit_code == 0);
  CHECK(history.out == "2\tput\tv2\n\n");
}

TEST_CASE("sand: bad tuning flags and forget-before arguments exit 2", "[cli][binary]") {
  TempDir dir;
  Run retention = run_sand(dir, "--db db --retention forever put k v");
  CHECK(retention.exit_code == 2);
  CHECK(retention.out.empty());
  CHECK(retention.err ==
        "ERR InvalidArgument: --retention: expected all or latest, got 'forever'\n");
  Run l0 = run_sand(dir, "--db db --l0-trigger x put k v");
  CHECK(l0.exit_code == 2);
  CHECK(l0.err ==
        "ERR InvalidArgument: --l0-trigger: expected a whole number from 1 to 1000, got 'x'\n");
  CHECK(run_sand(dir, "--db db --l1-trigger 0 put k v").exit_code == 2);
  CHECK(run_sand(dir, "--db db --l1-trigger -3 put k v").exit_code == 2);
  CHECK(run_sand(dir, "--db db --l0-trigger put k v").exit_code == 2);
  CHECK(run_sand(dir, "--db db forget-before").exit_code == 2);
  CHECK(run_sand(dir, "--db db forget-before x").exit_code == 2);
  CHECK(run_sand(dir, "--db db forget-before 1 2").exit_code == 2);
  CHECK(run_sand(dir, "--db db compact now").exit_code == 2);
  // Rejected before opening: nothing was created.
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/db"));
}

}  // namespace

TEST_CASE("sand --read-only reads while a writer holds the database", "[cli][binary][read_only]") {
  TempDir dir;
  auto writer = sand::DB::open(dir.path() + "/db");
  REQUIRE(writer.is_ok());
  REQUIRE((*writer)->put("k", "v1").is_ok());

  // Reads never need the lock (see "reads open read-only" below).
  Run plain = run_sand(dir, "--db db get k");
  CHECK(plain.exit_code == 0);
  CHECK(plain.out == "v1\n");
  Run get = run_sand(dir, "--db db --read-only get k");
  CHECK(get.exit_code == 0);
  CHECK(get.out == "v1\n");
  Run put = run_sand(dir, "--db db --read-only put k v2");
  CHECK(put.exit_code == 3);
  CHECK(put.err.starts_with("ERR ReadOnly: "));
  CHECK(run_sand(dir, "--db nowhere --read-only get k").err.starts_with("ERR NotFound: "));

  // The shell sees the writer's later writes after `refresh`.
  Run shell = run_sand(dir, "--db db --read-only shell", "get k\nrefresh\nget k\n");
  CHECK(shell.exit_code == 0);
  CHECK(shell.out == "v1\nOK 1\nv1\n");
}

namespace {

// The one file of `dir` whose name ends with `suffix`.
std::string only_file(const std::string& dir, const std::string& suffix) {
  std::string found;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(suffix)) {
      REQUIRE(found.empty());
      found = name;
    }
  }
  REQUIRE_FALSE(found.empty());
  return found;
}

// A database with one flushed table (a, b) and one WAL record (c).
// One table (a, b) and a live WAL (c). One shell session: every open
// rewrites the WAL it replays into a table.
void make_checkable_db(const TempDir& dir) {
  REQUIRE(run_sand(dir, "--db db shell", "put a 1\nput b 2\nflush\nput c 3\n").exit_code == 0);
}

}  // namespace

TEST_CASE("sand check: a clean database exits 0 with one line per file", "[cli][binary][check]") {
  TempDir dir;
  make_checkable_db(dir);
  const std::string db = dir.path() + "/db";
  const std::string sst = only_file(db, ".sst");
  const std::string wal = only_file(db, ".wal");
  const std::uint64_t bytes = std::filesystem::file_size(db + "/MANIFEST") +
                              std::filesystem::file_size(db + "/" + sst) +
                              std::filesystem::file_size(db + "/" + wal);
  Run check = run_sand(dir, "--db db check");
  CHECK(check.exit_code == 0);
  CHECK(check.err.empty());
  std::string expected = "ok  MANIFEST  2 records, 1 live table\n";
  expected += "ok  " + sst + "  1 block, 2 entries\n";
  expected += "ok  " + wal + "  1 record, 1 operation\n";
  expected +=
      "summary: 0 problems, 0 notes; checked 1 manifest (2 records), 1 table (1 block, 2 "
      "entries), 1 WAL (1 record, 1 operation), " +
      sand::cli::format_size(bytes) + "\n";
  CHECK(check.out == expected);
}

TEST_CASE("sand check: a damaged table exits 3 and names the file and offset",
          "[cli][binary][check]") {
  TempDir dir;
  make_checkable_db(dir);
  const std::string sst = only_file(dir.path() + "/db", ".sst");
  {
    std::fstream f(dir.path() + "/db/" + sst, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);
    f.put('\x7f');
  }
  Run check = run_sand(dir, "--db db check");
  CHECK(check.exit_code == 3);
  CHECK(check.err.empty());  // the findings are the answer, on stdout
  const std::string bad_line = "BAD " + sst + " offset 0: block checksum mismatch\n";
  CHECK(check.out.starts_with("ok  MANIFEST  2 records, 1 live table\n" + bad_line + "ok  "));
  CHECK(check.out.find("\nsummary: 1 problem, 0 notes; checked 1 manifest") != std::string::npos);
  // The database itself still opens (data blocks are verified on use).
  CHECK(run_sand(dir, "--db db get c").out == "3\n");
}

TEST_CASE("sand check: a missing database is ERR NotFound and is not created",
          "[cli][binary][check]") {
  TempDir dir;
  Run check = run_sand(dir, "--db missing check");
  CHECK(check.exit_code == 3);
  CHECK(check.out.empty());
  CHECK(check.err == "ERR NotFound: missing: no database (no such directory)\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/missing"));
  CHECK(run_sand(dir, "--db db check now").exit_code == 2);
}

TEST_CASE("sand check: runs while a writer holds the database - a torn tail is a note",
          "[cli][binary][check]") {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  {
    auto writer = sand::DB::open(db);
    REQUIRE(writer.is_ok());
    REQUIRE((*writer)->put("k", "v").is_ok());
    Run check = run_sand(dir, "--db db check");
    CHECK(check.exit_code == 0);
    CHECK(check.out.find("summary: 0 problems, 0 notes;") != std::string::npos);
    REQUIRE((*writer)->close().is_ok());
  }
  const std::string wal = only_file(db, ".wal");
  const std::uint64_t size = std::filesystem::file_size(db + "/" + wal);
  {
    std::ofstream f(db + "/" + wal, std::ios::binary | std::ios::app);
    f << "abc";
  }
  Run check = run_sand(dir, "--db db check");
  CHECK(check.exit_code == 0);
  CHECK(check.out.find("\nnote " + wal + " offset " + std::to_string(size) +
                       ": torn tail: 3 bytes of an append that did not complete (the next "
                       "open drops them)\nsummary: 0 problems, 1 note;") != std::string::npos);
}

namespace {

// Name, size and modification time of every entry of `dir`.
using Listing =
    std::map<std::string, std::tuple<bool, std::uintmax_t, std::filesystem::file_time_type>>;
Listing listing(const std::string& dir) {
  Listing out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const bool regular = entry.is_regular_file();
    out[entry.path().filename().string()] = {regular, regular ? entry.file_size() : 0,
                                             entry.last_write_time()};
  }
  return out;
}

// Every byte value (NUL and 0xff included) in a scrambled order, `size` bytes.
std::string binary_value(std::size_t size) {
  std::string bytes(size, '\0');
  std::uint32_t x = 12345;
  for (std::size_t i = 0; i < size; ++i) {
    x = x * 1103515245 + 12345;
    bytes[i] = static_cast<char>(i % 3 == 0 ? i & 0xff : x >> 24);
  }
  return bytes;
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
}

const char* const kReads[] = {"get k",     "get k --at 1", "scan", "scan --prefix k --reverse",
                              "history k", "stats"};

}  // namespace

TEST_CASE("sand: reads open read-only and work while another handle holds the database",
          "[cli][binary][read_only]") {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  REQUIRE(run_sand(dir, "--db db shell", "put k v1\nput j w\nflush\n").exit_code == 0);
  auto held = sand::DB::open(db);
  REQUIRE(held.is_ok());
  REQUIRE((*held)->put("k", "v2").is_ok());  // only in the holder's WAL
  REQUIRE((*held)->del("j").is_ok());

  Run get = run_sand(dir, "--db db get k");
  CHECK(get.exit_code == 0);
  CHECK(get.out == "v2\n");
  CHECK(get.err.empty());  // no notice: a read never asks for the lock
  CHECK(run_sand(dir, "--db db get k --at 1").out == "v1\n");
  Run gone = run_sand(dir, "--db db get j");
  CHECK(gone.exit_code == 1);
  CHECK(gone.out == "NOT_FOUND\n");
  CHECK(run_sand(dir, "--db db scan").out == "k\tv2\n\n");
  CHECK(run_sand(dir, "--db db history k").out == "3\tput\tv2\n1\tput\tv1\n\n");
  Run stats = run_sand(dir, "--db db stats");
  CHECK(stats.exit_code == 0);
  CHECK(stats.out.find("\nlast_version: 4\n") != std::string::npos);
  CHECK(run_sand(dir, "--db db get k --output out").exit_code == 0);
  CHECK(read_file(dir.path() + "/out") == "v2");
  // Writes still need the lock.
  Run put = run_sand(dir, "--db db put k v3");
  CHECK(put.exit_code == 3);
  CHECK(put.err.starts_with("ERR Busy: "));
}

TEST_CASE("sand: a read creates, changes and removes no file", "[cli][binary][read_only]") {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  // A table, and writes only in a WAL: what a writable open would replay and
  // flush.
  REQUIRE(run_sand(dir, "--db db shell", "put k v1\nflush\nput k v2\nput x y\n").exit_code == 0);
  const Listing before = listing(db);
  for (const char* read : kReads) {
    Run run = run_sand(dir, std::string("--db db ") + read);
    INFO(read << "\nstderr: " << run.err);
    CHECK(run.exit_code == 0);
    CHECK(listing(db) == before);
  }
  CHECK(run_sand(dir, "--db db get k").out == "v2\n");
  CHECK(listing(db) == before);
}

TEST_CASE("sand: a read of a missing database is NotFound and creates nothing",
          "[cli][binary][read_only]") {
  TempDir dir;
  for (const char* read : kReads) {
    Run run = run_sand(dir, std::string("--db missing ") + read);
    INFO(read);
    CHECK(run.exit_code == 3);
    CHECK(run.out.empty());
    CHECK(run.err == "ERR NotFound: missing: no database (no MANIFEST)\n");
    CHECK_FALSE(std::filesystem::exists(dir.path() + "/missing"));
  }
  // An existing empty directory is not a database either, and stays empty.
  std::filesystem::create_directory(dir.path() + "/empty");
  Run get = run_sand(dir, "--db empty get k");
  CHECK(get.exit_code == 3);
  CHECK(get.err == "ERR NotFound: empty: no database (no MANIFEST)\n");
  CHECK(std::filesystem::is_empty(dir.path() + "/empty"));
}

TEST_CASE("sand put --value-file and put KEY - round-trip 200 KB of binary bytes",
          "[cli][binary][raw_value]") {
  TempDir dir;
  const std::string value = binary_value(200 * 1000);
  REQUIRE(value.find('\0') != std::string::npos);
  REQUIRE(value.find('\xff') != std::string::npos);
  write_bytes(dir.path() + "/in", value);

  Run from_file = run_sand(dir, "--db db put file --value-file in");
  CHECK(from_file.exit_code == 0);
  CHECK(from_file.out == "OK 1\n");
  Run from_stdin = run_sand(dir, "--db db put stdin -", value);
  CHECK(from_stdin.exit_code == 0);
  CHECK(from_stdin.out == "OK 2\n");

  for (const char* key : {"file", "stdin"}) {
    Run get = run_sand(dir, std::string("--db db get ") + key + " --output " + key + ".out");
    INFO(key);
    CHECK(get.exit_code == 0);
    CHECK(get.out.empty());  // quiet on success
    CHECK(get.err.empty());
    CHECK(read_file(dir.path() + "/" + key + ".out") == value);
  }
  // `--output -` is the raw value on stdout; plain get escapes it.
  CHECK(run_sand(dir, "--db db get stdin --output -").out == value);
  CHECK(run_sand(dir, "--db db get stdin").out.size() > value.size());
  // Empty inputs are empty values; an escaped "-" is the value "-".
  write_bytes(dir.path() + "/empty", "");
  CHECK(run_sand(dir, "--db db put e --value-file empty").exit_code == 0);
  CHECK(run_sand(dir, "--db db get e --output e.out").exit_code == 0);
  CHECK(std::filesystem::file_size(dir.path() + "/e.out") == 0);
  CHECK(run_sand(dir, "--db db put dash " + quote("\\x2d")).exit_code == 0);
  CHECK(run_sand(dir, "--db db get dash").out == "-\n");
}

TEST_CASE("sand get --output: NOT_FOUND leaves the file alone, write errors exit 3",
          "[cli][binary][raw_value]") {
  TempDir dir;
  REQUIRE(run_sand(dir, "--db db put k v").exit_code == 0);
  Run missing = run_sand(dir, "--db db get nope --output out");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out == "NOT_FOUND\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/out"));
  write_bytes(dir.path() + "/old", "previous");
  CHECK(run_sand(dir, "--db db get nope --output old").exit_code == 1);
  CHECK(read_file(dir.path() + "/old") == "previous");
  CHECK(run_sand(dir, "--db db get k --output old").exit_code == 0);
  CHECK(read_file(dir.path() + "/old") == "v");  // truncated, not appended

  Run unwritable = run_sand(dir, "--db db get k --output no/such/file");
  CHECK(unwritable.exit_code == 3);
  CHECK(unwritable.out.empty());
  CHECK(unwritable.err == "ERR IOError: --output no/such/file: No such file or directory\n");
  CHECK(run_sand(dir, "--db db scan --output x").exit_code == 2);  // get's option only
}

TEST_CASE("sand put: value source errors", "[cli][binary][raw_value]") {
  TempDir dir;
  write_bytes(dir.path() + "/in", "v");
  Run both = run_sand(dir, "--db db put k v --value-file in");
  CHECK(both.exit_code == 2);
  CHECK(both.err ==
        "ERR InvalidArgument: put: give VALUE or --value-file F, not both (VALUE - reads "
        "stdin)\n");
  Run none = run_sand(dir, "--db db put k");
  CHECK(none.exit_code == 2);
  CHECK(none.err ==
        "ERR InvalidArgument: put: VALUE is required (or - to read it from stdin, or "
        "--value-file F)\n");
  // An unreadable file is an error (3), found before anything is opened.
  Run missing = run_sand(dir, "--db db put k --value-file nope");
  CHECK(missing.exit_code == 3);
  CHECK(missing.err == "ERR IOError: --value-file nope: No such file or directory\n");
  CHECK(run_sand(dir, "--db db put k --value-file .").exit_code == 3);
  // Over the value limit: a usage error, refused before reading (the file is
  // sparse, so this costs no disk).
  { std::ofstream create(dir.path() + "/huge"); }
  std::filesystem::resize_file(dir.path() + "/huge", sand::kMaxValueSize + 1);
  Run huge = run_sand(dir, "--db db put k --value-file huge");
  CHECK(huge.exit_code == 2);
  CHECK(huge.err ==
        "ERR InvalidArgument: --value-file huge: the value is larger than 256.0 MiB, the "
        "largest a value may be\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/db"));
}

TEST_CASE("sand: size flags take units", "[cli][binary][size]") {
  TempDir dir;
  Run put = run_sand(dir, "--db db --memtable-size 64MiB put k v");
  CHECK(put.exit_code == 0);
  CHECK(put.err.empty());
  CHECK(run_sand(dir,
                 "--db db --memtable-size 4KiB --block-size 1KiB --block-cache-size 1GiB "
                 "--target-file-size 128MB put j w")
            .out == "OK 2\n");
  CHECK(run_sand(dir, "--db db --memtable-size '64 mib' --block-cache-size 0 get k").out == "v\n");
  Run garbage = run_sand(dir, "--db db --memtable-size 64Mb/s put k v");
  CHECK(garbage.exit_code == 2);
  CHECK(garbage.err ==
        "ERR InvalidArgument: --memtable-size: expected a byte count such as 4096, 64KiB or "
        "1GiB, got '64Mb/s'\n");
  // Values of 64 bytes or more go to value files; below 64 is refused by
  // the database (exit 3), like any out-of-range size.
  const std::string big(100, 'b');
  CHECK(run_sand(dir, "--db sep --value-separation-threshold 64 put big " + big).out == "OK 1\n");
  CHECK(run_sand(dir, "--db sep --value-separation-threshold 64 flush").exit_code == 0);
  CHECK(run_sand(dir, "--db sep get big").out == big + "\n");
  Run too_small = run_sand(dir, "--db sep --value-separation-threshold 32 put k v");
  CHECK(too_small.exit_code == 3);
  CHECK(too_small.err ==
        "ERR InvalidArgument: value_separation_threshold must be 0 or 64 bytes to 268435456\n");
  Run overflow = run_sand(dir, "--db other --block-size 99999999999TiB put k v");
  CHECK(overflow.exit_code == 2);
  CHECK(overflow.err ==
        "ERR InvalidArgument: --block-size: '99999999999TiB' is more than 2^64 - 1 bytes\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/other"));
  // In range is the database's to say: a flag that parses but is refused by
  // DB::open is exit 3.
  Run small = run_sand(dir, "--db db --memtable-size 1KiB put k v");
  CHECK(small.exit_code == 3);
  CHECK(small.err.starts_with("ERR InvalidArgument: memtable_size"));
}

TEST_CASE("sand: --memtable picks the memtable index and gives the same answers",
          "[cli][binary][memtable]") {
  TempDir dir;
  // Either index, before or after the command.
  CHECK(run_sand(dir, "--db db --memtable skiplist put k v1").out == "OK 1\n");
  CHECK(run_sand(dir, "--db db put k v2 --memtable btree").out == "OK 2\n");
  // Nothing on disk depends on it: what one wrote, the other reads.
  CHECK(run_sand(dir, "--db db --memtable skiplist get k").out == "v2\n");
  CHECK(run_sand(dir, "--db db --memtable btree history k").out == "2\tput\tv2\n1\tput\tv1\n\n");
  // A shell session through each index: writes, a delete, scans before and
  // after a flush, reads at a version, then the other index reads it all.
  std::string script;
  for (int i = 0; i < 200; ++i)
    script += "put k" + std::to_string(100 + i) + " v" + std::to_string(i) + "\n";
  script += "del k150\nscan k148 k153\nflush\nscan k148 k153\nget k150 @51\nget k150\n";
  const std::string answers =
      "k148\tv48\nk149\tv49\nk151\tv51\nk152\tv52\n\n"
      "OK\n"
      "k148\tv48\nk149\tv49\nk151\tv51\nk152\tv52\n\n"
      "v50\n"
      "NOT_FOUND\n";
  std::map<std::string, std::string> scans;
  for (const std::string index : {"btree", "skiplist"}) {
    INFO("--memtable " << index);
    Run shell = run_sand(
        dir, "--db " + index + " --memtable " + index + " --memtable-size 4KiB shell", script);
    CHECK(shell.exit_code == 0);
    CHECK(shell.err.empty());
    CHECK(shell.out.ends_with(answers));
    const std::string other = index == "btree" ? "skiplist" : "btree";
    Run scan =
        run_sand(dir, "--db " + index + " --memtable " + other + " scan --from k148 --to k153");
    CHECK(scan.out == "k148\tv48\nk149\tv49\nk151\tv51\nk152\tv52\n\n");
    scans[index] = run_sand(dir, "--db " + index + " --memtable " + other + " scan").out;
  }
  CHECK(scans["btree"] == scans["skiplist"]);
  CHECK(scans["btree"].starts_with("k100\tv0\nk101\tv1\n"));
}

TEST_CASE("sand: an unknown --memtable is a usage error naming the flag",
          "[cli][binary][memtable][exit]") {
  TempDir dir;
  Run bad = run_sand(dir, "--db db --memtable hash put k v");
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.empty());
  CHECK(bad.err == "ERR InvalidArgument: --memtable: expected btree or skiplist, got 'hash'\n");
  CHECK(run_sand(dir, "--db db put k v --memtable BTree").exit_code == 2);
  CHECK(run_sand(dir, "--db db --memtable '' put k v").exit_code == 2);
  CHECK(run_sand(dir, "--db db --memtable skip-list get k").exit_code == 2);
  Run json = run_sand(dir, "--json --db db --memtable hash put k v");
  CHECK(json.exit_code == 2);
  CHECK(json.err ==
        "{\"error\":\"InvalidArgument\",\"message\":\"--memtable: expected btree or skiplist, "
        "got 'hash'\"}\n");
  // Rejected before opening: nothing was created.
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/db"));
  // --help names the flag and its values.
  Run help = run_sand(dir, "--help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--memtable btree|skiplist") != std::string::npos);
}

TEST_CASE("sand --version is the header's version", "[cli][binary]") {
  TempDir dir;
  CHECK(run_sand(dir, "--version").out == "sand " + std::to_string(SAND_VERSION_MAJOR) + "." +
                                              std::to_string(SAND_VERSION_MINOR) + "." +
                                              std::to_string(SAND_VERSION_PATCH) + "\n");
}

TEST_CASE("sand: an unknown command is named, with the list of commands, exit 2",
          "[cli][binary][exit]") {
  TempDir dir;
  const std::string expected =
      "ERR InvalidArgument: unknown command 'frob' (commands: put get del scan history stats "
      "flush compact forget-before checkpoint shell check dump export import)\n";
  Run frob = run_sand(dir, "frob");
  CHECK(frob.exit_code == 2);
  CHECK(frob.out.empty());
  CHECK(frob.err == expected);
  Run with_args = run_sand(dir, "--db db frob a b");
  CHECK(with_args.exit_code == 2);
  CHECK(with_args.err == expected);
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/db"));
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/sand-data"));
  // No command at all, or a bad flag, is still CLI11's usage error.
  Run none = run_sand(dir, "--db db");
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("unknown command") == std::string::npos);
  CHECK(run_sand(dir, "--frob get k").exit_code == 2);
}

// --- --json (issue 17 part 4): JSON lines on stdout, errors as JSON on stderr,
// the same exit codes. (Its includes are here, with the section.)

#include <nlohmann/json.hpp>
#include <vector>

namespace {

// Every line of `text` parsed as JSON (each must be an object, and `text`
// must end with a newline unless empty).
std::vector<nlohmann::ordered_json> json_lines(const std::string& text) {
  INFO(text);
  REQUIRE((text.empty() || text.ends_with('\n')));
  std::vector<nlohmann::ordered_json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    INFO(line);
    REQUIRE(nlohmann::ordered_json::accept(line));
    out.push_back(nlohmann::ordered_json::parse(line));
    REQUIRE(out.back().is_object());
  }
  return out;
}

using J = nlohmann::ordered_json;

}  // namespace

TEST_CASE("sand --json: put, get, del, scan and history answer JSON lines", "[cli][binary][json]") {
  TempDir dir;
  // A key that is not UTF-8 (a\xff) and a value that is (café).
  Run put = run_sand(dir, "--json --db db put " + quote("a\\xff") + " " + quote("caf\\xc3\\xa9"));
  CHECK(put.exit_code == 0);
  CHECK(put.err.empty());
  CHECK(json_lines(put.out) == std::vector<J>{J{{"version", 1}}});
  REQUIRE(run_sand(dir, "--db db put b 2").exit_code == 0);
  CHECK(json_lines(run_sand(dir, "--db db del b --json").out) == std::vector<J>{J{{"version", 3}}});
  REQUIRE(run_sand(dir, "--db db put " + quote("a\\xff") + " v4").exit_code == 0);

  Run get = run_sand(dir, "--db db --json get " + quote("a\\xff") + " --at 1");
  CHECK(get.exit_code == 0);
  CHECK(get.out ==
        "{\"key\":{\"hex\":\"61ff\"},\"found\":true,\"value\":\"caf\xc3\xa9\",\"at\":1}\n");
  CHECK(json_lines(get.out)[0]["value"] == "caf\xc3\xa9");

  Run missing = run_sand(dir, "--db db --json get b");
  CHECK(missing.exit_code == 1);  // as without --json
  CHECK(missing.err.empty());
  CHECK(json_lines(missing.out) == std::vector<J>{J{{"key", "b"}, {"found", false}}});

  // No closing line: one object per entry, nothing else.
  Run scan = run_sand(dir, "--db db --json scan");
  CHECK(scan.exit_code == 0);
  CHECK(json_lines(scan.out) == std::vector<J>{J{{"key", J{{"hex", "61ff"}}}, {"value", "v4"}}});
  CHECK(run_sand(dir, "--db db --json scan --limit 0").out.empty());

  Run history = run_sand(dir, "--db db --json history " + quote("a\\xff"));
  CHECK(history.exit_code == 0);
  CHECK(
      json_lines(history.out) ==
      std::vector<J>{
          J{{"key", J{{"hex", "61ff"}}}, {"version", 4}, {"kind", "put"}, {"value", "v4"}},
          J{{"key", J{{"hex", "61ff"}}}, {"version", 1}, {"kind", "put"}, {"value", "caf\xc3\xa9"}},
      });
  Run deleted = run_sand(dir, "--db db --json history b");
  CHECK(json_lines(deleted.out) ==
        std::vector<J>{J{{"key", "b"}, {"version", 3}, {"kind", "delete"}},
                       J{{"key", "b"}, {"version", 2}, {"kind", "put"}, {"value", "2"}}});
}

TEST_CASE("sand --json: stats, flush, compact, forget-before", "[cli][binary][json]") {
  TempDir dir;
  REQUIRE(run_sand(dir, "--db db shell", "put a 1\nput a 2\nput b 3\n").exit_code == 0);
  for (const char* command : {"flush", "compact", "forget-before 2"}) {
    Run run = run_sand(dir, std::string("--db db --json ") + command);
    INFO(command);
    CHECK(run.exit_code == 0);
    CHECK(run.out == "{\"ok\":true}\n");
  }
  Run stats = run_sand(dir, "--db db --json stats");
  CHECK(stats.exit_code == 0);
  const std::vector<J> lines = json_lines(stats.out);
  REQUIRE(lines.size() == 1);
  const J& s = lines[0];
  CHECK(s["last_version"] == 3);
  CHECK(s["low_water_mark"] == 2);
  CHECK(s["tables_l2"].get<std::uint64_t>() >= 1);
  CHECK(s["levels"][2]["tables"] == s["tables_l2"]);
  CHECK(s["levels"][1]["runs"] == 0);
  CHECK(s["write_amplification"].is_number());
  CHECK(s["flushes"].is_number_unsigned());
}

TEST_CASE("sand --json check: a line per file, then the summary, problems exit 3",
          "[cli][binary][json][check]") {
  TempDir dir;
  make_checkable_db(dir);
  const std::string sst = only_file(dir.path() + "/db", ".sst");
  const std::string wal = only_file(dir.path() + "/db", ".wal");
  Run clean = run_sand(dir, "--db db --json check");
  CHECK(clean.exit_code == 0);
  std::vector<J> lines = json_lines(clean.out);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]["record"] == "file");
  CHECK(lines[0]["file"] == "MANIFEST");
  CHECK(lines[0]["status"] == "ok");
  CHECK(lines[1] == J{{"record", "file"},
                      {"file", sst},
                      {"type", "table"},
                      {"status", "ok"},
                      {"bytes", std::filesystem::file_size(dir.path() + "/db/" + sst)},
                      {"blocks", 1},
                      {"entries", 2}});
  CHECK(lines[2]["file"] == wal);
  CHECK(lines[2]["operations"] == 1);
  CHECK(lines[3]["record"] == "summary");
  CHECK(lines[3]["ok"] == true);
  CHECK(lines[3]["tables"]["entries"] == 2);

  {
    std::fstream f(dir.path() + "/db/" + sst, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);
    f.put('\x7f');
  }
  Run bad = run_sand(dir, "--db db --json check");
  CHECK(bad.exit_code == 3);
  CHECK(bad.err.empty());
  lines = json_lines(bad.out);
  REQUIRE(lines.size() == 4);
  CHECK(lines[1]["status"] == "bad");
  CHECK(lines[1]["problems"] == J::array({J{{"offset", 0}, {"what", "block checksum mismatch"}}}));
  CHECK(lines[3]["ok"] == false);
  CHECK(lines[3]["problems"] == 1);
}

TEST_CASE("sand --json: errors are one JSON line on stderr, exit codes unchanged",
          "[cli][binary][json][exit]") {
  TempDir dir;
  Run not_found = run_sand(dir, "--db missing --json get k");
  CHECK(not_found.exit_code == 3);
  CHECK(not_found.out.empty());
  const std::vector<J> err = json_lines(not_found.err);
  REQUIRE(err.size() == 1);
  CHECK(err[0]["error"] == "NotFound");
  CHECK(err[0]["message"].get<std::string>().starts_with("missing"));
  CHECK(json_lines(run_sand(dir, "--db missing --json check").err)[0]["error"] == "NotFound");

  Run bad_escape = run_sand(dir, "--json --db db put " + quote("a\\q") + " v");
  CHECK(bad_escape.exit_code == 2);
  CHECK(bad_escape.err ==
        "{\"error\":\"InvalidArgument\",\"message\":\"KEY: bad escape at byte 1: expected "
        "\\\\xNN with two hex digits\"}\n");
  // Rejected by the command-line parser, before --json itself was read.
  Run unknown = run_sand(dir, "frob --json");
  CHECK(unknown.exit_code == 2);
  CHECK(json_lines(unknown.err)[0]["message"].get<std::string>().starts_with(
      "unknown command 'frob' (commands: put get"));
  Run no_key = run_sand(dir, "--json --db db get");
  CHECK(no_key.exit_code == 2);
  CHECK(json_lines(no_key.err)[0]["error"] == "InvalidArgument");
  Run bad_flag = run_sand(dir, "--json --frob get k");
  CHECK(bad_flag.exit_code == 2);
  CHECK(json_lines(bad_flag.err).size() == 1);
  // After `--`, "--json" is an argument, not the flag.
  Run argument = run_sand(dir, "--db db put -- k --json");
  CHECK(argument.exit_code == 0);
  CHECK(argument.out == "OK 1\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/missing"));
  // --help stays text.
  Run help = run_sand(dir, "--json --help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--json") != std::string::npos);
}

TEST_CASE("sand --json get --output: the raw value only, NOT_FOUND as JSON",
          "[cli][binary][json][raw_value]") {
  TempDir dir;
  REQUIRE(run_sand(dir, "--db db put k " + quote("\\x00\\xff")).exit_code == 0);
  Run to_file = run_sand(dir, "--db db --json get k --output out");
  CHECK(to_file.exit_code == 0);
  CHECK(to_file.out.empty());
  CHECK(read_file(dir.path() + "/out") == std::string("\0\xff", 2));
  Run to_stdout = run_sand(dir, "--db db --json get k --output -");
  CHECK(to_stdout.out == std::string("\0\xff", 2));
  Run missing = run_sand(dir, "--db db --json get nope --output out");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out == "{\"key\":\"nope\",\"found\":false}\n");
}

TEST_CASE("sand shell --json over a pipe: JSON lines, lists closed by {\"end\":true}",
          "[cli][binary][json]") {
  TempDir dir;
  Run shell = run_sand(dir, "--db db --json shell",
                       "put k\\xff v\nget k\\xff\nscan\nbogus\nhistory k\\xff\nhelp get\n");
  CHECK(shell.exit_code == 3);  // bogus failed
  CHECK(shell.err.empty());
  const std::vector<J> lines = json_lines(shell.out);
  REQUIRE(lines.size() == 8);
  CHECK(lines[0] == J{{"version", 1}});
  CHECK(lines[1] == J{{"key", J{{"hex", "6bff"}}}, {"found", true}, {"value", "v"}});
  CHECK(lines[2] == J{{"key", J{{"hex", "6bff"}}}, {"value", "v"}});
  CHECK(lines[3] == J{{"end", true}});
  CHECK(lines[4]["error"] == "InvalidArgument");
  CHECK(lines[5]["kind"] == "put");
  CHECK(lines[6] == J{{"end", true}});
  CHECK(lines[7]["command"] == "get");
  // Without --json the protocol is the text one, unchanged.
  CHECK(run_sand(dir, "--db db shell", "get k\\xff\n").out == "v\n");
}

// --- checkpoint, and the shell beside another process ---

TEST_CASE("sand checkpoint DIR copies the database as of now", "[cli][binary][checkpoint]") {
  TempDir dir;
  REQUIRE(run_sand(dir, "--db db shell", "put a 1\nflush\nput a 2\ndel b\n").exit_code == 0);
  Run copy = run_sand(dir, "--db db checkpoint " + quote(dir.path() + "/copy"));
  CHECK(copy.exit_code == 0);
  CHECK(copy.out == "OK 3\n");
  CHECK(run_sand(dir, "--db db put a 3").exit_code == 0);  // the copy never sees it
  CHECK(run_sand(dir, "--db copy history a").out == "2\tput\t2\n1\tput\t1\n\n");
  CHECK(run_sand(dir, "--db copy --json checkpoint copy2").out == "{\"version\":3}\n");
  // An existing DIR, and a missing database (never created), exit 3.
  Run again = run_sand(dir, "--db db checkpoint copy");
  CHECK(again.exit_code == 3);
  CHECK(again.err.starts_with("ERR InvalidArgument: "));
  CHECK(again.err.find("copy") != std::string::npos);
  Run missing = run_sand(dir, "--db nowhere checkpoint copy3");
  CHECK(missing.exit_code == 3);
  CHECK(missing.err.starts_with("ERR NotFound: "));
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/nowhere"));
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/copy3"));
  CHECK(run_sand(dir, "checkpoint").exit_code == 2);
}

TEST_CASE("sand shell: a database another process holds opens read-only, with a notice",
          "[cli][binary][read_only]") {
  TempDir dir;
  const std::string db = dir.path() + "/db";
  sand::Result<std::unique_ptr<sand::DB>> held = sand::DB::open(db);
  REQUIRE(held.is_ok());
  REQUIRE((*held)->put("k", "v1").is_ok());
  Run shell = run_sand(dir, "--db db shell", "get k\nput k v2\nget k\n");
  CHECK(shell.exit_code == 3);  // the put failed
  CHECK(shell.out.starts_with("v1\nERR ReadOnly: "));
  CHECK(shell.out.ends_with("\nv1\n"));
  CHECK(shell.err.find("is in use by another process; the shell opened it read-only") !=
        std::string::npos);
  // The writer goes on; `refresh` in a read-only shell follows it.
  REQUIRE((*held)->put("k", "v3").is_ok());
  CHECK(run_sand(dir, "--db db shell", "refresh\nget k\n").out == "OK 2\nv3\n");
  CHECK((*held)->get("k").value() == "v3");
}
