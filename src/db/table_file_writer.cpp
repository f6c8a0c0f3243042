// TableFileWriter: TableBuilder -> fsync -> close -> manifest::TableMeta.
#include "db/table_file_writer.hpp"

#include "db/filenames.hpp"
#include "util/internal_key.hpp"
#include "value/value_ref.hpp"

namespace sand {
namespace {

table::TableOptions table_options(const Options& o) {
  return table::TableOptions{.block_size = o.block_size,
                             .restart_interval = o.block_restart_interval,
                             .compression = o.compression,
                             .bloom_bits_per_key = o.bloom_bits_per_key};
}

}  // namespace

TableFileWriter::TableFileWriter(std::unique_ptr<WritableFile> file, std::string dir,
                                 std::uint64_t number, int level, std::uint64_t run,
                                 const Options& options)
    : dir_(std::move(dir)),
      file_(std::move(file)),
      builder_(table_options(options), file_.get()),
      number_(number),
      level_(level),
      run_(run) {}

Result<std::unique_ptr<TableFileWriter>> TableFileWriter::create(FileSystem& fs,
                                                                 const std::string& dir,
                                                                 std::uint64_t number, int level,
                                                                 std::uint64_t run,
                                                                 const Options& options) {
  SAND_ASSIGN_OR_RETURN(auto file, fs.new_writable_file(join_path(dir, table_file_name(number))));
  return std::unique_ptr<TableFileWriter>(
      new TableFileWriter(std::move(file), dir, number, level, run, options));
}

Status TableFileWriter::add(std::string_view internal_key, std::string_view value) {
  if (is_value_ref_key(internal_key)) {
    // The tally the manifest records (tag 9): what keeps value files alive.
    const std::optional<value::ValueRef> ref = value::decode_value_ref(value);
    if (!ref) {
      return Status::corruption(join_path(dir_, table_file_name(number_)) +
                                ": a malformed value reference reached the table writer");
    }
    value_refs_[ref->file] += ref->size;
  }
  builder_.add(internal_key, value);
  return builder_.status();
}

Result<manifest::TableMeta> TableFileWriter::finish() {
  SAND_RETURN_IF_ERROR(builder_.finish());
  SAND_RETURN_IF_ERROR(file_->sync());
  SAND_RETURN_IF_ERROR(file_->close());
  const table::TableProperties& p = builder_.properties();
  return manifest::TableMeta{.number = number_,
                             .level = level_,
                             .file_size = builder_.file_size(),
                             .entries = p.entries,
                             .tombstones = p.tombstones,
                             .min_version = p.min_version,
                             .max_version = p.max_version,
                             .smallest_key = p.smallest_user_key,
                             .largest_key = p.largest_user_key,
                             .run = run_,
                             .value_refs = tally()};
}

std::vector<manifest::ValueRefTally> TableFileWriter::tally() const {
  std::vector<manifest::ValueRefTally> out;
  out.reserve(value_refs_.size());
  // Zero-byte values are never separated (the threshold is at least 64), so
  // every file's bytes are > 0, as the manifest requires.
  for (const auto& [file, bytes] : value_refs_) out.push_back({.file = file, .bytes = bytes});
  return out;
}

}  // namespace sand
