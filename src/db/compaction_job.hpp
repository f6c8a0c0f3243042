// A compaction job: merges sorted input streams into new tables of one level,
// applying the retention rules (db/retention.hpp), and cuts its output into
// files of about the target size, always between two user keys (every
// version of a key lands in one file, so a point read needs one file per
// sorted run).
//
// Crash ordering: each output is written, fsync'd and closed, then the
// directory is fsync'd, before the caller records the outputs in the
// manifest; until then they are orphans that the next open deletes.
// Thread-safety: a job is run by one thread; it reads immutable tables.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "db/value_rewriter.hpp"
#include "manifest/state.hpp"
#include "sand/options.hpp"
#include "util/internal_iterator.hpp"

namespace sand {

struct CompactionSpec {
  int output_level = 1;
  std::uint64_t output_run = 0;  // the sorted run the outputs form
  Version low_water_mark = 0;
  std::vector<Version> snapshots;  // pinned versions, ascending
  bool last_level = false;         // inputs hold every older version of their keys
  // Moves the values of due value files (db/value_gc.hpp) into value logs as
  // the kept entries are written; nullptr: references are copied as they are.
  ValueRewriter* values = nullptr;
};

struct CompactionResult {
  std::vector<manifest::TableMeta> outputs;
  std::uint64_t bytes_written = 0;
  std::uint64_t entries_in = 0;
  std::uint64_t entries_out = 0;
};

// Reads `input` (every entry of the inputs, in internal-key order) to its end
// and writes the kept entries to new tables in `dir`, each numbered by
// `next_file_number()`. Errors: Corruption from the inputs, IOError; outputs
// written before an error are left for orphan cleanup.
Result<CompactionResult> run_compaction(FileSystem& fs, const std::string& dir,
                                        InternalIterator& input, const CompactionSpec& spec,
                                        const Options& options,
                                        const std::function<std::uint64_t()>& next_file_number);

}  // namespace sand
