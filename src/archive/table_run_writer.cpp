// TableRunWriter: cut between keys at target_file_size.
#include "archive/table_run_writer.hpp"

namespace sand::archive {
namespace {
constexpr int kLastLevel = 2;
}  // namespace

TableRunWriter::TableRunWriter(FileSystem& fs, std::string dir, const Options& options,
                               std::uint64_t first_number)
    : fs_(fs), dir_(std::move(dir)), options_(options), next_number_(first_number) {}

Status TableRunWriter::add(std::string_view user_key, Version version, EntryKind kind,
                           std::string_view value) {
  const bool new_key = !table_ || user_key != last_user_key_;
  if (table_ && new_key && table_->file_size() >= options_.target_file_size) {
    SAND_RETURN_IF_ERROR(finish_table());
  }
  if (!table_) {
    SAND_ASSIGN_OR_RETURN(table_, TableFileWriter::create(fs_, dir_, next_number_, kLastLevel,
                                                          /*run=*/0, options_));
    ++next_number_;
  }
  if (new_key) last_user_key_.assign(user_key);
  internal_key_.clear();
  append_internal_key(&internal_key_, user_key, version, kind);
  return table_->add(internal_key_, value);
}

Status TableRunWriter::finish_table() {
  SAND_ASSIGN_OR_RETURN(manifest::TableMeta meta, table_->finish());
  done_.push_back(std::move(meta));
  table_.reset();
  return Status::ok();
}

Result<std::vector<manifest::TableMeta>> TableRunWriter::finish() {
  if (table_) SAND_RETURN_IF_ERROR(finish_table());
  return std::move(done_);
}

}  // namespace sand::archive
