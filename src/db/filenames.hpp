// File names inside a database directory (spec/README.md "Directory layout").
//
//   LOCK           flock'd by the one writer process
//   MANIFEST       the live manifest log; MANIFEST.tmp while a new one is built
//   NNNNNN.sst     a table; NNNNNN.wal a write-ahead log
//
// Numbers come from one counter (the manifest's next_file_number) and are
// never reused, so a name always means one file's bytes. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "manifest/manifest_log.hpp"

namespace sand {

using manifest::kManifestName;
using manifest::kManifestTempName;

enum class FileType { kTable, kWal, kManifest, kManifestTemp, kLock };

inline constexpr std::string_view kLockFileName = "LOCK";

std::string table_file_name(std::uint64_t number);  // "000012.sst"
std::string wal_file_name(std::uint64_t number);    // "000012.wal"
std::string join_path(std::string_view dir, std::string_view name);

struct ParsedFileName {
  FileType type;
  std::uint64_t number = 0;  // tables and WALs only
};
// Recognises the names above; nullopt for anything else (left alone).
std::optional<ParsedFileName> parse_file_name(std::string_view name);

}  // namespace sand
