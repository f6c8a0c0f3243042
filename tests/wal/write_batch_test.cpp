// Tests for src/wal/write_batch and write_batch_codec: the batch rep layout,
// decoding round trips, every malformed case, the size limits, and compressed
// puts (operation kind 3: compress_values, for_each, for_each_stored).
#include "sand/write_batch.hpp"

#include <lz4.h>
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

// An operation as for_each_stored reports it.
struct StoredOp {
  EntryKind kind;
  std::string key, value;
  std::uint64_t raw_size;
  friend bool operator==(const StoredOp&, const StoredOp&) = default;
};

Result<std::vector<StoredOp>> decode_stored(std::string_view rep, std::uint64_t offset = 40) {
  std::vector<StoredOp> ops;
  const Status s =
      WriteBatchAccess::for_each_stored(rep, "000007.wal", offset, [&](const BatchOp& op) {
        CHECK(op.compressed() == (op.raw_size != 0));
        ops.push_back(StoredOp{op.kind, std::string(op.key), std::string(op.value), op.raw_size});
      });
  if (!s.is_ok()) {
    CHECK(ops.empty());  // no callback for a malformed rep
    return s;
  }
  return ops;
}

// `value` compressed as the writer does (LZ4 at kValueLz4Acceleration); empty
// if LZ4 fails.
std::string lz4_fast(std::string_view value) {
  std::string block(static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(value.size()))),
                    '\0');
  const int n = LZ4_compress_fast(value.data(), block.data(), static_cast<int>(value.size()),
                                  static_cast<int>(block.size()), kValueLz4Acceleration);
  block.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return block;
}

// Whether the writer's rule compresses a put of `value` at `threshold`:
// at least threshold bytes, and LZ4 saves at least an eighth.
bool should_compress(std::string_view value, std::size_t threshold) {
  if (value.size() < threshold) return false;
  const std::string block = lz4_fast(value);
  return !block.empty() && block.size() <= value.size() - value.size() / 8;
}

// Whether `block` is one LZ4 block of exactly `raw` once decompressed.
bool decompresses_to(std::string_view block, std::string_view raw) {
  std::string out(raw.size() + 16, '\0');  // slack: a longer result shows
  const int n = LZ4_decompress_safe(block.data(), out.data(), static_cast<int>(block.size()),
                                    static_cast<int>(out.size()));
  return n >= 0 && std::string_view(out.data(), static_cast<std::size_t>(n)) == raw;
}

std::string repeated_value(std::size_t n, std::string_view unit = "compressible ") {
  std::string v;
  while (v.size() < n) v.append(unit);
  v.resize(n);
  return v;
}

std::string random_value(std::size_t n, std::uint64_t seed) {
  std::string v(n, '\0');
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (char& c : v) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return v;
}

// The bytes of a kind-3 operation.
std::string compressed_op(std::string_view key, std::uint64_t raw_size, std::string_view block) {
  std::string op(1, static_cast<char>(kCompressedPutKind));
  util::put_length_prefixed(&op, key);
  util::put_varint64(&op, raw_size);
  util::put_length_prefixed(&op, block);
  return op;
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

TEST_CASE("compress_values turns only a large compressible put into kind 3",
          "[wal][batch][compressed]") {
  static_assert(kCompressedPutKind == 3);
  const std::string big = repeated_value(4096);
  WriteBatch b;
  b.del("d");
  b.put("small", "v");
  b.put("big", big);
  std::string rep = WriteBatchAccess::rep(b);
  WriteBatchAccess::set_version(&rep, 77);
  std::string out = "leftover";
  REQUIRE(WriteBatchAccess::compress_values(rep, kMinCompressedValueSize, &out));
  // Header (version, count) and the first two operations are copied as they are.
  CHECK(WriteBatchAccess::version(out) == 77);
  CHECK(WriteBatchAccess::count(out) == 3);
  // delete "d"; put "small" = "v"
  const std::string unchanged_ops =
      std::string("\x00\x01", 2) + "d" + std::string("\x01\x05small\x01v", 9);
  CHECK(out.substr(0, 12) == rep.substr(0, 12));
  CHECK(out.substr(12, unchanged_ops.size()) == unchanged_ops);

  const auto stored = decode_stored(out);
  REQUIRE(stored.is_ok());
  REQUIRE(stored->size() == 3);
  CHECK((*stored)[0] == StoredOp{EntryKind::kDelete, "d", "", 0});
  CHECK((*stored)[1] == StoredOp{EntryKind::kPut, "small", "v", 0});
  const StoredOp& c = (*stored)[2];
  CHECK(c.kind == EntryKind::kPut);
  CHECK(c.key == "big");
  CHECK(c.raw_size == 4096);
  CHECK(c.value.size() <= big.size() - big.size() / 8);
  CHECK(decompresses_to(c.value, big));
  // The operation's exact bytes: kind 3, key, varint raw size 4096 (80 20),
  // the block length-prefixed; nothing after it.
  const std::string op = compressed_op("big", 4096, c.value);
  CHECK(op.substr(0, 7) == std::string("\x03\x03", 2) + "big" + std::string("\x80\x20", 2));
  CHECK(out == rep.substr(0, 12) + unchanged_ops + op);

  // for_each gives the batch back exactly.
  CHECK(decode_ok(out) == std::vector<Op>{{EntryKind::kDelete, "d", ""},
                                          {EntryKind::kPut, "small", "v"},
                                          {EntryKind::kPut, "big", big}});
  CHECK(decode_ok(out) == decode_ok(rep));
}

TEST_CASE("compress_values keeps the order around compressed puts in the middle",
          "[wal][batch][compressed]") {
  const std::string a = repeated_value(3000, "aaaa");
  const std::string c = repeated_value(5000, "the quick brown fox ");
  WriteBatch b;
  b.put("a", a);
  b.put("b", random_value(3000, 1));
  b.del("x");
  b.put("c", c);
  b.put("d", "tail");
  std::string out;
  REQUIRE(WriteBatchAccess::compress_values(WriteBatchAccess::rep(b), 2048, &out));
  const auto stored = decode_stored(out);
  REQUIRE(stored.is_ok());
  REQUIRE(stored->size() == 5);
  CHECK((*stored)[0].raw_size == 3000);
  CHECK((*stored)[1] == StoredOp{EntryKind::kPut, "b", random_value(3000, 1), 0});
  CHECK((*stored)[2] == StoredOp{EntryKind::kDelete, "x", "", 0});
  CHECK((*stored)[3].raw_size == 5000);
  CHECK((*stored)[4] == StoredOp{EntryKind::kPut, "d", "tail", 0});
  CHECK(decode_ok(out) == decode_ok(WriteBatchAccess::rep(b)));
}

TEST_CASE("compress_values leaves an incompressible value alone", "[wal][batch][compressed]") {
  WriteBatch b;
  b.put("noise", random_value(8192, 7));
  b.put("small", repeated_value(100));  // compressible but under the threshold
  b.del("gone");
  std::string out = "untouched";
  CHECK_FALSE(
      WriteBatchAccess::compress_values(WriteBatchAccess::rep(b), kMinCompressedValueSize, &out));
  CHECK(out == "untouched");
  // A batch of deletes only, and an empty batch.
  WriteBatch dels;
  dels.del("a");
  CHECK_FALSE(WriteBatchAccess::compress_values(WriteBatchAccess::rep(dels), 0, &out));
  CHECK_FALSE(WriteBatchAccess::compress_values(WriteBatchAccess::rep(WriteBatch()), 0, &out));
  CHECK(out == "untouched");
}

TEST_CASE("compress_values compresses a value of exactly the threshold",
          "[wal][batch][compressed]") {
  for (const std::size_t threshold :
       {std::size_t{64}, kMinCompressedValueSize, std::size_t{10000}}) {
    INFO("threshold " << threshold);
    const std::string value = repeated_value(threshold);
    WriteBatch at;
    at.put("k", value);
    std::string out;
    REQUIRE(WriteBatchAccess::compress_values(WriteBatchAccess::rep(at), threshold, &out));
    CHECK(decode_ok(out) == std::vector<Op>{{EntryKind::kPut, "k", value}});
    WriteBatch under;
    under.put("k", value.substr(1));
    out = "untouched";
    CHECK_FALSE(WriteBatchAccess::compress_values(WriteBatchAccess::rep(under), threshold, &out));
    CHECK(out == "untouched");
  }
}

TEST_CASE("compress_values keeps a value LZ4 shrinks by less than an eighth",
          "[wal][batch][compressed]") {
  // 4096-byte values: `run` compressible bytes, then noise. LZ4 saves about
  // `run` bytes, so the rule flips from "keep" to "compress" near run = 512.
  // Each outcome is checked against LZ4 itself at the writer's acceleration.
  constexpr std::size_t kSize = 4096;
  int kept_saving = 0;  // LZ4 saved something, but under an eighth
  int compressed = 0;
  for (std::size_t run = 0; run <= 1024; run += 8) {
    const std::string value = std::string(run, 'a') + random_value(kSize - run, run + 1);
    const std::string block = lz4_fast(value);
    REQUIRE_FALSE(block.empty());
    const bool expect = block.size() <= kSize - kSize / 8;
    INFO("run " << run << ": LZ4 " << block.size() << " bytes");
    WriteBatch b;
    b.put("k", value);
    std::string out = "untouched";
    CHECK(WriteBatchAccess::compress_values(WriteBatchAccess::rep(b), 64, &out) == expect);
    if (expect) {
      ++compressed;
      const auto stored = decode_stored(out);
      REQUIRE(stored.is_ok());
      REQUIRE(stored->size() == 1);
      CHECK((*stored)[0].raw_size == kSize);
      CHECK((*stored)[0].value.size() <= kSize - kSize / 8);
      CHECK(decode_ok(out) == std::vector<Op>{{EntryKind::kPut, "k", value}});
    } else {
      CHECK(out == "untouched");
      if (block.size() < kSize) ++kept_saving;
    }
  }
  // Both sides of the boundary were seen.
  CHECK(kept_saving > 0);
  CHECK(compressed > 0);
}

TEST_CASE("for_each_stored reports a rep without compressed puts as it is",
          "[wal][batch][compressed]") {
  WriteBatch b;
  b.put("k", "v");
  b.del("d");
  const auto stored = decode_stored(WriteBatchAccess::rep(b));
  REQUIRE(stored.is_ok());
  CHECK(*stored ==
        std::vector<StoredOp>{{EntryKind::kPut, "k", "v", 0}, {EntryKind::kDelete, "d", "", 0}});
}

TEST_CASE("a malformed compressed put is Corruption before any callback",
          "[wal][batch][compressed]") {
  const std::string block = lz4_fast(repeated_value(100));
  const std::string good = compressed_op("k", 100, block);
  REQUIRE(decode_ok(raw_rep(1, good)) ==
          std::vector<Op>{{EntryKind::kPut, "k", repeated_value(100)}});
  // Each case follows a good delete, so a callback for it would show.
  const std::string before = std::string("\x00\x01", 2) + "a";
  auto at1 = [](const std::string& what) { return "write batch operation 1: " + what; };
  std::string over;
  over.append("\x03\x01k", 3);
  util::put_varint64(&over, kMaxValueSize + 1);
  util::put_length_prefixed(&over, block);
  std::string huge_raw;  // raw_size over 2^64: not a varint64
  huge_raw.append("\x03\x01k", 3);
  huge_raw.append(std::string(9, '\xff') + std::string("\x02\x01x", 3));
  const std::pair<std::string, std::string> cases[] = {
      {std::string("\x03\x01k", 3), at1("truncated raw size")},
      {std::string("\x03\x01k\x80", 4), at1("truncated raw size")},
      {std::string("\x03\x01k\xe4\x80", 5), at1("truncated raw size")},
      {huge_raw, at1("truncated raw size")},
      {std::string("\x03\x01k\x00\x01x", 6), at1("compressed value of raw size 0")},
      {over, at1("value of 268435457 bytes exceeds kMaxValueSize (268435456)")},
      {std::string("\x03\x01k\x64", 4), at1("truncated value")},
      {good.substr(0, good.size() - 1), at1("truncated value")},
      {std::string("\x03\x05k", 3), at1("truncated key")},
  };
  for (const auto& [ops, what] : cases) {
    INFO(what);
    const std::string rep = raw_rep(2, before + ops);
    CHECK(decode_status(rep) == Status::corruption("000007.wal", 40, what));
    const auto stored = decode_stored(rep);
    CHECK(stored.status() == Status::corruption("000007.wal", 40, what));
  }
  // Kinds 2 and 4..255 stay unknown.
  for (const int kind : {2, 4, 5, 0x83, 255}) {
    INFO("kind " << kind);
    const std::string rep =
        raw_rep(2, before + std::string(1, static_cast<char>(kind)) + good.substr(1));
    const Status expected =
        Status::corruption("000007.wal", 40, at1("unknown kind " + std::to_string(kind)));
    CHECK(decode_status(rep) == expected);
    CHECK(decode_stored(rep).status() == expected);
  }
  // A key over the limit in a compressed put.
  std::string long_key(1, '\x03');
  util::put_length_prefixed(&long_key, std::string(kMaxKeySize + 1, 'k'));
  util::put_varint64(&long_key, 100);
  util::put_length_prefixed(&long_key, block);
  CHECK(decode_status(raw_rep(1, long_key)) ==
        Status::corruption(
            "000007.wal", 40,
            "write batch operation 0: key of 65537 bytes exceeds kMaxKeySize (65536)"));
}

TEST_CASE("a compressed put whose block does not decompress to its raw size",
          "[wal][batch][compressed]") {
  // for_each: Corruption with no callback at all (not even for the good
  // operations before it); for_each_stored: OK, the block as stored.
  const std::string value = repeated_value(100);
  const std::string block = lz4_fast(value);
  const std::string bs = std::to_string(block.size());
  const std::string garbage("\xff\xff\xff\xff", 4);
  struct Case {
    std::string op;
    std::string what;
  };
  const Case cases[] = {
      {compressed_op("k", 101, block),
       "compressed value of " + bs + " bytes does not decompress to its 101 bytes"},
      {compressed_op("k", 99, block),
       "compressed value of " + bs + " bytes does not decompress to its 99 bytes"},
      {compressed_op("k", 1, block),
       "compressed value of " + bs + " bytes does not decompress to its 1 bytes"},
      {compressed_op("k", 10, garbage),
       "compressed value of 4 bytes does not decompress to its 10 bytes"},
      {compressed_op("k", 5, ""), "compressed value of 0 bytes does not decompress to its 5 bytes"},
  };
  const std::string before = std::string("\x00\x01", 2) + "a" + compressed_op("z", 100, block);
  const std::string after("\x01\x01q\x01r", 5);
  for (const Case& c : cases) {
    INFO(c.what);
    const std::string rep = raw_rep(4, before + c.op + after);
    CHECK(decode_status(rep, 123) ==
          Status::corruption("000007.wal", 123, "write batch operation 2: " + c.what));
    const auto stored = decode_stored(rep);
    REQUIRE(stored.is_ok());
    REQUIRE(stored->size() == 4);
    CHECK((*stored)[0] == StoredOp{EntryKind::kDelete, "a", "", 0});
    CHECK((*stored)[1] == StoredOp{EntryKind::kPut, "z", block, 100});
    CHECK((*stored)[2].kind == EntryKind::kPut);
    CHECK((*stored)[2].key == "k");
    CHECK((*stored)[3] == StoredOp{EntryKind::kPut, "q", "r", 0});
    // The stored block and raw size as written.
    std::string_view op = c.op;
    op.remove_prefix(3);  // kind, key length, key
    std::uint64_t raw_size = 0;
    REQUIRE(util::get_varint64(&op, &raw_size));
    std::string_view stored_block;
    REQUIRE(util::get_length_prefixed(&op, &stored_block));
    CHECK((*stored)[2].raw_size == raw_size);
    CHECK((*stored)[2].value == stored_block);
  }
  // Without the bad operation the same batch decodes.
  CHECK(decode_ok(raw_rep(3, before + after)) == std::vector<Op>{{EntryKind::kDelete, "a", ""},
                                                                 {EntryKind::kPut, "z", value},
                                                                 {EntryKind::kPut, "q", "r"}});
}

TEST_CASE("property: compress_values then for_each gives back the batch",
          "[wal][batch][compressed]") {
  rc::prop("compressed round trip", [] {
    // Values: arbitrary (rarely compressible), runs of one character, a
    // short unit repeated, or noise with a compressible stretch.
    const auto gen_value = rc::gen::oneOf(
        rc::gen::arbitrary<std::string>(),
        rc::gen::map(
            rc::gen::pair(rc::gen::inRange<std::size_t>(0, 9000), rc::gen::arbitrary<char>()),
            [](const std::pair<std::size_t, char>& p) { return std::string(p.first, p.second); }),
        rc::gen::map(rc::gen::pair(rc::gen::inRange<std::size_t>(0, 9000),
                                   rc::gen::nonEmpty(rc::gen::arbitrary<std::string>())),
                     [](const std::pair<std::size_t, std::string>& p) {
                       return repeated_value(p.first, p.second);
                     }),
        rc::gen::map(rc::gen::tuple(rc::gen::inRange<std::size_t>(0, 3000),
                                    rc::gen::inRange<std::size_t>(0, 6000),
                                    rc::gen::arbitrary<std::uint64_t>()),
                     [](const std::tuple<std::size_t, std::size_t, std::uint64_t>& t) {
                       return random_value(std::get<0>(t), std::get<2>(t)) +
                              std::string(std::get<1>(t), 'x');
                     }));
    const auto n = *rc::gen::inRange<std::size_t>(0, 12);
    WriteBatch b;
    std::vector<Op> expected;
    for (std::size_t i = 0; i < n; ++i) {
      const std::string key = *rc::gen::arbitrary<std::string>();
      if (*rc::gen::inRange(0, 4) == 0) {
        b.del(key);
        expected.push_back(Op{EntryKind::kDelete, key, ""});
      } else {
        const std::string value = *gen_value;
        b.put(key, value);
        expected.push_back(Op{EntryKind::kPut, key, value});
      }
    }
    const std::size_t threshold =
        *rc::gen::element<std::size_t>(0, 1, 64, 1000, kMinCompressedValueSize);
    std::string rep = WriteBatchAccess::rep(b);
    WriteBatchAccess::set_version(&rep, *rc::gen::inRange<std::uint64_t>(1, kMaxVersion));
    std::string out = "untouched";
    const bool any = WriteBatchAccess::compress_values(rep, threshold, &out);
    bool expect_any = false;
    for (const Op& op : expected) {
      expect_any =
          expect_any || (op.kind == EntryKind::kPut && should_compress(op.value, threshold));
    }
    RC_ASSERT(any == expect_any);
    if (!any) {
      RC_ASSERT(out == "untouched");
      return;
    }
    RC_ASSERT(out.substr(0, kWriteBatchHeaderSize) == rep.substr(0, kWriteBatchHeaderSize));
    std::vector<Op> got;
    const Status s = WriteBatchAccess::for_each(
        out, "p", 0, [&](EntryKind k, std::string_view key, std::string_view value) {
          got.push_back(Op{k, std::string(key), std::string(value)});
        });
    RC_ASSERT(s.is_ok());
    RC_ASSERT(got == expected);
    // As stored: exactly the puts the rule picks are kind 3, each an LZ4
    // block of its value; everything else as it was.
    std::size_t i = 0;
    const Status t = WriteBatchAccess::for_each_stored(out, "p", 0, [&](const BatchOp& op) {
      RC_ASSERT(i < expected.size());
      const Op& want = expected[i++];
      RC_ASSERT(op.kind == want.kind);
      RC_ASSERT(op.key == want.key);
      const bool compress = want.kind == EntryKind::kPut && should_compress(want.value, threshold);
      RC_ASSERT(op.compressed() == compress);
      if (compress) {
        RC_ASSERT(op.raw_size == want.value.size());
        RC_ASSERT(op.value.size() <= want.value.size() - want.value.size() / 8);
        RC_ASSERT(decompresses_to(op.value, want.value));
      } else {
        RC_ASSERT(op.value == want.value);
      }
    });
    RC_ASSERT(t.is_ok());
    RC_ASSERT(i == expected.size());
  });
}
