// TableBuilder: properties it computes, block splitting, filter presence,
// file size accounting, append errors, and the format version it writes
// (1 inline, 2 value refs, 3 compressed value refs).
#include "table/table_builder.hpp"

#include <catch2/catch.hpp>

#include "table/format.hpp"
#include "table_test_util.hpp"
#include "util/coding.hpp"
#include "value/value_ref.hpp"

namespace sand::table {
namespace {

using testing::ikey;
using testing::Model;

TEST_CASE("properties summarise the entries", "[table][table_builder]") {
  Model m;
  m[ikey("apple", 5)] = "red";
  m[ikey("apple", 2, EntryKind::kDelete)] = "";
  m[ikey("pear", 9)] = "green";
  m[ikey("zebra", 3, EntryKind::kDelete)] = "";
  TableProperties p;
  REQUIRE_FALSE(testing::build_table(m, {.compression = Compression::kNone}, &p).empty());
  CHECK(p.entries == 4);
  CHECK(p.tombstones == 2);
  CHECK(p.data_blocks == 1);
  CHECK(p.raw_key_bytes == (5 + 8) * 2 + (4 + 8) + (5 + 8));
  CHECK(p.raw_value_bytes == 8);
  CHECK(p.min_version == 2);
  CHECK(p.max_version == 9);
  CHECK(p.smallest_user_key == "apple");
  CHECK(p.largest_user_key == "zebra");
  CHECK(p.compression == Compression::kNone);
}

TEST_CASE("file_size counts every byte written", "[table][table_builder]") {
  testing::StringSink sink;
  TableBuilder b({}, &sink);
  CHECK(b.file_size() == 0);
  for (int i = 0; i < 1000; ++i) b.add(ikey("k" + std::to_string(10000 + i), 1), "value");
  CHECK(b.file_size() == sink.size());
  REQUIRE(b.finish().is_ok());
  CHECK(b.file_size() == sink.size());
  CHECK(sink.contents().substr(sink.size() - 8) == "SANDSST1");
}

TEST_CASE("data blocks close at block_size", "[table][table_builder]") {
  Model m;
  for (int i = 0; i < 100; ++i) m[ikey("key" + std::to_string(100 + i), 1)] = std::string(50, 'v');
  TableProperties p;
  testing::build_table(m, {.block_size = 256, .compression = Compression::kNone}, &p);
  // Each entry is ~64 bytes, so a block closes after 4 of them.
  CHECK(p.data_blocks == 25);
}

TEST_CASE("bloom_bits_per_key 0 writes no filter", "[table][table_builder]") {
  Model m{{ikey("a", 1), "x"}};
  const std::string file = testing::build_table(m, {.bloom_bits_per_key = 0});
  Result<Footer> f = decode_footer(file, "t.sst");
  REQUIRE(f.is_ok());
  CHECK(f->filter.is_null());
}

TEST_CASE("the filter counts each user key once", "[table][table_builder]") {
  Model m;
  for (std::uint64_t v = 1; v <= 100; ++v) m[ikey("same", v)] = "x";
  const std::string file = testing::build_table(m, {.bloom_bits_per_key = 10});
  Result<Footer> f = decode_footer(file, "t.sst");
  REQUIRE(f.is_ok());
  CHECK(f->filter.size == 8 + 1);  // one key: the 8-byte minimum, not 125 bytes
}

TEST_CASE("an empty table is valid", "[table][table_builder]") {
  TableProperties p;
  const std::string file = testing::build_table({}, {}, &p);
  CHECK(p == TableProperties{.compression = Compression::kLz4});
  Result<std::shared_ptr<Table>> t = testing::open_bytes(file);
  REQUIRE(t.is_ok());
  CHECK((*t)->properties().entries == 0);
  auto it = (*t)->new_iterator();
  it->seek_to_first();
  CHECK_FALSE(it->valid());
  it->seek_to_last();
  CHECK_FALSE(it->valid());
  Result<std::optional<Table::Found>> g = (*t)->get("k", 5);
  REQUIRE(g.is_ok());
  CHECK_FALSE(g->has_value());
}

TEST_CASE("an append error is kept and returned by finish", "[table][table_builder]") {
  for (int fail_after : {0, 1, 2, 5}) {
    testing::StringSink sink(fail_after);
    TableBuilder b({.block_size = 64}, &sink);
    for (int i = 0; i < 100; ++i) b.add(ikey("k" + std::to_string(100 + i), 1), "value");
    Status s = b.finish();
    CHECK(s.code() == Code::kIOError);
    CHECK(s == b.status());
    CHECK(s.message() == "sink.sst: injected append failure");
    CHECK(b.file_size() == sink.size());
  }
}

std::string ref_bytes(std::uint64_t raw_size, std::uint64_t file = 7) {
  std::string s;
  value::encode_value_ref(
      value::ValueRef{
          .file = file, .offset = 40, .size = 300, .checksum = 0x1234, .raw_size = raw_size},
      &s);
  return s;
}

std::uint32_t version_of(const std::string& file) {
  Result<Footer> f = decode_footer(file, "t.sst");
  REQUIRE(f.is_ok());
  return f->format_version;
}

TEST_CASE("a table with a compressed value ref is format version 3", "[table][table_builder]") {
  Model m;
  m[ikey("a", 1)] = "inline";
  m[ikey("b", 2, EntryKind::kValueRef)] = ref_bytes(1000);
  m[ikey("c", 3, EntryKind::kDelete)] = "";
  const std::string file = testing::build_table(m, {});
  REQUIRE_FALSE(file.empty());
  CHECK(version_of(file) == kFormatVersionCompressedRefs);
  CHECK(version_of(file) == 3);
  // The footer's version bytes, and the table reads back (entries as added;
  // the reference is not resolved here).
  CHECK(util::decode_fixed32(file.data() + file.size() - kFooterSize + 48) == 3);
  Result<std::shared_ptr<Table>> t = testing::open_bytes(file);
  REQUIRE(t.is_ok());
  auto it = (*t)->new_iterator();
  CHECK(testing::scan_all(it.get()) == testing::Entries(m.begin(), m.end()));
}

TEST_CASE("a table with uncompressed value refs only is format version 2",
          "[table][table_builder]") {
  Model m;
  m[ikey("a", 1)] = "inline";
  m[ikey("b", 2, EntryKind::kValueRef)] = ref_bytes(0);
  m[ikey("c", 2, EntryKind::kValueRef)] = ref_bytes(0, 300);
  const std::string file = testing::build_table(m, {});
  CHECK(version_of(file) == kFormatVersionRefs);
  Result<std::shared_ptr<Table>> t = testing::open_bytes(file);
  REQUIRE(t.is_ok());
  auto it = (*t)->new_iterator();
  CHECK(testing::scan_all(it.get()) == testing::Entries(m.begin(), m.end()));
}

TEST_CASE("one compressed ref among many makes the table version 3", "[table][table_builder]") {
  // Wherever it is: first, in the middle of many blocks, or last.
  for (const int at : {0, 250, 499}) {
    INFO("compressed ref at " << at);
    Model m;
    for (int i = 0; i < 500; ++i) {
      m[ikey("key" + std::to_string(1000 + i), 5, EntryKind::kValueRef)] =
          ref_bytes(i == at ? 4096 : 0);
    }
    TableProperties p;
    const std::string file = testing::build_table(m, {.block_size = 256}, &p);
    CHECK(p.data_blocks > 10);
    CHECK(version_of(file) == 3);
    Result<std::shared_ptr<Table>> t = testing::open_bytes(file);
    REQUIRE(t.is_ok());
  }
}

TEST_CASE("an inline value that looks like a compressed ref keeps version 1",
          "[table][table_builder]") {
  // Only kind-2 entries are references: a put's bytes are never decoded.
  Model m;
  m[ikey("a", 1)] = ref_bytes(1000);
  m[ikey("b", 1, EntryKind::kDelete)] = "";
  CHECK(version_of(testing::build_table(m, {})) == kFormatVersionInline);
  CHECK(version_of(testing::build_table({}, {})) == kFormatVersionInline);
}

}  // namespace
}  // namespace sand::table
