// WAL corruption matrix (issue 5): every kind of damage at many offsets of a
// real database's WALs ends in Corruption naming the WAL and the damaged
// record's offset, or in a documented torn-tail recovery that keeps exactly
// a prefix of the writes; never in a crash, a hang, a wrong value or a value
// that was never written. check_database agrees (a problem, or a torn-tail
// note).
//
// The database (built once, in memory): a table holding version 1, an older
// WAL whose memtable's flush is held back (GateFileSystem) and the newest
// WAL, both of synced single-record batches; values of mixed sizes so that
// records straddle 4 KiB boundaries. Record boundaries are learned from the
// WAL sizes after each synced write, never from the format (its record
// framing is changing). Stale records are complete records of an older,
// deleted WAL of the same database whose batches were later cut off (their
// keys never exist, so a replayed one shows as a value never written).
//
// The oracle (spec/wal.md, format version 2 reader rules): damage starting
// at byte d and ending at e (exclusive), k the first record it touches:
//  - in the file header: Corruption naming the WAL at an offset inside the
//    header, unless the file is now all zeros (an empty log);
//  - truncation at t: opens with exactly the records that end <= t;
//  - otherwise, if a record lies wholly in [e, size): Corruption at start_k;
//    else (the last record, zeros to the end, garbage appended) a torn tail:
//    opens with records 0..k-1;
//  - in a WAL that is not the newest every damage, torn tails included, is
//    Corruption;
//  - with point_in_time_recovery each Corruption instead opens with records
//    0..k-1 and nothing of later WALs.
// Cases that disagree are listed by CaseLog (the test fails, the list says
// what the engine did).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "sand/check.hpp"
#include "sand/sand.hpp"
#include "support/corruption_matrix.hpp"
#include "support/crash_model.hpp"
#include "support/db_helpers.hpp"
#include "wal/log_format.hpp"

using namespace sand;
using namespace sand::test;

namespace {

const std::string kDir = kMatrixDir;
constexpr WriteOptions kSync{.sync = SyncMode::kSync};
// Lengths of the stale batches' values; the newest and older WALs also hold
// records of these lengths, so a stale record can replace one in place.
constexpr std::size_t kStaleLengths[] = {20, 150, 400, 900, 1300};

std::string key_name(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key-%04d", i);
  return buf;
}

std::string stale_key(int j) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "stale-%02d", j);  // as long as key_name()
  return buf;
}

// A value of exactly `len` bytes starting with `tag` (so every write differs).
std::string value_of(const std::string& tag, std::size_t len) {
  std::string v = tag + ":";
  while (v.size() < len) v += static_cast<char>('a' + (v.size() * 7 + tag.size()) % 26);
  v.resize(len);
  return v;
}

struct Record {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  Version version = 0;
};

struct WalFile {
  std::string name;
  std::vector<Record> records;
  std::uint64_t size() const { return records.empty() ? 0 : records.back().end; }
};

struct WalDb {
  DirFiles files;
  VersionedModel model;           // every committed batch
  std::vector<std::string> keys;  // every key, the stale ones included
  std::uint64_t header_size = 0;  // bytes before a WAL's first record
  Version base = 0;               // the newest version held in tables
  WalFile older, newest;
  std::vector<std::string> stale;  // complete records of a deleted WAL

  const WalFile& wal(bool newest_wal) const { return newest_wal ? newest : older; }
  // The newest version before `f`'s first record.
  Version before(const WalFile& f) const {
    return &f == &newest ? older.records.back().version : base;
  }
};

std::uint64_t size_of(FileSystem& fs, const std::string& name) {
  return read_file(fs, kDir + "/" + name).size();
}

void write_file(FileSystem& fs, const std::string& name, std::string_view bytes) {
  auto file = must(fs.new_writable_file(kDir + "/" + name));
  must(file->append(bytes));
  must(file->close());
}

// Commits synced batches and learns, from the WAL sizes, which WAL each
// record went to and where it lies.
struct Recorder {
  DB& db;
  FileSystem& fs;
  VersionedModel& model;
  std::uint64_t header_size;
  std::map<std::string, std::uint64_t> sizes;

  std::pair<std::string, Record> commit(const ModelBatch& ops) {
    const Version v = must(db.write(to_write_batch(ops), kSync));
    apply_batch(&model, v, ops);
    std::string grown;
    Record record;
    for (const std::string& name : names_with_suffix(fs, kDir, ".wal")) {
      const std::uint64_t now = size_of(fs, name);
      // A WAL created by a switch starts with its header only.
      const std::uint64_t before = sizes.contains(name) ? sizes[name] : header_size;
      if (now != before) {
        REQUIRE(grown.empty());
        REQUIRE(now > before);
        grown = name;
        record = {before, now, v};
      }
      sizes[name] = now;
    }
    REQUIRE(!grown.empty());
    return {grown, record};
  }
};

// The older WAL's batches: ~0.9 KiB puts, some of a stale record's length.
ModelBatch older_batch(int i) {
  static constexpr std::size_t kSizes[] = {600, 1300, 150, 900, 20, 400, 1800, 1100, 250};
  const std::size_t len = kSizes[i % std::size(kSizes)];
  return {{key_name(1 + i % 20), value_of("older" + std::to_string(i), len)}};
}

// The newest WAL's 50 batches: mostly small values, some of 100-600 and
// 900-1800 bytes, a few deletes, one batch of several operations, and five
// puts as long as the stale records.
std::vector<ModelBatch> newest_batches() {
  std::mt19937 rng(20240611);
  auto pick = [&](std::size_t lo, std::size_t hi) {
    return std::uniform_int_distribution<std::size_t>(lo, hi)(rng);
  };
  const std::map<int, int> stale_at = {{10, 0}, {18, 1}, {26, 2}, {30, 3}, {38, 4}};
  std::vector<ModelBatch> out;
  for (int i = 0; i < 50; ++i) {
    const std::string key = key_name(1 + static_cast<int>(pick(0, 29)));
    const std::string tag = "new" + std::to_string(i);
    if (i == 20) {
      out.push_back({{key_name(31), value_of(tag + "a", 300)},
                     {key_name(32), value_of(tag + "b", 12)},
                     {key_name(3), std::nullopt},
                     {key_name(33), value_of(tag + "c", 45)}});
    } else if (i == 7 || i == 15 || i == 33 || i == 41) {
      out.push_back({{key, std::nullopt}});
    } else if (stale_at.contains(i)) {
      out.push_back({{key, value_of(tag, kStaleLengths[stale_at.at(i)])}});
    } else {
      const std::size_t roll = pick(0, 99);
      const std::size_t len = roll < 55   ? pick(1, 60)
                              : roll < 85 ? pick(100, 600)
                                          : pick(900, 1800);
      out.push_back({{key, value_of(tag, len)}});
    }
  }
  return out;
}

WalDb build_wal_db() {
  WalDb out;
  auto mem = memory_file_system();
  // Session 1: version 1, then the batches whose records become stale.
  std::string w0;
  std::vector<std::uint64_t> ends;
  {
    auto db = must(DB::open(kDir, Options{.file_system = mem}));
    const auto wals = names_with_suffix(*mem, kDir, ".wal");
    REQUIRE(wals.size() == 1);
    w0 = wals[0];
    const ModelBatch first = {{key_name(0), value_of("base", 40)}};
    REQUIRE(must(db->write(to_write_batch(first), kSync)) == 1);
    apply_batch(&out.model, 1, first);
    ends.push_back(size_of(*mem, w0));
    for (int j = 0; j < static_cast<int>(std::size(kStaleLengths)); ++j) {
      must(db->put(stale_key(j), value_of("STALE" + std::to_string(j), kStaleLengths[j]), kSync));
      ends.push_back(size_of(*mem, w0));
    }
    must(db->close());
  }
  const std::string w0_bytes = read_file(*mem, kDir + "/" + w0);
  REQUIRE(w0_bytes.size() == ends.back());
  for (std::size_t j = 0; j + 1 < ends.size(); ++j) {
    out.stale.push_back(w0_bytes.substr(ends[j], ends[j + 1] - ends[j]));
  }
  // Cut that WAL back to its first record: the stale batches never happened
  // (their versions are handed out again below), but their bytes are kept.
  write_file(*mem, w0, std::string_view(w0_bytes).substr(0, ends[0]));
  out.base = 1;

  // Session 2: the older WAL fills a memtable whose flush the gate holds
  // back, then the newest WAL gets 50 batches.
  auto gate = std::make_shared<GateFileSystem>(mem);
  auto db = must(DB::open(
      kDir,
      Options{.memtable_size = 24 << 10, .l0_trigger = 100, .l0_stop = 200, .file_system = gate}));
  REQUIRE(db->last_version() == 1);
  const auto wals = names_with_suffix(*gate, kDir, ".wal");
  REQUIRE(wals.size() == 1);
  out.older.name = wals[0];
  out.header_size = size_of(*gate, out.older.name);
  REQUIRE(out.header_size > 0);
  gate->set_open(false);
  Recorder rec{*db, *gate, out.model, out.header_size, {}};
  rec.sizes[out.older.name] = out.header_size;
  for (int i = 0; names_with_suffix(*gate, kDir, ".wal").size() == 1; ++i) {
    REQUIRE(i < 200);
    auto [wal, record] = rec.commit(older_batch(i));
    REQUIRE(wal == out.older.name);
    out.older.records.push_back(record);
  }
  const auto two = names_with_suffix(*gate, kDir, ".wal");
  REQUIRE(two.size() == 2);
  {
    // The switch appended the seal (an empty record, spec/wal.md P7) to the
    // older WAL in the same commit as its last batch: split it off as a
    // record of its own that adds no version.
    Record& last = out.older.records.back();
    const std::uint64_t end = last.end;
    last.end -= wal::kRecordHeaderSize;
    out.older.records.push_back({last.end, end, last.version});
  }
  out.newest.name = two[1];
  for (const ModelBatch& batch : newest_batches()) {
    auto [wal, record] = rec.commit(batch);
    REQUIRE(wal == out.newest.name);
    out.newest.records.push_back(record);
  }
  REQUIRE(names_with_suffix(*gate, kDir, ".wal") == two);  // no further switch
  REQUIRE(names_with_suffix(*gate, kDir, ".sst").size() == 1);
  out.files = read_dir_files(*mem, kDir);
  REQUIRE(out.files.at(out.older.name).size() == out.older.size());
  REQUIRE(out.files.at(out.newest.name).size() == out.newest.size());
  gate->set_open(true);
  must(db->close());

  std::vector<std::string> stale_keys;
  for (int j = 0; j < static_cast<int>(std::size(kStaleLengths)); ++j) {
    stale_keys.push_back(stale_key(j));
  }
  out.keys = all_keys(out.model, stale_keys);
  return out;
}

const WalDb& wal_db() {
  static const WalDb db = build_wal_db();
  return db;
}

// ---- The oracle ----

struct Expect {
  // Strict open: Corruption naming the WAL at `offset` (any offset inside the
  // file header when `header`), else an open with every write <= `version`.
  bool corruption = false;
  bool header = false;
  std::uint64_t offset = 0;
  Version version = 0;
  // Bytes after the last good record remain, from `torn_from` on
  // (check_database notes them, unless they are only zeros after a record:
  // a preallocating writer's space, spec/wal.md "Preallocation").
  bool torn_bytes = false;
  std::uint64_t torn_from = 0;
  // Both a torn tail (open with `version`) and Corruption at `offset` are
  // right (a stale record appended to the newest WAL).
  bool either = false;
  // point_in_time_recovery: every write <= pitr_version (for header damage,
  // where no record is damaged, Corruption is accepted too).
  Version pitr_version = 0;
};

// The newest version kept when `f`'s records before `k` survive.
Version version_before(const WalDb& db, const WalFile& f, std::size_t k) {
  return k == 0 ? db.before(f) : f.records[k - 1].version;
}

bool is_newest(const WalDb& db, const WalFile& f) { return &f == &db.newest; }

Expect expect_truncation(const WalDb& db, const WalFile& f, std::uint64_t t) {
  std::size_t k = 0;
  while (k < f.records.size() && f.records[k].end <= t) ++k;
  const std::uint64_t valid_end =
      t < db.header_size ? 0 : (k == 0 ? db.header_size : f.records[k - 1].end);
  Expect e;
  e.pitr_version = version_before(db, f, k);
  if (is_newest(db, f)) {
    e.version = e.pitr_version;
    e.torn_bytes = t > valid_end;
    e.torn_from = valid_end;
  } else {
    e.corruption = true;  // an older WAL lost acknowledged writes
    e.offset = valid_end;
  }
  return e;
}

Expect expect_overwrite(const WalDb& db, const WalFile& f, const std::string& original,
                        const std::string& damaged) {
  const auto range = changed_range(original, damaged);
  REQUIRE(range);
  Expect e;
  if (range->begin < db.header_size) {
    e.pitr_version = db.before(f);
    if (std::all_of(damaged.begin(), damaged.end(), [](char c) { return c == '\0'; })) {
      // An empty log (spec/wal.md H1): harmless only in the newest WAL.
      e.corruption = !is_newest(db, f);
      e.version = db.before(f);
      e.torn_bytes = true;
    } else {
      e.corruption = true;
      e.header = true;
    }
    return e;
  }
  std::size_t k = 0;
  while (f.records[k].end <= range->begin) ++k;
  const bool intact_after = std::any_of(f.records.begin(), f.records.end(),
                                        [&](const Record& r) { return r.start >= range->end; });
  e.pitr_version = version_before(db, f, k);
  e.offset = f.records[k].start;
  if (intact_after || !is_newest(db, f)) {
    e.corruption = true;
  } else {
    e.version = e.pitr_version;
    e.torn_bytes = true;
    e.torn_from = e.offset;
  }
  return e;
}

Expect expect_append(const WalDb& db, const WalFile& f, bool stale) {
  Expect e;
  e.offset = f.size();
  e.pitr_version = f.records.back().version;
  if (is_newest(db, f)) {
    e.version = e.pitr_version;
    e.torn_bytes = true;
    e.torn_from = f.size();
    e.either = stale;
  } else {
    e.corruption = true;
  }
  return e;
}

// ---- Running a case ----

struct Case {
  std::string label;
  const WalFile* wal = nullptr;
  std::string bytes;  // the damaged WAL
  Expect expect;
  bool pitr_too = false;  // also open it with point_in_time_recovery
};

std::size_t runs(const std::vector<Case>& cases) {
  std::size_t n = 0;
  for (const Case& c : cases) n += c.pitr_too ? 2 : 1;
  return n;
}

std::string check_expectation(const CheckReport& r, const Case& c) {
  const std::string& name = c.wal->name;
  const Expect& e = c.expect;
  bool good;
  std::string want;
  if (e.either) {
    good = has_problem_naming(r, name) || (r.problems.empty() && has_note_naming(r, name));
    want = "a problem or a torn-tail note naming " + name;
  } else if (e.corruption) {
    good = has_problem_naming(r, name);
    want = "a problem naming " + name;
  } else if (e.torn_bytes && e.torn_from > 0 &&
             std::all_of(c.bytes.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(
                                               e.torn_from, c.bytes.size())),
                         c.bytes.end(), [](char b) { return b == '\0'; })) {
    good = r.problems.empty() && !has_note_naming(r, name);
    want = "no problem and no note naming " + name + " (only zeros after its last record)";
  } else if (e.torn_bytes) {
    good = r.problems.empty() && has_note_naming(r, name);
    want = "no problem and a torn-tail note naming " + name;
  } else {
    good = r.problems.empty();
    want = "no problem";
  }
  return good ? "" : "check_database: " + show(r) + "; want " + want;
}

// What an open that should have failed let through, in words.
std::string describe_open(const WalDb& db, const DB& opened) {
  const Version v = opened.last_version();
  const std::string diff = check_reads(opened, model_as_of(db.model, v), db.keys);
  return "opened with last_version " + std::to_string(v) +
         (diff.empty() ? " holding exactly the writes up to it" : " and wrong data: " + diff);
}

// Opens the damaged copy (strict or point-in-time) and judges the outcome.
// `outcome` names what happened when the oracle allows more than one. With
// `reopen`, a good recovery is closed and opened again strictly: it must
// hold the same writes (the damage was dealt with for good, not left for the
// next open to trip over).
std::string run_open(const WalDb& db, const Case& c, bool pitr, bool reopen, std::string* outcome) {
  const Expect& e = c.expect;
  std::optional<Version> open_at;  // the open that is right, if any
  bool corruption_ok = false;      // whether Corruption is right
  if (!pitr) {
    if (!e.corruption) open_at = e.version;
    corruption_ok = e.corruption || e.either;
  } else {
    open_at = e.corruption || e.either ? e.pitr_version : e.version;
    corruption_ok = e.header;
  }
  DirFiles files = db.files;
  files[c.wal->name] = c.bytes;
  auto fs = memory_fs_with(kDir, files);
  auto opened = DB::open(kDir, Options{.point_in_time_recovery = pitr, .file_system = fs});
  if (matrix_verbose()) {
    std::printf("            %s: %s\n", pitr ? "point-in-time" : "strict",
                opened.is_ok()
                    ? ("opened, last_version " + std::to_string((*opened)->last_version())).c_str()
                    : show(opened.status()).c_str());
  }
  const bool two_ways = open_at && corruption_ok;
  const std::string kind = pitr ? "point-in-time, header damaged" : "stale record appended";
  if (two_ways) *outcome = kind + (opened.is_ok() ? ": opened" : ": Corruption");
  std::string failure;
  if (opened.is_ok()) {
    if (!open_at) {
      failure = "want Corruption naming " + c.wal->name + " at offset " +
                (e.header ? "< " + std::to_string(db.header_size) : std::to_string(e.offset)) +
                "; " + describe_open(db, **opened);
    } else {
      const VersionedModel want = model_as_of(db.model, *open_at);
      const std::string diff = check_reads(**opened, want, db.keys);
      if (!diff.empty()) {
        failure =
            "want an open with the writes up to version " + std::to_string(*open_at) + "; " + diff;
      } else if (reopen) {
        const Status closed = (*opened)->close();
        auto again = DB::open(kDir, Options{.file_system = fs});
        if (!closed.is_ok() || !again.is_ok()) {
          failure =
              "recovered, but close: " + show(closed) + ", strict reopen: " + show(again.status());
        } else if (const std::string d = check_reads(**again, want, db.keys); !d.empty()) {
          failure = "recovered, but a strict reopen differs: " + d;
        }
      }
    }
    (*opened)->close().ignore();
    return failure;
  }
  const Status& s = opened.status();
  const std::string want_open =
      open_at ? "want an open with the writes up to version " + std::to_string(*open_at) : "";
  if (!corruption_ok) return want_open + "; open: " + show(s);
  const auto offset = offset_named(s, c.wal->name);
  bool good = s.code() == Code::kCorruption && offset.has_value();
  if (good) good = e.header ? *offset < db.header_size : *offset == e.offset;
  if (good) return "";
  return "want Corruption naming " + c.wal->name + " at offset " +
         (e.header ? "< " + std::to_string(db.header_size) : std::to_string(e.offset)) +
         (open_at ? " (or " + want_open.substr(5) + ")" : "") + "; open: " + show(s);
}

void run_cases(const std::string& title, const std::vector<Case>& cases) {
  const WalDb& db = wal_db();
  CaseLog log(title);
  Watchdog watchdog(std::chrono::seconds(60));
  std::size_t n = 0;
  for (const Case& c : cases) {
    const bool reopen = n++ % 3 == 0;  // a sample: reopening costs an open
    watchdog.arm(c.label);
    DirFiles files = db.files;
    files[c.wal->name] = c.bytes;
    auto fs = memory_fs_with(kDir, files);
    auto report = check_database(kDir, Options{.file_system = fs});
    std::string failure =
        report.is_ok() ? check_expectation(*report, c) : "check_database: " + show(report.status());
    std::string outcome;
    const std::string strict = run_open(db, c, false, reopen, &outcome);
    if (!strict.empty()) failure += (failure.empty() ? "" : " | ") + strict;
    log.record(c.label, failure);
    if (!outcome.empty()) log.note(outcome);
    if (c.pitr_too) {
      outcome.clear();
      log.record(c.label + " [point-in-time]", run_open(db, c, true, reopen, &outcome));
      if (!outcome.empty()) log.note(outcome);
    }
    watchdog.disarm();
  }
  log.finish();
}

// ---- The cases ----

std::string where(const WalFile& f, std::uint64_t offset) {
  for (std::size_t i = 0; i < f.records.size(); ++i) {
    const Record& r = f.records[i];
    if (offset >= r.start && offset < r.end) {
      return "record " + std::to_string(i) + " [" + std::to_string(r.start) + "," +
             std::to_string(r.end) + ")+" + std::to_string(offset - r.start);
    }
  }
  return offset < f.records.front().start ? "file header" : "end";
}

std::string label(const WalFile& f, const std::string& what, std::uint64_t offset) {
  return f.name + " " + what + " @" + std::to_string(offset) + " (" + where(f, offset) + ")";
}

std::vector<Case> truncation_cases(const WalDb& db, const WalFile& f, bool dense) {
  const std::uint64_t size = f.size();
  const std::uint64_t h = db.header_size;
  std::set<std::uint64_t> at = {0, 1, h / 2, h - 1, h, h + 1};
  for (const Record& r : f.records) {
    at.insert(r.end);
    at.insert(r.end - 1);
    at.insert(r.end + 1);
    at.insert((r.start + r.end) / 2);
    if (dense) {
      for (const std::uint64_t d : {1, 6, 13}) at.insert(r.start + d);  // in/after its header
    } else {
      at.insert(r.start + 5);
    }
  }
  const std::string& bytes = db.files.at(f.name);
  std::vector<Case> out;
  int n = 0;
  for (const std::uint64_t t : at) {
    if (t >= size) continue;
    // Point-in-time recovery changes nothing for a torn tail: sample it.
    const Expect e = expect_truncation(db, f, t);
    out.push_back(
        {label(f, "truncate", t), &f, bytes.substr(0, t), e, e.corruption || n++ % 8 == 0});
  }
  return out;
}

std::vector<Case> flip_cases(const WalDb& db, const WalFile& f, bool dense) {
  const std::string& bytes = db.files.at(f.name);
  std::set<std::uint64_t> at;
  for (std::uint64_t o = 0; o < db.header_size; o += dense ? 1 : 5) at.insert(o);
  for (const Record& r : f.records) {
    for (const std::uint64_t d : {0, 2, 5, 9}) {
      if (dense || d == 0 || d == 5) at.insert(r.start + d);
    }
    at.insert((r.start + r.end) / 2);
    at.insert(r.end - 1);
  }
  std::vector<Case> out;
  for (const std::uint64_t o : at) {
    if (o >= bytes.size()) continue;
    std::string damaged = flip_bit(bytes, o, static_cast<int>(o % 8));
    const Expect e = expect_overwrite(db, f, bytes, damaged);
    out.push_back(
        {label(f, "flip bit " + std::to_string(o % 8), o), &f, std::move(damaged), e, true});
  }
  return out;
}

std::vector<Case> zero_cases(const WalDb& db, const WalFile& f, bool dense) {
  const std::string& bytes = db.files.at(f.name);
  const std::uint64_t size = bytes.size();
  std::set<std::uint64_t> at;
  for (std::uint64_t o = 0; o < size; o += 4096) at.insert(o);  // aligned
  for (std::size_t i = 0; i < f.records.size(); i += dense ? 4 : 8) {
    at.insert(f.records[i].start);
    at.insert(f.records[i].start + 100);
  }
  at.insert(size - 4096);      // ends exactly at the end of the file
  at.insert(size - 4096 - 1);  // ends one byte before it
  at.insert(size - 100);       // runs to the end (clipped)
  at.insert(f.records.back().start);
  std::vector<Case> out;
  for (const std::uint64_t o : at) {
    if (o >= size) continue;
    std::string damaged = zero_range(bytes, o, 4096);
    if (damaged == bytes) continue;
    const Expect e = expect_overwrite(db, f, bytes, damaged);
    out.push_back({label(f, "zero 4 KiB", o), &f, std::move(damaged), e, true});
  }
  std::string zeros(size, '\0');
  const Expect e = expect_overwrite(db, f, bytes, zeros);
  out.push_back({f.name + " zero the whole file", &f, std::move(zeros), e, true});
  return out;
}

std::vector<Case> append_cases(const WalDb& db, const WalFile& f, bool dense) {
  const std::string& bytes = db.files.at(f.name);
  std::vector<Case> out;
  std::vector<std::size_t> random_sizes = {1, 5, 8, 11, 12, 13, 100, 5000};
  std::vector<std::size_t> zero_sizes = {1, 8, 12, 100, 4096};
  if (!dense) {
    random_sizes = {7, 100};
    zero_sizes = {12, 4096};
  }
  const Expect e = expect_append(db, f, false);
  for (const std::size_t n : random_sizes) {
    out.push_back({f.name + " append " + std::to_string(n) + " random bytes", &f,
                   bytes + random_bytes(n * 7919 + 1, n), e, n == 100 || !dense});
  }
  for (const std::size_t n : zero_sizes) {
    out.push_back({f.name + " append " + std::to_string(n) + " zero bytes", &f,
                   bytes + std::string(n, '\0'), e, n == 100 || !dense});
  }
  return out;
}

std::vector<Case> stale_cases(const WalDb& db, const WalFile& f) {
  const std::string& bytes = db.files.at(f.name);
  std::vector<Case> out;
  for (std::size_t j = 0; j < db.stale.size(); ++j) {
    const std::string& stale = db.stale[j];
    out.push_back({f.name + " append stale record " + std::to_string(j) + " (" +
                       std::to_string(stale.size()) + " bytes)",
                   &f, bytes + stale, expect_append(db, f, true), true});
    // In place of a record of the same length with intact records after it.
    for (std::size_t i = 1; i + 1 < f.records.size(); ++i) {
      const Record& r = f.records[i];
      if (r.end - r.start != stale.size()) continue;
      std::string damaged = bytes;
      damaged.replace(r.start, stale.size(), stale);
      const Expect e = expect_overwrite(db, f, bytes, damaged);
      REQUIRE(e.corruption);
      out.push_back({label(f, "stale record " + std::to_string(j) + " in place", r.start), &f,
                     std::move(damaged), e, true});
      break;
    }
  }
  return out;
}

std::vector<Case> older_wal_cases(const WalDb& db) {
  const WalFile& f = db.older;
  std::vector<Case> out;
  for (auto* make : {truncation_cases, flip_cases, zero_cases, append_cases}) {
    for (Case& c : make(db, f, false)) {
      c.pitr_too = true;
      out.push_back(std::move(c));
    }
  }
  for (Case& c : stale_cases(db, f)) out.push_back(std::move(c));
  return out;
}

}  // namespace

TEST_CASE("WAL matrix: the database has the shape the matrix needs", "[db][corruption][matrix]") {
  const WalDb& db = wal_db();
  const WalFile& newest = db.newest;
  CHECK(newest.records.size() == 50);
  CHECK(newest.size() >= 10 * 1024);
  CHECK(newest.size() <= 20 * 1024);
  std::size_t straddling = 0;
  for (const Record& r : newest.records) straddling += r.start / 4096 != (r.end - 1) / 4096;
  CHECK(straddling >= 3);
  CHECK(db.older.records.size() >= 10);
  CHECK(newest.records.front().start == db.header_size);
  CHECK(db.older.records.front().start == db.header_size);
  // Every stale record has a same-length record in the middle of each WAL.
  for (const WalFile* f : {&db.newest, &db.older}) {
    for (const std::string& stale : db.stale) {
      CHECK(std::any_of(f->records.begin() + 1, f->records.end() - 1,
                        [&](const Record& r) { return r.end - r.start == stale.size(); }));
    }
  }
  // The undamaged database checks clean and opens with every write.
  check_undamaged(kDir, db.files, db.model, db.keys);
}

TEST_CASE("WAL matrix: newest WAL truncated at every boundary and inside records",
          "[db][corruption][matrix]") {
  const WalDb& db = wal_db();
  run_cases("newest WAL, truncation", truncation_cases(db, db.newest, true));
}

TEST_CASE("WAL matrix: newest WAL with one bit flipped", "[db][corruption][matrix]") {
  const WalDb& db = wal_db();
  run_cases("newest WAL, bit flips", flip_cases(db, db.newest, true));
}

TEST_CASE("WAL matrix: newest WAL with 4 KiB zeroed", "[db][corruption][matrix]") {
  const WalDb& db = wal_db();
  run_cases("newest WAL, zeroed ranges", zero_cases(db, db.newest, true));
}

TEST_CASE("WAL matrix: newest WAL with garbage appended", "[db][corruption][matrix]") {
  const WalDb& db = wal_db();
  run_cases("newest WAL, appended garbage", append_cases(db, db.newest, true));
}

TEST_CASE("WAL matrix: stale records of an older WAL never replay", "[db][corruption][matrix]") {
  const WalDb& db = wal_db();
  run_cases("newest WAL, stale records", stale_cases(db, db.newest));
}

TEST_CASE("WAL matrix: damage to a WAL that is not the newest", "[db][corruption][matrix]") {
  const WalDb& db = wal_db();
  run_cases("older WAL, every kind", older_wal_cases(db));
}

TEST_CASE("WAL matrix: at least 300 cases", "[db][corruption][matrix]") {
  const WalDb& db = wal_db();
  const std::size_t truncations = runs(truncation_cases(db, db.newest, true));
  const std::size_t flips = runs(flip_cases(db, db.newest, true));
  const std::size_t zeros = runs(zero_cases(db, db.newest, true));
  const std::size_t appends = runs(append_cases(db, db.newest, true));
  const std::size_t stale = runs(stale_cases(db, db.newest));
  const std::size_t older = runs(older_wal_cases(db));
  const std::size_t total = truncations + flips + zeros + appends + stale + older;
  WARN("WAL corruption matrix: " << total << " cases (opens, point-in-time ones included): "
                                 << truncations << " truncations, " << flips << " bit flips, "
                                 << zeros << " zeroed ranges, " << appends << " appends, " << stale
                                 << " stale records (newest WAL); " << older
                                 << " in the older WAL");
  REQUIRE(total >= 300);
}
