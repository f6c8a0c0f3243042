// Fuzz target sstable_mutator: structure-aware table damage. Builds a valid
// table in-process (table_fixture.hpp) and applies the input as a list of
// edits aimed at its parts, then runs exercise_table() on the result.
// Input layout:
//   byte 0: bit 0 LZ4 blocks, bit 1 bloom filter, bit 2 recompute checksums
//           after editing (footer CRC and every block trailer), so the damage
//           reaches the block, index, filter and properties decoders instead
//           of stopping at a checksum; bits 3-4 restart interval (1, 2, 4, 16),
//           bits 5-7 block size (64 << n bytes... capped at 4 KiB).
//   byte 1: number of user keys (1..160); byte 2: entry seed.
//   then up to 16 edits of 4 bytes: [op << 4 | region], offset (uint16),
//     value. Regions: 0 whole file, 1 data blocks, 2 filter, 3 index,
//     4 properties, 5 footer, 6 block trailers. Ops: 0 xor (value|1),
//     1 set byte, 2 insert byte, 3 delete byte, 4 truncate file there,
//     5 swap with the byte after.
// With no edits the table must read back exactly (exercise_table trusted).
// Deterministic, no output on success, no file I/O.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_support.hpp"
#include "table/block.hpp"
#include "table/block_cache.hpp"
#include "table/format.hpp"
#include "table_exercise.hpp"
#include "table_fixture.hpp"
#include "util/coding.hpp"
#include "util/crc32c.hpp"

namespace {

using namespace sand;
using sand::fuzz::check;

constexpr int kMaxEdits = 16;

struct Region {
  std::uint64_t begin = 0, end = 0;  // [begin, end)
};

// Handles of every data block, read from the table's (valid) index.
std::vector<table::BlockHandle> data_handles(const std::string& file, const table::Footer& f) {
  std::vector<table::BlockHandle> out;
  auto contents = table::read_block(file, "fixture", f.index, true);
  check(contents.is_ok(), "fixture index unreadable", contents.status().to_string());
  auto block = table::Block::parse(contents->data, contents->owned, "fixture", f.index.offset,
                                   EntryKind::kValueRef);
  check(block.is_ok(), "fixture index does not parse");
  auto it = block->new_iterator();
  for (it->seek_to_first(); it->valid(); it->next()) {
    std::string_view v = it->value();
    table::BlockHandle h;
    check(table::decode_block_handle(&v, &h), "fixture index handle");
    out.push_back(h);
  }
  return out;
}

void fix_trailer(std::string* file, const table::BlockHandle& h) {
  if (h.is_null() || h.offset > file->size() || h.size > file->size() - h.offset ||
      file->size() - h.offset - h.size < table::kBlockTrailerSize) {
    return;
  }
  const std::string_view stored = std::string_view(*file).substr(h.offset, h.size);
  const auto type = static_cast<Compression>((*file)[h.offset + h.size]);
  const std::string trailer = table::block_trailer(stored, type);
  file->replace(h.offset + h.size, table::kBlockTrailerSize, trailer);
}

void fix_checksums(std::string* file, const std::vector<table::BlockHandle>& data) {
  if (file->size() < table::kFooterSize) return;
  const std::size_t foot = file->size() - table::kFooterSize;
  for (const auto& h : data) fix_trailer(file, h);
  for (int i = 0; i < 3; ++i) {
    table::BlockHandle h;
    h.offset = util::decode_fixed64(file->data() + foot + 16 * i);
    h.size = util::decode_fixed64(file->data() + foot + 16 * i + 8);
    fix_trailer(file, h);
  }
  util::encode_fixed32(file->data() + foot + 52,
                       crc32c::mask(crc32c::value(file->data() + foot, 52)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sand::fuzz::Bytes in(data, size);
  const std::uint8_t config = in.u8();
  table::TableOptions options;
  options.compression = (config & 1) ? Compression::kLz4 : Compression::kNone;
  options.bloom_bits_per_key = (config & 2) ? 10 : 0;
  const bool fix = (config & 4) != 0;
  static constexpr int kRestarts[] = {1, 2, 4, 16};
  options.restart_interval = kRestarts[(config >> 3) & 3];
  options.block_size = std::size_t{64} << std::min(6, config >> 5);
  const int count = 1 + in.u8() % 160;
  const std::uint32_t seed = in.u8();

  const std::string original = sand::fuzz::build_table(options, count, seed);
  auto footer = table::decode_footer(original, "fixture");
  check(footer.is_ok(), "fixture footer", footer.status().to_string());
  const std::vector<table::BlockHandle> blocks = data_handles(original, *footer);

  const auto block_region = [](const table::BlockHandle& h) {
    return Region{h.offset, h.offset + h.size + table::kBlockTrailerSize};
  };
  std::uint64_t first_meta = footer->index.offset;
  if (!footer->filter.is_null()) first_meta = std::min(first_meta, footer->filter.offset);
  first_meta = std::min(first_meta, footer->properties.offset);
  const Region regions[] = {
      {0, original.size()},
      {0, first_meta},
      block_region(footer->filter),
      block_region(footer->index),
      block_region(footer->properties),
      {original.size() - table::kFooterSize, original.size()},
  };

  std::string file = original;
  int edits = 0;
  while (in.remaining() >= 4 && edits < kMaxEdits) {
    ++edits;
    const std::uint8_t op_region = in.u8();
    const std::uint16_t off16 = in.u16();
    const std::uint8_t value = in.u8();
    Region r;
    if ((op_region & 7) == 6) {
      // A trailer of some data block (or of the index if there is none).
      const table::BlockHandle h = blocks.empty() ? footer->index : blocks[off16 % blocks.size()];
      r = {h.offset + h.size, h.offset + h.size + table::kBlockTrailerSize};
    } else {
      r = regions[(op_region & 7) % 6];
    }
    if (r.end > file.size()) r.end = file.size();
    if (r.begin >= r.end) continue;
    const std::size_t at = r.begin + off16 % (r.end - r.begin);
    switch ((op_region >> 4) % 6) {
      case 0:
        file[at] = static_cast<char>(file[at] ^ (value | 1));
        break;
      case 1:
        file[at] = static_cast<char>(value);
        break;
      case 2:
        file.insert(file.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(value));
        break;
      case 3:
        file.erase(at, 1);
        break;
      case 4:
        file.resize(at);
        break;
      default:
        if (at + 1 < file.size()) std::swap(file[at], file[at + 1]);
        break;
    }
  }
  if (fix) fix_checksums(&file, blocks);

  const bool trusted = file == original;
  auto cache = std::make_shared<table::BlockCache>(64 << 10, 0);
  sand::fuzz::exercise_table(file, trusted, original.substr(0, 64), cache);
  if (!trusted) sand::fuzz::exercise_table(std::move(file), false, "", nullptr);
  return 0;
}
