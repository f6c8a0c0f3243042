// File names inside a database directory (spec/README.md "Directory layout").
//
//   LOCK           flock'd by the one writer process
//   MANIFEST       the live manifest log; MANIFEST.tmp while a new one is built
//   NNNNNN.sst     a table; NNNNNN.wal a write-ahead log; NNNNNN.val a value
//                  log (spec/values.md)
//
// Numbers come from one counter (the manifest's next_file_number) and are
// never reused, so a name always means one file's bytes. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "manifest/edit.hpp"
#include "manifest/manifest_log.hpp"

namespace sand {

using manifest::kManifestName;
using manifest::kManifestTempName;

enum class FileType { kTable, kWal, kValueLog, kManifest, kManifestTemp, kLock };

inline constexpr std::string_view kLockFileName = "LOCK";

std::string table_file_name(std::uint64_t number);      // "000012.sst"
std::string wal_file_name(std::uint64_t number);        // "000012.wal"
std::string value_log_file_name(std::uint64_t number);  // "000012.val"
// A value file's name: its WAL's for kind kWal, else its value log's.
std::string value_file_name(const manifest::ValueFileMeta& file);
std::string join_path(std::string_view dir, std::string_view name);
// The directory holding `path`: "." for a bare name, "/" for "/name". What
// must be synced for a rename into that directory to survive a power loss.
std::string parent_dir(const std::string& path);

struct ParsedFileName {
  FileType type;
  std::uint64_t number = 0;  // tables, WALs and value logs only
};
// Recognises the names above, byte for byte; nullopt for anything else,
// which is not part of the database (ignored and left alone by open, a
// read-only open and check_database). A table or WAL is recognised only in
// the spelling table_file_name/wal_file_name write: the number in decimal,
// zero-padded to six digits, no further leading zero, within uint64
// ("000036.wal", "1234567.sst"; not "0000036.wal", "36.wal", "036.wal",
// "+36.wal").
std::optional<ParsedFileName> parse_file_name(std::string_view name);
// The number of the file of `type` that `path`'s last component names, if it
// names one (`sand dump` checks a log's id against it).
std::optional<std::uint64_t> number_in_path(std::string_view path, FileType type);

}  // namespace sand
