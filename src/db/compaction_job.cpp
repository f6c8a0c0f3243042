// Compaction: stream the merged inputs once, keep what retention needs, and
// write it out. Puts are written straight through; in a last-level output
// tombstones wait until a kept older version of their key shows that they
// still hide something (otherwise they are dropped with the key's end).
#include "db/compaction_job.hpp"

#include "db/retention.hpp"
#include "db/table_file_writer.hpp"
#include "util/internal_key.hpp"

namespace sand {
namespace {

// Cuts the kept entries into output tables of about the target size.
class OutputWriter {
 public:
  OutputWriter(FileSystem& fs, const std::string& dir, const CompactionSpec& spec,
               const Options& options, const std::function<std::uint64_t()>& next_file_number,
               CompactionResult* result)
      : fs_(fs),
        dir_(dir),
        spec_(spec),
        options_(options),
        next_file_number_(next_file_number),
        result_(result) {}

  Status add(std::string_view ikey, std::string_view value) {
    if (!out_) {
      SAND_ASSIGN_OR_RETURN(
          out_, TableFileWriter::create(fs_, dir_, next_file_number_(), spec_.output_level,
                                        spec_.output_run, options_));
    }
    ++result_->entries_out;
    if (spec_.values != nullptr && is_value_ref_key(ikey)) {
      SAND_ASSIGN_OR_RETURN(const bool moved, spec_.values->rewrite(value, &moved_ref_));
      if (moved) return out_->add(ikey, moved_ref_);
    }
    return out_->add(ikey, value);
  }

  // Called between user keys: the only place an output may end.
  Status maybe_cut() {
    if (out_ && out_->file_size() >= options_.target_file_size) return finish();
    return Status::ok();
  }

  Status finish() {
    if (!out_) return Status::ok();
    SAND_ASSIGN_OR_RETURN(manifest::TableMeta meta, out_->finish());
    result_->bytes_written += meta.file_size;
    result_->outputs.push_back(std::move(meta));
    out_.reset();
    return Status::ok();
  }

 private:
  FileSystem& fs_;
  const std::string& dir_;
  const CompactionSpec& spec_;
  const Options& options_;
  const std::function<std::uint64_t()>& next_file_number_;
  CompactionResult* result_;
  std::unique_ptr<TableFileWriter> out_;
  std::string moved_ref_;  // the reference to a value just moved
};

}  // namespace

Result<CompactionResult> run_compaction(FileSystem& fs, const std::string& dir,
                                        InternalIterator& input, const CompactionSpec& spec,
                                        const Options& options,
                                        const std::function<std::uint64_t()>& next_file_number) {
  CompactionResult result;
  OutputWriter out(fs, dir, spec, options, next_file_number, &result);
  RetentionFilter filter(spec.low_water_mark, spec.snapshots);
  std::string current_key;
  bool have_key = false;
  // Last level only: kept tombstones not yet known to hide an older version.
  std::vector<std::pair<std::string, std::string>> pending_tombstones;

  for (input.seek_to_first(); input.valid(); input.next()) {
    ParsedKey k;
    if (!parse_internal_key(input.key(), &k)) {
      return Status::corruption("compaction input: malformed internal key");
    }
    ++result.entries_in;
    if (!have_key || k.user_key != current_key) {
      pending_tombstones.clear();  // nothing older: they hide nothing
      SAND_RETURN_IF_ERROR(out.maybe_cut());
      current_key.assign(k.user_key);
      have_key = true;
      filter.start_key();
    }
    if (!filter.keep(k.version)) continue;
    if (spec.last_level && k.kind == EntryKind::kDelete) {
      pending_tombstones.emplace_back(input.key(), std::string());
      continue;
    }
    for (const auto& [ikey, value] : pending_tombstones) SAND_RETURN_IF_ERROR(out.add(ikey, value));
    pending_tombstones.clear();
    SAND_RETURN_IF_ERROR(out.add(input.key(), input.value()));
  }
  SAND_RETURN_IF_ERROR(input.status());
  SAND_RETURN_IF_ERROR(out.finish());
  if (!result.outputs.empty()) SAND_RETURN_IF_ERROR(fs.sync_dir(dir));
  return result;
}

}  // namespace sand
