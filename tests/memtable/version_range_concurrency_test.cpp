// MemTable::entries_in_versions under concurrency, over each index kind: one
// writer adds batches (several entries per version, some replaced within
// their batch, as the DB's write path does) and publishes each finished
// version, while readers take version ranges. Every entry a reader sees must
// be whole, inside its range and in internal-key order, and a range at or
// below the published version must hold exactly that range's entries with
// their final content.
// Written to run under TSan.
//
// Catch2 assertions are not thread-safe, so reader threads record their
// first failure in a string that the main thread checks.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "memtable/memtable.hpp"
#include "memtable_test_model.hpp"
#include "reader_tally.hpp"
#include "util/internal_key.hpp"

namespace sand {
namespace {

constexpr Version kVersions = 30000;
constexpr int kKeys = 5000;

// Version v is a batch of 1 + v % 3 entries; entry j of it is a function of
// (v, j).
int batch_size(Version v) { return 1 + static_cast<int>(v % 3); }
std::string key_for(Version v, int j) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%06d",
                static_cast<int>((v * 3 + static_cast<Version>(j)) * 7919 % kKeys));
  return buf;
}
EntryKind kind_for(Version v, int j) {
  return (v + static_cast<Version>(j)) % 5 == 0 ? EntryKind::kDelete : EntryKind::kPut;
}
std::string value_for(Version v, int j) {
  if (kind_for(v, j) == EntryKind::kDelete) return {};
  return "value-" + std::to_string(v) + "-" + std::to_string(j) + std::string(v % 11, 'p');
}
// Entry 0 of every fourth batch is first added with this value, then
// replaced by value_for() later in the same batch.
bool replaced(Version v) { return v % 4 == 0; }
std::string early_value_for(Version v) { return "early-" + std::to_string(v); }

// The entries of versions (lo, until].
std::size_t entries_between(Version lo, Version until) {
  std::size_t n = 0;
  for (Version v = lo + 1; v <= until; ++v) n += static_cast<std::size_t>(batch_size(v));
  return n;
}

class Reader : public memtable_test::ReaderTally {
 public:
  Reader(const MemTable& mt, const std::atomic<Version>& published, int id)
      : ReaderTally(id), mt_(mt), published_(published), rng_(static_cast<unsigned>(id) + 1) {}

  // One range read; returns false after recording a failure.
  bool pass() {
    const Version published = published_.load(std::memory_order_acquire);
    // Mostly ranges at or below the published version, whose content is
    // final; one in four reaches past it, into the batch being written.
    const Version top = published + (rng_() % 4 == 0 ? 5 : 0);
    const Version lo = std::uniform_int_distribution<Version>(0, top)(rng_);
    const Version span = std::uniform_int_distribution<Version>(0, 2000)(rng_);
    const Version until = std::min(top, lo + span);
    auto it = mt_.entries_in_versions(lo, until);
    std::size_t seen = 0;
    std::string last;
    const bool forward = rng_() % 2 == 0;
    for (forward ? it->seek_to_first() : it->seek_to_last(); it->valid();
         forward ? it->next() : it->prev()) {
      ParsedKey k;
      if (!parse_internal_key(it->key(), &k)) return fail("unparsable key");
      if (k.version <= lo || k.version > until) {
        return fail("version " + std::to_string(k.version) + " outside (" + std::to_string(lo) +
                    ", " + std::to_string(until) + "]");
      }
      if (!last.empty()) {
        const int c = compare_internal_keys(last, it->key());
        if (forward ? c >= 0 : c <= 0) return fail("out of order at " + std::to_string(k.version));
      }
      last.assign(it->key());
      if (auto bad = check_entry(k, it->value(), k.version <= published); !bad.empty()) {
        return fail(bad);
      }
      ++seen;
    }
    if (!it->status().is_ok()) return fail("status " + it->status().to_string());
    if (until <= published && seen != entries_between(lo, until)) {
      return fail("(" + std::to_string(lo) + ", " + std::to_string(until) + "] held " +
                  std::to_string(seen) + " entries");
    }
    return passed();
  }

 private:
  // "" if the entry is one the writer wrote at k.version (its final content
  // when `final`), else what is wrong with it.
  static std::string check_entry(const ParsedKey& k, std::string_view value, bool final) {
    for (int j = 0; j < batch_size(k.version); ++j) {
      if (k.user_key != key_for(k.version, j)) continue;
      if (k.kind != kind_for(k.version, j)) return "wrong kind at " + std::to_string(k.version);
      const bool early =
          j == 0 && replaced(k.version) && !final && value == early_value_for(k.version);
      if (value != value_for(k.version, j) && !early) {
        return "wrong value at " + std::to_string(k.version) + ": " + std::string(value);
      }
      return {};
    }
    return "no such key at version " + std::to_string(k.version);
  }

  const MemTable& mt_;
  const std::atomic<Version>& published_;
  std::mt19937_64 rng_;
};

TEST_CASE("version ranges read while one writer adds batches are exact and whole",
          "[memtable][version_range][concurrency]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  auto mt = std::make_shared<MemTable>(index);
  std::atomic<Version> published{0};
  std::atomic<bool> done{false};
  std::vector<std::unique_ptr<Reader>> readers;
  for (int id = 0; id < 2; ++id) readers.push_back(std::make_unique<Reader>(*mt, published, id));

  std::vector<std::thread> threads;
  for (auto& r : readers) {
    threads.emplace_back([&reader = *r, &done] {
      while (!done.load(std::memory_order_acquire)) {
        if (!reader.pass()) return;
        // Leave the writer some of the (possibly two) cores.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      (void)reader.pass();  // once more with everything published
    });
  }

  for (Version v = 1; v <= kVersions; ++v) {
    if (v == kVersions / 2) {
      // Every reader completes a pass while writes are under way, however
      // the threads get scheduled (or has failed, which ends its thread).
      memtable_test::wait_for_a_pass_each(readers);
    }
    if (replaced(v)) mt->add(v, kind_for(v, 0), key_for(v, 0), early_value_for(v));
    for (int j = 0; j < batch_size(v); ++j)
      mt->add(v, kind_for(v, j), key_for(v, j), value_for(v, j));
    // As the DB publishes its last version: after every add of the batch.
    published.store(v, std::memory_order_release);
  }
  done.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();

  memtable_test::check_readers(readers);
  CHECK(mt->entries() == entries_between(0, kVersions));
  auto all = mt->entries_in_versions(0, kVersions);
  CHECK(all->size() == entries_between(0, kVersions));
}

}  // namespace
}  // namespace sand
