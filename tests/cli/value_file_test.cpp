// Tests for src/cli/value_file.cpp: raw value bytes read from files and
// descriptors and written to files unchanged, the size limit, and the errors.
#include "cli/value_file.hpp"

#include <fcntl.h>
#include <stdlib.h>  // mkdtemp
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sand::cli {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/sand-value-file-test-XXXXXX";
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Every byte value, NUL and 0xff included, then some CR/LF pairs.
std::string all_bytes(std::size_t repeat) {
  std::string bytes;
  for (std::size_t r = 0; r < repeat; ++r) {
    for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  }
  return bytes + "\r\n\r\n\n";
}

void put_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
}

std::string get_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST_CASE("value files: read_file returns every byte unchanged", "[cli][value_file]") {
  TempDir dir;
  for (const std::string& bytes : {std::string(), std::string("x"), all_bytes(1),
                                   all_bytes(800)}) {  // 800 * 256: several read chunks
    put_file(dir.file("v"), bytes);
    Result<std::string> read = read_file(dir.file("v"), "--value-file v", 1 << 20);
    REQUIRE(read.is_ok());
    CHECK(*read == bytes);
  }
}

TEST_CASE("value files: the limit is inclusive, one byte more is InvalidArgument",
          "[cli][value_file]") {
  TempDir dir;
  put_file(dir.file("v"), std::string(100, 'a'));
  CHECK(read_file(dir.file("v"), "--value-file v", 100).value() == std::string(100, 'a'));
  Result<std::string> over = read_file(dir.file("v"), "--value-file v", 99);
  REQUIRE_FALSE(over.is_ok());
  CHECK(over.status().code() == Code::kInvalidArgument);
  CHECK(over.status().message() ==
        "--value-file v: the value is larger than 99 B, the largest a value may be");
}

TEST_CASE("value files: a missing file or a directory is IOError naming it", "[cli][value_file]") {
  TempDir dir;
  Result<std::string> missing = read_file(dir.file("nope"), "--value-file nope", 100);
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().code() == Code::kIOError);
  CHECK(missing.status().message() == "--value-file nope: No such file or directory");
  Result<std::string> directory = read_file(dir.file(""), "--value-file d", 100);
  REQUIRE_FALSE(directory.is_ok());
  CHECK(directory.status().code() == Code::kIOError);
  CHECK(directory.status().message() == "--value-file d: Is a directory");
}

TEST_CASE("value files: read_all reads a pipe to its end", "[cli][value_file]") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const std::string bytes = all_bytes(4);
  REQUIRE(write_all(fds[1], "pipe", bytes).is_ok());
  close(fds[1]);
  Result<std::string> read = read_all(fds[0], "stdin", 1 << 20);
  close(fds[0]);
  REQUIRE(read.is_ok());
  CHECK(*read == bytes);
}

TEST_CASE("value files: write_file creates or truncates and writes every byte",
          "[cli][value_file]") {
  TempDir dir;
  const std::string bytes = all_bytes(3);
  put_file(dir.file("out"), std::string(10000, 'z'));  // longer: must be truncated
  REQUIRE(write_file(dir.file("out"), "--output out", bytes).is_ok());
  CHECK(get_file(dir.file("out")) == bytes);
  REQUIRE(write_file(dir.file("new"), "--output new", "").is_ok());
  CHECK(std::filesystem::exists(dir.file("new")));
  CHECK(get_file(dir.file("new")).empty());
}

TEST_CASE("value files: write_file into a missing directory is IOError naming it",
          "[cli][value_file]") {
  TempDir dir;
  const Status st = write_file(dir.file("no/such/out"), "--output no/such/out", "v");
  CHECK(st.code() == Code::kIOError);
  CHECK(st.message() == "--output no/such/out: No such file or directory");
}

}  // namespace
}  // namespace sand::cli
