// Exhaustive crash points (in the style of SQLite's TH3 crash tests): each
// canonical workload runs once cleanly on a FaultFileSystem to count its
// mutating file operations, then again from scratch for EVERY N in
// [0, total) with power_loss_after(N), once per kind of damage:
//  - no tear: every file loses its unsynced bytes, and every namespace op
//    (create, rename, remove) no directory sync made durable is undone;
//  - three tear seeds: each file keeps a seeded prefix of its unsynced tail
//    (one under sanitizers; SAND_CRASH_SCALE=n multiplies them);
//  - two names seeds: a seeded prefix of the namespace ops no directory sync
//    had made durable (creates, renames, removes) reaches the disk, in
//    order, as a journaling file system commits them: the first alone, the
//    second with a tear seed too (one, alone, under sanitizers; times
//    SAND_CRASH_SCALE). Only this damage can show a file deleted before the
//    manifest edit that retires it is durable: the others undo every
//    pending delete.
// After the reboot the database must open (a crash is never Corruption) and
// hold the acknowledged writes of that run as of some version V between the
// last durable acknowledged write and the last acknowledged one (+ the write
// cut in flight): lost writes are a suffix, nothing else changes
// (support/crash_model.hpp); then it must close cleanly, and open again to
// the same state (what the recovery itself wrote must be sound).
//
// Workloads: (a) create + one synced put; (b) synced puts, then flush;
// (c) flushes until L0 -> L1 and L1 + L2 -> L2 compactions ran; (d) manifest
// rollovers (tiny manifest_rollover_size); (e) WAL switches (4 KiB memtables)
// with synced writes before and after; (f) the recovery of several pending
// WALs (frozen memtables whose flush never ran). The engine's background
// threads make the order of operations vary a little between runs, so the
// op a given N cuts can differ from the clean run's: that only widens what
// is covered. Each TEST_CASE checks its count of crash points (shown with
// the time taken by `-s`); together they are thousands.
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sand/sand.hpp"
#include "support/crash_model.hpp"
#include "support/db_helpers.hpp"
#include "support/fault_file_system.hpp"

using namespace sand;
using sand::test::CrashModel;
using sand::test::FaultFileSystem;
using sand::test::GateFileSystem;

namespace {

const std::string kDir = "/db";
// Tear seeds per crash point: 3 (1 under sanitizers, where the point is
// memory safety), times SAND_CRASH_SCALE.
int tear_seeds() { return (sand::test::kSanitized ? 1 : 3) * sand::test::crash_scale(); }
// Names seeds per crash point: 2 (1 under sanitizers), times
// SAND_CRASH_SCALE.
int names_seeds() { return (sand::test::kSanitized ? 1 : 2) * sand::test::crash_scale(); }

// What one power loss does beyond dropping unsynced bytes and names.
struct Damage {
  std::optional<std::uint64_t> tear{};   // PowerLossOptions::tear_unsynced_tail
  std::optional<std::uint64_t> names{};  // PowerLossOptions::names_seed
  bool zero_fill = false;                // PowerLossOptions::zero_fill_logs

  std::string describe() const {
    std::string out = tear ? "tear seed " + std::to_string(*tear) : std::string("no tear");
    if (names) out += ", names seed " + std::to_string(*names);
    if (zero_fill) out += ", open WAL zero-filled";
    return out;
  }
};

// The damages tried at crash point `n`: none, the tear seeds, then the
// names seeds (every second one with a tear seed too). Seeds differ from
// point to point.
std::vector<Damage> damages_at(std::uint64_t n) {
  const auto tears = static_cast<std::uint64_t>(tear_seeds());
  const auto names = static_cast<std::uint64_t>(names_seeds());
  std::vector<Damage> out = {Damage{}};
  // Every odd tear seed also leaves the open WAL padded with zeros, as the
  // POSIX writer's preallocation does.
  for (std::uint64_t d = 1; d <= tears; ++d) {
    out.push_back({.tear = n * tears + d, .zero_fill = d % 2 == 1});
  }
  for (std::uint64_t d = 1; d <= names; ++d) {
    Damage damage{.names = n * names + d};
    if (d % 2 == 0) damage.tear = n * names + d + (1u << 20);
    out.push_back(damage);
  }
  return out;
}

// One run of a workload: the file system, the live DB and the model of
// what it acknowledged. Each step returns false once the DB failed (a
// crashed process does nothing more).
struct Env {
  std::shared_ptr<FaultFileSystem> fs = std::make_shared<FaultFileSystem>();
  std::unique_ptr<DB> db;
  CrashModel model;
  Options options;
  std::string failure;  // a model complaint while running (not a crash)
  // For the clean run's checks: stats right after open and after close,
  // and manifest rollovers seen (manifest_bytes shrank).
  Stats opened_stats, closing_stats;
  int rollovers = 0;
  std::uint64_t manifest_bytes = 0;

  bool open() {
    auto opened = DB::open(kDir, options);
    if (!opened.is_ok()) return false;
    db = std::move(opened).value();
    opened_stats = db->stats();
    manifest_bytes = opened_stats.manifest_bytes;
    return true;
  }
  void note_manifest() {
    const std::uint64_t now = db->stats().manifest_bytes;
    if (now < manifest_bytes) ++rollovers;
    manifest_bytes = now;
  }
  bool write(const sand::test::ModelBatch& ops, bool sync) {
    const WriteOptions wo{.sync = sync ? SyncMode::kSync : SyncMode::kNoSync};
    auto r = db->write(sand::test::to_write_batch(ops), wo);
    const bool ok = r.is_ok();
    if (auto why = model.on_write(ops, sync, r); !why.empty() && failure.empty()) failure = why;
    return ok;
  }
  bool put(const std::string& key, const std::string& value, bool sync) {
    return write({{key, value}}, sync);
  }
  bool del(const std::string& key, bool sync) { return write({{key, std::nullopt}}, sync); }
  bool flush() {
    if (!db->flush().is_ok()) return false;
    model.on_all_durable();
    return true;
  }
  bool forget_before(Version v) {
    const Status s = db->forget_before(v);
    model.on_forget_before(v, s);
    return s.is_ok();
  }
  bool close() {
    if (!db->close().is_ok()) return false;
    closing_stats = db->stats();  // close() finished the queued flushes
    model.on_all_durable();
    db.reset();
    return true;
  }
};

struct Workload {
  Options (*options)(std::shared_ptr<FileSystem> fs);
  // Runs before the part whose operations are cut (may be null); leaves no
  // DB open.
  void (*setup)(Env& env);
  // The part cut at every operation; stops at the first failure.
  void (*body)(Env& env);
  // Checks on the clean run that the workload did what it is for ("" if so).
  std::string (*clean_check)(const Env& env);
};

Options small_options(std::shared_ptr<FileSystem> fs) {
  Options o = sand::test::tiny_compacting_options(std::move(fs), Retention::kAll);
  o.manifest_rollover_size = 1024;
  return o;
}

// No compaction starts on its own: for workloads about one mechanism.
Options quiet_options(std::shared_ptr<FileSystem> fs) {
  Options o = small_options(std::move(fs));
  o.l0_trigger = 1000;
  o.l0_stop = 1001;
  o.l1_trigger = 1000;
  return o;
}

std::string value_of(int i, std::size_t size) {
  return "value" + std::to_string(i) + std::string(size, static_cast<char>('a' + i % 26));
}

std::string key_of(int i) { return "key" + std::to_string(i % 17); }

// --- The workloads ---

// (a) create a database and make one synced put.
void body_create(Env& e) {
  if (!e.open()) return;
  if (!e.put("a", "1", true)) return;
  e.close();
}

// (b) synced puts (one a delete), then flush.
void body_flush(Env& e) {
  if (!e.open()) return;
  for (int i = 0; i < 8; ++i) {
    const bool ok = i == 5 ? e.del(key_of(2), true) : e.put(key_of(i), value_of(i, 30), true);
    if (!ok) return;
  }
  if (!e.flush()) return;
  if (!e.put("after", "flush", false)) return;
  e.close();
}

// Waits until no compaction is due (or power is lost), so each flush of
// workload (c) meets the same shape: compactions run in the background.
void wait_for_compactions(Env& e) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!e.fs->is_down() && std::chrono::steady_clock::now() < deadline) {
    const Stats s = e.db->stats();
    if (s.tables[0] < static_cast<std::uint64_t>(e.options.l0_trigger) &&
        s.l1_runs < static_cast<std::uint64_t>(e.options.l1_trigger)) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

// (c) four flushes: level 0 -> level 1 twice, then level 1 + level 2 ->
// level 2 (triggers of 2). Two writes in three are not synced.
void body_compactions(Env& e) {
  if (!e.open()) return;
  int n = 0;
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 6; ++i, ++n) {
      const bool ok = n % 7 == 3 ? e.del(key_of(n + 5), n % 3 == 0)
                                 : e.put(key_of(n), value_of(n, 60), n % 3 == 0);
      if (!ok) return;
    }
    if (!e.flush()) return;
    wait_for_compactions(e);
  }
  if (!e.put("after", "compactions", true)) return;
  e.close();
}

std::string check_compactions(const Env& e) {
  const Stats& s = e.closing_stats;
  if (s.compactions < 3 || s.tables[2] == 0) {
    return std::to_string(s.compactions) + " compactions, " + std::to_string(s.tables[2]) +
           " level-2 tables: want >= 3 compactions and level 2 in use";
  }
  return "";
}

// (d) manifest rollovers: every synced put is followed by a forget_before
// (a ~12-byte manifest edit) and every fourth by a flush (an edit naming a
// table), so a manifest held to 256 bytes is rewritten several times. The
// marks stay at durable versions (bug B1 belongs to crash_property_test).
Options manifest_options(std::shared_ptr<FileSystem> fs) {
  Options o = quiet_options(std::move(fs));
  o.manifest_rollover_size = 256;
  return o;
}

void body_manifest(Env& e) {
  if (!e.open()) return;
  for (int i = 0; i < 24; ++i) {
    if (!e.put(key_of(i), value_of(i, 20), true)) return;
    if (!e.forget_before(e.model.last() - 1)) return;
    if (i % 4 == 3 && !e.flush()) return;
    e.note_manifest();
  }
  e.close();
}

std::string check_manifest(const Env& e) {
  if (e.rollovers < 2) return std::to_string(e.rollovers) + " manifest rollovers, want >= 2";
  return "";
}

// (e) WAL switches: ~200-byte writes into 4 KiB memtables, synced and not,
// across two memtable switches.
void body_wal_switch(Env& e) {
  if (!e.open()) return;
  for (int i = 0; i < 50; ++i) {
    if (!e.put(key_of(i), value_of(i, 190), i % 2 == 0)) return;
  }
  e.close();
}

std::string check_wal_switch(const Env& e) {
  if (e.closing_stats.flushes < 2) {
    return std::to_string(e.closing_stats.flushes) + " memtable flushes, want >= 2";
  }
  return "";
}

// (f) setup: synced writes while table creation is held back, until three
// memtables wait frozen (three WALs and the active one), then power loss.
void setup_pending_wals(Env& e) {
  auto gate = std::make_shared<GateFileSystem>(e.fs);
  gate->set_open(false);
  Options o = e.options;
  o.file_system = gate;
  o.max_frozen_memtables = 4;
  auto opened = DB::open(kDir, o);
  REQUIRE(opened.is_ok());
  e.db = std::move(opened).value();
  for (int i = 0; e.db->stats().immutable_memtables < 3; ++i) {
    REQUIRE(i < 200);
    REQUIRE(e.put(key_of(i), value_of(i, 1000), true));
  }
  e.fs->power_loss({.stay_down = true});
  gate->set_open(true);  // the held flush now fails: power is lost
  e.db.reset();
  e.fs->reboot();
}

// (f) the recovery: replays the pending WALs into one table, then writes.
void body_pending_wals(Env& e) {
  if (!e.open()) return;
  for (int i = 0; i < 3; ++i) {
    if (!e.put("new" + std::to_string(i), value_of(i, 50), i != 1)) return;
  }
  e.close();
}

std::string check_pending_wals(const Env& e) {
  // The three frozen memtables and the active one were replayed and flushed
  // into one level-0 table by the open.
  if (e.opened_stats.tables[0] != 1 || e.opened_stats.flushes != 1) {
    return "after open: " + std::to_string(e.opened_stats.tables[0]) + " level-0 tables, " +
           std::to_string(e.opened_stats.flushes) + " flushes; want 1 and 1";
  }
  return "";
}

// --- The driver ---

struct RunResult {
  std::string failure;  // "" if recovery was correct
  bool cut_fired = false;
  std::uint64_t ops = 0;            // the body's mutating ops (clean run)
  std::uint64_t kept_name_ops = 0;  // pending namespace ops the loss kept
};

// One run: setup, the body cut after `cut` ops (none: clean), power loss
// with `damage`, reboot, reopen, check.
RunResult run_once(const Workload& w, std::optional<std::uint64_t> cut, const Damage& damage) {
  const sand::test::PowerLossOptions loss{
      .tear_unsynced_tail = damage.tear,
      .names_seed = damage.names,
      .zero_fill_logs = damage.zero_fill ? sand::test::kTestLogWindow : 0,
      .stay_down = true};
  RunResult r;
  Env e;
  e.options = w.options(e.fs);
  if (w.setup) w.setup(e);
  const std::uint64_t base = e.fs->ops();
  if (cut) e.fs->power_loss_after(base + *cut, loss);
  w.body(e);
  r.ops = e.fs->ops() - base;
  r.cut_fired = e.fs->is_down();
  if (!e.failure.empty()) {
    r.failure = "while running: " + e.failure;
    return r;
  }
  if (!cut && w.clean_check) {
    r.failure = w.clean_check(e);
    if (!r.failure.empty()) return r;
  }
  // crash_and_reboot(), with the names seed too: cut now unless the
  // power_loss_after already did (the body may have run short of it).
  if (!e.fs->is_down()) e.fs->power_loss(loss);
  e.db.reset();
  e.fs->reboot();
  r.kept_name_ops = e.fs->kept_name_ops();

  auto opened = DB::open(kDir, e.options);
  if (!opened.is_ok()) {
    r.failure = "open after the crash: " + opened.status().to_string();
    return r;
  }
  std::unique_ptr<DB> db = std::move(opened).value();
  r.failure = e.model.recover(*db);
  if (!r.failure.empty()) return r;
  if (const Status s = db->close(); !s.is_ok()) {
    r.failure = "close after recovery: " + s.to_string();
    return r;
  }
  // What the recovery wrote (a new manifest, a table of replayed WALs, a
  // truncated WAL) must open again to the same state.
  db.reset();
  opened = DB::open(kDir, e.options);
  if (!opened.is_ok()) {
    r.failure = "second open after recovery: " + opened.status().to_string();
    return r;
  }
  db = std::move(opened).value();
  r.failure = e.model.reopened(*db);
  if (const Status s = db->close(); r.failure.empty() && !s.is_ok()) {
    r.failure = "second close: " + s.to_string();
  }
  return r;
}

struct Totals {
  std::uint64_t ops = 0;         // mutating ops of the clean run's body
  std::uint64_t points = 0;      // runs: ops x (1 + tear_seeds() + names_seeds())
  std::uint64_t names_kept = 0;  // runs whose loss kept pending namespace ops
};

// Runs `w` at every crash point with every damage; FAIL_CHECKs each
// distinct failure (with the first point showing it) and returns the counts.
Totals run_all_points(const char* name, const Workload& w) {
  const auto start = std::chrono::steady_clock::now();
  Totals t;
  const RunResult clean = run_once(w, std::nullopt, Damage{});
  INFO(name << ": the clean run");
  REQUIRE(clean.failure == "");
  t.ops = clean.ops;

  std::map<std::string, std::pair<std::string, std::uint64_t>> failures;  // why -> (where, count)
  for (std::uint64_t n = 0; n < t.ops; ++n) {
    for (const Damage& damage : damages_at(n)) {
      const RunResult r = run_once(w, n, damage);
      ++t.points;
      if (r.kept_name_ops > 0) ++t.names_kept;
      if (r.failure.empty()) continue;
      std::ostringstream where;
      where << "cut at op " << n << " of " << t.ops << ", " << damage.describe();
      auto [it, added] = failures.try_emplace(r.failure, where.str(), 0);
      ++it->second.second;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN(name << ": " << t.ops << " ops, " << t.points << " crash points (" << t.names_kept
            << " kept pending namespace ops), " << seconds << " s");
  int shown = 0;
  for (const auto& [why, where] : failures) {
    if (++shown > 10) break;
    FAIL_CHECK(name << ": " << where.first << " (and " << where.second - 1
                    << " more points with this failure): " << why);
  }
  CHECK(failures.empty());
  CHECK(t.names_kept > 0);  // the names damage did happen
  return t;
}

}  // namespace

TEST_CASE("crash points (a): creating a database and one synced put", "[db][crash][points]") {
  const Totals t = run_all_points("(a) create", {small_options, nullptr, body_create, nullptr});
  CHECK(t.ops >= 10);
}

TEST_CASE("crash points (b): synced puts, then a flush", "[db][crash][points]") {
  const Totals t = run_all_points("(b) flush", {quiet_options, nullptr, body_flush, nullptr});
  CHECK(t.ops >= 30);
}

TEST_CASE("crash points (c): flushes into L0 -> L1 and L1 + L2 -> L2 compactions",
          "[db][crash][points]") {
  const Totals t = run_all_points("(c) compactions",
                                  {small_options, nullptr, body_compactions, check_compactions});
  CHECK(t.ops >= 100);
}

TEST_CASE("crash points (d): manifest rollovers", "[db][crash][points]") {
  const Totals t =
      run_all_points("(d) manifest", {manifest_options, nullptr, body_manifest, check_manifest});
  CHECK(t.ops >= 100);
}

TEST_CASE("crash points (e): WAL switches with synced writes before and after",
          "[db][crash][points]") {
  const Totals t =
      run_all_points("(e) WAL switch", {quiet_options, nullptr, body_wal_switch, check_wal_switch});
  CHECK(t.ops >= 100);
}

TEST_CASE("crash points (f): recovering several pending WALs", "[db][crash][points]") {
  const Totals t = run_all_points("(f) pending WALs", {quiet_options, setup_pending_wals,
                                                       body_pending_wals, check_pending_wals});
  CHECK(t.ops >= 20);
}
