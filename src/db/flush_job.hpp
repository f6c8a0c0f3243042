// Writing a memtable out as a level-0 table (spec/README.md "Flush").
//
// Crash ordering: the table is written, fsync'd and closed, and the directory
// fsync'd, before the caller appends the manifest edit that names it. A crash
// before that edit leaves an orphan file that the next open removes.
#pragma once

#include <cstdint>
#include <string>

#include "manifest/state.hpp"
#include "memtable/memtable.hpp"
#include "sand/options.hpp"

namespace sand {

// Writes every entry of `mem` to table `number` in `dir`. Returns its
// manifest metadata (level 0). Errors: IOError (a partial file may remain).
Result<manifest::TableMeta> write_level0_table(FileSystem& fs, const std::string& dir,
                                               std::uint64_t number, const MemTable& mem,
                                               const Options& options);

}  // namespace sand
