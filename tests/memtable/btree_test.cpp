// BTree (memtable/btree.hpp) on its own, single-threaded: the permutation
// word, slices, splits at every height in ascending, descending and random
// order (with the shapes they must give), replacement, keys that share long
// prefixes or are prefixes of each other, memtable entries at many versions
// of one key, and a RapidCheck model test against std::map.
//
// Most tests use BytesTraits: a key is a byte string in the arena with a
// 32-bit tag beside it that takes no part in the order, so a replacement is
// told apart from the key it replaced by its pointer and its tag.
#include "memtable/btree.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <numeric>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "memtable/arena.hpp"
#include "memtable/entry.hpp"
#include "memtable/ordered_index.hpp"
#include "memtable_test_model.hpp"
#include "util/compare_bytes.hpp"
#include "util/internal_key.hpp"

namespace sand {
namespace {

using btree_detail::common_prefix;
using btree_detail::kPermPositions;
using btree_detail::kSlots;
using btree_detail::Permutation;
using btree_detail::slice_at;

// ---- Byte-string keys ----

// A key in the arena: uint32 size, uint32 tag, then the bytes.
const char* make_key(Arena& arena, std::string_view bytes, std::uint32_t tag = 0) {
  char* p = arena.allocate(8 + bytes.size(), 4);
  const auto size = static_cast<std::uint32_t>(bytes.size());
  std::memcpy(p, &size, 4);
  std::memcpy(p + 4, &tag, 4);
  if (!bytes.empty()) std::memcpy(p + 8, bytes.data(), bytes.size());
  return p;
}
std::string_view key_bytes(const char* k) {
  std::uint32_t size;
  std::memcpy(&size, k, 4);
  return {k + 8, size};
}
std::uint32_t key_tag(const char* k) {
  std::uint32_t tag;
  std::memcpy(&tag, k + 4, 4);
  return tag;
}

// Byte-wise order of the bytes; the tag is payload. Targets are string_views.
struct BytesTraits {
  using Key = const char*;
  static std::string_view order_bytes(const char* k) { return key_bytes(k); }
  static std::string_view order_bytes(std::string_view target) { return target; }
  static int compare(const char* a, const char* b) {
    return util::compare_bytes(key_bytes(a), key_bytes(b));
  }
  static int compare(const char* a, std::string_view b) {
    return util::compare_bytes(key_bytes(a), b);
  }
};
using Tree = BTree<BytesTraits>;
// Key bytes -> the key pointer the tree must hold for them.
using Model = std::map<std::string, const char*>;

std::string be64(std::uint64_t x) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, x >>= 8) {
    s[static_cast<std::size_t>(i)] = static_cast<char>(x & 0xff);
  }
  return s;
}

std::string printable(std::string_view s) {
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f && b != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return '"' + out + '"';
}

// A tree and its model, filled by insert().
struct Filled {
  explicit Filled(std::size_t initial_block = Arena::kDefaultInitialBlock)
      : arena(initial_block), tree(&arena) {}
  // Inserts (or replaces) `bytes` with `tag`; returns what the tree said.
  bool insert(std::string_view bytes, std::uint32_t tag = 0) {
    const char* k = make_key(arena, bytes, tag);
    model[std::string(bytes)] = k;
    return tree.insert_or_replace(k);
  }
  Arena arena;
  Tree tree;
  Model model;
};

std::vector<const char*> forward(const Tree& tree) {
  std::vector<const char*> out;
  Tree::Iterator it(&tree);
  for (it.seek_to_first(); it.valid(); it.next()) out.push_back(it.key());
  return out;
}
std::vector<const char*> backward(const Tree& tree) {
  std::vector<const char*> out;
  Tree::Iterator it(&tree);
  for (it.seek_to_last(); it.valid(); it.prev()) out.push_back(it.key());
  return out;
}
std::vector<const char*> model_pointers(const Model& model) {
  std::vector<const char*> out;
  for (const auto& [bytes, k] : model) out.push_back(k);
  return out;
}

// "" if a seek to `target` lands where the model says, and prev() then
// next() from there reach its neighbours; else what went wrong.
std::string check_seek(const Tree& tree, const Model& model, std::string_view target) {
  const auto want = model.lower_bound(std::string(target));
  const std::string at = "seek " + printable(target) + ": ";
  const std::optional<const char*> lb = tree.lower_bound(target);
  if (want == model.end()) {
    if (lb) return at + "lower_bound gave " + printable(key_bytes(*lb)) + ", want none";
  } else if (!lb || *lb != want->second) {
    return at + "lower_bound gave " + (lb ? printable(key_bytes(*lb)) : "none") + ", want " +
           printable(want->first);
  }
  Tree::Iterator it(&tree);
  it.seek(target);
  if (want == model.end()) {
    if (it.valid()) return at + "iterator valid past the end";
    return {};
  }
  if (!it.valid() || it.key() != want->second) return at + "iterator not on the lower bound";
  it.prev();
  if (want == model.begin()) {
    if (it.valid()) return at + "prev from the first key is valid";
    return {};
  }
  if (!it.valid() || it.key() != std::prev(want)->second) return at + "prev missed the predecessor";
  it.next();
  if (!it.valid() || it.key() != want->second) return at + "next did not come back";
  return {};
}

// Targets around every key: the key, just after it (key + "\0"), before it
// (its bytes less the last one, the last byte decremented) and between it
// and its successor (last byte incremented, 0xff appended), plus both ends.
std::vector<std::string> targets_around(const Model& model) {
  std::vector<std::string> out = {"", std::string(1, '\0'), std::string(40, '\xff')};
  for (const auto& [k, ptr] : model) {
    out.push_back(k);
    out.push_back(k + '\0');
    out.push_back(k + '\xff');
    if (k.empty()) continue;
    out.push_back(k.substr(0, k.size() - 1));
    std::string t = k;
    if (static_cast<unsigned char>(t.back()) < 0xff) {
      ++t.back();
      out.push_back(t);
    }
    t = k;
    if (static_cast<unsigned char>(t.back()) > 0) {
      --t.back();
      out.push_back(t);
    }
  }
  return out;
}

// "" if forward and backward iteration, lower_bound, seek/prev/next and
// empty() all agree with the model; else the first disagreement.
std::string check_tree(const Tree& tree, const Model& model) {
  const std::vector<const char*> want = model_pointers(model);
  if (forward(tree) != want) return "forward iteration differs from the model";
  if (backward(tree) != std::vector<const char*>(want.rbegin(), want.rend())) {
    return "backward iteration differs from the model";
  }
  if (tree.empty() != model.empty()) return "empty() is wrong";
  for (const std::string& t : targets_around(model)) {
    if (std::string bad = check_seek(tree, model, t); !bad.empty()) return bad;
  }
  return {};
}

// ---- Permutation ----

// The 15 slot nibbles of `p` in position order (past the count too).
std::vector<int> nibbles(Permutation p) {
  std::vector<int> out;
  for (int pos = 0; pos < kPermPositions; ++pos) out.push_back(p.slot(pos));
  return out;
}
std::uint64_t bits_of(const std::vector<int>& slots, int count) {
  std::uint64_t b = static_cast<std::uint64_t>(count);
  for (int pos = 0; pos < kPermPositions; ++pos) {
    b |= static_cast<std::uint64_t>(slots[static_cast<std::size_t>(pos)]) << (4 * pos + 4);
  }
  return b;
}

TEST_CASE("an empty permutation lists no slots and offers slot 0", "[memtable][btree]") {
  const Permutation p;
  CHECK(p.bits() == Permutation::kEmpty);
  CHECK(p.size() == 0);
  CHECK(p.free_slot() == 0);
  std::vector<int> all(kPermPositions);
  std::iota(all.begin(), all.end(), 0);
  CHECK(nibbles(p) == all);
  for (int n = 0; n <= kPermPositions; ++n) {
    CAPTURE(n);
    const Permutation s = Permutation::sorted(n);
    CHECK(s.size() == n);
    CHECK(nibbles(s) == all);
    if (n < kPermPositions) CHECK(s.free_slot() == n);
  }
}

TEST_CASE("permutation inserted() matches a vector model at every position", "[memtable][btree]") {
  // From every reachable shape: the sorted fills (each new slot at the end,
  // at the front, in the middle) and random ones, insert at every position
  // 0..n for n = 0..14 and compare all 15 nibbles and the count.
  std::mt19937 rng(42);
  enum Fill { kAppend, kFront, kMiddle, kRandom };
  for (const Fill fill : {kAppend, kFront, kMiddle, kRandom, kRandom, kRandom, kRandom}) {
    Permutation p;
    std::vector<int> model(kPermPositions);  // all 15 nibbles: used ones, then free ones
    std::iota(model.begin(), model.end(), 0);
    for (int n = 0; n < kPermPositions; ++n) {
      CAPTURE(fill, n);
      REQUIRE(p.size() == n);
      REQUIRE(p.free_slot() == model[static_cast<std::size_t>(n)]);
      for (int pos = 0; pos <= n; ++pos) {
        CAPTURE(pos);
        std::vector<int> want = model;
        const int s = want[static_cast<std::size_t>(n)];
        want.erase(want.begin() + n);
        want.insert(want.begin() + pos, s);
        const Permutation q = p.inserted(pos);
        CHECK(q.size() == n + 1);
        CHECK(q.slot(pos) == s);
        CHECK(nibbles(q) == want);
        CHECK(q.bits() == bits_of(want, n + 1));
        if (n + 1 < kPermPositions) {
          // The next free slot is one never listed so far.
          const int f = q.free_slot();
          CHECK(std::find(want.begin(), want.begin() + n + 1, f) == want.begin() + n + 1);
        }
        // The used slots are distinct and the 15 nibbles a permutation of 0..14.
        std::vector<int> sorted = nibbles(q);
        std::sort(sorted.begin(), sorted.end());
        std::vector<int> all(kPermPositions);
        std::iota(all.begin(), all.end(), 0);
        CHECK(sorted == all);
      }
      const int pos = fill == kAppend   ? n
                      : fill == kFront  ? 0
                      : fill == kMiddle ? n / 2
                                        : std::uniform_int_distribution<int>(0, n)(rng);
      const int s = model[static_cast<std::size_t>(n)];
      model.erase(model.begin() + n);
      model.insert(model.begin() + pos, s);
      p = p.inserted(pos);
    }
    CHECK(p.size() == kPermPositions);
    CHECK(nibbles(p) == model);
  }
}

TEST_CASE("a permutation filled at the end equals sorted(n)", "[memtable][btree]") {
  Permutation p;
  for (int n = 0; n < kPermPositions; ++n) {
    CHECK(p.bits() == Permutation::sorted(n).bits());
    p = p.inserted(n);
  }
  CHECK(p.bits() == Permutation::sorted(kPermPositions).bits());
}

TEST_CASE("a truncated permutation frees the slots past its count in order", "[memtable][btree]") {
  // A full leaf shrunk to its first `keep` positions (a split in place):
  // the slots of the positions it dropped are the next free ones, in the
  // order they were listed, and inserting reuses them.
  std::mt19937 rng(5);
  for (int keep = 0; keep <= kSlots; ++keep) {
    CAPTURE(keep);
    Permutation p;
    for (int n = 0; n < kSlots; ++n) p = p.inserted(std::uniform_int_distribution<int>(0, n)(rng));
    const Permutation t = p.truncated(keep);
    CHECK(t.size() == keep);
    CHECK(nibbles(t) == nibbles(p));
    if (keep < kSlots) {
      CHECK(t.free_slot() == p.slot(keep));
      const Permutation u = t.inserted(0);
      CHECK(u.slot(0) == p.slot(keep));
      for (int pos = 0; pos < keep; ++pos) CHECK(u.slot(pos + 1) == p.slot(pos));
    }
  }
}

// ---- Slices ----

TEST_CASE("slice_at takes 8 bytes big-endian from skip and pads with zeros", "[memtable][btree]") {
  CHECK(slice_at("", 0) == 0);
  CHECK(slice_at("", 5) == 0);
  CHECK(slice_at("\x01", 0) == 0x0100000000000000ULL);
  CHECK(slice_at("abcdefghij", 0) == 0x6162636465666768ULL);
  CHECK(slice_at("abcdefghij", 2) == 0x636465666768696aULL);
  CHECK(slice_at("abcdefghij", 9) == 0x6a00000000000000ULL);
  CHECK(slice_at("abcdefghij", 10) == 0);
  CHECK(slice_at("abcdefghij", 11) == 0);
  CHECK(slice_at(std::string(8, '\xff'), 0) == ~std::uint64_t{0});
  CHECK(slice_at(std::string(9, '\xff'), 1) == ~std::uint64_t{0});
  CHECK(slice_at(std::string_view("\x00\x00\x01", 3), 0) == 0x0000010000000000ULL);
  // Zero padding: a key and the same key with zero bytes appended tie.
  CHECK(slice_at("a", 0) == slice_at(std::string_view("a\0\0", 3), 0));
  CHECK(common_prefix("", "") == 0);
  CHECK(common_prefix("abc", "abd") == 2);
  CHECK(common_prefix("ab", "abc") == 2);
  CHECK(common_prefix(std::string_view("a\0", 2), "a") == 1);
  CHECK(common_prefix("\xff", "\x7f") == 0);
}

rc::Gen<std::string> gen_bytes(int max_len) {
  return rc::gen::mapcat(rc::gen::inRange(0, max_len + 1), [](int n) {
    return rc::gen::container<std::string>(
        static_cast<std::size_t>(n), rc::gen::elementOf(std::string("\0\x01\x7f\x80\xff", 5)));
  });
}

TEST_CASE("slices at a shared prefix order like the keys", "[memtable][btree][property]") {
  rc::prop("slice(a) < slice(b) implies a < b and a < b implies slice(a) <= slice(b)", [] {
    const std::string prefix = *gen_bytes(20);
    const std::string a = prefix + *gen_bytes(12);
    const std::string b = prefix + *gen_bytes(12);
    // Any skip within the prefix the two share.
    const auto shared = common_prefix(a, b);
    const auto skip = *rc::gen::inRange<std::size_t>(0, shared + 1);
    const std::uint64_t sa = slice_at(a, skip), sb = slice_at(b, skip);
    const int c = util::compare_bytes(a, b);
    if (sa < sb) RC_ASSERT(c < 0);
    if (sa > sb) RC_ASSERT(c > 0);
    if (c < 0) RC_ASSERT(sa <= sb);
    if (c > 0) RC_ASSERT(sa >= sb);
    // A tie means the 8 bytes from skip, zero-padded, are equal.
    auto window = [skip](const std::string& s) {
      std::string w = skip < s.size() ? s.substr(skip, 8) : std::string();
      w.resize(8, '\0');
      return w;
    };
    RC_ASSERT((sa == sb) == (window(a) == window(b)));
  });
}

// ---- Splits and shapes ----

// Height of a tree filled in ascending order: leaves hold 14 keys and inner
// nodes 15 children, both filled completely by the append path.
int full_height(std::size_t n) {
  int h = 1;
  for (std::size_t cap = kSlots; cap < n; cap *= kSlots + 1) ++h;
  return h;
}
std::size_t div_up(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

enum class Order { kAscending, kDescending, kRandom };
const char* order_name(Order o) {
  return o == Order::kAscending ? "ascending" : o == Order::kDescending ? "descending" : "random";
}

// Key i of a split test: 8 bytes big-endian of 2i + 2, so every key has a
// gap on both sides.
std::string split_key(std::size_t i) { return be64(2 * i + 2); }

TEST_CASE("splits keep the tree ordered and shaped at every height", "[memtable][btree]") {
  const std::size_t n =
      GENERATE(as<std::size_t>{}, 1, 13, 14, 15, 16, 196, 210, 211, 2955, 3150, 3151, 50000);
  const Order order = GENERATE(Order::kAscending, Order::kDescending, Order::kRandom);
  INFO("n = " << n << ", " << order_name(order) << " order");
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  if (order == Order::kDescending) std::reverse(idx.begin(), idx.end());
  if (order == Order::kRandom) std::shuffle(idx.begin(), idx.end(), std::mt19937(n));

  Filled f;
  std::size_t records = 0;  // inserts above every earlier key
  std::size_t top = 0;
  int last_height = 1;
  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t i = idx[j];
    if (j == 0 || i > top) {
      ++records;
      top = i;
    }
    REQUIRE(f.insert(split_key(i), static_cast<std::uint32_t>(i)));
    if ((j & (j + 1)) == 0) {  // j + 1 a power of two: the height never shrinks
      const int h = f.tree.shape().height;
      REQUIRE(h >= last_height);
      last_height = h;
    }
  }
  CHECK(check_tree(f.tree, f.model) == "");

  const auto shape = f.tree.shape();
  INFO("height " << shape.height << ", leaves " << shape.leaves << ", inners " << shape.inners);
  CHECK(shape.leaves >= div_up(n, kSlots));
  CHECK(shape.height >= full_height(n));
  CHECK((shape.height == 1) == (shape.inners == 0));
  CHECK(shape.node_bytes >= shape.leaves * sizeof(Tree::Leaf) + shape.inners * sizeof(Tree::Inner));
  // Leaves split in place: every leaf ever built is still in the tree.
  CHECK(shape.leaves_built == shape.leaves);
  switch (order) {
    case Order::kAscending: {
      // The append path fills every node, and copies none.
      CHECK(shape.height == full_height(n));
      CHECK(shape.leaves == div_up(n, kSlots));
      std::size_t inners = 0;
      for (std::size_t level = shape.leaves; level > 1;) {
        level = div_up(level, kSlots + 1);
        inners += level;
      }
      CHECK(shape.inners == inners);
      CHECK(shape.node_bytes ==
            shape.leaves * sizeof(Tree::Leaf) + shape.inners * sizeof(Tree::Inner));
      break;
    }
    case Order::kDescending: {
      // Every insert goes to the front of the leftmost leaf. A full one
      // hands all its 14 keys to a new right neighbour and starts over, so
      // leaves are full; a full inner node's 16 children split 8 / 8, and
      // only the leftmost inner node of each level grows again.
      std::size_t level = div_up(n, kSlots);
      CHECK(shape.leaves == level);
      int height = 1;
      std::size_t inners = 0;
      while (level > 1) {
        level = level <= kSlots + 1 ? 1 : 2 + (level - kSlots - 2) / 8;
        inners += level;
        ++height;
      }
      CHECK(shape.height == height);
      CHECK(shape.inners == inners);
      break;
    }
    case Order::kRandom:
      // A split leaves at least 7 keys on each side; only a leaf begun by an
      // append (a new largest key) or the leftmost leaf, which starts over
      // when a key below all others finds it full, can hold fewer.
      CHECK(shape.leaves <= n / 7 + 2 + records);
      break;
  }
}

TEST_CASE("an empty tree has no positions", "[memtable][btree]") {
  Arena arena;
  Tree tree(&arena);
  CHECK(tree.empty());
  Tree::Iterator it(&tree);
  CHECK_FALSE(it.valid());
  it.seek_to_first();
  CHECK_FALSE(it.valid());
  it.seek_to_last();
  CHECK_FALSE(it.valid());
  it.seek(std::string_view(""));
  CHECK_FALSE(it.valid());
  it.seek(std::string_view("k"));
  CHECK_FALSE(it.valid());
  CHECK_FALSE(tree.lower_bound(std::string_view("")).has_value());
  const auto shape = tree.shape();
  CHECK(shape.height == 1);
  CHECK(shape.leaves == 1);
  CHECK(shape.inners == 0);
}

TEST_CASE("seek_many finds what lower_bound finds", "[memtable][btree]") {
  Filled f;
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) f.insert(be64(rng() % 5000));
  std::vector<std::string> owned;
  for (int i = 0; i < 300; ++i) owned.push_back(be64(rng() % 5100));
  owned.push_back("");
  owned.push_back(std::string(9, '\xff'));
  const std::vector<std::string_view> targets(owned.begin(), owned.end());
  std::vector<std::optional<const char*>> out(targets.size());
  f.tree.seek_many(std::span<const std::string_view>(targets),
                   std::span<std::optional<const char*>>(out));
  for (std::size_t i = 0; i < targets.size(); ++i) {
    CAPTURE(i);
    CHECK(out[i] == f.tree.lower_bound(targets[i]));
  }
}

// ---- Replacement ----

TEST_CASE("inserting an equal key replaces the key pointer in its slot", "[memtable][btree]") {
  SECTION("in a one-key tree") {
    Filled f;
    CHECK(f.insert("k", 1));
    CHECK_FALSE(f.insert("k", 2));
    Tree::Iterator it(&f.tree);
    it.seek_to_first();
    REQUIRE(it.valid());
    CHECK(key_tag(it.key()) == 2);
    CHECK(it.key() == f.model["k"]);
    it.next();
    CHECK_FALSE(it.valid());
  }
  SECTION("the last key right after appends") {
    // An equal key is not past the last one: the append shortcut must not
    // take it.
    Filled f;
    for (std::size_t i = 0; i < 20; ++i) REQUIRE(f.insert(split_key(i), 1));
    CHECK_FALSE(f.insert(split_key(19), 2));
    CHECK(key_tag(*f.tree.lower_bound(std::string_view(split_key(19)))) == 2);
    CHECK(f.tree.shape().leaves == 2);
    CHECK(check_tree(f.tree, f.model) == "");
  }
  SECTION("every key of a three-level tree after random splits") {
    Filled f;
    std::vector<std::size_t> idx(3376);
    std::iota(idx.begin(), idx.end(), 0);
    std::mt19937 rng(3);
    std::shuffle(idx.begin(), idx.end(), rng);
    for (const std::size_t i : idx) REQUIRE(f.insert(split_key(i), 1));
    const auto before = f.tree.shape();
    REQUIRE(before.height >= 3);
    std::shuffle(idx.begin(), idx.end(), rng);
    std::size_t replaced = 0;
    for (const std::size_t i : idx) replaced += f.insert(split_key(i), 2) ? 0 : 1;
    CHECK(replaced == idx.size());
    const auto after = f.tree.shape();
    CHECK(after.leaves == before.leaves);
    CHECK(after.height == before.height);
    CHECK(after.node_bytes == before.node_bytes);  // a replacement builds no node
    for (const char* k : forward(f.tree)) {
      if (key_tag(k) != 2) FAIL("key " << printable(key_bytes(k)) << " still has tag 1");
    }
    CHECK(check_tree(f.tree, f.model) == "");
  }
}

// ---- Prefixes, ties and skips ----

std::string check_orders(const std::vector<std::string>& keys) {
  for (const Order order : {Order::kAscending, Order::kDescending, Order::kRandom}) {
    std::vector<std::string> ks = keys;
    std::sort(ks.begin(), ks.end());
    if (order == Order::kDescending) std::reverse(ks.begin(), ks.end());
    if (order == Order::kRandom) std::shuffle(ks.begin(), ks.end(), std::mt19937(11));
    Filled f;
    for (const std::string& k : ks) {
      if (!f.insert(k)) return std::string(order_name(order)) + ": duplicate " + printable(k);
    }
    if (std::string bad = check_tree(f.tree, f.model); !bad.empty()) {
      return std::string(order_name(order)) + ": " + bad;
    }
  }
  return {};
}

TEST_CASE("keys sharing a 100-byte prefix and differing in the last byte", "[memtable][btree]") {
  const std::string p(100, 'p');
  std::vector<std::string> keys = {"", "a", "q", p.substr(0, 50), p, p + std::string(9, '\xff')};
  for (int c = 0; c < 256; ++c) {
    const std::string k = p + static_cast<char>(c);
    keys.push_back(k);
    keys.push_back(k + static_cast<char>(c));
    keys.push_back(k + '\0');
    keys.push_back(k + std::string(12, 'z') + static_cast<char>(255 - c));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  CHECK(check_orders(keys) == "");
}

TEST_CASE("keys that are prefixes of each other sort shorter first", "[memtable][btree]") {
  std::vector<std::string> keys = {
      "",  std::string(1, '\0'), std::string(2, '\0'), "a", "ab", "a\xff", "a\x01",
      "b", std::string(9, '\0')};
  for (int z = 1; z <= 20; ++z)
    keys.push_back("a" + std::string(static_cast<std::size_t>(z), '\0'));
  for (int z = 1; z <= 20; ++z) {
    keys.push_back("a" + std::string(static_cast<std::size_t>(z), '\0') + "\x01");
  }
  CHECK(check_orders(keys) == "");

  // Each small enough for a single leaf too: the zero padding of the slice
  // then ties at skip 0.
  CHECK(check_orders({"a", std::string("a\0", 2), std::string("a\0\0", 3), "ab"}) == "");
  CHECK(check_orders({""}) == "");
  CHECK(check_orders({"", std::string(1, '\0')}) == "");
}

TEST_CASE("keys whose slices tie at byte 8 still order exactly", "[memtable][btree]") {
  // The same first 8 bytes everywhere (the root's slices all tie), then a
  // varying part, 8 more equal bytes (the slices of nodes whose skip ends in
  // the varying part tie again) and a varying tail of various lengths.
  std::vector<std::string> keys;
  for (std::uint32_t i = 0; i < 64; ++i) {
    const std::string head = "AAAAAAAA" + be64(i).substr(4) + "BBBBBBBB";
    keys.push_back(head);
    keys.push_back(head + '\0');
    for (std::uint32_t j = 0; j < 46; ++j) keys.push_back(head + be64(j * 977).substr(6));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  REQUIRE(keys.size() > 3000);
  CHECK(check_orders(keys) == "");
}

TEST_CASE("the empty key is a key like any other", "[memtable][btree]") {
  Filled f;
  CHECK(f.insert("", 1));
  CHECK(f.insert(std::string(1, '\0'), 1));
  CHECK_FALSE(f.insert("", 2));
  auto lb = f.tree.lower_bound(std::string_view(""));
  REQUIRE(lb);
  CHECK(key_bytes(*lb).empty());
  CHECK(key_tag(*lb) == 2);
  CHECK(check_tree(f.tree, f.model) == "");
}

// ---- Memtable entries ----

using EntryTree = BTree<MemTableEntryTraits>;
using memtable_entry::LookupKey;

TEST_CASE("memtable entries of one key at 1000 versions span leaves and seek exactly",
          "[memtable][btree]") {
  Arena arena;
  EntryTree tree(&arena);
  // Internal key -> entry; internal keys compare as compare_internal_keys.
  struct IkeyOrder {
    bool operator()(const std::string& a, const std::string& b) const {
      return compare_internal_keys(a, b) < 0;
    }
  };
  std::map<std::string, const char*, IkeyOrder> model;
  std::vector<std::tuple<std::string, Version, EntryKind>> adds;
  for (Version v = 2; v <= 2000; v += 2) {
    adds.emplace_back("key", v, v % 6 == 0 ? EntryKind::kDelete : EntryKind::kPut);
  }
  const std::vector<std::string> neighbours = {
      "", "ke", "kex", "key" + std::string(1, '\0'), "keya", "kez", "key\xff"};
  for (const std::string& k : neighbours) {
    for (Version v : {1, 500, 1001, 2001}) adds.emplace_back(k, v, EntryKind::kPut);
  }
  std::shuffle(adds.begin(), adds.end(), std::mt19937(5));
  auto value_of = [](std::string_view k, Version v) {
    return std::string(k) + "@" + std::to_string(v);
  };
  for (const auto& [k, v, kind] : adds) {
    const std::string value = kind == EntryKind::kPut ? value_of(k, v) : std::string();
    const char* e = memtable_entry::encode(&arena, k, v, kind, value);
    REQUIRE(tree.insert_or_replace(e));
    model[std::string(memtable_entry::internal_key(e))] = e;
  }
  REQUIRE(tree.shape().leaves > 1000 / kSlots);

  // Iteration both ways.
  std::vector<const char*> want;
  for (const auto& [ik, e] : model) want.push_back(e);
  std::vector<const char*> got;
  EntryTree::Iterator it(&tree);
  for (it.seek_to_first(); it.valid(); it.next()) got.push_back(it.key());
  CHECK(got == want);
  got.clear();
  for (it.seek_to_last(); it.valid(); it.prev()) got.push_back(it.key());
  CHECK(got == std::vector<const char*>(want.rbegin(), want.rend()));

  // Seeks: at every version of every key (in the gaps between versions
  // too), with each kind byte, and bare user keys.
  std::vector<std::string> user_keys = neighbours;
  user_keys.push_back("key");
  user_keys.push_back("k");
  user_keys.push_back("kf");
  std::size_t bad = 0;
  std::string first_bad;
  for (const std::string& uk : user_keys) {
    for (Version v = 0; v <= 2003; ++v) {
      for (const int kind : {0, 1, 0xff}) {
        const std::string target = memtable_test::seek_target(uk, v, kind);
        const auto m = model.lower_bound(target);
        const std::optional<const char*> lb =
            tree.lower_bound(LookupKey::from_internal_key(target));
        const bool ok = m == model.end() ? !lb.has_value() : (lb && *lb == m->second);
        if (!ok && bad++ == 0) first_bad = printable(uk) + " at " + std::to_string(v);
      }
    }
    // A bare user key (trailer all ones) sorts before all its entries.
    const auto m = model.lower_bound(memtable_test::seek_target(uk, kMaxVersion, 0xff));
    const auto lb = tree.lower_bound(LookupKey{uk, ~std::uint64_t{0}});
    const bool ok = m == model.end() ? !lb.has_value() : (lb && *lb == m->second);
    if (!ok && bad++ == 0) first_bad = "bare " + printable(uk);
  }
  INFO(first_bad);
  CHECK(bad == 0);

  // get(): the newest version <= at, for "key" at every version.
  for (Version at = 0; at <= 2002; ++at) {
    const auto lb = tree.lower_bound(LookupKey::at_version("key", at));
    REQUIRE(lb);
    const std::string_view ik = memtable_entry::internal_key(*lb);
    if (at < 2) {
      CHECK(user_key_of(ik) == "key" + std::string(1, '\0'));
    } else {
      CAPTURE(at);
      CHECK(user_key_of(ik) == "key");
      CHECK(memtable_entry::version(*lb) == std::min<Version>(at - at % 2, 2000));
    }
  }

  // A replacement at (key, 1000) publishes the new entry.
  const char* e = memtable_entry::encode(&arena, "key", 1000, EntryKind::kPut, "new");
  CHECK_FALSE(tree.insert_or_replace(e));
  const auto lb = tree.lower_bound(LookupKey::at_version("key", 1001));
  REQUIRE(lb);
  CHECK(*lb == e);
  CHECK(memtable_entry::value(*lb) == "new");
}

// ---- Model test ----

// Keys over a tiny alphabet with the extreme bytes, after one of three
// prefixes (none, a 100-byte one, a 9-byte one), so keys collide, prefix
// each other, and nodes get large skips and tied slices.
rc::Gen<std::string> gen_model_key() {
  return rc::gen::apply(
      [](const std::string& prefix, const std::string& tail) { return prefix + tail; },
      rc::gen::element(std::string(), std::string(100, 'p'), std::string(9, 'q')),
      rc::gen::mapcat(rc::gen::inRange(0, 7), [](int n) {
        return rc::gen::container<std::string>(static_cast<std::size_t>(n),
                                               rc::gen::elementOf(std::string("\0\x01"
                                                                              "a\xff",
                                                                              4)));
      }));
}

struct ModelOp {
  int what = 0;  // 0 insert, 1 insert a run, 2 seek, 3 seek_to_first, 4 seek_to_last
  std::string key;
  int run = 0;              // keys in a run: key + 2 bytes big-endian
  std::vector<bool> steps;  // after a seek: true next, false prev
};

std::ostream& operator<<(std::ostream& os, const ModelOp& op) {
  static const char* const kWhat[] = {"insert", "insert run", "seek", "seek_to_first",
                                      "seek_to_last"};
  os << kWhat[op.what] << ' ' << printable(op.key);
  if (op.what == 1) os << " x" << op.run;
  if (op.what >= 2) {
    os << ' ';
    for (const bool step : op.steps) os << (step ? '+' : '-');
  }
  return os;
}

TEST_CASE("the btree matches a std::map model", "[memtable][btree][property]") {
  rc::prop("inserts and replacements and seeks and steps agree with the model", [] {
    const auto ops = *rc::gen::container<std::vector<ModelOp>>(rc::gen::apply(
        [](int what, std::string key, int run, std::vector<bool> steps) {
          return ModelOp{what, std::move(key), run, std::move(steps)};
        },
        rc::gen::weightedElement<int>({{6, 0}, {1, 1}, {4, 2}, {1, 3}, {1, 4}}), gen_model_key(),
        rc::gen::inRange(0, 400),
        rc::gen::container<std::vector<bool>>(rc::gen::arbitrary<bool>())));
    Filled f(4096);
    std::uint32_t tag = 0;
    auto insert = [&](const std::string& k) {
      const bool fresh = f.model.find(k) == f.model.end();
      RC_ASSERT(f.insert(k, ++tag) == fresh);
    };
    for (const ModelOp& op : ops) {
      switch (op.what) {
        case 0:
          insert(op.key);
          break;
        case 1:  // ascending if the run is odd, else descending
          for (int i = 0; i < op.run; ++i) {
            const int j = op.run % 2 == 1 ? i : op.run - 1 - i;
            insert(op.key + be64(static_cast<std::uint64_t>(j)).substr(6));
          }
          break;
        default: {
          Tree::Iterator it(&f.tree);
          const auto none = f.model.end();  // the model's "not valid"
          auto m = none;
          if (op.what == 2) {
            it.seek(std::string_view(op.key));
            m = f.model.lower_bound(op.key);
          } else if (op.what == 3) {
            it.seek_to_first();
            m = f.model.begin();
          } else {
            it.seek_to_last();
            if (!f.model.empty()) m = std::prev(none);
          }
          for (std::size_t s = 0;; ++s) {
            RC_ASSERT(it.valid() == (m != none));
            if (m == none) break;
            RC_ASSERT(it.key() == m->second);
            if (s == op.steps.size()) break;
            if (op.steps[s]) {
              it.next();
              ++m;
            } else {
              it.prev();
              m = m == f.model.begin() ? none : std::prev(m);
            }
          }
        }
      }
    }
    RC_ASSERT(check_tree(f.tree, f.model) == "");
    const auto shape = f.tree.shape();
    RC_ASSERT(shape.leaves >= div_up(f.model.size(), kSlots));
    RC_ASSERT(shape.height >= full_height(f.model.size()));
  });
}

}  // namespace
}  // namespace sand
