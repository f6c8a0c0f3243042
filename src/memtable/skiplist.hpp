// SkipList: an ordered set in an Arena that many threads read without locks
// while one thread inserts (the design of LevelDB's db/skiplist.h).
//
// Why a skiplist and not a B-tree: a reader walking a B-tree node while the
// writer splits or shifts it sees torn state unless every node carries a
// seqlock that readers validate and retry on. A skiplist insert only links a
// fully built node in with single-pointer stores, so readers need nothing but
// acquire loads.
//
// Invariants:
// - Nodes are never removed or moved; they live until the Arena dies.
// - A node is fully initialised (key and all its links) before a release
//   store links it in at level 0 and then, bottom up, at higher levels. A
//   reader that reaches a node through an acquire load sees it whole.
// - A node's key may be REPLACED (insert_or_replace of a key that compares
//   equal) by a release store of the new key; since the old and new keys
//   compare equal, the list's order never changes.
// - Heights are random with P(height > h) = 1/4^h, at most kMaxHeight.
//
// Key: a trivially copyable, lock-free-atomic value (typically a pointer to
// bytes in the same Arena). Comparator: a copyable callable with
//   int operator()(const Key& a, const Key& b) const           // <0, 0, >0
// and, for every Target type passed to Iterator::seek(),
//   int operator()(const Key& a, const Target& b) const.
// The Key-vs-Target order must be consistent with the Key-vs-Key order.
//
// Thread-safety: insert_or_replace() needs external synchronisation (one
// writer at a time). Iterators and empty() may run on any number of threads
// concurrently with the writer and with each other; an Iterator object itself
// is used by one thread at a time.
#pragma once

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstdint>
#include <new>
#include <optional>
#include <span>
#include <type_traits>

#include "memtable/arena.hpp"

namespace sand {

template <typename Key, class Comparator>
class SkipList {
  struct Node;

 public:
  static constexpr int kMaxHeight = 12;
  // 1 in kBranching nodes of height h also reaches level h+1.
  static constexpr unsigned kBranching = 4;

  static_assert(std::is_trivially_copyable_v<Key>);
  static_assert(std::atomic<Key>::is_always_lock_free, "readers must never block on a key load");

  // `arena` must outlive the list; it is used only by the writer.
  SkipList(Comparator cmp, Arena* arena)
      : cmp_(cmp), arena_(arena), head_(new_node(Key{}, kMaxHeight)) {
    for (Node*& t : tail_) t = head_;
  }
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // A handle on one node, for an index kept beside the list (the memtable's
  // VersionLog). Valid while the arena lives; key() is an acquire load of
  // the node's CURRENT key, so it shows a later replacement whole. Trivially
  // copyable, so it can sit in a plain slot published by a release store.
  class NodeRef {
   public:
    NodeRef() = default;
    bool valid() const { return node_ != nullptr; }
    // REQUIRES: valid().
    Key key() const {
      assert(valid());
      return node_->key();
    }

   private:
    friend class SkipList;
    explicit NodeRef(const Node* node) : node_(node) {}
    const Node* node_ = nullptr;
  };

  // Inserts `key`, or if a key comparing equal is present, publishes `key` in
  // that node instead. Returns true if a node was added, false if replaced;
  // when a node was added and `added` is non-null, *added names it.
  // REQUIRES: no concurrent insert_or_replace().
  bool insert_or_replace(const Key& key, NodeRef* added = nullptr) {
    Node* prev[kMaxHeight];
    Node* x;
    if (tail_[0] != head_ && cmp_(tail_[0]->key(), key) < 0) {
      // After the last key: the predecessors are the tails, no search. This
      // makes an append-only workload's insert O(height) instead of
      // O(log n) cache misses.
      const int levels = max_height_.load(std::memory_order_relaxed);
      for (int i = 0; i < levels; ++i) prev[i] = tail_[i];
      x = nullptr;
    } else {
      x = find_greater_or_equal(key, prev);
    }
    if (x != nullptr && cmp_(x->key(), key) == 0) {
      x->key_.store(key, std::memory_order_release);
      return false;
    }
    const int height = random_height();
    const int old_height = max_height_.load(std::memory_order_relaxed);
    if (height > old_height) {
      for (int i = old_height; i < height; ++i) prev[i] = head_;
      // A reader that sees the new height before the links below finds
      // head_'s null link at those levels and just drops a level: harmless,
      // so relaxed is enough.
      max_height_.store(height, std::memory_order_relaxed);
    }
    x = new_node(key, height);
    for (int i = 0; i < height; ++i) {
      // x is not yet reachable, so its own links need no ordering; the
      // release store into prev[i] publishes x together with them.
      x->set_next_relaxed(i, prev[i]->next_relaxed(i));
      prev[i]->set_next(i, x);
      if (prev[i] == tail_[i]) tail_[i] = x;
    }
    if (added != nullptr) *added = NodeRef(x);
    return true;
  }

  bool empty() const { return head_->next(0) == nullptr; }

  // The first key >= each target (out[i] for targets[i], nullopt past the
  // end), found by interleaved searches: a lone search is a chain of
  // dependent cache misses (a node, then its key's bytes, then the next
  // node), so the searches of a batch take turns, each turn starting the
  // load its search needs next and moving on, and the misses of different
  // searches overlap instead of adding up. REQUIRES: out.size() ==
  // targets.size().
  template <typename Target>
  void seek_many(std::span<const Target> targets, std::span<std::optional<Key>> out) const {
    assert(out.size() == targets.size());
    // Each search cycles through three steps, one per turn: kLoadNext reads
    // x's link at `level` (x is in cache) and prefetches that node; kLoadKey
    // reads the node's key (the node has arrived meanwhile) and prefetches
    // the key's bytes; kCompare compares them with the target and moves
    // right or down. A turn of the other searches runs between two steps.
    enum class Step : std::uint8_t { kLoadNext, kLoadKey, kCompare, kDone };
    struct Search {
      const Node* x;
      const Node* next;
      Key key;
      int level;
      Step step;
    };
    constexpr std::size_t kInFlight = 16;
    const int top = max_height_.load(std::memory_order_relaxed) - 1;
    for (std::size_t base = 0; base < targets.size(); base += kInFlight) {
      const std::size_t n = std::min(kInFlight, targets.size() - base);
      Search s[kInFlight];
      for (std::size_t i = 0; i < n; ++i)
        s[i] = Search{head_, nullptr, Key{}, top, Step::kLoadNext};
      std::size_t running = n;
      while (running > 0) {
        for (std::size_t i = 0; i < n; ++i) {
          Search& q = s[i];
          switch (q.step) {
            case Step::kLoadNext:
              q.next = q.x->next(q.level);
              if (q.next == nullptr) {  // +infinity: go down
                if (q.level == 0) {
                  out[base + i].reset();
                  q.step = Step::kDone;
                  --running;
                } else {
                  --q.level;
                }
                break;
              }
              prefetch(q.next);
              q.step = Step::kLoadKey;
              break;
            case Step::kLoadKey:
              q.key = q.next->key();
              key_prefetch(q.key);
              q.step = Step::kCompare;
              break;
            case Step::kCompare:
              if (cmp_(q.key, targets[base + i]) < 0) {
                q.x = q.next;
              } else if (q.level == 0) {
                out[base + i] = q.key;
                q.step = Step::kDone;
                --running;
                break;
              } else {
                --q.level;
              }
              q.step = Step::kLoadNext;
              break;
            case Step::kDone:
              break;
          }
        }
      }
    }
  }

  // A cursor over the list. Sees nodes inserted after it was created once it
  // moves past their position; never sees a half-built node.
  class Iterator {
   public:
    // `list` must outlive the iterator. The iterator starts !valid().
    explicit Iterator(const SkipList* list) : list_(list) {}

    bool valid() const { return node_ != nullptr; }
    // The current key (acquire load, so a replaced key is seen whole).
    // REQUIRES: valid().
    Key key() const {
      assert(valid());
      return node_->key();
    }
    // REQUIRES: valid().
    void next() {
      assert(valid());
      node_ = node_->next(0);
    }
    // Searches from the head for the last key before the current one; there
    // are no back links, because keeping them consistent for lock-free
    // readers would need more than one store per level. REQUIRES: valid().
    void prev() {
      assert(valid());
      node_ = list_->find_less_than(node_->key());
      if (node_ == list_->head_) node_ = nullptr;
    }
    // Positions at the first key >= target.
    template <typename Target>
    void seek(const Target& target) {
      node_ = list_->find_greater_or_equal(target, nullptr);
    }
    void seek_to_first() { node_ = list_->head_->next(0); }
    void seek_to_last() {
      node_ = list_->find_last();
      if (node_ == list_->head_) node_ = nullptr;
    }

   private:
    const SkipList* list_;
    Node* node_ = nullptr;
  };

 private:
  // Followed in the same arena allocation by `height` std::atomic<Node*>
  // links, each constructed with placement new; link i is the next node at
  // level i. The alignment makes the links start right at `this + 1`.
  struct alignas(std::atomic<Node*>) Node {
    explicit Node(const Key& k) : key_(k) {}

    Key key() const { return key_.load(std::memory_order_acquire); }
    Node* next(int level) const { return link(level)->load(std::memory_order_acquire); }
    void set_next(int level, Node* n) { link(level)->store(n, std::memory_order_release); }
    Node* next_relaxed(int level) const { return link(level)->load(std::memory_order_relaxed); }
    void set_next_relaxed(int level, Node* n) { link(level)->store(n, std::memory_order_relaxed); }

    std::atomic<Key> key_;

   private:
    std::atomic<Node*>* link(int level) const {
      // const_cast: the links are mutable state of a node reached through a
      // const list; they are atomics, so mutation through here is race-free.
      auto* first = reinterpret_cast<std::atomic<Node*>*>(const_cast<Node*>(this) + 1);
      return std::launder(first + level);
    }
  };
  static_assert(sizeof(Node) % alignof(std::atomic<Node*>) == 0);

  Node* new_node(const Key& key, int height) {
    using Link = std::atomic<Node*>;
    char* mem = arena_->allocate(sizeof(Node) + sizeof(Link) * static_cast<std::size_t>(height),
                                 alignof(Node));
    Node* n = new (mem) Node(key);
    for (int i = 0; i < height; ++i) {
      new (mem + sizeof(Node) + sizeof(Link) * static_cast<std::size_t>(i)) Link(nullptr);
    }
    return n;
  }

  int random_height() {
    int height = 1;
    while (height < kMaxHeight && next_random() % kBranching == 0) ++height;
    return height;
  }

  // xorshift64*: fast, and only the writer touches rng_.
  std::uint64_t next_random() {
    rng_ ^= rng_ >> 12;
    rng_ ^= rng_ << 25;
    rng_ ^= rng_ >> 27;
    return (rng_ * 0x2545f4914f6cdd1dULL) >> 32;
  }

  // True if `target` sorts after n's key (n == nullptr is +infinity).
  template <typename Target>
  bool before(const Node* n, const Target& target) const {
    return n != nullptr && cmp_(n->key(), target) < 0;
  }

  // First node with key >= target, or nullptr. Fills prev[level] with the
  // last node before target at each level when prev is non-null.
  template <typename Target>
  Node* find_greater_or_equal(const Target& target, Node** prev) const {
    Node* x = head_;
    int level = max_height_.load(std::memory_order_relaxed) - 1;
    while (true) {
      Node* next = x->next(level);
      // A search is a chain of dependent cache misses, one per node. Start
      // the loads of both possible next steps (right of `next`, or down from
      // `x`) while `next`'s key is compared, so two misses overlap.
      if (next != nullptr) prefetch(next->next_relaxed(level));
      if (level > 0) prefetch(x->next_relaxed(level - 1));
      if (before(next, target)) {
        x = next;
      } else {
        if (prev != nullptr) prev[level] = x;
        if (level == 0) return next;
        --level;
      }
    }
  }

  static void prefetch(const Node* n) { __builtin_prefetch(n); }
  // Starts loading what a key points to, when it is a pointer (the
  // memtable's keys point to entry bytes elsewhere in the arena).
  static void key_prefetch(const Key& key) {
    if constexpr (std::is_pointer_v<Key>) __builtin_prefetch(key);
  }

  // Last node with key < target, or head_ if none: the level-0 predecessor
  // that the search for the first node >= target passes on its way.
  Node* find_less_than(const Key& target) const {
    Node* prev[kMaxHeight];
    find_greater_or_equal(target, prev);
    return prev[0];
  }

  // Last node, or head_ if the list is empty.
  Node* find_last() const {
    Node* x = head_;
    int level = max_height_.load(std::memory_order_relaxed) - 1;
    while (true) {
      Node* next = x->next(level);
      if (next != nullptr) {
        x = next;
      } else {
        if (level == 0) return x;
        --level;
      }
    }
  }

  const Comparator cmp_;
  Arena* const arena_;  // not owned
  Node* const head_;    // in the arena; its key is never compared
  std::atomic<int> max_height_{1};
  std::uint64_t rng_ = 0x9e3779b97f4a7c15ULL;  // writer only
  // The last node at each level (head_ while a level is empty): the writer's
  // shortcut for keys after the last one. Writer only.
  Node* tail_[kMaxHeight];
};

}  // namespace sand
