// RecordReader: the torn-tail and corruption rules of spec/wal.md.
#include "wal/record_reader.hpp"

#include <algorithm>

#include "util/coding.hpp"
#include "util/crc32c.hpp"

namespace sand::wal {

RecordReader::RecordReader(std::string_view contents, std::string file_name, bool point_in_time)
    : contents_(contents), file_name_(std::move(file_name)), point_in_time_(point_in_time) {}

Result<RecordReader> RecordReader::open(std::string_view contents, std::string file_name,
                                        LogKind kind, bool point_in_time) {
  RecordReader reader(contents, std::move(file_name), point_in_time);
  const std::string_view name = reader.file_name_;
  // A crash between creating the file and writing its header leaves it
  // empty, cut short, or (after the file system extended it, or a writer
  // preallocated it) zero-filled after what was written. The header is one
  // append, so a short start that matches, followed only by zeros, is that
  // too (rule H1 looks at the file without its trailing zeros).
  const std::string_view written = contents.substr(0, written_size(contents));
  // Only a prefix a writer creates now can be cut short by a crash (rule
  // H1): an older version's header was written whole long ago, so a cut one
  // is damage (H2-H6 report it). A WAL writer creates two: version 2, and
  // version 3 when it compresses values.
  auto starts_a_header = [&] {
    auto matches = [&](std::uint32_t version) {
      const std::string prefix = log_header_prefix(kind, version);
      return written.substr(0, kHeaderPrefixSize) ==
             std::string_view(prefix).substr(0, std::min(written.size(), kHeaderPrefixSize));
    };
    return matches(log_format_version(kind)) ||
           (kind == LogKind::kWal && matches(kWalCompressedFormatVersion));
  };
  if (written.empty() || (written.size() < kFileHeaderSize && starts_a_header())) {
    reader.stop_torn(0);
    return reader;
  }
  const std::string_view magic = log_magic(kind);
  if (contents.substr(0, magic.size()) !=
      magic.substr(0, std::min(magic.size(), contents.size()))) {
    return Status::corruption(
        name, 0, "bad magic: not a sanddb " + std::string(log_kind_name(kind)) + " file");
  }
  if (contents.size() < kHeaderPrefixSize) {
    return Status::corruption(
        name, kHeaderVersionOffset,
        "truncated file header of " + std::to_string(contents.size()) + " bytes");
  }
  const std::uint32_t stored_crc = util::decode_fixed32(contents.data() + kHeaderCrcOffset);
  if (stored_crc != crc32c::mask(crc32c::value(contents.data(), kHeaderCrcOffset))) {
    return Status::corruption(name, kHeaderCrcOffset, "file header checksum mismatch");
  }
  // Checked after the checksum so that a damaged version field reads as
  // damage, not as a file from another version.
  const std::uint32_t version = util::decode_fixed32(contents.data() + kHeaderVersionOffset);
  if (!log_version_readable(kind, version)) {
    return Status::corruption(name, kHeaderVersionOffset,
                              "unsupported " + std::string(log_kind_name(kind)) +
                                  " format version " + std::to_string(version));
  }
  if (contents.size() < kFileHeaderSize) {  // unreachable: a torn header above
    return Status::corruption(
        name, kHeaderLogIdOffset,
        "truncated file header of " + std::to_string(contents.size()) + " bytes");
  }
  const std::uint32_t id_crc = util::decode_fixed32(contents.data() + kHeaderLogIdCrcOffset);
  if (id_crc != crc32c::mask(crc32c::value(contents.data() + kHeaderLogIdOffset, 8))) {
    return Status::corruption(name, kHeaderLogIdCrcOffset, "file header checksum mismatch");
  }
  reader.log_id_ = util::decode_fixed64(contents.data() + kHeaderLogIdOffset);
  reader.format_version_ = version;
  reader.pos_ = kFileHeaderSize;
  reader.valid_end_ = kFileHeaderSize;
  return reader;
}

RecordReader RecordReader::resume(std::string_view rest, std::uint64_t base_offset,
                                  std::string file_name, std::uint64_t log_id, bool point_in_time) {
  RecordReader reader(rest, std::move(file_name), point_in_time);
  reader.base_ = base_offset;
  reader.valid_end_ = base_offset;
  reader.log_id_ = log_id;
  return reader;
}

void RecordReader::stop_torn(std::uint64_t offset) {
  done_ = true;
  torn_tail_ = true;
  valid_end_ = base_ + offset;
}

bool RecordReader::good_record_after(std::uint64_t from) const {
  // A byte-by-byte search: a damaged length gives no hint where the next
  // record starts. It runs only on damaged files and on the torn tail of a
  // log being appended to or left by a crash. An all-zero record header is
  // never good (an empty payload's crc is not 0; spec/wal.md rule R4), so
  // the search ends where the last nonzero byte's header would start: the
  // zeros a preallocating writer leaves (up to a window) cost one scan.
  const std::string_view bytes = contents_;
  const std::uint64_t nonzero_end = written_size(bytes);  // past the last nonzero byte
  for (std::uint64_t y = from; y < nonzero_end && y + kRecordHeaderSize <= bytes.size(); ++y) {
    const char* header = bytes.data() + y;
    if (!record_header_ok(header, log_id_)) continue;
    const std::uint64_t length = record_length(header);
    if (length > bytes.size() - y - kRecordHeaderSize) continue;
    if (record_payload_ok(header, bytes.substr(y + kRecordHeaderSize, length))) return true;
  }
  return false;
}

Result<std::optional<LogRecord>> RecordReader::damaged(std::uint64_t x, std::uint64_t search_from,
                                                       std::string what) {
  // Appends only ever add at the end, so damage with a good record behind it
  // cannot be a cut-short append: it is damage to acknowledged data.
  if (!good_record_after(search_from)) {
    stop_torn(x);
    return std::optional<LogRecord>();
  }
  Status corrupt = Status::corruption(file_name_, base_ + x, std::move(what));
  if (point_in_time_) {
    stop_torn(x);
    tail_error_ = std::move(corrupt);
    return std::optional<LogRecord>();
  }
  done_ = true;
  valid_end_ = base_ + x;
  return corrupt;
}

Result<std::optional<LogRecord>> RecordReader::next() {
  if (done_) return std::optional<LogRecord>();
  const std::uint64_t x = pos_;
  const std::uint64_t left = contents_.size() - x;
  if (left == 0) {
    done_ = true;
    return std::optional<LogRecord>();
  }
  // R1: not even a header fits, so no good record can follow either.
  if (left < kRecordHeaderSize) {
    stop_torn(x);
    return std::optional<LogRecord>();
  }
  const char* header = contents_.data() + x;
  if (!record_header_ok(header, log_id_)) {
    return damaged(x, x + 1, "record header checksum mismatch");
  }
  const std::uint32_t length = record_length(header);
  // R2: the header is proven, so the length is real: an append cut short.
  if (length > left - kRecordHeaderSize) {
    stop_torn(x);
    return std::optional<LogRecord>();
  }
  const std::string_view payload = contents_.substr(x + kRecordHeaderSize, length);
  const std::uint64_t end = x + kRecordHeaderSize + length;
  // The proven length says where this record ends, so bytes inside its
  // payload (which may be anything, even a framed record) are not searched.
  if (!record_payload_ok(header, payload)) {
    return damaged(x, end, "record payload checksum mismatch");
  }
  pos_ = end;
  valid_end_ = base_ + end;
  return std::optional<LogRecord>(LogRecord{.offset = base_ + x, .payload = payload});
}

Result<LogContents> read_log(std::string_view contents, std::string_view file_name, LogKind kind,
                             bool point_in_time) {
  SAND_ASSIGN_OR_RETURN(RecordReader reader,
                        RecordReader::open(contents, std::string(file_name), kind, point_in_time));
  LogContents out;
  for (;;) {
    SAND_ASSIGN_OR_RETURN(std::optional<LogRecord> record, reader.next());
    if (!record) break;
    out.records.push_back(*record);
  }
  out.valid_end = reader.valid_end();
  out.torn_tail = reader.torn_tail();
  out.tail_error = reader.tail_error();
  return out;
}

}  // namespace sand::wal
