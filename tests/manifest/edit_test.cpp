// Tests for src/manifest/edit: the tagged-field codec (exact bytes, round
// trips, and every malformed payload).
#include "manifest/edit.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <string>

#include "util/coding.hpp"

using namespace sand;
using namespace sand::manifest;

namespace {

rc::Gen<std::optional<std::uint64_t>> gen_opt() {
  return rc::gen::map(
      rc::gen::pair(rc::gen::arbitrary<bool>(), rc::gen::arbitrary<std::uint64_t>()),
      [](const std::pair<bool, std::uint64_t>& p) {
        return p.first ? std::optional<std::uint64_t>(p.second) : std::nullopt;
      });
}

rc::Gen<TableMeta> gen_table() {
  return rc::gen::build<TableMeta>(
      rc::gen::set(&TableMeta::number), rc::gen::set(&TableMeta::level, rc::gen::inRange(0, 3)),
      rc::gen::set(&TableMeta::file_size), rc::gen::set(&TableMeta::entries),
      rc::gen::set(&TableMeta::tombstones), rc::gen::set(&TableMeta::min_version),
      rc::gen::set(&TableMeta::max_version), rc::gen::set(&TableMeta::smallest_key),
      rc::gen::set(&TableMeta::largest_key), rc::gen::set(&TableMeta::run));
}

rc::Gen<Edit> gen_edit() {
  return rc::gen::build<Edit>(
      rc::gen::set(&Edit::next_file_number, gen_opt()),
      rc::gen::set(&Edit::last_version, gen_opt()), rc::gen::set(&Edit::wal_number, gen_opt()),
      rc::gen::set(&Edit::low_water_mark, gen_opt()),
      rc::gen::set(&Edit::added, rc::gen::container<std::vector<TableMeta>>(gen_table())),
      rc::gen::set(&Edit::removed), rc::gen::set(&Edit::snapshot));
}

Status decode_status(std::string_view payload) {
  return Edit::decode(payload, "MANIFEST", 123).status();
}

std::string tagged(std::uint32_t tag, std::string_view body = "") {
  std::string s;
  util::put_varint32(&s, tag);
  s.append(body);
  return s;
}

}  // namespace

TEST_CASE("an empty edit encodes to nothing and decodes back", "[manifest][edit]") {
  std::string bytes;
  Edit{}.encode(&bytes);
  CHECK(bytes.empty());
  auto e = Edit::decode(bytes, "MANIFEST", 16);
  REQUIRE(e.is_ok());
  CHECK(*e == Edit{});
}

TEST_CASE("edit fields encode in tag order 7, 1-4, 6, 5", "[manifest][edit]") {
  Edit e;
  e.snapshot = true;
  e.next_file_number = 300;
  e.last_version = 2;
  e.wal_number = 3;
  e.low_water_mark = 0;
  e.removed = {9};
  e.added.push_back(TableMeta{.number = 4,
                              .level = 1,
                              .file_size = 1000,
                              .entries = 5,
                              .tombstones = 1,
                              .min_version = 1,
                              .max_version = 2,
                              .smallest_key = "a",
                              .largest_key = "zz"});
  std::string bytes;
  e.encode(&bytes);
  const std::string expected = std::string("\x07", 1) + std::string("\x01\xac\x02", 3) +
                               std::string("\x02\x02\x03\x03\x04\x00", 6) +
                               std::string("\x06\x09", 2) +
                               std::string(
                                   "\x05\x01\x04\xe8\x07\x05\x01\x01\x02\x01"
                                   "a\x02zz",
                                   14);
  CHECK(bytes == expected);
  auto back = Edit::decode(bytes, "MANIFEST", 16);
  REQUIRE(back.is_ok());
  CHECK(*back == e);
}

TEST_CASE("property: edit codec round trip", "[manifest][edit]") {
  rc::prop("encode then decode gives the same edit", [] {
    const Edit e = *gen_edit();
    std::string bytes;
    e.encode(&bytes);
    auto back = Edit::decode(bytes, "MANIFEST", 16);
    RC_ASSERT(back.is_ok());
    RC_ASSERT(*back == e);
  });
}

TEST_CASE("property: a cut edit is Corruption or a shorter edit", "[manifest][edit]") {
  rc::prop("truncated payloads never crash", [] {
    const Edit e = *gen_edit();
    std::string bytes;
    e.encode(&bytes);
    const auto cut = *rc::gen::inRange<std::size_t>(0, bytes.size() + 1);
    auto r = Edit::decode(std::string_view(bytes).substr(0, cut), "MANIFEST", 7);
    if (!r.is_ok()) RC_ASSERT(r.status().code() == Code::kCorruption);
  });
}

TEST_CASE("decode accepts fields in any order", "[manifest][edit]") {
  std::string bytes = tagged(3, "\x05") + tagged(6, "\x02") + tagged(7) + tagged(1, "\x09");
  auto e = Edit::decode(bytes, "MANIFEST", 16);
  REQUIRE(e.is_ok());
  CHECK(e->snapshot);
  CHECK(e->wal_number == 5u);
  CHECK(e->next_file_number == 9u);
  CHECK(e->removed == std::vector<std::uint64_t>{2});
}

TEST_CASE("an unknown tag is Corruption naming the tag", "[manifest][edit]") {
  CHECK(decode_status(tagged(1, "\x05") + tagged(12, "\x01")) ==
        Status::corruption("MANIFEST", 123, "unknown manifest edit tag 12"));
  CHECK(decode_status(tagged(0)) ==
        Status::corruption("MANIFEST", 123, "unknown manifest edit tag 0"));
  CHECK(decode_status(tagged(1000000)) ==
        Status::corruption("MANIFEST", 123, "unknown manifest edit tag 1000000"));
}

TEST_CASE("a truncated tag or field is Corruption", "[manifest][edit]") {
  CHECK(decode_status(std::string("\x81", 1)) ==
        Status::corruption("MANIFEST", 123, "truncated manifest edit tag"));
  CHECK(decode_status(tagged(2)) ==
        Status::corruption("MANIFEST", 123, "truncated manifest edit field (tag 2)"));
  CHECK(decode_status(tagged(6, "\x80")) ==
        Status::corruption("MANIFEST", 123, "truncated manifest edit field (tag 6)"));
  // An add-table body cut before its largest key.
  CHECK(decode_status(tagged(5, std::string("\x00\x04\x01\x01\x00\x01\x01\x01"
                                            "a\x05zz",
                                            12))) ==
        Status::corruption("MANIFEST", 123, "truncated manifest edit field (tag 5)"));
}

TEST_CASE("a counter or snapshot field given twice is Corruption", "[manifest][edit]") {
  CHECK(decode_status(tagged(1, "\x05") + tagged(1, "\x06")) ==
        Status::corruption("MANIFEST", 123, "manifest edit field (tag 1) appears twice"));
  CHECK(decode_status(tagged(7) + tagged(7)) ==
        Status::corruption("MANIFEST", 123, "manifest edit field (tag 7) appears twice"));
}

TEST_CASE("a table level above 2 is Corruption", "[manifest][edit]") {
  CHECK(decode_status(tagged(5, std::string("\x03\x04\x01\x01\x00\x01\x01\x01"
                                            "a\x01z",
                                            11))) ==
        Status::corruption("MANIFEST", 123, "table 4: level 3 is above 2"));
}

TEST_CASE("property: arbitrary bytes never crash the edit decoder", "[manifest][edit]") {
  rc::prop("garbage edit", [](const std::string& payload) {
    auto r = Edit::decode(payload, "MANIFEST", 16);
    RC_ASSERT(r.is_ok() || r.status().code() == Code::kCorruption);
  });
}

TEST_CASE("a table's run is a tag 8 field right after its tag 5", "[manifest][edit]") {
  Edit e;
  e.added.push_back(TableMeta{.number = 7, .level = 1, .run = 5});
  std::string bytes;
  e.encode(&bytes);
  // Tag 8, table 7, run 5 closes the encoding.
  REQUIRE(bytes.size() >= 3);
  CHECK(bytes.substr(bytes.size() - 3) == std::string("\x08\x07\x05", 3));
  auto back = Edit::decode(bytes, "MANIFEST", 16);
  REQUIRE(back.is_ok());
  CHECK(back->added.at(0).run == 5);
}

TEST_CASE("a run for a table the edit does not add, or a repeated run, is Corruption",
          "[manifest][edit]") {
  std::string body;
  util::put_varint64(&body, 7);
  util::put_varint64(&body, 5);
  const Status orphan = decode_status(tagged(8, body));
  CHECK(orphan.code() == Code::kCorruption);
  CHECK(orphan.message() ==
        "MANIFEST: offset 123: run given for table 7 that this edit does not add");

  Edit e;
  e.added.push_back(TableMeta{.number = 7, .level = 1, .run = 5});
  std::string bytes;
  e.encode(&bytes);
  bytes += tagged(8, body);  // the same run again
  CHECK(decode_status(bytes).code() == Code::kCorruption);
  std::string zero;
  util::put_varint64(&zero, 7);
  util::put_varint64(&zero, 0);
  Edit plain;
  plain.added.push_back(TableMeta{.number = 7, .level = 1});
  std::string plain_bytes;
  plain.encode(&plain_bytes);
  CHECK(decode_status(plain_bytes + tagged(8, zero)).code() == Code::kCorruption);
}
