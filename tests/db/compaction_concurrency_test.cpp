// Reads racing writes, flushes, compactions and a rising low-water mark.
//
// One writer commits a fixed schedule of puts and deletes (write i gets
// version i + 1, because it is the only writer), raising the mark with
// forget_before now and then; tiny memtables and triggers of 2 keep flushes
// and compactions running in the background. Reader threads meanwhile read at
// snapshots (exact answers), at the latest state (an answer of some version
// between the last versions seen before and after the read), at versions
// above the mark (exact, or InvalidArgument only if the mark passed them),
// scan at snapshots, and call history(). Every answer is checked against the
// schedule, which is known in advance. Catch2 assertions are not thread-safe,
// so threads record failures and the main thread reports them. Runs under
// ThreadSanitizer in CI.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::must;

namespace {

constexpr int kKeys = 64;
constexpr int kWrites = 6000;

std::string key_name(int k) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "c%03d", k);
  return buf;
}

// Write i: which key, and its value (nullopt: a delete).
struct Write {
  std::string key;
  std::optional<std::string> value;
};

struct Schedule {
  std::vector<Write> writes;  // write i commits at version i + 1
  // key -> (version -> value or nullopt), every write of the key.
  std::map<std::string, std::map<Version, std::optional<std::string>>> by_key;

  Schedule() {
    for (int i = 0; i < kWrites; ++i) {
      const int k = (i * 37 + i / kKeys) % kKeys;
      Write w{key_name(k), std::nullopt};
      if (i % 11 != 5) {
        w.value = "value of write " + std::to_string(i) + " " + std::string(24, 'x');
      }
      by_key[w.key][static_cast<Version>(i + 1)] = w.value;
      writes.push_back(std::move(w));
    }
  }

  std::optional<std::string> at(const std::string& key, Version v) const {
    const auto it = by_key.find(key);
    if (it == by_key.end()) return std::nullopt;
    auto e = it->second.upper_bound(v);
    if (e == it->second.begin()) return std::nullopt;
    return std::prev(e)->second;
  }

  std::vector<std::pair<std::string, std::string>> scan_at(Version v, const std::string& from,
                                                           const std::string& to) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [key, versions] : by_key) {
      if (key < from || key >= to) continue;
      if (auto value = at(key, v)) out.emplace_back(key, *value);
    }
    return out;
  }
};

// Failures seen by any thread (Catch2 must not be called off the main thread).
class Failures {
 public:
  void add(std::string what) {
    std::lock_guard lock(mu_);
    if (list_.size() < 20) list_.push_back(std::move(what));
  }
  std::vector<std::string> list() const {
    std::lock_guard lock(mu_);
    return list_;
  }
  bool any() const {
    std::lock_guard lock(mu_);
    return !list_.empty();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> list_;
};

std::string show(const std::optional<std::string>& v) { return v ? "\"" + *v + "\"" : "(absent)"; }

class Reader {
 public:
  Reader(const DB& db, const Schedule& schedule, Failures& failures, unsigned seed)
      : db_(db), schedule_(schedule), failures_(failures), rng_(seed) {}

  // Returns how many reads it made.
  int run(const std::atomic<bool>& writer_done) {
    int iterations = 0;
    // At least 200 rounds each, and keep going while the writer runs.
    while ((!writer_done.load() || iterations < 200) && !failures_.any()) {
      switch (rng_() % 6) {
        case 0:
          read_at_snapshot();
          break;
        case 1:
          scan_at_snapshot();
          break;
        case 2:
          read_latest();
          break;
        case 3:
          scan_latest();
          break;
        case 4:
          read_above_mark();
          break;
        case 5:
          check_history();
          break;
      }
      ++iterations;
    }
    return iterations;
  }

 private:
  std::string random_key() { return key_name(static_cast<int>(rng_() % kKeys)); }

  void fail(const std::string& what) { failures_.add(what); }

  void read_at_snapshot() {
    const Snapshot snap = db_.snapshot();
    const Version v = snap.version();
    if (v > kWrites) return fail("snapshot version " + std::to_string(v) + " past the schedule");
    for (int n = 0; n < 8; ++n) {
      const std::string key = random_key();
      auto r = db_.get(key, v);
      if (!r.is_ok())
        return fail("get " + key + " at snapshot " + std::to_string(v) + ": " +
                    r.status().to_string());
      if (*r != schedule_.at(key, v)) {
        return fail("get " + key + " at snapshot " + std::to_string(v) + ": got " + show(*r) +
                    ", want " + show(schedule_.at(key, v)));
      }
    }
  }

  void scan_at_snapshot() {
    const Snapshot snap = db_.snapshot();
    const Version v = snap.version();
    std::string from = random_key(), to = random_key();
    if (from > to) std::swap(from, to);
    if (rng_() % 4 == 0) {  // the whole key space now and then
      from = "";
      to = "~";
    }
    const bool reverse = rng_() % 2 == 0;
    ScanOptions so{.at = v, .reverse = reverse};
    so.from = from;
    so.to = to;
    auto it = db_.scan(so);
    if (!it.is_ok()) return fail("scan at " + std::to_string(v) + ": " + it.status().to_string());
    std::vector<std::pair<std::string, std::string>> got;
    for (; it->valid(); it->next()) {
      got.emplace_back(it->key(), it->value());
      if (got.size() % 16 == 0) std::this_thread::yield();  // let compactions swap files
    }
    if (!it->status().is_ok()) {
      return fail("scan at " + std::to_string(v) + " ended: " + it->status().to_string());
    }
    auto want = schedule_.scan_at(v, from, to);
    if (reverse) std::reverse(want.begin(), want.end());
    if (got != want) {
      return fail("scan at " + std::to_string(v) + " [" + from + ", " + to + ")" +
                  (reverse ? " reverse" : "") + ": got " + std::to_string(got.size()) +
                  " rows, want " + std::to_string(want.size()));
    }
  }

  void read_latest() {
    const std::string key = random_key();
    const Version lo = db_.last_version();
    auto r = db_.get(key);
    const Version hi = db_.last_version();
    if (!r.is_ok()) return fail("get " + key + ": " + r.status().to_string());
    for (Version v = lo; v <= hi; ++v) {
      if (*r == schedule_.at(key, v)) return;
    }
    fail("get " + key + " = " + show(*r) + " matches no version in [" + std::to_string(lo) + ", " +
         std::to_string(hi) + "]");
  }

  // A scan of the latest state: never refused, and every row is the value
  // its write put there, at a version no newer than the last one seen after.
  void scan_latest() {
    auto it = db_.scan();
    if (!it.is_ok()) return fail("scan (latest): " + it.status().to_string());
    std::size_t rows = 0;
    for (; it->valid(); it->next(), ++rows) {
      const std::string key(it->key());
      const Version v = it->version();
      const auto& writes = schedule_.by_key.at(key);
      const auto w = writes.find(v);
      if (w == writes.end() || w->second != std::optional<std::string>(std::string(it->value()))) {
        return fail("scan (latest): " + key + " at version " + std::to_string(v) +
                    " is not a put of the schedule");
      }
    }
    if (!it->status().is_ok()) return fail("scan (latest) ended: " + it->status().to_string());
    if (rows > kKeys) fail("scan (latest): " + std::to_string(rows) + " rows");
  }

  void read_above_mark() {
    const std::string key = random_key();
    const Version mark = db_.low_water_mark();
    const Version last = db_.last_version();
    const Version at = mark + rng_() % (last - mark + 1);
    auto r = db_.get(key, at);
    if (r.status().code() == Code::kInvalidArgument && db_.low_water_mark() > at) return;
    if (!r.is_ok()) {
      return fail("get " + key + " at " + std::to_string(at) + " (mark was " +
                  std::to_string(mark) + ", is " + std::to_string(db_.low_water_mark()) +
                  "): " + r.status().to_string());
    }
    if (*r != schedule_.at(key, at)) {
      fail("get " + key + " at " + std::to_string(at) + ": got " + show(*r) + ", want " +
           show(schedule_.at(key, at)));
    }
  }

  // The answer must be a gap-free newest-first stretch of the key's writes,
  // starting no older than its newest write at the version seen before the
  // call, ending in a put, and holding every put at or above the mark seen
  // after the call.
  void check_history() {
    const std::string key = random_key();
    const Version mark_before = db_.low_water_mark();
    const Version lo = db_.last_version();
    auto r = db_.history(key);
    const Version hi = db_.last_version();
    const Version mark_after = db_.low_water_mark();
    if (!r.is_ok()) return fail("history " + key + ": " + r.status().to_string());
    const auto& all = schedule_.by_key.at(key);
    std::vector<HistoryEntry> truth;  // newest first, up to hi
    for (auto e = all.rbegin(); e != all.rend(); ++e) {
      if (e->first > hi) continue;
      truth.push_back(
          {.version = e->first, .deleted = !e->second, .value = e->second.value_or("")});
    }
    const std::vector<HistoryEntry>& got = *r;
    std::string what = "history " + key + " (" + std::to_string(got.size()) + " entries; last " +
                       std::to_string(lo) + ".." + std::to_string(hi) + ", mark " +
                       std::to_string(mark_before) + ".." + std::to_string(mark_after) + "; writes";
    for (std::size_t i = 0; i < truth.size() && i < 4; ++i) {
      what += " " + std::to_string(truth[i].version) + (truth[i].deleted ? "del" : "put");
    }
    what += ")";
    if (got.empty()) {
      // Only a key whose newest write (as of some version in [lo, hi]) is a
      // delete may have an empty history.
      for (const auto& t : truth) {
        if (t.deleted) return;
        if (t.version <= lo) return fail(what + ": empty, but the newest write is a put");
      }
      return;
    }
    const auto start = std::find(truth.begin(), truth.end(), got.front());
    if (start == truth.end()) return fail(what + ": the newest entry is not a real write");
    if (static_cast<std::size_t>(truth.end() - start) < got.size() ||
        !std::equal(got.begin(), got.end(), start)) {
      return fail(what + ": not a gap-free stretch of the key's writes");
    }
    for (auto t = truth.begin(); t != start; ++t) {
      if (t->version <= lo) return fail(what + ": misses a write older than the call");
    }
    if (got.back().deleted) return fail(what + ": ends in a tombstone");
    for (auto t = start; t != truth.end(); ++t) {
      const bool listed = static_cast<std::size_t>(t - start) < got.size();
      if (!listed && !t->deleted && t->version >= mark_after && t->version <= lo) {
        return fail(what + ": drops version " + std::to_string(t->version) +
                    " at or above the mark " + std::to_string(mark_after));
      }
    }
  }

  const DB& db_;
  const Schedule& schedule_;
  Failures& failures_;
  std::mt19937 rng_;
};


void race(Retention retention) {
  const Schedule schedule;
  auto db = must(DB::open("/db", sand::test::tiny_compacting_options(memory_file_system(), retention)));
  Failures failures;
  std::atomic<bool> writer_done{false};

  std::thread writer([&] {
    for (int i = 0; i < kWrites && !failures.any(); ++i) {
      const Write& w = schedule.writes[static_cast<std::size_t>(i)];
      auto v = w.value ? db->put(w.key, *w.value) : db->del(w.key);
      if (!v.is_ok() || *v != static_cast<Version>(i + 1)) {
        failures.add("write " + std::to_string(i) + ": " +
                     (v.is_ok() ? "version " + std::to_string(*v) : v.status().to_string()));
        break;
      }
      if (i % 250 == 249) {
        const Status s = db->forget_before(*v - 150);
        if (!s.is_ok()) failures.add("forget_before: " + s.to_string());
      }
      if (i % 700 == 699) {
        const Status s = db->compact();
        if (!s.is_ok()) failures.add("compact: " + s.to_string());
      }
    }
    writer_done.store(true);
  });
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (unsigned r = 0; r < 3; ++r) {
    readers.emplace_back(
        [&, r] { reads.fetch_add(Reader(*db, schedule, failures, 1234 + r).run(writer_done)); });
  }
  writer.join();
  for (auto& t : readers) t.join();

  for (const auto& f : failures.list()) FAIL_CHECK(f);
  REQUIRE_FALSE(failures.any());
  const Stats s = db->stats();
  INFO("flushes " << s.flushes << ", compactions " << s.compactions << ", reads " << reads.load());
  CHECK(s.compactions >= 5);
  CHECK(db->last_version() == kWrites);
  for (int k = 0; k < kKeys; ++k) {
    CHECK(must(db->get(key_name(k))) == schedule.at(key_name(k), kWrites));
  }
  must(db->close());
}

}  // namespace

TEST_CASE("reads at snapshots, latest reads, scans and history race compactions correctly",
          "[db][compaction][concurrency]") {
  race(Retention::kAll);
}

// With latest-only retention the mark moves with every write, so a read of
// the latest state races the mark all the time.
TEST_CASE("reads race writes and compactions correctly under latest-only retention",
          "[db][compaction][concurrency][retention]") {
  race(Retention::kLatestOnly);
}

// Regression: get(key) and scan() without a version read "the latest state",
// but DB::get loaded last_version and only then checked it against the mark;
// with latest-only retention a write in between moved the mark past it, and
// the read was refused with InvalidArgument ("version N is below the
// retention mark N+1"). A latest read must never be refused.
TEST_CASE("latest reads are never refused while writes move the mark",
          "[db][concurrency][retention]") {
  Options o = sand::test::tiny_compacting_options(memory_file_system(), Retention::kLatestOnly);
  o.memtable_size = 1 << 20;  // no flushes needed: the race is in the read path
  auto db = must(DB::open("/db", o));
  must(db->put("k", "0"));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 1; i <= 20000; ++i) {
      if (!db->put("k", std::to_string(i)).is_ok()) break;
    }
    done.store(true);
  });
  std::uint64_t reads = 0, refused = 0;
  std::string first_error;
  while (!done.load()) {
    auto r = db->get("k");
    auto it = db->scan();
    reads += 2;
    for (const Status& s : {r.status(), it.status()}) {
      if (s.is_ok()) continue;
      ++refused;
      if (first_error.empty()) first_error = s.to_string();
    }
  }
  writer.join();
  INFO(refused << " of " << reads << " latest reads refused; first: " << first_error);
  CHECK(refused == 0);
}
