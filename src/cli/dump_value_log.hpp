// `sand dump val`: every decoded field of one value log (`NNNNNN.val`,
// spec/values.md): the file header, each record with the value it holds,
// and where reading ended. A value log uses the log framing of spec/wal.md
// section 1 with one value per record, the payload being exactly the
// value's bytes; a value reference into it names the payload (offset = the
// record's offset + 12, size = its length).
//
// The records are read by the engine's log reader (rules R1-R4), with the
// log id check when the file has a value log's name, so a damaged value log
// is dumped up to the damage and then fails with the reader's error.
//
// Thread-safety: a pure function of its arguments (and the sink).
#pragma once

#include <string_view>

#include "cli/dump_sink.hpp"
#include "sand/status.hpp"

namespace sand::cli {

// Dumps the value log whose whole bytes are `contents`. `file_name` names
// it in errors; if its last path component is a value log name
// (NNNNNN.val), the header must carry that number as its log id. Errors:
// Corruption "<file_name>: offset N: <what>" as the log reader reports it.
Status dump_value_log(std::string_view contents, std::string_view file_name, DumpSink& sink);

}  // namespace sand::cli
