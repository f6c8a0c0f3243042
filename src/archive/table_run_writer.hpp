// TableRunWriter: entries already in internal-key order become one sorted
// run of level-2 tables, numbered from `first_number` up, each cut once it
// reaches target_file_size and only between two user keys, so every version
// of a key lies in one table (the rule of a run, spec/README.md "Levels and
// sorted runs"). No sorting and no merging: each entry is appended once.
//
// Each table is synced and closed when it is finished (TableFileWriter);
// the caller syncs the directory before a manifest names them.
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/table_file_writer.hpp"
#include "manifest/edit.hpp"
#include "sand/file_system.hpp"
#include "sand/options.hpp"
#include "util/internal_key.hpp"

namespace sand::archive {

class TableRunWriter {
 public:
  TableRunWriter(FileSystem& fs, std::string dir, const Options& options,
                 std::uint64_t first_number);

  // REQUIRES: entries in strictly increasing internal-key order.
  // Errors: IOError.
  Status add(std::string_view user_key, Version version, EntryKind kind, std::string_view value);
  // Finishes the last table; the metadata of every table, in key order.
  // Errors: IOError.
  Result<std::vector<manifest::TableMeta>> finish();
  // The number after the last table written: the database's next_file_number.
  std::uint64_t next_number() const { return next_number_; }

 private:
  Status finish_table();

  FileSystem& fs_;
  const std::string dir_;
  const Options& options_;
  std::uint64_t next_number_;
  std::unique_ptr<TableFileWriter> table_;
  std::string last_user_key_;
  std::string internal_key_;  // scratch
  std::vector<manifest::TableMeta> done_;
};

}  // namespace sand::archive
