// Assertions on a CheckReport shared by the check tests: find a file's
// entry, print the whole report (for INFO), and expect exactly one problem;
// and reading and writing a whole file of a FileSystem.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "sand/check.hpp"
#include "sand/file_system.hpp"
#include "support/db_helpers.hpp"

namespace sand::test {

// The whole contents of the file at `path`.
inline std::string read_all(FileSystem& fs, const std::string& path) {
  auto file = must(fs.open_readable_file(path));
  return std::string(file->contents());
}

// Creates (or replaces) the file at `path` holding `bytes`.
inline void write_all(FileSystem& fs, const std::string& path, std::string_view bytes) {
  auto file = must(fs.new_writable_file(path));
  must(file->append(bytes));
  must(file->close());
}

inline const CheckedFile& file_named(const CheckReport& r, const std::string& name) {
  for (const CheckedFile& f : r.files) {
    if (f.file == name) return f;
  }
  FAIL("no checked file " << name);
  return r.files.front();
}

inline std::string describe(const CheckReport& r) {
  std::string out;
  for (const CheckProblem& p : r.problems) {
    out += "problem " + p.file + " @" + std::to_string(p.offset) + ": " + p.what + "\n";
  }
  for (const CheckNote& n : r.notes) {
    out += "note " + n.file + " @" + std::to_string(n.offset) + ": " + n.what + "\n";
  }
  return out;
}

// Asserts exactly one problem, naming `file` at `offset`; returns its text.
inline std::string one_problem(const CheckReport& r, const std::string& file,
                               std::uint64_t offset) {
  INFO(describe(r));
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].file == file);
  CHECK(r.problems[0].offset == offset);
  CHECK(file_named(r, file).outcome == CheckedFile::Outcome::kBad);
  CHECK_FALSE(r.ok());
  return r.problems[0].what;
}

}  // namespace sand::test
