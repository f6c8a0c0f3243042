// Flush: memtable iterator -> TableBuilder -> fsync -> directory fsync.
#include "db/flush_job.hpp"

#include "db/filenames.hpp"
#include "table/table_builder.hpp"

namespace sand {

Result<manifest::TableMeta> write_level0_table(FileSystem& fs, const std::string& dir,
                                               std::uint64_t number, const MemTable& mem,
                                               const Options& options) {
  SAND_ASSIGN_OR_RETURN(auto file, fs.new_writable_file(join_path(dir, table_file_name(number))));
  table::TableBuilder builder(
      table::TableOptions{.block_size = options.block_size,
                          .restart_interval = options.block_restart_interval,
                          .compression = options.compression,
                          .bloom_bits_per_key = options.bloom_bits_per_key},
      file.get());
  auto it = mem.new_iterator();
  for (it->seek_to_first(); it->valid(); it->next()) builder.add(it->key(), it->value());
  SAND_RETURN_IF_ERROR(it->status());
  SAND_RETURN_IF_ERROR(builder.finish());
  SAND_RETURN_IF_ERROR(file->sync());
  SAND_RETURN_IF_ERROR(file->close());
  SAND_RETURN_IF_ERROR(fs.sync_dir(dir));

  const table::TableProperties& props = builder.properties();
  return manifest::TableMeta{.number = number,
                             .level = 0,
                             .file_size = builder.file_size(),
                             .entries = props.entries,
                             .tombstones = props.tombstones,
                             .min_version = props.min_version,
                             .max_version = props.max_version,
                             .smallest_key = props.smallest_user_key,
                             .largest_key = props.largest_user_key};
}

}  // namespace sand
