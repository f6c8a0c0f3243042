// What `sand dump wal` and `sand dump manifest` share: both files use the
// log framing of spec/wal.md section 1 (a 28-byte file header, then records
// of a 12-byte header and a payload), so their header, record and end
// records (spec/dump.md section 3) are built here.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "cli/dump_sink.hpp"
#include "wal/record_reader.hpp"

namespace sand::cli {

// The file header's fields (spec/wal.md section 1.1) as a "header" record,
// or nullopt when `reader` (opened on `contents`) found a torn header (rule
// H1: no header, no record).
std::optional<Json> log_header_record(std::string_view contents, const wal::RecordReader& reader,
                                      const DumpSink& sink);

// A record `type` for the log record at `offset`: its offset, then its
// header's fields (spec/wal.md section 1.2). REQUIRES: the reader returned a
// record at `offset`, so its 12 header bytes are in `contents`.
Json log_record(std::string_view type, std::string_view contents, std::uint64_t offset);

// The "end" record: where reading stopped and whether a torn tail was
// dropped (spec/wal.md section 3).
Json log_end_record(std::uint64_t file_size, std::uint64_t valid_end, bool torn_tail);

}  // namespace sand::cli
