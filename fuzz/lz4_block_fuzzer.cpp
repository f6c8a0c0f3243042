// Fuzz target lz4_block: the stored-block path of spec/sstable.md section 2
// (table::read_block), where LZ4 decompression meets untrusted bytes.
// Byte 0 picks the mode:
//   bit 0 = 0: the rest is a stored block. Bits 1-2 pick its type byte
//              (0 none, 1 LZ4, 2-3 an unknown type); the trailer gets the
//              right CRC, so the decoder itself is what is tested, then the
//              same bytes are read again with a wrong CRC. Only Corruption may
//              come back; an LZ4 block that reads must hold exactly the
//              raw_size it declares, in its own buffer, equal to what an
//              independent LZ4_decompress_safe into a larger buffer gives.
//   bit 0 = 1: the rest is a block's contents -> compress_block (LZ4 asked)
//              -> read_block: the contents must come back exactly.
// Deterministic, no output on success, no file I/O.
#include <lz4.h>

#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "table/format.hpp"
#include "util/coding.hpp"

namespace {

using namespace sand;
using sand::fuzz::check;
using sand::fuzz::expect_corruption_or_ok;

constexpr std::size_t kMaxInput = 256 << 10;
constexpr std::string_view kFile = "000007.sst";

// What the stored bytes of an LZ4 block decode to, computed without
// read_block: a 64-byte slack after raw_size shows any overrun by the
// decoder as a size mismatch rather than hiding it.
bool independent_lz4(std::string_view stored, std::string* out) {
  std::uint32_t raw_size = 0;
  if (!util::get_varint32(&stored, &raw_size) || raw_size > table::kMaxUncompressedBlockSize) {
    return false;
  }
  out->assign(raw_size + 64, '\0');
  const int n = LZ4_decompress_safe(stored.data(), out->data(), static_cast<int>(stored.size()),
                                    static_cast<int>(out->size()));
  if (n < 0 || static_cast<std::uint32_t>(n) != raw_size) return false;
  out->resize(raw_size);
  return true;
}

void stored_mode(std::uint8_t type, std::string_view stored) {
  std::string file(stored);
  file += table::block_trailer(stored, static_cast<Compression>(type));
  const table::BlockHandle handle{0, stored.size()};
  auto c = table::read_block(file, kFile, handle, true);
  expect_corruption_or_ok(c.status(), "read_block");
  if (c.is_ok()) {
    check(type <= 1, "read_block accepted an unknown compression type");
    if (type == 0) {
      check(c->owned == nullptr && c->data.data() == file.data() && c->data.size() == stored.size(),
            "an uncompressed block is not a view of its stored bytes");
    } else {
      check(c->owned != nullptr && c->data.data() == c->owned->data() &&
                c->data.size() == c->owned->size(),
            "a decompressed block does not view its own buffer");
      std::string want;
      check(independent_lz4(stored, &want) && c->data == want,
            "read_block's LZ4 result differs from LZ4_decompress_safe");
    }
  }
  // A wrong CRC is refused whatever the bytes are.
  file[file.size() - 1] = static_cast<char>(file[file.size() - 1] ^ 0x01);
  auto bad = table::read_block(file, kFile, handle, true);
  check(!bad.is_ok() && bad.status().code() == Code::kCorruption,
        "read_block accepted a wrong checksum");
}

void round_trip_mode(std::string_view raw) {
  std::string scratch;
  std::string_view stored;
  const auto type = table::compress_block(raw, Compression::kLz4, &scratch, &stored);
  std::string file(stored);
  file += table::block_trailer(stored, type);
  auto c = table::read_block(file, kFile, {0, stored.size()}, true);
  check(c.is_ok(), "a block compress_block wrote does not read", c.status().to_string());
  check(c->data == raw, "a block compress_block wrote reads back different bytes");
  if (type == Compression::kLz4) {
    check(stored.size() <= raw.size() - raw.size() / 8, "compressed form saves less than 1/8");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > kMaxInput) return 0;
  const std::string_view rest = sand::fuzz::as_view(data + 1, size - 1);
  if (data[0] & 1) {
    round_trip_mode(rest);
  } else {
    stored_mode(static_cast<std::uint8_t>((data[0] >> 1) & 3), rest);
  }
  return 0;
}
