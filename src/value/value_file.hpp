// ValueFile: a file that values are read from by reference (spec/values.md):
// a WAL whose records hold large values, from the moment its batches are in
// the memtable until compaction has dropped every reference to it.
//
// Reads come from a mapping of the file. The active WAL keeps growing while
// it is mapped, so a reference past the mapped end maps the file again (the
// POSIX WAL grows in preallocated 1 MiB windows, so that is rare). The
// mapping is opened on the first read, not before: most value files of a
// large database are never read by a given process.
//
// Lifetime, like LiveTable's (db/read_view.hpp): once the manifest edit that
// retires the file is durable, `obsolete` is set, and the destructor deletes
// the file when the last view holding it lets go.
//
// Thread-safety: read() from any thread; the mapping is swapped under mu_
// and each read holds a reference to the mapping it reads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sand/file_system.hpp"
#include "sand/status.hpp"
#include "util/mutex.hpp"
#include "value/value_ref.hpp"

namespace sand::value {

class ValueFile {
 public:
  ValueFile(std::shared_ptr<FileSystem> fs, std::string path, std::uint64_t number)
      : fs_(std::move(fs)), path_(std::move(path)), number_(number) {}
  ~ValueFile();
  ValueFile(const ValueFile&) = delete;
  ValueFile& operator=(const ValueFile&) = delete;

  // Sets *out to the value `ref` names: the `ref.size` bytes at
  // `ref.offset`, after checking them against `ref.checksum`, decompressed
  // when the reference says they are compressed. REQUIRES: ref.file ==
  // number(). Errors, each naming path(): Corruption when the file is
  // missing, and naming the reference's offset too, when the reference
  // reaches past the file's end, the bytes do not match the checksum, or a
  // compressed value does not decompress to exactly `ref.raw_size` bytes;
  // IOError when the file cannot be mapped.
  Status read(const ValueRef& ref, std::string* out) const;

  // Asks the kernel to read [begin, end) of the file ahead of a reader
  // (ReadAhead), within what is mapped already. A hint: nothing is read or
  // checked here.
  void will_need(std::uint64_t begin, std::uint64_t end) const;

  // The stored bytes, checked but never decompressed: what compaction copies
  // when it moves a value (the copy keeps `ref.raw_size`). Errors as read().
  Status read_stored(const ValueRef& ref, std::string* out) const;

  // The file's length once it is known to stop growing (a WAL kept as a
  // value file: the size its manifest record gives). A reference past it is
  // then refused without touching the mapping, which may still be the
  // larger, preallocated one from before the writer trimmed the file:
  // reading beyond a trimmed end would fault (SIGBUS).
  void set_size(std::uint64_t size) const { size_.store(size, std::memory_order_relaxed); }

  // Maps the file now rather than at the first read: a read-only process
  // does so for every value file its state names, so that the writer may
  // delete one afterwards (a mapping outlives the name). Errors: NotFound
  // (missing), IOError.
  Status map_now() const;

  const std::string& path() const { return path_; }
  std::uint64_t number() const { return number_; }

  // Set once the manifest edit that retires this file is durable; the
  // destructor then deletes it.
  mutable std::atomic<bool> obsolete{false};

 private:
  // The checked stored bytes `ref` names, in the mapping *hold keeps alive.
  Result<std::string_view> checked_bytes(const ValueRef& ref,
                                         std::shared_ptr<const ReadableFile>* hold) const;
  // The current mapping, remapped when `end` lies past it.
  Result<std::shared_ptr<const ReadableFile>> mapping_covering(std::uint64_t end) const;

  const std::shared_ptr<FileSystem> fs_;
  const std::string path_;
  const std::uint64_t number_;
  mutable std::atomic<std::uint64_t> size_{UINT64_MAX};  // set_size(), or unknown
  mutable Mutex mu_;
  mutable std::shared_ptr<const ReadableFile> map_ SAND_GUARDED_BY(mu_);
};

}  // namespace sand::value
