// `sand dump wal` (spec/dump.md section 4).
#include "cli/dump_wal.hpp"

#include <optional>
#include <string>

#include "cli/dump_log.hpp"
#include "db/filenames.hpp"
#include "wal/log_format.hpp"
#include "wal/record_reader.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

namespace sand::cli {
namespace {

// One batch record and its operations.
Status dump_batch(std::string_view contents, std::string_view file_name, std::string_view rep,
                  std::uint64_t offset, DumpSink& sink) {
  const Version version = WriteBatchAccess::version(rep);
  Json record = log_record("batch", contents, offset);
  record["version"] = version;
  record["count"] = WriteBatchAccess::count(rep);
  // for_each checks the whole batch before its first callback (rule P5),
  // compressed values included (each block must decompress to its raw
  // size), so a bad batch prints no operation. The operations are then
  // printed as stored: a compressed put's value is its LZ4 block, the bytes
  // on disk.
  SAND_RETURN_IF_ERROR(WriteBatchAccess::for_each(
      rep, file_name, offset, [](EntryKind, std::string_view, std::string_view) {}));
  Json operations = Json::array();
  std::uint64_t index = 0;
  SAND_RETURN_IF_ERROR(
      WriteBatchAccess::for_each_stored(rep, file_name, offset, [&](const BatchOp& stored) {
        const char* kind = stored.compressed()              ? "compressed_put"
                           : stored.kind == EntryKind::kPut ? "put"
                                                            : "delete";
        Json op{{"record", "operation"}, {"batch", offset}, {"index", index++},
                {"version", version},    {"kind", kind},    {"key", sink.bytes(stored.key)}};
        if (stored.compressed()) op["raw_size"] = stored.raw_size;
        if (stored.kind == EntryKind::kPut) op["value"] = sink.bytes(stored.value);
        operations.push_back(std::move(op));
      }));
  sink.emit(record);
  for (const Json& op : operations) sink.emit(op, 1);
  return Status::ok();
}

}  // namespace

Status dump_wal(std::string_view contents, std::string_view file_name, DumpSink& sink) {
  // The header first, with the reader's checks (replay repeats them).
  SAND_ASSIGN_OR_RETURN(
      const wal::RecordReader reader,
      wal::RecordReader::open(contents, std::string(file_name), wal::LogKind::kWal, false));
  if (const std::optional<Json> header = log_header_record(contents, reader, sink)) {
    sink.emit(*header);
  }
  // A file not named like a WAL is checked against its own log id only.
  const std::uint64_t number = number_in_path(file_name, FileType::kWal).value_or(reader.log_id());
  SAND_ASSIGN_OR_RETURN(const wal::ReplayStats stats,
                        wal::replay(contents, file_name, number, false,
                                    [&](std::string_view rep, std::uint64_t offset) {
                                      return dump_batch(contents, file_name, rep, offset, sink);
                                    }));
  if (stats.sealed) {
    // replay() does not pass the seal on; it is the last good record, and
    // empty (rule P7).
    sink.emit(log_record("seal", contents, stats.valid_end - wal::kRecordHeaderSize));
  }
  sink.emit(log_end_record(contents.size(), stats.valid_end, stats.torn_tail));
  return Status::ok();
}

}  // namespace sand::cli
