// TableFileWriter: one new table file of the database, from creation to its
// manifest metadata. Flush and compaction both write tables through it, so
// the table options and the metadata the manifest records are derived in
// one place.
//
// Crash ordering: finish() writes, fsyncs and closes the file; the caller
// fsyncs the directory before a manifest edit names the table (until then
// it is an orphan the next open removes).
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "manifest/edit.hpp"
#include "sand/file_system.hpp"
#include "sand/options.hpp"
#include "table/table_builder.hpp"

namespace sand {

class TableFileWriter {
 public:
  // Creates table file `number` in `dir` for level `level` (and level-1 run
  // `run`). Errors: IOError.
  static Result<std::unique_ptr<TableFileWriter>> create(FileSystem& fs, const std::string& dir,
                                                         std::uint64_t number, int level,
                                                         std::uint64_t run, const Options& options);

  // Adds an entry (internal keys in ascending order); a value reference is
  // tallied for the manifest (TableMeta::value_refs). Errors: IOError (the
  // builder's, sticky); Corruption for a malformed value reference.
  Status add(std::string_view internal_key, std::string_view value);
  std::uint64_t file_size() const { return builder_.file_size(); }

  // Finishes, fsyncs and closes the file. Errors: IOError.
  Result<manifest::TableMeta> finish();

 private:
  TableFileWriter(std::unique_ptr<WritableFile> file, std::string dir, std::uint64_t number,
                  int level, std::uint64_t run, const Options& options);
  std::vector<manifest::ValueRefTally> tally() const;

  const std::string dir_;
  const std::unique_ptr<WritableFile> file_;
  table::TableBuilder builder_;  // writes to file_, declared before it
  const std::uint64_t number_;
  const int level_;
  const std::uint64_t run_;
  std::map<std::uint64_t, std::uint64_t> value_refs_;  // value file -> bytes referenced
};

}  // namespace sand
