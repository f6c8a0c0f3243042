// Helpers shared by the tests of spec/testdata/ (testdata_test.cpp: the
// database vectors; bad_files_test.cpp: the damaged files of bad/).
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

namespace sand::spec_testdata {

namespace fsys = std::filesystem;

inline const fsys::path kTestdata = fsys::path(SAND_SOURCE_DIR) / "spec" / "testdata";

// SAND_UPDATE_TESTDATA=1: rewrite the vectors instead of only checking them.
inline bool updating() { return std::getenv("SAND_UPDATE_TESTDATA") != nullptr; }

inline std::string read_file(const fsys::path& p) {
  std::ifstream f(p, std::ios::binary);
  INFO(p.string());
  REQUIRE(f);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

inline void write_file(const fsys::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  INFO(p.string());
  REQUIRE(f);
  f << bytes;
  f.close();
  REQUIRE(f);
}

inline std::map<std::string, std::string> dir_files(const fsys::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fsys::directory_iterator(dir)) {
    files[e.path().filename().string()] = read_file(e.path());
  }
  return files;
}

inline void copy_dir(const fsys::path& from, const fsys::path& to) {
  fsys::create_directories(to);
  for (const auto& e : fsys::directory_iterator(from)) {
    fsys::copy_file(e.path(), to / e.path().filename(), fsys::copy_options::overwrite_existing);
  }
}

}  // namespace sand::spec_testdata
