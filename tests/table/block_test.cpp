// Block and BlockIterator: round trips against a std::map model for several
// restart intervals, and corrupt blocks that must fail cleanly.
#include "table/block.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <iterator>

#include "table/block_builder.hpp"
#include "table_test_util.hpp"
#include "util/coding.hpp"

namespace sand::table {
namespace {

using testing::ikey;
using testing::Model;

constexpr std::string_view kFile = "000042.sst";
constexpr std::uint64_t kOffset = 4096;

std::string build_block(const Model& model, int restart_interval) {
  BlockBuilder b(restart_interval);
  for (const auto& [k, v] : model) b.add(k, v);
  return std::string(b.finish());
}

// The iterator views `contents`, which must outlive it. `max_kind`: what the
// table's format version allows (kValueRef: version 2).
BlockIterator iterator_over(const std::string& contents,
                            EntryKind max_kind = EntryKind::kValueRef) {
  Result<Block> block = Block::parse(contents, nullptr, kFile, kOffset, max_kind);
  REQUIRE(block.is_ok());
  return BlockIterator(std::move(block).value());
}

BlockIterator iterator_over(std::string&&, EntryKind = EntryKind::kValueRef) = delete;

// Keys from a tiny alphabet so neighbours share prefixes and user keys repeat
// at several versions.
rc::Gen<Model> gen_model() {
  return rc::gen::map(
      rc::gen::container<std::vector<std::tuple<std::string, std::uint64_t, bool, std::string>>>(
          rc::gen::tuple(rc::gen::container<std::string>(rc::gen::elementOf(std::string("ab\xff"))),
                         rc::gen::inRange<std::uint64_t>(0, 5), rc::gen::arbitrary<bool>(),
                         rc::gen::container<std::string>(rc::gen::character<char>()))),
      [](const auto& tuples) {
        Model m;
        for (const auto& [user, version, is_put, value] : tuples) {
          m[ikey(user, version, is_put ? EntryKind::kPut : EntryKind::kDelete)] =
              is_put ? value : "";
        }
        return m;
      });
}

std::string gen_target() {
  return ikey(*rc::gen::container<std::string>(rc::gen::elementOf(std::string("ab\xff"))),
              *rc::gen::inRange<std::uint64_t>(0, 6), EntryKind::kPut);
}

TEST_CASE("empty block iterates as empty", "[table][block]") {
  const std::string contents = build_block({}, 16);
  BlockIterator it = iterator_over(contents);
  it.seek_to_first();
  CHECK_FALSE(it.valid());
  it.seek_to_last();
  CHECK_FALSE(it.valid());
  it.seek(ikey("a", 1));
  CHECK_FALSE(it.valid());
  CHECK(it.status().is_ok());
}

TEST_CASE("a new block iterator is not positioned", "[table][block]") {
  Model m{{ikey("a", 1), "x"}};
  const std::string contents = build_block(m, 16);
  BlockIterator it = iterator_over(contents);
  CHECK_FALSE(it.valid());
  CHECK(it.status().is_ok());
}

TEST_CASE("seek finds the newest version at or below a snapshot", "[table][block]") {
  Model m;
  for (std::uint64_t v : {9, 7, 3}) m[ikey("k", v)] = "v" + std::to_string(v);
  m[ikey("j", 1)] = "j";
  m[ikey("l", 1)] = "l";
  for (int interval : {1, 2, 16}) {
    const std::string contents = build_block(m, interval);
    BlockIterator it = iterator_over(contents);
    it.seek(seek_key("k", 8));
    REQUIRE(it.valid());
    CHECK(it.key() == ikey("k", 7));
    CHECK(it.value() == "v7");
    it.seek(seek_key("k", 2));
    REQUIRE(it.valid());
    CHECK(it.key() == ikey("l", 1));
    it.seek(seek_key("m", 100));
    CHECK_FALSE(it.valid());
    CHECK(it.status().is_ok());
  }
}

TEST_CASE("block round trip against a map", "[table][block]") {
  for (int interval : {1, 2, 16}) {
    DYNAMIC_SECTION("restart interval " << interval) {
      rc::prop("forward and backward scans equal the model", [interval] {
        const Model model = *gen_model();
        const std::string contents = build_block(model, interval);
        BlockIterator it = iterator_over(contents);
        auto fwd = testing::scan_all(&it);
        RC_ASSERT(fwd == testing::Entries(model.begin(), model.end()));
        auto bwd = testing::scan_all_backward(&it);
        RC_ASSERT(bwd == testing::Entries(model.rbegin(), model.rend()));
        RC_ASSERT(it.status().is_ok());
      });
      rc::prop("seek, next and prev follow the model", [interval] {
        const Model model = *gen_model();
        const std::string contents = build_block(model, interval);
        BlockIterator it = iterator_over(contents);
        auto pos = model.end();  // model.end() == not valid
        const int steps = *rc::gen::inRange(1, 60);
        for (int i = 0; i < steps; ++i) {
          const int op = *rc::gen::inRange(0, pos == model.end() ? 3 : 5);
          switch (op) {
            case 0: {
              const std::string target = gen_target();
              it.seek(target);
              pos = model.lower_bound(target);
              break;
            }
            case 1:
              it.seek_to_first();
              pos = model.begin();
              break;
            case 2:
              it.seek_to_last();
              pos = model.empty() ? model.end() : std::prev(model.end());
              break;
            case 3:
              it.next();
              ++pos;
              break;
            case 4:
              it.prev();
              pos = pos == model.begin() ? model.end() : std::prev(pos);
              break;
          }
          RC_ASSERT(it.valid() == (pos != model.end()));
          if (it.valid()) {
            RC_ASSERT(std::string(it.key()) == pos->first);
            RC_ASSERT(std::string(it.value()) == pos->second);
          }
        }
        RC_ASSERT(it.status().is_ok());
      });
    }
  }
}

TEST_CASE("block shorter than its restart count is corrupt", "[table][block]") {
  Result<Block> b = Block::parse("abc", nullptr, kFile, kOffset, EntryKind::kValueRef);
  REQUIRE_FALSE(b.is_ok());
  CHECK(b.status().code() == Code::kCorruption);
  CHECK(b.status().message() == "000042.sst: offset 4096: block too short for a restart count");
}

TEST_CASE("zero or oversized restart counts are corrupt", "[table][block]") {
  std::string zero;
  util::put_fixed32(&zero, 0);
  Result<Block> b = Block::parse(zero, nullptr, kFile, kOffset, EntryKind::kValueRef);
  REQUIRE_FALSE(b.is_ok());
  CHECK(b.status().message() == "000042.sst: offset 4096: bad restart count 0 in block");

  std::string big(8, '\0');
  util::put_fixed32(&big, 3);  // room for 2 restarts only
  b = Block::parse(big, nullptr, kFile, kOffset, EntryKind::kValueRef);
  REQUIRE_FALSE(b.is_ok());
  CHECK(b.status().code() == Code::kCorruption);
}

TEST_CASE("entry running past the entries is corrupt", "[table][block]") {
  Model m{{ikey("a", 1), "value"}};
  std::string contents = build_block(m, 16);
  contents[2] = 100;  // value_bytes = 100, but only 5 remain
  BlockIterator it = iterator_over(contents);
  it.seek_to_first();
  CHECK_FALSE(it.valid());
  CHECK(it.status().code() == Code::kCorruption);
  CHECK(it.status().message() == "000042.sst: offset 4096: block entry lengths out of bounds");
  // The error is sticky.
  it.seek_to_last();
  CHECK_FALSE(it.valid());
  CHECK(it.status().code() == Code::kCorruption);
}

TEST_CASE("shared bytes beyond the previous key are corrupt", "[table][block]") {
  Model m{{ikey("a", 1), "v"}};
  std::string contents = build_block(m, 16);
  contents[0] = 3;  // the first entry cannot share anything
  BlockIterator it = iterator_over(contents);
  it.seek_to_first();
  CHECK_FALSE(it.valid());
  CHECK(it.status().code() == Code::kCorruption);
}

TEST_CASE("a restart entry that shares key bytes is corrupt", "[table][block]") {
  Model m{{ikey("aa", 1), "x"}, {ikey("ab", 1), "y"}};
  std::string contents = build_block(m, 1);
  // Entry 2 starts at 3 + 10 + 1 = 14 and is a restart entry.
  REQUIRE(contents[14] == 0);
  contents[14] = 1;
  BlockIterator it = iterator_over(contents);
  it.seek_to_first();
  REQUIRE(it.valid());
  it.next();
  CHECK_FALSE(it.valid());
  CHECK(it.status().message() ==
        "000042.sst: offset 4096: restart entry shares bytes with the previous key");
}

TEST_CASE("keys shorter than the trailer are corrupt", "[table][block]") {
  std::string contents;
  util::put_varint32(&contents, 0);
  util::put_varint32(&contents, 3);
  util::put_varint32(&contents, 0);
  contents += "abc";
  util::put_fixed32(&contents, 0);
  util::put_fixed32(&contents, 1);
  BlockIterator it = iterator_over(contents);
  it.seek_to_first();
  CHECK_FALSE(it.valid());
  CHECK(it.status().message() ==
        "000042.sst: offset 4096: block entry key shorter than the 8-byte trailer");
}

TEST_CASE("keys with an unknown kind are corrupt", "[table][block]") {
  Model m{{ikey("a", 1), "x"}};
  std::string contents = build_block(m, 16);
  contents[3 + 1] = 3;  // the trailer's kind byte, just after the user key "a"
  const std::string& bytes = contents;
  BlockIterator it = iterator_over(bytes);
  it.seek_to_first();
  CHECK_FALSE(it.valid());
  CHECK(it.status().message() == "000042.sst: offset 4096: block entry key has an unknown kind");
}

TEST_CASE("a value reference is a known kind only in format version 2", "[table][block]") {
  Model m{{ikey("a", 1), "x"}};
  std::string contents = build_block(m, 16);
  contents[3 + 1] = 2;  // EntryKind::kValueRef
  const std::string& bytes = contents;
  BlockIterator v2 = iterator_over(bytes, EntryKind::kValueRef);
  v2.seek_to_first();
  REQUIRE(v2.valid());
  ParsedKey k;
  REQUIRE(parse_internal_key(v2.key(), &k));
  CHECK(k.kind == EntryKind::kValueRef);
  BlockIterator v1 = iterator_over(bytes, EntryKind::kPut);
  v1.seek_to_first();
  CHECK_FALSE(v1.valid());
  CHECK(v1.status().message() == "000042.sst: offset 4096: block entry key has an unknown kind");
}

// Four entries "k0".."k3" with restart interval 2: restart offsets at entry 0
// and entry 2, stored 8 and 4 bytes before the end.
std::string four_entry_block() {
  Model m;
  for (int i = 0; i < 4; ++i) m[ikey("k" + std::to_string(i), 1)] = "v";
  return build_block(m, 2);
}

std::string parse_error(const std::string& contents) {
  Result<Block> b = Block::parse(contents, nullptr, kFile, kOffset, EntryKind::kValueRef);
  REQUIRE_FALSE(b.is_ok());
  CHECK(b.status().code() == Code::kCorruption);
  return b.status().message();
}

TEST_CASE("restart offsets out of order are corrupt at parse", "[table][block]") {
  std::string past = four_entry_block();
  // The second offset points into the restart array itself.
  util::encode_fixed32(past.data() + past.size() - 8, 0xfff0);
  CHECK(parse_error(past) ==
        "000042.sst: offset 4096: restart offset 1 (65520) out of order in block");

  std::string first = four_entry_block();
  util::encode_fixed32(first.data() + first.size() - 12, 1);  // must be 0
  CHECK(parse_error(first) ==
        "000042.sst: offset 4096: restart offset 0 (1) out of order in block");

  std::string repeated = four_entry_block();
  util::encode_fixed32(repeated.data() + repeated.size() - 8, 0);  // not ascending
  CHECK(parse_error(repeated) ==
        "000042.sst: offset 4096: restart offset 1 (0) out of order in block");

  // A block with entries whose only restart offset is 0 stays valid.
  std::string empty_entries(4, '\0');
  util::put_fixed32(&empty_entries, 1);
  CHECK(Block::parse(empty_entries, nullptr, kFile, kOffset, EntryKind::kValueRef).is_ok());
}

TEST_CASE("a restart offset inside an entry is corrupt in both directions", "[table][block]") {
  std::string contents = four_entry_block();
  const std::uint32_t second = util::decode_fixed32(contents.data() + contents.size() - 8);
  REQUIRE(second > 1);
  // One byte into entry 2: ascending and inside the entries, but a backward
  // walk from there would decode the middle of an entry as a key.
  util::encode_fixed32(contents.data() + contents.size() - 8, second + 1);
  const std::string want = "000042.sst: offset 4096: restart point inside a block entry";
  BlockIterator forward = iterator_over(contents);
  int n = 0;
  for (forward.seek_to_first(); forward.valid(); forward.next()) ++n;
  CHECK(n == 2);
  CHECK(forward.status().message() == want);
  BlockIterator backward = iterator_over(contents);
  backward.seek_to_first();
  backward.next();
  REQUIRE(backward.valid());  // entry 1 ends at the old offset, before the new one
  backward.prev();
  CHECK(backward.valid());
  // A seek starts at a restart point, so it cannot tell; here the bytes
  // there do not decode as a restart entry (its first byte is entry 2's
  // unshared length, read as `shared`).
  BlockIterator seeker = iterator_over(contents);
  seeker.seek(ikey("k3", 1));
  CHECK_FALSE(seeker.valid());
  CHECK(seeker.status().message() == "000042.sst: offset 4096: bad key at a restart point");
}

TEST_CASE("arbitrary bytes never crash the block iterator", "[table][block]") {
  rc::prop("random blocks fail cleanly or iterate", [] {
    const std::string contents = *rc::gen::container<std::string>(rc::gen::character<char>());
    Result<Block> block = Block::parse(contents, nullptr, kFile, kOffset, EntryKind::kValueRef);
    if (!block.is_ok()) {
      RC_ASSERT(block.status().code() == Code::kCorruption);
      return;
    }
    BlockIterator it(std::move(block).value());
    int n = 0;
    for (it.seek_to_first(); it.valid() && n < 1000; it.next()) ++n;
    for (it.seek_to_last(); it.valid() && n < 2000; it.prev()) ++n;
    it.seek(ikey("a", 1));
    RC_ASSERT(it.status().is_ok() || it.status().code() == Code::kCorruption);
  });
}

}  // namespace
}  // namespace sand::table
