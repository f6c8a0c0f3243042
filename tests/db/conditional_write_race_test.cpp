// Conditional writes under contention: a precondition is checked in the same
// critical section as the commit (DB::Impl::commit_group), so of several
// writers expecting the same version exactly one wins, a read-modify-write
// loop that retries on Conflict loses no update, and every conditional write
// that succeeded found exactly the state it expected right below its
// version, however it interleaved with blind writes.
//
// Each case runs twice: with synced writes on a file system whose fsync
// takes 2 ms, so writers queue up and share groups (batches of one group
// must see each other's writes), and unsynced, for tight interleavings.
// Catch2 assertions are not thread-safe: the workers only record what
// happened; the test thread checks it after joining.
#include <algorithm>
#include <barrier>
#include <catch2/catch.hpp>
#include <chrono>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"
#include "support/forwarding_file_system.hpp"
#include "support/slow_sync_file_system.hpp"

using namespace sand;
using sand::test::must;

namespace {

using test::SlowSyncFileSystem;

struct Mode {
  const char* name;
  bool grouped;  // synced writes on the slow file system
};
constexpr Mode kModes[] = {{"synced groups", true}, {"unsynced", false}};

std::unique_ptr<DB> open_db(const Mode& mode) {
  if (!mode.grouped) return must(DB::open("/db", Options{.file_system = memory_file_system()}));
  auto fs = std::make_shared<SlowSyncFileSystem>(memory_file_system());
  return must(DB::open("/db", Options{.sync = true, .file_system = fs}));
}

// What one conditional write attempt came back with.
struct Attempt {
  bool ok = false;
  Code code = Code::kOk;
  Version version = 0;  // when ok
};

Attempt attempt(const Result<Version>& r) {
  return r.is_ok() ? Attempt{.ok = true, .code = Code::kOk, .version = *r}
                   : Attempt{.ok = false, .code = r.status().code(), .version = 0};
}

// The version a precondition sees in `entry` (get_versioned's answer): a
// tombstone or no entry is 0.
Version precondition_version(const std::optional<HistoryEntry>& entry) {
  return entry && !entry->deleted ? entry->version : 0;
}

}  // namespace

TEST_CASE("racing put-ifs expecting the same version - exactly one wins each round",
          "[db][conditional][race]") {
  constexpr int kThreads = 8, kRounds = 100;
  for (const Mode& mode : kModes) {
    INFO(mode.name);
    auto db = open_db(mode);
    const Version start = must(db->put("k", "start"));
    // rounds[r][t]: thread t's put-if in round r, all expecting the version
    // of round r - 1's winner (`start` for round 0).
    std::vector<std::vector<Attempt>> rounds(kRounds, std::vector<Attempt>(kThreads));
    std::vector<Attempt> noise(kRounds);
    std::barrier round_done(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        Version expected = start;
        for (int r = 0; r < kRounds; ++r) {
          // A blind write first, so the contenders tend to queue up behind
          // its sync and meet in one group, where they must see the winner.
          if (t == 0) noise[r] = attempt(db->put("noise", std::to_string(r)));
          WriteBatch b;
          b.expect_version("k", expected);
          b.put("k", std::to_string(r) + "/" + std::to_string(t));
          rounds[r][t] = attempt(db->write(b));
          round_done.arrive_and_wait();
          // Every thread derives the same next expectation from the
          // round's outcome (the newest winner if there were several).
          for (const Attempt& a : rounds[r]) {
            if (a.ok) expected = std::max(expected, a.version);
          }
        }
      });
    }
    for (auto& th : threads) th.join();

    Version previous = start;
    for (int r = 0; r < kRounds; ++r) {
      INFO("round " << r);
      CHECK(noise[r].ok);
      int wins = 0, conflicts = 0;
      for (const Attempt& a : rounds[r]) {
        if (a.ok) {
          ++wins;
          CHECK(a.version > previous);
          previous = a.version;
        } else {
          conflicts += a.code == Code::kConflict ? 1 : 0;
        }
      }
      CHECK(wins == 1);
      CHECK(conflicts == kThreads - 1);
    }
    CHECK(db->last_version() == start + 2 * kRounds);  // the losers took no version
    CHECK(must(db->history("k")).size() == static_cast<std::size_t>(kRounds + 1));
    must(db->close());
  }
}

TEST_CASE("concurrent read-modify-write increments retried on Conflict lose no update",
          "[db][conditional][race]") {
  constexpr int kThreads = 6, kIncrements = 40;
  constexpr int kTotal = kThreads * kIncrements;
  for (const Mode& mode : kModes) {
    INFO(mode.name);
    auto db = open_db(mode);
    must(db->put("counter", "0"));
    // Per thread: the version of each successful increment, and the number
    // of errors other than Conflict (there must be none).
    std::vector<std::vector<Version>> committed(kThreads);
    std::vector<int> other_errors(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        while (static_cast<int>(committed[t].size()) < kIncrements && other_errors[t] == 0) {
          const auto seen = db->get_versioned("counter");
          if (!seen.is_ok()) {
            ++other_errors[t];
            break;
          }
          const int value = *seen && !(*seen)->deleted ? std::stoi((*seen)->value) : 0;
          WriteBatch b;
          b.expect_version("counter", precondition_version(*seen));
          b.put("counter", std::to_string(value + 1));
          const Attempt a = attempt(db->write(b));
          if (a.ok) {
            committed[t].push_back(a.version);
          } else if (a.code != Code::kConflict) {
            ++other_errors[t];
          }
        }
      });
    }
    for (auto& th : threads) th.join();

    std::set<Version> versions;
    for (int t = 0; t < kThreads; ++t) {
      CHECK(other_errors[t] == 0);
      CHECK(committed[t].size() == static_cast<std::size_t>(kIncrements));
      versions.insert(committed[t].begin(), committed[t].end());
    }
    CHECK(versions.size() == static_cast<std::size_t>(kTotal));
    CHECK(must(db->get("counter")) == std::to_string(kTotal));
    // Newest first: kTotal, kTotal - 1, ..., 0, each exactly once, and the
    // versions are exactly the ones the increments were acknowledged with.
    const auto history = must(db->history("counter"));
    REQUIRE(history.size() == static_cast<std::size_t>(kTotal + 1));
    for (int i = 0; i <= kTotal; ++i) {
      CHECK(history[i].value == std::to_string(kTotal - i));
      if (i < kTotal) CHECK(versions.count(history[i].version) == 1);
    }
    CHECK(db->last_version() == static_cast<Version>(kTotal + 1));
    must(db->close());
  }
}

TEST_CASE("every successful conditional write found the state it expected right below it",
          "[db][conditional][race]") {
  // Conditional threads put or delete a key if it is still at the version
  // they read; blind threads put and delete the same keys meanwhile.
  constexpr int kConditional = 4, kBlind = 2, kOpsPerThread = 150;
  const std::vector<std::string> keys = {"a", "b", "c"};
  struct Success {
    std::string key;
    Version expected = 0;
    Version version = 0;
    bool deleted = false;
  };
  for (const Mode& mode : kModes) {
    INFO(mode.name);
    auto db = open_db(mode);
    std::vector<std::vector<Success>> successes(kConditional);
    std::vector<int> other_errors(kConditional + kBlind, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kConditional; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kOpsPerThread; ++i) {
          const std::string& key = keys[(i + t) % keys.size()];
          const auto seen = db->get_versioned(key);
          if (!seen.is_ok()) {
            ++other_errors[t];
            continue;
          }
          const Version expected = precondition_version(*seen);
          WriteBatch b;
          b.expect_version(key, expected);
          const bool deletes = i % 3 == 2;
          if (deletes) {
            b.del(key);
          } else {
            b.put(key, std::to_string(t) + "/" + std::to_string(i));
          }
          const Attempt a = attempt(db->write(b));
          if (a.ok) {
            successes[t].push_back(Success{
                .key = key, .expected = expected, .version = a.version, .deleted = deletes});
          } else if (a.code != Code::kConflict) {
            ++other_errors[t];
          }
        }
      });
    }
    for (int t = kConditional; t < kConditional + kBlind; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kOpsPerThread; ++i) {
          const std::string& key = keys[(i * 7 + t) % keys.size()];
          const auto r = i % 4 == 3 ? db->del(key) : db->put(key, "blind" + std::to_string(i));
          if (!r.is_ok()) ++other_errors[t];
        }
      });
    }
    for (auto& th : threads) th.join();

    for (int errors : other_errors) CHECK(errors == 0);
    std::map<std::string, std::vector<HistoryEntry>> histories;
    for (const std::string& key : keys) histories[key] = must(db->history(key));
    std::size_t checked = 0;
    for (const auto& per_thread : successes) {
      for (const Success& s : per_thread) {
        INFO("key " << s.key << " written at " << s.version << " expecting " << s.expected);
        const auto& history = histories[s.key];  // newest first
        auto own = history.begin();
        while (own != history.end() && own->version > s.version) ++own;
        if (own == history.end() || own->version != s.version) {
          // Only a tombstone that hides nothing is left out of history(),
          // and then so is every older entry: the key was missing below it.
          CHECK(s.deleted);
          CHECK(own == history.end());
          CHECK(s.expected == 0);
        } else {
          CHECK(own->deleted == s.deleted);
          const auto below = std::next(own);
          const Version found = below == history.end() || below->deleted ? 0 : below->version;
          CHECK(found == s.expected);
        }
        ++checked;
      }
    }
    CHECK(checked > 0);
    must(db->close());
  }
}
