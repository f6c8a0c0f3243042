// File corruption matrix (issue 5): damage to a table, the MANIFEST, a
// left-over MANIFEST.tmp, or a missing table or WAL ends in Corruption (or
// NotFound) naming the file, or in an open whose every read equals the model
// or refuses with Corruption naming the damaged table; never in a crash, a
// hang, a wrong value or a database missing acknowledged writes.
// check_database reports a problem naming the file (or, for a torn MANIFEST
// tail and MANIFEST.tmp, a note).
//
// The databases (built once each, in memory, with LZ4 off and on): level 2
// from a compaction, a level-1 run from the level-0 trigger, a level-0 table,
// a live WAL, and a MANIFEST holding the snapshot record plus the edits of
// that session. Table structures are found from the footer (spec/sstable.md
// section 8: fixed-width handles at fixed places); MANIFEST record ends from
// its size after each flush and compaction, never from its framing (which is
// changing); the log header size from a new WAL holding only its header.
//
// Cases that disagree are listed by CaseLog (the test fails, the list says
// what the engine did).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sand/check.hpp"
#include "sand/sand.hpp"
#include "support/corruption_matrix.hpp"
#include "support/crash_model.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using namespace sand::test;

namespace {

const std::string kDir = kMatrixDir;
const std::string kManifest = "MANIFEST";
const std::string kManifestTmp = "MANIFEST.tmp";

std::string key_name(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%03d", i);
  return buf;
}

// A compressible value of about `len` bytes, unique to (tag, i).
std::string value_of(const std::string& tag, int i, std::size_t len) {
  std::string v = tag + "-" + std::to_string(i) + "-";
  v.append(len > v.size() ? len - v.size() : 0, static_cast<char>('a' + i % 3));
  return v;
}

std::uint64_t size_of(FileSystem& fs, const std::string& name) {
  return read_file(fs, kDir + "/" + name).size();
}

struct FileDb {
  std::string title;
  DirFiles files;
  VersionedModel model;
  std::vector<std::string> keys;
  std::uint64_t header_size = 0;             // a log file's header
  std::vector<std::uint64_t> manifest_ends;  // known record ends; back() = size
  std::map<std::string, int> level_of;       // live table -> level
  std::string wal;                           // the live WAL
};

struct Builder {
  DB& db;
  VersionedModel& model;

  void put(const std::string& key, const std::string& value, bool sync = false) {
    const Version v =
        must(db.put(key, value, WriteOptions{.sync = sync ? SyncMode::kSync : SyncMode::kDefault}));
    apply_batch(&model, v, {{key, value}});
  }
  void del(const std::string& key) {
    const Version v = must(db.del(key));
    apply_batch(&model, v, {{key, std::nullopt}});
  }
};

FileDb build_file_db(Compression compression) {
  FileDb out;
  out.title = compression == Compression::kLz4 ? "lz4" : "no compression";
  auto fs = memory_file_system();
  auto db = must(DB::open(kDir, Options{.memtable_size = 1 << 20,
                                        .block_size = 256,
                                        .block_restart_interval = 4,
                                        .compression = compression,
                                        .l0_trigger = 2,
                                        .l0_stop = 200,
                                        .l1_trigger = 1000,
                                        .target_file_size = 4096,
                                        .file_system = fs}));
  const auto wals = names_with_suffix(*fs, kDir, ".wal");
  REQUIRE(wals.size() == 1);
  out.header_size = size_of(*fs, wals[0]);  // nothing written yet: the header
  out.manifest_ends.push_back(size_of(*fs, kManifest));
  auto mark = [&] {
    const std::uint64_t s = size_of(*fs, kManifest);
    if (s != out.manifest_ends.back()) out.manifest_ends.push_back(s);
  };
  std::set<std::string> seen;
  auto new_tables = [&](int level) {
    for (const std::string& t : names_with_suffix(*fs, kDir, ".sst")) {
      if (seen.insert(t).second) out.level_of[t] = level;
    }
  };
  Builder b{*db, out.model};

  // Level 2: everything so far, compacted.
  for (int i = 0; i < 60; ++i) b.put(key_name(i), value_of("first", i, 60 + i % 40));
  b.del(key_name(5));
  b.del(key_name(10));
  must(db->flush());
  mark();
  must(db->compact());
  mark();
  new_tables(2);
  // Level 1: two flushes merged by the level-0 trigger.
  for (int i = 0; i < 20; ++i) b.put(key_name(i), value_of("second", i, 50));
  must(db->flush());
  mark();
  for (int i = 20; i < 40; ++i) b.put(key_name(i), value_of("second", i, 50));
  must(db->flush());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (db->stats().tables[0] != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(db->stats().tables[0] == 0);
  mark();
  new_tables(1);
  // Level 0.
  for (int i = 40; i < 50; ++i) b.put(key_name(i), value_of("third", i, 70));
  b.del(key_name(41));
  must(db->flush());
  mark();
  new_tables(0);
  // The live WAL.
  for (int i = 50; i < 55; ++i) b.put(key_name(i), value_of("fourth", i, 20), true);
  b.del(key_name(0));
  const Stats stats = db->stats();
  REQUIRE(stats.tables[0] == 1);
  REQUIRE(stats.tables[1] >= 1);
  REQUIRE(stats.tables[2] >= 1);
  must(db->close());

  out.files = read_dir_files(*fs, kDir);
  REQUIRE(out.files.at(kManifest).size() == out.manifest_ends.back());
  for (auto it = out.level_of.begin(); it != out.level_of.end();) {
    it = out.files.contains(it->first) ? std::next(it) : out.level_of.erase(it);
  }
  REQUIRE(out.level_of.size() == stats.tables[0] + stats.tables[1] + stats.tables[2]);
  const auto live_wals = names_with_suffix(*fs, kDir, ".wal");
  REQUIRE(live_wals.size() == 1);
  out.wal = live_wals[0];
  out.keys = all_keys(out.model);
  return out;
}

const FileDb& file_db(Compression compression) {
  static const FileDb plain = build_file_db(Compression::kNone);
  static const FileDb lz4 = build_file_db(Compression::kLz4);
  return compression == Compression::kLz4 ? lz4 : plain;
}

// ---- Running a case ----

enum class Want {
  // A damaged table: the open fails with Corruption naming it, or every read
  // is right or refused with Corruption naming it. check: a problem naming it.
  kTable,
  // The same, but the open must fail (the footer is no longer at the end).
  kTableOpenFails,
  // A damaged MANIFEST: Corruption or NotFound naming MANIFEST or a file it
  // names, or an open with every write. check: a problem, or a torn-tail
  // note naming MANIFEST.
  kBadManifest,
  // Garbage after the last MANIFEST record: an open with every write; check:
  // no problem, a torn-tail note.
  kTornManifest,
  // A left-over MANIFEST.tmp: an open with every write that removes it;
  // check: no problem, a note naming it.
  kTmpIgnored,
  // A missing file: Corruption or NotFound naming it; check: a problem.
  kMissing,
};

struct Case {
  std::string label;
  std::string file;                  // the damaged (or missing) file
  std::optional<std::string> bytes;  // nullopt: the file is removed
  Want want = Want::kTable;
};

bool names_some_file(const Status& s) {
  static const std::regex kName("MANIFEST|[0-9]{6,}\\.(sst|wal)");
  return std::regex_search(s.message(), kName);
}

std::string check_expectation(const CheckReport& r, const Case& c) {
  bool good = false;
  std::string want;
  switch (c.want) {
    case Want::kTable:
    case Want::kTableOpenFails:
    case Want::kMissing:
      good = c.file == kManifest ? !r.problems.empty() : has_problem_naming(r, c.file);
      want = "a problem naming " + c.file;
      break;
    case Want::kBadManifest:
      good = !r.problems.empty() || has_note_naming(r, kManifest);
      want = "a problem, or a torn-tail note naming MANIFEST";
      break;
    case Want::kTornManifest:
      good = r.problems.empty() && has_note_naming(r, kManifest);
      want = "no problem and a torn-tail note naming MANIFEST";
      break;
    case Want::kTmpIgnored:
      good = r.problems.empty() && has_note_naming(r, kManifestTmp);
      want = "no problem and a note naming MANIFEST.tmp";
      break;
  }
  return good ? "" : "check_database: " + show(r) + "; want " + want;
}

// Opens the damaged copy and judges the outcome; `outcome` says which of the
// allowed ones happened, `detail` the status of a failed open.
std::string run_open(const FileDb& db, const Case& c, const std::shared_ptr<FileSystem>& fs,
                     std::string* outcome, std::string* detail) {
  auto opened = DB::open(kDir, Options{.file_system = fs});
  const std::uint64_t file_bytes = std::max<std::uint64_t>(
      db.files.contains(c.file) ? db.files.at(c.file).size() : 0, c.bytes ? c.bytes->size() : 0);
  if (!opened.is_ok()) {
    const Status& s = opened.status();
    *outcome = "open failed";
    *detail = show(s);
    switch (c.want) {
      case Want::kTable:
      case Want::kTableOpenFails: {
        const auto offset = offset_named(s, c.file);
        if (s.code() == Code::kCorruption && offset && *offset <= file_bytes) return "";
        return "want Corruption naming " + c.file + " at an offset inside it; open: " + show(s);
      }
      case Want::kBadManifest:
        if ((s.code() == Code::kCorruption || s.code() == Code::kNotFound) && names_some_file(s)) {
          return "";
        }
        return "want Corruption or NotFound naming MANIFEST or a file it names (or an open "
               "with every write); open: " +
               show(s);
      case Want::kMissing:
        if ((s.code() == Code::kCorruption || s.code() == Code::kNotFound) && mentions(s, c.file)) {
          return "";
        }
        return "want Corruption or NotFound naming " + c.file + "; open: " + show(s);
      case Want::kTornManifest:
      case Want::kTmpIgnored:
        return "want an open with every write; open: " + show(s);
    }
    return "unreachable";
  }
  DB& d = **opened;
  std::string failure;
  std::uint64_t refused = 0;
  switch (c.want) {
    case Want::kTable:
      failure = check_reads(d, db.model, db.keys, c.file, &refused);
      if (!failure.empty()) failure = "opened; reads: " + failure;
      *outcome = refused > 0 ? "opened, reads refused with Corruption" : "opened, every read right";
      break;
    case Want::kTableOpenFails:
    case Want::kMissing:
      failure = "want Corruption naming " + c.file + "; opened, last_version " +
                std::to_string(d.last_version());
      if (const std::string diff = check_reads(d, db.model, db.keys); !diff.empty()) {
        failure += ", reads: " + diff;
      } else {
        failure += ", every read right";
      }
      break;
    case Want::kBadManifest:
    case Want::kTornManifest:
    case Want::kTmpIgnored:
      *outcome = "opened";
      failure = check_reads(d, db.model, db.keys);
      if (!failure.empty()) failure = "opened and lost acknowledged data: " + failure;
      break;
  }
  d.close().ignore();
  if (c.want == Want::kTmpIgnored && fs->exists(kDir + "/" + kManifestTmp)) {
    failure += (failure.empty() ? "" : "; ") + std::string("MANIFEST.tmp not removed at open");
  }
  return failure;
}

void run_cases(const FileDb& db, const std::string& title, const std::vector<Case>& cases) {
  CaseLog log(db.title + ", " + title);
  Watchdog watchdog(std::chrono::seconds(60));
  for (const Case& c : cases) {
    watchdog.arm(c.label);
    DirFiles files = db.files;
    if (c.bytes) {
      files[c.file] = *c.bytes;
    } else {
      files.erase(c.file);
    }
    auto fs = memory_fs_with(kDir, files);
    auto report = check_database(kDir, Options{.file_system = fs});
    std::string failure =
        report.is_ok() ? check_expectation(*report, c) : "check_database: " + show(report.status());
    std::string outcome;
    std::string detail;
    const std::string open = run_open(db, c, fs, &outcome, &detail);
    if (!open.empty()) failure += (failure.empty() ? "" : " | ") + open;
    if (matrix_verbose() && !detail.empty()) std::printf("            %s\n", detail.c_str());
    log.record(c.label, failure);
    if (!outcome.empty()) log.note(outcome);
    watchdog.disarm();
  }
  log.finish();
}

// ---- Table cases ----

std::uint64_t fixed64_at(const std::string& bytes, std::uint64_t offset) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[offset + static_cast<std::uint64_t>(i)]);
  }
  return v;
}

// A stored block: [begin, end) including its 5-byte trailer.
struct Part {
  std::string name;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

// The parts of a table, from its footer (spec/sstable.md sections 1, 8).
std::vector<Part> table_parts(const std::string& bytes) {
  const std::uint64_t size = bytes.size();
  REQUIRE(size >= 64);
  const std::uint64_t footer = size - 64;
  auto block = [&](const char* name, std::uint64_t at) {
    const std::uint64_t offset = fixed64_at(bytes, footer + at);
    const std::uint64_t length = fixed64_at(bytes, footer + at + 8);
    return Part{name, offset, offset + length + 5};
  };
  const Part filter = block("filter", 0);
  const Part index = block("index", 16);
  const Part properties = block("properties", 32);
  const bool has_filter = filter.end > 5;
  std::vector<Part> parts = {{"data", 0, has_filter ? filter.begin : index.begin}};
  if (has_filter) parts.push_back(filter);
  parts.push_back(index);
  parts.push_back(properties);
  parts.push_back({"footer", footer, size});
  REQUIRE(parts.front().end > 0);
  REQUIRE(properties.end == footer);
  return parts;
}

std::vector<Case> table_cases(const FileDb& db, const std::string& table) {
  const std::string& bytes = db.files.at(table);
  const std::uint64_t size = bytes.size();
  const std::string name = table + " (L" + std::to_string(db.level_of.at(table)) + ")";
  std::vector<Case> out;
  auto at = [](const Part& p, std::uint64_t o) {
    return " @" + std::to_string(o) + " (" + p.name + "+" + std::to_string(o - p.begin) + ")";
  };
  for (const Part& p : table_parts(bytes)) {
    std::set<std::uint64_t> flips = {p.begin, (p.begin + p.end) / 2, p.end - 1};
    if (p.name == "data") {
      flips.insert(p.end / 3);
      flips.insert(2 * p.end / 3);
    }
    if (p.name == "footer") {
      for (const std::uint64_t d : {8, 20, 40, 48, 52, 56, 63}) flips.insert(p.begin + d);
    }
    for (const std::uint64_t o : flips) {
      out.push_back({name + " flip bit" + at(p, o), table,
                     flip_bit(bytes, o, static_cast<int>(o % 8)), Want::kTable});
    }
    for (const std::uint64_t o : {p.begin, (p.begin + p.end) / 2}) {
      std::string damaged = zero_range(bytes, o, 16);
      if (damaged == bytes) continue;
      out.push_back({name + " zero 16 bytes" + at(p, o), table, std::move(damaged), Want::kTable});
    }
    out.push_back({name + " truncate" + at(p, p.begin), table, bytes.substr(0, p.begin),
                   Want::kTableOpenFails});
  }
  std::uint64_t index_begin = 0;
  for (const Part& p : table_parts(bytes)) {
    if (p.name == "index") index_begin = p.begin;
  }
  for (const std::uint64_t o : {std::uint64_t{0}, index_begin}) {
    out.push_back({name + " zero 4 KiB @" + std::to_string(o), table, zero_range(bytes, o, 4096),
                   Want::kTable});
  }
  for (const std::uint64_t t : {size / 2, size - 63, size - 1}) {
    out.push_back({name + " truncate @" + std::to_string(t), table, bytes.substr(0, t),
                   Want::kTableOpenFails});
  }
  for (const std::size_t n : {1, 10, 64, 200}) {
    out.push_back({name + " append " + std::to_string(n) + " random bytes", table,
                   bytes + random_bytes(n + 17, n), Want::kTableOpenFails});
  }
  for (const std::size_t n : {8, 100}) {
    out.push_back({name + " append " + std::to_string(n) + " zero bytes", table,
                   bytes + std::string(n, '\0'), Want::kTableOpenFails});
  }
  return out;
}

std::vector<Case> all_table_cases(const FileDb& db) {
  std::vector<Case> out;
  for (const auto& [table, level] : db.level_of) {
    for (Case& c : table_cases(db, table)) out.push_back(std::move(c));
  }
  return out;
}

// ---- MANIFEST cases ----

std::vector<Case> manifest_cases(const FileDb& db) {
  const std::string& bytes = db.files.at(kManifest);
  const std::uint64_t size = bytes.size();
  const std::uint64_t h = db.header_size;
  // Spans: the header, then each run of records between two known ends.
  std::vector<Part> spans = {{"header", 0, h}};
  std::uint64_t begin = h;
  for (std::size_t i = 0; i < db.manifest_ends.size(); ++i) {
    // Usually one record; two where a compaction's edit followed a flush's
    // before the size could be read.
    spans.push_back({"records " + std::to_string(i), begin, db.manifest_ends[i]});
    begin = db.manifest_ends[i];
  }
  auto where = [&](std::uint64_t o) {
    for (const Part& p : spans) {
      if (o >= p.begin && o < p.end) return " (" + p.name + "+" + std::to_string(o - p.begin) + ")";
    }
    return std::string(" (end)");
  };
  std::vector<Case> out;
  std::set<std::uint64_t> flips = {0, 7, 8, 12, 16, 24, h - 1};
  std::set<std::uint64_t> cuts = {0, h / 2, h, h + 1};
  std::set<std::uint64_t> zeros;
  for (const Part& p : spans) {
    if (p.name == "header") continue;
    for (const std::uint64_t d : {0, 2, 5, 9, 13}) flips.insert(p.begin + d);
    flips.insert((p.begin + p.end) / 2);
    flips.insert(p.end - 1);
    cuts.insert(p.begin);
    cuts.insert(p.begin + 1);
    cuts.insert(p.begin - 1);
    cuts.insert((p.begin + p.end) / 2);
    cuts.insert(p.end - 1);
    zeros.insert(p.begin);
    zeros.insert((p.begin + p.end) / 2);
  }
  for (const std::uint64_t o : flips) {
    if (o >= size) continue;
    out.push_back({"MANIFEST flip bit @" + std::to_string(o) + where(o), kManifest,
                   flip_bit(bytes, o, static_cast<int>(o % 8)), Want::kBadManifest});
  }
  for (const std::uint64_t t : cuts) {
    if (t >= size) continue;
    out.push_back({"MANIFEST truncate @" + std::to_string(t) + where(t), kManifest,
                   bytes.substr(0, t), Want::kBadManifest});
  }
  for (const std::uint64_t o : zeros) {
    for (const std::uint64_t n : {std::uint64_t{16}, size}) {
      std::string damaged = zero_range(bytes, o, n);
      if (damaged == bytes) continue;
      out.push_back({"MANIFEST zero " + (n == size ? std::string("to the end") : "16 bytes") +
                         " @" + std::to_string(o) + where(o),
                     kManifest, std::move(damaged), Want::kBadManifest});
    }
  }
  out.push_back({"MANIFEST zero 4 KiB @0 (the whole file)", kManifest, zero_range(bytes, 0, 4096),
                 Want::kBadManifest});
  for (const std::size_t n : {1, 7, 30, 500}) {
    out.push_back({"MANIFEST append " + std::to_string(n) + " random bytes", kManifest,
                   bytes + random_bytes(n + 101, n), Want::kTornManifest});
  }
  for (const std::size_t n : {10, 4096}) {
    out.push_back({"MANIFEST append " + std::to_string(n) + " zero bytes", kManifest,
                   bytes + std::string(n, '\0'), Want::kTornManifest});
  }
  return out;
}

std::vector<Case> tmp_cases(const FileDb& db) {
  const std::string& manifest = db.files.at(kManifest);
  return {
      {"MANIFEST.tmp of 100 random bytes", kManifestTmp, random_bytes(7, 100), Want::kTmpIgnored},
      {"MANIFEST.tmp of 50 zero bytes", kManifestTmp, std::string(50, '\0'), Want::kTmpIgnored},
      {"MANIFEST.tmp = MANIFEST + garbage", kManifestTmp, manifest + random_bytes(8, 40),
       Want::kTmpIgnored},
      {"MANIFEST.tmp = half of MANIFEST", kManifestTmp, manifest.substr(0, manifest.size() / 2),
       Want::kTmpIgnored},
      {"MANIFEST.tmp empty", kManifestTmp, std::string(), Want::kTmpIgnored},
  };
}

std::vector<Case> missing_cases(const FileDb& db) {
  std::vector<Case> out;
  for (const auto& [table, level] : db.level_of) {
    out.push_back({"missing " + table + " (L" + std::to_string(level) + ")", table, std::nullopt,
                   Want::kMissing});
  }
  out.push_back({"missing live WAL " + db.wal, db.wal, std::nullopt, Want::kMissing});
  out.push_back({"missing MANIFEST", kManifest, std::nullopt, Want::kMissing});
  return out;
}

}  // namespace

TEST_CASE("file matrix: the databases have every level and read back whole",
          "[db][corruption][matrix]") {
  for (const Compression c : {Compression::kNone, Compression::kLz4}) {
    const FileDb& db = file_db(c);
    INFO(db.title);
    CHECK(db.manifest_ends.size() >= 5);
    for (const auto& [table, level] : db.level_of) {
      const auto parts = table_parts(db.files.at(table));
      CHECK(parts.size() == 5);  // data, filter, index, properties, footer
    }
    check_undamaged(kDir, db.files, db.model, db.keys);
  }
}

TEST_CASE("file matrix: damaged tables, no compression", "[db][corruption][matrix]") {
  const FileDb& db = file_db(Compression::kNone);
  run_cases(db, "tables", all_table_cases(db));
}

TEST_CASE("file matrix: damaged tables, lz4", "[db][corruption][matrix]") {
  const FileDb& db = file_db(Compression::kLz4);
  run_cases(db, "tables", all_table_cases(db));
}

TEST_CASE("file matrix: damaged MANIFEST", "[db][corruption][matrix]") {
  const FileDb& db = file_db(Compression::kNone);
  run_cases(db, "MANIFEST", manifest_cases(db));
}

TEST_CASE("file matrix: a left-over MANIFEST.tmp is ignored and removed",
          "[db][corruption][matrix]") {
  const FileDb& db = file_db(Compression::kNone);
  run_cases(db, "MANIFEST.tmp", tmp_cases(db));
}

TEST_CASE("file matrix: a missing table, WAL or MANIFEST", "[db][corruption][matrix]") {
  for (const Compression c : {Compression::kNone, Compression::kLz4}) {
    const FileDb& db = file_db(c);
    run_cases(db, "missing files", missing_cases(db));
  }
}

TEST_CASE("file matrix: case count", "[db][corruption][matrix]") {
  std::size_t tables = 0;
  for (const Compression c : {Compression::kNone, Compression::kLz4}) {
    tables += all_table_cases(file_db(c)).size();
  }
  const FileDb& db = file_db(Compression::kNone);
  const std::size_t manifest = manifest_cases(db).size();
  const std::size_t tmp = tmp_cases(db).size();
  const std::size_t missing =
      missing_cases(db).size() + missing_cases(file_db(Compression::kLz4)).size();
  WARN("file corruption matrix: " << tables + manifest + tmp + missing << " cases: " << tables
                                  << " table, " << manifest << " MANIFEST, " << tmp
                                  << " MANIFEST.tmp, " << missing << " missing file");
  CHECK(tables + manifest + tmp + missing >= 300);
}
