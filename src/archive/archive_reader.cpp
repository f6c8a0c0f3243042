// ArchiveReader: the reader's checklist of spec/archive.md section 6.
#include "archive/archive_reader.hpp"

#include <algorithm>
#include <cstring>
#include <istream>

#include "archive/archive_format.hpp"
#include "util/coding.hpp"
#include "util/compare_bytes.hpp"
#include "util/crc32c.hpp"

namespace sand::archive {
namespace {

std::uint32_t chained_crc(std::uint32_t chain, const char* bytes, std::size_t n) {
  char prefix[4];
  util::encode_fixed32(prefix, chain);
  return crc32c::extend(crc32c::value(prefix, 4), bytes, n);
}

}  // namespace

ArchiveReader::ArchiveReader(std::istream& in, std::string name)
    : in_(in), name_(std::move(name)) {}

Status ArchiveReader::corruption(std::uint64_t offset, const std::string& what) const {
  return Status::corruption(name_, offset, what);
}

Status ArchiveReader::truncated(std::uint64_t offset, std::string_view inside) const {
  return corruption(offset, "truncated archive: the stream ends at offset " +
                                std::to_string(offset_) + ", inside " + std::string(inside));
}

Result<std::size_t> ArchiveReader::read_up_to(char* dst, std::size_t n) {
  std::size_t got = 0;
  while (got < n && in_) {
    in_.read(dst + got, static_cast<std::streamsize>(n - got));
    got += static_cast<std::size_t>(in_.gcount());
  }
  if (in_.bad()) {
    return Status::io_error(name_ + ": read failed at offset " + std::to_string(offset_ + got));
  }
  offset_ += got;
  return got;
}

Result<ArchiveHeader> ArchiveReader::read_header() {
  char h[kHeaderSize];
  SAND_ASSIGN_OR_RETURN(const std::size_t got, read_up_to(h, kHeaderSize));
  // Check the magic on what there is first: a stream that is no archive at
  // all should say so rather than "truncated".
  if (std::string_view(h, std::min(got, kMagic.size())) !=
      kMagic.substr(0, std::min(got, kMagic.size()))) {
    return corruption(0, "bad magic: not a sanddb archive");
  }
  if (got < kHeaderSize) return truncated(0, "the file header");
  const std::uint32_t crc = crc32c::value(h, kHeaderCrcOffset);
  if (crc32c::unmask(util::decode_fixed32(h + kHeaderCrcOffset)) != crc) {
    return corruption(kHeaderCrcOffset, "archive header checksum mismatch");
  }
  const std::uint32_t version = util::decode_fixed32(h + kVersionOffset);
  if (version != kFormatVersion) {
    return corruption(kVersionOffset,
                      "unsupported archive format version " + std::to_string(version));
  }
  const std::uint32_t flags = util::decode_fixed32(h + kFlagsOffset);
  if (flags != 0) return corruption(kFlagsOffset, "unknown archive flags " + std::to_string(flags));
  header_.last_version = util::decode_fixed64(h + kLastVersionOffset);
  header_.low_water_mark = util::decode_fixed64(h + kMarkOffset);
  if (header_.last_version > kMaxVersion) {
    return corruption(kLastVersionOffset, "last_version " + std::to_string(header_.last_version) +
                                              " is above the largest version 2^56-1");
  }
  if (header_.low_water_mark > header_.last_version) {
    return corruption(kMarkOffset, "low_water_mark " + std::to_string(header_.low_water_mark) +
                                       " is above last_version " +
                                       std::to_string(header_.last_version));
  }
  chain_ = crc;
  return header_;
}

// How much of a chunk's payload is read (and allocated) at a time.
constexpr std::size_t kPayloadReadStep = 1 << 20;

Status ArchiveReader::read_frame(bool* end) {
  const std::uint64_t at = offset_;
  char h[kChunkHeaderSize];
  SAND_ASSIGN_OR_RETURN(const std::size_t got, read_up_to(h, 4));
  if (got == 0) return corruption(at, "the archive ends without its trailer");
  if (got < 4) return truncated(at, "a chunk header or the trailer");
  if (util::decode_fixed32(h) == kTrailerMarker) {
    *end = true;
    return read_trailer(at, h);
  }
  SAND_ASSIGN_OR_RETURN(const std::size_t rest, read_up_to(h + 4, kChunkHeaderSize - 4));
  if (rest < kChunkHeaderSize - 4) return truncated(at, "a chunk header");
  if (crc32c::unmask(util::decode_fixed32(h + 8)) != chained_crc(chain_, h, 8)) {
    return corruption(at, "chunk header checksum mismatch");
  }
  const std::uint32_t length = util::decode_fixed32(h);
  chunk_count_ = util::decode_fixed32(h + 4);
  if (length == 0 || length > kMaxChunkPayload) {
    return corruption(at, "chunk payload length " + std::to_string(length) + " outside 1..2^30");
  }
  if (chunk_count_ == 0) return corruption(at, "chunk holds no entry");
  payload_offset_ = offset_;
  // Grow the buffer with the bytes that arrive, a step at a time: the length
  // is only as trustworthy as a checksum anyone can compute, so a crafted
  // header must not make the reader allocate up to 1 GiB for a short stream.
  payload_.clear();
  while (payload_.size() < length) {
    const std::size_t step = std::min<std::size_t>(length - payload_.size(), kPayloadReadStep);
    const std::size_t old_size = payload_.size();
    payload_.resize(old_size + step);
    SAND_ASSIGN_OR_RETURN(const std::size_t body, read_up_to(payload_.data() + old_size, step));
    if (body < step) return truncated(at, "a chunk payload");
  }
  char c[kChunkCrcSize];
  SAND_ASSIGN_OR_RETURN(const std::size_t crc_got, read_up_to(c, kChunkCrcSize));
  if (crc_got < kChunkCrcSize) return truncated(at, "a chunk checksum");
  const std::uint32_t payload_crc = crc32c::value(payload_);
  if (crc32c::unmask(util::decode_fixed32(c)) != payload_crc) {
    return corruption(at, "chunk payload checksum mismatch");
  }
  chain_ = payload_crc;
  ++chunks_;
  pos_ = 0;
  chunk_decoded_ = 0;
  *end = false;
  return Status::ok();
}

Status ArchiveReader::read_trailer(std::uint64_t at, const char* marker) {
  char t[kTrailerSize];
  std::memcpy(t, marker, 4);
  SAND_ASSIGN_OR_RETURN(const std::size_t got, read_up_to(t + 4, kTrailerSize - 4));
  if (got < kTrailerSize - 4) return truncated(at, "the trailer");
  if (crc32c::unmask(util::decode_fixed32(t + 20)) != chained_crc(chain_, t, 20)) {
    return corruption(at, "trailer checksum mismatch");
  }
  const std::uint64_t entries = util::decode_fixed64(t + 4);
  const std::uint64_t chunks = util::decode_fixed64(t + 12);
  if (entries != entries_ || chunks != chunks_) {
    return corruption(at, "trailer counts " + std::to_string(entries) + " entries in " +
                              std::to_string(chunks) + " chunks, the archive holds " +
                              std::to_string(entries_) + " in " + std::to_string(chunks_));
  }
  char extra;
  SAND_ASSIGN_OR_RETURN(const std::size_t after, read_up_to(&extra, 1));
  if (after != 0) return corruption(at + kTrailerSize, "bytes after the archive trailer");
  return Status::ok();
}

Result<bool> ArchiveReader::next() {
  if (done_) return false;
  while (pos_ == payload_.size()) {
    bool end = false;
    SAND_RETURN_IF_ERROR(read_frame(&end));
    if (end) {
      done_ = true;
      payload_.clear();
      pos_ = 0;
      return false;
    }
  }
  SAND_RETURN_IF_ERROR(decode_entry());
  return true;
}

Status ArchiveReader::decode_entry() {
  const std::uint64_t at = payload_offset_ + pos_;
  std::string_view in(payload_);
  in.remove_prefix(pos_);
  std::uint32_t shared = 0, unshared = 0;
  std::uint64_t trailer = 0;
  if (!util::get_varint32(&in, &shared) || !util::get_varint32(&in, &unshared) ||
      in.size() < unshared) {
    return corruption(at, "truncated entry");
  }
  // Keys share a prefix with the previous entry of the same chunk only.
  if (shared > (chunk_decoded_ == 0 ? 0 : key_.size())) {
    return corruption(
        at, "entry shares " + std::to_string(shared) + " bytes with a previous key that has fewer");
  }
  if (std::uint64_t{shared} + unshared > kMaxKeySize) {
    return corruption(at, "key of " + std::to_string(std::uint64_t{shared} + unshared) +
                              " bytes is over the 64 KiB limit");
  }
  std::swap(key_, prev_key_);
  key_.assign(prev_key_, 0, shared);
  key_.append(in.data(), unshared);
  in.remove_prefix(unshared);
  if (!util::get_varint64(&in, &trailer)) return corruption(at, "truncated entry");
  const auto kind = static_cast<std::uint8_t>(trailer & 0xff);
  const Version version = trailer >> 8;
  if (kind != kKindPut && kind != kKindDelete) {
    return corruption(at, "unknown entry kind " + std::to_string(kind));
  }
  if (version == 0 || version > header_.last_version) {
    return corruption(at, "entry version " + std::to_string(version) + " outside 1.." +
                              std::to_string(header_.last_version) + " (last_version)");
  }
  std::string_view value;
  if (kind == kKindPut) {
    std::uint64_t length = 0;
    if (!util::get_varint64(&in, &length)) return corruption(at, "truncated entry");
    if (length > kMaxValueSize) {
      return corruption(at,
                        "value of " + std::to_string(length) + " bytes is over the 256 MiB limit");
    }
    if (in.size() < length) return corruption(at, "truncated entry");
    value = in.substr(0, length);
    in.remove_prefix(length);
  }
  if (have_prev_) {
    const int c = util::compare_bytes(prev_key_, key_);
    if (c > 0 || (c == 0 && version >= prev_version_)) {
      return corruption(at,
                        "entry out of order: not after the previous entry "
                        "(keys ascending, versions descending)");
    }
  }
  pos_ = payload_.size() - in.size();
  ++chunk_decoded_;
  if (chunk_decoded_ == chunk_count_ && pos_ != payload_.size()) {
    return corruption(payload_offset_ + pos_,
                      "bytes after the chunk's " + std::to_string(chunk_count_) + " entries");
  }
  if (pos_ == payload_.size() && chunk_decoded_ != chunk_count_) {
    return corruption(payload_offset_ - kChunkHeaderSize,
                      "chunk holds " + std::to_string(chunk_decoded_) +
                          " entries, its header says " + std::to_string(chunk_count_));
  }
  have_prev_ = true;
  prev_version_ = version;
  ++entries_;
  entry_ = ArchiveEntry{
      .user_key = key_, .version = version, .kind = static_cast<EntryKind>(kind), .value = value};
  return Status::ok();
}

}  // namespace sand::archive
