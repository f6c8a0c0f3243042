// Compaction: stream the merged inputs once, keep what retention needs, and
// write it out. Puts are written straight through; in a last-level output
// tombstones wait until a kept older version of their key shows that they
// still hide something (otherwise they are dropped with the key's end).
#include "db/compaction_job.hpp"

#include "db/filenames.hpp"
#include "db/retention.hpp"
#include "table/table_builder.hpp"
#include "util/internal_key.hpp"

namespace sand {
namespace {

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
    if (!builder_) SAND_RETURN_IF_ERROR(open());
    builder_->add(ikey, value);
    ++result_->entries_out;
    return builder_->status();
  }

  // Called between user keys: the only place an output may end.
  Status maybe_cut() {
    if (builder_ && builder_->file_size() >= options_.target_file_size) return finish();
    return Status::ok();
  }

  Status finish() {
    if (!builder_) return Status::ok();
    SAND_RETURN_IF_ERROR(builder_->finish());
    SAND_RETURN_IF_ERROR(file_->sync());
    SAND_RETURN_IF_ERROR(file_->close());
    const table::TableProperties& p = builder_->properties();
    result_->outputs.push_back(manifest::TableMeta{.number = number_,
                                                   .level = spec_.output_level,
                                                   .file_size = builder_->file_size(),
                                                   .entries = p.entries,
                                                   .tombstones = p.tombstones,
                                                   .min_version = p.min_version,
                                                   .max_version = p.max_version,
                                                   .smallest_key = p.smallest_user_key,
                                                   .largest_key = p.largest_user_key,
                                                   .run = spec_.output_run});
    result_->bytes_written += builder_->file_size();
    builder_.reset();
    file_.reset();
    return Status::ok();
  }

 private:
  Status open() {
    number_ = next_file_number_();
    SAND_ASSIGN_OR_RETURN(file_, fs_.new_writable_file(join_path(dir_, table_file_name(number_))));
    builder_ = std::make_unique<table::TableBuilder>(
        table::TableOptions{.block_size = options_.block_size,
                            .restart_interval = options_.block_restart_interval,
                            .compression = options_.compression,
                            .bloom_bits_per_key = options_.bloom_bits_per_key},
        file_.get());
    return Status::ok();
  }

  FileSystem& fs_;
  const std::string& dir_;
  const CompactionSpec& spec_;
  const Options& options_;
  const std::function<std::uint64_t()>& next_file_number_;
  CompactionResult* result_;
  std::uint64_t number_ = 0;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<table::TableBuilder> builder_;
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
