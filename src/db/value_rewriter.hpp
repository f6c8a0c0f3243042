// ValueRewriter: what compaction does with a value reference into a value
// file due for garbage collection (value_gc.hpp): it reads the value (its
// checksum verified), appends it to a new value log and hands back the
// reference to the copy, so the table being written references the copy
// and the due file loses that reference. Logs are cut at `target_size`.
//
// Crash ordering: finish() syncs and closes every log; the caller syncs the
// directory before the manifest edit that adds them (tag 10, kind 1) along
// with the tables that reference them. Until then they are orphans the next
// open removes.
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/edit.hpp"
#include "sand/file_system.hpp"
#include "value/value_files.hpp"
#include "value/value_log_writer.hpp"

namespace sand {

class ValueRewriter {
 public:
  // Moves values out of the files in `due`, reading them from `source` (the
  // value files of the view the compaction reads), into logs in `dir`
  // numbered by `next_file_number()`.
  ValueRewriter(FileSystem& fs, std::string dir, std::set<std::uint64_t> due,
                std::shared_ptr<const value::ValueFiles> source, std::uint64_t target_size,
                std::function<std::uint64_t()> next_file_number);

  // Whether no file is due (rewrite() then never moves anything).
  bool idle() const { return due_.empty(); }
  // The files it moves values out of.
  const std::set<std::uint64_t>& due() const { return due_; }

  // `ref_bytes` is the value of a kind-2 entry. If it points into a due
  // file, copies the value and sets *moved to the copy's encoded reference;
  // returns whether it did. Errors: Corruption (a malformed reference, a
  // value that fails its checksum: never copied), IOError.
  Result<bool> rewrite(std::string_view ref_bytes, std::string* moved);

  // Finishes the current log; returns every log written, in order.
  // Errors: IOError.
  Result<std::vector<manifest::ValueFileMeta>> finish();

  std::uint64_t bytes_moved() const { return bytes_moved_; }

 private:
  FileSystem& fs_;
  const std::string dir_;
  const std::set<std::uint64_t> due_;
  const std::shared_ptr<const value::ValueFiles> source_;
  const std::uint64_t target_size_;
  const std::function<std::uint64_t()> next_file_number_;
  std::unique_ptr<value::ValueLogWriter> log_;
  std::vector<manifest::ValueFileMeta> written_;
  std::string buf_;  // the value being copied, reused
  std::uint64_t bytes_moved_ = 0;
};

}  // namespace sand
