// ValueLogWriter: values appended as log records, then synced and closed.
#include "value/value_log_writer.hpp"

namespace sand::value {

Result<std::unique_ptr<ValueLogWriter>> ValueLogWriter::create(FileSystem& fs,
                                                               const std::string& path,
                                                               std::uint64_t number) {
  SAND_ASSIGN_OR_RETURN(auto file, fs.new_writable_file(path));
  SAND_ASSIGN_OR_RETURN(
      auto log, wal::RecordWriter::create(std::move(file), wal::LogKind::kValueLog, number));
  return std::unique_ptr<ValueLogWriter>(new ValueLogWriter(std::move(log), number));
}

Result<ValueRef> ValueLogWriter::add(std::string_view value) {
  // The value's bytes start right after the record header.
  const ValueRef ref{.file = number_,
                     .offset = log_->size() + wal::kRecordHeaderSize,
                     .size = value.size(),
                     .checksum = value_checksum(value)};
  SAND_RETURN_IF_ERROR(log_->add_record(value));
  value_bytes_ += value.size();
  return ref;
}

Result<manifest::ValueFileMeta> ValueLogWriter::finish() {
  const std::uint64_t size = log_->size();
  SAND_RETURN_IF_ERROR(log_->sync());
  SAND_RETURN_IF_ERROR(log_->close());
  return manifest::ValueFileMeta{.number = number_,
                                 .kind = manifest::ValueFileKind::kValueLog,
                                 .size = size,
                                 .value_bytes = value_bytes_};
}

}  // namespace sand::value
