// Flush: memtable iterator -> TableFileWriter -> directory fsync.
#include "db/flush_job.hpp"

#include "db/table_file_writer.hpp"

namespace sand {

Result<manifest::TableMeta> write_level0_table(FileSystem& fs, const std::string& dir,
                                               std::uint64_t number, const MemTable& mem,
                                               const Options& options) {
  SAND_ASSIGN_OR_RETURN(auto out, TableFileWriter::create(fs, dir, number, /*level=*/0,
                                                          /*run=*/0, options));
  auto it = mem.new_iterator();
  for (it->seek_to_first(); it->valid(); it->next()) {
    SAND_RETURN_IF_ERROR(out->add(it->key(), it->value()));
  }
  SAND_RETURN_IF_ERROR(it->status());
  SAND_ASSIGN_OR_RETURN(manifest::TableMeta meta, out->finish());
  SAND_RETURN_IF_ERROR(fs.sync_dir(dir));
  return meta;
}

}  // namespace sand
