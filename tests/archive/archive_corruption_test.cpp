// A damaged archive never imports: every byte of the small vector flipped in
// turn, and the vector cut at every length, fail with Corruption naming the
// stream and an offset, and leave no database (and no file) behind. Also the
// header checks one by one, an unknown format version, a non-empty target,
// and a failing output stream.
#include <catch2/catch.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "archive/archive_format.hpp"
#include "archive/archive_test_support.hpp"
#include "sand/sand.hpp"
#include "spec/spec_testdata.hpp"
#include "support/db_helpers.hpp"
#include "util/coding.hpp"
#include "util/crc32c.hpp"

using namespace sand;
using sand::test::must;
namespace td = sand::spec_testdata;

namespace {

std::string vector_bytes() { return td::read_file(td::kTestdata / "archive_small.sandx"); }

// Imports `bytes` into /db of a fresh memory file system; returns the
// status and checks nothing was left: no /db, and nothing in /db.import-tmp.
Status import_leaves_nothing(const std::string& bytes) {
  auto fs = memory_file_system();
  std::istringstream in(bytes);
  const Result<ArchiveSummary> r =
      import_archive("/dbs/db", in, Options{.file_system = fs}, {.name = "x.sandx"});
  if (r.is_ok()) return Status::ok();
  CHECK_FALSE(fs->exists("/dbs/db"));
  const auto left = fs->list_dir("/dbs/db.import-tmp");
  CHECK((!left.is_ok() || left->empty()));
  return r.status();
}

// "x.sandx: offset N: ..." -> N, or -1.
long long offset_of(const Status& s) {
  static const std::regex re("^x\\.sandx: offset ([0-9]+): ");
  std::smatch m;
  if (!std::regex_search(s.message(), m, re)) return -1;
  return std::stoll(m[1]);
}

// Rewrites the header checksum after a deliberate change to the header.
void reseal_header(std::string& bytes) {
  const std::uint32_t crc = crc32c::value(bytes.data(), archive::kHeaderCrcOffset);
  util::encode_fixed32(bytes.data() + archive::kHeaderCrcOffset, crc32c::mask(crc));
}

}  // namespace

TEST_CASE("the small vector imports", "[archive][corruption]") {
  CHECK(import_leaves_nothing(vector_bytes()).is_ok());
}

TEST_CASE("every flipped byte of the small vector is Corruption with an offset",
          "[archive][corruption]") {
  const std::string good = vector_bytes();
  REQUIRE(good.size() > 100);
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (const unsigned char flip : {0x01, 0x80, 0xff}) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      const Status s = import_leaves_nothing(bad);
      INFO("byte " << i << " ^ " << int(flip) << ": " << s.to_string());
      REQUIRE(s.code() == Code::kCorruption);
      const long long at = offset_of(s);
      REQUIRE(at >= 0);
      // The structure that holds the byte, or for the header the checksum
      // that covers it (checked before the fields).
      CHECK((static_cast<std::size_t>(at) <= i || at == archive::kHeaderCrcOffset));
    }
  }
}

TEST_CASE("the small vector cut at every length is Corruption with an offset",
          "[archive][corruption]") {
  const std::string good = vector_bytes();
  for (std::size_t n = 0; n < good.size(); ++n) {
    const Status s = import_leaves_nothing(good.substr(0, n));
    INFO("cut at " << n << ": " << s.to_string());
    REQUIRE(s.code() == Code::kCorruption);
    const long long at = offset_of(s);
    REQUIRE(at >= 0);
    CHECK(static_cast<std::size_t>(at) <= n);
  }
}

TEST_CASE("bytes after the trailer are Corruption at the trailer's end", "[archive][corruption]") {
  const std::string good = vector_bytes();
  const Status s = import_leaves_nothing(good + "x");
  CHECK(s.message() ==
        "x.sandx: offset " + std::to_string(good.size()) + ": bytes after the archive trailer");
}

TEST_CASE("archive header checks, in order, with their offsets", "[archive][corruption]") {
  const std::string good = vector_bytes();
  SECTION("not an archive") {
    CHECK(import_leaves_nothing("hello, world").message() ==
          "x.sandx: offset 0: bad magic: not a sanddb archive");
  }
  SECTION("an empty stream") {
    CHECK(import_leaves_nothing("").message() ==
          "x.sandx: offset 0: truncated archive: the stream ends at offset 0, inside the file "
          "header");
  }
  SECTION("an unknown format version is refused, naming it") {
    std::string bad = good;
    util::encode_fixed32(bad.data() + archive::kVersionOffset, 2);
    reseal_header(bad);
    CHECK(import_leaves_nothing(bad).message() ==
          "x.sandx: offset 8: unsupported archive format version 2");
  }
  SECTION("unknown flags") {
    std::string bad = good;
    util::encode_fixed32(bad.data() + archive::kFlagsOffset, 1);
    reseal_header(bad);
    CHECK(import_leaves_nothing(bad).message() == "x.sandx: offset 12: unknown archive flags 1");
  }
  SECTION("a mark above last_version") {
    std::string bad = good;
    util::encode_fixed64(bad.data() + archive::kMarkOffset, 1000);
    reseal_header(bad);
    CHECK(import_leaves_nothing(bad).message() ==
          "x.sandx: offset 24: low_water_mark 1000 is above last_version 13");
  }
  SECTION("a damaged header") {
    std::string bad = good;
    bad[20] ^= 1;
    CHECK(import_leaves_nothing(bad).message() ==
          "x.sandx: offset 32: archive header checksum mismatch");
  }
  SECTION("a chunk dropped") {
    // The first chunk starts right after the header; drop it whole.
    const std::uint32_t length = util::decode_fixed32(good.data() + archive::kHeaderSize);
    const std::size_t chunk = archive::kChunkHeaderSize + length + archive::kChunkCrcSize;
    std::string bad =
        good.substr(0, archive::kHeaderSize) + good.substr(archive::kHeaderSize + chunk);
    CHECK(import_leaves_nothing(bad).message() ==
          "x.sandx: offset 36: chunk header checksum mismatch");
  }
}

TEST_CASE("import refuses a non-empty directory and leaves it alone", "[archive]") {
  auto fs = memory_file_system();
  must(fs->create_dir("/db"));
  {
    auto f = must(fs->new_writable_file("/db/notes.txt"));
    must(f->append("mine"));
    must(f->close());
  }
  std::istringstream in(vector_bytes());
  const Result<ArchiveSummary> r = import_archive("/db", in, Options{.file_system = fs});
  REQUIRE(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().message().starts_with("/db: not empty"));
  CHECK(must(fs->list_dir("/db")) == std::vector<std::string>{"notes.txt"});
}

TEST_CASE("import into an existing empty directory", "[archive]") {
  sand::test::TempDir dir;
  const std::string path = dir.path() + "/db";
  std::filesystem::create_directory(path);
  std::istringstream in(vector_bytes());
  const ArchiveSummary s = must(import_archive(path, in));
  CHECK(s.last_version == 13);
  auto db = must(DB::open(path, Options{.create_if_missing = false}));
  CHECK(must(db->get("apple")) == std::optional<std::string>("again"));
  CHECK(must(db->put("fig", "f")) == 14);
  CHECK(db->low_water_mark() == 8);
}

TEST_CASE("export into a failing stream is an IOError naming the offset", "[archive]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  must(db->put("k", "v"));
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  const Result<ArchiveSummary> r = export_archive(*db, out, {.name = "out.sandx"});
  CHECK(r.status().code() == Code::kIOError);
  CHECK(r.status().message() == "out.sandx: write failed at offset 0");
}
