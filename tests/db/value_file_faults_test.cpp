// Fault tests with value files (key-value separation, spec/values.md): a
// flushed WAL kept as a value file, damaged, truncated, deleted, failing to
// read or to register, and cut by power loss at each file operation.
//
//  1. Corruption matrix: a pristine database (values of 100..5000 bytes,
//     64-byte threshold, 4 KiB memtables: several value files) is copied in
//     memory once per case, one value file damaged: a flipped byte inside a
//     referenced value -> every read of exactly that version is Corruption
//     "<path>: offset <value offset>: ... checksum", every other read exact;
//     a flipped byte outside every referenced value -> every read exact (a
//     value file is never replayed); truncated -> the references past the new
//     end are Corruption "... past the end", the rest exact (also on POSIX
//     files, where a read past a mapping's end would be SIGBUS); deleted ->
//     open (and a read-only open) fail with Corruption naming the file. Reads
//     are gets of every version, histories and scans both ways, through a
//     writer and a read-only handle; check_database must report the damage.
//  2. I/O errors (FaultFileSystem::fail_next through a wrapper that aims it
//     at one file): mapping a value file (or the active WAL) fails -> IOError
//     naming it, never other bytes, and everything reads and writes again
//     once the fault clears; the MANIFEST append or sync of the flush edit
//     that registers a value file fails -> flush reports it, and after
//     reopening (with and without a power loss) every acknowledged write
//     reads back exactly (support/crash_model.hpp).
//  3. Crash points: a workload that registers value files (flushes) and
//     retires them (forget_before + compact) is cut at a deterministic
//     subset of its file operations (power_loss_after, the damages of
//     crash_points_test.cpp); after each reboot the database opens with the
//     acknowledged writes (a suffix may be lost, never a value changed), and
//     no value file is left that the manifest does not list.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "db/filenames.hpp"
#include "manifest/manifest_log.hpp"
#include "sand/check.hpp"
#include "sand/sand.hpp"
#include "support/corruption_matrix.hpp"
#include "support/crash_model.hpp"
#include "support/db_helpers.hpp"
#include "support/fault_file_system.hpp"
#include "support/forwarding_file_system.hpp"
#include "support/temp_dir.hpp"

using namespace sand;
using sand::test::CrashModel;
using sand::test::FaultFileSystem;
using sand::test::must;
using sand::test::OpKind;

namespace {

const std::string kDir = "/db";
constexpr std::size_t kThreshold = kMinValueSeparationThreshold;

// 4 KiB memtables (a WAL switch every few large values), no compaction
// unless asked for, no compression: the files are the same in every run.
Options value_options(std::shared_ptr<FileSystem> fs) {
  Options o;
  o.memtable_size = 4096;
  o.value_separation_threshold = kThreshold;
  o.compression = Compression::kNone;
  o.block_size = 1024;
  o.l0_trigger = 1000;
  o.l0_stop = 1001;
  o.l1_trigger = 1000;
  o.file_system = std::move(fs);
  return o;
}

// A value of `n` bytes that names its key and version, so a value read from
// the wrong place cannot pass for the right one, and that occurs once in
// the database's files.
std::string value_of(const std::string& key, int version, std::size_t n) {
  std::string v = key + "@" + std::to_string(version) + ":";
  std::uint32_t x = 2463534242u + static_cast<std::uint32_t>(version * 131 + n);
  for (char c : key) x = x * 31 + static_cast<unsigned char>(c);
  while (v.size() < n) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    v.push_back(static_cast<char>('a' + x % 26));
  }
  v.resize(n);
  return v;
}

// Large value sizes, 100..5000 bytes.
std::size_t large_size(int i) {
  static const std::size_t kSizes[] = {100, 4999, 257, 1800, 640, 3100, 1024, 5000, 150, 2300, 777};
  return kSizes[static_cast<std::size_t>(i) % std::size(kSizes)];
}

// The value files the manifest lists: name -> its tag-10 size.
std::map<std::string, std::uint64_t> listed_value_files(FileSystem& fs, const std::string& dir) {
  const manifest::State state = must(manifest::replay(fs, dir));
  std::map<std::string, std::uint64_t> out;
  for (const auto& [number, meta] : state.value_files) out[value_file_name(meta)] = meta.size;
  return out;
}

// The files of `dir` a manifest `state` does not account for: WALs below
// its wal_number that are not live value files, value logs it does not list.
std::vector<std::string> orphans(const manifest::State& state,
                                 const std::vector<std::string>& names) {
  std::set<std::string> listed;
  for (const auto& [number, meta] : state.value_files) listed.insert(value_file_name(meta));
  std::vector<std::string> out;
  for (const std::string& name : names) {
    const auto parsed = parse_file_name(name);
    if (!parsed || listed.contains(name)) continue;
    if ((parsed->type == FileType::kWal && parsed->number < state.wal_number) ||
        parsed->type == FileType::kValueLog) {
      out.push_back(name);
    }
  }
  return out;
}

// "" or the first value file problem of `dir`: an orphan (above); a listed
// value file that is missing or shorter than its recorded size. Sets
// *found to the orphans when not null.
std::string value_file_problems(FileSystem& fs, const std::string& dir,
                                std::vector<std::string>* found = nullptr) {
  const Result<manifest::State> state = manifest::replay(fs, dir);
  if (!state.is_ok()) return "reading the manifest: " + state.status().to_string();
  const Result<std::vector<std::string>> names = fs.list_dir(dir);
  if (!names.is_ok()) return "listing: " + names.status().to_string();
  for (const auto& [number, meta] : state->value_files) {
    const std::string name = value_file_name(meta);
    const std::string bytes = test::read_file(fs, join_path(dir, name));
    if (bytes.size() < meta.size) {
      return "value file " + name + " is missing or short: " + std::to_string(bytes.size()) +
             " bytes, the manifest says " + std::to_string(meta.size);
    }
  }
  const std::vector<std::string> left = orphans(*state, *names);
  if (found != nullptr) *found = left;
  if (!left.empty()) {
    return "orphan file " + left.front() + " (wal_number " + std::to_string(state->wal_number) +
           ", " + std::to_string(state->value_files.size()) + " value files listed)";
  }
  return "";
}

// ---- 1. The corruption matrix ------------------------------------------------

struct Put {
  std::string key;
  Version version = 0;
  std::string value;
};

// Where a separated value lives.
struct Located {
  std::string file;  // its value file's name
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

struct Pristine {
  test::DirFiles files;
  std::vector<Put> puts;                             // in version order
  std::map<std::string, std::uint64_t> value_files;  // name -> size
  std::map<Version, Located> located;                // the separated puts
};

// The database the matrix damages: keys key00..key11, two in three with
// large values (100..5000 bytes), then key00..key05 overwritten; flushed
// and closed.
const Pristine& pristine() {
  static const Pristine p = [] {
    Pristine out;
    auto fs = memory_file_system();
    auto db = must(DB::open(kDir, value_options(fs)));
    auto put = [&](const std::string& key, int round, std::size_t n) {
      const std::string v = value_of(key, round, n);
      out.puts.push_back({key, must(db->put(key, v)), v});
    };
    for (int i = 0; i < 12; ++i) {
      put("key" + std::to_string(100 + i).substr(1), 1, i % 3 == 2 ? 10 + i : large_size(i));
    }
    for (int i = 0; i < 6; ++i) {
      put("key" + std::to_string(100 + i).substr(1), 2, i == 4 ? 20 : large_size(i + 5));
    }
    must(db->flush());
    must(db->close());
    db.reset();
    out.files = test::read_dir_files(*fs, kDir);
    out.value_files = listed_value_files(*fs, kDir);
    for (const Put& written : out.puts) {
      if (written.value.size() < kThreshold) continue;
      int found = 0;
      for (const auto& [name, size] : out.value_files) {
        const std::string& bytes = out.files.at(name);
        const std::size_t at = bytes.find(written.value);
        if (at == std::string::npos) continue;
        ++found;
        out.located[written.version] = {name, at, written.value.size()};
      }
      INFO(written.key << "@" << written.version);
      REQUIRE(found == 1);
    }
    return out;
  }();
  return p;
}

// The reads a case expects to fail: version -> the value's place and what
// the Corruption says ("checksum" or "past the end").
struct Expected {
  std::map<Version, std::pair<Located, std::string>> broken;
};

// Whether `s` is the Corruption `broken` predicts for a read through `dir`.
std::string wrong_error(const Status& s, const std::string& dir, const Located& at,
                        const std::string& what) {
  const std::string path = join_path(dir, at.file);
  if (s.code() == Code::kCorruption && test::offset_named(s, path) == at.offset &&
      s.message().find(what) != std::string::npos) {
    return "";
  }
  return test::show(s) + ", want Corruption \"" + path + ": offset " + std::to_string(at.offset) +
         ": ..." + what + "...\"";
}

// Every read of `db` against the pristine puts, `e` saying which fail:
// get() at every version and at the latest, history(), scans both ways.
// Returns "" or the first difference.
std::string check_reads(const DB& db, const std::string& dir, const Expected& e) {
  const Pristine& p = pristine();
  std::map<std::string, std::vector<const Put*>> by_key;  // oldest first
  for (const Put& put : p.puts) by_key[put.key].push_back(&put);
  auto broken = [&](Version v) { return e.broken.find(v); };

  for (const auto& [key, puts] : by_key) {
    for (std::size_t i = 0; i <= puts.size(); ++i) {
      const Put& want = *puts[std::min(i, puts.size() - 1)];
      const bool latest = i == puts.size();
      const auto got = latest ? db.get(key) : db.get(key, want.version);
      const std::string what =
          "get(" + key + (latest ? "" : ", " + std::to_string(want.version)) + "): ";
      if (auto b = broken(want.version); b != e.broken.end()) {
        if (got.is_ok()) return what + "returned " + test::show(*got) + " for a damaged value";
        if (auto why = wrong_error(got.status(), dir, b->second.first, b->second.second);
            !why.empty()) {
          return what + why;
        }
      } else if (!got.is_ok()) {
        return what + test::show(got.status());
      } else if (*got != want.value) {
        return what + test::show(*got) + ", want " + test::show_value(want.value);
      }
    }
    const auto history = db.history(key);
    const auto damaged = std::find_if(puts.rbegin(), puts.rend(), [&](const Put* put) {
      return broken(put->version) != e.broken.end();
    });
    if (damaged != puts.rend()) {
      if (history.is_ok()) return "history(" + key + ") succeeded over a damaged value";
      if (history.status().code() != Code::kCorruption ||
          !test::mentions(history.status(),
                          join_path(dir, broken((*damaged)->version)->second.first.file))) {
        return "history(" + key + "): " + test::show(history.status());
      }
    } else {
      if (!history.is_ok()) return "history(" + key + "): " + test::show(history.status());
      std::vector<HistoryEntry> want;
      for (auto it = puts.rbegin(); it != puts.rend(); ++it) {
        want.push_back({.version = (*it)->version, .deleted = false, .value = (*it)->value});
      }
      if (*history != want) return "history(" + key + "): " + test::show(*history);
    }
  }

  for (const bool reverse : {false, true}) {
    std::vector<const Put*> want;
    for (const auto& [key, puts] : by_key) want.push_back(puts.back());
    if (reverse) std::reverse(want.begin(), want.end());
    const std::string what = reverse ? "reverse scan: " : "scan: ";
    auto it = db.scan(ScanOptions{.reverse = reverse});
    if (!it.is_ok()) return what + test::show(it.status());
    std::size_t i = 0;
    for (; it->valid(); it->next(), ++i) {
      const std::string key(it->key());
      const std::string value(it->value());
      if (!it->valid()) break;  // the value could not be read
      if (i >= want.size()) return what + "extra key " + key;
      if (broken(want[i]->version) != e.broken.end()) {
        return what + "returned " + test::show_value(value) + " for damaged " + key;
      }
      if (key != want[i]->key || value != want[i]->value || it->version() != want[i]->version) {
        return what + "entry " + std::to_string(i) + " is " + key + "=" + test::show_value(value) +
               ", want " + want[i]->key + "=" + test::show_value(want[i]->value);
      }
    }
    const Status s = it->status();
    if (i < want.size()) {
      const auto b = broken(want[i]->version);
      if (b == e.broken.end()) {
        return what + "ended at entry " + std::to_string(i) + " of " + std::to_string(want.size()) +
               " with " + test::show(s);
      }
      if (auto why = wrong_error(s, dir, b->second.first, b->second.second); !why.empty()) {
        return what + "at " + want[i]->key + ": " + why;
      }
    } else if (!s.is_ok()) {
      return what + test::show(s);
    }
  }
  return "";
}

// Opens the damaged copy `files` (in memory, or as real files under a
// TempDir), as a writer and read-only, and checks every read; then
// check_database, which must report a problem naming `damaged_file` (it
// checks a value file's WAL framing and length too, so damage outside every
// value is a problem there, though no read sees it) and, when `at_values`,
// one at the offset of every value expected to fail.
std::string run_case(const test::DirFiles& files, const Expected& e,
                     const std::string& damaged_file, bool posix, bool at_values) {
  std::unique_ptr<test::TempDir> tmp;
  std::shared_ptr<FileSystem> fs;
  std::string dir = kDir;
  if (posix) {
    tmp = std::make_unique<test::TempDir>();
    dir = tmp->path();
    fs = posix_file_system();
    for (const auto& [name, bytes] : files) {
      std::ofstream f(join_path(dir, name), std::ios::binary);
      f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!f) return "writing " + name;
    }
  } else {
    fs = test::memory_fs_with(dir, files);
  }
  const Options o = value_options(fs);
  for (const bool read_only : {false, true}) {
    const std::string who = read_only ? "read-only: " : "writer: ";
    auto db = read_only ? DB::open_read_only(dir, o) : DB::open(dir, o);
    if (!db.is_ok()) return who + "open: " + test::show(db.status());
    if (auto why = check_reads(**db, dir, e); !why.empty()) return who + why;
    if (const Status s = (*db)->close(); !s.is_ok()) return who + "close: " + test::show(s);
  }
  const Result<CheckReport> report = check_database(dir, o);
  if (!report.is_ok()) return "check_database: " + test::show(report.status());
  if (!test::has_problem_naming(*report, damaged_file)) {
    return "check_database names no problem in " + damaged_file + ": " + test::show(*report);
  }
  if (!at_values) return "";
  for (const auto& entry : e.broken) {
    const auto& broken = entry.second;  // a plain name: lambdas capture no structured binding
    const bool named =
        std::any_of(report->problems.begin(), report->problems.end(), [&](const CheckProblem& p) {
          return p.file == damaged_file && p.offset == broken.first.offset;
        });
    if (!named) {
      return "check_database names no problem at " + damaged_file + " offset " +
             std::to_string(broken.first.offset) + ": " + test::show(*report);
    }
  }
  return "";
}

TEST_CASE("value file corruption matrix: flipped bytes", "[db][values][value_faults]") {
  const Pristine& p = pristine();
  REQUIRE(p.value_files.size() >= 3);
  REQUIRE(p.located.size() >= 10);
  test::CaseLog log("value file flips");
  std::size_t damaging = 0;
  for (const auto& [file, size] : p.value_files) {
    // Byte positions: the first, middle and last byte of every value in the
    // file, the bytes just outside each, and the file's first byte.
    std::set<std::uint64_t> positions = {0};
    for (const auto& [version, at] : p.located) {
      if (at.file != file) continue;
      for (std::uint64_t q : {at.offset - 1, at.offset, at.offset + at.size / 2,
                              at.offset + at.size - 1, at.offset + at.size}) {
        if (q < size) positions.insert(q);
      }
    }
    for (const std::uint64_t q : positions) {
      Expected e;
      for (const auto& [version, at] : p.located) {
        if (at.file == file && at.offset <= q && q < at.offset + at.size) {
          e.broken[version] = {at, "does not match its checksum"};
        }
      }
      damaging += e.broken.empty() ? 0 : 1;
      test::DirFiles files = p.files;
      files[file] = test::flip_bit(files[file], q, static_cast<int>(q % 8));
      const std::string label = file + " byte " + std::to_string(q) +
                                (e.broken.empty() ? " (no value)" : " (in a value)");
      log.record(label, run_case(files, e, file, false, true));
    }
  }
  CHECK(damaging >= p.located.size() * 3);
  log.finish();
}

TEST_CASE("value file corruption matrix: truncated files", "[db][values][value_faults]") {
  const Pristine& p = pristine();
  test::CaseLog log("value file truncations");
  for (const auto& [file, size] : p.value_files) {
    // New lengths: 0, and at each value's start, one byte in, one byte
    // short of its end, and exactly its end.
    std::set<std::uint64_t> lengths = {0};
    for (const auto& [version, at] : p.located) {
      if (at.file != file) continue;
      for (std::uint64_t n :
           {at.offset, at.offset + 1, at.offset + at.size - 1, at.offset + at.size}) {
        if (n < size) lengths.insert(n);
      }
    }
    for (const std::uint64_t n : lengths) {
      Expected e;
      for (const auto& [version, at] : p.located) {
        if (at.file == file && at.offset + at.size > n) {
          e.broken[version] = {at, "past the end"};
        }
      }
      test::DirFiles files = p.files;
      files[file].resize(n);
      // Real files too for a few lengths: a mapping read past the end of
      // a shorter file would be SIGBUS there.
      const bool posix_too = n == 0 || n % 3 == 0;
      for (const bool posix : {false, true}) {
        if (posix && !posix_too) continue;
        const std::string label = std::string(posix ? "posix " : "memory ") + file + " cut to " +
                                  std::to_string(n) + " of " + std::to_string(size) + " bytes (" +
                                  std::to_string(e.broken.size()) + " values lost)";
        log.record(label, run_case(files, e, file, posix, false));
      }
    }
  }
  log.finish();
}

TEST_CASE("value file corruption matrix: a deleted value file fails open naming it",
          "[db][values][value_faults]") {
  const Pristine& p = pristine();
  for (const auto& [file, size] : p.value_files) {
    INFO(file);
    test::DirFiles files = p.files;
    files.erase(file);
    auto fs = test::memory_fs_with(kDir, files);
    // A writer refuses to open: the manifest lists a file that is gone
    // (db/recovery.cpp check_files_present).
    const Result<std::unique_ptr<DB>> writer = DB::open(kDir, value_options(fs));
    REQUIRE_FALSE(writer.is_ok());
    CHECK(writer.status().code() == Code::kCorruption);
    CHECK(writer.status().message() ==
          "/db/MANIFEST: live value file " + file +
              " is missing (deleted, or MANIFEST lost the edits that retired it)");
    // A read-only open waits for an edit retiring it, finds none, and
    // refuses too.
    const Result<std::unique_ptr<DB>> reader = DB::open_read_only(kDir, value_options(fs));
    REQUIRE_FALSE(reader.is_ok());
    CHECK(reader.status().code() == Code::kCorruption);
    CHECK(test::mentions(reader.status(), file));
    // The failed opens deleted nothing and created no file.
    CHECK(test::read_dir_files(*fs, kDir) == files);
    const CheckReport report = must(check_database(kDir, value_options(fs)));
    CHECK(test::has_problem_naming(report, file));
  }
}

// ---- 2. I/O errors -----------------------------------------------------------

// Aims FaultFileSystem::fail_next at one file: while a rule is set, a call
// of its kind on a path ending with its suffix (after `skip` such calls
// have passed) arms a one-shot fault of that kind right before the call is
// forwarded, under one mutex, so exactly that call fails (background
// threads cannot take the fault).
class AimedFaults final : public test::ForwardingFileSystem {
 public:
  struct Rule {
    OpKind kind = OpKind::kRead;
    std::string suffix;
    int skip = 0;          // matching calls let through first
    bool forever = false;  // every matching call after those, until clear()
  };

  explicit AimedFaults(std::shared_ptr<FaultFileSystem> base)
      : ForwardingFileSystem(base), base_(std::move(base)) {}

  void aim(Rule rule) {
    std::lock_guard lock(mu_);
    rule_ = std::move(rule);
  }
  void clear() {
    std::lock_guard lock(mu_);
    rule_.reset();
    base_->clear_faults();
  }
  int fired() const {
    std::lock_guard lock(mu_);
    return fired_;
  }
  // Starts counting the calls of `kind` on paths ending with `suffix`.
  void count(OpKind kind, const std::string& suffix) {
    std::lock_guard lock(mu_);
    seen_[{kind, suffix}] = 0;
    counted_.insert({kind, suffix});
  }
  // Those calls since count() (whether they failed or not).
  int seen(OpKind kind, const std::string& suffix) const {
    std::lock_guard lock(mu_);
    const auto it = seen_.find({kind, suffix});
    return it == seen_.end() ? 0 : it->second;
  }

 private:
  Status intercept(const test::FsCall& call, const test::Forward& forward) override {
    std::lock_guard lock(mu_);
    if (call.op == test::FsOp::kExists) return forward();
    const OpKind kind = test::op_kind_of(call.op);
    for (const auto& key : counted_) {
      if (key.first == kind && call.path.ends_with(key.second)) ++seen_[key];
    }
    if (rule_ && rule_->kind == kind && call.path.ends_with(rule_->suffix)) {
      if (rule_->skip > 0) {
        --rule_->skip;
      } else {
        base_->fail_next(kind, 1, EIO);
        ++fired_;
        if (!rule_->forever) rule_.reset();
      }
    }
    return forward();
  }

  const std::shared_ptr<FaultFileSystem> base_;
  mutable std::mutex mu_;
  std::optional<Rule> rule_;                            // GUARDED_BY(mu_)
  int fired_ = 0;                                       // GUARDED_BY(mu_)
  std::set<std::pair<OpKind, std::string>> counted_;    // GUARDED_BY(mu_)
  std::map<std::pair<OpKind, std::string>, int> seen_;  // GUARDED_BY(mu_)
};

// A database of large and small values on `fs`, flushed and closed; returns
// key -> latest value and the name of a value file holding key00's value.
struct Written {
  std::map<std::string, std::string> latest;
  std::string key00_file;
  std::set<std::string> in_key00_file;  // the keys whose values it holds
};

Written write_and_close(const std::shared_ptr<FileSystem>& fs, FileSystem& raw) {
  Written w;
  auto db = must(DB::open(kDir, value_options(fs)));
  for (int i = 0; i < 12; ++i) {
    const std::string key = "key" + std::to_string(100 + i).substr(1);
    const std::string v = value_of(key, 1, i % 4 == 3 ? 30 : large_size(i));
    must(db->put(key, v));
    w.latest[key] = v;
  }
  must(db->flush());
  must(db->close());
  for (const auto& [name, size] : listed_value_files(raw, kDir)) {
    if (test::read_file(raw, join_path(kDir, name)).find(w.latest.at("key00")) !=
        std::string::npos) {
      w.key00_file = name;
    }
  }
  REQUIRE_FALSE(w.key00_file.empty());
  const std::string bytes = test::read_file(raw, join_path(kDir, w.key00_file));
  for (const auto& [key, value] : w.latest) {
    if (value.size() >= kThreshold && bytes.find(value) != std::string::npos) {
      w.in_key00_file.insert(key);
    }
  }
  return w;
}

TEST_CASE("an I/O error mapping a value file is IOError and reads recover once it clears",
          "[db][values][value_faults]") {
  auto fault = std::make_shared<FaultFileSystem>();
  auto fs = std::make_shared<AimedFaults>(fault);
  const Written w = write_and_close(fs, *fault);
  const std::string path = join_path(kDir, w.key00_file);
  auto db = must(DB::open(kDir, value_options(fs)));
  // Every mapping of the value file fails from now on (it is mapped on its
  // first read, so nothing has mapped it yet).
  fs->aim({.kind = OpKind::kRead, .suffix = "/" + w.key00_file, .forever = true});
  auto is_io_error = [&](const Status& s) {
    INFO(test::show(s));
    CHECK(s.code() == Code::kIOError);
    CHECK(test::mentions(s, path));
  };
  const auto got = db->get("key00");
  REQUIRE_FALSE(got.is_ok());
  is_io_error(got.status());
  const auto history = db->history("key00");
  REQUIRE_FALSE(history.is_ok());
  is_io_error(history.status());
  // key00 is the first key: a scan yields nothing and ends with the error;
  // a reverse scan yields the keys after the last one the file holds first.
  {
    Iterator forward = must(db->scan());
    REQUIRE(forward.valid());
    CHECK(forward.key() == "key00");
    CHECK(forward.value().empty());
    CHECK_FALSE(forward.valid());
    is_io_error(forward.status());
    // Backwards, up to the last key whose value is in the faulty file.
    std::vector<std::pair<std::string, std::string>> want;
    for (auto it = w.latest.rbegin(); it != w.latest.rend() && !w.in_key00_file.contains(it->first);
         ++it) {
      want.push_back(*it);
    }
    Iterator back = must(db->scan({.reverse = true}));
    std::vector<std::pair<std::string, std::string>> seen;
    for (; back.valid(); back.next()) {
      std::string key(back.key());
      std::string value(back.value());
      if (!back.valid()) break;
      seen.emplace_back(std::move(key), std::move(value));
    }
    is_io_error(back.status());
    CHECK(seen == want);
  }
  // Values in the other files read; writes are still taken.
  std::size_t other = 0;
  for (const auto& [key, value] : w.latest) {
    if (w.in_key00_file.contains(key)) continue;
    CHECK(must(db->get(key)) == value);
    ++other;
  }
  CHECK(other >= 4);
  const std::string fresh = value_of("fresh", 1, 900);
  must(db->put("fresh", fresh));
  CHECK(must(db->get("fresh")) == fresh);
  CHECK(fs->fired() >= 4);

  fs->clear();
  std::map<std::string, std::string> latest = w.latest;
  latest["fresh"] = fresh;
  CHECK(must(db->get("key00")) == latest.at("key00"));
  CHECK(test::collect(must(db->scan())) ==
        std::vector<std::pair<std::string, std::string>>(latest.begin(), latest.end()));
  must(db->flush());
  must(db->compact());
  must(db->close());
  db = must(DB::open(kDir, value_options(fs)));
  CHECK(test::collect(must(db->scan())) ==
        std::vector<std::pair<std::string, std::string>>(latest.begin(), latest.end()));
  CHECK(value_file_problems(*fault, kDir) == "");
}

TEST_CASE("an I/O error mapping the active WAL for a memtable value is IOError",
          "[db][values][value_faults]") {
  auto fault = std::make_shared<FaultFileSystem>();
  auto fs = std::make_shared<AimedFaults>(fault);
  Options o = value_options(fs);
  o.memtable_size = 1 << 20;  // the values stay in the memtable, by reference into the WAL
  auto db = must(DB::open(kDir, o));
  const std::string v1 = value_of("a", 1, 700);
  must(db->put("a", v1));
  CHECK(must(db->get("a")) == v1);  // maps the WAL as it is now
  const std::vector<std::string> wals = test::names_with_suffix(*fault, kDir, ".wal");
  REQUIRE(wals.size() == 1);
  const std::string v2 = value_of("b", 1, 2000);
  must(db->put("b", v2));
  // The reference reaches past the mapping: the read maps the WAL again,
  // and that fails.
  fs->aim({.kind = OpKind::kRead, .suffix = "/" + wals[0], .forever = true});
  const auto got = db->get("b");
  REQUIRE_FALSE(got.is_ok());
  CHECK(got.status().code() == Code::kIOError);
  CHECK(test::mentions(got.status(), join_path(kDir, wals[0])));
  CHECK(must(db->get("a")) == v1);  // inside the old mapping
  CHECK(fs->fired() >= 1);
  fs->clear();
  CHECK(must(db->get("b")) == v2);
  const std::string v3 = value_of("c", 1, 64);
  must(db->put("c", v3));
  must(db->flush());
  must(db->close());
  db = must(DB::open(kDir, o));
  CHECK(must(db->get("a")) == v1);
  CHECK(must(db->get("b")) == v2);
  CHECK(must(db->get("c")) == v3);
}

// One run of a write workload with a fault aimed at the MANIFEST: the
// model of what was acknowledged, checked after the reopen.
struct ManifestFaultRun {
  std::string failure;          // "" if recovery was right
  int fired = 0;                // faults that fired
  int manifest_ops = 0;         // calls of the aimed kind on MANIFEST (clean run: all)
  std::size_t value_files = 0;  // value files listed after the workload (clean run)
};

// Synced writes of large values into 4 KiB memtables (so background
// flushes register value files), stopping at the first error; then flush and
// close. With `rule`, the fault; then the DB is dropped, the fault cleared,
// optionally power lost, and the database reopened: it must hold every
// acknowledged write exactly, have no orphan value file, and take writes.
ManifestFaultRun run_manifest_fault(std::optional<AimedFaults::Rule> rule, bool power_loss) {
  ManifestFaultRun r;
  auto fault = std::make_shared<FaultFileSystem>();
  auto fs = std::make_shared<AimedFaults>(fault);
  const OpKind counted = rule ? rule->kind : OpKind::kAppend;
  CrashModel model;
  const Options o = value_options(fs);
  {
    auto db = must(DB::open(kDir, o));
    fs->count(counted, "/MANIFEST");
    if (rule) fs->aim(*rule);
    bool ok = true;
    for (int i = 0; i < 24 && ok; ++i) {
      const std::string key = "key" + std::to_string(100 + i % 9).substr(1);
      test::ModelBatch batch = {{key, value_of(key, i, large_size(i))}};
      if (i % 5 == 4) batch.push_back({"small", "s" + std::to_string(i)});
      const auto v = db->write(test::to_write_batch(batch), {.sync = SyncMode::kSync});
      ok = v.is_ok();
      if (auto why = model.on_write(batch, true, v); !why.empty()) {
        r.failure = "while writing: " + why;
        return r;
      }
    }
    if (ok) {
      const Status s = db->flush();
      if (s.is_ok()) {
        model.on_all_durable();
      } else if (!rule) {
        r.failure = "flush: " + s.to_string();
        return r;
      }
    }
    if (!rule) {
      r.value_files = listed_value_files(*fault, kDir).size();
      must(db->close());
    }
    // Otherwise dropped: its close fails or finishes; either way the
    // acknowledged writes are all synced.
  }
  r.fired = fs->fired();
  r.manifest_ops = fs->seen(counted, "/MANIFEST");
  fs->clear();
  if (power_loss) {
    fault->power_loss();
    fault->reboot();
  }
  auto opened = DB::open(kDir, o);
  if (!opened.is_ok()) {
    r.failure = "reopen: " + opened.status().to_string();
    return r;
  }
  std::unique_ptr<DB> db = std::move(opened).value();
  if (r.failure = model.recover(*db); !r.failure.empty()) return r;
  if (r.failure = value_file_problems(*fault, kDir); !r.failure.empty()) return r;
  // It takes writes again, and registers value files again.
  const auto v = db->put("after", value_of("after", 1, 3000));
  if (!v.is_ok()) {
    r.failure = "put after reopen: " + v.status().to_string();
    return r;
  }
  if (const Status s = db->flush(); !s.is_ok()) {
    r.failure = "flush after reopen: " + s.to_string();
    return r;
  }
  if (listed_value_files(*fault, kDir).empty()) {
    r.failure = "no value file listed after a flush of a large value";
    return r;
  }
  if (const Status s = db->close(); !s.is_ok()) r.failure = "close after reopen: " + s.to_string();
  return r;
}

TEST_CASE("a failed MANIFEST write of the flush edit that registers a value file loses no write",
          "[db][values][value_faults]") {
  // The clean run: its flushes register value files, through this many
  // MANIFEST appends and syncs.
  const ManifestFaultRun appends = run_manifest_fault(std::nullopt, false);
  REQUIRE(appends.failure == "");
  REQUIRE(appends.value_files >= 2);
  REQUIRE(appends.manifest_ops >= 3);
  test::CaseLog log("MANIFEST faults during flushes");
  for (const OpKind kind : {OpKind::kAppend, OpKind::kSync}) {
    for (int skip = 0; skip < appends.manifest_ops; ++skip) {
      for (const bool power_loss : {false, true}) {
        const ManifestFaultRun r = run_manifest_fault(
            AimedFaults::Rule{.kind = kind, .suffix = "/MANIFEST", .skip = skip}, power_loss);
        std::string failure = r.failure;
        // Past the last MANIFEST op of this kind nothing fires; below it,
        // the fault must have happened.
        if (failure.empty() && skip < r.manifest_ops && r.fired != 1) {
          failure = std::to_string(r.fired) + " faults fired";
        }
        log.record(std::string(test::op_kind_name(kind)) + " #" + std::to_string(skip + 1) +
                       " of MANIFEST fails" + (power_loss ? ", then power loss" : ""),
                   failure);
      }
    }
  }
  log.finish();
}

TEST_CASE("a failed MANIFEST write during an explicit flush is reported by flush",
          "[db][values][value_faults]") {
  for (const OpKind kind : {OpKind::kAppend, OpKind::kSync}) {
    INFO(test::op_kind_name(kind));
    auto fault = std::make_shared<FaultFileSystem>();
    auto fs = std::make_shared<AimedFaults>(fault);
    Options o = value_options(fs);
    o.memtable_size = 1 << 20;  // only the explicit flush
    CrashModel model;
    auto db = must(DB::open(kDir, o));
    for (int i = 0; i < 6; ++i) {
      const std::string key = "key" + std::to_string(i);
      const test::ModelBatch batch = {{key, value_of(key, 1, large_size(i))}};
      REQUIRE(model.on_write(batch, true,
                             db->write(test::to_write_batch(batch), {.sync = SyncMode::kSync})) ==
              "");
    }
    CHECK(listed_value_files(*fault, kDir).empty());
    fs->aim({.kind = kind, .suffix = "/MANIFEST"});
    const Status s = db->flush();
    CHECK(fs->fired() == 1);
    CHECK_FALSE(s.is_ok());
    CHECK(s.code() == Code::kIOError);
    // The handle still reads every acknowledged write.
    for (int i = 0; i < 6; ++i) CHECK(model.check_get(*db, "key" + std::to_string(i), {}) == "");
    db.reset();
    fs->clear();
    db = must(DB::open(kDir, o));
    CHECK(model.recover(*db) == "");
    CHECK(value_file_problems(*fault, kDir) == "");
    must(db->close());
  }
}

// ---- 3. Crash points ---------------------------------------------------------

// One run of the crash workload: the file system, the DB and the model.
struct CrashEnv {
  std::shared_ptr<FaultFileSystem> fs = std::make_shared<FaultFileSystem>();
  std::unique_ptr<DB> db;
  CrashModel model;
  Options options = value_options(fs);
  std::string failure;                                 // a model complaint while running
  std::set<std::string> registered, after_compaction;  // value files seen (clean run)

  bool write(const std::string& key, std::string value, bool sync) {
    const test::ModelBatch ops = {{key, std::move(value)}};
    const auto r =
        db->write(test::to_write_batch(ops), {.sync = sync ? SyncMode::kSync : SyncMode::kNoSync});
    if (auto why = model.on_write(ops, sync, r); !why.empty() && failure.empty()) failure = why;
    return r.is_ok();
  }
  bool flush() {
    if (!db->flush().is_ok()) return false;
    model.on_all_durable();
    return true;
  }
  void note_value_files(std::set<std::string>* into) {
    if (fs->is_down()) return;
    const Result<manifest::State> state = manifest::replay(*fs, kDir);
    if (!state.is_ok()) return;
    for (const auto& [number, meta] : state->value_files) into->insert(value_file_name(meta));
  }
};

// Registers value files (four rounds of large values into 4 KiB memtables,
// some synced, each round flushed), then retires the first rounds' (every
// key overwritten, forget_before the latest version, compact), then a last
// write and close.
void crash_workload(CrashEnv& e) {
  auto opened = DB::open(kDir, e.options);
  if (!opened.is_ok()) return;
  e.db = std::move(opened).value();
  int n = 0;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5; ++i, ++n) {
      const std::string key = "key" + std::to_string(i);
      if (!e.write(key, value_of(key, round, large_size(n)), n % 3 == 0)) return;
    }
    if (round == 1 && !e.write("small", "inline", false)) return;
    if (!e.flush()) return;
    e.note_value_files(&e.registered);
  }
  const Version mark = e.model.last();
  const Status s = e.db->forget_before(mark);
  e.model.on_forget_before(mark, s);
  if (!s.is_ok()) return;
  if (!e.db->compact().is_ok()) return;
  e.note_value_files(&e.after_compaction);
  if (!e.write("after", value_of("after", 9, 1500), true)) return;
  if (!e.db->close().is_ok()) return;
  e.model.on_all_durable();
  e.db.reset();
}

struct CrashRun {
  std::string failure;
  std::uint64_t ops = 0;
  bool cut_fired = false;
  bool left_orphan = false;        // the crash left a file the open had to remove
  bool left_value_orphan = false;  // one of them a value file the manifest had listed
};

CrashRun run_crash(std::optional<std::uint64_t> cut, const test::PowerLossOptions& loss) {
  CrashRun r;
  CrashEnv e;
  if (cut) e.fs->power_loss_after(*cut, loss);
  crash_workload(e);
  r.ops = e.fs->ops();
  r.cut_fired = e.fs->is_down();
  if (!e.failure.empty()) {
    r.failure = "while running: " + e.failure;
    return r;
  }
  if (!cut) {
    // The clean run: value files were registered, and the compaction
    // retired some while keeping others.
    std::set<std::string> retired;
    std::set_difference(e.registered.begin(), e.registered.end(), e.after_compaction.begin(),
                        e.after_compaction.end(), std::inserter(retired, retired.end()));
    if (e.registered.size() < 3 || retired.empty() || e.after_compaction.empty()) {
      r.failure = "clean run: " + std::to_string(e.registered.size()) +
                  " value files registered, " + std::to_string(retired.size()) + " retired, " +
                  std::to_string(e.after_compaction.size()) + " left";
      return r;
    }
  }
  if (!e.fs->is_down()) e.fs->power_loss(loss);
  e.db.reset();
  e.fs->reboot();
  {
    std::vector<std::string> left;
    value_file_problems(*e.fs, kDir, &left);
    r.left_orphan = !left.empty();
    for (const std::string& name : left) r.left_value_orphan |= e.registered.contains(name);
  }

  for (int open = 1; open <= 2; ++open) {
    const std::string which = open == 1 ? "open after the crash: " : "second open: ";
    auto opened = DB::open(kDir, e.options);
    if (!opened.is_ok()) {
      r.failure = which + opened.status().to_string();
      return r;
    }
    std::unique_ptr<DB> db = std::move(opened).value();
    r.failure = open == 1 ? e.model.recover(*db) : e.model.reopened(*db);
    if (r.failure.empty()) r.failure = value_file_problems(*e.fs, kDir);
    if (!r.failure.empty()) {
      r.failure = which + r.failure;
      return r;
    }
    if (const Status s = db->close(); !s.is_ok()) {
      r.failure = which + "close: " + s.to_string();
      return r;
    }
    db.reset();
    // Closed: every retired file is gone too.
    if (r.failure = value_file_problems(*e.fs, kDir); !r.failure.empty()) {
      r.failure = which + "after close: " + r.failure;
      return r;
    }
  }
  return r;
}

TEST_CASE("crash points while value files are registered and retired",
          "[db][values][value_faults][crash]") {
  const auto start = std::chrono::steady_clock::now();
  const CrashRun clean = run_crash(std::nullopt, {});
  REQUIRE(clean.failure == "");
  REQUIRE(clean.ops >= 100);
  // At most 300 crash points, spread evenly over the workload (every op
  // when there are fewer), each with three kinds of damage: nothing kept of
  // what was not synced; a torn unsynced tail (and a zero-filled open WAL);
  // a seeded prefix of the pending namespace ops (creates, renames and
  // removes no directory sync made durable), the only damage that can show
  // a file removed before the edit that retires it was durable.
  const std::uint64_t stride = (clean.ops + 299) / 300;
  std::uint64_t points = 0, runs = 0;
  std::map<std::string, std::pair<std::string, int>> failures;  // why -> (first where, count)
  std::uint64_t fired = 0, orphans = 0, value_orphans = 0;
  for (std::uint64_t n = 0; n < clean.ops; n += stride, ++points) {
    for (int kind = 0; kind < 3; ++kind, ++runs) {
      test::PowerLossOptions loss{.stay_down = true};
      std::string damage = "no tear";
      if (kind == 1) {
        loss.tear_unsynced_tail = n + 1;
        loss.zero_fill_logs = test::kTestLogWindow;
        damage = "tear seed " + std::to_string(n + 1);
      } else if (kind == 2) {
        loss.names_seed = n + 7;
        damage = "names seed " + std::to_string(n + 7);
      }
      const CrashRun r = run_crash(n, loss);
      fired += r.cut_fired ? 1 : 0;
      orphans += r.left_orphan ? 1 : 0;
      value_orphans += r.left_value_orphan ? 1 : 0;
      if (r.failure.empty()) continue;
      auto [it, added] = failures.try_emplace(
          r.failure,
          "cut at op " + std::to_string(n) + " of " + std::to_string(clean.ops) + ", " + damage, 0);
      ++it->second.second;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN(clean.ops << " ops, " << points << " crash points, " << runs << " runs (" << fired
                 << " cut the workload, " << orphans
                 << " left a WAL or value file the manifest does not list for the open to "
                    "remove, "
                 << value_orphans << " of them a value file it had listed), " << seconds << " s");
  // Background threads move an op or two between runs; nearly every point
  // must still cut the workload, and some must leave files for the open
  // to remove.
  CHECK(fired * 10 >= runs * 9);
  CHECK(orphans > 0);
  CHECK(value_orphans > 0);
  for (const auto& [why, where] : failures) {
    FAIL_CHECK(where.first << " (and " << where.second - 1 << " more): " << why);
  }
  CHECK(failures.empty());
}

}  // namespace
