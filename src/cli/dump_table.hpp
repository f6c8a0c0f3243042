// `sand dump sst`: every decoded field of one table file (spec/sstable.md),
// as the records spec/dump.md section 2 lists: the footer, the properties
// block, the filter, the index block with its entries, then each data block
// with its entries.
//
// The bytes are read with the table reader's own functions, in the order of
// spec/sstable.md section 10 (footer, properties, filter, index, then
// Table::open's remaining index checks, then each data block), and each part
// is written as soon as it has passed its checks, so a damaged table is
// dumped up to the damage and then fails with that reader's error.
//
// Thread-safety: a pure function of its arguments (and the sink).
#pragma once

#include <string_view>

#include "cli/dump_sink.hpp"
#include "sand/status.hpp"

namespace sand::cli {

// Dumps the table whose whole bytes are `contents`; `file_name` names it in
// errors. Errors: Corruption "<file_name>: offset N: <what>", as the table
// reader reports it, after every record decoded before the damage.
Status dump_table(std::string_view contents, std::string_view file_name, DumpSink& sink);

}  // namespace sand::cli
