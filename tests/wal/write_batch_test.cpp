// Tests for src/wal/write_batch and write_batch_codec: the batch rep layout,
// decoding round trips, every malformed case, and the size limits.
#include "sand/write_batch.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "util/coding.hpp"
#include "wal/write_batch_codec.hpp"

using namespace sand;

namespace {

struct Op {
  EntryKind kind;
  std::string key, value;
  friend bool operator==(const Op&, const Op&) = default;
};

std::vector<Op> decode_ok(std::string_view rep) {
  std::vector<Op> ops;
  const Status s = WriteBatchAccess::for_each(
      rep, "w", 0, [&](EntryKind k, std::string_view key, std::string_view value) {
        ops.push_back(Op{k, std::string(key), std::string(value)});
      });
  INFO(s.to_string());
  REQUIRE(s.is_ok());
  return ops;
}

Status decode_status(std::string_view rep, std::uint64_t offset = 40) {
  int calls = 0;
  const Status s = WriteBatchAccess::for_each(
      rep, "000007.wal", offset, [&](EntryKind, std::string_view, std::string_view) { ++calls; });
  // A damaged batch is rejected before any operation is handed out.
  if (!s.is_ok()) CHECK(calls == 0);
  return s;
}

// A rep built by hand: header then raw operation bytes.
std::string raw_rep(std::uint32_t count, std::string_view ops) {
  std::string rep;
  util::put_fixed64(&rep, 9);
  util::put_fixed32(&rep, count);
  rep.append(ops);
  return rep;
}

}  // namespace

TEST_CASE("a new batch is an empty 12-byte rep", "[wal][batch]") {
  WriteBatch b;
  CHECK(b.count() == 0);
  CHECK(b.empty());
  CHECK(b.byte_size() == 12);
  CHECK(WriteBatchAccess::rep(b) == std::string(12, '\0'));
}

TEST_CASE("batch rep bytes are version, count, kind, key, value", "[wal][batch]") {
  WriteBatch b;
  b.put("k", "vv");
  b.del("d");
  std::string rep = WriteBatchAccess::rep(b);
  WriteBatchAccess::set_version(&rep, 0x0102030405060708);
  const std::string expected = std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8) +
                               std::string("\x02\x00\x00\x00", 4) +
                               std::string("\x01\x01k\x02vv", 6) +
                               std::string(
                                   "\x00\x01"
                                   "d",
                                   3);
  CHECK(rep == expected);
  CHECK(WriteBatchAccess::version(rep) == 0x0102030405060708);
  CHECK(WriteBatchAccess::count(rep) == 2);
  // The batch itself is untouched by stamping a copy.
  CHECK(WriteBatchAccess::version(WriteBatchAccess::rep(b)) == 0);
}

TEST_CASE("clear empties a batch", "[wal][batch]") {
  WriteBatch b;
  b.put("a", "b");
  b.del("c");
  CHECK(b.count() == 2);
  b.clear();
  CHECK(b.empty());
  CHECK(b.byte_size() == 12);
  b.put("x", "y");
  CHECK(decode_ok(WriteBatchAccess::rep(b)) == std::vector<Op>{{EntryKind::kPut, "x", "y"}});
}

TEST_CASE("for_each yields operations in order, empty value for deletes", "[wal][batch]") {
  WriteBatch b;
  b.put("k1", "v1");
  b.del("k1");
  b.put("", "");
  b.put("k2", std::string(300, 'z'));
  CHECK(decode_ok(WriteBatchAccess::rep(b)) ==
        std::vector<Op>{{EntryKind::kPut, "k1", "v1"},
                        {EntryKind::kDelete, "k1", ""},
                        {EntryKind::kPut, "", ""},
                        {EntryKind::kPut, "k2", std::string(300, 'z')}});
}

TEST_CASE("property: batch codec round trip", "[wal][batch]") {
  rc::prop("ops survive encode and decode",
           [](const std::vector<std::tuple<bool, std::string, std::string>>& input,
              std::uint64_t version) {
             WriteBatch b;
             std::vector<Op> expected;
             for (const auto& [is_put, key, value] : input) {
               if (is_put) {
                 b.put(key, value);
                 expected.push_back(Op{EntryKind::kPut, key, value});
               } else {
                 b.del(key);
                 expected.push_back(Op{EntryKind::kDelete, key, ""});
               }
             }
             RC_ASSERT(b.count() == expected.size());
             std::string rep = WriteBatchAccess::rep(b);
             WriteBatchAccess::set_version(&rep, version);
             RC_ASSERT(WriteBatchAccess::version(rep) == version);
             std::vector<Op> got;
             const Status s = WriteBatchAccess::for_each(
                 rep, "p", 0, [&](EntryKind k, std::string_view key, std::string_view value) {
                   got.push_back(Op{k, std::string(key), std::string(value)});
                 });
             RC_ASSERT(s.is_ok());
             RC_ASSERT(got == expected);
             RC_ASSERT(WriteBatchAccess::check_limits(b).is_ok());
           });
}

TEST_CASE("property: a cut rep is Corruption, never a partial batch", "[wal][batch]") {
  rc::prop("truncation", [](const std::vector<std::pair<std::string, std::string>>& input) {
    WriteBatch b;
    for (const auto& [key, value] : input) b.put(key, value);
    const std::string& rep = WriteBatchAccess::rep(b);
    const auto cut = *rc::gen::inRange<std::size_t>(0, rep.size());
    const Status s = WriteBatchAccess::for_each(
        std::string_view(rep).substr(0, cut), "p", 5,
        [](EntryKind, std::string_view, std::string_view) { RC_FAIL("callback on bad rep"); });
    RC_ASSERT(s.code() == Code::kCorruption);
  });
}

TEST_CASE("a rep shorter than its header is Corruption", "[wal][batch]") {
  CHECK(decode_status(std::string(11, '\0')) ==
        Status::corruption("000007.wal", 40,
                           "write batch of 11 bytes is shorter than its 12-byte header"));
}

TEST_CASE("an unknown operation kind is Corruption", "[wal][batch]") {
  CHECK(decode_status(raw_rep(2, std::string("\x01\x01k\x01v\x02\x01k", 8))) ==
        Status::corruption("000007.wal", 40, "write batch operation 1: unknown kind 2"));
}

TEST_CASE("a truncated key or value is Corruption", "[wal][batch]") {
  CHECK(decode_status(raw_rep(1, std::string("\x00\x05k", 3))) ==
        Status::corruption("000007.wal", 40, "write batch operation 0: truncated key"));
  CHECK(decode_status(raw_rep(1, std::string("\x01\x01k\x03v", 5))) ==
        Status::corruption("000007.wal", 40, "write batch operation 0: truncated value"));
  CHECK(decode_status(raw_rep(1, std::string("\x01\x01k", 3))) ==
        Status::corruption("000007.wal", 40, "write batch operation 0: truncated value"));
  // A key length varint cut in the middle.
  CHECK(decode_status(raw_rep(1, std::string("\x00\x80", 2))) ==
        Status::corruption("000007.wal", 40, "write batch operation 0: truncated key"));
}

TEST_CASE("fewer operations than the count is Corruption", "[wal][batch]") {
  CHECK(decode_status(raw_rep(3, std::string("\x00\x01k", 3)), 99) ==
        Status::corruption("000007.wal", 99, "write batch holds 1 operations but its count is 3"));
}

TEST_CASE("bytes after the counted operations are Corruption", "[wal][batch]") {
  CHECK(decode_status(raw_rep(1, std::string("\x00\x01k\x00\x01j", 6))) ==
        Status::corruption("000007.wal", 40,
                           "write batch has 3 trailing bytes after its 1 operations"));
}

TEST_CASE("a count of zero with no operations is a valid empty batch", "[wal][batch]") {
  CHECK(decode_ok(raw_rep(0, "")).empty());
}

TEST_CASE("check_limits accepts keys and values at the limit", "[wal][batch]") {
  WriteBatch b;
  b.put(std::string(kMaxKeySize, 'k'), "v");
  b.del(std::string(kMaxKeySize, 'd'));
  CHECK(WriteBatchAccess::check_limits(b).is_ok());
}

TEST_CASE("check_limits names the operation and the key limit", "[wal][batch]") {
  WriteBatch b;
  b.put("ok", "ok");
  b.del(std::string(kMaxKeySize + 1, 'd'));
  CHECK(WriteBatchAccess::check_limits(b) ==
        Status::invalid_argument("write batch operation 1 (delete): key of 65537 bytes exceeds "
                                 "kMaxKeySize (65536)"));
  WriteBatch p;
  p.put(std::string(kMaxKeySize + 5, 'k'), "v");
  CHECK(WriteBatchAccess::check_limits(p) ==
        Status::invalid_argument("write batch operation 0 (put): key of 65541 bytes exceeds "
                                 "kMaxKeySize (65536)"));
}

TEST_CASE("check_limits names the operation and the value limit", "[wal][batch]") {
  WriteBatch b;
  b.put("a", "1");
  b.put("b", "2");
  b.put("big", std::string(kMaxValueSize + 1, 'v'));
  CHECK(WriteBatchAccess::check_limits(b) ==
        Status::invalid_argument("write batch operation 2 (put): value of 268435457 bytes "
                                 "exceeds kMaxValueSize (268435456)"));
}

TEST_CASE("check_limits refuses a batch larger than one WAL record", "[wal][batch]") {
  WriteBatch b;
  const std::string value(kMaxValueSize, 'v');
  for (int i = 0; i < 4; ++i) b.put("k" + std::to_string(i), value);
  REQUIRE(b.byte_size() > (std::size_t{1} << 30));
  const Status s = WriteBatchAccess::check_limits(b);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message().find("exceeds the 1 GiB WAL record limit") != std::string::npos);
}

TEST_CASE("a stored key over kMaxKeySize is Corruption", "[wal][batch]") {
  std::string op("\x00", 1);
  util::put_length_prefixed(&op, std::string(kMaxKeySize + 1, 'k'));
  CHECK(decode_status(raw_rep(1, op)) ==
        Status::corruption("000007.wal", 40,
                           "write batch operation 0: key of 65537 bytes exceeds kMaxKeySize "
                           "(65536)"));
}

TEST_CASE("property: arbitrary bytes never crash the batch decoder", "[wal][batch]") {
  rc::prop("garbage rep", [](const std::string& rep) {
    const Status s = WriteBatchAccess::for_each(
        rep, "p", 0, [](EntryKind, std::string_view, std::string_view) {});
    RC_ASSERT(s.is_ok() || s.code() == Code::kCorruption);
  });
}
