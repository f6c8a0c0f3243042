// ArchiveWriter: header, chunks, trailer (spec/archive.md sections 2-5).
#include "archive/archive_writer.hpp"

#include <algorithm>
#include <ostream>

#include "archive/archive_format.hpp"
#include "util/coding.hpp"
#include "util/crc32c.hpp"

namespace sand::archive {
namespace {

// CRC32C of the 4 little-endian bytes of `chain` followed by `bytes`.
std::uint32_t chained_crc(std::uint32_t chain, std::string_view bytes) {
  char prefix[4];
  util::encode_fixed32(prefix, chain);
  return crc32c::extend(crc32c::value(prefix, 4), bytes.data(), bytes.size());
}

std::size_t shared_prefix(std::string_view a, std::string_view b) {
  const auto [ia, ib] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return static_cast<std::size_t>(ia - a.begin());
}

}  // namespace

ArchiveWriter::ArchiveWriter(std::ostream& out, std::string name, std::size_t chunk_size,
                             ChunkWritten on_chunk)
    : out_(out),
      name_(std::move(name)),
      chunk_size_(std::min(chunk_size, kMaxChunkTarget)),
      on_chunk_(std::move(on_chunk)) {
  payload_.reserve(chunk_size_ + 64);
}

Status ArchiveWriter::write(std::string_view bytes) {
  if (!status_.is_ok()) return status_;
  out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out_) {
    status_ = Status::io_error(name_ + ": write failed at offset " + std::to_string(bytes_));
    return status_;
  }
  bytes_ += bytes.size();
  return Status::ok();
}

Status ArchiveWriter::begin(Version last_version, Version mark) {
  std::string header(kMagic);
  util::put_fixed32(&header, kFormatVersion);
  util::put_fixed32(&header, 0);  // flags: none defined in version 1
  util::put_fixed64(&header, last_version);
  util::put_fixed64(&header, mark);
  const std::uint32_t crc = crc32c::value(header);
  util::put_fixed32(&header, crc32c::mask(crc));
  chain_ = crc;
  return write(header);
}

Status ArchiveWriter::add(std::string_view user_key, Version version, EntryKind kind,
                          std::string_view value) {
  if (!status_.is_ok()) return status_;
  const std::size_t shared = chunk_entries_ == 0 ? 0 : shared_prefix(last_key_, user_key);
  util::put_varint32(&payload_, static_cast<std::uint32_t>(shared));
  util::put_varint32(&payload_, static_cast<std::uint32_t>(user_key.size() - shared));
  payload_.append(user_key.substr(shared));
  util::put_varint64(&payload_, pack_trailer(version, static_cast<std::uint8_t>(kind)));
  if (kind == EntryKind::kPut) util::put_length_prefixed(&payload_, value);
  last_key_.assign(user_key);
  ++chunk_entries_;
  ++entries_;
  if (payload_.size() >= chunk_size_) return flush_chunk();
  return Status::ok();
}

Status ArchiveWriter::flush_chunk() {
  if (chunk_entries_ == 0) return Status::ok();
  std::string header;
  util::put_fixed32(&header, static_cast<std::uint32_t>(payload_.size()));
  util::put_fixed32(&header, chunk_entries_);
  util::put_fixed32(&header, crc32c::mask(chained_crc(chain_, header)));
  const std::uint32_t payload_crc = crc32c::value(payload_);
  std::string tail;
  util::put_fixed32(&tail, crc32c::mask(payload_crc));
  SAND_RETURN_IF_ERROR(write(header));
  SAND_RETURN_IF_ERROR(write(payload_));
  SAND_RETURN_IF_ERROR(write(tail));
  chain_ = payload_crc;
  ++chunks_;
  payload_.clear();
  chunk_entries_ = 0;
  if (on_chunk_) on_chunk_(entries_, bytes_);
  return Status::ok();
}

Status ArchiveWriter::finish() {
  SAND_RETURN_IF_ERROR(flush_chunk());
  std::string trailer;
  util::put_fixed32(&trailer, kTrailerMarker);
  util::put_fixed64(&trailer, entries_);
  util::put_fixed64(&trailer, chunks_);
  util::put_fixed32(&trailer, crc32c::mask(chained_crc(chain_, trailer)));
  SAND_RETURN_IF_ERROR(write(trailer));
  if (on_chunk_) on_chunk_(entries_, bytes_);
  return Status::ok();
}

}  // namespace sand::archive
