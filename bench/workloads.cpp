// The sand_bench workloads (see workloads.hpp for keys, values, per-thread
// counts and the checks).
//
// Timing: an operation's latency covers the engine call only (key and value
// generation are outside it but inside the throughput's wall time, as in
// db_bench). Unless --histogram=1 only every 16th operation is timed: two
// clock reads per operation (~26 ns each here) would add ~50 ns to every
// engine's readseq and compress the ratios between them.
#include "workloads.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <concepts>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>

#include "text_cat.hpp"

namespace sand_bench {
namespace {

using Clock = std::chrono::steady_clock;

const std::vector<std::string> kNames = {"fillseq",  "fillrandom",  "overwrite",        "fillbatch",
                                         "fillsync", "readrandom",  "readmissing",      "readhot",
                                         "readseq",  "readreverse", "seekrandom",       "seekprev",
                                         "multiget", "putif",       "readwhilewriting", "compact",
                                         "stats",    "history",     "getatversion",     "changes",
                                         "forget"};

// changes: at most this many rounds of (1% of --num puts, catch up).
constexpr std::uint64_t kMaxChangeRounds = 10;

// putif's counters: a value_size-byte value whose first byte is this mark
// (fill values are printable, so never start with it), then the count in
// zero-padded decimal.
constexpr char kCounterMark = '\x01';

// SplitMix64: small, fast and good enough to pick keys.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n). REQUIRES: n > 0.
  std::uint64_t uniform(std::uint64_t n) { return next() % n; }

 private:
  std::uint64_t state_;
};

// Key i as key_size zero-padded decimal digits into `out` (whose size is at
// least key_size). The driver checks num <= 10^key_size.
void format_key(std::uint64_t i, std::string& out, std::size_t key_size) {
  for (std::size_t p = key_size; p-- > 0;) {
    out[p] = static_cast<char>('0' + i % 10);
    i /= 10;
  }
}

std::string build_values(std::uint64_t seed, std::size_t value_size) {
  Rng rng(seed);
  std::string data;
  const std::size_t want = std::max<std::size_t>(1 << 20, value_size);
  while (data.size() < want) {
    std::string piece(50, ' ');
    for (char& c : piece) c = static_cast<char>(' ' + rng.uniform(95));
    data += piece;
    data += piece;
  }
  return data;
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// The id of a bench key (format_key's inverse), or kBadKey when `key` is not
// key_size decimal digits. Not KeyBitmap::kNone, which seekprev records for
// "ran off the front".
constexpr std::uint64_t kBadKey = ~std::uint64_t{0} - 1;
std::uint64_t parse_key(std::string_view key, std::size_t key_size) {
  if (key.size() != key_size) return kBadKey;
  std::uint64_t id = 0;
  for (const char c : key) {
    if (c < '0' || c > '9') return kBadKey;
    id = id * 10 + static_cast<std::uint64_t>(c - '0');  // leading zeros of long keys: no overflow
  }
  return id;
}

// A putif counter's count; 0 for any other value (a fill's).
std::uint64_t parse_counter(std::string_view value) {
  if (value.empty() || value[0] != kCounterMark) return 0;
  std::uint64_t n = 0;
  for (const char c : value.substr(1)) n = n * 10 + static_cast<std::uint64_t>(c - '0');
  return n;
}

// Writes counter `n` over `out` (kept at its size). False if it does not fit.
bool format_counter(std::uint64_t n, std::string& out) {
  out[0] = kCounterMark;
  for (std::size_t p = out.size(); p-- > 1;) {
    out[p] = static_cast<char>('0' + n % 10);
    n /= 10;
  }
  return n == 0;
}

}  // namespace

const std::vector<std::string>& workload_names() { return kNames; }

bool is_sand_only(std::string_view name) {
  return name == "history" || name == "getatversion" || name == "changes" || name == "forget";
}

struct Workloads::Thread {
  Thread(int thread_id, std::uint64_t seed, std::size_t key_size)
      : id(thread_id), rng(seed + static_cast<std::uint64_t>(thread_id)), key(key_size + 1, '0') {}

  int id;
  Rng rng;
  bool counted = true;  // false for readwhilewriting's writer
  std::uint64_t ops = 0;
  std::uint64_t bytes = 0;
  std::uint64_t found = 0;
  std::uint64_t mismatches = 0;  // reads that disagree with the written keys
  std::uint64_t bad_values = 0;  // found values of the wrong size
  std::uint64_t user_bytes = 0;  // key + value bytes written
  std::uint64_t extra = 0;       // workload-specific (versions, writer puts)
  std::uint64_t sampled = 0;
  std::size_t value_pos = 0;
  Histogram latency;
  std::string key;    // key_size bytes (+1 for a missing key's suffix)
  std::string value;  // get() target
  Clock::time_point start;
  Clock::time_point end;
};

namespace {

// Times one operation (every one, or every 16th) into its thread's histogram.
template <typename ThreadT>
class OpTimer {
 public:
  OpTimer(ThreadT& t, bool every) : t_(t), on_(every || (t.sampled++ & 15) == 0) {
    if (on_) start_ = Clock::now();
  }
  OpTimer(const OpTimer&) = delete;
  OpTimer& operator=(const OpTimer&) = delete;
  ~OpTimer() {
    if (on_) {
      t_.latency.record(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count()));
    }
  }

 private:
  ThreadT& t_;
  bool on_;
  Clock::time_point start_;
};

}  // namespace

std::uint64_t Workloads::KeyBitmap::count() const {
  std::uint64_t n = 0;
  for (const auto& w : words_) n += std::popcount(w.load(std::memory_order_relaxed));
  return n;
}

std::uint64_t Workloads::KeyBitmap::last_below(std::uint64_t i) const {
  if (i == 0) return kNone;
  const std::uint64_t top = i - 1;  // the first candidate
  std::size_t w = static_cast<std::size_t>(top / 64);
  const unsigned bit = static_cast<unsigned>(top % 64);
  std::uint64_t word = words_[w].load(std::memory_order_relaxed);
  if (bit < 63) word &= (std::uint64_t{1} << (bit + 1)) - 1;
  while (word == 0) {
    if (w == 0) return kNone;
    word = words_[--w].load(std::memory_order_relaxed);
  }
  return w * 64 + 63 - static_cast<std::uint64_t>(std::countl_zero(word));
}

void Workloads::KeyBitmap::clear() {
  for (auto& w : words_) w.store(0, std::memory_order_relaxed);
}

Workloads::Workloads(Engine& engine, const BenchConfig& config, bool keys_known)
    : engine_(engine),
      config_(config),
      keys_known_(keys_known),
      written_(config.num),
      values_(build_values(config.seed, config.value_size)) {}

void Workloads::forget_keys() {
  written_.clear();
  keys_known_ = true;
}

void Workloads::fail(std::string_view workload, const std::string& what) const {
  std::fprintf(stderr, "sand_bench: CHECK FAILED in %.*s on %s: %s\n",
               static_cast<int>(workload.size()), workload.data(), engine_.name().c_str(),
               what.c_str());
  std::exit(2);
}

struct Workloads::Totals {
  WorkloadResult result;
  std::uint64_t found = 0;       // counted threads
  std::uint64_t mismatches = 0;  // counted threads
  std::uint64_t extra = 0;       // every thread
};

// Runs `body(Thread&)` on `threads` threads that start together, then merges
// what the counted threads measured.
template <typename Body>
Workloads::Totals Workloads::run_threads(std::string_view name, int threads, Body body) {
  // Every run gets its own random streams (as db_bench's ThreadState seeds
  // do): reads after a fillrandom must not replay the fill's keys.
  const std::uint64_t seed = config_.seed + 1000 * ++runs_;
  std::vector<std::unique_ptr<Thread>> state;
  for (int i = 0; i < threads; ++i) {
    state.push_back(std::make_unique<Thread>(i, seed, config_.key_size));
  }
  std::latch ready(threads);
  std::vector<std::thread> workers;
  for (auto& t : state) {
    workers.emplace_back([&ready, &body, thread = t.get()] {
      ready.arrive_and_wait();
      thread->start = Clock::now();
      body(*thread);
      thread->end = Clock::now();
    });
  }
  for (auto& w : workers) w.join();

  Totals totals;
  WorkloadResult& r = totals.result;
  r.name = std::string(name);
  r.threads = 0;
  r.latency_sampling = config_.time_every_op ? 1 : 16;
  Clock::time_point first = Clock::time_point::max();
  Clock::time_point last = Clock::time_point::min();
  std::uint64_t bad_values = 0;
  for (const auto& t : state) {
    r.user_bytes_written += t->user_bytes;
    totals.extra += t->extra;
    if (!t->counted) continue;
    ++r.threads;
    r.ops += t->ops;
    r.bytes += t->bytes;
    r.thread_seconds += seconds(t->end - t->start);
    r.latency.merge(t->latency);
    first = std::min(first, t->start);
    last = std::max(last, t->end);
    totals.found += t->found;
    totals.mismatches += t->mismatches;
    bad_values += t->bad_values;
  }
  r.elapsed_seconds = r.threads > 0 ? seconds(last - first) : 0;
  if (bad_values > 0) {
    fail(name, cat(bad_values, " values found are not ", config_.value_size, " bytes"));
  }
  return totals;
}

std::string_view Workloads::next_value(Thread& t) const {
  if (t.value_pos + config_.value_size > values_.size()) t.value_pos = 0;
  const std::string_view v(values_.data() + t.value_pos, config_.value_size);
  t.value_pos += config_.value_size;
  return v;
}

WorkloadResult Workloads::skipped(std::string_view name, std::string message) const {
  WorkloadResult r;
  r.name = std::string(name);
  r.kind = WorkloadResult::Kind::kSkipped;
  r.message = std::move(message);
  return r;
}

WorkloadResult Workloads::run(std::string_view name) {
  if (is_sand_only(name) && engine_.versioned() == nullptr) {
    return skipped(name, "skipped: sanddb only");
  }
  if (name == "putif" && engine_.transactional() == nullptr) {
    return skipped(name, cat("skipped: ", engine_.name(), " has no transactions"));
  }
  if (name == "fillseq" || name == "fillrandom" || name == "overwrite" || name == "fillbatch" ||
      name == "fillsync") {
    return write_workload(name);
  }
  if (name == "readrandom" || name == "readmissing" || name == "readhot") return point_reads(name);
  if (name == "readseq") return scan(name, false);
  if (name == "readreverse") return scan(name, true);
  if (name == "seekrandom") return seek_random();
  if (name == "seekprev") return seek_prev();
  if (name == "multiget") return multi_get();
  if (name == "putif") return put_if();
  if (name == "changes") return changes();
  if (name == "readwhilewriting") return read_while_writing();
  if (name == "compact") return compact();
  if (name == "history") return history();
  if (name == "forget") return forget();
  if (name == "getatversion") return get_at_version();
  WorkloadResult r;  // "stats"
  r.name = std::string(name);
  r.kind = WorkloadResult::Kind::kInfo;
  r.message = engine_.stats();
  return r;
}

WorkloadResult Workloads::write_workload(std::string_view name) {
  const bool sequential = name == "fillseq";
  const bool sync = name == "fillsync" || config_.sync;
  const std::uint64_t n =
      name == "fillsync" ? std::max<std::uint64_t>(1, config_.num / 1000) : config_.num;
  const bool batched = name == "fillbatch";
  const std::size_t per_write = batched ? std::max<std::size_t>(1, config_.batch_size) : 1;
  const std::size_t ks = config_.key_size;
  const bool every = config_.time_every_op;

  Totals totals = run_threads(name, config_.threads, [&](Thread& t) {
    std::vector<std::string> keys(per_write, std::string(ks, '0'));
    std::vector<KeyValue> puts(per_write);
    std::vector<std::uint64_t> ids(per_write);
    for (std::uint64_t done = 0; done < n; done += per_write) {
      const std::size_t count =
          static_cast<std::size_t>(std::min<std::uint64_t>(per_write, n - done));
      for (std::size_t j = 0; j < count; ++j) {
        ids[j] = sequential ? done + j : t.rng.uniform(config_.num);
        format_key(ids[j], keys[j], ks);
        puts[j] = KeyValue(keys[j], next_value(t));
      }
      {
        OpTimer timer(t, every);
        if (batched) {
          engine_.write_batch(std::span<const KeyValue>(puts.data(), count), sync);
        } else {
          engine_.put(puts[0].first, puts[0].second, sync);
        }
      }
      for (std::size_t j = 0; j < count; ++j) written_.set(ids[j]);
      t.ops += count;
      t.bytes += count * (ks + config_.value_size);
      t.user_bytes += count * (ks + config_.value_size);
    }
  });
  WorkloadResult r = std::move(totals.result);
  if (batched) r.message = cat("(", per_write, " puts per batch; latency per batch)");
  if (name == "fillsync") r.message = cat("(", n, " synced puts per thread)");
  return r;
}

WorkloadResult Workloads::point_reads(std::string_view name) {
  const bool missing = name == "readmissing";
  const std::uint64_t range = name == "readhot" ? (config_.num + 99) / 100 : config_.num;
  const std::size_t ks = config_.key_size;
  const bool every = config_.time_every_op;

  Totals totals = run_threads(name, config_.threads, [&](Thread& t) {
    const std::string_view key(t.key.data(), missing ? ks + 1 : ks);
    if (missing) t.key[ks] = '.';
    for (std::uint64_t i = 0; i < config_.reads; ++i) {
      const std::uint64_t id = t.rng.uniform(range);
      format_key(id, t.key, ks);
      bool found;
      {
        OpTimer timer(t, every);
        found = engine_.get(key, &t.value);
      }
      ++t.ops;
      if (found) {
        ++t.found;
        t.bytes += key.size() + t.value.size();
        t.bad_values += t.value.size() != config_.value_size;
      }
      const bool expected = !missing && keys_known_ && written_.test(id);
      if (found != expected && (missing || keys_known_)) ++t.mismatches;
    }
  });
  WorkloadResult r = std::move(totals.result);
  r.message = cat("(", totals.found, " of ", r.ops, " found)");
  if (totals.mismatches > 0) {
    fail(name, missing ? cat(totals.mismatches, " of ", r.ops, " missing keys were found")
                       : cat(totals.mismatches, " of ", r.ops,
                             " reads disagree with the keys written (found ", totals.found, ")"));
  }
  return r;
}

WorkloadResult Workloads::scan(std::string_view name, bool reverse) {
  const bool every = config_.time_every_op;
  Totals totals = run_threads(name, config_.threads, [&](Thread& t) {
    const std::unique_ptr<EngineIterator> it = engine_.new_iterator();
    {
      OpTimer timer(t, every);
      if (reverse) {
        it->seek_to_last();
      } else {
        it->seek_to_first();
      }
    }
    while (it->valid()) {
      ++t.ops;
      t.bytes += it->key().size() + it->value().size();
      t.bad_values += it->value().size() != config_.value_size;
      OpTimer timer(t, every);
      if (reverse) {
        it->prev();
      } else {
        it->next();
      }
    }
  });
  WorkloadResult r = std::move(totals.result);
  const std::uint64_t per_thread =
      r.threads > 0 ? r.ops / static_cast<std::uint64_t>(r.threads) : 0;
  r.message = cat("(", per_thread, " keys per scan)");
  if (keys_known_) {
    const std::uint64_t want = written_.count() * static_cast<std::uint64_t>(r.threads);
    if (r.ops != want) {
      fail(name, cat("visited ", r.ops, " entries, want ", want, " (", written_.count(),
                     " keys written, ", r.threads, " thread(s))"));
    }
  }
  return r;
}

WorkloadResult Workloads::seek_random() {
  const std::size_t ks = config_.key_size;
  const bool every = config_.time_every_op;
  Totals totals = run_threads("seekrandom", config_.threads, [&](Thread& t) {
    const std::string_view key(t.key.data(), ks);
    for (std::uint64_t i = 0; i < config_.reads; ++i) {
      const std::uint64_t id = t.rng.uniform(config_.num);
      format_key(id, t.key, ks);
      bool found;
      {
        // One operation: a fresh iterator, the seek and its nexts (LevelDB's
        // and RocksDB's db_bench also open an iterator per seek).
        OpTimer timer(t, every);
        const std::unique_ptr<EngineIterator> it = engine_.new_iterator();
        it->seek(key);
        found = it->valid() && it->key() == key;
        for (int j = 0; j < config_.seek_nexts && it->valid(); ++j) {
          t.bytes += it->key().size() + it->value().size();
          it->next();
        }
      }
      ++t.ops;
      t.found += found;
      if (keys_known_ && found != written_.test(id)) ++t.mismatches;
    }
  });
  WorkloadResult r = std::move(totals.result);
  r.message = cat("(", totals.found, " of ", r.ops, " found, ", config_.seek_nexts, " nexts)");
  if (totals.mismatches > 0) {
    fail("seekrandom", cat(totals.mismatches, " seeks disagree with the keys written"));
  }
  return r;
}

// A key to seek: uniform over the written keys when they are known (draws
// until one is written, so seekprev starts on a key), else over [0, num).
std::uint64_t Workloads::pick_written(Thread& t) const {
  std::uint64_t id = t.rng.uniform(config_.num);
  if (!keys_known_) return id;
  // Bounded: a nearly empty key space must not spin forever.
  for (int tries = 0; tries < 4096 && !written_.test(id); ++tries) id = t.rng.uniform(config_.num);
  return id;
}

// seekrandom backwards: a fresh iterator seeks a written key, then steps
// back --seek_nexts times. The keys reached are parsed during the operation
// (as cheap for every engine) and checked after it: each must be the
// written key just below the one before, and the iterator may run off the
// front only below the smallest written key.
WorkloadResult Workloads::seek_prev() {
  const std::size_t ks = config_.key_size;
  const bool every = config_.time_every_op;
  const std::size_t steps = static_cast<std::size_t>(config_.seek_nexts);
  Totals totals = run_threads("seekprev", config_.threads, [&](Thread& t) {
    const std::string_view key(t.key.data(), ks);
    std::vector<std::uint64_t> reached;  // ids after each prev()
    reached.reserve(steps);
    for (std::uint64_t i = 0; i < config_.reads; ++i) {
      const std::uint64_t id = pick_written(t);
      format_key(id, t.key, ks);
      reached.clear();
      bool found;
      {
        OpTimer timer(t, every);
        const std::unique_ptr<EngineIterator> it = engine_.new_iterator();
        it->seek(key);
        found = it->valid() && it->key() == key;
        for (std::size_t j = 0; j < steps && it->valid(); ++j) {
          t.bytes += it->key().size() + it->value().size();
          it->prev();
          reached.push_back(it->valid() ? parse_key(it->key(), ks) : KeyBitmap::kNone);
        }
      }
      ++t.ops;
      t.found += found;
      if (!keys_known_) continue;
      // A written key must be found; then every step lands one written key lower.
      bool ok = found == written_.test(id);
      std::uint64_t at = id;
      for (std::size_t j = 0; ok && found && j < reached.size(); ++j) {
        at = written_.last_below(at);
        ok = reached[j] == at;
      }
      t.mismatches += !ok;
    }
  });
  WorkloadResult r = std::move(totals.result);
  r.message = cat("(", totals.found, " of ", r.ops, " found, ", config_.seek_nexts, " prevs)");
  if (totals.mismatches > 0) {
    fail("seekprev", cat(totals.mismatches, " of ", r.ops,
                         " seeks or their prev() steps disagree with the keys written"));
  }
  return r;
}

// --reads random keys per thread, --multiget_batch per call, all of a call
// read at one consistent state. Operations count keys, not calls, so ops/s
// compares with readrandom's (the same gets one at a time) in the same run.
WorkloadResult Workloads::multi_get() {
  const std::size_t ks = config_.key_size;
  const bool every = config_.time_every_op;
  const std::size_t batch = std::max<std::size_t>(1, config_.multiget_batch);
  Totals totals = run_threads("multiget", config_.threads, [&](Thread& t) {
    std::vector<std::string> keys(batch, std::string(ks, '0'));
    std::vector<std::string_view> views(batch);
    std::vector<std::uint64_t> ids(batch);
    std::vector<std::string> values(batch);
    const std::unique_ptr<bool[]> found = std::make_unique<bool[]>(batch);
    for (std::uint64_t done = 0; done < config_.reads; done += batch) {
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(batch, config_.reads - done));
      for (std::size_t j = 0; j < n; ++j) {
        ids[j] = t.rng.uniform(config_.num);
        format_key(ids[j], keys[j], ks);
        views[j] = keys[j];
      }
      {
        OpTimer timer(t, every);
        engine_.multi_get(std::span<const std::string_view>(views.data(), n),
                          std::span<std::string>(values.data(), n),
                          std::span<bool>(found.get(), n));
      }
      t.ops += n;
      for (std::size_t j = 0; j < n; ++j) {
        if (found[j]) {
          ++t.found;
          t.bytes += ks + values[j].size();
          t.bad_values += values[j].size() != config_.value_size;
        }
        if (keys_known_ && found[j] != written_.test(ids[j])) ++t.mismatches;
      }
    }
  });
  WorkloadResult r = std::move(totals.result);
  r.message = cat("(", totals.found, " of ", r.ops, " found; ", batch,
                  " keys per call, latency per call; readrandom is the same gets one by one)");
  if (totals.mismatches > 0) {
    fail("multiget", cat(totals.mismatches, " of ", r.ops,
                         " reads disagree with the keys written (found ", totals.found, ")"));
  }
  return r;
}

// threads-1 readers (at least one) doing readrandom while one writer does
// random puts until the readers are done; the readers' numbers are reported.
WorkloadResult Workloads::read_while_writing() {
  const int readers = std::max(1, config_.threads - 1);
  const std::size_t ks = config_.key_size;
  const bool every = config_.time_every_op;
  std::atomic<int> readers_left{readers};
  const bool timed = config_.duration > 0;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(config_.duration));

  Totals totals = run_threads("readwhilewriting", readers + 1, [&](Thread& t) {
    if (t.id == 0) {
      t.counted = false;
      while (readers_left.load(std::memory_order_relaxed) > 0) {
        const std::uint64_t id = t.rng.uniform(config_.num);
        format_key(id, t.key, ks);
        engine_.put(std::string_view(t.key.data(), ks), next_value(t), config_.sync);
        written_.set(id);
        ++t.extra;
        t.user_bytes += ks + config_.value_size;
      }
      return;
    }
    const std::string_view key(t.key.data(), ks);
    for (std::uint64_t i = 0;; ++i) {
      if (timed ? ((i & 63) == 0 && Clock::now() >= deadline) : i >= config_.reads) break;
      const std::uint64_t id = t.rng.uniform(config_.num);
      format_key(id, t.key, ks);
      // Written before the get started, so the get must find it; a key the
      // writer adds meanwhile may or may not show.
      const bool must_find = keys_known_ && written_.test(id);
      bool found;
      {
        OpTimer timer(t, every);
        found = engine_.get(key, &t.value);
      }
      ++t.ops;
      if (found) {
        ++t.found;
        t.bytes += key.size() + t.value.size();
        t.bad_values += t.value.size() != config_.value_size;
      }
      if (must_find && !found) ++t.mismatches;
    }
    readers_left.fetch_sub(1, std::memory_order_relaxed);
  });
  WorkloadResult r = std::move(totals.result);
  r.message = cat("(", totals.found, " of ", r.ops, " found; writer: ", totals.extra, " puts)");
  if (totals.mismatches > 0) {
    fail("readwhilewriting", cat(totals.mismatches, " written keys were not found"));
  }
  return r;
}

WorkloadResult Workloads::compact() {
  Totals totals = run_threads("compact", 1, [&](Thread& t) {
    OpTimer timer(t, true);
    engine_.compact_all();
    t.ops = 1;
  });
  totals.result.latency_sampling = 1;
  return std::move(totals.result);
}

WorkloadResult Workloads::forget() {
  VersionedEngine& db = *engine_.versioned();
  Totals totals = run_threads("forget", 1, [&](Thread& t) {
    OpTimer timer(t, true);
    db.forget_before(db.last_version());
    t.ops = 1;
  });
  totals.result.latency_sampling = 1;
  return std::move(totals.result);
}

WorkloadResult Workloads::history() {
  VersionedEngine& db = *engine_.versioned();
  const std::size_t ks = config_.key_size;
  const bool every = config_.time_every_op;
  Totals totals = run_threads("history", config_.threads, [&](Thread& t) {
    const std::string_view key(t.key.data(), ks);
    for (std::uint64_t i = 0; i < config_.reads; ++i) {
      const std::uint64_t id = t.rng.uniform(config_.num);
      format_key(id, t.key, ks);
      VersionedEngine::History h;
      {
        OpTimer timer(t, every);
        h = db.history(key);
      }
      ++t.ops;
      t.extra += h.versions;
      if (h.versions > 0) {
        ++t.found;
        t.bytes += h.versions * ks + h.value_bytes;
      }
      if (keys_known_ && (h.versions > 0) != written_.test(id)) ++t.mismatches;
    }
  });
  WorkloadResult r = std::move(totals.result);
  char avg[32];
  std::snprintf(avg, sizeof avg, "%.2f",
                totals.found > 0
                    ? static_cast<double>(totals.extra) / static_cast<double>(totals.found)
                    : 0.0);
  r.message = cat("(", totals.found, " of ", r.ops, " keys have history; ", std::string_view(avg),
                  " versions per such key)");
  if (totals.mismatches > 0) {
    fail("history", cat(totals.mismatches, " histories disagree with the keys written"));
  }
  return r;
}

WorkloadResult Workloads::get_at_version() {
  VersionedEngine& db = *engine_.versioned();
  const std::uint64_t hi = db.last_version();
  const std::uint64_t lo = std::max<std::uint64_t>(1, db.low_water_mark());
  const std::size_t ks = config_.key_size;
  const bool every = config_.time_every_op;
  Totals totals = run_threads("getatversion", config_.threads, [&](Thread& t) {
    if (hi == 0) return;  // nothing written yet
    const std::string_view key(t.key.data(), ks);
    for (std::uint64_t i = 0; i < config_.reads; ++i) {
      const std::uint64_t id = t.rng.uniform(config_.num);
      const std::uint64_t version = lo + t.rng.uniform(hi - lo + 1);
      format_key(id, t.key, ks);
      bool found;
      {
        OpTimer timer(t, every);
        found = db.get_at(key, version, &t.value);
      }
      ++t.ops;
      if (found) {
        ++t.found;
        t.bytes += key.size() + t.value.size();
        t.bad_values += t.value.size() != config_.value_size;
      }
      // Found at some version means it was written (we never delete).
      if (keys_known_ && found && !written_.test(id)) ++t.mismatches;
    }
  });
  WorkloadResult r = std::move(totals.result);
  r.message = cat("(", totals.found, " of ", r.ops, " found; versions ", lo, "..", hi,
                  lo == hi ? ": latest-only retention keeps just the newest" : "", ")");
  if (totals.mismatches > 0) {
    fail("getatversion", cat(totals.mismatches, " keys never written were found"));
  }
  return r;
}

namespace {

// What one catch-up saw, kept as ids and sizes so the check runs after the
// timed part.
class FeedRecorder final : public ChangeVisitor {
 public:
  struct Entry {
    std::uint64_t batch_version;
    std::uint64_t id;  // kBadKey for a key the bench never makes
    std::size_t value_size;
    bool deleted;
  };

  FeedRecorder(std::size_t key_size, std::size_t expected) : key_size_(key_size) {
    entries.reserve(expected);
  }
  void batch(std::uint64_t version) override {
    version_ = version;
    ++batches;
  }
  void change(std::string_view key, bool deleted, std::string_view value) override {
    entries.push_back(Entry{version_, parse_key(key, key_size_), value.size(), deleted});
    bytes += key.size() + value.size();
  }

  std::vector<Entry> entries;
  std::uint64_t batches = 0;
  std::uint64_t bytes = 0;

 private:
  std::size_t key_size_;
  std::uint64_t version_ = 0;
};

// Empty if the feed after `since` is exactly the single-put batches of
// `ids`, in order at versions since+1, since+2, ...; else what went wrong.
std::string check_feed(const FeedRecorder& feed, std::span<const std::uint64_t> ids,
                       std::uint64_t since, std::uint64_t until, std::size_t value_size) {
  if (feed.batches != ids.size() || feed.entries.size() != ids.size()) {
    return cat("saw ", feed.batches, " batches of ", feed.entries.size(), " changes, want ",
               ids.size(), " single-put batches");
  }
  if (until != since + ids.size()) {
    return cat("the feed ends at version ", until, ", want ", since + ids.size());
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto& e = feed.entries[i];
    if (e.batch_version != since + 1 + i || e.id != ids[i] || e.deleted ||
        e.value_size != value_size) {
      return cat("batch ", i, " is version ", e.batch_version, " key id ", e.id,
                 e.deleted ? " (a delete)" : "", ", want version ", since + 1 + i, " key id ",
                 ids[i]);
    }
  }
  return {};
}

}  // namespace

// On the database the previous workloads left: rounds of max(1, num/100)
// random puts (not timed) followed by a timed catch-up of every thread with
// changes(since = the version before those puts), which must show each put
// as its own batch, once, in version order. ops/s is changes (entries) per
// second of catch-up. Rounds: --reads / (num/100), at most kMaxChangeRounds.
WorkloadResult Workloads::changes() {
  VersionedEngine& db = *engine_.versioned();
  if (!db.retains_history()) {
    return skipped("changes",
                   "skipped: needs --sand_retention=all (latest-only keeps no past versions)");
  }
  const std::size_t ks = config_.key_size;
  const std::uint64_t per_round = std::max<std::uint64_t>(1, config_.num / 100);
  const std::uint64_t rounds =
      std::clamp<std::uint64_t>(config_.reads / per_round, 1, kMaxChangeRounds);
  Thread writer(0, config_.seed + 1000 * ++runs_, ks);
  const std::string_view key(writer.key.data(), ks);
  std::vector<std::uint64_t> ids(per_round);
  std::vector<std::string> problems(static_cast<std::size_t>(config_.threads));
  WorkloadResult r;
  r.latency_sampling = 1;
  for (std::uint64_t round = 0; round < rounds; ++round) {
    const std::uint64_t since = db.last_version();
    for (auto& id : ids) {
      id = writer.rng.uniform(config_.num);
      format_key(id, writer.key, ks);
      engine_.put(key, next_value(writer), config_.sync);
      written_.set(id);
    }
    r.user_bytes_written += per_round * (ks + config_.value_size);
    Totals totals = run_threads("changes", config_.threads, [&](Thread& t) {
      FeedRecorder feed(ks, per_round);
      std::uint64_t until;
      {
        OpTimer timer(t, true);
        until = db.changes(since, feed);
      }
      t.ops += feed.entries.size();
      t.bytes += feed.bytes;
      problems[static_cast<std::size_t>(t.id)] =
          check_feed(feed, ids, since, until, config_.value_size);
    });
    for (const auto& p : problems) {
      if (!p.empty()) fail("changes", cat("round ", round + 1, ": ", p));
    }
    const WorkloadResult& part = totals.result;
    r.name = part.name;
    r.threads = part.threads;
    r.ops += part.ops;
    r.bytes += part.bytes;
    r.elapsed_seconds += part.elapsed_seconds;
    r.thread_seconds += part.thread_seconds;
    r.latency.merge(part.latency);
  }
  r.message = cat("(", rounds, " rounds: ", per_round, " puts, not timed, then ", r.threads,
                  " reader(s) catch up; ops are changes; latency per catch-up)");
  return r;
}

// The sum of every putif counter in the database (a full scan, not timed).
std::uint64_t Workloads::counter_sum() const {
  const std::unique_ptr<EngineIterator> it = engine_.new_iterator();
  std::uint64_t sum = 0;
  for (it->seek_to_first(); it->valid(); it->next()) sum += parse_counter(it->value());
  return sum;
}

// Optimistic read-modify-write: each operation increments the counter in a
// random key (a fill's value counts as 0), retrying on conflicts until it
// commits; its latency covers the retries. With --threads N the threads
// contend for keys. Checked by summing every counter before and after: the
// sum must grow by exactly the increments that committed (a lost update
// would make it fall short).
WorkloadResult Workloads::put_if() {
  TransactionalEngine& txn = *engine_.transactional();
  if (config_.value_size < 2) return skipped("putif", "skipped: needs --value_size >= 2");
  const std::size_t ks = config_.key_size;
  const bool every = config_.time_every_op;
  const std::uint64_t before = counter_sum();
  Totals totals = run_threads("putif", config_.threads, [&](Thread& t) {
    const std::string_view key(t.key.data(), ks);
    std::string next(config_.value_size, '0');
    const TransactionalEngine::Modify increment =
        [&](std::optional<std::string_view> current) -> std::string_view {
      // Too many increments for value_size digits: counted, the run fails.
      if (!format_counter((current ? parse_counter(*current) : 0) + 1, next)) ++t.mismatches;
      return next;
    };
    for (std::uint64_t i = 0; i < config_.reads; ++i) {
      const std::uint64_t id = t.rng.uniform(config_.num);
      format_key(id, t.key, ks);
      {
        OpTimer timer(t, every);
        while (!txn.read_modify_write(key, increment, config_.sync)) ++t.extra;
      }
      written_.set(id);
      ++t.ops;
      t.bytes += ks + config_.value_size;
      t.user_bytes += ks + config_.value_size;
    }
  });
  WorkloadResult r = std::move(totals.result);
  if (totals.mismatches > 0) {
    fail("putif", cat(totals.mismatches, " counters outgrew --value_size digits"));
  }
  const std::uint64_t after = counter_sum();
  if (after - before != r.ops) {
    fail("putif", cat("the counters summed to ", before, " before and ", after, " after ", r.ops,
                      " committed increments"));
  }
  r.message = cat("(", r.ops, " increments, ", totals.extra,
                  " conflicts retried; counters checked by a full scan)");
  return r;
}

}  // namespace sand_bench
