// `sand dump manifest`: every decoded field of one MANIFEST file
// (spec/manifest.md): the file header, each record with its edit (every
// field, tables added with all their metadata), and where reading ended
// (spec/dump.md section 5).
//
// The file is read as a database open reads it (spec/manifest.md section
// 4): the log reader's rules, each edit decoded and applied to the state in
// order, the first record a snapshot. So a damaged manifest is dumped up to
// the damage and then fails with the reader's error.
//
// Thread-safety: a pure function of its arguments (and the sink).
#pragma once

#include <cstdint>
#include <string_view>

#include "cli/dump_sink.hpp"
#include "manifest/state.hpp"
#include "sand/status.hpp"

namespace sand::cli {

// What reading a MANIFEST gave: the state its edits build and its log id.
struct ManifestRead {
  manifest::State state;
  std::uint64_t log_id = 0;
};

// Reads the MANIFEST whose whole bytes are `contents`, writing its records
// to `sink` if it is not null. `file_name` names it in errors. Errors:
// Corruption "<file_name>: offset N: <what>": a bad header or record (wal.md
// section 3), an edit that does not decode or apply (manifest.md sections
// 2-3), a first record that is not a snapshot, no record at all.
Result<ManifestRead> dump_manifest(std::string_view contents, std::string_view file_name,
                                   DumpSink* sink);

}  // namespace sand::cli
