// A follower tails a live writer process through the real POSIX file
// system: the writer (a forked child) runs the scripted workload
// (support/scripted_workload.hpp) with flushes, compactions and a restart
// halfway; the follower (a read-only handle in the test process) loops on
// wait_for_version(seen + 1) and changes({.since = seen}) and must see every
// committed batch exactly once, in version order, each exactly as the script
// wrote it (a delete shows when it hides an earlier put: the writer keeps
// every version, so that is any earlier put of the key).
//
// It runs for SAND_FEED_SECONDS seconds (default 60, as the issue asks; the
// writer pauses often, so ctest runs other tests beside it). A quick run:
//   SAND_FEED_SECONDS=5 build/test/tests/db_tests "[follower]"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "support/db_helpers.hpp"
#include "support/scripted_workload.hpp"
#include "support/temp_dir.hpp"
#include "support/writer_process.hpp"

using namespace sand;
using sand::test::scripted_op;
using sand::test::scripted_op_count;
using Clock = std::chrono::steady_clock;

namespace {

int feed_seconds() { return sand::test::seconds_from_env("SAND_FEED_SECONDS", 60); }

Options writer_options() { return sand::test::busy_writer_options(); }

[[noreturn]] void fail(int code, const std::string& what) {
  sand::test::child_exit("change_feed_follower_test writer", code, what);
}

// The writer: the script for `seconds` in bursts (so the follower both
// waits and catches up), restarting once halfway; then it publishes its last
// version in `final_path` and exits 0.
[[noreturn]] void run_writer(const std::string& dir, const std::string& final_path, int seconds,
                             int ready_fd) {
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  const auto restart_at = Clock::now() + std::chrono::seconds(seconds) / 2;
  bool restarted = false;
  Version v = 0;
  auto db = DB::open(dir, writer_options());
  if (!db.is_ok()) fail(2, db.status().to_string());
  if (::write(ready_fd, "r", 1) != 1) fail(3, "ready pipe");
  ::close(ready_fd);
  while (Clock::now() < end) {
    ++v;
    auto r = (*db)->write(sand::test::scripted_batch(v));
    if (!r.is_ok() || *r != v)
      fail(4, "write " + std::to_string(v) + ": " + r.status().to_string());
    // Bursts of 25 writes, a longer pause now and then: at most ~6k versions
    // a second, so a 60 s run stays near 100 MB and leaves the CPU mostly
    // to the tests ctest runs beside it, yet still flushes many times a
    // second and compacts every 50000 versions.
    if (v % 25 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(v % 5000 == 0 ? 50 : 4));
    if (v % 50000 == 0) {
      if (Status s = (*db)->compact(); !s.is_ok()) fail(5, s.to_string());
    }
    if (!restarted && Clock::now() > restart_at) {
      restarted = true;
      if (Status s = (*db)->close(); !s.is_ok()) fail(6, s.to_string());
      db = DB::open(dir, writer_options());
      if (!db.is_ok()) fail(7, db.status().to_string());
    }
  }
  if (Status s = (*db)->close(); !s.is_ok()) fail(8, s.to_string());
  if (!sand::test::publish_final_version(final_path, v)) fail(9, "rename");
  ::_exit(0);
}

// What the feed must show for the script's batch `v`: its operations in key
// order (the last per key), without deletes that hide nothing. `put_keys`
// holds every key put before `v` and is brought up to date.
ChangeBatch expected_batch(Version v, std::set<std::string>* put_keys) {
  std::map<std::string, sand::test::ScriptedOp> ops;
  for (int j = 0; j < scripted_op_count(v); ++j) {
    sand::test::ScriptedOp op = scripted_op(v, j);
    ops[op.key] = std::move(op);
  }
  ChangeBatch batch{.version = v, .changes = {}};
  for (auto& [key, op] : ops) {
    if (op.del && !put_keys->contains(key)) continue;
    batch.changes.push_back({.key = key, .deleted = op.del, .value = op.value});
  }
  for (const auto& [key, op] : ops) {
    if (!op.del) put_keys->insert(key);
  }
  return batch;
}

// The follower's result: an empty failure means it saw every batch.
struct Followed {
  std::string failure;
  Version seen = 0;
  std::uint64_t feeds = 0;    // changes() calls
  std::uint64_t batches = 0;  // batches checked
};

Followed follow(const std::string& dir, const std::string& final_path, int seconds) {
  Followed out;
  auto db = DB::open_read_only(dir);
  if (!db.is_ok()) return {.failure = "open_read_only: " + db.status().to_string()};
  const auto give_up = Clock::now() + std::chrono::seconds(seconds + 120);
  std::set<std::string> put_keys;
  Version expected_next = 1;  // the next script version to account for
  for (;;) {
    if (Clock::now() > give_up) {
      out.failure = "the writer's last version never showed";
      return out;
    }
    const std::optional<Version> final_version = sand::test::read_final_version(final_path);
    if (final_version && out.seen == *final_version) return out;
    auto waited = (*db)->wait_for_version(out.seen + 1, std::chrono::milliseconds(100));
    if (!waited.is_ok()) {
      out.failure = "wait_for_version: " + waited.status().to_string();
      return out;
    }
    auto feed = (*db)->changes({.since = out.seen});
    if (!feed.is_ok()) {
      out.failure = "changes since " + std::to_string(out.seen) + ": " + feed.status().to_string();
      return out;
    }
    ++out.feeds;
    for (; feed->valid(); feed->next()) {
      const ChangeBatch& got = feed->batch();
      // Versions the feed passed over must have had nothing to show.
      ChangeBatch want = expected_batch(expected_next++, &put_keys);
      while (want.changes.empty() && want.version < got.version) {
        want = expected_batch(expected_next++, &put_keys);
      }
      if (got != want) {
        out.failure = "at version " + std::to_string(got.version) + " expected the batch of " +
                      std::to_string(want.version) + " with " +
                      std::to_string(want.changes.size()) + " changes, got " +
                      std::to_string(got.changes.size()) + " changes";
        return out;
      }
      ++out.batches;
    }
    if (!feed->status().is_ok()) {
      out.failure = "feed: " + feed->status().to_string();
      return out;
    }
    // Batches up to until() with nothing to show come after the last one.
    for (; expected_next <= feed->until(); ++expected_next) {
      if (!expected_batch(expected_next, &put_keys).changes.empty()) {
        out.failure = "the feed up to " + std::to_string(feed->until()) + " left out version " +
                      std::to_string(expected_next);
        return out;
      }
    }
    if (feed->until() < out.seen) {
      out.failure = "until() went back from " + std::to_string(out.seen) + " to " +
                    std::to_string(feed->until());
      return out;
    }
    out.seen = feed->until();
    if (final_version && out.seen > *final_version) {
      out.failure = "saw version " + std::to_string(out.seen) + " past the writer's last " +
                    std::to_string(*final_version);
      return out;
    }
  }
}

}  // namespace

TEST_CASE("a follower process tails a live writer through the change feed exactly once",
          "[db][changes][read_only][multiprocess][follower]") {
  sand::test::TempDir dir;
  sand::test::TempDir side;
  const std::string db_dir = dir.path() + "/db";
  const std::string final_path = side.path() + "/final";
  const int seconds = feed_seconds();

  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  std::fflush(nullptr);  // the child must not print the parent's buffered output
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

  const Followed followed = follow(db_dir, final_path, seconds);
  if (!followed.failure.empty()) ::kill(writer, SIGKILL);
  int status = 0;
  ::waitpid(writer, &status, 0);
  INFO(followed.failure);
  INFO("followed to version " << followed.seen << " with " << followed.feeds << " feeds, "
                              << followed.batches << " batches");
  CHECK(followed.failure.empty());
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  const std::optional<Version> last = sand::test::read_final_version(final_path);
  REQUIRE(last);
  CHECK(followed.seen == *last);
  CHECK(followed.feeds > 1);  // it really tailed, not one catch-up at the end
}
