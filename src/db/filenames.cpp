// Database file naming: six-digit zero-padded numbers (more digits once a
// number outgrows them) and a type suffix; parse_file_name accepts only that
// spelling.
#include "db/filenames.hpp"

#include <charconv>
#include <cstdio>

namespace sand {
namespace {

std::string numbered(std::uint64_t number, std::string_view suffix) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llu", static_cast<unsigned long long>(number));
  std::string name(buf);
  name += suffix;
  return name;
}

}  // namespace

std::string table_file_name(std::uint64_t number) { return numbered(number, ".sst"); }
std::string wal_file_name(std::uint64_t number) { return numbered(number, ".wal"); }
std::string value_log_file_name(std::uint64_t number) { return numbered(number, ".val"); }

std::string value_file_name(const manifest::ValueFileMeta& file) {
  return file.kind == manifest::ValueFileKind::kWal ? wal_file_name(file.number)
                                                    : value_log_file_name(file.number);
}

std::string join_path(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path += '/';
  path += name;
  return path;
}

std::string parent_dir(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::optional<ParsedFileName> parse_file_name(std::string_view name) {
  if (name == kLockFileName) return ParsedFileName{FileType::kLock};
  if (name == kManifestName) return ParsedFileName{FileType::kManifest};
  if (name == kManifestTempName) return ParsedFileName{FileType::kManifestTemp};
  FileType type;
  if (name.ends_with(".sst")) {
    type = FileType::kTable;
  } else if (name.ends_with(".wal")) {
    type = FileType::kWal;
  } else if (name.ends_with(".val")) {
    type = FileType::kValueLog;
  } else {
    return std::nullopt;
  }
  const std::string_view digits = name.substr(0, name.size() - 4);
  std::uint64_t number = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  // Only the spelling numbered() writes names a database file: "0000036.wal"
  // or "36.wal" would otherwise alias "000036.wal", and recovery, the
  // follower and the checker all look files up by the canonical name
  // (spec/README.md "Directory layout").
  if (name != numbered(number, name.substr(digits.size()))) return std::nullopt;
  return ParsedFileName{type, number};
}

std::optional<std::uint64_t> number_in_path(std::string_view path, FileType type) {
  const std::size_t slash = path.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::optional<ParsedFileName> parsed = parse_file_name(base);
  if (!parsed || parsed->type != type) return std::nullopt;
  return parsed->number;
}

}  // namespace sand
