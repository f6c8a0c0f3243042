// Block handles, trailers, LZ4 compression and the footer (spec/sstable.md).
#include "table/format.hpp"

#include <lz4.h>

#include "util/coding.hpp"
#include "util/crc32c.hpp"

namespace sand::table {
namespace {

std::uint32_t trailer_crc(std::string_view stored, char type) {
  std::uint32_t crc = crc32c::value(stored);
  crc = crc32c::extend(crc, &type, 1);
  return crc32c::mask(crc);
}

// Whether [offset, offset + size + trailer) fits in `limit` bytes, without
// overflowing on hostile handles.
bool block_fits(const BlockHandle& h, std::uint64_t limit) {
  if (h.offset > limit) return false;
  const std::uint64_t room = limit - h.offset;
  return room >= kBlockTrailerSize && h.size <= room - kBlockTrailerSize;
}

}  // namespace

void encode_block_handle(std::string* dst, const BlockHandle& handle) {
  util::put_varint64(dst, handle.offset);
  util::put_varint64(dst, handle.size);
}

bool decode_block_handle(std::string_view* in, BlockHandle* handle) {
  return util::get_varint64(in, &handle->offset) && util::get_varint64(in, &handle->size);
}

std::string encode_footer(const Footer& footer) {
  std::string out;
  out.reserve(kFooterSize);
  for (const BlockHandle* h : {&footer.filter, &footer.index, &footer.properties}) {
    util::put_fixed64(&out, h->offset);
    util::put_fixed64(&out, h->size);
  }
  util::put_fixed32(&out, footer.format_version);
  util::put_fixed32(&out, crc32c::mask(crc32c::value(out)));
  out.append(kTableMagic);
  return out;
}

Result<Footer> decode_footer(std::string_view file, std::string_view file_name) {
  if (file.size() < kFooterSize) {
    return Status::corruption(file_name, 0,
                              "file is " + std::to_string(file.size()) +
                                  " bytes, too short for the 64-byte table footer");
  }
  const std::uint64_t footer_offset = file.size() - kFooterSize;
  const std::string_view f = file.substr(footer_offset);
  if (f.substr(kFooterMagicPos) != kTableMagic) {
    return Status::corruption(file_name, footer_offset + kFooterMagicPos,
                              "bad table magic (not a sanddb table)");
  }
  // The checksum goes before the version so that a damaged version field is
  // reported as damage; every format version keeps the footer's size, the
  // checksum's place and what it covers, so a newer file still passes it.
  const std::uint32_t stored_crc = util::decode_fixed32(f.data() + kFooterCrcPos);
  if (crc32c::unmask(stored_crc) != crc32c::value(f.data(), kFooterCrcPos)) {
    return Status::corruption(file_name, footer_offset, "table footer checksum mismatch");
  }
  Footer footer;
  footer.format_version = util::decode_fixed32(f.data() + kFooterVersionPos);
  if (footer.format_version < kFormatVersionInline ||
      footer.format_version > kFormatVersionCompressedRefs) {
    return Status::corruption(
        file_name, footer_offset + kFooterVersionPos,
        "unsupported table format version " + std::to_string(footer.format_version));
  }
  BlockHandle* handles[] = {&footer.filter, &footer.index, &footer.properties};
  for (int i = 0; i < 3; ++i) {
    handles[i]->offset = util::decode_fixed64(f.data() + 16 * i);
    handles[i]->size = util::decode_fixed64(f.data() + 16 * i + 8);
  }
  const bool filter_ok = footer.filter.is_null() || block_fits(footer.filter, footer_offset);
  if (!filter_ok || !block_fits(footer.index, footer_offset) ||
      !block_fits(footer.properties, footer_offset)) {
    return Status::corruption(file_name, footer_offset, "table footer block handle out of bounds");
  }
  return footer;
}

Compression compress_block(std::string_view raw, Compression compression, std::string* scratch,
                           std::string_view* stored) {
  *stored = raw;
  if (compression != Compression::kLz4 || raw.empty() || raw.size() > kMaxUncompressedBlockSize) {
    return Compression::kNone;
  }
  const int raw_size = static_cast<int>(raw.size());
  scratch->clear();
  util::put_varint32(scratch, static_cast<std::uint32_t>(raw.size()));
  const std::size_t header = scratch->size();
  scratch->resize(header + static_cast<std::size_t>(LZ4_compressBound(raw_size)));
  const int n = LZ4_compress_default(raw.data(), scratch->data() + header, raw_size,
                                     static_cast<int>(scratch->size() - header));
  if (n <= 0) return Compression::kNone;
  scratch->resize(header + static_cast<std::size_t>(n));
  // Compression must pay for the decompression it costs every read.
  if (scratch->size() > raw.size() - raw.size() / 8) return Compression::kNone;
  *stored = *scratch;
  return Compression::kLz4;
}

std::string block_trailer(std::string_view stored, Compression type) {
  std::string out;
  out.reserve(kBlockTrailerSize);
  out.push_back(static_cast<char>(type));
  util::put_fixed32(&out, trailer_crc(stored, out[0]));
  return out;
}

Result<BlockContents> read_block(std::string_view region, std::string_view file_name,
                                 const BlockHandle& handle, bool verify_checksum) {
  if (!block_fits(handle, region.size())) {
    return Status::corruption(
        file_name, handle.offset,
        "block of " + std::to_string(handle.size) + " bytes runs past the end of its region");
  }
  const std::string_view stored = region.substr(handle.offset, handle.size);
  const char* trailer = stored.data() + stored.size();
  if (verify_checksum && util::decode_fixed32(trailer + 1) != trailer_crc(stored, trailer[0])) {
    return Status::corruption(file_name, handle.offset, "block checksum mismatch");
  }
  switch (static_cast<unsigned char>(trailer[0])) {
    case static_cast<unsigned char>(Compression::kNone):
      return BlockContents{stored, nullptr};
    case static_cast<unsigned char>(Compression::kLz4): {
      std::string_view in = stored;
      std::uint32_t raw_size = 0;
      if (!util::get_varint32(&in, &raw_size)) {
        return Status::corruption(file_name, handle.offset, "bad uncompressed size in LZ4 block");
      }
      if (raw_size > kMaxUncompressedBlockSize) {
        return Status::corruption(file_name, handle.offset,
                                  "LZ4 block claims " + std::to_string(raw_size) +
                                      " uncompressed bytes, over the 64 MiB limit");
      }
      // No valid payload for a block within the limit is larger than this;
      // the check also keeps the size within LZ4's int arguments.
      if (in.size() > static_cast<std::size_t>(
                          LZ4_compressBound(static_cast<int>(kMaxUncompressedBlockSize)))) {
        return Status::corruption(file_name, handle.offset, "LZ4 block payload too large");
      }
      // An LZ4 block grows at most 255-fold (a match-length byte adds 255),
      // so a bigger claim is damage; refusing it keeps a few corrupt bytes
      // from costing a 64 MiB allocation.
      if (raw_size > kMaxLz4Expansion * in.size()) {
        return Status::corruption(file_name, handle.offset,
                                  "LZ4 block claims " + std::to_string(raw_size) +
                                      " uncompressed bytes from a " + std::to_string(in.size()) +
                                      "-byte payload");
      }
      auto out = std::make_shared<BlockBuffer>(raw_size);
      const int n = LZ4_decompress_safe(in.data(), out->data(), static_cast<int>(in.size()),
                                        static_cast<int>(raw_size));
      if (n < 0 || static_cast<std::uint32_t>(n) != raw_size) {
        return Status::corruption(file_name, handle.offset, "LZ4 block does not decompress");
      }
      std::shared_ptr<const BlockBuffer> owned = std::move(out);
      return BlockContents{owned->view(), owned};
    }
    default:
      return Status::corruption(file_name, handle.offset,
                                "unknown block compression type " +
                                    std::to_string(static_cast<unsigned char>(trailer[0])));
  }
}

}  // namespace sand::table
