// CrashModel: what a database may hold after a power loss, for the crash
// tests (tests/db/crash_property_test.cpp, tests/db/crash_points_test.cpp).
// Test-only.
//
// It wraps a VersionedModel of every *acknowledged* write and adds what a
// power loss may take away (doc/design.md section 3):
//  - the durable floor: the newest acknowledged version known to be on disk
//    (a synced write returned, or flush(), compact() or close() returned OK,
//    or a recovery found it);
//  - at most one write in flight: it returned an error after the power cut,
//    yet its WAL record may have reached the disk.
// After a crash the database must equal the model as of some version V with
//   floor <= V <= last acknowledged (+1 if a write was in flight):
// the writes after V are lost entirely (a suffix, never a hole), nothing was
// invented, no delete came undone, and the retention mark is the one the
// acknowledged forget_before() calls set (they are durable on return).
// recover() finds V from last_version(), checks the range, cuts the model
// back to V (so the versions after V are handed out again, as the engine
// does), then compares every read the model can answer.
//
// Also helpers for crash tests: crash_and_reboot(), GateFileSystem, and how
// much work to do (kSanitized, crash_scale()).
//
// Thread-safety: a CrashModel is a plain value; use it from one thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sand/sand.hpp"
#include "support/fault_file_system.hpp"
#include "support/forwarding_file_system.hpp"
#include "support/versioned_model.hpp"

namespace sand::test {

// One operation of a batch: a put (value) or a delete (nullopt).
using ModelOp = std::pair<std::string, std::optional<std::string>>;
using ModelBatch = std::vector<ModelOp>;

// `ops` as a WriteBatch.
WriteBatch to_write_batch(const ModelBatch& ops);

class CrashModel {
 public:
  explicit CrashModel(Retention retention = Retention::kAll);

  // Engine bugs B1 and B2 (see tests/db/crash_property_test.cpp): a
  // retention mark above the durable versions reaches the disk (B1: a
  // forget_before(v) naming unsynced versions; B2: under kLatestOnly, a
  // compaction cut with a mark that counted unsynced versions), so after a
  // power loss that loses them, B1: the recovered mark exceeds
  // last_version(), B2: history() misses entries the compaction dropped.
  // When true, recover() follows the database's mark (B1) and
  // check_history() accepts any subsequence of the key's versions (entries
  // may be missing, never extra, changed or reordered) until the mark passes
  // every version handed out before the crash (B2). When false (the
  // default) both are failures.
  bool tolerate_mark_above_last = false;

  // --- What the test did ---

  // The result of writing `ops` (sync: whether it asked for an fsync).
  // Acknowledged: must be the next version ("" or why not). An error: the
  // write is in flight (it may or may not be on disk); only one may be, and
  // nothing may be acknowledged after it until recover().
  std::string on_write(const ModelBatch& ops, bool sync, const Result<Version>& result);
  // flush(), compact() or close() returned OK: every acknowledged write is
  // durable.
  void on_all_durable() { floor_ = model_.last; }
  // forget_before(v) returned `status`. OK: the mark is durable. An error:
  // it may or may not have been recorded.
  void on_forget_before(Version v, const Status& status);
  // A snapshot was taken (REQUIRES: at the latest version) / released.
  std::string on_snapshot(Snapshot snapshot);
  void on_release(std::size_t index);

  // --- Checks: each returns "" or the first difference, in words ---

  // get(key) (nullopt: the latest) against the model: the value, or
  // InvalidArgument for a version the model refuses.
  std::string check_get(const DB& db, const std::string& key, std::optional<Version> at) const;
  // A scan over [from, to) (unbounded when nullopt) at `at` (nullopt: latest).
  std::string check_scan(const DB& db, std::optional<std::string> from,
                         std::optional<std::string> to, std::optional<Version> at,
                         bool reverse) const;
  std::string check_history(const DB& db, const std::string& key) const;
  // get_versioned(key) (nullopt: the latest) against the model's first
  // history entry at or below the version.
  std::string check_get_versioned(const DB& db, const std::string& key,
                                  std::optional<Version> at) const;
  // The change feed (since, last] against the model's history entries,
  // batch by batch; InvalidArgument for a `since` below the mark.
  std::string check_changes(const DB& db, Version since) const;
  // A conditional write's result against the model: `holds` says whether
  // the preconditions held (model_.key_version before the write). Conflict
  // when they did not; otherwise as on_write().
  std::string on_conditional_write(const ModelBatch& ops, bool sync, bool holds,
                                   const Result<Version>& result);
  // Everything: last_version, the mark, a full scan at the latest version
  // and at a few older readable ones (each snapshot's included), get,
  // get_versioned and history of every key ever written (lost writes' keys
  // too: no phantoms), one multi_get of them all, and the change feed from
  // the mark.
  std::string check_all(const DB& db) const;

  // After a power loss and a successful reopen of `db`: checks V =
  // last_version() against the range above, cuts the model back to V (or
  // commits the write in flight), drops the snapshots (they died with the
  // process), takes the mark from `db`, then check_all(). On success V is
  // durable: the floor moves to it.
  std::string recover(const DB& db);
  // After close() returned OK and a reopen: nothing may be lost.
  std::string reopened(const DB& db);

  // --- State ---
  const VersionedModel& model() const { return model_; }
  Version last() const { return model_.last; }
  Version floor() const { return floor_; }
  bool in_flight() const { return in_flight_.has_value(); }
  // Recoveries that found an unsynced write on disk (V > floor), and that
  // found the write in flight on disk: how often the torn cases happened.
  std::uint64_t recovered_unsynced() const { return recovered_unsynced_; }
  std::uint64_t recovered_in_flight() const { return recovered_in_flight_; }

 private:
  void apply(const ModelBatch& ops, Version v);

  VersionedModel model_;
  Version floor_ = 0;
  std::optional<ModelBatch> in_flight_;
  Version mark_ceiling_ = 0;  // the highest mark a forget_before asked for
  // kLatestOnly: the newest version ever handed out (acknowledged or in
  // flight), the highest mark a compaction may have cut with; and, once a
  // crash lost some of the versions it counted, that mark: history may miss
  // entries while the mark is below it (B2 tolerance).
  Version pruned_mark_ = 0;
  Version pruned_above_ = 0;
  std::set<std::string> seen_keys_;  // every key ever written, lost or not
  std::uint64_t recovered_unsynced_ = 0;
  std::uint64_t recovered_in_flight_ = 0;
};

// Whether this build runs under a sanitizer (ASan, TSan: 2-15x slower); the
// crash tests then do less by default.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

// A value in a failure message: long values are cut to their first bytes
// (test values start with a tag that tells writes apart) and their length;
// an absent one is "<absent>".
std::string show_value(const std::string& v);
std::string show(const std::optional<std::string>& v);
std::string show(const std::vector<HistoryEntry>& entries);

// SAND_CRASH_SCALE (a positive integer, default 1): multiplies the work of
// crash tests for soak runs.
int crash_scale();

// The power loss crash tests use for `tear_seed` (see crash_and_reboot):
// an odd seed also leaves the open WAL padded with zeros, as the POSIX
// writer's preallocation does (PowerLossOptions::zero_fill_logs, windows
// of kTestLogWindow bytes).
inline constexpr std::uint64_t kTestLogWindow = 4096;
PowerLossOptions crash_loss(std::optional<std::uint64_t> tear_seed, bool stay_down);

// A power loss under a live DB, then the reboot: cuts power now unless a
// power_loss_after already did (crash_loss(tear_seed): keeping a seeded
// prefix of each unsynced tail when `tear_seed` is set), staying down so the DB's background
// threads fail instead of writing; destroys the DB (a dead process's close fails harmlessly);
// powers back on. `db` may be null.
void crash_and_reboot(FaultFileSystem& fs, std::unique_ptr<DB>& db,
                      std::optional<std::uint64_t> tear_seed);

// A FileSystem wrapper that holds back the creation of table files (".sst")
// while closed, so that frozen memtables wait unflushed for as long as a
// test needs (e.g. to pile up WALs, or to write while a flush is pending);
// forwards everything else. Thread-safety: as the wrapped FileSystem.
class GateFileSystem final : public ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;

  // Closes (false) or opens (true) the gate; opening wakes the held calls.
  void set_open(bool open);

 private:
  Status intercept(const FsCall& call, const Forward& forward) override;

  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;  // GUARDED_BY(mu_)
};

}  // namespace sand::test
