// Tests for the value-file half of src/manifest/edit and state: tags 9
// (a table's value references), 10 (add value file) and 11 (remove value
// file): exact bytes, round trips, format version 2 rejecting them, every
// malformed field, State::apply's value-file rules and
// referenced_value_bytes().
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "manifest/edit.hpp"
#include "manifest/state.hpp"
#include "util/coding.hpp"

using namespace sand;
using namespace sand::manifest;

namespace {

std::string tagged(std::uint32_t tag, std::string_view body = "") {
  std::string s;
  util::put_varint32(&s, tag);
  s.append(body);
  return s;
}

std::string varints(std::initializer_list<std::uint64_t> values) {
  std::string s;
  for (std::uint64_t v : values) util::put_varint64(&s, v);
  return s;
}

std::string encoded(const Edit& e) {
  std::string s;
  e.encode(&s);
  return s;
}

Status decode_status(std::string_view payload, std::uint32_t version = kManifestFormatVersion) {
  return Edit::decode(payload, "MANIFEST", 123, version).status();
}

TableMeta table(std::uint64_t number, std::vector<ValueRefTally> refs = {}) {
  return TableMeta{.number = number,
                   .level = 0,
                   .file_size = 4096,
                   .entries = 10,
                   .tombstones = 2,
                   .min_version = 1,
                   .max_version = 5,
                   .smallest_key = "a",
                   .largest_key = "m",
                   .value_refs = std::move(refs)};
}

// value_bytes: half the size, so that it is told apart from the size.
ValueFileMeta vfile(std::uint64_t number, std::uint64_t size = 1000) {
  return ValueFileMeta{
      .number = number, .kind = ValueFileKind::kWal, .size = size, .value_bytes = size / 2};
}

// The encoding of an add-table field (tag 5) for a plain level-0 table.
std::string add_table_field(std::uint64_t number) {
  Edit e;
  e.added.push_back(table(number));
  return encoded(e);
}

// Value files 5, 6 and 8 live (8 referenced by no table); tables 3 (no
// references), 4 (40 bytes in 5) and 7 (60 bytes in 5, 8 in 6).
State base() {
  Edit e;
  e.snapshot = true;
  e.next_file_number = 20;
  e.last_version = 50;
  e.wal_number = 10;
  e.low_water_mark = 0;
  e.added_value_files = {vfile(5, 1000), vfile(6, 2000), vfile(8, 3000)};
  e.added = {table(3), table(4, {{5, 40}}), table(7, {{5, 60}, {6, 8}})};
  State s;
  const Status st = s.apply(e, "MANIFEST", 16);
  INFO(st.to_string());
  REQUIRE(st.is_ok());
  return s;
}

// Applies `e` to base(), expects Corruption `what` and an unchanged state.
void expect_rejected(const Edit& e, const std::string& what) {
  State s = base();
  const State before = s;
  CHECK(s.apply(e, "MANIFEST", 77) == Status::corruption("MANIFEST", 77, what));
  CHECK(s == before);
}

// Applies `e` to base(), expects success, returns the state.
State expect_applied(const Edit& e) {
  State s = base();
  const Status st = s.apply(e, "MANIFEST", 77);
  INFO(st.to_string());
  CHECK(st.is_ok());
  return s;
}

rc::Gen<std::vector<ValueRefTally>> gen_refs() {
  return rc::gen::map(
      rc::gen::container<std::map<std::uint64_t, std::uint64_t>>(
          rc::gen::arbitrary<std::uint64_t>(), rc::gen::arbitrary<std::uint64_t>()),
      [](const std::map<std::uint64_t, std::uint64_t>& m) {
        std::vector<ValueRefTally> refs;
        for (const auto& [file, bytes] : m) {
          refs.push_back(ValueRefTally{.file = file, .bytes = std::max<std::uint64_t>(1, bytes)});
        }
        return refs;
      });
}

rc::Gen<TableMeta> gen_table() {
  return rc::gen::build<TableMeta>(
      rc::gen::set(&TableMeta::number), rc::gen::set(&TableMeta::level, rc::gen::inRange(0, 3)),
      rc::gen::set(&TableMeta::file_size), rc::gen::set(&TableMeta::entries),
      rc::gen::set(&TableMeta::min_version), rc::gen::set(&TableMeta::max_version),
      rc::gen::set(&TableMeta::smallest_key), rc::gen::set(&TableMeta::largest_key),
      rc::gen::set(&TableMeta::run), rc::gen::set(&TableMeta::value_refs, gen_refs()));
}

rc::Gen<ValueFileMeta> gen_value_file() {
  return rc::gen::build<ValueFileMeta>(rc::gen::set(&ValueFileMeta::number),
                                       rc::gen::set(&ValueFileMeta::size));
}

rc::Gen<Edit> gen_edit() {
  return rc::gen::build<Edit>(
      rc::gen::set(&Edit::wal_number,
                   rc::gen::map(rc::gen::arbitrary<std::uint64_t>(),
                                [](std::uint64_t v) { return std::optional<std::uint64_t>(v); })),
      rc::gen::set(&Edit::added, rc::gen::container<std::vector<TableMeta>>(gen_table())),
      rc::gen::set(&Edit::removed),
      rc::gen::set(&Edit::added_value_files,
                   rc::gen::container<std::vector<ValueFileMeta>>(gen_value_file())),
      rc::gen::set(&Edit::removed_value_files), rc::gen::set(&Edit::snapshot));
}

bool has_value_fields(const Edit& e) {
  return !e.added_value_files.empty() || !e.removed_value_files.empty() ||
         std::any_of(e.added.begin(), e.added.end(),
                     [](const TableMeta& t) { return !t.value_refs.empty(); });
}

}  // namespace

// --- Encoding and decoding ---

TEST_CASE("value-file tags encode as 11 then 10 then each table's 5 then 8 then 9",
          "[manifest][value_tags]") {
  Edit e;
  e.wal_number = 9;
  e.removed_value_files = {4, 2};
  e.added_value_files = {vfile(5, 1000)};
  e.added.push_back(TableMeta{.number = 8,
                              .level = 1,
                              .file_size = 100,
                              .entries = 2,
                              .tombstones = 0,
                              .min_version = 1,
                              .max_version = 2,
                              .smallest_key = "a",
                              .largest_key = "b",
                              .run = 2,
                              .value_refs = {{5, 300}, {6, 7}}});
  // By hand: tag 3 wal 9; tag 11 file 4; tag 11 file 2; tag 10 number 5,
  // kind 0, size 1000 (0x3e8: 0xe8 0x07), value_bytes 500 (0x1f4: 0xf4
  // 0x03); tag 5 level 1, number 8, size 100
  // (0x64), entries 2, tombstones 0, versions 1 and 2, keys "a" and "b"; tag
  // 8 table 8 run 2; tag 9 table 8, count 2, (5, 300 = 0xac 0x02), (6, 7).
  const std::string expected = std::string("\x03\x09", 2) + std::string("\x0b\x04\x0b\x02", 4) +
                               std::string("\x0a\x05\x00\xe8\x07\xf4\x03", 7) +
                               std::string(
                                   "\x05\x01\x08\x64\x02\x00\x01\x02\x01"
                                   "a\x01"
                                   "b",
                                   12) +
                               std::string("\x08\x08\x02", 3) +
                               std::string("\x09\x08\x02\x05\xac\x02\x06\x07", 8);
  CHECK(encoded(e) == expected);
  const auto back = Edit::decode(expected, "MANIFEST", 16);
  REQUIRE(back.is_ok());
  CHECK(*back == e);
}

TEST_CASE("a table without value refs gets no tag 9", "[manifest][value_tags]") {
  Edit e;
  e.added.push_back(table(8));
  const std::string bytes = encoded(e);
  // Tag 5 and its body only: the last byte is the largest key.
  CHECK(bytes.back() == 'm');
  CHECK(bytes == add_table_field(8));
  e.added[0].value_refs = {{5, 1}};
  CHECK(encoded(e) == add_table_field(8) + tagged(9, varints({8, 1, 5, 1})));
}

TEST_CASE("property: edits with value-file tags round trip", "[manifest][value_tags]") {
  rc::prop("encode then decode gives the same edit", [] {
    const Edit e = *gen_edit();
    const std::string bytes = encoded(e);
    const auto back = Edit::decode(bytes, "MANIFEST", 16);
    RC_ASSERT(back.is_ok());
    RC_ASSERT(*back == e);
  });
}

TEST_CASE("property: version 2 decodes an edit exactly when it has no value-file fields",
          "[manifest][value_tags]") {
  rc::prop("version 2 knows tags 1-8 only", [] {
    const Edit e = *gen_edit();
    const auto back = Edit::decode(encoded(e), "MANIFEST", 16, kManifestFormatV2);
    if (has_value_fields(e)) {
      RC_ASSERT(!back.is_ok());
      RC_ASSERT(back.status().code() == Code::kCorruption);
    } else {
      RC_ASSERT(back.is_ok());
      RC_ASSERT(*back == e);
    }
  });
}

TEST_CASE("a snapshot edit of a state with value files round trips", "[manifest][value_tags]") {
  const State s = base();
  const Edit snap = s.snapshot_edit();
  CHECK(snap.snapshot);
  CHECK(snap.added_value_files ==
        std::vector<ValueFileMeta>{vfile(5, 1000), vfile(6, 2000), vfile(8, 3000)});
  REQUIRE(snap.added.size() == 3);
  CHECK(snap.added[2].value_refs == std::vector<ValueRefTally>{{5, 60}, {6, 8}});
  const std::string bytes = encoded(snap);
  const auto back = Edit::decode(bytes, "MANIFEST", 16);
  REQUIRE(back.is_ok());
  CHECK(*back == snap);
  // Applied to an empty state and to an unrelated one, it recreates s.
  State fresh;
  REQUIRE(fresh.apply(*back, "MANIFEST", 16).is_ok());
  CHECK(fresh == s);
  State other;
  Edit unrelated;
  unrelated.next_file_number = 100;
  unrelated.wal_number = 90;
  unrelated.added_value_files = {vfile(50)};
  unrelated.added = {table(60, {{50, 3}})};
  REQUIRE(other.apply(unrelated, "MANIFEST", 16).is_ok());
  REQUIRE(other.apply(*back, "MANIFEST", 40).is_ok());
  CHECK(other == s);
  // Version 2 cannot hold it.
  CHECK(Edit::decode(bytes, "MANIFEST", 16, kManifestFormatV2).status().code() ==
        Code::kCorruption);
}

TEST_CASE("format version 2 rejects tags 9 10 and 11 as unknown", "[manifest][value_tags]") {
  const std::string tag9 = add_table_field(8) + tagged(9, varints({8, 1, 5, 10}));
  const std::string tag10 = tagged(10, varints({5, 0, 1000}));
  const std::string tag11 = tagged(11, varints({5}));
  // Each is well-formed at version 3.
  CHECK(decode_status(tag9, kManifestFormatV3).is_ok());
  CHECK(decode_status(tag10, kManifestFormatV3).is_ok());
  CHECK(decode_status(tag11, kManifestFormatV3).is_ok());
  const std::vector<std::pair<int, std::string>> fields = {{9, tag9}, {10, tag10}, {11, tag11}};
  for (const auto& [tag, bytes] : fields) {
    INFO("tag " << tag);
    CHECK(decode_status(bytes, kManifestFormatV2) ==
          Status::corruption("MANIFEST", 123,
                             "unknown manifest edit tag " + std::to_string(tag) +
                                 " (value-file tags need manifest format version 3)"));
  }
  // Tags 1-8 still decode at version 2.
  Edit plain;
  plain.next_file_number = 9;
  plain.removed = {3};
  plain.added.push_back(TableMeta{.number = 8, .level = 1, .run = 4});
  const auto back = Edit::decode(encoded(plain), "MANIFEST", 123, kManifestFormatV2);
  REQUIRE(back.is_ok());
  CHECK(*back == plain);
}

TEST_CASE("tag 9 for a table the edit does not add is Corruption", "[manifest][value_tags]") {
  const std::string what = "value references given for table 8 that this edit does not add";
  // No table at all.
  CHECK(decode_status(tagged(9, varints({8, 1, 5, 10}))) ==
        Status::corruption("MANIFEST", 123, what));
  // Another table.
  CHECK(decode_status(add_table_field(7) + tagged(9, varints({8, 1, 5, 10}))) ==
        Status::corruption("MANIFEST", 123, what));
  // Its table comes later.
  CHECK(decode_status(tagged(9, varints({8, 1, 5, 10})) + add_table_field(8)) ==
        Status::corruption("MANIFEST", 123, what));
  // A table the edit removes is not one it adds.
  CHECK(decode_status(tagged(6, varints({8})) + tagged(9, varints({8, 1, 5, 10}))) ==
        Status::corruption("MANIFEST", 123, what));
}

TEST_CASE("tag 9 given twice for one table is Corruption", "[manifest][value_tags]") {
  const std::string once = add_table_field(8) + tagged(9, varints({8, 1, 5, 10}));
  REQUIRE(decode_status(once).is_ok());
  CHECK(decode_status(once + tagged(9, varints({8, 1, 6, 10}))) ==
        Status::corruption("MANIFEST", 123, "table 8: empty or repeated value references"));
  // Another table's tag 9 after it is fine.
  CHECK(decode_status(once + add_table_field(9) + tagged(9, varints({9, 1, 6, 10}))).is_ok());
}

TEST_CASE("tag 9 with a count of 0 is Corruption", "[manifest][value_tags]") {
  CHECK(decode_status(add_table_field(8) + tagged(9, varints({8, 0}))) ==
        Status::corruption("MANIFEST", 123, "table 8: empty or repeated value references"));
}

TEST_CASE("tag 9 files not ascending or of 0 bytes are Corruption", "[manifest][value_tags]") {
  const std::string what = "table 8: value references not in ascending file order or of 0 bytes";
  const std::string t8 = add_table_field(8);
  CHECK(decode_status(t8 + tagged(9, varints({8, 2, 5, 10, 6, 1}))).is_ok());
  // Descending.
  CHECK(decode_status(t8 + tagged(9, varints({8, 2, 6, 10, 5, 1}))) ==
        Status::corruption("MANIFEST", 123, what));
  // A file twice.
  CHECK(decode_status(t8 + tagged(9, varints({8, 2, 5, 10, 5, 1}))) ==
        Status::corruption("MANIFEST", 123, what));
  // 0 bytes, first and later.
  CHECK(decode_status(t8 + tagged(9, varints({8, 1, 5, 0}))) ==
        Status::corruption("MANIFEST", 123, what));
  CHECK(decode_status(t8 + tagged(9, varints({8, 2, 5, 10, 6, 0}))) ==
        Status::corruption("MANIFEST", 123, what));
}

TEST_CASE("a truncated tag 9 is Corruption", "[manifest][value_tags]") {
  const std::string t8 = add_table_field(8);
  const std::string field = tagged(9, varints({8, 2, 5, 300, 6, 7}));
  REQUIRE(decode_status(t8 + field).is_ok());
  for (std::size_t cut = 1; cut < field.size(); ++cut) {
    INFO("cut at " << cut);
    CHECK(decode_status(t8 + field.substr(0, cut)) ==
          Status::corruption("MANIFEST", 123, "truncated manifest edit field (tag 9)"));
  }
  // A count far beyond the bytes left is truncation (and sizes nothing).
  CHECK(decode_status(t8 + tagged(9, varints({8, 1ull << 62, 5, 10}))) ==
        Status::corruption("MANIFEST", 123, "truncated manifest edit field (tag 9)"));
  CHECK(decode_status(t8 + tagged(9, varints({8, 3, 5, 10, 6, 1}))) ==
        Status::corruption("MANIFEST", 123, "truncated manifest edit field (tag 9)"));
}

TEST_CASE("tag 10 kinds: 0 from version 3 and 1 from version 4", "[manifest][value_tags]") {
  const auto ok = Edit::decode(tagged(10, varints({5, 0, 1000, 500})), "MANIFEST", 123);
  REQUIRE(ok.is_ok());
  CHECK(ok->added_value_files == std::vector<ValueFileMeta>{vfile(5, 1000)});
  const auto log = Edit::decode(tagged(10, varints({6, 1, 1000, 1000})), "MANIFEST", 123);
  REQUIRE(log.is_ok());
  CHECK(log->added_value_files ==
        std::vector<ValueFileMeta>{ValueFileMeta{
            .number = 6, .kind = ValueFileKind::kValueLog, .size = 1000, .value_bytes = 1000}});
  CHECK(decode_status(tagged(10, varints({5, 2, 1000, 10}))) ==
        Status::corruption("MANIFEST", 123, "value file 5: unknown kind 2"));
  CHECK(decode_status(tagged(10, varints({5, 7, 1000, 10}))) ==
        Status::corruption("MANIFEST", 123, "value file 5: unknown kind 7"));
  // Version 3: no value_bytes (it reads as the size), and no value logs.
  const auto v3 =
      Edit::decode(tagged(10, varints({5, 0, 1000})), "MANIFEST", 123, kManifestFormatV3);
  REQUIRE(v3.is_ok());
  CHECK(v3->added_value_files[0].value_bytes == 1000);
  CHECK(decode_status(tagged(10, varints({5, 1, 1000})), kManifestFormatV3) ==
        Status::corruption("MANIFEST", 123, "value file 5: unknown kind 1"));
}

TEST_CASE("tag 10 with value_bytes above its size is Corruption", "[manifest][value_tags]") {
  CHECK(decode_status(tagged(10, varints({5, 0, 1000, 1000}))).is_ok());
  CHECK(decode_status(tagged(10, varints({5, 1, 1000, 1001}))) ==
        Status::corruption("MANIFEST", 123, "value file 5: value_bytes 1001 above its size 1000"));
}

TEST_CASE("a truncated tag 10 or 11 is Corruption", "[manifest][value_tags]") {
  const std::string add = tagged(10, varints({5, 0, 1000, 500}));
  for (std::size_t cut = 1; cut < add.size(); ++cut) {
    INFO("cut at " << cut);
    CHECK(decode_status(add.substr(0, cut)) ==
          Status::corruption("MANIFEST", 123, "truncated manifest edit field (tag 10)"));
  }
  CHECK(decode_status(tagged(11)) ==
        Status::corruption("MANIFEST", 123, "truncated manifest edit field (tag 11)"));
  CHECK(decode_status(tagged(11, "\x85")) ==
        Status::corruption("MANIFEST", 123, "truncated manifest edit field (tag 11)"));
}

// --- State::apply ---

TEST_CASE("the value-file base state is as built", "[manifest][value_tags]") {
  const State s = base();
  CHECK(s.value_files.size() == 3);
  CHECK(s.value_files.at(6) == vfile(6, 2000));
  CHECK(s.tables.at(7).value_refs == std::vector<ValueRefTally>{{5, 60}, {6, 8}});
}

TEST_CASE("removing a live value file no table references is accepted", "[manifest][value_tags]") {
  Edit e;
  e.removed_value_files = {8};
  const State s = expect_applied(e);
  CHECK_FALSE(s.value_files.contains(8));
  CHECK(s.value_files.size() == 2);
  CHECK(s.tables.size() == 3);
}

TEST_CASE("removing a value file that is not live is Corruption", "[manifest][value_tags]") {
  Edit e;
  e.removed_value_files = {9};
  expect_rejected(e, "removes value file 9, which is not live");
  // A live table's number is not a live value file.
  e.removed_value_files = {3};
  expect_rejected(e, "removes value file 3, which is not live");
  // Removed by an earlier edit.
  State s = base();
  Edit first;
  first.removed_value_files = {8};
  REQUIRE(s.apply(first, "MANIFEST", 40).is_ok());
  const State before = s;
  CHECK(s.apply(first, "MANIFEST", 77) ==
        Status::corruption("MANIFEST", 77, "removes value file 8, which is not live"));
  CHECK(s == before);
}

TEST_CASE("removing a value file twice in one edit is Corruption", "[manifest][value_tags]") {
  Edit e;
  e.removed_value_files = {8, 8};
  expect_rejected(e, "removes value file 8 twice");
}

TEST_CASE("removing a value file a live table references is Corruption", "[manifest][value_tags]") {
  Edit e;
  e.removed_value_files = {6};
  expect_rejected(e, "table 7 references value file 6, which is not live");
  // Removing one of the two tables that reference file 5 is not enough.
  e.removed_value_files = {5};
  e.removed = {4};
  expect_rejected(e, "table 7 references value file 5, which is not live");
  // A table removed by an earlier edit no longer holds its file.
  State s = base();
  Edit drop;
  drop.removed = {7};
  REQUIRE(s.apply(drop, "MANIFEST", 40).is_ok());
  Edit then;
  then.removed_value_files = {6};
  CHECK(s.apply(then, "MANIFEST", 50).is_ok());
  CHECK_FALSE(s.value_files.contains(6));
}

TEST_CASE("removing a value file with every table that references it is accepted",
          "[manifest][value_tags]") {
  Edit e;
  e.removed = {4, 7};
  e.removed_value_files = {5, 6};
  const State s = expect_applied(e);
  CHECK(s.value_files.size() == 1);
  CHECK(s.value_files.contains(8));
  CHECK(s.tables.size() == 1);
}

TEST_CASE("adding a table that references a value file the edit removes is Corruption",
          "[manifest][value_tags]") {
  Edit e;
  e.removed_value_files = {8};
  e.added = {table(11, {{8, 5}})};
  expect_rejected(e, "table 11 references value file 8, which is not live");
}

TEST_CASE("adding a table that references a value file that is not live is Corruption",
          "[manifest][value_tags]") {
  Edit e;
  e.added = {table(11, {{5, 1}, {9, 5}})};
  expect_rejected(e, "table 11 references value file 9, which is not live");
  // References to live files are fine.
  e.added = {table(11, {{5, 1}, {8, 5}})};
  const State s = expect_applied(e);
  CHECK(s.tables.at(11).value_refs == std::vector<ValueRefTally>{{5, 1}, {8, 5}});
}

TEST_CASE("adding a value file below wal_number is accepted", "[manifest][value_tags]") {
  Edit e;
  e.added_value_files = {vfile(9, 4242)};  // wal_number is 10
  e.added = {table(11, {{9, 100}})};
  const State s = expect_applied(e);
  REQUIRE(s.value_files.contains(9));
  CHECK(s.value_files.at(9) == vfile(9, 4242));
  CHECK(s.tables.at(11).value_refs == std::vector<ValueRefTally>{{9, 100}});
}

TEST_CASE("adding a value file at or above wal_number is Corruption", "[manifest][value_tags]") {
  Edit e;
  e.added_value_files = {vfile(10)};
  expect_rejected(e, "adds value file 10, a WAL not below wal_number 10 (not flushed yet)");
  e.added_value_files = {vfile(15)};
  expect_rejected(e, "adds value file 15, a WAL not below wal_number 10 (not flushed yet)");
  // The edit's own wal_number counts.
  e.wal_number = 15;
  expect_rejected(e, "adds value file 15, a WAL not below wal_number 15 (not flushed yet)");
  e.wal_number = 16;
  const State s = expect_applied(e);
  CHECK(s.wal_number == 16);
  CHECK(s.value_files.contains(15));
}

TEST_CASE("a value log may be numbered past wal_number but not past next_file_number",
          "[manifest][value_tags]") {
  // base(): wal_number 10, next_file_number 20.
  const ValueFileMeta log{
      .number = 15, .kind = ValueFileKind::kValueLog, .size = 110, .value_bytes = 70};
  Edit e;
  e.added_value_files = {log};
  e.added = {table(16, {{15, 70}})};
  const State s = expect_applied(e);
  CHECK(s.value_files.at(15) == log);
  CHECK(s.referenced_value_bytes().at(15) == 70);
  e.added_value_files[0].number = 20;
  e.added = {};
  expect_rejected(e, "adds value file 20, not below next_file_number 20");
  e.next_file_number = 21;
  CHECK(expect_applied(e).value_files.contains(20));
}

TEST_CASE("adding a value file whose number is in use is Corruption", "[manifest][value_tags]") {
  Edit e;
  SECTION("a live value file") { e.added_value_files = {vfile(5)}; }
  SECTION("a live table") { e.added_value_files = {vfile(3)}; }
  SECTION("a table the same edit removes") {
    e.removed = {3};
    e.added_value_files = {vfile(3)};
  }
  SECTION("a table the same edit adds") {
    e.added = {table(9)};
    e.added_value_files = {vfile(9)};
  }
  SECTION("a value file the same edit removes") {
    e.removed_value_files = {8};
    e.added_value_files = {vfile(8)};
  }
  SECTION("a value file the same edit adds") { e.added_value_files = {vfile(9), vfile(9, 7)}; }
  const std::uint64_t number = e.added_value_files.back().number;
  expect_rejected(e, "adds value file " + std::to_string(number) + ", a number already in use");
}

TEST_CASE("adding a table whose number is a live value file is Corruption",
          "[manifest][value_tags]") {
  // File numbers come from one counter: a table and a value file never share
  // one, as an added value file may not take a live table's number.
  Edit e;
  e.added = {table(8)};
  expect_rejected(e, "adds table 8, a number already in use");
}

TEST_CASE("a snapshot edit replaces the value files", "[manifest][value_tags]") {
  State s = base();
  Edit snap;
  snap.snapshot = true;
  snap.next_file_number = 30;
  snap.wal_number = 25;
  snap.added_value_files = {vfile(21)};
  snap.added = {table(22, {{21, 9}})};
  REQUIRE(s.apply(snap, "MANIFEST", 40).is_ok());
  CHECK(s.value_files == std::map<std::uint64_t, ValueFileMeta>{{21, vfile(21)}});
  CHECK(s.referenced_value_bytes() == std::map<std::uint64_t, std::uint64_t>{{21, 9}});
  // One without value files leaves none.
  Edit empty;
  empty.snapshot = true;
  empty.next_file_number = 30;
  REQUIRE(s.apply(empty, "MANIFEST", 60).is_ok());
  CHECK(s.value_files.empty());
}

TEST_CASE("a snapshot edit whose table references a value file it lacks is Corruption",
          "[manifest][value_tags]") {
  State s = base();
  const State before = s;
  Edit snap = s.snapshot_edit();
  snap.added_value_files.erase(snap.added_value_files.begin() + 1);  // drops file 6
  CHECK(s.apply(snap, "MANIFEST", 77) ==
        Status::corruption("MANIFEST", 77, "table 7 references value file 6, which is not live"));
  CHECK(s == before);
}

TEST_CASE("a rejected value-file edit leaves the state unchanged after valid parts",
          "[manifest][value_tags]") {
  Edit e;
  e.next_file_number = 40;
  e.wal_number = 12;
  e.removed = {3};
  e.added = {table(11, {{5, 3}})};
  e.added_value_files = {vfile(9)};
  e.removed_value_files = {8, 6};  // 6 is still referenced by table 7
  expect_rejected(e, "table 7 references value file 6, which is not live");
}

// --- referenced_value_bytes ---

TEST_CASE("referenced_value_bytes sums per file across tables", "[manifest][value_tags]") {
  State s = base();
  CHECK(s.referenced_value_bytes() ==
        std::map<std::uint64_t, std::uint64_t>{{5, 100}, {6, 8}, {8, 0}});
  Edit e;
  e.removed = {7};
  e.added = {table(11, {{6, 1000}, {8, 1}})};
  REQUIRE(s.apply(e, "MANIFEST", 40).is_ok());
  CHECK(s.referenced_value_bytes() ==
        std::map<std::uint64_t, std::uint64_t>{{5, 40}, {6, 1000}, {8, 1}});
  Edit drop;
  drop.removed = {4, 11};
  REQUIRE(s.apply(drop, "MANIFEST", 50).is_ok());
  CHECK(s.referenced_value_bytes() ==
        std::map<std::uint64_t, std::uint64_t>{{5, 0}, {6, 0}, {8, 0}});
}

TEST_CASE("referenced_value_bytes is empty without value files", "[manifest][value_tags]") {
  CHECK(State{}.referenced_value_bytes().empty());
  State s;
  Edit e;
  e.next_file_number = 5;
  e.added = {table(3)};
  REQUIRE(s.apply(e, "MANIFEST", 16).is_ok());
  CHECK(s.referenced_value_bytes().empty());
}
