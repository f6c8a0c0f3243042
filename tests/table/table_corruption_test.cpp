// Corrupt tables: a flipped byte anywhere, truncation, unknown versions and
// wrong magic must surface as Corruption naming the file and the offset of the
// structure at fault; never as a wrong value, never as a crash.
#include <catch2/catch.hpp>
#include <map>

#include "table/block.hpp"
#include "table/format.hpp"
#include "table/table.hpp"
#include "table_test_util.hpp"
#include "util/coding.hpp"
#include "util/crc32c.hpp"

namespace sand::table {
namespace {

using testing::Entries;
using testing::ikey;
using testing::Model;

Model sample_model() {
  Model m;
  for (int i = 0; i < 12; ++i) {
    const std::string user = "key" + std::to_string(10 + i);
    m[ikey(user, 3)] = testing::compressible_value(20, i);
    if (i % 3 == 0) m[ikey(user, 2, EntryKind::kDelete)] = "";
  }
  return m;
}

// Where each structure of a table file starts, by the byte ranges it covers.
struct Layout {
  Footer footer;
  std::vector<BlockHandle> data;
  std::uint64_t footer_offset = 0;
  // start offset -> end offset (exclusive, trailer included)
  std::map<std::uint64_t, std::uint64_t> blocks;
};

Layout layout_of(const std::string& file) {
  Layout l;
  Result<Footer> f = decode_footer(file, "x");
  REQUIRE(f.is_ok());
  l.footer = *f;
  l.footer_offset = file.size() - kFooterSize;
  Result<BlockContents> index = read_block(file, "x", l.footer.index, true);
  REQUIRE(index.is_ok());
  Result<Block> block =
      Block::parse(index->data, index->owned, "x", l.footer.index.offset, EntryKind::kValueRef);
  REQUIRE(block.is_ok());
  BlockIterator it(std::move(block).value());
  for (it.seek_to_first(); it.valid(); it.next()) {
    std::string_view v = it.value();
    BlockHandle h;
    REQUIRE(decode_block_handle(&v, &h));
    l.data.push_back(h);
  }
  for (const BlockHandle& h : l.data) l.blocks[h.offset] = h.offset + h.size + kBlockTrailerSize;
  for (const BlockHandle* h : {&l.footer.filter, &l.footer.index, &l.footer.properties}) {
    if (!h->is_null()) l.blocks[h->offset] = h->offset + h->size + kBlockTrailerSize;
  }
  return l;
}

// The offset a reader must name when byte `i` is corrupt.
std::uint64_t expected_offset(const Layout& l, std::uint64_t i) {
  if (i >= l.footer_offset) {
    const std::uint64_t in_footer = i - l.footer_offset;
    if (in_footer >= 56) return l.footer_offset + 56;  // magic
    return l.footer_offset;  // handles, version or checksum: checksum mismatch
  }
  auto it = l.blocks.upper_bound(i);
  REQUIRE(it != l.blocks.begin());
  --it;
  REQUIRE(i < it->second);  // blocks tile the file: no unchecked gaps
  return it->first;
}

std::string prefix_for(std::uint64_t offset) {
  return "000007.sst: offset " + std::to_string(offset) + ": ";
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

std::string flipped(std::string bytes, std::size_t i, unsigned char mask = 0x01) {
  bytes[i] = static_cast<char>(static_cast<unsigned char>(bytes[i]) ^ mask);
  return bytes;
}

Status open_status(std::string bytes) { return testing::open_bytes(std::move(bytes)).status(); }

TEST_CASE("a flipped data block byte fails that block only", "[table][corruption]") {
  const Model m = sample_model();
  const std::string good =
      testing::build_table(m, {.block_size = 64, .compression = Compression::kNone});
  const Layout l = layout_of(good);
  REQUIRE(l.data.size() >= 3);
  const BlockHandle bad = l.data[1];
  Result<std::shared_ptr<Table>> t = testing::open_bytes(flipped(good, bad.offset + 3));
  REQUIRE(t.is_ok());  // data blocks are verified on first use

  auto it = (*t)->new_iterator();
  std::size_t seen = 0;
  for (it->seek_to_first(); it->valid(); it->next()) ++seen;
  CHECK(seen > 0);
  CHECK(seen < m.size());
  CHECK(it->status().code() == Code::kCorruption);
  CHECK(it->status().message() == prefix_for(bad.offset) + "block checksum mismatch");

  // A lookup in the damaged block fails; one elsewhere still answers.
  Result<std::optional<Table::Found>> first = (*t)->get("key10", 5);
  REQUIRE(first.is_ok());
  CHECK((*first)->version == 3);
  bool some_get_failed = false;
  for (const auto& [k, v] : m) {
    Result<std::optional<Table::Found>> g = (*t)->get(user_key_of(k), trailer_of(k) >> 8);
    if (!g.is_ok()) {
      some_get_failed = true;
      CHECK(g.status().message() == prefix_for(bad.offset) + "block checksum mismatch");
    } else {
      REQUIRE(g->has_value());
      CHECK((*g)->value == v);
    }
  }
  CHECK(some_get_failed);
}

TEST_CASE("a flipped index, filter or properties byte fails open", "[table][corruption]") {
  const std::string good = testing::build_table(sample_model(), {.block_size = 64});
  const Layout l = layout_of(good);
  for (const BlockHandle& h : {l.footer.index, l.footer.filter, l.footer.properties}) {
    for (std::uint64_t at : {h.offset, h.offset + h.size / 2, h.offset + h.size + 4}) {
      Status s = open_status(flipped(good, at));
      CHECK(s.code() == Code::kCorruption);
      CHECK(s.message() == prefix_for(h.offset) + "block checksum mismatch");
    }
  }
}

TEST_CASE("a flipped footer byte fails open", "[table][corruption]") {
  const std::string good = testing::build_table(sample_model(), {});
  const std::uint64_t footer = good.size() - kFooterSize;
  Status s = open_status(flipped(good, footer + 17));
  CHECK(s.message() == prefix_for(footer) + "table footer checksum mismatch");
  s = open_status(flipped(good, footer + 53));
  CHECK(s.message() == prefix_for(footer) + "table footer checksum mismatch");
  s = open_status(flipped(good, good.size() - 1));
  CHECK(s.message() == prefix_for(footer + 56) + "bad table magic (not a sanddb table)");
}

TEST_CASE("wrong magic is rejected", "[table][corruption]") {
  std::string bytes = testing::build_table(sample_model(), {});
  bytes.replace(bytes.size() - 8, 8, "LEVELDB!");
  Status s = open_status(bytes);
  CHECK(s.code() == Code::kCorruption);
  CHECK(s.message() == prefix_for(bytes.size() - 8) + "bad table magic (not a sanddb table)");
}

TEST_CASE("unknown format version is rejected", "[table][corruption]") {
  std::string bytes = testing::build_table(sample_model(), {});
  const std::size_t footer = bytes.size() - kFooterSize;
  // 3 (compressed value refs) is the newest known version; 4 is a future one.
  util::encode_fixed32(bytes.data() + footer + 48, 4);
  util::encode_fixed32(bytes.data() + footer + 52,
                       crc32c::mask(crc32c::value(bytes.data() + footer, 52)));
  Status s = open_status(bytes);
  CHECK(s.code() == Code::kCorruption);
  CHECK(s.message() == prefix_for(footer + 48) + "unsupported table format version 4");
}

TEST_CASE("truncated tables are rejected", "[table][corruption]") {
  const std::string good = testing::build_table(sample_model(), {});
  Status s = open_status(good.substr(0, good.size() - 1));
  CHECK(s.message() == prefix_for(good.size() - 9) + "bad table magic (not a sanddb table)");
  s = open_status(good.substr(0, 40));
  CHECK(s.message() == prefix_for(0) + "file is 40 bytes, too short for the 64-byte table footer");
  s = open_status("");
  CHECK(s.code() == Code::kCorruption);
  // Cut just before the footer and re-append it: the handles now point past
  // the end.
  const std::string cut = good.substr(0, 10) + good.substr(good.size() - kFooterSize);
  s = open_status(cut);
  CHECK(s.message() == prefix_for(10) + "table footer block handle out of bounds");
}

TEST_CASE("index entry count must match the properties", "[table][corruption]") {
  // Build a table, then swap in the properties of a table with more blocks.
  const Model m = sample_model();
  const std::string good = testing::build_table(m, {.block_size = 64});
  Layout l = layout_of(good);
  TableProperties props;
  testing::build_table(m, {.block_size = 64}, &props);
  props.data_blocks += 1;
  std::string fake = good.substr(0, l.footer.properties.offset);
  const std::string record = encode_properties(props);
  Footer footer = l.footer;
  footer.properties = {fake.size(), record.size()};
  fake += record + block_trailer(record, Compression::kNone) + encode_footer(footer);
  Status s = open_status(fake);
  CHECK(s.message() == prefix_for(l.footer.index.offset) + "index has " +
                           std::to_string(l.data.size()) + " entries, properties say " +
                           std::to_string(l.data.size() + 1) + " data blocks");
}

// Opens, scans both ways and looks up every key of a corrupted copy; returns
// whether any step reported Corruption, checking each report's offset and
// that no wrong entry was ever returned.
bool exercise(const std::string& bytes, const Model& m, std::uint64_t want_offset) {
  Result<std::shared_ptr<Table>> t = testing::open_bytes(bytes);
  if (!t.is_ok()) {
    CHECK(t.status().code() == Code::kCorruption);
    CHECK(starts_with(t.status().message(), prefix_for(want_offset)));
    return true;
  }
  bool detected = false;
  const Entries all(m.begin(), m.end());
  auto it = (*t)->new_iterator();
  Entries fwd = testing::scan_all(it.get());
  CHECK(std::equal(fwd.begin(), fwd.end(), all.begin(),
                   all.begin() + static_cast<std::ptrdiff_t>(std::min(fwd.size(), all.size()))));
  if (!it->status().is_ok()) {
    detected = true;
    CHECK(starts_with(it->status().message(), prefix_for(want_offset)));
  }
  auto it2 = (*t)->new_iterator();
  Entries bwd = testing::scan_all_backward(it2.get());
  CHECK(std::equal(bwd.begin(), bwd.end(), all.rbegin(),
                   all.rbegin() + static_cast<std::ptrdiff_t>(std::min(bwd.size(), all.size()))));
  if (!it2->status().is_ok()) {
    detected = true;
    CHECK(starts_with(it2->status().message(), prefix_for(want_offset)));
  }
  for (const auto& [k, v] : m) {
    Result<std::optional<Table::Found>> g = (*t)->get(user_key_of(k), trailer_of(k) >> 8);
    if (!g.is_ok()) {
      detected = true;
      CHECK(starts_with(g.status().message(), prefix_for(want_offset)));
    } else {
      REQUIRE(g->has_value());
      CHECK((*g)->value == v);
    }
  }
  return detected;
}

TEST_CASE("every single flipped bit is detected at the right offset", "[table][corruption]") {
  const Model m = sample_model();
  for (Compression c : {Compression::kNone, Compression::kLz4}) {
    const std::string good =
        testing::build_table(m, {.block_size = 96, .restart_interval = 2, .compression = c});
    const Layout l = layout_of(good);
    REQUIRE(l.data.size() >= 2);
    for (std::size_t i = 0; i < good.size(); ++i) {
      for (unsigned char mask : {0x01, 0x80}) {
        INFO("compression " << static_cast<int>(c) << ", byte " << i << ", mask " << int{mask});
        CHECK(exercise(flipped(good, i, mask), m, expected_offset(l, i)));
      }
    }
  }
}

}  // namespace
}  // namespace sand::table

namespace sand::table {
namespace {

// A one-block table whose data block holds `keys` (any bytes, in the given
// order) behind valid checksums: what only a crafted file can hold.
std::string table_with_raw_keys(const std::vector<std::string>& keys) {
  BlockBuilder data(1);
  for (const std::string& k : keys) data.add(k, "v");
  std::string file(data.finish());
  const BlockHandle data_handle{0, file.size()};
  file += block_trailer(file, Compression::kNone);
  BlockBuilder index(1);
  std::string handle;
  encode_block_handle(&handle, data_handle);
  index.add(testing::ikey("zzz", 1), handle);
  Footer footer;
  footer.index = {file.size(), index.finish().size()};
  const std::string index_bytes(index.finish());
  file += index_bytes + block_trailer(index_bytes, Compression::kNone);
  const std::string props = encode_properties({.entries = keys.size(),
                                               .data_blocks = 1,
                                               .min_version = 1,
                                               .max_version = 1,
                                               .smallest_user_key = "a",
                                               .largest_user_key = "zzz"});
  footer.properties = {file.size(), props.size()};
  file += props + block_trailer(props, Compression::kNone) + encode_footer(footer);
  return file;
}

// The table iterator hands only well-formed internal keys to the layers
// above (db/ treats a malformed one as an impossible state), because the
// block iterator refuses any other, naming the table and block.
TEST_CASE("a key that is not an internal key is Corruption at its block, both ways",
          "[table][corruption]") {
  std::string unknown_kind = testing::ikey("b", 1);
  unknown_kind[unknown_kind.size() - 8] = 7;  // kinds are 0 (delete) and 1 (put)
  const std::pair<std::string, std::string> cases[] = {
      {"bad", "block entry key shorter than the 8-byte trailer"},
      {unknown_kind, "block entry key has an unknown kind"},
  };
  for (const auto& [bad_key, message] : cases) {
    const std::string bytes = table_with_raw_keys({testing::ikey("a", 1), bad_key});
    Result<std::shared_ptr<Table>> t = testing::open_bytes(bytes);
    REQUIRE(t.is_ok());
    auto forward = (*t)->new_iterator();
    forward->seek_to_first();
    REQUIRE(forward->valid());  // the first entry is well formed
    forward->next();
    CHECK_FALSE(forward->valid());
    CHECK(forward->status().code() == Code::kCorruption);
    CHECK(forward->status().message() == "000007.sst: offset 0: " + message);
    auto backward = (*t)->new_iterator();
    backward->seek_to_last();  // decodes the block from its start: the same error
    CHECK_FALSE(backward->valid());
    CHECK(backward->status().message() == "000007.sst: offset 0: " + message);
  }
}

}  // namespace
}  // namespace sand::table
