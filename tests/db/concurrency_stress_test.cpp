// Concurrency stress: several writers and readers on one DB while flushes and
// compactions run all the time, every answer checked against the log of
// acknowledged writes.
//
// Writers commit single puts, deletes and batches of 2-8 operations over 64
// keys (so keys collide), with mixed sync modes; every value names its
// writer, sequence number and batch slot, so it is unique and traceable.
// Writer 0 also calls flush(), compact() and forget_before() now and then;
// tiny memtables and triggers of 2 keep level 0 -> 1 -> 2 compactions going
// in the background. Every acknowledged write lands in a mutex-guarded log
// (version -> invocation tick, acknowledgement tick, effect per key). Readers
// call get() and scan() on the latest state, take snapshots and read and scan
// at them (both directions), and call history(); each read records the ticks
// it started and finished at. All ticks come from one global atomic counter,
// so "acknowledged before the read started" and "invoked before the read
// finished" are exact.
//
// The run is bounded by operation counts, not time. Checks run after every
// thread joined (versions have no gaps, so the full log then holds every
// version any read could have seen): see check_run() for the list. Catch2
// assertions are not thread-safe, so threads only record; the test thread
// reports. Runs under ThreadSanitizer in CI.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::must;

namespace {

constexpr int kKeys = 64;
constexpr int kWriters = 3;
constexpr int kWritesPerWriter = 1200;
constexpr int kReaders = 3;
constexpr int kRoundsPerReader = 400;

std::string key_name(int k) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "s%02d", k);
  return buf;
}

std::string show(const std::optional<std::string>& v) { return v ? "\"" + *v + "\"" : "(absent)"; }

// The effect of one committed write on each key it names (nullopt: deleted).
// A batch naming a key twice keeps the later operation, as the DB does.
using Effects = std::map<std::string, std::optional<std::string>>;

struct LoggedWrite {
  int writer = 0;
  int seq = 0;
  Effects effects{};
  std::uint64_t invoke = 0;  // tick before the call
  std::uint64_t ack = 0;     // tick after it returned OK
};

// Failures seen by any thread, reported later by the test thread.
class Failures {
 public:
  void add(std::string what) {
    std::lock_guard lock(mu_);
    ++count_;
    if (list_.size() < 20) list_.push_back(std::move(what));
  }
  std::vector<std::string> list() const {
    std::lock_guard lock(mu_);
    return list_;
  }
  int count() const {
    std::lock_guard lock(mu_);
    return count_;
  }

 private:
  mutable std::mutex mu_;
  int count_ = 0;
  std::vector<std::string> list_;
};

// Every acknowledged write, by the version it got. Thread-safe.
class WriteLog {
 public:
  void add(Version v, LoggedWrite w, Failures& failures) {
    std::lock_guard lock(mu_);
    if (!writes_.emplace(v, std::move(w)).second) {
      failures.add("version " + std::to_string(v) + " was returned to two writes");
    }
  }
  std::map<Version, LoggedWrite> all() const {
    std::lock_guard lock(mu_);
    return writes_;
  }

 private:
  mutable std::mutex mu_;
  std::map<Version, LoggedWrite> writes_;
};

// What the readers saw. Ticks: `start` before the call, `end` after it.
struct LatestGet {
  std::string key;
  std::optional<std::string> got;
};
struct Row {
  std::string key, value;
  Version version;
};
struct LatestScan {
  bool reverse;
  std::vector<Row> rows;
};
struct History {
  std::string key;
  std::vector<HistoryEntry> entries;
  Version mark_before, mark_after;  // low_water_mark() around the call
};
// A snapshot, and what reads and scans at its version returned.
struct SnapshotReads {
  Version version;
  std::vector<std::pair<std::string, std::optional<std::string>>> gets;
  std::string from, to;  // the scan's bounds
  bool reverse;
  std::vector<std::pair<std::string, std::string>> rows;
};
struct Observation {
  std::uint64_t start = 0, end = 0;
  std::variant<LatestGet, LatestScan, History, SnapshotReads> what;
};

// Keeps writers and readers at about the same fraction of their work, so
// reads overlap writes whatever the two sides' relative speed (a Debug build
// and ThreadSanitizer slow them down differently). Thread-safe.
class Pacer {
 public:
  static constexpr int kWrites = kWriters * kWritesPerWriter;
  static constexpr int kRounds = kReaders * kRoundsPerReader;

  void wrote(int n = 1) { writes_.fetch_add(n); }
  void read() { reads_.fetch_add(1); }
  // Wait while this side is more than a tenth of its work ahead.
  void before_write() const {
    while (std::int64_t{writes_.load()} * kRounds >
           std::int64_t{reads_.load() + kRounds / 10} * kWrites) {
      std::this_thread::yield();
    }
  }
  void before_read() const {
    while (std::int64_t{reads_.load()} * kWrites >
           std::int64_t{writes_.load() + kWrites / 10} * kRounds) {
      std::this_thread::yield();
    }
  }

 private:
  std::atomic<int> writes_{0}, reads_{0};
};

struct Shared {
  std::unique_ptr<DB> db;
  std::atomic<std::uint64_t> clock{1};
  WriteLog log;
  Failures failures;
  Pacer pacer;

  std::uint64_t tick() { return clock.fetch_add(1); }
};

// Returns how many writes it made: kWritesPerWriter unless one failed.
int writer(Shared& s, int w) {
  std::mt19937 rng(static_cast<unsigned>(100 + w));
  DB& db = *s.db;
  const std::string pad(20, static_cast<char>('a' + w));  // fills memtables sooner
  for (int seq = 0; seq < kWritesPerWriter; ++seq) {
    s.pacer.before_write();
    const auto key = [&] { return key_name(static_cast<int>(rng() % kKeys)); };
    const auto value = [&](int slot) {
      return "w" + std::to_string(w) + "." + std::to_string(seq) + "." + std::to_string(slot) +
             "." + pad;
    };
    static constexpr SyncMode kModes[] = {SyncMode::kDefault, SyncMode::kSync, SyncMode::kNoSync};
    const WriteOptions wo{.sync = kModes[rng() % 3]};

    LoggedWrite entry{.writer = w, .seq = seq};
    Result<Version> r = Version{0};
    const unsigned kind = rng() % 20;
    if (kind < 9) {
      const std::string k = key(), v = value(0);
      entry.effects[k] = v;
      entry.invoke = s.tick();
      r = db.put(k, v, wo);
    } else if (kind < 12) {
      const std::string k = key();
      entry.effects[k] = std::nullopt;
      entry.invoke = s.tick();
      r = db.del(k, wo);
    } else {
      WriteBatch batch;
      const int n = 2 + static_cast<int>(rng() % 7);
      for (int slot = 0; slot < n; ++slot) {
        const std::string k = key();
        if (rng() % 4 == 0) {
          batch.del(k);
          entry.effects[k] = std::nullopt;
        } else {
          const std::string v = value(slot);
          batch.put(k, v);
          entry.effects[k] = v;
        }
      }
      entry.invoke = s.tick();
      r = db.write(batch, wo);
    }
    entry.ack = s.tick();
    if (!r.is_ok()) {
      s.failures.add("writer " + std::to_string(w) + " write " + std::to_string(seq) + ": " +
                     r.status().to_string());
      return seq;
    }
    s.log.add(*r, std::move(entry), s.failures);
    s.pacer.wrote();

    if (w != 0) continue;
    if (seq % 150 == 149) {
      if (Status st = db.flush(); !st.is_ok()) s.failures.add("flush: " + st.to_string());
    }
    if (seq % 400 == 399) {
      if (Status st = db.compact(); !st.is_ok()) s.failures.add("compact: " + st.to_string());
    }
    if (seq % 250 == 249) {
      // Keep the last few hundred versions readable; snapshots pin the rest.
      const Version last = db.last_version();
      if (last > 300) {
        if (Status st = db.forget_before(last - 300); !st.is_ok()) {
          s.failures.add("forget_before: " + st.to_string());
        }
      }
    }
  }
  return kWritesPerWriter;
}

class Reader {
 public:
  Reader(Shared& s, unsigned seed) : s_(s), db_(*s.db), rng_(seed) {}

  std::vector<Observation> run() {
    for (int round = 0; round < kRoundsPerReader; ++round) {
      s_.pacer.before_read();
      const unsigned kind = rng_() % 10;
      if (kind < 4) {
        for (int n = 0; n < 4; ++n) latest_get();
      } else if (kind < 6) {
        at_snapshot();
      } else if (kind < 8) {
        latest_scan();
      } else {
        history();
      }
      s_.pacer.read();
    }
    return std::move(seen_);
  }

 private:
  std::string random_key() { return key_name(static_cast<int>(rng_() % kKeys)); }
  void fail(const std::string& what) { s_.failures.add(what); }

  void latest_get() {
    LatestGet g{.key = random_key(), .got = {}};
    const std::uint64_t start = s_.tick();
    auto r = db_.get(g.key);
    const std::uint64_t end = s_.tick();
    if (!r.is_ok()) return fail("get " + g.key + ": " + r.status().to_string());
    g.got = std::move(*r);
    seen_.push_back({start, end, std::move(g)});
  }

  void latest_scan() {
    LatestScan sc{.reverse = rng_() % 2 == 0, .rows = {}};
    const std::uint64_t start = s_.tick();
    auto it = db_.scan(ScanOptions{.reverse = sc.reverse});
    if (!it.is_ok()) return fail("scan (latest): " + it.status().to_string());
    for (; it->valid(); it->next()) {
      sc.rows.push_back({std::string(it->key()), std::string(it->value()), it->version()});
      if (sc.rows.size() % 16 == 0) std::this_thread::yield();  // let compactions swap files
    }
    const std::uint64_t end = s_.tick();
    if (!it->status().is_ok()) return fail("scan (latest) ended: " + it->status().to_string());
    seen_.push_back({start, end, std::move(sc)});
  }

  void history() {
    History h{.key = random_key(), .entries = {}, .mark_before = 0, .mark_after = 0};
    h.mark_before = db_.low_water_mark();
    const std::uint64_t start = s_.tick();
    auto r = db_.history(h.key);
    const std::uint64_t end = s_.tick();
    h.mark_after = db_.low_water_mark();
    if (!r.is_ok()) return fail("history " + h.key + ": " + r.status().to_string());
    h.entries = std::move(*r);
    seen_.push_back({start, end, std::move(h)});
  }

  void at_snapshot() {
    const std::uint64_t start = s_.tick();
    const Snapshot snap = db_.snapshot();
    const std::uint64_t end = s_.tick();
    SnapshotReads sr{.version = snap.version(),
                     .gets = {},
                     .from = "",
                     .to = "~",
                     .reverse = rng_() % 2 == 0,
                     .rows = {}};
    const std::string at = " at snapshot " + std::to_string(sr.version);
    for (int n = 0; n < 4; ++n) {
      const std::string key = random_key();
      auto r = db_.get(key, sr.version);
      if (!r.is_ok()) return fail("get " + key + at + ": " + r.status().to_string());
      sr.gets.emplace_back(key, std::move(*r));
    }
    if (rng_() % 2 == 0) {  // a bounded scan half the time
      sr.from = random_key();
      sr.to = random_key();
      if (sr.from > sr.to) std::swap(sr.from, sr.to);
    }
    auto it = db_.scan(
        ScanOptions{.from = sr.from, .to = sr.to, .at = sr.version, .reverse = sr.reverse});
    if (!it.is_ok()) return fail("scan" + at + ": " + it.status().to_string());
    for (; it->valid(); it->next()) {
      sr.rows.emplace_back(it->key(), it->value());
      if (sr.rows.size() % 16 == 0) std::this_thread::yield();
    }
    if (!it->status().is_ok()) return fail("scan" + at + " ended: " + it->status().to_string());
    seen_.push_back({start, end, std::move(sr)});
  }

  Shared& s_;
  const DB& db_;
  std::mt19937 rng_;
  std::vector<Observation> seen_;
};

// ---------------------------------------------------------------------------
// The checks, once every thread is done.

class Checker {
 public:
  Checker(std::map<Version, LoggedWrite> writes, Failures& failures)
      : writes_(std::move(writes)), failures_(failures) {
    for (const auto& [v, w] : writes_) {
      for (const auto& [k, value] : w.effects) by_key_[k][v] = value;
    }
    // Prefix maxima for the tick questions below.
    Version v_max = 0;
    std::uint64_t invoke_max = 0;
    for (const auto& [v, w] : writes_) {
      invoke_max = std::max(invoke_max, w.invoke);
      invoked_prefix_.push_back(invoke_max);  // index v - 1 (versions are 1..N)
      by_ack_.emplace_back(w.ack, v);
    }
    std::sort(by_ack_.begin(), by_ack_.end());
    for (auto& [ack, v] : by_ack_) v = v_max = std::max(v_max, v);
  }

  Version last() const { return writes_.empty() ? 0 : writes_.rbegin()->first; }
  std::uint64_t last_ack() const { return by_ack_.empty() ? 0 : by_ack_.back().first; }

  // Versions handed out are exactly 1..N, N = every acknowledged write.
  void check_versions() {
    const Version n = kWriters * kWritesPerWriter;
    if (writes_.size() != n || writes_.begin()->first != 1 || last() != n) {
      fail(std::to_string(writes_.size()) + " writes logged, versions " +
           (writes_.empty()
                ? "none"
                : std::to_string(writes_.begin()->first) + ".." + std::to_string(last())) +
           ", want exactly 1.." + std::to_string(n));
    }
    // Versions follow real time: a write invoked after another was
    // acknowledged gets a higher version.
    for (const auto& [v, w] : writes_) {
      if (const Version before = acked_before(w.invoke); before >= v) {
        return fail("write at version " + std::to_string(v) + " was invoked after version " +
                    std::to_string(before) + " was acknowledged");
      }
    }
  }

  // Every read's answer is the state at some version x with
  //  - x >= every version acknowledged before the read started,
  //  - x >= the version some read that finished before this one started saw,
  //  - every write with version <= x invoked before the read finished;
  // the smallest such x is what later reads must not go below. Snapshot reads
  // are exact at the snapshot's version.
  void check_observations(std::vector<Observation> seen) {
    std::sort(seen.begin(), seen.end(),
              [](const Observation& a, const Observation& b) { return a.end < b.end; });
    std::vector<std::pair<std::uint64_t, Version>> seen_by_end;  // (end, max x so far)
    Version x_max = 0;
    for (const Observation& o : seen) {
      Version lo = acked_before(o.start);
      const auto earlier = std::lower_bound(seen_by_end.begin(), seen_by_end.end(),
                                            std::pair<std::uint64_t, Version>(o.start, 0));
      if (earlier != seen_by_end.begin()) lo = std::max(lo, std::prev(earlier)->second);
      const Version hi = invoked_through(o.end);
      const std::optional<Version> x =
          std::visit([&](const auto& what) { return check(what, lo, hi); }, o.what);
      if (!x) continue;  // already reported
      x_max = std::max(x_max, *x);
      seen_by_end.emplace_back(o.end, x_max);
    }
  }

  std::optional<std::string> at(const std::string& key, Version v) const {
    const auto it = by_key_.find(key);
    if (it == by_key_.end()) return std::nullopt;
    const auto e = it->second.upper_bound(v);
    if (e == it->second.begin()) return std::nullopt;
    return std::prev(e)->second;
  }

  std::vector<std::pair<std::string, std::string>> scan_at(Version v, const std::string& from,
                                                           const std::string& to) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [key, versions] : by_key_) {
      if (key < from || key >= to) continue;
      if (auto value = at(key, v)) out.emplace_back(key, *value);
    }
    return out;
  }

  // The model's history() of `key` as of version x with low-water mark m.
  std::vector<HistoryEntry> history_at(const std::string& key, Version x, Version m) const {
    std::vector<HistoryEntry> out;
    const auto it = by_key_.find(key);
    if (it == by_key_.end()) return out;
    for (auto e = std::make_reverse_iterator(it->second.upper_bound(x)); e != it->second.rend();
         ++e) {
      out.push_back({.version = e->first, .deleted = !e->second, .value = e->second.value_or("")});
      if (e->first < m) break;  // the newest version below the mark is the last one kept
    }
    while (!out.empty() && out.back().deleted) out.pop_back();  // nothing beneath to hide
    return out;
  }

 private:
  void fail(std::string what) { failures_.add(std::move(what)); }

  static std::string range(Version lo, Version hi) {
    return "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  }

  // The newest version acknowledged before tick t (0: none).
  Version acked_before(std::uint64_t t) const {
    const auto it =
        std::lower_bound(by_ack_.begin(), by_ack_.end(), std::pair<std::uint64_t, Version>(t, 0));
    return it == by_ack_.begin() ? 0 : std::prev(it)->second;
  }

  // The largest x such that every write with version <= x was invoked before
  // tick t.
  Version invoked_through(std::uint64_t t) const {
    return static_cast<Version>(
        std::lower_bound(invoked_prefix_.begin(), invoked_prefix_.end(), t) -
        invoked_prefix_.begin());
  }

  // The versions of `key`'s writes in (lo, hi], ascending.
  std::vector<Version> changes(const std::string& key, Version lo, Version hi) const {
    std::vector<Version> out;
    const auto it = by_key_.find(key);
    if (it == by_key_.end()) return out;
    for (auto e = it->second.upper_bound(lo); e != it->second.end() && e->first <= hi; ++e) {
      out.push_back(e->first);
    }
    return out;
  }

  std::optional<Version> check(const LatestGet& g, Version lo, Version hi) {
    if (lo <= hi && at(g.key, lo) == g.got) return lo;
    for (const Version v : changes(g.key, lo, hi)) {
      if (at(g.key, v) == g.got) return v;
    }
    fail("get " + g.key + " = " + show(g.got) + " is not its value at any version in " +
         range(lo, hi) + " (at " + std::to_string(lo) + ": " + show(at(g.key, lo)) + ")");
    return std::nullopt;
  }

  std::optional<Version> check(const LatestScan& sc, Version lo, Version hi) {
    std::vector<Row> rows = sc.rows;
    if (sc.reverse) std::reverse(rows.begin(), rows.end());
    const std::string what = std::string("scan (latest") + (sc.reverse ? ", reverse" : "") + ")";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (i > 0 && rows[i - 1].key >= rows[i].key) {
        fail(what + ": keys out of order at " + rows[i].key);
        return std::nullopt;
      }
      const auto k = by_key_.find(rows[i].key);
      const bool real = k != by_key_.end() && k->second.count(rows[i].version) != 0 &&
                        k->second.at(rows[i].version) == rows[i].value;
      if (!real) {
        fail(what + ": " + rows[i].key + " = \"" + rows[i].value + "\" at version " +
             std::to_string(rows[i].version) + " is not a logged write");
        return std::nullopt;
      }
    }
    if (lo <= hi) {
      // Walk the state forward from lo, one version at a time.
      std::map<std::string, std::string> state;
      for (const auto& [key, value] : scan_at(lo, "", "~")) state.emplace(key, value);
      const auto same = [&] {
        return state.size() == rows.size() && std::equal(state.begin(), state.end(), rows.begin(),
                                                         [](const auto& s, const Row& r) {
                                                           return s.first == r.key &&
                                                                  s.second == r.value;
                                                         });
      };
      for (Version x = lo;; ++x) {
        if (same()) return x;
        if (x == hi) break;
        for (const auto& [key, value] : writes_.at(x + 1).effects) {
          if (value) {
            state[key] = *value;
          } else {
            state.erase(key);
          }
        }
      }
    }
    fail(what + ": " + std::to_string(rows.size()) + " rows match no state in " + range(lo, hi));
    return std::nullopt;
  }

  std::optional<Version> check(const History& h, Version lo, Version hi) {
    const std::string what = "history " + h.key + " (" + std::to_string(h.entries.size()) +
                             " entries, mark " + std::to_string(h.mark_before) + ".." +
                             std::to_string(h.mark_after) + ")";
    std::vector<Version> marks = changes(h.key, h.mark_before, h.mark_after);
    marks.insert(marks.begin(), h.mark_before);
    std::vector<Version> xs = changes(h.key, lo, hi);
    if (lo <= hi) xs.insert(xs.begin(), lo);
    for (const Version x : xs) {
      for (const Version m : marks) {
        if (history_at(h.key, x, m) == h.entries) return x;
      }
    }
    std::string got;
    for (const HistoryEntry& e : h.entries) {
      got += " " + std::to_string(e.version) + (e.deleted ? "del" : "put");
    }
    fail(what + " matches no version in " + range(lo, hi) + ": got" + got);
    return std::nullopt;
  }

  std::optional<Version> check(const SnapshotReads& sr, Version lo, Version hi) {
    const std::string at_v = " at snapshot " + std::to_string(sr.version);
    if (sr.version < lo || sr.version > hi) {
      fail("snapshot version " + std::to_string(sr.version) + " outside " + range(lo, hi));
      return std::nullopt;
    }
    for (const auto& [key, got] : sr.gets) {
      if (got != at(key, sr.version)) {
        fail("get " + key + at_v + ": got " + show(got) + ", want " + show(at(key, sr.version)));
      }
    }
    auto want = scan_at(sr.version, sr.from, sr.to);
    if (sr.reverse) std::reverse(want.begin(), want.end());
    if (sr.rows != want) {
      fail("scan [" + sr.from + ", " + sr.to + ")" + at_v + (sr.reverse ? " reverse" : "") +
           ": got " + std::to_string(sr.rows.size()) + " rows, want " +
           std::to_string(want.size()));
    }
    return sr.version;
  }

  std::map<Version, LoggedWrite> writes_;
  std::map<std::string, std::map<Version, std::optional<std::string>>> by_key_;
  std::vector<std::uint64_t> invoked_prefix_;              // [v - 1]: max invoke of 1..v
  std::vector<std::pair<std::uint64_t, Version>> by_ack_;  // (ack, max version so far)
  Failures& failures_;
};

void report(const Failures& failures) {
  for (const auto& f : failures.list()) FAIL_CHECK(f);
  INFO(failures.count() << " failures");
  REQUIRE(failures.count() == 0);
}

}  // namespace

TEST_CASE("writers, readers, flushes and compactions agree with the write log", "[db][stress]") {
  auto fs = memory_file_system();
  Shared s;
  s.db = must(DB::open("/db", sand::test::tiny_compacting_options(fs, Retention::kAll)));

  std::latch start(kWriters + kReaders);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      start.arrive_and_wait();
      // One that stops early must not leave the readers waiting for it.
      s.pacer.wrote(kWritesPerWriter - writer(s, w));
    });
  }
  std::vector<std::vector<Observation>> seen(kReaders);
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      Reader reader(s, static_cast<unsigned>(900 + r));
      start.arrive_and_wait();
      seen[static_cast<std::size_t>(r)] = reader.run();
    });
  }
  for (auto& t : threads) t.join();
  report(s.failures);

  Checker checker(s.log.all(), s.failures);
  checker.check_versions();
  std::vector<Observation> all;
  for (auto& v : seen) std::move(v.begin(), v.end(), std::back_inserter(all));
  // The pacer should have kept most reads inside the writers' run.
  const std::uint64_t last_ack = checker.last_ack();
  const auto during =
      std::count_if(all.begin(), all.end(), [&](const Observation& o) { return o.end < last_ack; });
  const std::size_t observations = all.size();
  checker.check_observations(std::move(all));
  report(s.failures);
  INFO(during << " of " << observations << " reads finished before the last write");
  CHECK(static_cast<std::size_t>(during) * 2 >= observations);

  const Stats st = s.db->stats();
  INFO("flushes " << st.flushes << ", compactions " << st.compactions << ", observations "
                  << observations << ", tables " << st.tables[0] << "/" << st.tables[1] << "/"
                  << st.tables[2]);
  CHECK(st.flushes >= 20);
  CHECK(st.compactions >= 10);

  // The final state, then the same after reopening.
  const Version n = checker.last();
  CHECK(st.last_version == n);
  const Version mark = s.db->low_water_mark();
  for (int reopen = 0; reopen < 2; ++reopen) {
    CAPTURE(reopen);
    CHECK(sand::test::collect(must(s.db->scan())) == checker.scan_at(n, "", "~"));
    for (int k = 0; k < kKeys; ++k) {
      const std::string key = key_name(k);
      CHECK(must(s.db->get(key)) == checker.at(key, n));
      CHECK(must(s.db->history(key)) == checker.history_at(key, n, mark));
    }
    must(s.db->close());
    s.db = must(DB::open("/db", sand::test::tiny_compacting_options(fs, Retention::kAll)));
    CHECK(s.db->last_version() == n);
    CHECK(s.db->low_water_mark() == mark);
  }
}
