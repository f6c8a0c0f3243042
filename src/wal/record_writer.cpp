// RecordWriter: one append() per record or group of records.
#include "wal/record_writer.hpp"

namespace sand::wal {
namespace {

// A buffer that once held a huge record is released afterwards, so one
// 256 MiB value does not pin 256 MiB for the writer's lifetime.
constexpr std::size_t kMaxRetainedBuffer = 1 << 20;

Status check_payload_size(std::string_view payload) {
  if (payload.size() > kMaxRecordPayload) {
    return Status::invalid_argument("log record of " + std::to_string(payload.size()) +
                                    " bytes exceeds the 1 GiB record limit");
  }
  return Status::ok();
}

}  // namespace

RecordWriter::RecordWriter(Key, std::unique_ptr<WritableFile> file, std::uint64_t log_id)
    : file_(std::move(file)), log_id_(log_id) {}

Result<std::unique_ptr<RecordWriter>> RecordWriter::create(std::unique_ptr<WritableFile> file,
                                                           LogKind kind, std::uint64_t log_id) {
  return create(std::move(file), kind, log_format_version(kind), log_id);
}

Result<std::unique_ptr<RecordWriter>> RecordWriter::create(std::unique_ptr<WritableFile> file,
                                                           LogKind kind, std::uint32_t version,
                                                           std::uint64_t log_id) {
  auto writer = std::make_unique<RecordWriter>(Key{}, std::move(file), log_id);
  writer->buf_ = log_file_header(kind, version, log_id);
  SAND_RETURN_IF_ERROR(writer->flush_buffer());
  return writer;
}

std::unique_ptr<RecordWriter> RecordWriter::resume(std::unique_ptr<WritableFile> file,
                                                   std::uint64_t log_id) {
  return std::make_unique<RecordWriter>(Key{}, std::move(file), log_id);
}

void RecordWriter::frame(std::string_view payload) {
  char header[kRecordHeaderSize];
  encode_record_header(header, log_id_, payload);
  buf_.append(header, kRecordHeaderSize);
  buf_.append(payload);
}

Status RecordWriter::flush_buffer() {
  Status s = file_->append(buf_);
  buf_.clear();
  if (buf_.capacity() > kMaxRetainedBuffer) std::string().swap(buf_);
  if (!s.is_ok()) error_ = s;
  return s;
}

Status RecordWriter::add_record(std::string_view payload) {
  const std::string_view one[1] = {payload};
  return add_records(one);
}

Status RecordWriter::add_records(std::span<const std::string_view> payloads) {
  if (closed_) return Status::invalid_argument("log writer is closed");
  SAND_RETURN_IF_ERROR(error_);
  if (payloads.empty()) return Status::ok();
  std::size_t total = 0;
  for (std::string_view p : payloads) {
    SAND_RETURN_IF_ERROR(check_payload_size(p));
    total += kRecordHeaderSize + p.size();
  }
  buf_.clear();
  buf_.reserve(total);
  for (std::string_view p : payloads) frame(p);
  return flush_buffer();
}

Status RecordWriter::sync() {
  if (closed_) return Status::invalid_argument("log writer is closed");
  SAND_RETURN_IF_ERROR(error_);
  Status s = file_->sync();
  if (!s.is_ok()) error_ = s;
  return s;
}

Status RecordWriter::close() {
  if (closed_) return Status::ok();
  closed_ = true;
  return file_->close();
}

}  // namespace sand::wal
