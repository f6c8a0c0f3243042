// MemTable under concurrency, over each index kind: one writer adds 100k
// entries (some replacing earlier ones) while three readers scan forward,
// scan backward, get() and get_many().
// Every read must see sorted, whole entries, and at least every entry the
// writer had counted when the read began. Written to run under TSan.
//
// Catch2 assertions are not thread-safe, so reader threads record their
// first failure in a string that the main thread checks.
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

constexpr Version kEntries = 100000;
constexpr Version kKeys = 20000;  // so each key gets about five versions

// Entry v (versions 1..kEntries, added in that order) is a function of v.
std::string key_for(Version v) {
  const Version index = ((v - 1) % kKeys) * 7919 % kKeys;  // scatter the keys
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%08llu", static_cast<unsigned long long>(index));
  return buf;
}
EntryKind kind_for(Version v) { return v % 7 == 0 ? EntryKind::kDelete : EntryKind::kPut; }
std::string value_for(Version v) {
  if (kind_for(v) == EntryKind::kDelete) return {};
  return "value-" + std::to_string(v) + std::string(v % 13, 'p');
}
// What the writer re-adds for (key_for(v), v) to exercise replacement.
std::string replaced_value_for(Version v) {
  if (kind_for(v) == EntryKind::kDelete) return {};
  return "r" + value_for(v);
}

// "" if (user_key, version, kind, value) is an entry the writer could have
// written, else what is wrong with it.
std::string check_entry(std::string_view user_key, Version v, EntryKind kind,
                        std::string_view value) {
  if (v < 1 || v > kEntries) return "version out of range: " + std::to_string(v);
  if (user_key != key_for(v)) return "wrong key for version " + std::to_string(v);
  if (kind != kind_for(v)) return "wrong kind for version " + std::to_string(v);
  if (value != value_for(v) && value != replaced_value_for(v)) {
    return "wrong value for version " + std::to_string(v) + ": " + std::string(value);
  }
  return {};
}

// all_ikeys()[v] is the internal key of entry v (index 0 unused).
const std::vector<std::string>& all_ikeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k(kEntries + 1);
    for (Version v = 1; v <= kEntries; ++v) append_internal_key(&k[v], key_for(v), v, kind_for(v));
    return k;
  }();
  return keys;
}

class Reader : public memtable_test::ReaderTally {
 public:
  Reader(const MemTable& mt, int id) : ReaderTally(id), mt_(mt), rng_(static_cast<unsigned>(id)) {}

  // One read pass; returns false after recording a failure.
  bool pass(int round) {
    switch ((id() + round) % 3) {
      case 0:
        return scan(/*forward=*/true);
      case 1:
        return scan(/*forward=*/false);
      default:
        return gets();
    }
  }

 private:
  // Forward: the whole table. Backward: at most kBackwardSteps entries from
  // the last entry or from a random counted one, since each prev() is a
  // search from the head and a full backward pass is slow in Debug builds.
  // Either way every counted entry inside the scanned key range must be met.
  bool scan(bool forward) {
    constexpr int kBackwardSteps = 4000;
    const std::uint64_t before = mt_.entries();
    std::vector<bool> seen(kEntries + 1, false);
    auto it = mt_.new_iterator();
    // The scanned range is [low, high] in internal-key order; empty strings
    // stand for "unbounded" on that side.
    std::string low, high, last;
    if (forward) {
      it->seek_to_first();
    } else if (before == 0 || id() % 2 == 0) {
      it->seek_to_last();
    } else {
      const Version v = std::uniform_int_distribution<Version>(1, before)(rng_);
      it->seek(all_ikeys()[v]);
      if (!it->valid() || it->key() != all_ikeys()[v]) {
        return fail("seek missed counted version " + std::to_string(v));
      }
      high = all_ikeys()[v];
    }
    int steps = 0;
    for (; it->valid(); forward ? it->next() : it->prev()) {
      if (!forward && ++steps > kBackwardSteps) {
        low = last;
        break;
      }
      ParsedKey k;
      if (!parse_internal_key(it->key(), &k)) return fail("unparsable key");
      if (auto bad = check_entry(k.user_key, k.version, k.kind, it->value()); !bad.empty()) {
        return fail(bad);
      }
      if (!last.empty()) {
        const int c = compare_internal_keys(last, it->key());
        if (forward ? c >= 0 : c <= 0) {
          return fail("out of order at version " + std::to_string(k.version));
        }
      }
      last.assign(it->key());
      if (seen[k.version]) return fail("version seen twice: " + std::to_string(k.version));
      seen[k.version] = true;
    }
    if (!it->status().is_ok()) return fail("iterator status " + it->status().to_string());
    const std::uint64_t after = mt_.entries();
    for (Version v = 1; v <= before; ++v) {
      const std::string& key = all_ikeys()[v];
      const bool in_range = (low.empty() || compare_internal_keys(key, low) >= 0) &&
                            (high.empty() || compare_internal_keys(key, high) <= 0);
      if (in_range && !seen[v]) {
        return fail("missed version " + std::to_string(v) + " of " + std::to_string(before));
      }
    }
    // The writer publishes an entry before counting it, so at most one entry
    // may be visible beyond the count read afterwards.
    for (Version v = after + 2; v <= kEntries; ++v) {
      if (seen[v]) return fail("saw uncounted version " + std::to_string(v));
    }
    return passed();
  }

  bool gets() {
    const std::uint64_t published = mt_.entries();
    if (published == 0) return true;
    std::uniform_int_distribution<Version> pick(1, published);
    std::uniform_int_distribution<Version> ahead(0, 3 * kKeys);
    for (int i = 0; i < 2000; ++i) {
      const Version v = pick(rng_);
      const std::string key = key_for(v);
      auto r = mt_.get(key, v);
      if (!r) return fail("get missed version " + std::to_string(v));
      if (r->version != v)
        return fail("get(at=" + std::to_string(v) + ") gave " + std::to_string(r->version));
      if (auto bad = check_entry(key, r->version, r->kind, r->value); !bad.empty())
        return fail(bad);

      const Version at = v + ahead(rng_);
      r = mt_.get(key, at);
      if (!r) return fail("get missed key at " + std::to_string(at));
      if (r->version < v || r->version > at) return fail("get(at) outside [v, at]");
      if (auto bad = check_entry(key, r->version, r->kind, r->value); !bad.empty())
        return fail(bad);
    }
    // The same through get_many (interleaved searches), many keys at one
    // version: each answer is the key's entry at or below it, whole.
    std::vector<Version> versions(40);
    std::vector<std::string> keys;
    for (Version& v : versions) {
      v = pick(rng_);
      keys.push_back(key_for(v));
    }
    const std::vector<std::string_view> views(keys.begin(), keys.end());
    std::vector<std::optional<MemTable::Found>> found(views.size());
    mt_.get_many(views, published, found);
    for (std::size_t i = 0; i < found.size(); ++i) {
      const auto& r = found[i];
      if (!r) return fail("get_many missed version " + std::to_string(versions[i]));
      if (r->version < versions[i] || r->version > published)
        return fail("get_many gave a version outside [v, at]");
      if (auto bad = check_entry(keys[i], r->version, r->kind, r->value); !bad.empty())
        return fail(bad);
    }
    return passed();
  }

  const MemTable& mt_;
  std::mt19937_64 rng_;
};

TEST_CASE("readers see a sorted, consistent prefix while one writer inserts",
          "[memtable][concurrency]") {
  SAND_FOR_EACH_MEMTABLE_INDEX(index);
  (void)all_ikeys();  // build before the clock matters
  auto mt = std::make_shared<MemTable>(index);
  std::atomic<bool> done{false};
  std::vector<std::unique_ptr<Reader>> readers;
  for (int id = 0; id < 3; ++id) readers.push_back(std::make_unique<Reader>(*mt, id));

  std::vector<std::thread> threads;
  for (auto& r : readers) {
    threads.emplace_back([&reader = *r, &done] {
      int round = 0;
      while (!done.load(std::memory_order_acquire)) {
        if (!reader.pass(round++)) return;
        // Leave the writer some of the (possibly two) cores.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      // Once more with everything published; reader i does pass kind i, so
      // the three readers cover all three kinds.
      (void)reader.pass(0);
    });
  }

  for (Version v = 1; v <= kEntries; ++v) {
    if (v == kEntries / 2) {
      // Make sure every reader completes a pass while writes are under way,
      // however the threads get scheduled.
      memtable_test::wait_for_a_pass_each(readers);
    }
    mt->add(v, kind_for(v), key_for(v), value_for(v));
    if (v % 8 == 0) {
      const Version old = v - 4;
      mt->add(old, kind_for(old), key_for(old), replaced_value_for(old));
    }
  }
  done.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();

  memtable_test::check_readers(readers);
  CHECK(mt->entries() == kEntries);
  CHECK(mt->min_version() == 1);
  CHECK(mt->max_version() == kEntries);
}

}  // namespace
}  // namespace sand
