// ValueLogWriter: one new value log (`NNNNNN.val`, spec/values.md "Value
// logs"): where compaction moves the still-referenced values of a mostly-dead
// value file, so that file can go. One value per record, in the log framing
// of the WAL and manifest (wal/record_writer.hpp), so every byte is covered
// by a record checksum as well as by the references' XXH3-64.
//
// Crash ordering: finish() syncs and closes the file; the caller syncs the
// directory before a manifest edit names it (until then it is an orphan the
// next open removes).
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "manifest/edit.hpp"
#include "sand/file_system.hpp"
#include "value/value_ref.hpp"
#include "wal/record_writer.hpp"

namespace sand::value {

class ValueLogWriter {
 public:
  // Creates value log `number` at `path` and writes its header (not synced).
  // Errors: IOError.
  static Result<std::unique_ptr<ValueLogWriter>> create(FileSystem& fs, const std::string& path,
                                                        std::uint64_t number);

  // Appends `value` as one record and returns the reference to its bytes.
  // Errors: IOError (sticky, the record writer's).
  Result<ValueRef> add(std::string_view value);

  // Bytes in the file so far, header included.
  std::uint64_t size() const { return log_->size(); }

  // Syncs and closes the file; returns what the manifest records for it
  // (tag 10, kind 1; value_bytes: the bytes of every value added). Errors:
  // IOError.
  Result<manifest::ValueFileMeta> finish();

 private:
  ValueLogWriter(std::unique_ptr<wal::RecordWriter> log, std::uint64_t number)
      : log_(std::move(log)), number_(number) {}

  const std::unique_ptr<wal::RecordWriter> log_;
  const std::uint64_t number_;
  std::uint64_t value_bytes_ = 0;
};

}  // namespace sand::value
