// What the memtable tests share: internal keys, entries read back through an
// iterator, the std::map model (user key ascending, version descending)
// their properties compare against, and the loop over both index kinds
// (SAND_FOR_EACH_MEMTABLE_INDEX) that every MemTable-level test runs under.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memtable/memtable.hpp"
#include "util/coding.hpp"
#include "util/internal_iterator.hpp"
#include "util/internal_key.hpp"

namespace sand::memtable_test {

inline const char* index_name(MemTableIndex index) {
  switch (index) {
    case MemTableIndex::kBTree:
      return "kBTree";
    case MemTableIndex::kSkipList:
      return "kSkipList";
  }
  return "unknown MemTableIndex";
}

}  // namespace sand::memtable_test

// CAPTURE(index) prints the kind's name, not its number.
template <>
struct Catch::StringMaker<sand::MemTableIndex> {
  static std::string convert(sand::MemTableIndex index) {
    return sand::memtable_test::index_name(index);
  }
};

// Declares `const MemTableIndex var` in a TEST_CASE, which Catch2 then runs
// once per index kind (a generator: put it before any SECTION, rc::prop
// included), and names the kind in every failure message of the case.
#define SAND_FOR_EACH_MEMTABLE_INDEX(var)                                        \
  const ::sand::MemTableIndex var =                                              \
      GENERATE(::sand::MemTableIndex::kBTree, ::sand::MemTableIndex::kSkipList); \
  CAPTURE(var)

namespace sand::memtable_test {

inline std::string ikey(std::string_view user_key, Version v, EntryKind kind) {
  std::string k;
  append_internal_key(&k, user_key, v, kind);
  return k;
}

struct Entry {
  std::string key;  // internal key
  std::string value;
  friend bool operator==(const Entry&, const Entry&) = default;
};

// k: put "a"@3, delete@5, put "c"@9, with "j"@4 and "ka"@4 beside it; added
// out of version order (9 before 5 and 4).
inline std::shared_ptr<MemTable> three_versions(MemTableIndex index) {
  auto mt = std::make_shared<MemTable>(index);
  mt->add(3, EntryKind::kPut, "k", "a");
  mt->add(9, EntryKind::kPut, "k", "c");
  mt->add(5, EntryKind::kDelete, "k", "");
  mt->add(4, EntryKind::kPut, "j", "before");
  mt->add(4, EntryKind::kPut, "ka", "after");
  return mt;
}

// An iterator over nothing: no move makes it valid, and its status is OK.
inline void check_empty(InternalIterator& it) {
  CHECK_FALSE(it.valid());
  it.seek_to_first();
  CHECK_FALSE(it.valid());
  it.seek_to_last();
  CHECK_FALSE(it.valid());
  it.seek(ikey("k", 1, EntryKind::kPut));
  CHECK_FALSE(it.valid());
  CHECK(it.status().is_ok());
}

inline std::vector<Entry> forward(InternalIterator& it) {
  std::vector<Entry> out;
  for (it.seek_to_first(); it.valid(); it.next()) {
    out.push_back({std::string(it.key()), std::string(it.value())});
  }
  CHECK(it.status().is_ok());
  return out;
}

inline std::vector<Entry> backward(InternalIterator& it) {
  std::vector<Entry> out;
  for (it.seek_to_last(); it.valid(); it.prev()) {
    out.push_back({std::string(it.key()), std::string(it.value())});
  }
  return out;
}

struct ModelOrder {  // user key ascending, version descending
  bool operator()(const std::pair<std::string, Version>& a,
                  const std::pair<std::string, Version>& b) const {
    if (a.first != b.first) return a.first < b.first;
    return a.second > b.second;
  }
};
using Model =
    std::map<std::pair<std::string, Version>, std::pair<EntryKind, std::string>, ModelOrder>;

// Short keys over a tiny alphabet with the extreme bytes, so keys collide,
// prefix each other and sort around 0x00 and 0xff.
inline rc::Gen<std::string> gen_user_key() {
  return rc::gen::mapcat(rc::gen::inRange(0, 4), [](int n) {
    return rc::gen::container<std::string>(static_cast<std::size_t>(n),
                                           rc::gen::elementOf(std::string("\0ab\xff", 4)));
  });
}

// The model's entries in internal-key order: all of them, or those with
// versions in (lo, until].
inline std::vector<Entry> model_entries(const Model& model) {
  std::vector<Entry> out;
  for (const auto& [kv, entry] : model) {
    out.push_back({ikey(kv.first, kv.second, entry.first), entry.second});
  }
  return out;
}
inline std::vector<Entry> model_entries(const Model& model, Version lo, Version until) {
  std::vector<Entry> out;
  for (const auto& [kv, entry] : model) {
    if (kv.second <= lo || kv.second > until) continue;
    out.push_back({ikey(kv.first, kv.second, entry.first), entry.second});
  }
  return out;
}

// An internal key to seek to, with any kind byte (0, 1 or the seek kind).
inline std::string seek_target(std::string_view user_key, Version v, int kind) {
  std::string target(user_key);
  util::put_fixed64(&target, pack_trailer(v, static_cast<std::uint8_t>(kind)));
  return target;
}

// The first of `want` at or after `target`: where a seek must land.
inline std::vector<Entry>::const_iterator first_at_or_after(const std::vector<Entry>& want,
                                                            std::string_view target) {
  return std::find_if(want.begin(), want.end(),
                      [&](const Entry& e) { return compare_internal_keys(e.key, target) >= 0; });
}

}  // namespace sand::memtable_test
