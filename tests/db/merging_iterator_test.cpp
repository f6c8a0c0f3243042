// MergingIterator (src/db/merging_iterator.hpp), driven directly over
// in-memory child iterators: internal-key order (user key ascending, version
// descending), both directions and direction changes, seek, error
// propagation, and a std::map model over random children.
#include "db/merging_iterator.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/table_builder_helpers.hpp"

namespace sand {
namespace {

using namespace std::string_literals;

using test::ikey;
using test::KVs;
using test::VectorIterator;

using Children = std::vector<std::unique_ptr<InternalIterator>>;

// new_merging_iterator over one VectorIterator per entry list.
std::unique_ptr<InternalIterator> merge(std::vector<KVs> inputs) {
  Children children;
  for (auto& in : inputs) children.push_back(std::make_unique<VectorIterator>(std::move(in)));
  return new_merging_iterator(std::move(children));
}

// The union of the inputs in internal-key order.
KVs sorted_union(const std::vector<KVs>& inputs) {
  test::InternalMap m;
  for (const auto& in : inputs) m.insert(in.begin(), in.end());
  return KVs(m.begin(), m.end());
}

KVs reversed(KVs v) {
  std::reverse(v.begin(), v.end());
  return v;
}

std::vector<std::string> keys_of(const KVs& kvs) {
  std::vector<std::string> out;
  for (const auto& [k, v] : kvs) out.push_back(test::show_key(k));
  return out;
}

// "user@version" of the current entry, or "-" when !valid().
std::string at(const InternalIterator& it) { return it.valid() ? test::show_key(it.key()) : "-"; }

TEST_CASE("merging iterator over no children is empty", "[merging_iterator]") {
  auto it = new_merging_iterator({});
  it->seek_to_first();
  CHECK_FALSE(it->valid());
  it->seek_to_last();
  CHECK_FALSE(it->valid());
  it->seek(ikey("a", 1));
  CHECK_FALSE(it->valid());
  CHECK(it->status().is_ok());
}

TEST_CASE("merging iterator over empty children is empty", "[merging_iterator]") {
  auto it = merge({{}, {}, {}});
  CHECK(test::scan_forward(*it).empty());
  CHECK(test::scan_backward(*it).empty());
  it->seek(seek_key("m", kMaxVersion));
  CHECK_FALSE(it->valid());
  CHECK(it->status().is_ok());
}

TEST_CASE("merging iterator over one child yields that child", "[merging_iterator]") {
  const KVs in = {{ikey("a", 3), "a3"},
                  {ikey("b", 9), "b9"},
                  {ikey("b", 2), "b2"},
                  {ikey("c", 1, EntryKind::kDelete), ""}};
  auto it = merge({in});
  CHECK(test::scan_forward(*it) == in);
  CHECK(test::scan_backward(*it) == reversed(in));
  CHECK(it->status().is_ok());
}

TEST_CASE("merging iterator interleaves children in key order, both directions",
          "[merging_iterator]") {
  const std::vector<KVs> inputs = {
      {{ikey("a", 1), "a"}, {ikey("d", 1), "d"}, {ikey("g", 1), "g"}},
      {{ikey("b", 1), "b"}, {ikey("e", 1), "e"}},
      {},  // an empty child among full ones
      {{ikey("c", 1), "c"}, {ikey("f", 1), "f"}, {ikey("h", 1), "h"}, {ikey("i", 1), "i"}},
  };
  auto it = merge(inputs);
  const KVs want = sorted_union(inputs);
  REQUIRE(want.size() == 9);
  CHECK(keys_of(test::scan_forward(*it)) ==
        std::vector<std::string>{"a@1", "b@1", "c@1", "d@1", "e@1", "f@1", "g@1", "h@1", "i@1"});
  CHECK(test::scan_forward(*it) == want);
  CHECK(test::scan_backward(*it) == reversed(want));
  CHECK(it->status().is_ok());
}

TEST_CASE("merging iterator orders one user key's versions across children newest first",
          "[merging_iterator]") {
  // The versions of "k" are spread over three children, as after flushes of
  // several memtables; "k" and its prefix/extension neighbours order bytewise.
  const std::vector<KVs> inputs = {
      {{ikey("k", 9), "k9"}, {ikey("k", 3), "k3"}, {ikey("k\xff", 1), "kff"}},
      {{ikey("k", 7), "k7"}, {ikey("k", 5, EntryKind::kDelete), ""}, {ikey("j", 4), "j4"}},
      {{ikey("k", 8), "k8"}, {ikey("k", 1), "k1"}, {ikey(std::string("k\0", 2), 2), "k00"}},
  };
  auto it = merge(inputs);
  const std::vector<std::string> want = {
      "j@4", "k@9", "k@8", "k@7", "k@5/del", "k@3", "k@1", std::string("k\0@2", 4), "k\xff@1"};
  CHECK(keys_of(test::scan_forward(*it)) == want);
  std::vector<std::string> back = keys_of(test::scan_backward(*it));
  std::reverse(back.begin(), back.end());
  CHECK(back == want);

  // A read at version 6 seeks to the newest entry of "k" at or below 6.
  it->seek(seek_key("k", 6));
  REQUIRE(it->valid());
  REQUIRE(at(*it) == "k@5/del");
  CHECK(it->value().empty());
  it->seek(seek_key("k", 8));
  REQUIRE(at(*it) == "k@8");
  CHECK(it->value() == "k8");
  it->seek(seek_key("k", 0));  // below every version of k: the next user key
  REQUIRE(at(*it) == std::string("k\0@2", 4));
}

TEST_CASE("merging iterator seek lands on the first entry at or after the target",
          "[merging_iterator]") {
  auto it = merge({{{ikey("b", 1), "b"}, {ikey("f", 1), "f"}},
                   {{ikey("d", 2), "d2"}, {ikey("d", 1), "d1"}, {ikey("h", 1), "h"}}});
  SECTION("before every key") {
    it->seek(seek_key("a", kMaxVersion));
    REQUIRE(at(*it) == "b@1");
    it->seek(seek_key("", kMaxVersion));
    REQUIRE(at(*it) == "b@1");
  }
  SECTION("exactly on a key in either child") {
    it->seek(ikey("d", 1));
    REQUIRE(at(*it) == "d@1");
    CHECK(it->value() == "d1");
    it->seek(ikey("f", 1));
    REQUIRE(at(*it) == "f@1");
  }
  SECTION("between keys") {
    it->seek(seek_key("c", kMaxVersion));
    REQUIRE(at(*it) == "d@2");
    it->seek(seek_key("e", 5));
    REQUIRE(at(*it) == "f@1");
    it->next();
    REQUIRE(at(*it) == "h@1");
  }
  SECTION("after every key") {
    it->seek(seek_key("i", kMaxVersion));
    CHECK_FALSE(it->valid());
    it->seek(ikey("h", 0));  // same user key, older than every entry
    CHECK_FALSE(it->valid());
  }
  CHECK(it->status().is_ok());
}

TEST_CASE("merging iterator changes direction at any position", "[merging_iterator]") {
  // Children: a, z | b, c. Each step below forces a direction change.
  auto it = merge(
      {{{ikey("a", 1), "a"}, {ikey("z", 1), "z"}}, {{ikey("b", 1), "b"}, {ikey("c", 1), "c"}}});
  SECTION("prev after a seek that left another child past its end") {
    it->seek(ikey("z", 1));  // the second child is now past its end
    REQUIRE(at(*it) == "z@1");
    it->prev();
    REQUIRE(at(*it) == "c@1");
    it->prev();
    REQUIRE(at(*it) == "b@1");
    it->next();
    REQUIRE(at(*it) == "c@1");
  }
  SECTION("next after prev left another child before its start") {
    it->seek_to_last();
    it->prev();
    it->prev();
    it->prev();
    REQUIRE(at(*it) == "a@1");  // the second child is now before its first entry
    it->next();
    REQUIRE(at(*it) == "b@1");
    it->next();
    REQUIRE(at(*it) == "c@1");
    it->prev();
    REQUIRE(at(*it) == "b@1");
  }
  SECTION("prev then next returns to the same entry everywhere") {
    for (it->seek_to_first(), it->next(); it->valid(); it->next()) {
      const std::string here = at(*it);
      it->prev();
      REQUIRE(it->valid());
      it->next();
      REQUIRE(at(*it) == here);
    }
  }
  SECTION("prev from the first entry and next from the last end the stream") {
    it->seek_to_first();
    it->prev();
    CHECK_FALSE(it->valid());
    it->seek_to_last();
    it->next();
    CHECK_FALSE(it->valid());
  }
  CHECK(it->status().is_ok());
}

TEST_CASE("merging iterator stops at a failing child and reports its error", "[merging_iterator]") {
  const Status injected = Status::corruption("000012.sst: offset 4096: bad block checksum");
  auto make = [&](std::size_t fail_at) {
    Children children;
    children.push_back(std::make_unique<VectorIterator>(
        KVs{{ikey("a", 1), "a"}, {ikey("c", 1), "c"}, {ikey("e", 1), "e"}}));
    // The failing child: entry number `fail_at` of b, d, f is unreadable.
    children.push_back(std::make_unique<VectorIterator>(
        KVs{{ikey("b", 1), "b"}, {ikey("d", 1), "d"}, {ikey("f", 1), "f"}}, fail_at, injected));
    return new_merging_iterator(std::move(children));
  };

  SECTION("while moving forward: nothing after the failure is yielded") {
    auto it = make(1);  // d
    // c is readable in the healthy child, but an entry of the failed one
    // (here d) could sort before it or hide it: the merge stops.
    CHECK(keys_of(test::scan_forward(*it)) == std::vector<std::string>{"a@1", "b@1"});
    CHECK_FALSE(it->valid());
    CHECK(it->status() == injected);
  }
  SECTION("while moving backward") {
    auto it = make(0);  // b
    CHECK(keys_of(test::scan_backward(*it)) == std::vector<std::string>{"f@1", "e@1", "d@1"});
    CHECK_FALSE(it->valid());
    CHECK(it->status() == injected);
  }
  SECTION("on seek") {
    auto it = make(2);                     // f
    it->seek(seek_key("e", kMaxVersion));  // the failing child lands on f
    CHECK_FALSE(it->valid());
    CHECK(it->status() == injected);
  }
  SECTION("on the first positioning") {
    auto it = make(0);
    it->seek_to_first();
    CHECK_FALSE(it->valid());
    CHECK(it->status() == injected);
  }
  SECTION("an I/O error keeps its code and message") {
    Children children;
    children.push_back(std::make_unique<VectorIterator>(KVs{{ikey("a", 1), "a"}}));
    const Status io = Status::io_error("000003.sst: Input/output error");
    children.push_back(std::make_unique<VectorIterator>(KVs{{ikey("b", 1), "b"}}, 0, io));
    auto it = new_merging_iterator(std::move(children));
    it->seek_to_last();
    CHECK_FALSE(it->valid());
    CHECK(it->status().code() == Code::kIOError);
    CHECK(it->status() == io);
  }
}

// ---- model test -------------------------------------------------------------

// User keys chosen to exercise bytewise order: the empty key, a prefix and
// its extensions, a NUL byte, bytes above 0x7f.
const std::vector<std::string>& user_keys() {
  static const std::vector<std::string> keys = {"",  "a",    "a\0"s, "ab",   "abc",     "b",
                                                "m", "\x7f", "\x80", "\xff", "\xff\xff"};
  return keys;
}

// Random iterator operations: seeks to read keys (newest entry of a user key
// at or below a version) and to exact internal keys, present or not.
std::vector<test::IterOp> random_ops() {
  const auto raw = *rc::gen::container<std::vector<std::tuple<int, std::size_t, Version>>>(
      rc::gen::tuple(rc::gen::inRange(0, 8), rc::gen::inRange<std::size_t>(0, user_keys().size()),
                     rc::gen::inRange<Version>(0, 14)));
  std::vector<test::IterOp> ops;
  for (const auto& [op, k, v] : raw) ops.push_back(test::iter_op_from(op, user_keys()[k], v));
  return ops;
}

TEST_CASE("merging iterator matches a sorted model over random children",
          "[merging_iterator][model]") {
  rc::prop("every operation sequence sees the sorted union", [] {
    const auto n_children = *rc::gen::inRange<std::size_t>(1, 7);
    const auto raw = *rc::gen::container<std::vector<std::tuple<std::size_t, Version, bool>>>(
        rc::gen::tuple(rc::gen::inRange<std::size_t>(0, user_keys().size()),
                       rc::gen::inRange<Version>(1, 12), rc::gen::arbitrary<bool>()));
    // Children never share a (user key, version): keep the first of each.
    std::set<std::pair<std::size_t, Version>> seen;
    std::vector<KVs> inputs(n_children);
    for (const auto& [k, v, del] : raw) {
      if (!seen.insert({k, v}).second) continue;
      const auto child = *rc::gen::inRange<std::size_t>(0, n_children);
      const std::string& user = user_keys()[k];
      inputs[child].emplace_back(ikey(user, v, del ? EntryKind::kDelete : EntryKind::kPut),
                                 del ? "" : user + "=" + std::to_string(v));
    }
    const KVs model = sorted_union(inputs);
    auto it = merge(inputs);

    RC_ASSERT(test::scan_forward(*it) == model);
    RC_ASSERT(test::scan_backward(*it) == reversed(model));
    const std::string diff = test::replay_against_model(*it, model, random_ops());
    if (!diff.empty()) RC_FAIL(diff);
  });
}

}  // namespace
}  // namespace sand
