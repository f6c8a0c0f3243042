// check_database (sand/check.hpp): a clean database checks ok with exact
// counts; one flipped byte in each structure of each file type gives exactly
// one problem naming that file and the structure's offset (spec/sstable.md
// section 10, spec/wal.md section 3); missing and truncated tables, WAL
// version order, torn tails and orphans (notes), names that are not database
// files (ignored), a writer retiring files mid-check (skipped), and that
// checking never changes the directory.
#include "sand/check.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "check_report_util.hpp"
#include "db/filenames.hpp"
#include "manifest/manifest_log.hpp"
#include "support/db_helpers.hpp"
#include "support/hook_file_system.hpp"
#include "table/block.hpp"
#include "table/bloom.hpp"
#include "table/format.hpp"
#include "table/properties.hpp"
#include "table/table.hpp"
#include "util/coding.hpp"
#include "util/internal_key.hpp"
#include "wal/log_format.hpp"
#include "wal/record_writer.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

using namespace sand;
using sand::test::describe;
using sand::test::file_named;
using sand::test::HookFileSystem;
using sand::test::must;
using sand::test::one_problem;
using sand::test::read_all;
using sand::test::write_all;

namespace {

constexpr const char* kDir = "/db";

std::string key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%03d", i);
  return buf;
}

// Small blocks so every table has several; compaction only when asked
// (l0_trigger) so the level shape is exact.
Options test_options(std::shared_ptr<FileSystem> fs, int l0_trigger) {
  Options o;
  o.memtable_size = 1 << 20;
  o.block_size = 256;
  o.block_restart_interval = 4;
  o.l0_trigger = l0_trigger;
  o.l0_stop = 200;
  o.l1_trigger = 1000;
  o.file_system = std::move(fs);
  return o;
}

void flip_byte(FileSystem& fs, const std::string& path, std::uint64_t offset) {
  std::string bytes = read_all(fs, path);
  REQUIRE(offset < bytes.size());
  bytes[offset] = static_cast<char>(bytes[offset] ^ 0x40);
  write_all(fs, path, bytes);
}

// Every file of the directory with its bytes.
std::map<std::string, std::string> snapshot(FileSystem& fs, const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const std::string& name : must(fs.list_dir(dir))) {
    out[name] = read_all(fs, join_path(dir, name));
  }
  return out;
}

// A database with a level-2 table (62 entries: 60 puts, 2 tombstones), a
// level-1 run of one table (40 overwrites), a level-0 table (10 puts, 1
// tombstone) and a live WAL of 6 single-operation batches (versions 114..119).
// Returns its files.
std::map<std::string, std::string> build_database() {
  auto fs = memory_file_system();
  {  // Level 2: everything, compacted.
    auto db = must(DB::open(kDir, test_options(fs, 100)));
    for (int i = 0; i < 60; ++i) must(db->put(key(i), "first-" + std::to_string(i)));
    must(db->del(key(5)));
    must(db->del(key(10)));
    must(db->compact());
    must(db->close());
  }
  {  // Level 1: two flushes merged by the level-0 trigger.
    auto db = must(DB::open(kDir, test_options(fs, 2)));
    for (int i = 0; i < 20; ++i) must(db->put(key(i), "second-" + std::to_string(i)));
    must(db->flush());
    for (int i = 20; i < 40; ++i) must(db->put(key(i), "second-" + std::to_string(i)));
    must(db->flush());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (db->stats().tables[0] != 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    REQUIRE(db->stats().tables[0] == 0);
    must(db->close());
  }
  {  // Level 0 and the live WAL.
    auto db = must(DB::open(kDir, test_options(fs, 100)));
    for (int i = 40; i < 50; ++i)
      must(db->put(key(i), "third-value-with-padding-" + std::to_string(i)));
    must(db->del(key(41)));
    must(db->flush());
    for (int i = 50; i < 55; ++i) must(db->put(key(i), "fourth-" + std::to_string(i)));
    REQUIRE(must(db->del(key(0))) == 119);
    const Stats stats = db->stats();
    REQUIRE(stats.tables[0] == 1);
    REQUIRE(stats.tables[1] == 1);
    REQUIRE(stats.tables[2] == 1);
    must(db->close());
  }
  return snapshot(*fs, kDir);
}

// Built once; each test works on a copy of its files.
const std::map<std::string, std::string>& pristine_files() {
  static const std::map<std::string, std::string> files = build_database();
  return files;
}

// A fresh copy of the shared database.
struct Fixture {
  Fixture() {
    must(fs->create_dir(kDir));
    for (const auto& [name, bytes] : pristine_files()) write_all(*fs, join_path(kDir, name), bytes);
    state = must(manifest::replay(*fs, kDir));
    for (const auto& [number, meta] : state.tables) table_at[meta.level] = number;
    for (const auto& [name, bytes] : pristine_files()) {
      auto parsed = parse_file_name(name);
      if (parsed && parsed->type == FileType::kWal) wal = parsed->number;
    }
  }
  std::string path(std::string_view name) const { return join_path(kDir, name); }
  std::string table_name(int level) const { return table_file_name(table_at[level]); }
  std::string table_path(int level) const { return path(table_name(level)); }
  std::string wal_name() const { return wal_file_name(wal); }
  std::string wal_path() const { return path(wal_name()); }
  CheckReport check() const { return must(check_database(kDir, Options{.file_system = fs})); }

  std::shared_ptr<FileSystem> fs = memory_file_system();
  manifest::State state;
  std::uint64_t table_at[3] = {0, 0, 0};
  std::uint64_t wal = 0;
};

// The stored structures of a table file: where each block starts and ends.
struct Layout {
  std::vector<table::BlockHandle> data;
  table::Footer footer;
  std::uint64_t size = 0;
  std::uint64_t footer_offset() const { return size - table::kFooterSize; }
};

Layout layout_of(FileSystem& fs, const std::string& path, const std::string& name) {
  Layout layout;
  const std::string bytes = read_all(fs, path);
  layout.size = bytes.size();
  layout.footer = must(table::decode_footer(bytes, name));
  const std::string_view region = std::string_view(bytes).substr(0, layout.footer_offset());
  auto index = must(table::read_block(region, name, layout.footer.index, true));
  table::BlockIterator it(must(table::Block::parse(
      index.data, index.owned, name, layout.footer.index.offset, EntryKind::kValueRef)));
  for (it.seek_to_first(); it.valid(); it.next()) {
    std::string_view value = it.value();
    table::BlockHandle h;
    REQUIRE(table::decode_block_handle(&value, &h));
    layout.data.push_back(h);
  }
  return layout;
}

// The offset a reader names for damage at byte `offset` of a table
// (spec/sstable.md section 10): the magic's, the footer's, or the start of
// the stored block (with its trailer) that holds the byte.
std::uint64_t expected_offset(const Layout& l, std::uint64_t offset) {
  if (offset >= l.size - 8) return l.size - 8;
  if (offset >= l.footer_offset()) return l.footer_offset();
  std::vector<table::BlockHandle> blocks = l.data;
  if (!l.footer.filter.is_null()) blocks.push_back(l.footer.filter);
  blocks.push_back(l.footer.index);
  blocks.push_back(l.footer.properties);
  for (const table::BlockHandle& h : blocks) {
    if (offset >= h.offset && offset < h.offset + h.size + table::kBlockTrailerSize) {
      return h.offset;
    }
  }
  FAIL("byte " << offset << " is in no block");
  return 0;
}

// ---- Hand-built tables: bytes that only a buggy writer would produce ----

using Entries = std::vector<std::pair<std::string, std::string>>;  // internal key, value

std::string ikey(std::string_view user_key, Version v, EntryKind kind = EntryKind::kPut) {
  std::string k;
  append_internal_key(&k, user_key, v, kind);
  return k;
}

// A data block in the layout of spec/sstable.md section 3, every entry a
// restart entry, in the order given (BlockBuilder would insist on sorted keys).
std::string raw_block(const Entries& entries) {
  std::string block;
  std::vector<std::uint32_t> restarts;
  for (const auto& [k, v] : entries) {
    restarts.push_back(static_cast<std::uint32_t>(block.size()));
    util::put_varint32(&block, 0);
    util::put_varint32(&block, static_cast<std::uint32_t>(k.size()));
    util::put_varint32(&block, static_cast<std::uint32_t>(v.size()));
    block += k;
    block += v;
  }
  if (restarts.empty()) restarts.push_back(0);
  for (const std::uint32_t r : restarts) util::put_fixed32(&block, r);
  util::put_fixed32(&block, static_cast<std::uint32_t>(restarts.size()));
  return block;
}

struct RawTable {
  std::vector<Entries> blocks;
  // Changes to what the table claims; by default it tells the truth.
  std::function<void(table::TableProperties*)> edit_properties = [](auto*) {};
  std::function<void(std::size_t block, std::string* index_key)> edit_index_key =
      [](std::size_t, std::string*) {};
  std::vector<std::string> filter_keys{};  // empty: every user key
  table::TableProperties properties{};     // the truth, filled by build()
};

std::string build(RawTable& t) {
  std::string file;
  table::TableProperties& p = t.properties;
  std::string index_contents;
  Entries index;
  std::vector<std::string> user_keys;
  for (std::size_t i = 0; i < t.blocks.size(); ++i) {
    const std::string block = raw_block(t.blocks[i]);
    const table::BlockHandle h{file.size(), block.size()};
    file += block + table::block_trailer(block, Compression::kNone);
    std::string last = t.blocks[i].back().first;
    t.edit_index_key(i, &last);
    std::string handle;
    table::encode_block_handle(&handle, h);
    index.emplace_back(last, handle);
    for (const auto& [k, v] : t.blocks[i]) {
      ParsedKey parsed;
      REQUIRE(parse_internal_key(k, &parsed));
      if (p.entries == 0) {
        p.min_version = p.max_version = parsed.version;
        p.smallest_user_key = parsed.user_key;
      }
      ++p.entries;
      if (parsed.kind == EntryKind::kDelete) ++p.tombstones;
      p.raw_key_bytes += k.size();
      p.raw_value_bytes += v.size();
      p.min_version = std::min(p.min_version, parsed.version);
      p.max_version = std::max(p.max_version, parsed.version);
      p.largest_user_key = parsed.user_key;
      user_keys.emplace_back(parsed.user_key);
    }
  }
  p.data_blocks = t.blocks.size();
  table::Footer footer;
  table::BloomBuilder bloom(10);
  for (const std::string& k : t.filter_keys.empty() ? user_keys : t.filter_keys) bloom.add(k);
  const std::string filter = bloom.finish();
  footer.filter = {file.size(), filter.size()};
  file += filter + table::block_trailer(filter, Compression::kNone);
  const std::string index_block = raw_block(index);
  footer.index = {file.size(), index_block.size()};
  file += index_block + table::block_trailer(index_block, Compression::kNone);
  table::TableProperties claimed = p;
  t.edit_properties(&claimed);
  const std::string props = table::encode_properties(claimed);
  footer.properties = {file.size(), props.size()};
  file += props + table::block_trailer(props, Compression::kNone);
  return file + table::encode_footer(footer);
}

// Adds `t` to the fixture's database as a new level-0 table (the manifest's
// metadata telling the truth about it). Returns its file name.
std::string add_table(const std::shared_ptr<FileSystem>& fs, manifest::State state, RawTable& t) {
  const std::string bytes = build(t);
  const std::uint64_t number = state.next_file_number++;
  const std::string name = table_file_name(number);
  write_all(*fs, join_path(kDir, name), bytes);
  const table::TableProperties& p = t.properties;
  state.tables[number] =
      manifest::TableMeta{.number = number,
                          .level = 0,
                          .file_size = bytes.size(),
                          .entries = p.entries,
                          .tombstones = p.tombstones,
                          .min_version = p.min_version,
                          .max_version = p.max_version,
                          // Sorted, so that even a table
                          // whose keys are not is accepted.
                          .smallest_key = std::min(p.smallest_user_key, p.largest_user_key),
                          .largest_key = std::max(p.smallest_user_key, p.largest_user_key)};
  must(must(manifest::ManifestLog::create(*fs, kDir, state))->close());
  return name;
}

}  // namespace

TEST_CASE("check: a clean database is ok, with exact counts", "[db][check]") {
  Fixture db;
  const CheckReport r = db.check();
  INFO(describe(r));
  CHECK(r.ok());
  CHECK(r.notes.empty());

  // MANIFEST: the open's snapshot record, then the flush's edit.
  const CheckedFile& manifest = file_named(r, "MANIFEST");
  CHECK(manifest.outcome == CheckedFile::Outcome::kOk);
  CHECK(manifest.units == 2);
  CHECK(manifest.entries == 3);
  CHECK(manifest.bytes == pristine_files().at("MANIFEST").size());

  // Tables in number order, each with every block verified.
  const std::uint64_t entries_at[3] = {11, 40, 62};
  std::uint64_t blocks = 0, bytes = 0;
  std::vector<std::string> order;
  for (const CheckedFile& f : r.files) order.push_back(f.file);
  std::vector<std::string> expected_order = {"MANIFEST"};
  for (const auto& [number, meta] : db.state.tables) {
    expected_order.push_back(table_file_name(number));
  }
  expected_order.push_back(db.wal_name());
  CHECK(order == expected_order);
  for (int level = 0; level < 3; ++level) {
    const CheckedFile& f = file_named(r, db.table_name(level));
    const Layout l = layout_of(*db.fs, db.table_path(level), db.table_name(level));
    CHECK(f.outcome == CheckedFile::Outcome::kOk);
    CHECK(f.type == CheckFileType::kTable);
    CHECK(f.entries == entries_at[level]);
    CHECK(f.units == l.data.size());
    CHECK(f.units >= 2);  // several blocks, so block order is exercised
    CHECK(f.bytes == l.size);
    blocks += l.data.size();
    bytes += l.size;
  }
  CHECK(r.tables.files == 3);
  CHECK(r.tables.units == blocks);
  CHECK(r.tables.entries == 62 + 40 + 11);
  CHECK(r.tables.bytes == bytes);

  const CheckedFile& wal = file_named(r, db.wal_name());
  CHECK(wal.outcome == CheckedFile::Outcome::kOk);
  CHECK(wal.units == 6);
  CHECK(wal.entries == 6);
  CHECK(r.wals.files == 1);
  CHECK(r.wals.units == 6);
  CHECK(r.wals.bytes == pristine_files().at(db.wal_name()).size());
  CHECK(r.manifest.files == 1);
  CHECK(r.manifest.units == 2);
}

TEST_CASE("check: a flipped byte in a data block is one problem at that block", "[db][check]") {
  Fixture db;
  const Layout l = layout_of(*db.fs, db.table_path(2), db.table_name(2));
  REQUIRE(l.data.size() >= 3);
  const table::BlockHandle bad = l.data[1];
  flip_byte(*db.fs, db.table_path(2), bad.offset + bad.size / 2);
  const CheckReport r = db.check();
  CHECK(one_problem(r, db.table_name(2), bad.offset) == "block checksum mismatch");
  // Checking went on past the bad block, and on to the other files.
  CHECK(file_named(r, db.table_name(2)).units == l.data.size() - 1);
  CHECK(file_named(r, db.table_name(1)).outcome == CheckedFile::Outcome::kOk);
  CHECK(file_named(r, db.wal_name()).outcome == CheckedFile::Outcome::kOk);
}

TEST_CASE("check: a flipped byte in the first data block names offset 0", "[db][check]") {
  Fixture db;
  flip_byte(*db.fs, db.table_path(0), 3);
  CHECK(one_problem(db.check(), db.table_name(0), 0) == "block checksum mismatch");
}

TEST_CASE("check: a flipped byte in the index is one problem at the index", "[db][check]") {
  Fixture db;
  const Layout l = layout_of(*db.fs, db.table_path(1), db.table_name(1));
  flip_byte(*db.fs, db.table_path(1), l.footer.index.offset + 1);
  CHECK(one_problem(db.check(), db.table_name(1), l.footer.index.offset) ==
        "block checksum mismatch");
}

TEST_CASE("check: a flipped byte in the filter is one problem at the filter", "[db][check]") {
  Fixture db;
  const Layout l = layout_of(*db.fs, db.table_path(1), db.table_name(1));
  REQUIRE_FALSE(l.footer.filter.is_null());
  flip_byte(*db.fs, db.table_path(1), l.footer.filter.offset + 2);
  CHECK(one_problem(db.check(), db.table_name(1), l.footer.filter.offset) ==
        "block checksum mismatch");
}

TEST_CASE("check: a flipped byte in the properties is one problem there", "[db][check]") {
  Fixture db;
  const Layout l = layout_of(*db.fs, db.table_path(0), db.table_name(0));
  flip_byte(*db.fs, db.table_path(0), l.footer.properties.offset);
  const CheckReport r = db.check();
  CHECK(one_problem(r, db.table_name(0), l.footer.properties.offset) == "block checksum mismatch");
  // The data blocks were still verified, and compared with the manifest.
  CHECK(file_named(r, db.table_name(0)).units == l.data.size());
}

TEST_CASE("check: a flipped byte in the footer is one problem at the footer", "[db][check]") {
  Fixture db;
  const Layout l = layout_of(*db.fs, db.table_path(2), db.table_name(2));
  flip_byte(*db.fs, db.table_path(2), l.footer_offset() + 20);
  CHECK(one_problem(db.check(), db.table_name(2), l.footer_offset()) ==
        "table footer checksum mismatch");
}

TEST_CASE("check: any flipped table byte is one problem at its structure", "[db][check]") {
  Fixture db;
  std::vector<Layout> layouts;
  for (int level = 0; level < 3; ++level) {
    layouts.push_back(layout_of(*db.fs, db.table_path(level), db.table_name(level)));
  }
  rc::prop("one problem, at the offset the spec's checklist names", [&] {
    const int level = *rc::gen::inRange(0, 3);
    const Layout& l = layouts[static_cast<std::size_t>(level)];
    const std::uint64_t offset = *rc::gen::inRange<std::uint64_t>(0, l.size);
    const std::string path = db.table_path(level);
    const std::string original = read_all(*db.fs, path);
    flip_byte(*db.fs, path, offset);
    const CheckReport r = db.check();
    write_all(*db.fs, path, original);
    RC_ASSERT(r.problems.size() == 1u);
    RC_ASSERT(r.problems[0].file == db.table_name(level));
    RC_ASSERT(r.problems[0].offset == expected_offset(l, offset));
  });
}

TEST_CASE("check: a hand-built table that tells the truth is ok", "[db][check]") {
  Fixture db;
  RawTable t{.blocks = {{{ikey("a", 7), "1"}, {ikey("b", 7), "2"}},
                        {{ikey("c", 7, EntryKind::kDelete), ""}}}};
  const std::string name = add_table(db.fs, db.state, t);
  const CheckReport r = db.check();
  INFO(describe(r));
  CHECK(r.ok());
  CHECK(file_named(r, name).units == 2);
  CHECK(file_named(r, name).entries == 3);
}

TEST_CASE("check: entries out of order inside a block are one problem", "[db][check]") {
  Fixture db;
  RawTable t{.blocks = {{{ikey("a", 7), "1"}}, {{ikey("c", 7), "3"}, {ikey("b", 7), "2"}}}};
  const std::string name = add_table(db.fs, db.state, t);
  const std::uint64_t second_block = raw_block(t.blocks[0]).size() + table::kBlockTrailerSize;
  CHECK(one_problem(db.check(), name, second_block) == "entry 'b'@7 does not sort after 'c'@7");
}

TEST_CASE("check: entries out of order across blocks are a problem", "[db][check]") {
  Fixture db;
  RawTable t{.blocks = {{{ikey("b", 7), "2"}}, {{ikey("a", 7), "1"}}}};
  const std::string name = add_table(db.fs, db.state, t);
  const std::uint64_t second_block = raw_block(t.blocks[0]).size() + table::kBlockTrailerSize;
  const CheckReport r = db.check();
  INFO(describe(r));
  // Table::open rejects the index (its keys are out of order too), and the
  // walk over the blocks finds the entries out of order.
  REQUIRE(r.problems.size() == 2);
  CHECK(r.problems[0].what == "index keys out of order");
  CHECK(r.problems[1] == CheckProblem{.file = name,
                                      .offset = second_block,
                                      .what = "entry 'a'@7 does not sort after 'b'@7"});
}

TEST_CASE("check: an index key that is not its block's last key is one problem", "[db][check]") {
  Fixture db;
  RawTable t{.blocks = {{{ikey("a", 7), "1"}, {ikey("b", 7), "2"}}, {{ikey("d", 7), "4"}}},
             .edit_index_key = [](std::size_t block, std::string* k) {
               if (block == 0) *k = ikey("c", 7);  // still sorted, but past the block
             }};
  const std::string name = add_table(db.fs, db.state, t);
  CHECK(one_problem(db.check(), name, 0) == "index key 'c'@7 is not the block's last entry 'b'@7");
}

TEST_CASE("check: properties that disagree with the blocks are one problem", "[db][check]") {
  Fixture db;
  RawTable t{.blocks = {{{ikey("a", 7), "1"}, {ikey("b", 8, EntryKind::kDelete), ""}}},
             .edit_properties = [](table::TableProperties* p) {
               p->entries = 3;
               p->max_version = 9;
             }};
  const std::string name = add_table(db.fs, db.state, t);
  const Layout l = layout_of(*db.fs, db.path(name), name);
  CHECK(one_problem(db.check(), name, l.footer.properties.offset) ==
        "properties disagree with the data blocks (blocks vs properties): entries 2 vs 3, "
        "max_version 8 vs 9");
}

TEST_CASE("check: a filter that rejects a stored key is one problem", "[db][check]") {
  Fixture db;
  // A key that a filter over "a" alone rejects.
  table::BloomBuilder only_a(10);
  only_a.add("a");
  const std::string bits = only_a.finish();
  const table::BloomReader reader = must(table::BloomReader::parse(bits, "f", 0));
  std::string rejected;
  for (int i = 0; rejected.empty(); ++i) {
    if (!reader.may_contain("k" + std::to_string(i))) rejected = "k" + std::to_string(i);
  }
  RawTable t{.blocks = {{{ikey("a", 7), "1"}, {ikey(rejected, 7), "2"}}}, .filter_keys = {"a"}};
  const std::string name = add_table(db.fs, db.state, t);
  const Layout l = layout_of(*db.fs, db.path(name), name);
  CHECK(one_problem(db.check(), name, l.footer.filter.offset) ==
        "filter rejects key '" + rejected + "' that the table holds");
}

TEST_CASE("check: an entry at version 0 is one problem", "[db][check]") {
  Fixture db;
  RawTable t{.blocks = {{{ikey("a", 7), "1"}, {ikey("b", 0), "2"}}}};
  const std::string name = add_table(db.fs, db.state, t);
  CHECK(one_problem(db.check(), name, 0) == "entry 'b'@0 has version 0");
}

TEST_CASE("check: a torn last manifest record is a note", "[db][check]") {
  Fixture db;
  const std::string bytes = read_all(*db.fs, db.path("MANIFEST"));
  write_all(*db.fs, db.path("MANIFEST"), bytes + std::string("\x09\x08\x07\x06\x20\0\0\0x", 9));
  const CheckReport r = db.check();
  INFO(describe(r));
  CHECK(r.ok());
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0] == CheckNote{.file = "MANIFEST",
                                .offset = bytes.size(),
                                .what = "torn last record: 9 bytes of an append that did not "
                                        "complete (ignored when reading)"});
  CHECK(file_named(r, "MANIFEST").units == 2);
}

TEST_CASE("check: a truncated table names the file", "[db][check]") {
  Fixture db;
  const std::string bytes = read_all(*db.fs, db.table_path(1));
  write_all(*db.fs, db.table_path(1), std::string_view(bytes).substr(0, bytes.size() - 10));
  const CheckReport r = db.check();
  INFO(describe(r));
  REQUIRE(r.problems.size() == 2);
  CHECK(r.problems[0] ==
        CheckProblem{.file = db.table_name(1),
                     .offset = kWholeFile,
                     .what = "file is " + std::to_string(bytes.size() - 10) +
                             " bytes, the manifest says " + std::to_string(bytes.size())});
  CHECK(r.problems[1].file == db.table_name(1));
  CHECK(r.problems[1].offset == bytes.size() - 10 - 8);
  CHECK(r.problems[1].what == "bad table magic (not a sanddb table)");
}

TEST_CASE("check: a table the manifest names but which is missing is one problem", "[db][check]") {
  Fixture db;
  must(db.fs->remove_file(db.table_path(0)));
  const CheckReport r = db.check();
  CHECK(one_problem(r, db.table_name(0), kWholeFile) ==
        "missing: the manifest names this table but there is no such file");
  CHECK(file_named(r, db.table_name(0)).bytes == 0);
}

TEST_CASE("check: a flipped byte in a manifest record is one problem at the record",
          "[db][check]") {
  Fixture db;
  flip_byte(*db.fs, db.path("MANIFEST"), wal::kFileHeaderSize + wal::kRecordHeaderSize + 2);
  const CheckReport r = db.check();
  CHECK(one_problem(r, "MANIFEST", wal::kFileHeaderSize) == "record payload checksum mismatch");
  // Without a usable manifest every table and WAL is still checked alone.
  CHECK(r.tables.files == 3);
  CHECK(r.tables.entries == 113);
  CHECK(r.wals.units == 6);
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0].file == "MANIFEST");
}

TEST_CASE("check: a manifest header flip is one problem at the header field", "[db][check]") {
  Fixture db;
  flip_byte(*db.fs, db.path("MANIFEST"), 9);  // the format version
  CHECK(one_problem(db.check(), "MANIFEST", 12) == "file header checksum mismatch");
}

TEST_CASE("check: manifest metadata that disagrees with a table is one problem", "[db][check]") {
  Fixture db;
  manifest::State state = db.state;
  state.tables.at(db.table_at[1]).entries += 1;
  state.tables.at(db.table_at[1]).largest_key = "zzz";
  auto log = must(manifest::ManifestLog::create(*db.fs, kDir, state));
  must(log->close());
  const std::string what = one_problem(db.check(), db.table_name(1), kWholeFile);
  CHECK(what ==
        "the manifest's metadata (record at offset 28) disagrees with the data blocks (blocks "
        "vs manifest): entries 40 vs 41, largest_key 'key039' vs 'zzz'");
}

TEST_CASE("check: overlapping level-2 tables are a manifest problem", "[db][check]") {
  Fixture db;
  manifest::State state = db.state;
  state.tables.at(db.table_at[1]).level = 2;
  state.tables.at(db.table_at[1]).run = 0;  // runs are for level 1 only
  auto log = must(manifest::ManifestLog::create(*db.fs, kDir, state));
  must(log->close());
  const std::string what = one_problem(db.check(), "MANIFEST", wal::kFileHeaderSize);
  CHECK(what.find("of level 2 overlap in keys") != std::string::npos);
}

TEST_CASE("check: a flipped byte in a WAL record is one problem at the record", "[db][check]") {
  Fixture db;
  flip_byte(*db.fs, db.wal_path(), wal::kFileHeaderSize + wal::kRecordHeaderSize + 3);
  const CheckReport r = db.check();
  CHECK(one_problem(r, db.wal_name(), wal::kFileHeaderSize) == "record payload checksum mismatch");
  CHECK(r.tables.files == 3);
}

TEST_CASE("check: any flipped WAL byte is a problem or a torn-tail note", "[db][check]") {
  Fixture db;
  const std::string original = read_all(*db.fs, db.wal_path());
  rc::prop("never silently ok", [&] {
    const auto offset = *rc::gen::inRange<std::uint64_t>(0, original.size());
    flip_byte(*db.fs, db.wal_path(), offset);
    const CheckReport r = db.check();
    write_all(*db.fs, db.wal_path(), original);
    RC_ASSERT(r.problems.size() + r.notes.size() == 1u);
    for (const CheckProblem& p : r.problems) RC_ASSERT(p.file == db.wal_name());
    for (const CheckNote& n : r.notes) {
      RC_ASSERT(n.file == db.wal_name());
      RC_ASSERT(n.what.starts_with("torn tail"));  // the last record (spec rule R4)
    }
  });
}

// Writes WAL number db.wal + 1 holding one batch (at version 500).
// Writes WAL `number` holding one batch (x=y) at `version`; returns its name.
std::string write_wal(Fixture& db, std::uint64_t number, Version version) {
  const std::string name = wal_file_name(number);
  auto wal = must(wal::RecordWriter::create(must(db.fs->new_writable_file(db.path(name))),
                                            wal::LogKind::kWal, number));
  WriteBatch batch;
  batch.put("x", "y");
  std::string rep = WriteBatchAccess::rep(batch);
  WriteBatchAccess::set_version(&rep, version);
  must(wal->add_record(rep));
  must(wal->close());
  return name;
}

void write_newer_wal(Fixture& db) {
  write_wal(db, db.wal + 1, 120);  // the fixture's WAL ends at 119
}

// Appends the seal to the fixture's WAL, as a switch to a newer WAL does.
void seal(Fixture& db) {
  auto writer = wal::RecordWriter::resume(must(db.fs->reopen_writable_file(db.wal_path())), db.wal);
  must(wal::append_seal(*writer));
  must(writer->close());
}

TEST_CASE("check: WAL versions must increase across WALs", "[db][check]") {
  Fixture db;
  seal(db);
  // A newer WAL whose batch reuses an old version.
  const std::string newer = write_wal(db, db.wal + 100, 50);
  const CheckReport r = db.check();
  CHECK(one_problem(r, newer, wal::kFileHeaderSize) ==
        "record version 50 is not greater than the previous version 119");
  CHECK(file_named(r, db.wal_name()).outcome == CheckedFile::Outcome::kOk);
}

TEST_CASE("check: a WAL that does not start one version above the one before is a problem",
          "[db][check]") {
  Fixture db;
  seal(db);
  // A newer WAL starting at 125 after the fixture's WAL ends at 119: the
  // WAL with versions 120 to 124 is gone.
  const std::string newer = write_wal(db, db.wal + 100, 125);
  CHECK(one_problem(db.check(), newer, wal::kFileHeaderSize) ==
        "record version 125 does not follow version 119: the WAL holding versions 120 to 124 "
        "is missing");
}

TEST_CASE("check: a torn tail of the newest WAL is a note, of an older one a problem",
          "[db][check]") {
  Fixture db;
  const std::string bytes = read_all(*db.fs, db.wal_path());
  // A record header promising 100 bytes, then only 3 of them.
  write_all(*db.fs, db.wal_path(), bytes + std::string("\x01\x02\x03\x04\x64\0\0\0abc", 11));
  {
    const CheckReport r = db.check();
    INFO(describe(r));
    CHECK(r.ok());
    REQUIRE(r.notes.size() == 1);
    CHECK(r.notes[0] == CheckNote{.file = db.wal_name(),
                                  .offset = bytes.size(),
                                  .what = "torn tail: 11 bytes of an append that did not "
                                          "complete (the next open drops them)"});
    CHECK(file_named(r, db.wal_name()).units == 6);
  }
  // Once a newer WAL holds a write, the same tail means acknowledged writes
  // were lost.
  write_newer_wal(db);
  CHECK(one_problem(db.check(), db.wal_name(), bytes.size()) ==
        "torn record in a WAL that is not the newest");
}

TEST_CASE("check: an older WAL without its seal is a problem at its end", "[db][check]") {
  Fixture db;
  const std::uint64_t size = read_all(*db.fs, db.wal_path()).size();
  write_newer_wal(db);
  CHECK(one_problem(db.check(), db.wal_name(), size) ==
        "a WAL that is not the newest ends without its seal (its tail was lost)");
  seal(db);
  CHECK(db.check().ok());
}

TEST_CASE("check: a newer WAL of only its header and zeros does not age the unsealed one",
          "[db][check][prealloc]") {
  // What an open that crashed right after creating its preallocated WAL
  // leaves (spec/wal.md rule P7).
  Fixture db;
  const std::string newer = wal_file_name(db.wal + 1);
  write_all(*db.fs, db.path(newer),
            wal::log_file_header(wal::LogKind::kWal, db.wal + 1) + std::string(4096, '\0'));
  const CheckReport r = db.check();
  INFO(describe(r));
  CHECK(r.ok());
  CHECK(file_named(r, db.wal_name()).outcome == CheckedFile::Outcome::kOk);
  // Zeros after the records are the writer's preallocated space: no note.
  CHECK(r.notes.empty());
}

TEST_CASE("check: zeros after the newest WAL's records are no finding, other bytes a note",
          "[db][check][prealloc]") {
  Fixture db;
  const std::string bytes = read_all(*db.fs, db.wal_path());
  write_all(*db.fs, db.wal_path(), bytes + std::string(100, '\0'));
  const CheckReport zeros = db.check();
  INFO(describe(zeros));
  CHECK(zeros.ok());
  CHECK(zeros.notes.empty());
  CHECK(file_named(zeros, db.wal_name()).outcome == CheckedFile::Outcome::kOk);
  // A record cut short before the zeros (a writer killed mid-copy) is a
  // torn tail, counted from where the last good record ends.
  write_all(*db.fs, db.wal_path(), bytes + "\x01\x02\x03" + std::string(100, '\0'));
  const CheckReport torn = db.check();
  INFO(describe(torn));
  CHECK(torn.ok());
  REQUIRE(torn.notes.size() == 1);
  CHECK(torn.notes[0].offset == bytes.size());
  CHECK(torn.notes[0].what ==
        "torn tail: 103 bytes of an append that did not complete (the next open drops them)");
}

TEST_CASE("check: a missing live WAL is a problem", "[db][check]") {
  Fixture db;
  must(db.fs->remove_file(db.wal_path()));
  CHECK(one_problem(db.check(), db.wal_name(), kWholeFile) ==
        "missing: the manifest's wal_number names this WAL but there is no such file");
}

TEST_CASE("check: orphan files are notes, not problems, and are not read", "[db][check]") {
  Fixture db;
  write_all(*db.fs, db.path(table_file_name(db.wal + 50)), "not a table");
  write_all(*db.fs, db.path(wal_file_name(db.state.wal_number - 1)), "not a WAL");
  write_all(*db.fs, db.path("MANIFEST.tmp"), "half a manifest");
  write_all(*db.fs, db.path("README"), "not ours");
  const CheckReport r = db.check();
  INFO(describe(r));
  CHECK(r.ok());
  REQUIRE(r.notes.size() == 3);
  CHECK(r.notes[0].file == table_file_name(db.wal + 50));
  CHECK(r.notes[0].what.starts_with("orphan table: not named by the manifest"));
  CHECK(r.notes[1].file == wal_file_name(db.state.wal_number - 1));
  CHECK(r.notes[1].what.starts_with("orphan WAL: below the manifest's wal_number"));
  CHECK(r.notes[2].file == "MANIFEST.tmp");
  CHECK(r.files.size() == 5);  // MANIFEST, 3 tables, 1 WAL
}

// spec/README.md "Which names are database files": a table or WAL is only
// its canonical spelling; any other name is not part of the database.
TEST_CASE("check: names that are not database files are ignored, the verdict stays ok",
          "[db][check]") {
  Fixture db;
  const CheckReport clean = db.check();
  const std::string live_wal = read_all(*db.fs, db.wal_path());
  const std::string a_table = read_all(*db.fs, db.table_path(0));
  // A stray WAL past every live number (it would be "live" if it counted),
  // with garbage or with a real WAL's bytes; other non-canonical spellings
  // of live and orphan numbers; a number above uint64.
  write_all(*db.fs, db.path("0000037.wal"), "garbage, not a WAL");
  write_all(*db.fs, db.path("0000038.wal"), live_wal);
  write_all(*db.fs, db.path("0" + db.wal_name()), live_wal);
  write_all(*db.fs, db.path(std::to_string(db.wal + 1) + ".wal"), "garbage");
  write_all(*db.fs, db.path("+" + db.wal_name()), "garbage");
  write_all(*db.fs, db.path("0" + table_file_name(db.wal + 50)), "not a table");
  write_all(*db.fs, db.path("0" + db.table_name(0)), a_table);
  write_all(*db.fs, db.path("18446744073709551616.wal"), live_wal);
  write_all(*db.fs, db.path(db.wal_name() + ".bak"), live_wal);
  const CheckReport r = db.check();
  INFO(describe(r));
  CHECK(r.ok());
  CHECK(r.notes.empty());
  auto files_of = [](const CheckReport& report) {
    std::vector<std::string> out;
    for (const CheckedFile& f : report.files) {
      out.push_back(f.file + " " + std::to_string(static_cast<int>(f.outcome)) + " " +
                    std::to_string(f.bytes) + " " + std::to_string(f.units) + " " +
                    std::to_string(f.entries));
    }
    return out;
  };
  CHECK(files_of(r) == files_of(clean));
  CHECK(r.wals.files == 1);
  CHECK(r.tables.files == 3);
}

TEST_CASE("check: a live WAL renamed to 0000NNN.wal is a missing WAL", "[db][check]") {
  Fixture db;
  const std::string renamed = "0" + db.wal_name();
  write_all(*db.fs, db.path(renamed), read_all(*db.fs, db.wal_path()));
  must(db.fs->remove_file(db.wal_path()));
  const CheckReport r = db.check();
  CHECK(one_problem(r, db.wal_name(), kWholeFile) ==
        "missing: the manifest's wal_number names this WAL but there is no such file");
  for (const CheckedFile& f : r.files) CHECK(f.file != renamed);
}

TEST_CASE("check: a directory of only non-canonical names is no database", "[db][check]") {
  auto fs = memory_file_system();
  must(fs->create_dir(kDir));
  write_all(*fs, join_path(kDir, "0000037.wal"), "garbage");
  write_all(*fs, join_path(kDir, "37.sst"), "garbage");
  auto r = check_database(kDir, Options{.file_system = fs});
  CHECK(r.status().code() == Code::kNotFound);
  CHECK(r.status().message() == "/db: no database (no MANIFEST)");
}

TEST_CASE("check: problems in several files are all reported", "[db][check]") {
  Fixture db;
  flip_byte(*db.fs, db.table_path(0), 1);
  flip_byte(*db.fs, db.table_path(2), 1);
  must(db.fs->remove_file(db.table_path(1)));
  flip_byte(*db.fs, db.wal_path(), wal::kFileHeaderSize + 1);
  const CheckReport r = db.check();
  INFO(describe(r));
  REQUIRE(r.problems.size() == 4);
  std::vector<std::string> bad;
  for (const CheckProblem& p : r.problems) bad.push_back(p.file);
  std::vector<std::string> files_in_order;
  for (const auto& [number, meta] : db.state.tables) {
    files_in_order.push_back(table_file_name(number));
  }
  files_in_order.push_back(db.wal_name());
  CHECK(bad == files_in_order);
}

TEST_CASE("check never changes the directory", "[db][check]") {
  Fixture db;
  flip_byte(*db.fs, db.table_path(1), 5);  // a damaged database too
  write_all(*db.fs, db.path("MANIFEST.tmp"), "leftover");
  const auto before = snapshot(*db.fs, kDir);
  auto hooked = std::make_shared<HookFileSystem>(db.fs);
  const CheckReport r = must(check_database(kDir, Options{.file_system = hooked}));
  CHECK(r.problems.size() == 1);
  CHECK(hooked->mutations == 0);
  CHECK(snapshot(*db.fs, kDir) == before);
}

TEST_CASE("check runs next to an open writer", "[db][check]") {
  auto fs = memory_file_system();
  auto db = must(DB::open(kDir, test_options(fs, 100)));
  for (int i = 0; i < 30; ++i) must(db->put(key(i), "v"));
  must(db->flush());
  must(db->put("more", "v"));
  const CheckReport r = must(check_database(kDir, Options{.file_system = fs}));
  INFO(describe(r));
  CHECK(r.ok());
  CHECK(r.tables.entries == 30);
  CHECK(r.wals.units == 1);
  must(db->put("after", "v"));  // the writer is undisturbed
}

TEST_CASE("check finds no problem while a writer flushes and compacts", "[db][check]") {
  auto fs = memory_file_system();
  Options o = sand::test::tiny_compacting_options(fs, Retention::kAll);
  o.manifest_rollover_size = 2048;  // rollovers too
  auto db = must(DB::open(kDir, o));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      if (!db->put(key(i % 500), std::string(40, 'v')).is_ok()) return;
    }
  });
  int checks = 0, skipped = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(800);
  while (std::chrono::steady_clock::now() < deadline) {
    const CheckReport r = must(check_database(kDir, Options{.file_system = fs}));
    INFO(describe(r));
    // CHECK and stop, not REQUIRE: the writer thread must be joined below.
    CHECK(r.ok());
    if (!r.ok()) break;
    for (const CheckedFile& f : r.files) {
      if (f.outcome == CheckedFile::Outcome::kSkipped) ++skipped;
    }
    ++checks;
  }
  stop = true;
  writer.join();
  CHECK(db->stats().compactions > 0);
  must(db->close());
  INFO(checks << " checks, " << skipped << " files skipped");
  CHECK(checks > 5);
}

TEST_CASE("check: files a writer retires mid-check are skipped", "[db][check]") {
  // Before: the fixture's state. After: a compaction retired every table
  // and a flush the WAL. The check reads the old MANIFEST, then the writer
  // "runs" just as the first table is opened.
  Fixture old_db;
  const auto before = snapshot(*old_db.fs, kDir);
  {
    auto db = must(DB::open(kDir, test_options(old_db.fs, 100)));
    must(db->compact());
    must(db->close());
  }
  const auto after = snapshot(*old_db.fs, kDir);

  auto base = memory_file_system();
  must(base->create_dir(kDir));
  for (const auto* files : {&after, &before}) {
    for (const auto& [name, bytes] : *files) write_all(*base, join_path(kDir, name), bytes);
  }
  auto hooked = std::make_shared<HookFileSystem>(base);
  bool retired = false;
  hooked->before_read = [&](const std::string& path) {
    if (!retired && path.ends_with(".sst")) {
      retired = true;
      for (const auto& [name, bytes] : before) {
        if (!after.contains(name)) must(base->remove_file(join_path(kDir, name)));
      }
      write_all(*base, join_path(kDir, "MANIFEST"), after.at("MANIFEST"));
    }
    return Status::ok();
  };
  const CheckReport r = must(check_database(kDir, Options{.file_system = hooked}));
  INFO(describe(r));
  CHECK(r.ok());
  CHECK(retired);
  int skipped = 0;
  for (const CheckedFile& f : r.files) {
    if (f.outcome == CheckedFile::Outcome::kSkipped) ++skipped;
  }
  CHECK(skipped == 4);  // three tables and the WAL
  CHECK(r.tables.files == 0);
}

TEST_CASE("check: no database is NotFound, and nothing is created", "[db][check]") {
  auto fs = memory_file_system();
  auto missing = check_database(kDir, Options{.file_system = fs});
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK_FALSE(fs->exists(kDir));
  must(fs->create_dir(kDir));
  auto empty = check_database(kDir, Options{.file_system = fs});
  CHECK(empty.status().code() == Code::kNotFound);
  CHECK(empty.status().message() == "/db: no database (no MANIFEST)");
}

TEST_CASE("check: WAL files without a MANIFEST are checked, and it is a problem", "[db][check]") {
  Fixture db;
  must(db.fs->remove_file(db.path("MANIFEST")));
  const CheckReport r = db.check();
  CHECK(one_problem(r, "MANIFEST", kWholeFile) ==
        "missing: the directory holds tables or WALs but no MANIFEST");
  CHECK(r.tables.files == 3);
  CHECK(r.wals.units == 6);
}
