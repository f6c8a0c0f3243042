// The B+tree under concurrency: one writer inserts while several readers
// seek, step and scan without locks. Two levels:
// - BTree itself over 8-byte big-endian integer keys, filled in ascending
//   (the append path: kept leaves and kept inner nodes), descending and
//   random order, some keys replaced;
// - a MemTable with MemTableIndex::kBTree, entries of increasing versions
//   over keys in random or sequential order, some keys repeated at new
//   versions and some entries replaced at the same version.
// The writer publishes how many steps it completed (release); a reader that
// loaded that count (acquire) before a read must find every entry of those
// steps, whole, with its final content if its replacement was among them,
// and may see later entries only where they belong in the order.
// Written to run under TSan (smaller sizes there).
//
// Catch2 assertions are not thread-safe, so reader threads record their
// first failure (ReaderTally) for the main thread to check.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "memtable/arena.hpp"
#include "memtable/btree.hpp"
#include "memtable/memtable.hpp"
#include "memtable_test_model.hpp"
#include "reader_tally.hpp"
#include "util/compare_bytes.hpp"
#include "util/internal_key.hpp"

#if defined(__SANITIZE_THREAD__)
#define SAND_BTREE_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SAND_BTREE_TEST_TSAN 1
#endif
#endif
#ifndef SAND_BTREE_TEST_TSAN
#define SAND_BTREE_TEST_TSAN 0
#endif

namespace sand {
namespace {

constexpr bool kUnderTsan = SAND_BTREE_TEST_TSAN != 0;
constexpr int kReaders = 3;
constexpr std::size_t kNone = ~std::size_t{0};

enum class KeyOrder { kAscending, kDescending, kRandom };
const char* order_name(KeyOrder o) {
  return o == KeyOrder::kAscending    ? "ascending"
         : o == KeyOrder::kDescending ? "descending"
                                      : "random";
}

// Writer side: blocks until every reader has completed another pass since
// the last call (or failed), so readers read at every stage of the fill
// however the threads get scheduled.
template <typename Readers>
void wait_for_another_pass_each(const Readers& readers, std::vector<int>& last) {
  last.resize(readers.size(), 0);
  for (std::size_t i = 0; i < readers.size(); ++i) {
    int p;
    while ((p = readers[i]->passes.load(std::memory_order_acquire)) == last[i] && p >= 0) {
      std::this_thread::yield();
    }
    last[i] = p;
  }
}

// Runs `readers` (each with a bool pass(int round)) on their own threads
// while `write` runs on this one; `write(checkpoint)` calls checkpoint() at
// a few points of its fill, where it waits for a pass of every reader.
template <typename Reader, typename Write>
void run_with_readers(std::vector<std::unique_ptr<Reader>>& readers, Write write) {
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (auto& r : readers) {
    threads.emplace_back([&reader = *r, &done] {
      int round = 0;
      while (!done.load(std::memory_order_acquire)) {
        if (!reader.pass(round++)) return;
        std::this_thread::yield();
      }
      // Once more of each of the five kinds with everything published.
      for (int i = 0; i < 5; ++i) {
        if (!reader.pass(round++)) return;
      }
    });
  }
  std::vector<int> last;
  write([&] { wait_for_another_pass_each(readers, last); });
  done.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();
  memtable_test::check_readers(readers);
}

// ---------------------------------------------------------------------------
// BTree over integer keys.

// A key in the arena: 8 bytes big-endian, then a 32-bit tag that takes no
// part in the order.
struct IntTraits {
  using Key = const char*;
  static std::string_view order_bytes(const char* k) { return {k, 8}; }
  static std::string_view order_bytes(std::string_view target) { return target; }
  static int compare(const char* a, const char* b) { return util::compare_bytes({a, 8}, {b, 8}); }
  static int compare(const char* a, std::string_view b) { return util::compare_bytes({a, 8}, b); }
};
using IntTree = BTree<IntTraits>;

std::string be64(std::uint64_t x) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, x >>= 8) {
    s[static_cast<std::size_t>(i)] = static_cast<char>(x & 0xff);
  }
  return s;
}
std::uint64_t from_be64(const char* p) {
  std::uint64_t x = 0;
  for (int i = 0; i < 8; ++i) x = x << 8 | static_cast<unsigned char>(p[i]);
  return x;
}
std::uint32_t tag_of(const char* k) {
  std::uint32_t t;
  std::memcpy(&t, k + 8, 4);
  return t;
}

constexpr std::uint32_t kReplacedBit = 0x80000000u;

// What the writer does, fixed before it starts. Step s (1..n) inserts key
// value 2 * rank[s] + 2 with tag s, so keys have gaps (odd values) around
// them; after step s with s % 8 == 0 it re-inserts step s - 5's key with tag
// (s - 5) | kReplacedBit.
struct IntPlan {
  IntPlan(std::size_t n, KeyOrder order) : rank(n + 1), step_of_rank(n) {
    std::vector<std::uint64_t> r(n);
    std::iota(r.begin(), r.end(), 0);
    if (order == KeyOrder::kDescending) std::reverse(r.begin(), r.end());
    if (order == KeyOrder::kRandom) std::shuffle(r.begin(), r.end(), std::mt19937_64(n));
    for (std::size_t s = 1; s <= n; ++s) {
      rank[s] = r[s - 1];
      step_of_rank[r[s - 1]] = s;
    }
  }
  std::size_t size() const { return step_of_rank.size(); }
  static bool replaced(std::size_t s) { return (s + 5) % 8 == 0; }
  // The tags step s's key may carry once `published` steps are done: the
  // replacement is certain once its step is published.
  bool tag_ok(std::size_t s, std::uint32_t tag, std::size_t published) const {
    const bool repl = replaced(s) && s + 5 <= size();
    if (tag == (static_cast<std::uint32_t>(s) | kReplacedBit)) return repl;
    return tag == static_cast<std::uint32_t>(s) && !(repl && s + 5 <= published);
  }
  std::vector<std::uint64_t> rank;        // step -> key rank (index 0 unused)
  std::vector<std::size_t> step_of_rank;  // key rank -> step
};

class IntReader : public memtable_test::ReaderTally {
 public:
  IntReader(const IntTree& tree, const IntPlan& plan, const std::atomic<std::size_t>& published,
            int id)
      : ReaderTally(id), tree_(tree), plan_(plan), published_(published), rng_(1000 + id) {}

  bool pass(int round) {
    switch ((id() + round) % 5) {
      case 0:
        return lookups();
      case 1:
        return scan(true);
      case 2:
        return scan(false);
      case 3:
        return seeks(/*hot=*/false);
      default:
        return seeks(/*hot=*/true);
    }
  }

 private:
  std::size_t published() const { return published_.load(std::memory_order_acquire); }

  // "" if `k` is a key the writer inserted, with a tag it may carry now;
  // sets *rank.
  std::string check_key(const char* k, std::size_t published, std::uint64_t* rank) const {
    const std::uint64_t value = from_be64(k);
    if (value % 2 != 0 || value < 2 || (value - 2) / 2 >= plan_.size()) {
      return "key " + std::to_string(value) + " was never inserted";
    }
    *rank = (value - 2) / 2;
    const std::size_t s = plan_.step_of_rank[*rank];
    if (!plan_.tag_ok(s, tag_of(k), published)) {
      return "key of step " + std::to_string(s) + " has tag " + std::to_string(tag_of(k)) +
             " with " + std::to_string(published) + " published";
    }
    return {};
  }

  // Every published key is found by lower_bound, with its current tag.
  bool lookups() {
    const std::size_t c = published();
    if (c == 0) return passed();
    std::uniform_int_distribution<std::size_t> pick(1, c);
    for (int i = 0; i < 2000; ++i) {
      const std::size_t s = pick(rng_);
      const std::string target = be64(2 * plan_.rank[s] + 2);
      const std::optional<const char*> k = tree_.lower_bound(std::string_view(target));
      if (!k || std::memcmp(*k, target.data(), 8) != 0) {
        return fail("lower_bound missed the key of published step " + std::to_string(s));
      }
      std::uint64_t rank;
      if (auto bad = check_key(*k, c, &rank); !bad.empty()) return fail(bad);
    }
    return passed();
  }

  // A whole scan is strictly sorted, holds only inserted keys, and every
  // key published before it began.
  bool scan(bool forward) {
    const std::size_t c = published();
    std::vector<bool> seen(plan_.size(), false);
    IntTree::Iterator it(&tree_);
    forward ? it.seek_to_first() : it.seek_to_last();
    std::uint64_t last = 0;
    bool first = true;
    for (; it.valid(); forward ? it.next() : it.prev()) {
      std::uint64_t rank;
      if (auto bad = check_key(it.key(), c, &rank); !bad.empty()) return fail(bad);
      if (!first && (forward ? rank <= last : rank >= last)) {
        return fail(std::string(forward ? "forward" : "backward") + " scan out of order at rank " +
                    std::to_string(rank));
      }
      first = false;
      last = rank;
      seen[rank] = true;
    }
    for (std::size_t s = 1; s <= c; ++s) {
      if (!seen[plan_.rank[s]]) {
        return fail(std::string(forward ? "forward" : "backward") + " scan missed step " +
                    std::to_string(s) + " of " + std::to_string(c) + " published");
      }
    }
    return passed();
  }

  // The first rank >= r (or <= r going down) whose step is published, or
  // kNone. Scans at most a bounded number of ranks, else gives up (*gave_up).
  std::size_t published_rank(std::uint64_t r, bool up, std::size_t c, bool* gave_up) const {
    for (std::size_t i = 0; i < 4096; ++i) {
      if (r >= plan_.size()) return kNone;
      if (plan_.step_of_rank[r] <= c) return r;
      if (!up && r == 0) return kNone;
      r = up ? r + 1 : r - 1;
    }
    *gave_up = true;
    return kNone;
  }

  // Seeks to targets on keys and in the gaps between them, then a few
  // steps each way: each position is the next published key in that
  // direction or a key inserted since, between it and the last position.
  // Targets are mostly next to a published key (an unpublished region may
  // be far from any), else anywhere; `hot` ones are next to the keys the
  // writer inserts next, in the nodes it is splitting right now.
  bool seeks(bool hot) {
    IntTree::Iterator it(&tree_);
    std::uniform_int_distribution<std::uint64_t> value(0, 2 * plan_.size() + 3);
    for (int i = 0; i < (hot ? 3000 : 300); ++i) {
      const std::size_t c = published();
      if (c == 0 || (hot && c == plan_.size())) break;
      const std::size_t s = hot ? std::min(plan_.size(), c + 1 + rng_() % 4) : 1 + rng_() % c;
      const std::uint64_t near = 2 * plan_.rank[s] + 2;  // >= 2
      const std::uint64_t target = !hot && rng_() % 4 == 0 ? value(rng_) : near - 2 + rng_() % 5;
      it.seek(std::string_view(be64(target)));
      // Ranks >= lo are keys >= target.
      const std::uint64_t lo = target <= 2 ? 0 : (target - 1) / 2;
      bool gave_up = false;
      const std::size_t want = published_rank(lo, true, c, &gave_up);
      if (gave_up) continue;
      if (auto bad = check_position(it, lo, want, true, c); !bad.empty()) {
        return fail("seek " + std::to_string(target) + ": " + bad);
      }
      const bool forward = rng_() % 2 == 0;
      for (int step = 0; step < 8 && it.valid(); ++step) {
        const std::uint64_t at = (from_be64(it.key()) - 2) / 2;
        forward ? it.next() : it.prev();
        if (!forward && at == 0) {
          if (it.valid()) return fail("prev from the first key is valid");
          break;
        }
        const std::uint64_t from = forward ? at + 1 : at - 1;
        const std::size_t next = published_rank(from, forward, c, &gave_up);
        if (gave_up) break;
        if (auto bad = check_position(it, from, next, forward, c); !bad.empty()) {
          return fail("step from rank " + std::to_string(at) + ": " + bad);
        }
      }
    }
    return passed();
  }

  // The iterator must be on rank `want` (kNone: may be invalid) or on a key
  // inserted after the count `c` was read, between `from` and `want`.
  std::string check_position(const IntTree::Iterator& it, std::uint64_t from, std::size_t want,
                             bool up, std::size_t c) const {
    if (!it.valid()) {
      if (want != kNone) return "invalid, want rank " + std::to_string(want);
      return {};
    }
    std::uint64_t rank;
    if (auto bad = check_key(it.key(), c, &rank); !bad.empty()) return bad;
    if (rank == want) return {};
    const bool between = up ? rank >= from && (want == kNone || rank < want)
                            : rank <= from && (want == kNone || rank > want);
    if (!between || plan_.step_of_rank[rank] <= c) {
      return "on rank " + std::to_string(rank) + " (step " +
             std::to_string(plan_.step_of_rank[rank]) + "), want rank " +
             (want == kNone ? std::string("none") : std::to_string(want)) + " with " +
             std::to_string(c) + " published";
    }
    return {};
  }

  const IntTree& tree_;
  const IntPlan& plan_;
  const std::atomic<std::size_t>& published_;
  std::mt19937_64 rng_;
};

TEST_CASE("btree readers see every published key while one writer inserts",
          "[memtable][btree][concurrency]") {
  const std::size_t n = kUnderTsan ? 60000 : 200000;
  const KeyOrder order = GENERATE(KeyOrder::kAscending, KeyOrder::kDescending, KeyOrder::kRandom);
  INFO(order_name(order) << " order, " << n << " keys");
  const IntPlan plan(n, order);
  Arena arena;
  IntTree tree(&arena);
  std::atomic<std::size_t> published{0};
  std::vector<std::unique_ptr<IntReader>> readers;
  for (int id = 0; id < kReaders; ++id) {
    readers.push_back(std::make_unique<IntReader>(tree, plan, published, id));
  }
  run_with_readers(readers, [&](auto checkpoint) {
    auto insert = [&](std::size_t s, std::uint32_t tag) {
      char* k = arena.allocate(12, 4);
      std::memcpy(k, be64(2 * plan.rank[s] + 2).data(), 8);
      std::memcpy(k + 8, &tag, 4);
      return tree.insert_or_replace(k);
    };
    bool ok = true;
    for (std::size_t s = 1; s <= n; ++s) {
      if (s == n / 8 || s == n / 2 || s == n - 1) checkpoint();
      ok &= insert(s, static_cast<std::uint32_t>(s));
      if (s % 8 == 0) ok &= !insert(s - 5, static_cast<std::uint32_t>(s - 5) | kReplacedBit);
      published.store(s, std::memory_order_release);
    }
    CHECK(ok);
  });
  const auto shape = tree.shape();
  CHECK(shape.leaves >= n / btree_detail::kSlots);
  CHECK(shape.height >= 4);
}

// ---------------------------------------------------------------------------
// MemTable with the B+tree.

// The writer's plan: step v (1..n) adds version v of user key key_of(v),
// kind and value functions of v; after step v with v % 8 == 0 it re-adds
// version v - 5 with another value (a replacement at the same version).
// The n / kVersionsPerKey keys come round kVersionsPerKey times, each round
// in random order or in ascending order (the first round then takes the
// append path; later ones put each new version just before the key's older
// ones).
struct EntryPlan {
  static constexpr std::size_t kVersionsPerKey = 4;

  EntryPlan(std::size_t n, bool random) : key_index(n + 1) {
    const std::size_t keys = n / kVersionsPerKey;
    std::mt19937_64 rng(n + (random ? 1 : 0));
    std::vector<std::uint32_t> round(keys);
    for (std::size_t v = 1; v <= n;) {
      std::iota(round.begin(), round.end(), 0);
      if (random) std::shuffle(round.begin(), round.end(), rng);
      for (std::size_t i = 0; i < keys && v <= n; ++i, ++v) key_index[v] = round[i];
    }
    for (std::size_t k = 0; k < keys; ++k) names.push_back(name_of(k));
    // All entries in internal-key order, for the seek checks.
    for (Version v = 1; v <= n; ++v) {
      std::string ik;
      append_internal_key(&ik, names[key_index[v]], v, kind_of(v));
      sorted.push_back({std::move(ik), v});
    }
    std::sort(sorted.begin(), sorted.end(), [](const Sorted& a, const Sorted& b) {
      return compare_internal_keys(a.ikey, b.ikey) < 0;
    });
  }

  // Distinct names of varied lengths, some prefixes of others.
  static std::string name_of(std::size_t k) {
    std::string s = "u" + std::to_string(k * 7919 % 1000003);
    if (k % 3 == 0) s += "/x";
    if (k % 5 == 0) s += std::string(20, 's');
    return s;
  }
  std::size_t size() const { return key_index.size() - 1; }
  const std::string& key_of(Version v) const { return names[key_index[v]]; }
  static EntryKind kind_of(Version v) { return v % 7 == 0 ? EntryKind::kDelete : EntryKind::kPut; }
  static std::string value_of(Version v) {
    if (kind_of(v) == EntryKind::kDelete) return {};
    return "value-" + std::to_string(v) + std::string(v % 13, 'p');
  }
  static std::string replaced_value_of(Version v) {
    if (kind_of(v) == EntryKind::kDelete) return {};
    return "r" + value_of(v);
  }
  bool replaced(Version v) const { return (v + 5) % 8 == 0 && v + 5 <= size(); }

  // "" if (user key, version, kind, value) is what the writer wrote, with
  // the replaced value once the replacement's step is published.
  std::string check(std::string_view user_key, Version v, EntryKind kind, std::string_view value,
                    std::size_t published) const {
    if (v < 1 || v > size()) return "version out of range: " + std::to_string(v);
    if (user_key != key_of(v)) return "wrong key for version " + std::to_string(v);
    if (kind != kind_of(v)) return "wrong kind for version " + std::to_string(v);
    const bool original = value == value_of(v), repl = replaced(v) && value == replaced_value_of(v);
    const bool must_be_replaced = replaced(v) && v + 5 <= published && kind == EntryKind::kPut;
    if (must_be_replaced ? !repl : !(original || repl)) {
      return "wrong value for version " + std::to_string(v) + " with " + std::to_string(published) +
             " published: " + std::string(value);
    }
    return {};
  }

  // Index in `sorted` of the first entry >= ikey.
  std::size_t lower(std::string_view ikey) const {
    return static_cast<std::size_t>(
        std::partition_point(
            sorted.begin(), sorted.end(),
            [&](const Sorted& e) { return compare_internal_keys(e.ikey, ikey) < 0; }) -
        sorted.begin());
  }

  struct Sorted {
    std::string ikey;
    Version version;
  };
  std::vector<std::uint32_t> key_index;  // version -> key (index 0 unused)
  std::vector<std::string> names;
  std::vector<Sorted> sorted;
};

class EntryReader : public memtable_test::ReaderTally {
 public:
  EntryReader(const MemTable& mt, const EntryPlan& plan, const std::atomic<Version>& published,
              int id)
      : ReaderTally(id), mt_(mt), plan_(plan), published_(published), rng_(2000 + id) {}

  bool pass(int round) {
    switch ((id() + round) % 5) {
      case 0:
        return gets();
      case 1:
        return scan(true);
      case 2:
        return scan(false);
      case 3:
        return seeks(/*hot=*/false);
      default:
        return seeks(/*hot=*/true);
    }
  }

 private:
  Version published() const { return published_.load(std::memory_order_acquire); }

  // (a) get() and a seek of published entries find them exactly.
  bool gets() {
    const Version c = published();
    if (c == 0) return passed();
    std::uniform_int_distribution<Version> pick(1, c);
    auto it = mt_.new_iterator();
    for (int i = 0; i < 1000; ++i) {
      const Version v = pick(rng_);
      const std::string& key = plan_.key_of(v);
      const auto r = mt_.get(key, v);
      if (!r) return fail("get missed version " + std::to_string(v));
      if (r->version != v) {
        return fail("get(at=" + std::to_string(v) + ") gave " + std::to_string(r->version));
      }
      if (auto bad = plan_.check(key, r->version, r->kind, r->value, c); !bad.empty()) {
        return fail("get: " + bad);
      }
      // The newest: at least v, and whole.
      const auto newest = mt_.get(key, kMaxVersion);
      if (!newest || newest->version < v) return fail("get(newest) below a published version");
      if (auto bad = plan_.check(key, newest->version, newest->kind, newest->value, c);
          !bad.empty()) {
        return fail("get(newest): " + bad);
      }
      std::string ik;
      append_internal_key(&ik, key, v, EntryPlan::kind_of(v));
      it->seek(ik);
      if (!it->valid() || it->key() != ik) return fail("seek missed version " + std::to_string(v));
      if (auto bad = plan_.check(key, v, EntryPlan::kind_of(v), it->value(), c); !bad.empty()) {
        return fail("seek: " + bad);
      }
    }
    return passed();
  }

  // (b) A whole scan is strictly sorted, whole, without a repeated entry,
  // and holds every entry published before it began.
  bool scan(bool forward) {
    const Version c = published();
    std::vector<bool> seen(plan_.size() + 1, false);
    auto it = mt_.new_iterator();
    std::string last;
    const char* dir = forward ? "forward scan: " : "backward scan: ";
    for (forward ? it->seek_to_first() : it->seek_to_last(); it->valid();
         forward ? it->next() : it->prev()) {
      ParsedKey k;
      if (!parse_internal_key(it->key(), &k)) return fail(std::string(dir) + "unparsable key");
      if (auto bad = plan_.check(k.user_key, k.version, k.kind, it->value(), c); !bad.empty()) {
        return fail(dir + bad);
      }
      if (!last.empty()) {
        const int cmp = compare_internal_keys(last, it->key());
        if (forward ? cmp >= 0 : cmp <= 0) {
          return fail(dir + std::string("out of order at version ") + std::to_string(k.version));
        }
      }
      last.assign(it->key());
      if (seen[k.version]) {
        return fail(dir + std::string("version twice: ") + std::to_string(k.version));
      }
      seen[k.version] = true;
    }
    const Version after = published();
    for (Version v = 1; v <= c; ++v) {
      if (!seen[v]) {
        return fail(dir + std::string("missed version ") + std::to_string(v) + " of " +
                    std::to_string(c) + " published");
      }
    }
    // The writer publishes a step after adding it: at most the one being
    // added may show beyond the count read afterwards.
    for (Version v = after + 2; v <= plan_.size(); ++v) {
      if (seen[v]) return fail(dir + std::string("saw unpublished version ") + std::to_string(v));
    }
    return passed();
  }

  // The first index at or after i (or at or before it going down) in
  // plan_.sorted whose version is published, or kNone; *gave_up if that
  // takes too long (few entries published yet).
  std::size_t published_at(std::size_t i, bool up, Version c, bool* gave_up) const {
    for (std::size_t n = 0; n < 4096; ++n) {
      if (i >= plan_.sorted.size()) return kNone;
      if (plan_.sorted[i].version <= c) return i;
      if (!up && i == 0) return kNone;
      i = up ? i + 1 : i - 1;
    }
    *gave_up = true;
    return kNone;
  }

  // The iterator is on sorted index `want` (kNone: it may be invalid) or
  // on an entry added after `c` was read, between `from` and `want`.
  // Sets *at to its index.
  std::string check_position(const InternalIterator& it, std::size_t from, std::size_t want,
                             bool up, Version c, std::size_t* at) const {
    *at = kNone;
    if (!it.valid()) {
      if (want != kNone) {
        return "invalid, want version " + std::to_string(plan_.sorted[want].version);
      }
      return {};
    }
    ParsedKey k;
    if (!parse_internal_key(it.key(), &k)) return "unparsable key";
    if (auto bad = plan_.check(k.user_key, k.version, k.kind, it.value(), c); !bad.empty()) {
      return bad;
    }
    const std::size_t i = plan_.lower(it.key());
    if (i >= plan_.sorted.size() || plan_.sorted[i].version != k.version) return "not an entry";
    *at = i;
    if (i == want) return {};
    const bool between =
        up ? i >= from && (want == kNone || i < want) : i <= from && (want == kNone || i > want);
    if (!between || k.version <= c) {
      return "on version " + std::to_string(k.version) + ", want " +
             (want == kNone ? std::string("none")
                            : "version " + std::to_string(plan_.sorted[want].version)) +
             " with " + std::to_string(c) + " published";
    }
    return {};
  }

  // (c) Seeks to entries, just past them, into version gaps, to absent user
  // keys and bare user keys land on the lower bound among the entries
  // published before the seek, or on an entry added since that lies between
  // the target and it; then a few steps either way obey the same rule.
  // Targets are mostly around a published entry, else around any; `hot`
  // ones around the entries the writer adds next, in the nodes it is
  // splitting right now.
  bool seeks(bool hot) {
    auto it = mt_.new_iterator();
    const Version n = plan_.size();
    for (int i = 0; i < (hot ? 3000 : 300); ++i) {
      const Version c = published();
      if (c == 0 || (hot && c == n)) break;
      const Version v = hot               ? std::min<Version>(n, c + 1 + rng_() % 4)
                        : rng_() % 4 == 0 ? 1 + rng_() % n
                                          : 1 + rng_() % c;
      const std::string& key = plan_.key_of(v);
      std::string target;
      switch (rng_() % 6) {
        case 0:
        case 1:
          append_internal_key(&target, key, v, EntryPlan::kind_of(v));
          break;
        case 2:
          target = memtable_test::seek_target(key, v, 0);
          break;
        case 3:
          target = seek_key(key, v - 1);
          break;
        case 4:
          target = seek_key(key + std::string(1, '\0'), kMaxVersion);
          break;
        default:
          target = key.substr(0, 1 + rng_() % 7);  // a bare user key
          break;
      }
      it->seek(target);
      const std::string as_ikey =
          target.size() < kTrailerSize ? seek_key(target, kMaxVersion) : target;
      const std::size_t lo = plan_.lower(as_ikey);
      bool gave_up = false;
      const std::size_t want = published_at(lo, true, c, &gave_up);
      if (gave_up) continue;
      std::size_t at;
      if (auto bad = check_position(*it, lo, want, true, c, &at); !bad.empty()) {
        return fail("seek: " + bad);
      }
      const bool forward = rng_() % 2 == 0;
      for (int step = 0; step < 8 && it->valid(); ++step) {
        forward ? it->next() : it->prev();
        if (!forward && at == 0) {
          if (it->valid()) return fail("prev from the first entry is valid");
          break;
        }
        const std::size_t from = forward ? at + 1 : at - 1;
        const std::size_t next = published_at(from, forward, c, &gave_up);
        if (gave_up) break;
        if (auto bad = check_position(*it, from, next, forward, c, &at); !bad.empty()) {
          return fail(std::string(forward ? "next: " : "prev: ") + bad);
        }
      }
    }
    return passed();
  }

  const MemTable& mt_;
  const EntryPlan& plan_;
  const std::atomic<Version>& published_;
  std::mt19937_64 rng_;
};

TEST_CASE("memtable btree readers see exactly the published entries while one writer adds",
          "[memtable][btree][concurrency]") {
  const std::size_t n = kUnderTsan ? 60000 : 200000;
  const bool random = GENERATE(true, false);
  INFO((random ? "random" : "sequential") << " key order, " << n << " entries");
  const EntryPlan plan(n, random);
  auto mt = std::make_shared<MemTable>(MemTableIndex::kBTree);
  std::atomic<Version> published{0};
  std::vector<std::unique_ptr<EntryReader>> readers;
  for (int id = 0; id < kReaders; ++id) {
    readers.push_back(std::make_unique<EntryReader>(*mt, plan, published, id));
  }
  run_with_readers(readers, [&](auto checkpoint) {
    for (Version v = 1; v <= n; ++v) {
      if (v == n / 8 || v == n / 2 || v == n - 1) checkpoint();
      mt->add(v, EntryPlan::kind_of(v), plan.key_of(v), EntryPlan::value_of(v));
      if (v % 8 == 0) {
        const Version old = v - 5;
        mt->add(old, EntryPlan::kind_of(old), plan.key_of(old), EntryPlan::replaced_value_of(old));
      }
      published.store(v, std::memory_order_release);
    }
  });
  CHECK(mt->entries() == n);
  CHECK(mt->max_version() == n);
}

}  // namespace
}  // namespace sand
