// What the answer-format tests share (format_test, check_format_test,
// json_format_test): a check report with every kind of finding, and an
// answer split into its lines. Test-only.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sand/check.hpp"

namespace sand::test {

// A report with a clean manifest, table and WAL, a bad table with two
// problems (one at offset 0, with a NUL and a newline in it), a skipped
// table, a missing one (a whole-file problem) and two notes.
inline CheckReport mixed_report() {
  CheckReport r;
  r.files = {
      {.file = "MANIFEST",
       .type = CheckFileType::kManifest,
       .bytes = 100,
       .units = 2,
       .entries = 4},
      {.file = "000007.sst",
       .type = CheckFileType::kTable,
       .bytes = 2000,
       .units = 1,
       .entries = 1},
      {.file = "000008.sst",
       .type = CheckFileType::kTable,
       .outcome = CheckedFile::Outcome::kBad,
       .bytes = 900},
      {.file = "000009.sst",
       .type = CheckFileType::kTable,
       .outcome = CheckedFile::Outcome::kSkipped},
      {.file = "000010.sst", .type = CheckFileType::kTable, .outcome = CheckedFile::Outcome::kBad},
      {.file = "000011.wal", .type = CheckFileType::kWal, .bytes = 48, .units = 3, .entries = 5},
  };
  r.manifest = {.files = 1, .bytes = 100, .units = 2, .entries = 4};
  r.tables = {.files = 3, .bytes = 2900, .units = 1, .entries = 1};
  r.wals = {.files = 1, .bytes = 48, .units = 3, .entries = 5};
  r.problems = {
      {.file = "000008.sst", .offset = 4096, .what = "block checksum mismatch"},
      {.file = "000010.sst", .offset = kWholeFile, .what = "missing: no such file"},
      {.file = "000008.sst", .offset = 0, .what = "entry 'a\\x00'@3 has\nversion 0"},
  };
  r.notes = {
      {.file = "000011.wal", .offset = 40, .what = "torn tail: 8 bytes"},
      {.file = "MANIFEST.tmp", .offset = kWholeFile, .what = "leftover"},
  };
  return r;
}

// The lines of `text`, which must end with '\n'.
inline std::vector<std::string> lines(const std::string& text) {
  REQUIRE(text.ends_with('\n'));
  std::vector<std::string> out;
  std::size_t begin = 0;
  for (std::size_t end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1) {
    out.push_back(text.substr(begin, end - begin));
  }
  return out;
}

}  // namespace sand::test
