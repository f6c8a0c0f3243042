// Value-file garbage collection (db/value_gc.hpp, doc/design.md section 11).
//
// A job rewrites each level-1 and level-2 table that references a due value
// file into a table of the same level and run with the same entries, except
// that references into due files point at copies in new value logs. The
// view's content is unchanged (same keys, versions and values), so the job
// applies no retention and needs no merge. One manifest edit then removes
// the old tables and adds the new ones and the logs; the due files, left
// without references, leave in that edit (VersionSet::log_and_apply) and are
// deleted when their last reader lets go (value/value_file.hpp).
//
// Crash ordering: as compaction's (outputs and logs synced, the directory
// synced, then the edit); before the edit they are orphans.
#include "db/compaction_job.hpp"
#include "db/db_impl.hpp"
#include "db/filenames.hpp"

namespace sand {

ValueRewriter DB::Impl::value_rewriter_for(const ReadView& view, ValueGcMode mode) {
  return ValueRewriter(*fs_, path_, value_files_due(versions_.value_file_usage(), mode),
                       view.values, options_.memtable_size,
                       [this] { return versions_.new_file_number(); });
}

Status DB::Impl::finish_value_logs(ValueRewriter& rewriter,
                                   std::vector<manifest::ValueFileMeta>* logs) {
  SAND_ASSIGN_OR_RETURN(*logs, rewriter.finish());
  if (logs->empty()) return Status::ok();
  return fs_->sync_dir(path_);
}

Status DB::Impl::run_value_gc(ValueGcMode mode) {
  // Held for the whole job: without the memtables, which flushes free.
  const std::shared_ptr<const ReadView> view = current_view()->tables_only();
  ValueRewriter rewriter = value_rewriter_for(*view, mode);
  const std::vector<TableRef> inputs = deep_tables_referencing(*view, rewriter.due());
  if (inputs.empty()) return Status::ok();

  // The rewrite runs without the lock; the view and its tables stay alive.
  state_mu_.unlock();
  Status status;
  std::vector<TableRef> outputs;
  std::vector<manifest::ValueFileMeta> value_logs;
  std::uint64_t bytes_read = 0, bytes_written = 0;
  for (const TableRef& t : inputs) {
    // Every version is kept (mark 0, not the last level): only where the
    // values are changes.
    const CompactionSpec spec{.output_level = t->meta.level,
                              .output_run = t->meta.run,
                              .low_water_mark = 0,
                              .snapshots = {},
                              .last_level = false,
                              .values = &rewriter};
    auto input = t->table->new_iterator(table::CacheFill::kSkip);  // read once, like a merge's
    auto result = run_compaction(*fs_, path_, *input, spec, options_,
                                 [this] { return versions_.new_file_number(); });
    if (result.is_ok()) status = open_outputs(result->outputs, &outputs);
    if (!result.is_ok()) status = result.status();
    if (!status.is_ok()) break;
    bytes_read += t->meta.file_size;
    bytes_written += result->bytes_written;
  }
  if (status.is_ok()) status = finish_value_logs(rewriter, &value_logs);
  state_mu_.lock();
  // On failure the outputs and logs are orphans, removed at the next open.
  SAND_RETURN_IF_ERROR(status);

  counters_.compactions.fetch_add(1);
  counters_.compaction_bytes_read.fetch_add(bytes_read + rewriter.bytes_moved());
  counters_.compaction_bytes_written.fetch_add(bytes_written + value_log_bytes(value_logs));
  manifest::Edit edit;
  ViewChange change;
  replace_tables(inputs, std::move(outputs), std::move(value_logs), &edit, &change);
  return log_and_apply(std::move(edit), std::move(change));
}

}  // namespace sand
