// Compressed separated values (spec/wal.md kind 3, spec/values.md raw_size):
// with value separation on and LZ4 chosen, a separated value of at least
// kMinCompressedValueSize bytes that LZ4 shrinks by an eighth is written to
// the WAL as one LZ4 block and referenced compressed. Every read answers with
// the value as written, wherever it lives and whichever options a later open
// uses; the files hold the smaller blocks; a damaged block is Corruption.
#include <catch2/catch.hpp>
#include <map>
#include <sstream>
#include <string>

#include "db/filenames.hpp"
#include "manifest/manifest_log.hpp"
#include "sand/archive.hpp"
#include "sand/sand.hpp"
#include "support/db_helpers.hpp"
#include "util/coding.hpp"
#include "wal/log_format.hpp"
#include "wal/write_batch_codec.hpp"

using namespace sand;
using sand::test::must;

namespace {

Options compressing(std::shared_ptr<FileSystem> fs) {
  Options o;
  o.value_separation_threshold = 100;
  o.compression = Compression::kLz4;
  o.file_system = std::move(fs);
  return o;
}

// A compressible value of `n` bytes that names its key and version: a
// phrase repeated, so LZ4 halves it and a value read from the wrong place
// cannot pass for the right one.
std::string text_of(const std::string& key, int version, std::size_t n) {
  const std::string phrase = key + " at version " + std::to_string(version) + "; ";
  std::string v;
  while (v.size() < n) v += phrase;
  v.resize(n);
  return v;
}

// `n` bytes LZ4 cannot shrink (a linear congruential sequence).
std::string noise(std::uint32_t seed, std::size_t n) {
  std::string v(n, '\0');
  for (char& c : v) {
    seed = seed * 1103515245u + 12345u;
    c = static_cast<char>(seed >> 24);
  }
  return v;
}

// The bytes of every file of `dir` whose type is `type`.
std::uint64_t bytes_of(FileSystem& fs, const std::string& dir, FileType type) {
  std::uint64_t n = 0;
  for (const std::string& name : must(fs.list_dir(dir))) {
    const auto parsed = parse_file_name(name);
    if (parsed && parsed->type == type) {
      n += must(fs.open_readable_file(join_path(dir, name)))->contents().size();
    }
  }
  return n;
}

// Three versions of k0..k5: even keys large and compressible, k1 large and
// incompressible, k3 between the threshold and kMinCompressedValueSize, k5
// small (inline). Returns every version written, (key, version) -> value.
std::map<std::pair<std::string, Version>, std::string> write_versions(DB& db) {
  std::map<std::pair<std::string, Version>, std::string> written;
  for (int round = 1; round <= 3; ++round) {
    for (int i = 0; i < 6; ++i) {
      const std::string key = "k" + std::to_string(i);
      std::string v;
      if (i % 2 == 0) v = text_of(key, round, kMinCompressedValueSize + 1000 * i);
      if (i == 1) v = noise(static_cast<std::uint32_t>(round), kMinCompressedValueSize + 500);
      if (i == 3) v = text_of(key, round, kMinCompressedValueSize - 1);
      if (i == 5) v = text_of(key, round, 20);
      written[{key, must(db.put(key, v))}] = v;
    }
  }
  return written;
}

void check_versions(DB& db, const std::map<std::pair<std::string, Version>, std::string>& written) {
  std::map<std::string, std::string> latest;
  for (const auto& [at, value] : written) {
    CHECK(must(db.get(at.first, at.second)) == value);
    latest[at.first] = value;
  }
  for (const auto& [key, value] : latest) CHECK(must(db.get(key)) == value);
  CHECK(test::collect(must(db.scan())) ==
        std::vector<std::pair<std::string, std::string>>(latest.begin(), latest.end()));
  const std::vector<HistoryEntry> h = must(db.history("k4"));
  REQUIRE(h.size() == 3);
  for (const HistoryEntry& e : h) CHECK(written.at({"k4", e.version}) == e.value);
  auto feed = must(db.changes({.since = 0}));
  std::size_t seen = 0;
  for (; feed.valid(); feed.next()) {
    for (const Change& c : feed.batch().changes) {
      CHECK(written.at({c.key, feed.batch().version}) == c.value);
      ++seen;
    }
  }
  must(feed.status());
  CHECK(seen == written.size());
}

}  // namespace

TEST_CASE("compressed values read back from the memtable and tables and after reopening",
          "[db][values][compression]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/db", compressing(fs)));
  const auto written = write_versions(*db);
  test::check_in_memtable_flushed_and_compacted(*db, [&] { check_versions(*db, written); });
  must(db->close());
  db = must(DB::open("/db", compressing(fs)));
  check_versions(*db, written);
  must(db->close());
  // A later open with other options reads what was written all the same.
  Options plain = compressing(fs);
  plain.value_separation_threshold = 0;
  plain.compression = Compression::kNone;
  db = must(DB::open("/db", plain));
  check_versions(*db, written);
}

TEST_CASE("compressed puts are written to WALs of format version 3 and read back at open",
          "[db][values][compression]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/db", compressing(fs)));
  const std::string big = text_of("big", 1, 8000);
  must(db->put("big", big));
  // The live WAL holds the write as a compressed put: its header says
  // version 3 and its size is far under the value's.
  std::string wal_name;
  for (const std::string& name : must(fs->list_dir("/db"))) {
    const auto parsed = parse_file_name(name);
    if (parsed && parsed->type == FileType::kWal) wal_name = name;
  }
  REQUIRE(!wal_name.empty());
  const std::string wal(must(fs->open_readable_file(join_path("/db", wal_name)))->contents());
  CHECK(wal.substr(0, 16) ==
        wal::log_header_prefix(wal::LogKind::kWal, wal::kWalCompressedFormatVersion));
  CHECK(wal.find(big.substr(0, 200)) == std::string::npos);  // not stored whole
  // Reopening replays the compressed put (whole, into the new table).
  must(db->close());
  db = must(DB::open("/db", compressing(fs)));
  CHECK(must(db->get("big")) == big);
  // Without separation or without LZ4 a writer keeps writing version 2.
  must(db->close());
  Options unseparated = compressing(fs);
  unseparated.value_separation_threshold = 0;
  Options uncompressed = compressing(fs);
  uncompressed.compression = Compression::kNone;
  for (const Options& o : {unseparated, uncompressed}) {
    db = must(DB::open("/db", o));
    must(db->put("again", big));
    CHECK(must(db->get("big")) == big);
    must(db->close());
  }
  for (const std::string& name : must(fs->list_dir("/db"))) {
    const auto parsed = parse_file_name(name);
    if (!parsed || parsed->type != FileType::kWal) continue;
    const std::string bytes(must(fs->open_readable_file(join_path("/db", name)))->contents());
    CHECK(bytes.substr(0, 16) == wal::log_header_prefix(wal::LogKind::kWal));
  }
}

TEST_CASE("the files hold compressed values and compaction moves them compressed",
          "[db][values][compression]") {
  auto fs = memory_file_system();
  Options o = compressing(fs);
  o.memtable_size = 64 << 10;
  auto db = must(DB::open("/db", o));
  const std::size_t kValue = 4096;
  std::uint64_t raw = 0;
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 20; ++i) {
      const std::string key = "key" + std::to_string(i);
      must(db->put(key, text_of(key, round, kValue)));
      raw += kValue;
    }
  }
  must(db->flush());
  const Stats stats = db->stats();
  CHECK(stats.user_bytes_written >= raw);  // the values as written, not as stored
  const std::uint64_t in_wals = bytes_of(*fs, "/db", FileType::kWal);
  INFO("WALs hold " << in_wals << " bytes for " << raw << " bytes of values");
  CHECK(in_wals < raw / 4);  // the phrases compress well
  must(db->forget_before(db->last_version()));
  must(db->compact());
  must(db->close());
  db = must(DB::open("/db", o));
  // compact() moved the newest values out of the partly dead WALs into
  // value logs, still compressed: far fewer bytes than the live values.
  const std::uint64_t live = 20 * kValue;
  const std::uint64_t kept =
      bytes_of(*fs, "/db", FileType::kWal) + bytes_of(*fs, "/db", FileType::kValueLog);
  INFO("value files hold " << kept << " bytes for " << live << " live bytes");
  CHECK(bytes_of(*fs, "/db", FileType::kValueLog) > 0);
  CHECK(kept < live / 2);
  for (int i = 0; i < 20; ++i) {
    const std::string key = "key" + std::to_string(i);
    CHECK(must(db->get(key)) == text_of(key, 9, kValue));
  }
}

TEST_CASE("a damaged compressed value is Corruption naming its file and offset",
          "[db][values][compression]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/db", compressing(fs)));
  must(db->put("big", text_of("big", 1, 6000)));
  must(db->put("other", "small"));
  must(db->flush());
  must(db->close());
  // The value file is the WAL the flushed table references; damage the last
  // byte of its first record's payload, which is inside the LZ4 block.
  const manifest::State state = must(manifest::replay(*fs, "/db"));
  REQUIRE(state.value_files.size() == 1);
  const std::string path = join_path("/db", wal_file_name(state.value_files.begin()->first));
  std::string bytes(must(fs->open_readable_file(path))->contents());
  const std::size_t first_record = wal::kFileHeaderSize;
  const std::size_t length = util::decode_fixed32(bytes.data() + first_record + 4);
  const std::size_t last = first_record + wal::kRecordHeaderSize + length - 1;
  bytes[last] ^= 0x01;
  {
    auto out = must(fs->new_writable_file(path));
    must(out->append(bytes));
    must(out->close());
  }
  db = must(DB::open("/db", compressing(fs)));
  const Result<std::optional<std::string>> got = db->get("big");
  REQUIRE_FALSE(got.is_ok());
  CHECK(got.status().code() == Code::kCorruption);
  CHECK(got.status().message().starts_with(path + ": offset "));
  CHECK(got.status().message().ends_with("does not match its checksum"));
  CHECK(must(db->get("other")) == "small");
}

TEST_CASE("read-only handles checkpoints and archives read compressed values",
          "[db][values][compression]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/db", compressing(fs)));
  const auto written = write_versions(*db);
  // A read-only handle replays the live WAL's compressed puts.
  auto reader = must(DB::open_read_only("/db", compressing(fs)));
  check_versions(*reader, written);
  must(db->flush());
  must(reader->refresh());
  check_versions(*reader, written);

  must(db->checkpoint("/copy"));
  auto copy = must(DB::open("/copy", compressing(fs)));
  check_versions(*copy, written);

  std::stringstream archive;
  must(export_archive(*db, archive));
  must(import_archive("/imported", archive, compressing(fs)));
  auto imported = must(DB::open("/imported", compressing(fs)));
  check_versions(*imported, written);
}
