// WAL replay and creation.
#include "wal/wal_file.hpp"

#include "wal/record_reader.hpp"
#include "wal/write_batch_codec.hpp"

namespace sand::wal {
namespace {

using ReplayFn = std::function<Status(std::string_view rep, std::uint64_t offset)>;

Result<ReplayStats> replay_records(RecordReader& reader, std::string_view file_name,
                                   const ReplayFn& fn, Version previous_version) {
  ReplayStats stats;
  Version previous = previous_version;
  for (;;) {
    SAND_ASSIGN_OR_RETURN(std::optional<LogRecord> record, reader.next());
    if (!record) break;
    const std::string_view rep = record->payload;
    if (stats.sealed) {
      return Status::corruption(file_name, record->offset, "record after the WAL's seal");
    }
    if (rep.empty()) {
      stats.sealed = true;
      continue;
    }
    if (rep.size() < kWriteBatchHeaderSize) {
      return Status::corruption(file_name, record->offset,
                                "WAL record of " + std::to_string(rep.size()) +
                                    " bytes is shorter than a write batch header");
    }
    // The checksum was good, so a bad version is a writer bug or a file
    // spliced from elsewhere; either way replaying it would break the rule
    // that versions never repeat.
    const Version v = WriteBatchAccess::version(rep);
    if (v == 0 || v > kMaxVersion) {
      return Status::corruption(file_name, record->offset,
                                "record version " + std::to_string(v) + " is out of range");
    }
    if (v <= previous) {
      return Status::corruption(file_name, record->offset,
                                "record version " + std::to_string(v) +
                                    " is not greater than the previous version " +
                                    std::to_string(previous));
    }
    previous = v;
    SAND_RETURN_IF_ERROR(fn(rep, record->offset));
    ++stats.records;
  }
  stats.valid_end = reader.valid_end();
  stats.torn_tail = reader.torn_tail();
  stats.tail_error = reader.tail_error();
  return stats;
}

}  // namespace

Result<ReplayStats> replay(std::string_view contents, std::string_view file_name,
                           std::uint64_t wal_number, bool point_in_time, const ReplayFn& fn,
                           Version previous_version) {
  SAND_ASSIGN_OR_RETURN(RecordReader reader, RecordReader::open(contents, std::string(file_name),
                                                                LogKind::kWal, point_in_time));
  // A torn header (no records) carries no id to check.
  if (!reader.torn_tail() && reader.log_id() != wal_number) {
    return Status::corruption(file_name, kHeaderLogIdOffset,
                              "WAL header names log " + std::to_string(reader.log_id()) + ", not " +
                                  std::to_string(wal_number) + " as its file name");
  }
  return replay_records(reader, file_name, fn, previous_version);
}

Result<ReplayStats> replay_from(std::string_view rest, std::uint64_t base_offset,
                                std::string_view file_name, std::uint64_t wal_number,
                                bool point_in_time, const ReplayFn& fn, Version previous_version) {
  RecordReader reader =
      RecordReader::resume(rest, base_offset, std::string(file_name), wal_number, point_in_time);
  return replay_records(reader, file_name, fn, previous_version);
}

Status append_seal(RecordWriter& wal) { return wal.add_record(std::string_view()); }

std::string missing_wal(Version last, Version first) {
  return "the WAL holding versions " + std::to_string(last + 1) + " to " +
         std::to_string(first - 1);
}

std::string version_gap_problem(Version last, Version first) {
  return "record version " + std::to_string(first) + " does not follow version " +
         std::to_string(last) + ": " + missing_wal(last, first) + " is missing";
}

bool may_hold_records(std::string_view contents) {
  return written_size(contents) > kFileHeaderSize;
}

Result<std::unique_ptr<RecordWriter>> create_wal(FileSystem& fs, const std::string& path,
                                                 std::uint64_t wal_number, bool compressed_puts) {
  SAND_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs.new_log_file(path));
  return RecordWriter::create(std::move(file), LogKind::kWal,
                              compressed_puts ? kWalCompressedFormatVersion : kLogFormatVersion,
                              wal_number);
}

}  // namespace sand::wal
