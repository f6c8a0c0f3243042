// RecordWriter: appends checksummed, length-prefixed records to a log file
// (a WAL or the manifest; spec/wal.md "Record framing").
//
// Each add_record() / add_records() call is exactly ONE WritableFile::append()
// of header and payload built together. A crash therefore loses, at worst, a
// suffix of what was appended: readers see a torn tail, never a hole. After a
// failed append or sync the file's tail is unknown, so the writer refuses all
// later writes with that first error (appending after garbage would turn a
// torn tail into mid-file corruption).
//
// Thread-safety: one thread at a time (like the WritableFile it owns).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "sand/file_system.hpp"
#include "sand/status.hpp"
#include "util/heap_bytes.hpp"
#include "wal/log_format.hpp"

namespace sand::wal {

class RecordWriter {
  struct Key {  // lets only the factories below construct a writer
    explicit Key() = default;
  };

 public:
  // Takes `file`, which must be empty, and appends the file header for
  // `kind` and log `log_id` (not synced). Every record is then checksummed
  // with `log_id`. Errors: IOError from the append.
  static Result<std::unique_ptr<RecordWriter>> create(std::unique_ptr<WritableFile> file,
                                                      LogKind kind, std::uint64_t log_id);
  // The same with the header's format version given (log_format.hpp).
  static Result<std::unique_ptr<RecordWriter>> create(std::unique_ptr<WritableFile> file,
                                                      LogKind kind, std::uint32_t version,
                                                      std::uint64_t log_id);

  // Takes `file`, which already holds a valid header for `log_id` and ends
  // exactly after its last good record (e.g. a manifest just written whole
  // and reopened), and appends records after it. Writes nothing now.
  static std::unique_ptr<RecordWriter> resume(std::unique_ptr<WritableFile> file,
                                              std::uint64_t log_id);

  RecordWriter(Key, std::unique_ptr<WritableFile> file, std::uint64_t log_id);
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  // Appends one record holding `payload` (empty is fine). The record starts
  // at the size() seen before the call. Errors: InvalidArgument if the
  // payload is over kMaxRecordPayload (nothing written); IOError; the first
  // earlier error, once any append or sync failed.
  Status add_record(std::string_view payload);

  // Appends one record per payload, in order, with a single append() call
  // (group commit). An empty span writes nothing. Errors: as add_record();
  // an over-limit payload fails the whole call before anything is written.
  Status add_records(std::span<const std::string_view> payloads);

  // Makes every appended record durable. Errors: IOError, or an earlier one.
  Status sync();

  // Closes the file; the writer is unusable afterwards. Errors: IOError.
  Status close();

  // Bytes in the file so far, header included.
  std::uint64_t size() const { return file_->size(); }

  // Heap bytes of the buffer kept between appends (each append builds its
  // records in it; one that grew past 1 MiB is released after its append):
  // its capacity plus the terminator, or 0 while it fits in the string
  // object itself.
  std::size_t buffer_bytes() const { return util::heap_bytes(buf_); }

 private:
  // Appends the framing and payload of one record to buf_.
  void frame(std::string_view payload);
  // Appends buf_; remembers a failure.
  Status flush_buffer();

  std::unique_ptr<WritableFile> file_;
  std::uint64_t log_id_;
  std::string buf_;  // reused between records to avoid an allocation each
  Status error_;     // the first failed append/sync; sticky
  bool closed_ = false;
};

}  // namespace sand::wal
