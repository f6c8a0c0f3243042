// Corruption matrix support: damage one file of a copied database directory,
// open it, and compare what comes back with a model of what was written
// (tests/db/wal_corruption_matrix_test.cpp, file_corruption_matrix_test.cpp).
//
// A matrix case is: the bytes of a pristine database directory (captured
// once, in memory), one file replaced by damaged bytes, then check_database,
// DB::open and a full read-back (every key with get() at the latest and at
// older versions, history(), forward and reverse scans) against a
// VersionedModel cut at the version the case expects to survive. Each check
// returns "" or its first difference in words, so a case that disagrees with
// its oracle is reported with what the engine actually did; CaseLog collects
// those reports per test and prints them together.
//
// Nothing here knows a file format: damage is described by byte offsets the
// tests learn from file sizes, and outcomes by the public API and the
// "<file>: offset <N>: <what>" form of Status::corruption.
//
// Thread-safety: plain values and free functions, used from one thread;
// Watchdog runs one thread of its own.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "sand/check.hpp"
#include "sand/sand.hpp"
#include "support/crash_model.hpp"
#include "support/versioned_model.hpp"

namespace sand::test {

// The files of a database directory: name -> bytes.
using DirFiles = std::map<std::string, std::string>;

// The directory every matrix database lives in (in memory).
inline constexpr const char* kMatrixDir = "/db";

// Every file of `dir` but LOCK, with its current bytes.
DirFiles read_dir_files(FileSystem& fs, const std::string& dir);
// A fresh in-memory file system holding exactly `files` in `dir`.
std::shared_ptr<FileSystem> memory_fs_with(const std::string& dir, const DirFiles& files);
// The bytes of `path`; empty if it cannot be read.
std::string read_file(FileSystem& fs, const std::string& path);
// The names in `dir` that end with `suffix`, sorted.
std::vector<std::string> names_with_suffix(FileSystem& fs, const std::string& dir,
                                           std::string_view suffix);

// ---- Damage ----

// `bytes` with bit `bit` (0..7) of byte `offset` inverted. REQUIRES: offset
// inside.
std::string flip_bit(std::string bytes, std::uint64_t offset, int bit);
// `bytes` with [offset, offset + length) set to zero, clipped at the end.
std::string zero_range(std::string bytes, std::uint64_t offset, std::uint64_t length);
// `n` pseudo-random bytes from `seed` (the same everywhere).
std::string random_bytes(std::uint64_t seed, std::size_t n);

// [begin, end) of the bytes that differ between two equally long strings;
// nullopt when they are equal.
struct ByteRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};
std::optional<ByteRange> changed_range(std::string_view before, std::string_view after);

// ---- Outcomes ----

// Whether `s` names `file` the way Status::corruption does ("<file>: ..."),
// or mentions it anywhere in its message.
bool mentions(const Status& s, std::string_view file);
// N from "<file>: offset <N>:" in `s`'s message; nullopt if absent.
std::optional<std::uint64_t> offset_named(const Status& s, std::string_view file);

// A short description of a Status for reports ("OK" or "Corruption: ...").
std::string show(const Status& s);

// ---- The model ----

// Records that `ops` were committed at version `v`.
void apply_batch(VersionedModel* model, Version v, const ModelBatch& ops);
// `full` as of version `v`: every entry with version <= v; last = v.
VersionedModel model_as_of(const VersionedModel& full, Version v);

// Checks that the undamaged directory `files` checks clean (no problem, no
// note) and opens with every write of `model` readable (Catch CHECKs).
void check_undamaged(const std::string& dir, const DirFiles& files, const VersionedModel& model,
                     const std::vector<std::string>& keys);

// Reads `db` back and compares with `expected` (REQUIRES: expected.mark 0):
// last_version(); get() of every key in `keys` at the latest version and at
// a few older ones; history() of every key; forward scans at the latest and
// an older version and a reverse scan at the latest, with versions. Returns
// "" or the first difference. When `tolerated_file` is not empty, a read that
// fails with Corruption naming that file counts in *tolerated instead of
// being a difference (a damaged table may refuse a read, never lie); entries
// a scan yielded before such an error must still be exactly right.
std::string check_reads(const DB& db, const VersionedModel& expected,
                        const std::vector<std::string>& keys,
                        const std::string& tolerated_file = "", std::uint64_t* tolerated = nullptr);

// Every key of `model` plus `extra` (keys that must stay absent), sorted and
// unique.
std::vector<std::string> all_keys(const VersionedModel& model,
                                  const std::vector<std::string>& extra = {});

// ---- check_database expectations ----

// The problems and notes of `report` in one line each, for messages.
std::string show(const CheckReport& report);
bool has_problem_naming(const CheckReport& report, std::string_view file);
bool has_note_naming(const CheckReport& report, std::string_view file);

// ---- Reporting ----

// Whether SAND_MATRIX_VERBOSE is set: then every case is listed as it runs
// (to see what the matrix covers, or which case a crash happened in): the
// engine's answers first, then the case's verdict line and label.
bool matrix_verbose();

// Collects the cases one test ran and the ones that disagreed with their
// oracle; finish() prints them (stdout, one line each; a summary WARN) and
// fails the test if any did.
class CaseLog {
 public:
  explicit CaseLog(std::string title) : title_(std::move(title)) {}
  // One case ran; `failure` is "" when it agreed with the oracle.
  void record(const std::string& label, const std::string& failure);
  // Counts one case that took `outcome` where the oracle allows several
  // (e.g. "stale record appended: torn tail"); finish() prints the counts.
  void note(const std::string& outcome);
  std::size_t cases() const { return cases_; }
  const std::vector<std::string>& failures() const { return failures_; }
  // Prints the counts and every failure, then CHECKs there were none.
  void finish() const;

 private:
  std::string title_;
  std::size_t cases_ = 0;
  std::vector<std::string> failures_;
  std::map<std::string, std::size_t> outcomes_;
};

// Aborts the process, naming the case, if a case runs longer than `limit`:
// a hang in the engine must not hang the test run silently.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void arm(const std::string& label);
  void disarm();

 private:
  void run();

  const std::chrono::seconds limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                                              // GUARDED_BY(mu_)
  std::optional<std::chrono::steady_clock::time_point> deadline_;  // GUARDED_BY(mu_)
  std::string label_;                                              // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace sand::test
