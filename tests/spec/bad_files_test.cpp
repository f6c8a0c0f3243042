// The damaged files of spec/testdata/bad/ (spec/testdata/README.md, "Damaged
// files"): bad/expected.txt says how each file was made from a vector and
// what a reader must report for it. This test
//  1. rebuilds every file from its source vector with the listed damage and
//     compares it with the committed bytes (SAND_UPDATE_TESTDATA=1 rewrites
//     them instead), and checks that bad/ holds exactly the listed files;
//  2. reads each file with the library's own reader for its type (a table:
//     Table::open, then every entry; a WAL: wal::replay, decoding every
//     batch; a MANIFEST: manifest::replay) and asserts the error kind, the
//     offset and the message exactly;
//  3. runs check_database on a directory holding just that file and asserts
//     it reports the same offset and message.
#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "db/filenames.hpp"
#include "manifest/manifest_log.hpp"
#include "sand/sand.hpp"
#include "spec/spec_testdata.hpp"
#include "support/db_helpers.hpp"
#include "table/table.hpp"
#include "util/coding.hpp"
#include "util/crc32c.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

using namespace sand;
using namespace sand::spec_testdata;
using sand::test::must;

namespace {

const fsys::path kBad = kTestdata / "bad";
const fsys::path kExpected = kBad / "expected.txt";

// One line of bad/expected.txt.
struct BadFile {
  std::string file;      // name in bad/
  std::string source;    // the vector it was made from, relative to testdata/
  std::string damage;    // the operations applied to the source's bytes
  std::string read_as;   // the name a reader reads it under
  std::string reader;    // table, wal or manifest
  std::string kind;      // code_name() of the error
  std::uint64_t offset;  // the offset the error names
  std::string message;   // the error's text after "offset N: "
  std::string rule;      // the spec rule it violates
};

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(' ');
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string& line, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    const auto next = line.find(sep, pos);
    out.push_back(trim(line.substr(pos, next - pos)));
    if (next == std::string::npos) return out;
    pos = next + sep.size();
  }
}

std::uint64_t parse_number(const std::string& s) {
  INFO("number: " << s);
  REQUIRE(!s.empty());
  std::size_t used = 0;
  const std::uint64_t v = std::stoull(s, &used, 0);  // decimal, or 0x.. hex
  REQUIRE(used == s.size());
  return v;
}

std::vector<BadFile> read_expected() {
  std::vector<BadFile> out;
  std::istringstream in(read_file(kExpected));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    INFO(line);
    const auto f = split(line, " | ");
    REQUIRE(f.size() == 9);
    out.push_back(BadFile{.file = f[0],
                          .source = f[1],
                          .damage = f[2],
                          .read_as = f[3],
                          .reader = f[4],
                          .kind = f[5],
                          .offset = parse_number(f[6]),
                          .message = f[7],
                          .rule = f[8]});
  }
  return out;
}

std::string unhex(const std::string& hex) {
  REQUIRE(hex.size() % 2 == 0);
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out += static_cast<char>(std::stoul(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

// Applies the damage operations, separated by ", ":
//   xor O M       byte O ^= M
//   cut N         keep the first N bytes
//   put O HEX     overwrite the bytes at O with HEX
//   crc A B O     store at O the masked CRC32C of bytes A..B (inclusive),
//                 as a little-endian uint32
//   none          no change
std::string apply_damage(std::string bytes, const std::string& damage) {
  if (damage == "none") return bytes;
  for (const std::string& op : split(damage, ", ")) {
    INFO("damage: " << op);
    const auto w = split(op, " ");
    if (w[0] == "xor" && w.size() == 3) {
      const auto o = parse_number(w[1]);
      REQUIRE(o < bytes.size());
      bytes[o] = static_cast<char>(bytes[o] ^ static_cast<char>(parse_number(w[2])));
    } else if (w[0] == "cut" && w.size() == 2) {
      const auto n = parse_number(w[1]);
      REQUIRE(n < bytes.size());
      bytes.resize(n);
    } else if (w[0] == "put" && w.size() == 3) {
      const auto o = parse_number(w[1]);
      const std::string b = unhex(w[2]);
      REQUIRE(o + b.size() <= bytes.size());
      bytes.replace(o, b.size(), b);
    } else if (w[0] == "crc" && w.size() == 4) {
      const auto a = parse_number(w[1]);
      const auto b = parse_number(w[2]);
      const auto o = parse_number(w[3]);
      REQUIRE(a <= b);
      REQUIRE(b < bytes.size());
      REQUIRE(o + 4 <= bytes.size());
      std::string crc;
      util::put_fixed32(&crc, crc32c::mask(crc32c::value(bytes.data() + a, b - a + 1)));
      bytes.replace(o, 4, crc);
    } else {
      FAIL("unknown damage operation");
    }
  }
  return bytes;
}

// Reads `dir`/`name` with the library's reader for `reader`; the first error.
Status read_with_library(const std::string& dir, const std::string& name,
                         const std::string& reader) {
  auto fs = posix_file_system();
  const std::string path = join_path(dir, name);
  if (reader == "table") {
    const auto parsed = parse_file_name(name);
    REQUIRE(parsed);
    auto file = fs->open_readable_file(path);
    if (!file.is_ok()) return file.status();
    auto table = table::Table::open(std::move(file).value(), name, parsed->number, nullptr);
    if (!table.is_ok()) return table.status();
    auto it = (*table)->new_iterator();
    for (it->seek_to_first(); it->valid(); it->next()) {
    }
    return it->status();
  }
  if (reader == "wal") {
    const auto parsed = parse_file_name(name);
    REQUIRE(parsed);
    const std::string contents = read_file(path);
    auto stats = wal::replay(
        contents, name, parsed->number, false, [](std::string_view rep, std::uint64_t offset) {
          return WriteBatchAccess::for_each(rep, "wal", offset,
                                            [](EntryKind, std::string_view, std::string_view) {});
        });
    return stats.status();
  }
  REQUIRE(reader == "manifest");
  REQUIRE(name == "MANIFEST");
  return manifest::replay(*fs, dir).status();
}

}  // namespace

TEST_CASE("spec bad files: each is its source vector with the listed damage", "[spec]") {
  const auto expected = read_expected();
  REQUIRE(!expected.empty());
  std::set<std::string> listed;
  for (const BadFile& b : expected) {
    INFO(b.file);
    CHECK(listed.insert(b.file).second);
    const std::string bytes = apply_damage(read_file(kTestdata / b.source), b.damage);
    if (updating()) write_file(kBad / b.file, bytes);
    CHECK(read_file(kBad / b.file) == bytes);
  }
  std::set<std::string> present;
  for (const auto& e : fsys::directory_iterator(kBad)) {
    const std::string name = e.path().filename().string();
    if (name != "expected.txt") present.insert(name);
  }
  CHECK(present == listed);
}

TEST_CASE("spec bad files: the library's readers report the listed error", "[spec]") {
  for (const BadFile& b : read_expected()) {
    INFO(b.file << " read as " << b.read_as << " (" << b.rule << ")");
    sand::test::TempDir tmp;
    fsys::copy_file(kBad / b.file, fsys::path(tmp.path()) / b.read_as);
    const std::string want = b.read_as + ": offset " + std::to_string(b.offset) + ": " + b.message;

    const Status s = read_with_library(tmp.path(), b.read_as, b.reader);
    INFO(s.to_string());
    CHECK(std::string(code_name(s.code())) == b.kind);
    // Table and WAL readers name the file as given; manifest::replay names
    // it with its directory.
    const std::string got = s.message();
    CHECK((got == want || got == join_path(tmp.path(), want)));

    // check_database on a directory holding only this file reports the same
    // place (a table or WAL without a MANIFEST is checked on its own).
    const CheckReport report = must(check_database(tmp.path()));
    bool found = false;
    for (const CheckProblem& p : report.problems) {
      INFO("problem: " << p.file << " offset " << p.offset << ": " << p.what);
      if (p.file == b.read_as && p.offset == b.offset && p.what == b.message) found = true;
    }
    CHECK(found);
  }
}
