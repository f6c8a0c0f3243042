// Helpers shared by the tests of `sand dump` (tests/cli/dump_*_test.cpp):
// running a dump in-process, splitting JSON lines, the vectors' paths.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/dump_command.hpp"
#include "cli/json_bytes.hpp"
#include "sand/file_system.hpp"

namespace sand::test::dump {

namespace fsys = std::filesystem;
using cli::DumpTarget;
using cli::Json;

inline const fsys::path kTestdata = fsys::path(SAND_SOURCE_DIR) / "spec" / "testdata";

// What one dump printed and how it ended.
struct DumpRun {
  std::string out;
  Status status;
};

inline DumpRun run_dump(DumpTarget target, const fsys::path& path, bool json = true) {
  std::ostringstream out;
  cli::DumpSink sink(out, json);
  Status status = cli::dump(*posix_file_system(), target, path.string(), sink);
  return DumpRun{.out = out.str(), .status = std::move(status)};
}

// Each line of `text` parsed as JSON. Every line must end with '\n' and be
// one JSON object.
inline std::vector<Json> parse_lines(const std::string& text) {
  std::vector<Json> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t end = text.find('\n', begin);
    REQUIRE(end != std::string::npos);
    const std::string line = text.substr(begin, end - begin);
    INFO(line);
    Json value = Json::parse(line);  // throws (failing the test) on bad JSON
    REQUIRE(value.is_object());
    lines.push_back(std::move(value));
    begin = end + 1;
  }
  return lines;
}

// The records of `lines` whose "record" member is `type`.
inline std::vector<Json> records_of(const std::vector<Json>& lines, const std::string& type) {
  std::vector<Json> out;
  for (const Json& line : lines) {
    if (line.at("record") == type) out.push_back(line);
  }
  return out;
}

// The database vectors: spec/testdata/db_*/, by name.
inline std::vector<std::string> database_vectors() {
  std::vector<std::string> names;
  for (const auto& e : fsys::directory_iterator(kTestdata)) {
    const std::string name = e.path().filename().string();
    if (e.is_directory() && name.starts_with("db_")) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  REQUIRE_FALSE(names.empty());
  return names;
}

// The bytes of a spec/testdata/*.hex file (hex digits, whitespace ignored).
inline std::string bytes_of_hex_file(const fsys::path& p) {
  std::ifstream f(p, std::ios::binary);
  REQUIRE(f);
  std::string digits;
  for (char c; f.get(c);) {
    if (std::isxdigit(static_cast<unsigned char>(c))) digits.push_back(c);
  }
  REQUIRE(digits.size() % 2 == 0);
  std::string bytes;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

// Which dump reads a database file by its name; nullopt for LOCK and any
// other name.
inline std::optional<DumpTarget> target_of(const std::string& name) {
  if (name == "MANIFEST") return DumpTarget::kManifest;
  if (name.ends_with(".sst")) return DumpTarget::kTable;
  if (name.ends_with(".wal")) return DumpTarget::kWal;
  if (name.ends_with(".val")) return DumpTarget::kValueLog;
  return std::nullopt;
}

}  // namespace sand::test::dump
