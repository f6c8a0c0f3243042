// spec/sstable.md's worked example: rebuilding the documented table must give
// exactly the bytes in spec/testdata/sstable_small.hex, and reading them back
// must give the documented entries.
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <sstream>

#include "table_test_util.hpp"

namespace sand::table {
namespace {

using testing::ikey;

// The entries and options spec/sstable.md lists for the example.
testing::Model example_entries() {
  testing::Model m;
  m[ikey("ant", 1, EntryKind::kPut)] = "red";
  m[ikey("bee", 3, EntryKind::kDelete)] = "";
  m[ikey("bee", 2, EntryKind::kPut)] = "buzz";
  return m;
}

const TableOptions kExampleOptions{.block_size = 4096,
                                   .restart_interval = 16,
                                   .compression = Compression::kNone,
                                   .bloom_bits_per_key = 10};

// The .hex file format: lowercase hex bytes separated by spaces, 16 per line.
std::string to_hex_lines(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
    out.push_back(i % 16 == 15 || i + 1 == bytes.size() ? '\n' : ' ');
  }
  return out;
}

// Hex digits of the file, whitespace dropped, lowercased.
std::string read_hex_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string hex;
  for (char c : ss.str()) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return hex;
}

std::string hex_digits(std::string s) {
  std::erase_if(s, [](char c) { return c == ' ' || c == '\n'; });
  return s;
}

TEST_CASE("spec example table matches spec/testdata/sstable_small.hex", "[table][spec]") {
  const std::string bytes = testing::build_table(example_entries(), kExampleOptions);
  const std::string expected = read_hex_file(SAND_SOURCE_DIR "/spec/testdata/sstable_small.hex");
  INFO("actual bytes:\n" << to_hex_lines(bytes));
  CHECK(hex_digits(to_hex_lines(bytes)) == expected);
}

TEST_CASE("spec example table reads back", "[table][spec]") {
  const std::string bytes = testing::build_table(example_entries(), kExampleOptions);
  Result<std::shared_ptr<Table>> t = testing::open_bytes(bytes);
  REQUIRE(t.is_ok());
  auto it = (*t)->new_iterator();
  const testing::Model m = example_entries();
  CHECK(testing::scan_all(it.get()) == testing::Entries(m.begin(), m.end()));
  const TableProperties& p = (*t)->properties();
  CHECK(p.entries == 3);
  CHECK(p.tombstones == 1);
  CHECK(p.data_blocks == 1);
  CHECK(p.raw_key_bytes == 33);
  CHECK(p.raw_value_bytes == 7);
  CHECK(p.min_version == 1);
  CHECK(p.max_version == 3);
  CHECK(p.smallest_user_key == "ant");
  CHECK(p.largest_user_key == "bee");
  CHECK(p.compression == Compression::kNone);
}

}  // namespace
}  // namespace sand::table
