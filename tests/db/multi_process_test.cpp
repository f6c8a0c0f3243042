// A writer process and two read-only processes on one database directory,
// through the real POSIX file system. The writer runs the scripted workload
// (support/scripted_workload.hpp) with flushes, compactions, WAL switches,
// manifest rollovers, retention and a restart; each reader refreshes in a
// loop and checks that every state it sees is exactly the script's state at
// the version it reports, that versions never go back, and that reads at the
// previous version still give the previous state. No reader may crash or
// fail while files are compacted away under it.
//
// It runs for SAND_SOAK_SECONDS seconds (default 4). The 10-minute soak:
//   SAND_SOAK_SECONDS=600 build/test/tests/db_tests "[multiprocess]"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>

#include "support/db_helpers.hpp"
#include "support/scripted_workload.hpp"
#include "support/writer_process.hpp"

using namespace sand;
using sand::test::scripted_batch;
using sand::test::ScriptedState;
using Clock = std::chrono::steady_clock;

namespace {

int soak_seconds() { return sand::test::seconds_from_env("SAND_SOAK_SECONDS", 4); }

Options writer_options() { return sand::test::busy_writer_options(); }

[[noreturn]] void fail(int code, const std::string& what) {
  sand::test::child_exit("multi_process_test child", code, what);
}

// The writer: the script for `seconds`, restarting once halfway; then it
// publishes the last version in `final_path` and exits 0.
[[noreturn]] void run_writer(const std::string& dir, const std::string& final_path, int seconds,
                             int ready_fd) {
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  const auto restart_at = Clock::now() + std::chrono::seconds(seconds) / 2;
  bool restarted = false;
  Version v = 0;
  std::uint64_t flushes = 0;
  std::uint64_t compactions = 0;
  auto db = DB::open(dir, writer_options());
  if (!db.is_ok()) fail(2, db.status().to_string());
  if (::write(ready_fd, "r", 1) != 1) fail(3, "ready pipe");
  ::close(ready_fd);
  while (Clock::now() < end) {
    ++v;
    auto r = (*db)->write(scripted_batch(v));
    if (!r.is_ok() || *r != v)
      fail(4, "write " + std::to_string(v) + ": " + r.status().to_string());
    if (v % 1500 == 0) {
      if (Status s = (*db)->compact(); !s.is_ok()) fail(5, s.to_string());
    }
    // History older than 3000 versions may go: compactions drop it.
    if (v % 1000 == 0 && v > 3000) {
      if (Status s = (*db)->forget_before(v - 3000); !s.is_ok()) fail(6, s.to_string());
    }
    if (!restarted && Clock::now() > restart_at) {
      restarted = true;
      flushes += (*db)->stats().flushes;
      compactions += (*db)->stats().compactions;
      if (Status s = (*db)->close(); !s.is_ok()) fail(7, s.to_string());
      db = DB::open(dir, writer_options());
      if (!db.is_ok()) fail(8, db.status().to_string());
    }
  }
  const Stats st = (*db)->stats();
  if (Status s = (*db)->close(); !s.is_ok()) fail(9, s.to_string());
  // Context for soak runs (ctest shows it only on failure).
  std::fprintf(stderr,
               "writer: %llu versions, %llu flushes, %llu compactions, 1 restart, %llu manifest "
               "bytes at the end\n",
               static_cast<unsigned long long>(v),
               static_cast<unsigned long long>(flushes + st.flushes),
               static_cast<unsigned long long>(compactions + st.compactions),
               static_cast<unsigned long long>(st.manifest_bytes));
  if (!sand::test::publish_final_version(final_path, v)) fail(10, "rename");
  ::_exit(0);
}

std::string first_difference(const std::map<std::string, std::string>& seen,
                             const std::map<std::string, std::string>& expected) {
  for (const auto& [k, value] : expected) {
    auto it = seen.find(k);
    if (it == seen.end()) return k + " missing (expected " + value + ")";
    if (it->second != value) return k + " is " + it->second + ", expected " + value;
  }
  for (const auto& [k, value] : seen) {
    if (!expected.contains(k)) return k + " = " + value + " should be absent";
  }
  return "none";
}

std::string describe(const DB& db) {
  const Stats st = db.stats();
  return "tables " + std::to_string(st.tables[0]) + "/" + std::to_string(st.tables[1]) + "/" +
         std::to_string(st.tables[2]) + " memtables " + std::to_string(st.immutable_memtables) +
         "+1 (" + std::to_string(st.memtable_bytes) + " bytes) mark " +
         std::to_string(st.low_water_mark);
}

std::map<std::string, std::string> scan_at(const DB& db, std::optional<Version> at) {
  auto it = db.scan(ScanOptions{.at = at});
  if (!it.is_ok()) fail(20, "scan: " + it.status().to_string());
  std::map<std::string, std::string> out;
  for (; it->valid(); it->next()) out.emplace(it->key(), it->value());
  if (!it->status().is_ok()) fail(21, "scan: " + it->status().to_string());
  return out;
}

// A reader: refreshes and checks until it has seen the writer's last
// version. Reports its counts on stdout-less stderr only on failure.
[[noreturn]] void run_reader(const std::string& dir, const std::string& final_path, int seconds) {
  auto db = DB::open_read_only(dir);
  if (!db.is_ok()) fail(11, "open_read_only: " + db.status().to_string());
  const auto give_up = Clock::now() + std::chrono::seconds(seconds + 120);
  ScriptedState script;
  std::map<std::string, std::string> previous;
  Version previous_version = 0;
  std::uint64_t refreshes = 0;
  std::uint64_t states = 0;  // refreshes that showed a new version
  for (;;) {
    if (Clock::now() > give_up) fail(12, "the writer's last version never showed");
    const std::optional<Version> final_version = sand::test::read_final_version(final_path);
    if (Status s = (*db)->refresh(); !s.is_ok()) fail(13, "refresh: " + s.to_string());
    ++refreshes;
    const Version v = (*db)->last_version();
    if (v != previous_version) ++states;
    if (v < previous_version) {
      fail(14, "version went back from " + std::to_string(previous_version) + " to " +
                   std::to_string(v));
    }
    // The state at v, read at v explicitly (a latest read could see a later
    // refresh's view if another thread refreshed; here none does).
    script.advance_to(v);
    if (auto seen = scan_at(**db, v); seen != script.live()) {
      fail(15, "state at version " + std::to_string(v) + " differs from the script: " +
                   first_difference(seen, script.live()) + "; " + describe(**db));
    }
    if (previous_version >= (*db)->low_water_mark() && previous_version > 0 &&
        scan_at(**db, previous_version) != previous) {
      fail(16, "state at the previous version " + std::to_string(previous_version) + " changed");
    }
    previous = script.live();
    previous_version = v;
    if (final_version && v == *final_version) {
      std::fprintf(stderr, "reader %d: %llu refreshes, %llu states checked, last version %llu\n",
                   static_cast<int>(::getpid()), static_cast<unsigned long long>(refreshes),
                   static_cast<unsigned long long>(states), static_cast<unsigned long long>(v));
      ::_exit(0);
    }
    if (final_version && v > *final_version) fail(17, "saw a version past the writer's last");
  }
}

}  // namespace

TEST_CASE("two reader processes follow a writer process through compactions and a restart",
          "[db][read_only][multiprocess]") {
  sand::test::TempDir dir;
  sand::test::TempDir side;
  const std::string db_dir = dir.path() + "/db";
  const std::string final_path = side.path() + "/final";
  const int seconds = soak_seconds();

  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  std::fflush(nullptr);  // children must not print the parent's buffered output
  const pid_t writer = ::fork();
  REQUIRE(writer >= 0);
  if (writer == 0) {
    ::close(ready[0]);
    run_writer(db_dir, final_path, seconds, ready[1]);
  }
  ::close(ready[1]);
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);  // the database exists now
  ::close(ready[0]);

  std::vector<pid_t> readers;
  for (int i = 0; i < 2; ++i) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) run_reader(db_dir, final_path, seconds);
    readers.push_back(pid);
  }

  auto exit_code = [](pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  };
  CHECK(exit_code(writer) == 0);
  for (const pid_t pid : readers) CHECK(exit_code(pid) == 0);

  // The writer really churned files under the readers.
  const std::optional<Version> last = sand::test::read_final_version(final_path);
  REQUIRE(last);
  auto db = sand::test::must(DB::open(db_dir, writer_options()));
  CHECK(db->last_version() == *last);
  CHECK(*last > 3000);
}
