// TableFileWriter: TableBuilder -> fsync -> close -> manifest::TableMeta.
#include "db/table_file_writer.hpp"

#include "db/filenames.hpp"

namespace sand {
namespace {

table::TableOptions table_options(const Options& o) {
  return table::TableOptions{.block_size = o.block_size,
                             .restart_interval = o.block_restart_interval,
                             .compression = o.compression,
                             .bloom_bits_per_key = o.bloom_bits_per_key};
}

}  // namespace

TableFileWriter::TableFileWriter(std::unique_ptr<WritableFile> file, std::uint64_t number,
                                 int level, std::uint64_t run, const Options& options)
    : file_(std::move(file)),
      builder_(table_options(options), file_.get()),
      number_(number),
      level_(level),
      run_(run) {}

Result<std::unique_ptr<TableFileWriter>> TableFileWriter::create(
    FileSystem& fs, const std::string& dir, std::uint64_t number, int level, std::uint64_t run,
    const Options& options) {
  SAND_ASSIGN_OR_RETURN(auto file, fs.new_writable_file(join_path(dir, table_file_name(number))));
  return std::unique_ptr<TableFileWriter>(
      new TableFileWriter(std::move(file), number, level, run, options));
}

Status TableFileWriter::add(std::string_view internal_key, std::string_view value) {
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
                             .run = run_};
}

}  // namespace sand
