// RecordReader: the torn-tail and corruption rules of spec/wal.md.
#include "wal/record_reader.hpp"

#include <algorithm>

#include "util/coding.hpp"
#include "util/crc32c.hpp"

namespace sand::wal {
namespace {

bool all_zero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

}  // namespace

RecordReader::RecordReader(std::string_view contents, std::string file_name, bool point_in_time)
    : contents_(contents), file_name_(std::move(file_name)), point_in_time_(point_in_time) {}

Result<RecordReader> RecordReader::open(std::string_view contents, std::string file_name,
                                        LogKind kind, bool point_in_time) {
  RecordReader reader(contents, std::move(file_name), point_in_time);
  const std::string expected = log_file_header(kind);
  const std::string_view name = reader.file_name_;
  // A crash between creating the file and writing its header leaves it
  // empty, cut short, or (after the file system extended it) zero-filled.
  if (all_zero(contents) || (contents.size() < kFileHeaderSize && expected.starts_with(contents))) {
    reader.stop_torn(0);
    return reader;
  }
  const std::string_view magic = log_magic(kind);
  if (contents.substr(0, magic.size()) !=
      magic.substr(0, std::min(magic.size(), contents.size()))) {
    return Status::corruption(
        name, 0, "bad magic: not a sanddb " + std::string(log_kind_name(kind)) + " file");
  }
  if (contents.size() < kFileHeaderSize) {
    return Status::corruption(
        name, kHeaderVersionOffset,
        "truncated file header of " + std::to_string(contents.size()) + " bytes");
  }
  const std::uint32_t stored_crc = util::decode_fixed32(contents.data() + kHeaderCrcOffset);
  if (stored_crc != crc32c::mask(crc32c::value(contents.data(), kHeaderCrcOffset))) {
    return Status::corruption(name, kHeaderCrcOffset, "file header checksum mismatch");
  }
  // Checked after the checksum so that a damaged version field reads as
  // damage, not as a file from the future.
  const std::uint32_t version = util::decode_fixed32(contents.data() + kHeaderVersionOffset);
  if (version != kLogFormatVersion) {
    return Status::corruption(name, kHeaderVersionOffset,
                              "unsupported " + std::string(log_kind_name(kind)) +
                                  " format version " + std::to_string(version));
  }
  reader.pos_ = kFileHeaderSize;
  reader.valid_end_ = kFileHeaderSize;
  return reader;
}

RecordReader RecordReader::resume(std::string_view rest, std::uint64_t base_offset,
                                  std::string file_name, bool point_in_time) {
  RecordReader reader(rest, std::move(file_name), point_in_time);
  reader.base_ = base_offset;
  reader.valid_end_ = base_offset;
  return reader;
}

void RecordReader::stop_torn(std::uint64_t offset) {
  done_ = true;
  torn_tail_ = true;
  valid_end_ = base_ + offset;
}

Result<std::optional<LogRecord>> RecordReader::next() {
  if (done_) return std::optional<LogRecord>();
  const std::uint64_t x = pos_;
  const std::uint64_t left = contents_.size() - x;
  if (left == 0) {
    done_ = true;
    return std::optional<LogRecord>();
  }
  // Rule (a): the record cannot be complete, so its append was cut short.
  if (left < kRecordHeaderSize) {
    stop_torn(x);
    return std::optional<LogRecord>();
  }
  const char* header = contents_.data() + x;
  const std::uint32_t length = util::decode_fixed32(header + 4);
  if (length > left - kRecordHeaderSize) {
    stop_torn(x);
    return std::optional<LogRecord>();
  }
  const std::string_view payload = contents_.substr(x + kRecordHeaderSize, length);
  const std::uint64_t end = x + kRecordHeaderSize + length;
  const bool length_ok = length <= kMaxRecordPayload;
  if (length_ok && util::decode_fixed32(header) == record_crc(header + 4, payload)) {
    pos_ = end;
    valid_end_ = base_ + end;
    return std::optional<LogRecord>(LogRecord{.offset = base_ + x, .payload = payload});
  }
  // Rules (b) and (c): damage confined to the last append is a torn write.
  if (all_zero(contents_.substr(x)) || end == contents_.size()) {
    stop_torn(x);
    return std::optional<LogRecord>();
  }
  // Rule (d): good bytes follow the damage, so this is not a torn write.
  Status corrupt = Status::corruption(
      file_name_, base_ + x,
      length_ok ? std::string("record checksum mismatch")
                : "record length " + std::to_string(length) + " exceeds the 1 GiB limit");
  if (point_in_time_) {
    stop_torn(x);
    tail_error_ = std::move(corrupt);
    return std::optional<LogRecord>();
  }
  done_ = true;
  valid_end_ = base_ + x;
  return corrupt;
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
