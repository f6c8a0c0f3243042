// BTree: an ordered set in an Arena that many threads read without locks and
// without waiting while one thread inserts: the memtable's default index
// (doc/design.md section 6 says why, and compares it with the skiplist).
//
// A B+tree of wide nodes. Each node has kSlots slots, filled in whatever
// order inserts come, and a 64-bit PERMUTATION word that lists the used slots
// in key order (Masstree's leaf layout): count in the low 4 bits, then one
// 4-bit slot index per position. An insert into a node with room writes a
// free slot, then publishes it with ONE release store of the new
// permutation. A reader loads the permutation once (acquire) and reads only
// the slots it lists, which were complete before it was stored: a node read
// that way is always a consistent sorted snapshot, with no version check,
// no retry and no lock.
//
// A full LEAF splits in place: the writer builds the right half as a new
// leaf, publishes it (in the parent and as the leaf's next neighbour), and
// only then shrinks the old leaf's permutation to the left half. The slots
// the right half held become free and are reused by later inserts, so a
// reader that loaded the permutation before the shrink could read a slot
// the writer has since rewritten. Leaves therefore carry a SPLIT COUNT,
// bumped after each shrink: a reader copies a leaf's keys into its own
// snapshot and keeps the copy only if the count did not change meanwhile
// (a seqlock that readers never wait on: they retry only when a split of
// that very leaf overlapped the copy). A leaf's range only ever shrinks
// from the right, so a reader that reached a leaf by a stale route finds
// what moved by following `next` (a B-link tree's move right).
//
// A full INNER node is never changed in place: a split builds two copies,
// publishes them in the parent, and leaves the old node as it was for the
// readers inside it (inner nodes are few: their frozen copies cost about
// one byte per entry). The one exception, for leaves and inner nodes
// alike, is an append to the right end of the rightmost node (sequential
// keys), which keeps the node and starts an empty neighbour.
//
// Keys are compared through SLICES: each node stores, per slot, 8 bytes of
// the key's order bytes (Traits::order_bytes) big-endian, starting at the
// node's `skip`: the length of the prefix that every key its range can hold
// shares (the common prefix of the fences that bound it). A search compares
// slices, which sit in the node, and loads a key's own bytes only when the
// slices tie. For the bench's 16-byte decimal keys a leaf's skip is 12–14, so
// the slice holds the rest of the key.
//
// Leaves are linked both ways, so an iterator steps forward and backward in
// O(1) amortised, without a search from the root.
//
// Why a reader never misses an entry added before it started: every inner
// node it reaches was the live node for its range at some moment after it
// started, or is a frozen copy of such a node, so the leaf it leads to held
// the target's range then; whatever left that leaf since went to leaves on
// its right, which `next` reaches. A leaf snapshot is the leaf's contents
// at one moment (validated by the split count), and the neighbour links are
// read after it, so they lead past everything a split moved out of it.
//
// Invariants:
// - A slot is written before the permutation that lists it is stored. An
//   inner node's slots are written once; a leaf's slot is rewritten only
//   after a shrink freed it and the split count was bumped, or by a release
//   store of a key that compares equal (insert_or_replace).
// - Every node a reader can reach is fully built. A new leaf is linked to
//   its neighbours before its parent lists it, so following `next` from a
//   leaf's `prev` always leads back to it; a new inner node's separator is
//   published before the copy that replaces the old child.
// - Keys in a node's range share its first `skip` order bytes.
//
// Traits: `using Key = ...` (trivially copyable, lock-free atomic; for the
// memtable a pointer into the arena) and, for Key and each Target type:
//   static std::string_view order_bytes(const Key&) / (const Target&)
//   static int compare(const Key& a, const Key& b)            // <0, 0, >0
//   static int compare(const Key& a, const Target& b)
// The order must compare order_bytes() first, byte-wise (unsigned), and only
// break their ties with anything else.
//
// Thread-safety: insert_or_replace() needs external synchronisation (one
// writer at a time). Everything else runs on any number of threads,
// concurrently with the writer; an Iterator object is used by one thread.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include "memtable/arena.hpp"

namespace sand {

namespace btree_detail {

// A 64-bit permutation orders up to 15 slots; nodes use 14, so that a leaf
// (a 16-byte header, 14 slices, 14 keys, two links) is four cache lines.
inline constexpr int kPermPositions = 15;
inline constexpr int kSlots = 14;

// The permutation word: count in bits 0..3, slot of sorted position p in
// bits 4p+4 .. 4p+7. Unused slots keep their places after the count, so the
// next free slot is always the one at position `count`.
class Permutation {
 public:
  static constexpr std::uint64_t kEmpty = 0xedcba98765432100ULL;  // slots 0..14, count 0

  explicit Permutation(std::uint64_t bits = kEmpty) : bits_(bits) {}
  std::uint64_t bits() const { return bits_; }
  int size() const { return static_cast<int>(bits_ & 15); }
  int slot(int pos) const { return static_cast<int>((bits_ >> (4 * pos + 4)) & 15); }
  int free_slot() const { return slot(size()); }
  // The permutation with free_slot() inserted at sorted position `pos`.
  // REQUIRES: size() < kPermPositions, 0 <= pos <= size().
  Permutation inserted(int pos) const {
    const int n = size();
    assert(n < kPermPositions && pos >= 0 && pos <= n);
    const std::uint64_t s = static_cast<std::uint64_t>(free_slot());
    const int lo_bits = 4 * pos + 4, mid_end = 4 * n + 4;
    const std::uint64_t lo_mask = (std::uint64_t{1} << lo_bits) - 1;
    const std::uint64_t mid_mask = ((std::uint64_t{1} << mid_end) - 1) & ~lo_mask;
    // Nibbles above position n are kept; n + 1 <= 15 so mid_end + 4 <= 64.
    const std::uint64_t hi_mask =
        mid_end + 4 >= 64 ? 0 : ~((std::uint64_t{1} << (mid_end + 4)) - 1);
    std::uint64_t b = (bits_ & lo_mask & ~std::uint64_t{15}) | static_cast<std::uint64_t>(n + 1);
    b |= s << lo_bits;
    b |= (bits_ & mid_mask) << 4;
    b |= bits_ & hi_mask;
    return Permutation(b);
  }
  // The first n positions only: the slots listed after them become free,
  // the first of them next. REQUIRES: 0 <= n <= size().
  Permutation truncated(int n) const {
    assert(n >= 0 && n <= size());
    return Permutation((bits_ & ~std::uint64_t{15}) | static_cast<std::uint64_t>(n));
  }
  // Slots 0..n-1 in order: a freshly built node.
  static Permutation sorted(int n) {
    assert(n >= 0 && n <= kPermPositions);
    return Permutation((kEmpty & ~std::uint64_t{15}) | static_cast<std::uint64_t>(n));
  }

 private:
  std::uint64_t bits_;
};

// The 8 order bytes of `bytes` from offset `skip`, big-endian, zero-padded:
// slices order like the bytes they come from, except that a tie may hide a
// difference further on (or a zero byte against the end of a shorter key).
inline std::uint64_t slice_at(std::string_view bytes, std::size_t skip) {
  unsigned char buf[8] = {};
  if (skip < bytes.size()) {
    std::memcpy(buf, bytes.data() + skip, std::min<std::size_t>(8, bytes.size() - skip));
  }
  std::uint64_t v;
  std::memcpy(&v, buf, 8);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

inline std::uint32_t common_prefix(std::string_view a, std::string_view b) {
  const std::size_t n = std::min(a.size(), b.size());
  std::size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return static_cast<std::uint32_t>(i);
}

}  // namespace btree_detail

template <class Traits>
class BTree {
 public:
  using Key = typename Traits::Key;
  static constexpr int kSlots = btree_detail::kSlots;
  static_assert(std::is_trivially_copyable_v<Key>);
  static_assert(std::atomic<Key>::is_always_lock_free, "readers must never block on a key load");

  // `arena` must outlive the tree; only the writer allocates from it.
  explicit BTree(Arena* arena) : arena_(arena) {
    root_.store(new_leaf(0), std::memory_order_relaxed);
  }
  BTree(const BTree&) = delete;
  BTree& operator=(const BTree&) = delete;

  // Inserts `key`, or if a key comparing equal is present, publishes `key` in
  // its slot instead. Returns true if added, false if replaced.
  // REQUIRES: no concurrent insert_or_replace().
  bool insert_or_replace(const Key& key);

  bool empty() const {
    const Node* n = root_.load(std::memory_order_acquire);
    return n->leaf && load_perm(n).size() == 0;
  }

  // The first key >= target, if any.
  template <typename Target>
  std::optional<Key> lower_bound(const Target& target) const {
    Iterator it(this);
    it.seek(target);
    if (!it.valid()) return std::nullopt;
    return it.key();
  }

  // lower_bound() of each target: out[i] for targets[i].
  // REQUIRES: out.size() == targets.size().
  template <typename Target>
  void seek_many(std::span<const Target> targets, std::span<std::optional<Key>> out) const {
    assert(out.size() == targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i) out[i] = lower_bound(targets[i]);
  }

  // Shape, for tests and the memtable's accounting. Writer only (or with no
  // concurrent writer).
  struct Shape {
    int height = 1;                // 1: the root is a leaf
    std::size_t leaves = 0;        // live leaves
    std::size_t inners = 0;        // live inner nodes
    std::size_t node_bytes = 0;    // every node ever built, frozen ones included
    std::size_t leaves_built = 0;  // every leaf ever built (== leaves: none is frozen)
  };
  Shape shape() const;

  struct Node;
  struct Leaf;

  // A validated copy of one leaf's keys in order (see take_snapshot()).
  struct LeafSnapshot {
    const Leaf* leaf = nullptr;
    int size = 0;
    std::uint32_t skip = 0;
    Key keys[kSlots];
    std::uint64_t slices[kSlots];  // filled only for a search by slices
  };

  // A cursor over the tree. It reads each leaf through one snapshot, so
  // entries added to a leaf after the cursor arrived there may not show
  // until the next seek; entries added before it was created or last
  // sought always do.
  class Iterator {
   public:
    // `tree` must outlive the iterator. The iterator starts !valid().
    explicit Iterator(const BTree* tree) : tree_(tree) {}

    bool valid() const { return snap_.leaf != nullptr; }
    // REQUIRES: valid().
    Key key() const {
      assert(valid());
      return snap_.keys[pos_];
    }
    // REQUIRES: valid().
    void next() {
      assert(valid());
      if (++pos_ < snap_.size) {
        if (pos_ + kAhead < snap_.size) prefetch_key(pos_ + kAhead);
        return;
      }
      step_right();
    }
    // REQUIRES: valid().
    void prev() {
      assert(valid());
      if (--pos_ >= 0) {
        if (pos_ >= kAhead) prefetch_key(pos_ - kAhead);
        return;
      }
      step_left();
    }
    // Positions at the first key >= target.
    template <typename Target>
    void seek(const Target& target);
    void seek_to_first();
    void seek_to_last();

   private:
    // A scan (the flush, above all) reads keys in order, but what they point
    // to lies anywhere in the arena: start loading the one kAhead steps on,
    // so each step's miss overlaps the steps before it.
    static constexpr int kAhead = 4;
    void prefetch_key(int pos) const {
      if constexpr (std::is_pointer_v<Key>) {
        const char* p = reinterpret_cast<const char*>(snap_.keys[pos]);
        __builtin_prefetch(p);
        __builtin_prefetch(p + 64);
      }
    }
    // From the snapshot's last (first) key to the next (previous) one, in
    // the neighbouring leaves.
    void step_right();
    void step_left();
    // Settles on position `pos` of the snapshot, and starts loading what
    // a scan in that direction reads next.
    void arrive(int pos, bool forward);

    const BTree* tree_;
    LeafSnapshot snap_;  // snap_.leaf == nullptr: not valid
    int pos_ = 0;
  };

  // Nodes. alignas(64): a node starts on a cache line, and the permutation
  // and the first slices share its first line.
  struct alignas(64) Node {
    Node(bool is_leaf, std::uint32_t skip_bytes) : skip(skip_bytes), leaf(is_leaf ? 1 : 0) {
      assert(skip_bytes < (std::uint32_t{1} << 31));
    }
    std::atomic<std::uint64_t> perm{btree_detail::Permutation::kEmpty};  // a Permutation
    const std::uint32_t skip : 31;  // order bytes every key in range shares (< 2^31)
    const std::uint32_t leaf : 1;
    // Leaves: how many times the leaf shrank in a split. Bumped after each
    // shrink, before a freed slot is reused; readers validate copies by it.
    std::atomic<std::uint32_t> splits{0};
    // Slot i's key's slice at `skip`. Atomic because a leaf slot is
    // rewritten when reused, possibly while a stale reader copies it.
    std::atomic<std::uint64_t> slices[kSlots];
  };
  struct Leaf : Node {
    explicit Leaf(std::uint32_t skip_bytes) : Node(true, skip_bytes) {}
    std::atomic<Key> keys[kSlots];
    std::atomic<const Leaf*> prev{nullptr};
    std::atomic<const Leaf*> next{nullptr};
  };
  static_assert(sizeof(Leaf) == 256 || sizeof(Key) != 8, "a leaf is four cache lines");
  // Child 0 holds keys below separator 0 (in sorted order); the child of
  // separator i holds keys >= it and below the next one.
  struct Inner : Node {
    explicit Inner(std::uint32_t skip_bytes) : Node(false, skip_bytes) {}
    // The children right after the slices, so a search reads lines 0-3 and
    // the separators' line only when two slices tie.
    std::atomic<const Node*> children[kSlots];
    std::atomic<const Node*> child0{nullptr};
    Key seps[kSlots];
  };

 private:
  using Permutation = btree_detail::Permutation;

  static Permutation load_perm(const Node* n) {
    return Permutation(n->perm.load(std::memory_order_acquire));
  }
  static const Leaf* as_leaf(const Node* n) { return static_cast<const Leaf*>(n); }
  static const Inner* as_inner(const Node* n) { return static_cast<const Inner*>(n); }

  // One level of the writer's descent: the node, the fences of its range
  // (null: unbounded) and, for inner nodes, the child position it took
  // (-1: child0, else the sorted position of the separator).
  struct Step {
    const Node* node;
    const Key* lo;  // points into a separator slot (stable) or null
    const Key* hi;
    int child_pos;
  };
  static constexpr int kMaxHeight = 32;

  template <typename Target>
  static int compare_slot(const Node* n, std::uint64_t target_slice, int slot, const Key& k,
                          const Target& target) {
    const std::uint64_t s = n->slices[slot].load(std::memory_order_relaxed);
    if (s != target_slice) return s < target_slice ? -1 : 1;
    return Traits::compare(k, target);
  }
  static Key slot_key(const Node* n, int slot) {
    if (n->leaf) return as_leaf(n)->keys[slot].load(std::memory_order_acquire);
    return as_inner(n)->seps[slot];
  }

  // Sorted positions [0, p) of `perm` hold keys < target (leaf: lower
  // bound) or <= target (`upper`: for choosing a child).
  template <typename Target>
  static int search(const Node* n, Permutation perm, const Target& target, bool upper) {
    const std::uint64_t ts = btree_detail::slice_at(Traits::order_bytes(target), n->skip);
    int lo = 0, hi = perm.size();
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      const int slot = perm.slot(mid);
      const int c = compare_slot(n, ts, slot, slot_key(n, slot), target);
      if (c < 0 || (upper && c == 0)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // The child of `n` at sorted position p of `perm` (-1: child0).
  static const Node* child_at(const Inner* n, Permutation perm, int p) {
    if (p < 0) return n->child0.load(std::memory_order_acquire);
    return n->children[perm.slot(p)].load(std::memory_order_acquire);
  }

  // A child of `n` chosen by pick(perm) -> position, read so that the
  // permutation and the child pointer belong together. A split publishes
  // the parent's new separator before it swaps the left copy in for the
  // old child; a reader that read the permutation before the first store
  // and the pointer after the second would take the left copy for keys
  // that moved right. Re-reading the permutation catches exactly that case
  // (it only ever grows, so equal means unchanged); the retry costs a
  // reader one more search, only while the writer splits this child.
  template <typename Pick>
  static const Node* stable_child(const Inner* n, Pick pick) {
    Permutation perm = load_perm(n);
    for (;;) {
      const Node* child = child_at(n, perm, pick(perm));
      const Permutation again = load_perm(n);
      if (again.bits() == perm.bits()) return child;
      perm = again;
    }
  }

  // The leaf whose range holds target: every key before it is below target.
  template <typename Target>
  const Leaf* leaf_for(const Target& target) const {
    const Node* n = root_.load(std::memory_order_acquire);
    prefetch_node(n);
    while (!n->leaf) {
      const Inner* in = as_inner(n);
      n = stable_child(
          in, [&](Permutation perm) { return search(in, perm, target, /*upper=*/true) - 1; });
      prefetch_node(n);
    }
    return as_leaf(n);
  }

  // The leftmost (or rightmost) leaf.
  const Leaf* edge_leaf(bool right) const {
    const Node* n = root_.load(std::memory_order_acquire);
    while (!n->leaf) {
      n = stable_child(as_inner(n),
                       [right](Permutation perm) { return right ? perm.size() - 1 : -1; });
    }
    return as_leaf(n);
  }

  // Copies `leaf`'s keys (and, if `with_slices`, their slices) in sorted
  // order into `out`, as they were at one moment. A copy that a split of
  // the leaf overlapped may mix slots from before and after the shrink (a
  // reused slot), so it is taken again; that is the only retry, and it
  // never waits for the writer. Slots are loaded with acquire and the
  // writer stores them with release, after the split count's bump: a copy
  // that read a rewritten slot is sure to see the bumped count. (Not
  // fences: ThreadSanitizer does not model them, and GCC refuses them
  // under -fsanitize=thread.)
  static void take_snapshot(const Leaf* leaf, LeafSnapshot* out, bool with_slices) {
    for (;;) {
      const std::uint32_t splits = leaf->splits.load(std::memory_order_acquire);
      const Permutation perm = load_perm(leaf);
      const int n = perm.size();
      for (int i = 0; i < n; ++i) {
        const int slot = perm.slot(i);
        out->keys[i] = leaf->keys[slot].load(std::memory_order_acquire);
        if (with_slices) out->slices[i] = leaf->slices[slot].load(std::memory_order_acquire);
      }
      if (leaf->splits.load(std::memory_order_relaxed) == splits) {
        out->leaf = leaf;
        out->size = n;
        out->skip = leaf->skip;
        return;
      }
    }
  }

  // The lower bound of target in a snapshot taken with slices, of a leaf
  // whose range (when it was built) held target.
  template <typename Target>
  static int search_snapshot(const LeafSnapshot& s, const Target& target) {
    const std::uint64_t ts = btree_detail::slice_at(Traits::order_bytes(target), s.skip);
    int lo = 0, hi = s.size;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      const bool below =
          s.slices[mid] != ts ? s.slices[mid] < ts : Traits::compare(s.keys[mid], target) < 0;
      if (below) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // Like search_snapshot(), comparing whole keys: for a leaf reached by a
  // sibling link, whose range target may lie outside, so that target's
  // slice at this leaf's skip means nothing. The first key decides the
  // common case (target below the whole leaf) with one comparison.
  template <typename Target>
  static int search_whole(const LeafSnapshot& s, const Target& target) {
    if (s.size == 0 || Traits::compare(s.keys[0], target) >= 0) return 0;
    int lo = 1, hi = s.size;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (Traits::compare(s.keys[mid], target) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // Starts loading the lines a search of `n` reads after its first (slices,
  // then children or keys), so their misses overlap the first line's.
  static void prefetch_node(const Node* n) {
    const char* p = reinterpret_cast<const char*>(n);
    __builtin_prefetch(p);
    __builtin_prefetch(p + 64);
    __builtin_prefetch(p + 128);
    __builtin_prefetch(p + 192);
  }

  // Skip for a node whose range is [lo, hi) (null: unbounded).
  static std::uint32_t skip_for(const Key* lo, const Key* hi) {
    if (lo == nullptr || hi == nullptr) return 0;
    return btree_detail::common_prefix(Traits::order_bytes(*lo), Traits::order_bytes(*hi));
  }

  Leaf* new_leaf(std::uint32_t skip) {
    node_bytes_ += sizeof(Leaf);
    ++leaves_built_;
    return new (arena_->allocate(sizeof(Leaf), alignof(Leaf))) Leaf(skip);
  }
  Inner* new_inner(std::uint32_t skip) {
    node_bytes_ += sizeof(Inner);
    return new (arena_->allocate(sizeof(Inner), alignof(Inner))) Inner(skip);
  }

  // Writer-side mutations (btree insert path).
  void put_in_leaf_slot(Leaf* leaf, Permutation perm, int pos, const Key& key);
  // Fills a new, unpublished node's first n slots in order.
  // `slices`, if not null, are keys' slices at `slices_skip`.
  static void fill_leaf(Leaf* leaf, const Key* keys, int n, const std::uint64_t* slices = nullptr,
                        std::uint32_t slices_skip = 0);
  static void fill_inner(Inner* node, const Node* child0, const Key* seps,
                         const Node* const* children, int n);
  // Splits the full `leaf` (path[depth]) around `key` at sorted position pos.
  void split_leaf(Step* path, int depth, Leaf* leaf, Permutation perm, int pos, const Key& key);
  // Publishes (sep -> right) in the parent of path[child_depth], and `left`
  // in place of path[child_depth]'s node when left != null (a copy-on-split);
  // splits the parent, and so on up, when it is full.
  void insert_in_parent(Step* path, int child_depth, const Key& sep, const Node* left,
                        const Node* right);
  static std::size_t count_inners(const Node* n);

  Arena* const arena_;  // not owned
  std::atomic<const Node*> root_{nullptr};
  int height_ = 1;                // writer only
  std::size_t node_bytes_ = 0;    // writer only
  std::size_t leaves_built_ = 0;  // writer only
  // The rightmost leaf while nothing has split it: appends past its last key
  // need no descent. Writer only.
  Leaf* append_leaf_ = nullptr;
};

// ---------------------------------------------------------------------------
// Reader side.

template <class Traits>
template <typename Target>
void BTree<Traits>::Iterator::seek(const Target& target) {
  const Leaf* leaf = tree_->leaf_for(target);
  take_snapshot(leaf, &snap_, /*with_slices=*/true);
  int pos = search_snapshot(snap_, target);
  // Every key here is below target: the answer is further right. Usually
  // it is the next leaf's first key; but a leaf may hold only part of the
  // range its parent gave the reader (a split moved the rest right, or an
  // append split kept it in place), so the rest is searched for too.
  while (pos == snap_.size) {
    leaf = leaf->next.load(std::memory_order_acquire);
    if (leaf == nullptr) {
      snap_.leaf = nullptr;
      return;
    }
    take_snapshot(leaf, &snap_, /*with_slices=*/false);
    pos = search_whole(snap_, target);
  }
  pos_ = pos;
}

template <class Traits>
void BTree<Traits>::Iterator::seek_to_first() {
  // The leftmost leaf never changes: a split keeps the left half in place.
  take_snapshot(tree_->edge_leaf(false), &snap_, false);
  if (snap_.size > 0) {
    arrive(0, /*forward=*/true);
  } else {
    step_right();
  }
}

template <class Traits>
void BTree<Traits>::Iterator::seek_to_last() {
  // The descent may end at a leaf that has split since its parent was
  // read: move right to the leaf with no neighbour, read after its copy.
  const Leaf* leaf = tree_->edge_leaf(true);
  for (;;) {
    take_snapshot(leaf, &snap_, false);
    const Leaf* after = leaf->next.load(std::memory_order_acquire);
    if (after == nullptr) break;
    leaf = after;
  }
  if (snap_.size > 0) {
    arrive(snap_.size - 1, /*forward=*/false);
  } else {
    step_left();
  }
}

// Why the boundary filters: between a split's publication of the right half
// and the shrink of the left, the moved keys are in both leaves; a snapshot
// of the left from before the shrink holds them too. Skipping keys at or
// before the last one returned (at or after, going left) drops those second
// copies, and costs one comparison per leaf.
template <class Traits>
void BTree<Traits>::Iterator::step_right() {
  const bool bounded = snap_.size > 0;
  const Key last = bounded ? snap_.keys[snap_.size - 1] : Key{};
  // Read after the snapshot: it leads past every key a split moved out.
  const Leaf* leaf = snap_.leaf->next.load(std::memory_order_acquire);
  while (leaf != nullptr) {
    take_snapshot(leaf, &snap_, false);
    int p = 0;
    while (bounded && p < snap_.size && Traits::compare(snap_.keys[p], last) <= 0) ++p;
    if (p < snap_.size) {
      arrive(p, /*forward=*/true);
      return;
    }
    leaf = leaf->next.load(std::memory_order_acquire);
  }
  snap_.leaf = nullptr;
}

template <class Traits>
void BTree<Traits>::Iterator::step_left() {
  const bool bounded = snap_.size > 0;
  const Key first = bounded ? snap_.keys[0] : Key{};
  const Leaf* right = snap_.leaf;
  const Leaf* leaf = right->prev.load(std::memory_order_acquire);
  while (leaf != nullptr) {
    take_snapshot(leaf, &snap_, false);
    // If `leaf` split after `right` learnt of it, the keys that moved out
    // sit in new leaves between the two: walk right to the one just before
    // `right` (its `next`, read after the copy, tells).
    const Leaf* after = leaf->next.load(std::memory_order_acquire);
    if (after != right) {
      leaf = after;
      continue;
    }
    int p = snap_.size - 1;
    while (bounded && p >= 0 && Traits::compare(snap_.keys[p], first) >= 0) --p;
    if (p >= 0) {
      arrive(p, /*forward=*/false);
      return;
    }
    right = leaf;
    leaf = leaf->prev.load(std::memory_order_acquire);
  }
  snap_.leaf = nullptr;
}

template <class Traits>
void BTree<Traits>::Iterator::arrive(int pos, bool forward) {
  pos_ = pos;
  const Leaf* leaf = snap_.leaf;
  if (const Leaf* after = forward ? leaf->next.load(std::memory_order_relaxed)
                                  : leaf->prev.load(std::memory_order_relaxed)) {
    prefetch_node(after);
  }
  for (int i = 1; i <= kAhead; ++i) {
    const int p = forward ? pos + i : pos - i;
    if (p < 0 || p >= snap_.size) break;
    prefetch_key(p);
  }
}

template <class Traits>
typename BTree<Traits>::Shape BTree<Traits>::shape() const {
  Shape s;
  s.height = height_;
  for (const Leaf* l = edge_leaf(false); l != nullptr;
       l = l->next.load(std::memory_order_acquire)) {
    ++s.leaves;
  }
  s.inners = count_inners(root_.load(std::memory_order_acquire));
  s.node_bytes = node_bytes_;
  s.leaves_built = leaves_built_;
  return s;
}

template <class Traits>
std::size_t BTree<Traits>::count_inners(const Node* n) {
  if (n->leaf) return 0;
  const Inner* in = as_inner(n);
  const Permutation perm = load_perm(in);
  std::size_t c = 1 + count_inners(in->child0.load(std::memory_order_acquire));
  for (int p = 0; p < perm.size(); ++p) {
    c += count_inners(in->children[perm.slot(p)].load(std::memory_order_acquire));
  }
  return c;
}

// ---------------------------------------------------------------------------
// Writer side. The writer reads with relaxed loads: it is the only thread
// that stores, so it always sees its own latest values.

template <class Traits>
bool BTree<Traits>::insert_or_replace(const Key& key) {
  if (append_leaf_ != nullptr) {
    // Past the rightmost leaf's last key: no descent. The slices decide
    // without loading that key's bytes unless they tie.
    const Permutation perm(append_leaf_->perm.load(std::memory_order_relaxed));
    const int n = perm.size();
    if (n > 0 && n < kSlots) {
      const int last = perm.slot(n - 1);
      const std::uint64_t ks = btree_detail::slice_at(Traits::order_bytes(key), append_leaf_->skip);
      const Key last_key = append_leaf_->keys[last].load(std::memory_order_relaxed);
      if (compare_slot(append_leaf_, ks, last, last_key, key) < 0) {
        put_in_leaf_slot(append_leaf_, perm, n, key);
        return true;
      }
    }
  }
  Step path[kMaxHeight];
  int depth = 0;
  const Node* n = root_.load(std::memory_order_relaxed);
  const Key* lo = nullptr;
  const Key* hi = nullptr;
  prefetch_node(n);
  while (!n->leaf) {
    const Inner* in = as_inner(n);
    const Permutation perm = load_perm(in);
    const int p = search(in, perm, key, /*upper=*/true) - 1;
    path[depth++] = Step{n, lo, hi, p};
    if (p >= 0) lo = &in->seps[perm.slot(p)];
    if (p + 1 < perm.size()) hi = &in->seps[perm.slot(p + 1)];
    n = p < 0 ? in->child0.load(std::memory_order_relaxed)
              : in->children[perm.slot(p)].load(std::memory_order_relaxed);
    prefetch_node(n);
  }
  path[depth] = Step{n, lo, hi, 0};
  Leaf* leaf = const_cast<Leaf*>(as_leaf(n));
  const Permutation perm = load_perm(leaf);
  const int pos = search(leaf, perm, key, /*upper=*/false);
  if (pos < perm.size()) {
    // Equal keys have equal slices: most inserts decide this without loading
    // the neighbour's entry, which would be a cache miss.
    const int slot = perm.slot(pos);
    const std::uint64_t ks = btree_detail::slice_at(Traits::order_bytes(key), leaf->skip);
    if (leaf->slices[slot].load(std::memory_order_relaxed) == ks &&
        Traits::compare(leaf->keys[slot].load(std::memory_order_relaxed), key) == 0) {
      leaf->keys[slot].store(key, std::memory_order_release);
      return false;
    }
  }
  if (perm.size() < kSlots) {
    put_in_leaf_slot(leaf, perm, pos, key);
    if (hi == nullptr) append_leaf_ = leaf;
    return true;
  }
  split_leaf(path, depth, leaf, perm, pos, key);
  return true;
}

template <class Traits>
void BTree<Traits>::put_in_leaf_slot(Leaf* leaf, Permutation perm, int pos, const Key& key) {
  // No current permutation lists the free slot, and the release store of
  // the new one publishes it whole. The slot may have been freed by a
  // shrink, though, and a reader holding an older permutation may be
  // copying it: release stores, so that a reader that loads either value
  // (acquire) also sees the split count's bump before it, and its
  // validation fails (take_snapshot()).
  const int s = perm.free_slot();
  leaf->slices[s].store(btree_detail::slice_at(Traits::order_bytes(key), leaf->skip),
                        std::memory_order_release);
  leaf->keys[s].store(key, std::memory_order_release);
  leaf->perm.store(perm.inserted(pos).bits(), std::memory_order_release);
}

template <class Traits>
void BTree<Traits>::fill_leaf(Leaf* leaf, const Key* keys, int n, const std::uint64_t* slices,
                              std::uint32_t slices_skip) {
  for (int i = 0; i < n; ++i) {
    // Slices taken at the same skip are reused: recomputing one reads the
    // key's bytes, a cache miss each.
    leaf->slices[i].store(slices != nullptr && slices_skip == leaf->skip
                              ? slices[i]
                              : btree_detail::slice_at(Traits::order_bytes(keys[i]), leaf->skip),
                          std::memory_order_relaxed);
    leaf->keys[i].store(keys[i], std::memory_order_relaxed);
  }
  leaf->perm.store(Permutation::sorted(n).bits(), std::memory_order_relaxed);
}

template <class Traits>
void BTree<Traits>::split_leaf(Step* path, int depth, Leaf* leaf, Permutation perm, int pos,
                               const Key& key) {
  const Step& at = path[depth];
  if (pos == kSlots && at.hi == nullptr) {
    // Appending past the rightmost leaf: keep it as it is and start an
    // empty right neighbour, so sequential inserts fill leaves completely.
    // The link before the parent (as below).
    Leaf* right = new_leaf(0);
    fill_leaf(right, &key, 1);
    right->prev.store(leaf, std::memory_order_relaxed);
    leaf->next.store(right, std::memory_order_release);
    insert_in_parent(path, depth, key, nullptr, right);
    append_leaf_ = right;
    return;
  }
  // In place: the old keys from sorted position `keep` on move to a new
  // right neighbour; the leaf keeps the rest. Keys inserted in descending
  // order (always before the leftmost leaf's first) move all of them, so
  // that leaf starts over with room for 13 more and the one that leaves is
  // full, as ascending appends leave full leaves.
  const int keep = pos == 0 && at.lo == nullptr ? 0 : kSlots / 2;
  const bool key_left = pos <= keep;  // below the first key that moves
  Key moved[kSlots];
  std::uint64_t slices[kSlots];
  int n = 0;
  for (int i = keep; i < kSlots; ++i) {
    if (!key_left && i == pos) {
      moved[n] = key;
      slices[n++] = btree_detail::slice_at(Traits::order_bytes(key), leaf->skip);
    }
    const int slot = perm.slot(i);
    moved[n] = leaf->keys[slot].load(std::memory_order_relaxed);
    slices[n++] = leaf->slices[slot].load(std::memory_order_relaxed);
  }
  if (!key_left && pos == kSlots) {
    moved[n] = key;
    slices[n++] = btree_detail::slice_at(Traits::order_bytes(key), leaf->skip);
  }
  const Key sep = moved[0];
  Leaf* right = new_leaf(skip_for(&sep, at.hi));
  fill_leaf(right, moved, n, slices, leaf->skip);
  const Leaf* after = leaf->next.load(std::memory_order_relaxed);
  right->prev.store(leaf, std::memory_order_relaxed);
  right->next.store(after, std::memory_order_relaxed);
  // Publish the right half everywhere a reader may come from before the
  // leaf lets go of its keys, so a reader that sees the shrunk leaf finds
  // them next door. The links before the parent: a reader that reached the
  // new leaf from the parent and steps left must find it again as its left
  // neighbour's `next` (step_left()).
  leaf->next.store(right, std::memory_order_release);
  if (after != nullptr) const_cast<Leaf*>(after)->prev.store(right, std::memory_order_release);
  insert_in_parent(path, depth, sep, nullptr, right);
  const Permutation kept = perm.truncated(keep);
  leaf->perm.store(kept.bits(), std::memory_order_release);
  leaf->splits.store(leaf->splits.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  if (key_left) put_in_leaf_slot(leaf, kept, pos, key);
  append_leaf_ = after == nullptr ? right : nullptr;
}

template <class Traits>
void BTree<Traits>::insert_in_parent(Step* path, int child_depth, const Key& sep, const Node* left,
                                     const Node* right) {
  const Node* old_child = path[child_depth].node;
  if (child_depth == 0) {
    // The root split: a new root over the two halves.
    Inner* root = new_inner(0);
    root->child0.store(left != nullptr ? left : old_child, std::memory_order_relaxed);
    root->seps[0] = sep;
    root->slices[0].store(btree_detail::slice_at(Traits::order_bytes(sep), 0),
                          std::memory_order_relaxed);
    root->children[0].store(right, std::memory_order_relaxed);
    root->perm.store(Permutation::sorted(1).bits(), std::memory_order_relaxed);
    root_.store(root, std::memory_order_release);
    ++height_;
    return;
  }
  const Step& at = path[child_depth - 1];
  Inner* parent = const_cast<Inner*>(as_inner(at.node));
  const Permutation perm = load_perm(parent);
  const int pos = at.child_pos + 1;  // the new separator's sorted position
  if (perm.size() < kSlots) {
    const int s = perm.free_slot();
    parent->seps[s] = sep;
    parent->slices[s].store(btree_detail::slice_at(Traits::order_bytes(sep), parent->skip),
                            std::memory_order_relaxed);
    parent->children[s].store(right, std::memory_order_relaxed);
    // The right half first: until `left` replaces the old child, keys below
    // `sep` still lead to the frozen old child, which holds them all.
    parent->perm.store(perm.inserted(pos).bits(), std::memory_order_release);
    if (left != nullptr) {
      auto& slot = at.child_pos < 0 ? parent->child0 : parent->children[perm.slot(at.child_pos)];
      slot.store(left, std::memory_order_release);
    }
    return;
  }
  // The parent is full: lay out its 16 separators and 17 children with the
  // change applied, then split them like a leaf.
  Key seps[kSlots + 1];
  const Node* children[kSlots + 2];
  children[0] = parent->child0.load(std::memory_order_relaxed);
  for (int p = 0, j = 0; p <= kSlots; ++p) {
    if (p == pos) {
      seps[p] = sep;
      children[p + 1] = right;
    } else {
      const int slot = perm.slot(j++);
      seps[p] = parent->seps[slot];
      children[p + 1] = parent->children[slot].load(std::memory_order_relaxed);
    }
  }
  if (left != nullptr) children[pos] = left;  // the child it descended through
  if (pos == kSlots && left == nullptr && at.hi == nullptr) {
    // Appending past the rightmost inner node: keep it, and start a new
    // right neighbour holding only the new child.
    Inner* r = new_inner(0);
    r->child0.store(right, std::memory_order_relaxed);
    r->perm.store(Permutation::sorted(0).bits(), std::memory_order_relaxed);
    insert_in_parent(path, child_depth - 1, sep, nullptr, r);
    return;
  }
  constexpr int kHalf = (kSlots + 1) / 2;
  const Key up = seps[kHalf];
  Inner* l = new_inner(skip_for(at.lo, &up));
  Inner* r = new_inner(skip_for(&up, at.hi));
  fill_inner(l, children[0], seps, children + 1, kHalf);
  fill_inner(r, children[kHalf + 1], seps + kHalf + 1, children + kHalf + 2, kSlots - kHalf);
  insert_in_parent(path, child_depth - 1, up, l, r);
}

template <class Traits>
void BTree<Traits>::fill_inner(Inner* node, const Node* child0, const Key* seps,
                               const Node* const* children, int n) {
  node->child0.store(child0, std::memory_order_relaxed);
  for (int i = 0; i < n; ++i) {
    node->seps[i] = seps[i];
    node->slices[i].store(btree_detail::slice_at(Traits::order_bytes(seps[i]), node->skip),
                          std::memory_order_relaxed);
    node->children[i].store(children[i], std::memory_order_relaxed);
  }
  node->perm.store(Permutation::sorted(n).bits(), std::memory_order_relaxed);
}

}  // namespace sand
