// check_database (sand/check.hpp) on databases with value files
// (spec/values.md section 5): a WAL below wal_number that the manifest lists
// as a value file is checked as a sealed WAL, not noted as an orphan; a
// missing or truncated value file, a referenced value whose bytes fail their
// checksum, a reference past the file's end, a reference to a file its
// table's value_refs omit, and value_refs that do not sum the references are
// each a problem; spec/testdata/db_values checks clean. A value log
// (`NNNNNN.val`, written by compaction) is checked as one and reported as
// CheckFileType::kValueLog (a value file of the WAL kind as kWal): a clean
// one is ok, a damaged value, a damaged record or a truncated file is a
// problem naming it, and one the manifest does not name is an orphan note.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "check_report_util.hpp"
#include "db/filenames.hpp"
#include "manifest/manifest_log.hpp"
#include "sand/check.hpp"
#include "support/db_helpers.hpp"
#include "support/temp_dir.hpp"
#include "wal/log_format.hpp"

using namespace sand;
using sand::test::describe;
using sand::test::file_named;
using sand::test::must;
using sand::test::one_problem;
using sand::test::read_all;
using sand::test::write_all;

namespace {

constexpr const char* kDir = "/db";
constexpr std::size_t kValueSize = 100;  // referenced: the threshold is 64

std::string key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%03d", i);
  return buf;
}

// kValueSize bytes, different for every i (so each is found once in the
// value files).
std::string big_value(int i) {
  std::string v = "value-" + std::to_string(i) + "-";
  while (v.size() < kValueSize) v += static_cast<char>('a' + (i + v.size()) % 26);
  return v;
}

Options value_options(std::shared_ptr<FileSystem> fs) {
  Options o;
  o.value_separation_threshold = 64;
  o.l0_trigger = 100;  // no compaction: the tables and value files stay as flushed
  o.l0_stop = 200;
  o.file_system = std::move(fs);
  return o;
}

// Two flushes of 8 referenced values and 4 short ones each (two value files),
// then unflushed writes in the live WAL.
std::map<std::string, std::string> build_database() {
  auto fs = memory_file_system();
  {
    auto db = must(DB::open(kDir, value_options(fs)));
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 8; ++i) must(db->put(key(round * 10 + i), big_value(round * 10 + i)));
      for (int i = 8; i < 10; ++i) must(db->put(key(round * 10 + i), "short"));
      must(db->del(key(round * 10 + 8)));
      must(db->flush());
    }
    must(db->put(key(50), big_value(50)));
    must(db->put(key(51), "short"));
    must(db->close());
  }
  std::map<std::string, std::string> out;
  for (const std::string& name : must(fs->list_dir(kDir))) {
    out[name] = read_all(*fs, join_path(kDir, name));
  }
  return out;
}

const std::map<std::string, std::string>& pristine_files() {
  static const std::map<std::string, std::string> files = build_database();
  return files;
}

// 1000 bytes, different for every key and round.
std::string log_value(int i, int round) {
  std::string v = "round-" + std::to_string(round) + "-" + key(i) + "-";
  while (v.size() < 1000) v += static_cast<char>('a' + (i * 7 + round + v.size()) % 26);
  return v;
}

// A database where compaction wrote a value log: three flushed rounds of
// overwrites of 30 keys with 1000-byte values, then forget_before the last
// version and compact(), which moves the live values of the partly dead
// value files into a value log.
std::map<std::string, std::string> build_value_log_database() {
  auto fs = memory_file_system();
  {
    Options o;
    o.value_separation_threshold = 64;
    o.memtable_size = 16 << 10;
    o.retention = Retention::kAll;
    o.file_system = fs;
    auto db = must(DB::open(kDir, o));
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < 30; ++i) must(db->put(key(i), log_value(i, round)));
      must(db->flush());
    }
    must(db->forget_before(db->last_version()));
    must(db->compact());
    must(db->close());
  }
  std::map<std::string, std::string> out;
  for (const std::string& name : must(fs->list_dir(kDir))) {
    out[name] = read_all(*fs, join_path(kDir, name));
  }
  return out;
}

const std::map<std::string, std::string>& value_log_files() {
  static const std::map<std::string, std::string> files = build_value_log_database();
  return files;
}

// The smallest database with a value log, in kDir of `fs`: two keys with
// 100-byte values flushed, one of them overwritten and a short value put
// (so that the overwrite is below the mark: a merge keeps each key's newest
// version below it) and flushed, then forget_before the last version and
// compact(), which moves the live value out of the first WAL (half dead)
// into a value log. spec/testdata/db_value_log is made the same way.
void build_small_value_log_database(const std::shared_ptr<FileSystem>& fs) {
  auto db = must(DB::open(kDir, Options{.value_separation_threshold = 64,
                                        .compression = Compression::kNone,
                                        .file_system = fs}));
  must(db->put(key(1), big_value(1)));
  must(db->put(key(2), big_value(2)));
  must(db->flush());
  must(db->put(key(1), big_value(3)));
  must(db->put("tick", "1"));
  must(db->flush());
  must(db->forget_before(db->last_version()));
  must(db->compact());
  must(db->close());
}

// The type check_database reports for the file `name`, by its name.
CheckFileType type_by_name(const std::string& name) {
  if (name == "MANIFEST") return CheckFileType::kManifest;
  if (name.ends_with(".sst")) return CheckFileType::kTable;
  if (name.ends_with(".val")) return CheckFileType::kValueLog;
  CHECK(name.ends_with(".wal"));
  return CheckFileType::kWal;
}

// A fresh copy of the shared database (or of `files`).
struct Fixture {
  Fixture() : Fixture(pristine_files()) {}
  explicit Fixture(const std::map<std::string, std::string>& files) {
    must(fs->create_dir(kDir));
    for (const auto& [name, bytes] : files) write_all(*fs, join_path(kDir, name), bytes);
    state = must(manifest::replay(*fs, kDir));
  }
  // The name of the first value log the manifest lists.
  std::string first_value_log() const {
    for (const auto& [number, meta] : state.value_files) {
      if (meta.kind == manifest::ValueFileKind::kValueLog) return value_log_file_name(number);
    }
    FAIL("the manifest lists no value log");
    return {};
  }
  std::string path(std::string_view name) const { return join_path(kDir, name); }
  CheckReport check() const { return must(check_database(kDir, Options{.file_system = fs})); }
  // The value file holding big_value(i), and where in it the value starts.
  std::pair<std::string, std::uint64_t> value_at(int i) const {
    for (const auto& [number, meta] : state.value_files) {
      const std::string bytes = read_all(*fs, path(wal_file_name(number)));
      const std::size_t at = bytes.find(big_value(i));
      if (at != std::string::npos) return {wal_file_name(number), at};
    }
    FAIL("big_value(" << i << ") is in no value file");
    return {};
  }
  // Writes a MANIFEST that describes `s`.
  void rewrite_manifest(manifest::State s) const {
    must(must(manifest::ManifestLog::create(*fs, kDir, s))->close());
  }

  std::shared_ptr<FileSystem> fs = memory_file_system();
  manifest::State state;
};

bool has_problem(const CheckReport& r, const CheckProblem& p) {
  return std::find(r.problems.begin(), r.problems.end(), p) != r.problems.end();
}

// The number of the live table that references values in `value_file`.
std::uint64_t table_referencing(const manifest::State& s, std::uint64_t value_file) {
  for (const auto& [number, meta] : s.tables) {
    for (const manifest::ValueRefTally& t : meta.value_refs) {
      if (t.file == value_file) return number;
    }
  }
  FAIL("no table references " << wal_file_name(value_file));
  return 0;
}

}  // namespace

TEST_CASE("value files: a clean database with value files is ok and none is an orphan",
          "[db][check][values]") {
  Fixture db;
  REQUIRE(db.state.value_files.size() == 2);
  std::uint64_t done = 0, total = 0;
  const CheckReport r =
      must(check_database(kDir, Options{.file_system = db.fs},
                          CheckOptions{.progress = [&](std::uint64_t files_done,
                                                       std::uint64_t files_total, std::uint64_t) {
                            done = files_done;
                            total = files_total;
                          }}));
  INFO(describe(r));
  CHECK(r.ok());
  CHECK(done == r.files.size());
  CHECK(total == r.files.size());

  // MANIFEST, the tables, the value files (below wal_number), the live WALs.
  std::vector<std::string> expected = {"MANIFEST"};
  for (const auto& [number, meta] : db.state.tables) expected.push_back(table_file_name(number));
  for (const auto& [number, meta] : db.state.value_files) expected.push_back(wal_file_name(number));
  std::uint64_t live_wals = 0;
  for (const auto& [name, bytes] : pristine_files()) {
    const auto parsed = parse_file_name(name);
    if (parsed && parsed->type == FileType::kWal && parsed->number >= db.state.wal_number) {
      expected.push_back(name);
      ++live_wals;
    }
  }
  std::vector<std::string> order;
  for (const CheckedFile& f : r.files) order.push_back(f.file);
  CHECK(order == expected);

  for (const auto& [number, meta] : db.state.value_files) {
    const std::string name = wal_file_name(number);
    INFO(name);
    CHECK(number < db.state.wal_number);
    const CheckedFile& f = file_named(r, name);
    CHECK(f.outcome == CheckedFile::Outcome::kOk);
    CHECK(f.type == CheckFileType::kWal);
    CHECK(f.bytes == meta.size);
    CHECK(f.units == 11);  // 8 + 2 puts and 1 delete, a batch each
    CHECK(f.entries == 11);
  }
  // One note per value file saying what it is; none calls it an orphan.
  CHECK(r.notes.size() == db.state.value_files.size());
  for (const CheckNote& n : r.notes) {
    CHECK_FALSE(n.what.starts_with("orphan"));
    CHECK(n.what.starts_with("value file: a WAL below the manifest's wal_number " +
                             std::to_string(db.state.wal_number)));
    const auto parsed = parse_file_name(n.file);
    REQUIRE(parsed);
    CHECK(db.state.value_files.contains(parsed->number));
  }
  CHECK(r.wals.files == db.state.value_files.size() + live_wals);
}

TEST_CASE("value files: a flipped byte inside a referenced value is one problem at the reference",
          "[db][check][values]") {
  Fixture db;
  const auto [name, offset] = db.value_at(3);
  std::string bytes = read_all(*db.fs, db.path(name));
  bytes[offset + 10] = static_cast<char>(bytes[offset + 10] ^ 0x40);
  write_all(*db.fs, db.path(name), bytes);
  const CheckReport r = db.check();
  const std::string what = one_problem(r, name, offset);
  CHECK(what.starts_with("value of " + std::to_string(kValueSize) +
                         " bytes does not match its checksum"));
  CHECK(what.find("entry '" + key(3) + "'@") != std::string::npos);
  CHECK(what.find(".sst") != std::string::npos);
  // The damaged record is reported through its value only; the tables and
  // the other value file are fine.
  for (const CheckedFile& f : r.files) {
    if (f.file != name) CHECK(f.outcome == CheckedFile::Outcome::kOk);
  }
}

TEST_CASE("value files: a flipped byte of a value file outside its values is a record problem",
          "[db][check][values]") {
  Fixture db;
  const std::string name = wal_file_name(db.state.value_files.begin()->first);
  // The first record's payload starts with its batch's version: no value.
  const std::uint64_t record = wal::kFileHeaderSize;
  std::string bytes = read_all(*db.fs, db.path(name));
  bytes[record + wal::kRecordHeaderSize] ^= 0x01;
  write_all(*db.fs, db.path(name), bytes);
  CHECK(one_problem(db.check(), name, record) == "record payload checksum mismatch");
}

TEST_CASE("value files: a deleted value file is a problem naming it", "[db][check][values]") {
  Fixture db;
  for (const auto& [number, meta] : db.state.value_files) {
    Fixture fresh;
    const std::string name = wal_file_name(number);
    must(fresh.fs->remove_file(fresh.path(name)));
    const CheckReport r = fresh.check();
    CHECK(one_problem(r, name, kWholeFile) ==
          "missing: the manifest lists this value file but there is no such file");
    for (const CheckNote& n : r.notes) CHECK(n.file != name);
  }
}

TEST_CASE("value files: a value file cut below its manifest size is a problem",
          "[db][check][values]") {
  Fixture db;
  const auto [name, offset] = db.value_at(17);  // the second flush's last big value
  const std::uint64_t size = db.state.value_files.rbegin()->second.size;
  REQUIRE(name == wal_file_name(db.state.value_files.rbegin()->first));
  const std::string bytes = read_all(*db.fs, db.path(name));
  REQUIRE(bytes.size() == size);
  const std::uint64_t cut = offset + kValueSize / 2;  // inside the value
  write_all(*db.fs, db.path(name), std::string_view(bytes).substr(0, cut));
  const CheckReport r = db.check();
  INFO(describe(r));
  CHECK(has_problem(
      r, CheckProblem{.file = name,
                      .offset = kWholeFile,
                      .what = "file is " + std::to_string(cut) +
                              " bytes, shorter than the manifest's value file size " +
                              std::to_string(size) + " (1 value reference reaches past its end)"}));
  for (const CheckProblem& p : r.problems) CHECK(p.file == name);
  CHECK(file_named(r, name).outcome == CheckedFile::Outcome::kBad);
}

TEST_CASE("value files: a reference past the manifest size names the value file",
          "[db][check][values]") {
  Fixture db;
  const auto [name, offset] = db.value_at(7);  // the first flush's last big value
  manifest::State s = db.state;
  const std::uint64_t number = s.value_files.begin()->first;
  REQUIRE(name == wal_file_name(number));
  s.value_files[number].size = offset + kValueSize - 1;
  db.rewrite_manifest(s);
  const CheckReport r = db.check();
  INFO(describe(r));
  CHECK(r.problems.size() == 2);  // the reference, and the WAL cut short there
  REQUIRE(!r.problems.empty());
  CHECK(r.problems.back().file == name);
  CHECK(r.problems.back().offset == offset);
  CHECK(r.problems.back().what.starts_with("value reference of " + std::to_string(kValueSize) +
                                           " bytes reaches past the end of the file (" +
                                           std::to_string(offset + kValueSize - 1) +
                                           " bytes; entry '" + key(7) + "'@"));
}

TEST_CASE("value files: value_refs that do not sum the references are a table problem",
          "[db][check][values]") {
  Fixture db;
  manifest::State s = db.state;
  const std::uint64_t number = s.value_files.begin()->first;
  const std::uint64_t table = table_referencing(s, number);
  manifest::ValueRefTally& tally = s.tables[table].value_refs.at(0);
  REQUIRE(tally.file == number);
  CHECK(tally.bytes == 8 * kValueSize);
  ++tally.bytes;
  db.rewrite_manifest(s);
  const std::string what = one_problem(db.check(), table_file_name(table), kWholeFile);
  CHECK(what.starts_with("the manifest's value_refs (record at offset "));
  CHECK(
      what.ends_with(") disagree with the bytes the data blocks reference (blocks vs manifest): " +
                     wal_file_name(number) + " " + std::to_string(8 * kValueSize) + " vs " +
                     std::to_string(8 * kValueSize + 1)));
}

TEST_CASE("value files: a reference outside its table's value_refs is a table problem",
          "[db][check][values]") {
  Fixture db;
  manifest::State s = db.state;
  const std::uint64_t number = s.value_files.begin()->first;
  const std::uint64_t table = table_referencing(s, number);
  s.tables[table].value_refs.clear();
  std::string expected;
  SECTION("the value file is live") {
    expected = ", which the manifest's value_refs for this table do not list";
  }
  SECTION("the value file is not live") {
    s.value_files.erase(number);
    expected = ", which is not a live value file";
  }
  db.rewrite_manifest(s);
  const CheckReport r = db.check();
  INFO(describe(r));
  CHECK(r.problems.size() == 8);  // one per reference
  for (const CheckProblem& p : r.problems) {
    CHECK(p.file == table_file_name(table));
    CHECK(p.offset != kWholeFile);
    CHECK(p.what.starts_with("entry '"));
    CHECK(p.what.ends_with(" references " + wal_file_name(number) + expected));
  }
}

TEST_CASE("value files: a copy of spec/testdata/db_values checks clean", "[db][check][values]") {
  test::TempDir dir;
  const std::filesystem::path source =
      std::filesystem::path(SAND_SOURCE_DIR) / "spec" / "testdata" / "db_values";
  for (const auto& entry : std::filesystem::directory_iterator(source)) {
    std::filesystem::copy_file(entry.path(),
                               std::filesystem::path(dir.path()) / entry.path().filename());
  }
  const CheckReport r = must(check_database(dir.path()));
  INFO(describe(r));
  CHECK(r.ok());
  const CheckedFile& value_file = file_named(r, "000002.wal");
  CHECK(value_file.outcome == CheckedFile::Outcome::kOk);
  CHECK(value_file.units == 4);
  CHECK(value_file.entries == 6);
  REQUIRE(r.notes.size() == 1);
  CHECK(r.notes[0].file == "000002.wal");
  CHECK(r.notes[0].what ==
        "value file: a WAL below the manifest's wal_number 4 (already flushed), kept because live "
        "tables reference 254 bytes of values in it; never replayed");
}

TEST_CASE("value files: check finds no problem while a writer with value files compacts",
          "[db][check][values]") {
  auto fs = memory_file_system();
  Options o = sand::test::tiny_compacting_options(fs, Retention::kLatestOnly);
  o.value_separation_threshold = 64;
  auto db = must(DB::open(kDir, o));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      if (!db->put(key(i % 200), big_value(i)).is_ok()) return;
    }
  });
  int checks = 0, with_value_files = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(800);
  while (std::chrono::steady_clock::now() < deadline) {
    const CheckReport r = must(check_database(kDir, Options{.file_system = fs}));
    INFO(describe(r));
    // CHECK and stop, not REQUIRE: the writer thread must be joined below.
    CHECK(r.ok());
    if (!r.ok()) break;
    for (const CheckNote& n : r.notes) {
      if (n.what.starts_with("value file:")) {
        ++with_value_files;
        break;
      }
    }
    ++checks;
  }
  stop = true;
  writer.join();
  CHECK(db->stats().compactions > 0);
  must(db->close());
  INFO(checks << " checks, " << with_value_files << " with value files");
  CHECK(checks > 5);
  CHECK(with_value_files > 0);
}

TEST_CASE("value files: a value log written by compaction checks clean", "[db][check][values]") {
  Fixture db(value_log_files());
  const std::string name = db.first_value_log();
  const std::string bytes = read_all(*db.fs, db.path(name));
  const CheckReport r = db.check();
  INFO(describe(r));
  CHECK(r.ok());
  CHECK(r.problems.empty());
  const CheckedFile& f = file_named(r, name);
  CHECK(f.outcome == CheckedFile::Outcome::kOk);
  CHECK(f.type == CheckFileType::kValueLog);
  CHECK(f.bytes == bytes.size());
  // Every value file: a value log as kValueLog, a kept WAL as kWal.
  for (const auto& [number, meta] : db.state.value_files) {
    const bool value_log = meta.kind == manifest::ValueFileKind::kValueLog;
    const CheckedFile& v =
        file_named(r, value_log ? value_log_file_name(number) : wal_file_name(number));
    CHECK(v.type == (value_log ? CheckFileType::kValueLog : CheckFileType::kWal));
  }
  // One value per record: at most the 30 live values, each 1000 bytes.
  CHECK(f.units > 0);
  CHECK(f.units <= 30);
  CHECK(f.entries == f.units);
  CHECK(f.bytes > wal::kFileHeaderSize + f.units * 1000);
  bool noted = false;
  for (const CheckNote& n : r.notes) {
    CHECK_FALSE(n.what.starts_with("orphan"));
    if (n.file == name) {
      noted = true;
      CHECK(n.what.starts_with("value log: "));
    }
  }
  CHECK(noted);
}

TEST_CASE("value files: a flipped byte inside a value of a value log is one problem there",
          "[db][check][values]") {
  Fixture db(value_log_files());
  const std::string name = db.first_value_log();
  std::string bytes = read_all(*db.fs, db.path(name));
  // The first record's payload is its value, whole.
  const std::uint64_t value = wal::kFileHeaderSize + wal::kRecordHeaderSize;
  REQUIRE(bytes.size() > value + 10);
  bytes[value + 10] = static_cast<char>(bytes[value + 10] ^ 0x40);
  write_all(*db.fs, db.path(name), bytes);
  const CheckReport r = db.check();
  const std::string what = one_problem(r, name, value);
  CHECK(what.starts_with("value of 1000 bytes does not match its checksum"));
  CHECK(what.find(".sst") != std::string::npos);
}

TEST_CASE("value files: a flipped record header byte of a value log is a record problem",
          "[db][check][values]") {
  Fixture db(value_log_files());
  const std::string name = db.first_value_log();
  std::string bytes = read_all(*db.fs, db.path(name));
  bytes[wal::kFileHeaderSize] ^= 0x01;  // the first record's header crc
  write_all(*db.fs, db.path(name), bytes);
  const CheckReport r = db.check();
  // A damaged record followed by good ones is a checksum mismatch; a damaged
  // last record reads as torn, which a value log never is.
  const std::string what = one_problem(r, name, wal::kFileHeaderSize);
  CHECK((what.find("checksum") != std::string::npos || what.starts_with("torn record")));
}

TEST_CASE("value files: a truncated value log is a problem naming it", "[db][check][values]") {
  Fixture db(value_log_files());
  const std::string name = db.first_value_log();
  const std::string bytes = read_all(*db.fs, db.path(name));
  const std::uint64_t cut = bytes.size() - 500;  // inside its last value
  write_all(*db.fs, db.path(name), std::string_view(bytes).substr(0, cut));
  const CheckReport r = db.check();
  INFO(describe(r));
  REQUIRE_FALSE(r.problems.empty());
  for (const CheckProblem& p : r.problems) CHECK(p.file == name);
  CHECK(r.problems[0].offset == kWholeFile);
  CHECK(r.problems[0].what.starts_with("file is " + std::to_string(cut) +
                                       " bytes, shorter than the manifest's value file size " +
                                       std::to_string(bytes.size())));
  CHECK(file_named(r, name).outcome == CheckedFile::Outcome::kBad);
}

TEST_CASE("value files: a value log the manifest does not name is an orphan note",
          "[db][check][values]") {
  Fixture db(value_log_files());
  const std::string orphan = value_log_file_name(db.state.next_file_number + 10);
  write_all(*db.fs, db.path(orphan), "not a value log");
  const CheckReport r = db.check();
  INFO(describe(r));
  CHECK(r.ok());
  for (const CheckedFile& f : r.files) CHECK(f.file != orphan);
  bool noted = false;
  for (const CheckNote& n : r.notes) {
    if (n.file != orphan) continue;
    noted = true;
    CHECK(n.offset == kWholeFile);
    CHECK(n.what ==
          "orphan value log: not named by the manifest (left by a crashed compaction; a "
          "writer's open deletes it)");
  }
  CHECK(noted);
}

TEST_CASE("value files: a deleted value log is a problem naming it", "[db][check][values]") {
  Fixture db(value_log_files());
  const std::string name = db.first_value_log();
  must(db.fs->remove_file(db.path(name)));
  const CheckReport r = db.check();
  INFO(describe(r));
  CHECK(has_problem(r, CheckProblem{.file = name,
                                    .offset = kWholeFile,
                                    .what = "missing: the manifest lists this value log but there "
                                            "is no such file"}));
  for (const CheckProblem& p : r.problems) CHECK(p.file == name);
}

TEST_CASE("value files: a value log is reported as kValueLog and counted with the WALs",
          "[db][check][values]") {
  auto fs = memory_file_system();
  build_small_value_log_database(fs);
  const manifest::State state = must(manifest::replay(*fs, kDir));
  std::uint64_t value_logs = 0;
  for (const auto& [number, meta] : state.value_files) {
    if (meta.kind == manifest::ValueFileKind::kValueLog) ++value_logs;
  }
  REQUIRE(value_logs == 1);

  const CheckReport r = must(check_database(kDir, Options{.file_system = fs}));
  INFO(describe(r));
  CHECK(r.ok());
  std::uint64_t checked_value_logs = 0, checked_wals = 0;
  for (const CheckedFile& f : r.files) {
    INFO(f.file);
    CHECK(f.outcome == CheckedFile::Outcome::kOk);
    CHECK(f.type == type_by_name(f.file));
    if (f.type == CheckFileType::kValueLog) {
      ++checked_value_logs;
      CHECK(state.value_files.at(parse_file_name(f.file)->number).kind ==
            manifest::ValueFileKind::kValueLog);
      CHECK(f.units == 1);  // key002's value, the one live value of the first WAL
      CHECK(f.entries == 1);
      CHECK(f.bytes > kValueSize);
    }
    if (f.type == CheckFileType::kWal) ++checked_wals;
  }
  CHECK(checked_value_logs == 1);
  // CheckReport::wals counts the value log with the WALs.
  CHECK(r.wals.files == checked_wals + checked_value_logs);

  // Without the MANIFEST, the value log checked on its own is still one.
  must(fs->remove_file(join_path(kDir, "MANIFEST")));
  const CheckReport alone = must(check_database(kDir, Options{.file_system = fs}));
  INFO(describe(alone));
  std::uint64_t alone_value_logs = 0;
  for (const CheckedFile& f : alone.files) {
    INFO(f.file);
    if (f.file == "MANIFEST") continue;
    CHECK(f.type == type_by_name(f.file));
    if (f.type == CheckFileType::kValueLog) {
      ++alone_value_logs;
      CHECK(f.outcome == CheckedFile::Outcome::kOk);
    }
  }
  CHECK(alone_value_logs == 1);
}

TEST_CASE("value files: spec/testdata/db_value_log reports its value log as kValueLog",
          "[db][check][values]") {
  test::TempDir dir;
  const std::filesystem::path source =
      std::filesystem::path(SAND_SOURCE_DIR) / "spec" / "testdata" / "db_value_log";
  for (const auto& entry : std::filesystem::directory_iterator(source)) {
    std::filesystem::copy_file(entry.path(),
                               std::filesystem::path(dir.path()) / entry.path().filename());
  }
  const CheckReport r = must(check_database(dir.path()));
  INFO(describe(r));
  CHECK(r.ok());
  CHECK(file_named(r, "MANIFEST").type == CheckFileType::kManifest);
  CHECK(file_named(r, "000011.sst").type == CheckFileType::kTable);
  CHECK(file_named(r, "000004.wal").type == CheckFileType::kWal);  // a kept WAL
  CHECK(file_named(r, "000008.wal").type == CheckFileType::kWal);  // the live WAL
  const CheckedFile& log = file_named(r, "000012.val");
  CHECK(log.type == CheckFileType::kValueLog);
  CHECK(log.outcome == CheckedFile::Outcome::kOk);
  CHECK(log.units == 1);
  CHECK(r.wals.files == 3);
}
