// `sand dump val` (cli/dump_value_log.hpp).
#include "cli/dump_value_log.hpp"

#include <optional>
#include <string>

#include "cli/dump_log.hpp"
#include "db/filenames.hpp"
#include "value/value_ref.hpp"
#include "wal/log_format.hpp"
#include "wal/record_reader.hpp"

namespace sand::cli {

Status dump_value_log(std::string_view contents, std::string_view file_name, DumpSink& sink) {
  SAND_ASSIGN_OR_RETURN(
      wal::RecordReader reader,
      wal::RecordReader::open(contents, std::string(file_name), wal::LogKind::kValueLog, false));
  if (const std::optional<Json> header = log_header_record(contents, reader, sink)) {
    sink.emit(*header);
  }
  // A torn header carries no id to check; a file not named like a value
  // log is checked against its own log id only.
  const std::optional<std::uint64_t> number = number_in_path(file_name, FileType::kValueLog);
  if (!reader.torn_tail() && number && reader.log_id() != *number) {
    return Status::corruption(file_name, wal::kHeaderLogIdOffset,
                              "value log header names log " + std::to_string(reader.log_id()) +
                                  ", not " + std::to_string(*number) + " as its file name");
  }
  for (;;) {
    SAND_ASSIGN_OR_RETURN(const std::optional<wal::LogRecord> record, reader.next());
    if (!record) break;
    Json value = log_record("value", contents, record->offset);
    // What a value reference to this value holds (spec/values.md section 1).
    value["value_offset"] = record->offset + wal::kRecordHeaderSize;
    value["checksum"] = value::value_checksum(record->payload);
    value["value"] = sink.bytes(record->payload);
    sink.emit(value);
  }
  sink.emit(log_end_record(contents.size(), reader.valid_end(), reader.torn_tail()));
  return Status::ok();
}

}  // namespace sand::cli
