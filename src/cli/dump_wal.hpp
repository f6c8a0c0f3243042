// `sand dump wal`: every decoded field of one WAL file (spec/wal.md): the
// file header, each record with its batch and the batch's operations, the
// seal, and where reading ended (spec/dump.md section 4).
//
// The records are read by the WAL replay itself (wal::replay, rules R1-R4
// and P3-P7, with the log id check when the file has a WAL's name), and each
// batch is decoded by the write-batch codec, so a damaged WAL is dumped up
// to the damage and then fails with replay's error.
//
// Thread-safety: a pure function of its arguments (and the sink).
#pragma once

#include <string_view>

#include "cli/dump_sink.hpp"
#include "sand/status.hpp"

namespace sand::cli {

// Dumps the WAL whose whole bytes are `contents`. `file_name` names it in
// errors; if its last path component is a WAL name (NNNNNN.wal), the header
// must carry that number as its log id. Errors: Corruption
// "<file_name>: offset N: <what>" as replay reports it.
Status dump_wal(std::string_view contents, std::string_view file_name, DumpSink& sink);

}  // namespace sand::cli
