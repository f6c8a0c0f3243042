// Block handles, footer, compression choice and block trailer checks.
#include "table/format.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>

#include "table_test_util.hpp"
#include "util/coding.hpp"
#include "util/crc32c.hpp"

namespace sand::table {
namespace {

constexpr std::string_view kFile = "000009.sst";

// A file of `body` bytes of filler followed by a footer for these handles.
std::string file_with_footer(std::size_t body, const Footer& footer) {
  return std::string(body, 'x') + encode_footer(footer);
}

Footer some_footer() {
  Footer f;
  f.filter = {10, 20};
  f.index = {35, 30};
  f.properties = {70, 25};
  return f;
}

TEST_CASE("block handle round trips", "[table][format]") {
  rc::prop("varint64 offset and size", [](std::uint64_t offset, std::uint64_t size) {
    std::string enc;
    encode_block_handle(&enc, {offset, size});
    RC_ASSERT(enc.size() <= kMaxBlockHandleLength);
    std::string_view in = enc;
    BlockHandle h;
    RC_ASSERT(decode_block_handle(&in, &h));
    RC_ASSERT(in.empty());
    RC_ASSERT((h == BlockHandle{offset, size}));
  });
}

TEST_CASE("truncated block handle is rejected", "[table][format]") {
  std::string enc;
  encode_block_handle(&enc, {300, 70000});
  for (std::size_t n = 0; n < enc.size(); ++n) {
    std::string_view in = std::string_view(enc).substr(0, n);
    BlockHandle h;
    CHECK_FALSE(decode_block_handle(&in, &h));
  }
}

TEST_CASE("footer is 64 bytes ending in the magic", "[table][format]") {
  const std::string enc = encode_footer(some_footer());
  REQUIRE(enc.size() == kFooterSize);
  CHECK(enc.substr(56) == "SANDSST1");
  CHECK(util::decode_fixed32(enc.data() + 48) == 1);
  CHECK(util::decode_fixed64(enc.data() + 16) == 35);
  CHECK(crc32c::unmask(util::decode_fixed32(enc.data() + 52)) == crc32c::value(enc.data(), 52));
}

TEST_CASE("footer round trips", "[table][format]") {
  const std::string file = file_with_footer(100, some_footer());
  Result<Footer> f = decode_footer(file, kFile);
  REQUIRE(f.is_ok());
  CHECK(f->filter == BlockHandle{10, 20});
  CHECK(f->index == BlockHandle{35, 30});
  CHECK(f->properties == BlockHandle{70, 25});
  CHECK(f->format_version == kFormatVersionInline);  // a Footer's default
}

TEST_CASE("file shorter than a footer is corrupt", "[table][format]") {
  Result<Footer> f = decode_footer(std::string(63, '\0'), kFile);
  REQUIRE_FALSE(f.is_ok());
  CHECK(f.status().code() == Code::kCorruption);
  CHECK(f.status().message() ==
        "000009.sst: offset 0: file is 63 bytes, too short for the 64-byte table footer");
}

TEST_CASE("wrong magic names the magic's offset", "[table][format]") {
  std::string file = file_with_footer(100, some_footer());
  file[100 + 63] = '2';
  Result<Footer> f = decode_footer(file, kFile);
  REQUIRE_FALSE(f.is_ok());
  CHECK(f.status().message() == "000009.sst: offset 156: bad table magic (not a sanddb table)");
}

TEST_CASE("unknown format version is rejected by number", "[table][format]") {
  Footer footer = some_footer();
  footer.format_version = 4;  // with a valid checksum: a future writer
  Result<Footer> f = decode_footer(file_with_footer(100, footer), kFile);
  REQUIRE_FALSE(f.is_ok());
  CHECK(f.status().code() == Code::kCorruption);
  CHECK(f.status().message() == "000009.sst: offset 148: unsupported table format version 4");
  footer.format_version = 0xffffffffu;
  f = decode_footer(file_with_footer(100, footer), kFile);
  REQUIRE_FALSE(f.is_ok());
  CHECK(f.status().message() ==
        "000009.sst: offset 148: unsupported table format version 4294967295");
  footer.format_version = 0;
  f = decode_footer(file_with_footer(100, footer), kFile);
  REQUIRE_FALSE(f.is_ok());
  CHECK(f.status().message() == "000009.sst: offset 148: unsupported table format version 0");
  CHECK(kFormatVersionCompressedRefs == 3);
  for (const std::uint32_t known :
       {kFormatVersionInline, kFormatVersionRefs, kFormatVersionCompressedRefs}) {
    footer.format_version = known;
    f = decode_footer(file_with_footer(100, footer), kFile);
    REQUIRE(f.is_ok());
    CHECK(f->format_version == known);
  }
}

TEST_CASE("a damaged version field reads as damage, not as a new version", "[table][format]") {
  std::string file = file_with_footer(100, some_footer());
  file[100 + 48] = 3;
  Result<Footer> f = decode_footer(file, kFile);
  REQUIRE_FALSE(f.is_ok());
  CHECK(f.status().message() == "000009.sst: offset 100: table footer checksum mismatch");
}

TEST_CASE("footer checksum covers every handle byte", "[table][format]") {
  const std::string good = file_with_footer(100, some_footer());
  for (std::size_t i = 0; i < 48; ++i) {
    std::string file = good;
    file[100 + i] = static_cast<char>(file[100 + i] ^ 0x01);
    Result<Footer> f = decode_footer(file, kFile);
    REQUIRE_FALSE(f.is_ok());
    CHECK(f.status().message() == "000009.sst: offset 100: table footer checksum mismatch");
  }
}

TEST_CASE("footer handles must end before the footer", "[table][format]") {
  Footer footer = some_footer();
  footer.properties = {70, 26};  // 70 + 26 + 5 trailer = 101 > 100
  Result<Footer> f = decode_footer(file_with_footer(100, footer), kFile);
  REQUIRE_FALSE(f.is_ok());
  CHECK(f.status().message() == "000009.sst: offset 100: table footer block handle out of bounds");

  footer = some_footer();
  footer.index = {~std::uint64_t{0} - 2, 10};  // overflows if added naively
  f = decode_footer(file_with_footer(100, footer), kFile);
  REQUIRE_FALSE(f.is_ok());
  CHECK(f.status().code() == Code::kCorruption);
}

TEST_CASE("a null filter handle means no filter", "[table][format]") {
  Footer footer = some_footer();
  footer.filter = {};
  Result<Footer> f = decode_footer(file_with_footer(100, footer), kFile);
  REQUIRE(f.is_ok());
  CHECK(f->filter.is_null());
}

TEST_CASE("compression only when it saves an eighth", "[table][format]") {
  std::string scratch;
  std::string_view stored;
  const std::string text = testing::compressible_value(4000, 1);
  CHECK(compress_block(text, Compression::kLz4, &scratch, &stored) == Compression::kLz4);
  CHECK(stored.data() == scratch.data());
  CHECK(stored.size() <= text.size() - text.size() / 8);

  const std::string noise = testing::incompressible_value(4000, 2);
  CHECK(compress_block(noise, Compression::kLz4, &scratch, &stored) == Compression::kNone);
  CHECK(stored.data() == noise.data());

  CHECK(compress_block(text, Compression::kNone, &scratch, &stored) == Compression::kNone);
  CHECK(stored == text);
  CHECK(compress_block("", Compression::kLz4, &scratch, &stored) == Compression::kNone);
}

// Writes `raw` as a block into a buffer after `pad` filler bytes.
std::string stored_block(std::string_view raw, Compression c, std::size_t pad,
                         BlockHandle* handle) {
  std::string scratch;
  std::string_view stored;
  const Compression type = compress_block(raw, c, &scratch, &stored);
  *handle = {pad, stored.size()};
  return std::string(pad, 'p') + std::string(stored) + block_trailer(stored, type);
}

TEST_CASE("read_block returns uncompressed blocks in place", "[table][format]") {
  BlockHandle h;
  const std::string file = stored_block("hello block", Compression::kNone, 7, &h);
  Result<BlockContents> c = read_block(file, kFile, h, true);
  REQUIRE(c.is_ok());
  CHECK(c->data == "hello block");
  CHECK(c->data.data() == file.data() + 7);
  CHECK(c->owned == nullptr);
}

TEST_CASE("read_block decompresses LZ4 blocks", "[table][format]") {
  const std::string raw = testing::compressible_value(10000, 3);
  BlockHandle h;
  const std::string file = stored_block(raw, Compression::kLz4, 3, &h);
  REQUIRE(h.size < raw.size());
  CHECK(static_cast<unsigned char>(file[3 + h.size]) == 1);
  Result<BlockContents> c = read_block(file, kFile, h, true);
  REQUIRE(c.is_ok());
  CHECK(c->data == raw);
  REQUIRE(c->owned != nullptr);
  CHECK(c->data.data() == c->owned->data());
}

TEST_CASE("read_block detects any flipped byte", "[table][format]") {
  BlockHandle h;
  const std::string good =
      stored_block(testing::compressible_value(300, 4), Compression::kLz4, 16, &h);
  for (std::size_t i = 16; i < good.size(); ++i) {
    std::string file = good;
    file[i] = static_cast<char>(file[i] ^ 0x20);
    Result<BlockContents> c = read_block(file, kFile, h, true);
    REQUIRE_FALSE(c.is_ok());
    CHECK(c.status().message() == "000009.sst: offset 16: block checksum mismatch");
  }
}

TEST_CASE("read_block rejects handles past the region", "[table][format]") {
  BlockHandle h;
  const std::string file = stored_block("abc", Compression::kNone, 0, &h);
  Result<BlockContents> c =
      read_block(std::string_view(file).substr(0, file.size() - 1), kFile, h, true);
  REQUIRE_FALSE(c.is_ok());
  CHECK(c.status().message() ==
        "000009.sst: offset 0: block of 3 bytes runs past the end of its region");
  c = read_block(file, kFile, {~std::uint64_t{0}, 4}, true);
  CHECK(c.status().code() == Code::kCorruption);
}

// A type-1 block whose bytes are given verbatim, with a valid trailer.
std::string raw_lz4_block(const std::string& stored) {
  return stored + block_trailer(stored, Compression::kLz4);
}

TEST_CASE("LZ4 block over the size limit is corrupt", "[table][format]") {
  std::string stored;
  util::put_varint32(&stored, (64u << 20) + 1);
  stored += "zz";
  const std::string file = raw_lz4_block(stored);
  Result<BlockContents> c = read_block(file, kFile, {0, stored.size()}, true);
  REQUIRE_FALSE(c.is_ok());
  CHECK(c.status().message() ==
        "000009.sst: offset 0: LZ4 block claims 67108865 uncompressed bytes, over the 64 MiB "
        "limit");
}

TEST_CASE("LZ4 block claiming more than 255x its payload is corrupt", "[table][format]") {
  // The most compressible contents there are still fit the bound.
  const std::string zeros(1 << 20, '\0');
  std::string scratch;
  std::string_view stored;
  REQUIRE(compress_block(zeros, Compression::kLz4, &scratch, &stored) == Compression::kLz4);
  const std::string best(stored);
  Result<BlockContents> c = read_block(raw_lz4_block(best), kFile, {0, best.size()}, true);
  REQUIRE(c.is_ok());
  CHECK(c->data == zeros);

  const std::string payload = "0123456789";
  std::string over;
  util::put_varint32(&over, 255 * 10 + 1);
  over += payload;
  c = read_block(raw_lz4_block(over), kFile, {0, over.size()}, true);
  REQUIRE_FALSE(c.is_ok());
  CHECK(c.status().message() ==
        "000009.sst: offset 0: LZ4 block claims 2551 uncompressed bytes from a 10-byte payload");
  std::string at_bound;
  util::put_varint32(&at_bound, 255 * 10);
  at_bound += payload;
  c = read_block(raw_lz4_block(at_bound), kFile, {0, at_bound.size()}, true);
  CHECK(c.status().message() == "000009.sst: offset 0: LZ4 block does not decompress");
}

TEST_CASE("LZ4 block with the wrong size or payload is corrupt", "[table][format]") {
  std::string scratch;
  std::string_view stored;
  const std::string raw = testing::compressible_value(1000, 5);
  REQUIRE(compress_block(raw, Compression::kLz4, &scratch, &stored) == Compression::kLz4);
  std::string lie(stored);
  lie[0] = static_cast<char>(0xe9);  // varint 1001 = e9 07: one byte too many
  REQUIRE(static_cast<unsigned char>(lie[1]) == 0x07);
  Result<BlockContents> c = read_block(raw_lz4_block(lie), kFile, {0, lie.size()}, true);
  REQUIRE_FALSE(c.is_ok());
  CHECK(c.status().message() == "000009.sst: offset 0: LZ4 block does not decompress");

  const std::string junk = std::string("\x10", 1) + "garbage!";
  c = read_block(raw_lz4_block(junk), kFile, {0, junk.size()}, true);
  CHECK(c.status().code() == Code::kCorruption);
}

TEST_CASE("unknown compression type is corrupt", "[table][format]") {
  std::string file = "abc";
  file.push_back(7);
  std::uint32_t crc = crc32c::value(file);
  util::put_fixed32(&file, crc32c::mask(crc));
  Result<BlockContents> c = read_block(file, kFile, {0, 3}, true);
  REQUIRE_FALSE(c.is_ok());
  CHECK(c.status().message() == "000009.sst: offset 0: unknown block compression type 7");
}

}  // namespace
}  // namespace sand::table
