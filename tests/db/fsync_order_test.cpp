// Syscall-order audit: the FaultFileSystem records every mutating op of a
// workload (create, synced puts, WAL switches, flushes, level-0 -> level-1
// and level-1 -> level-2 compactions, a full compaction, manifest rollovers,
// forget_before, a reopen that keeps its WAL and one that replays pending
// WALs); a small checker then walks the events and verifies the crash-order
// rules of spec/README.md, one TEST_CASE per rule. Each rule also gets
// hand-made bad event lists, to prove its check can fail.
//
// Only successful events count (a failed op changed nothing). Paths are
// full ("/db/000005.sst"); "manifest write" below means an append to
// MANIFEST or the rename MANIFEST.tmp -> MANIFEST (the rollover's commit).
//
// R4 reads the manifest: a wrapper above the FaultFileSystem keeps the bytes
// of every append to MANIFEST and MANIFEST.tmp, and the checker decodes them
// with the engine's own wal::RecordReader and manifest::Edit::decode, follows
// rollovers, and applies the edits with manifest::State, so it knows which
// edit retires which file and when that edit became durable. The other rules
// need no bytes; where one needs "the edit that names file F" (R1) it finds
// it by order. The workload waits for the DB to go idle after every step, so
// background jobs never overlap: each job's events (table written, edit
// appended and synced, files removed) are contiguous, and the orders used
// below are exact for it. Where a rule can be stated so that it stays sound
// under overlapping jobs too, it is (noted per rule).
//
// Thread-safety: single-threaded checker; the workload's DB runs its own
// threads on the shared FaultFileSystem.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "db/filenames.hpp"
#include "manifest/edit.hpp"
#include "manifest/state.hpp"
#include "sand/sand.hpp"
#include "support/db_helpers.hpp"
#include "support/fault_file_system.hpp"
#include "support/forwarding_file_system.hpp"
#include "support/fsync_audit.hpp"
#include "wal/log_format.hpp"
#include "wal/record_reader.hpp"

using namespace sand;
using sand::test::Event;
using sand::test::FaultFileSystem;
using sand::test::ForwardingFileSystem;
using sand::test::must;
using sand::test::OpKind;
using namespace sand::test::fsync_audit;

namespace {

const std::string kDir = "/db";

// --- The recorded workload -------------------------------------------------------

// Forwards everything to `base`, except that while `refuse_tables` is set,
// creating a table fails with EIO (so a flush fails and its WAL stays
// pending). The refusal never reaches the FaultFileSystem: no event.
class RefusingFileSystem final : public ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;
  std::atomic<bool> refuse_tables{false};

 private:
  Status intercept(const sand::test::FsCall& call, const sand::test::Forward& forward) override {
    if (call.op == sand::test::FsOp::kNewWritableFile && refuse_tables && is_table(call.path)) {
      return Status::io_error(call.path, EIO);
    }
    return forward();
  }
};

struct Recording {
  std::vector<Event> events;
  // appended[i]: the bytes events[i] appended to a manifest file (else empty).
  std::vector<std::string> appended;
  std::vector<Ack> acks;
  std::uint64_t compactions = 0;       // during the first session
  bool deep_compaction_seen = false;   // level 2 filled before compact() ran
  bool pending_wals_replayed = false;  // an open replayed (and removed) two WALs
};

// Waits until no flush or compaction is due or running and every retired
// file is gone, so the next step's events do not interleave with a job's.
void wait_idle(DB& db, FaultFileSystem& fs, const Options& o) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    const Stats s = db.stats();
    if (s.immutable_memtables == 0 && s.tables[0] < static_cast<std::uint64_t>(o.l0_trigger) &&
        s.l1_runs < static_cast<std::uint64_t>(o.l1_trigger)) {
      std::uint64_t tables = 0, wals = 0;
      for (const auto& name : must(fs.list_dir(kDir))) {
        tables += is_table(name);
        wals += is_wal(name);
      }
      if (tables == s.tables[0] + s.tables[1] + s.tables[2] && wals == 1) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  FAIL("the database did not go idle");
}

std::string value_for(int i) {
  std::string v = "value" + std::to_string(i) + ":";
  std::uint32_t x = 88172645u + static_cast<std::uint32_t>(i) * 2654435761u;
  while (v.size() < 180) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    v.push_back(static_cast<char>('a' + x % 26));
  }
  return v;
}

Recording record_workload() {
  auto fault = std::make_shared<FaultFileSystem>();
  auto capture = std::make_shared<ManifestBytesFileSystem>(fault);
  auto refusing = std::make_shared<RefusingFileSystem>(capture);
  Options o = sand::test::tiny_compacting_options(refusing, Retention::kAll);
  o.block_size = 1024;
  o.manifest_rollover_size = 150;  // edits are ~30-50 bytes: a rollover every few
  fault->set_recording(true);

  Recording rec;
  int n = 0;
  std::unique_ptr<DB> db;
  // One put; a synced one that returns OK is an acknowledgement to audit.
  auto put = [&](bool synced) -> bool {
    const std::size_t begin = fault->events().size();
    const auto r = db->put("k" + std::to_string(n % 12), value_for(n),
                           WriteOptions{.sync = synced ? SyncMode::kSync : SyncMode::kNoSync});
    const std::size_t end = fault->events().size();
    ++n;
    if (r.is_ok() && synced) rec.acks.push_back(Ack{begin, end});
    return r.is_ok();
  };
  auto step = [&](bool synced) {
    REQUIRE(put(synced));
    wait_idle(*db, *fault, o);
  };

  db = must(DB::open(kDir, o));                   // create
  for (int i = 0; i < 30; ++i) step(i % 2 == 0);  // memtable fills: WAL switch + flush
  must(db->flush());                              // level 0 reaches 2: L0 -> L1
  wait_idle(*db, *fault, o);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 8; ++i) step(true);
    must(db->flush());
    wait_idle(*db, *fault, o);
  }  // a second level-1 run: L1 + L2 -> L2
  rec.deep_compaction_seen = db->stats().tables[2] > 0;
  must(db->forget_before(db->last_version() / 2));
  for (int i = 0; i < 4; ++i) step(true);
  must(db->compact());
  wait_idle(*db, *fault, o);
  rec.compactions = db->stats().compactions;
  must(db->close());

  db = must(DB::open(kDir, o));  // one WAL: reopened and appended to
  for (int i = 0; i < 6; ++i) step(true);
  // Pending WALs: the next flush fails, so the frozen memtable's WAL stays.
  refusing->refuse_tables = true;
  for (int i = 0; i < 100; ++i) {
    if (!put(true)) break;  // read-only once the flush failed
  }
  db->close().ignore();  // reports the failed flush
  db.reset();
  refusing->refuse_tables = false;

  const std::size_t before_open = fault->events().size();
  db = must(DB::open(kDir, o));  // replays two WALs and flushes them at open
  const std::vector<Event> opening = fault->events();
  std::uint64_t removed_wals = 0;
  for (std::size_t i = before_open; i < opening.size(); ++i) {
    removed_wals += is(opening[i], OpKind::kRemove) && is_wal(opening[i].path);
  }
  rec.pending_wals_replayed = removed_wals >= 2;
  for (int i = 0; i < 6; ++i) step(true);
  must(db->close());
  rec.events = fault->events();
  rec.appended = capture->bytes_for(rec.events);
  return rec;
}

const Recording& recording() {
  static const Recording rec = record_workload();
  return rec;
}

void expect_clean(const RuleResult& r) {
  for (const auto& v : r.violations) FAIL_CHECK(v);
  CHECK(r.violations.empty());
}

// --- Hand-made event lists ---------------------------------------------------------

Event ev(OpKind kind, const std::string& name, const std::string& to = "") {
  Event e;
  e.kind = kind;
  e.path = name.empty() ? kDir : kDir + "/" + name;
  if (!to.empty()) e.to = kDir + "/" + to;
  return e;
}
Event sync_dir() { return ev(OpKind::kSyncDir, ""); }

// A table written the right way: create, append, sync, close, dir sync.
std::vector<Event> good_table(const std::string& t) {
  return {ev(OpKind::kCreate, t), ev(OpKind::kAppend, t), ev(OpKind::kSync, t),
          ev(OpKind::kClose, t), sync_dir()};
}
std::vector<Event> manifest_edit() {
  return {ev(OpKind::kAppend, "MANIFEST"), ev(OpKind::kSync, "MANIFEST")};
}
std::vector<Event> concat(std::initializer_list<std::vector<Event>> parts) {
  std::vector<Event> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

bool mentions(const RuleResult& r, const std::string& text) {
  return r.violations.size() == 1 && r.violations[0].find(text) != std::string::npos;
}

// A hand-made event list with real manifest bytes: `appended` holds what each
// append to a manifest file wrote, made with the engine's own encoders
// (wal::log_file_header, wal::encode_record_header, manifest::Edit::encode),
// and every Event's size_after is the file's size as the list goes.
struct Trace {
  std::vector<Event> events;
  std::vector<std::string> appended;
  std::map<std::string, std::uint64_t> sizes;    // by name
  std::map<std::string, std::uint64_t> log_ids;  // by name

  Trace& op(OpKind kind, const std::string& name, const std::string& to = "") {
    Event e = ev(kind, name, to);
    if (kind == OpKind::kCreate) sizes[name] = 0;
    if (kind != OpKind::kRemove && kind != OpKind::kSyncDir && sizes.contains(name)) {
      e.size_after = sizes[name];
    }
    if (kind == OpKind::kRemove) sizes.erase(name);
    if (kind == OpKind::kRename) {
      sizes[to] = sizes[name];
      sizes.erase(name);
      log_ids[to] = log_ids[name];
    }
    events.push_back(std::move(e));
    appended.emplace_back();
    return *this;
  }
  Trace& ops(const std::vector<Event>& list) {
    for (const Event& e : list) op(e.kind, e.path == kDir ? "" : name_of(e.path), name_of(e.to));
    return *this;
  }
  Trace& append(const std::string& name, std::string bytes) {
    sizes[name] += bytes.size();
    Event e = ev(OpKind::kAppend, name);
    e.bytes = bytes.size();
    e.size_after = sizes[name];
    events.push_back(std::move(e));
    appended.push_back(std::move(bytes));
    return *this;
  }
  // Creates `name` as a manifest log with its file header.
  Trace& new_log(const std::string& name, std::uint64_t log_id) {
    log_ids[name] = log_id;
    op(OpKind::kCreate, name);
    return append(name, wal::log_file_header(wal::LogKind::kManifest, log_id));
  }
  // Appends `e` to the manifest log `name` as one record (not synced).
  Trace& record(const std::string& name, const manifest::Edit& e) {
    std::string payload;
    e.encode(&payload);
    std::string bytes(wal::kRecordHeaderSize, '\0');
    wal::encode_record_header(bytes.data(), log_ids[name], payload);
    return append(name, bytes + payload);
  }
  // ManifestLog::create's steps: MANIFEST.tmp holding `snapshot`, synced,
  // renamed over MANIFEST, the directory synced, MANIFEST reopened.
  Trace& rollover(std::uint64_t log_id, const manifest::Edit& snapshot) {
    new_log("MANIFEST.tmp", log_id).record("MANIFEST.tmp", snapshot);
    op(OpKind::kSync, "MANIFEST.tmp").op(OpKind::kClose, "MANIFEST.tmp");
    op(OpKind::kRename, "MANIFEST.tmp", "MANIFEST").op(OpKind::kSyncDir, "");
    return op(OpKind::kReopen, "MANIFEST");
  }
  // ManifestLog::append: one record, then a sync.
  Trace& edit(const manifest::Edit& e) {
    return record("MANIFEST", e).op(OpKind::kSync, "MANIFEST");
  }
};

manifest::TableMeta table_meta(std::uint64_t number) {
  return manifest::TableMeta{.number = number,
                             .file_size = 100,
                             .entries = 1,
                             .min_version = 1,
                             .max_version = 1,
                             .smallest_key = "a",
                             .largest_key = "z"};
}
// An edit adding `added`, removing `removed`, with the counters given.
manifest::Edit edit_of(std::vector<std::uint64_t> added, std::vector<std::uint64_t> removed,
                       std::uint64_t wal_number, std::uint64_t next_file_number) {
  manifest::Edit e;
  e.next_file_number = next_file_number;
  e.wal_number = wal_number;
  e.removed = std::move(removed);
  for (std::uint64_t n : added) e.added.push_back(table_meta(n));
  return e;
}
manifest::Edit snapshot_of(std::vector<std::uint64_t> tables, std::uint64_t wal_number,
                           std::uint64_t next_file_number) {
  manifest::Edit e = edit_of(std::move(tables), {}, wal_number, next_file_number);
  e.snapshot = true;
  e.last_version = 1;
  e.low_water_mark = 0;
  return e;
}
// A database born with WAL 2 and a manifest (log id 1), then two flushes:
// table 4 (WAL 3 live after) and table 6 (WAL 5 live after); WALs 2 and 3 are
// removed once those edits are durable. Next free number: 8.
Trace two_flushes() {
  Trace t;
  t.op(OpKind::kCreate, "000002.wal").op(OpKind::kSync, "000002.wal");
  t.rollover(1, snapshot_of({}, 2, 3));
  t.op(OpKind::kCreate, "000003.wal").op(OpKind::kSyncDir, "");
  t.ops(good_table("000004.sst")).edit(edit_of({4}, {}, 3, 5));
  t.op(OpKind::kRemove, "000002.wal");
  t.op(OpKind::kCreate, "000005.wal").op(OpKind::kSyncDir, "");
  t.ops(good_table("000006.sst")).edit(edit_of({6}, {}, 5, 7));
  return t.op(OpKind::kRemove, "000003.wal");
}

}  // namespace

TEST_CASE("fsync order: the audited workload covers every protocol", "[db][fsync]") {
  const Recording& rec = recording();
  CHECK(rec.events.size() > 300);
  CHECK(rec.acks.size() >= 40);
  CHECK(rec.deep_compaction_seen);   // L0 -> L1 twice, then L1 + L2 -> L2
  CHECK(rec.compactions >= 4);       // ... and the full compact()
  CHECK(rec.pending_wals_replayed);  // an open flushed two replayed WALs
  std::uint64_t renames = 0, wal_creates = 0;
  for (const Event& e : rec.events) {
    CHECK(e.ok);  // the workload injects no faults into the recorded file system
    renames += is_rollover_rename(e);
    wal_creates += is(e, OpKind::kCreate) && is_wal(e.path);
  }
  CHECK(renames >= 5);  // opens and rollovers
  CHECK(wal_creates >= 5);
}

TEST_CASE(
    "fsync order R1: a table is synced and its directory synced before a manifest "
    "edit names it",
    "[db][fsync]") {
  const Recording& rec = recording();
  const RuleResult r = check_r1(rec.events);
  CHECK(r.checked >= 8);
  // One table is named by an open's snapshot (MANIFEST.tmp), not an append.
  bool via_snapshot = false;
  for (std::size_t c = 0; c < rec.events.size(); ++c) {
    if (!is(rec.events[c], OpKind::kCreate) || !is_table(rec.events[c].path)) continue;
    const auto named = first_between(rec.events, c, rec.events.size(), [](const Event& e) {
      return is(e, OpKind::kAppend) && (is_manifest(e.path) || is_manifest_tmp(e.path));
    });
    via_snapshot = via_snapshot || (named && is_manifest_tmp(rec.events[*named].path));
  }
  CHECK(via_snapshot);
  expect_clean(r);
}

TEST_CASE(
    "fsync order R2: MANIFEST.tmp is synced before the rename, and the directory "
    "before anything depends on it",
    "[db][fsync]") {
  const RuleResult r = check_r2(recording().events);
  CHECK(r.checked >= 5);
  expect_clean(r);
}

TEST_CASE(
    "fsync order R3: a WAL's directory entry is durable before a synced write in it "
    "is acknowledged",
    "[db][fsync]") {
  const Recording& rec = recording();
  const RuleResult r = check_r3(rec.events, rec.acks);
  CHECK(r.checked == rec.acks.size());
  std::set<std::string> wals;
  for (const Ack& a : rec.acks) {
    for (std::size_t i = a.begin; i < a.end; ++i) {
      if (is(rec.events[i], OpKind::kAppend) && is_wal(rec.events[i].path)) {
        wals.insert(rec.events[i].path);
        break;
      }
    }
  }
  CHECK(wals.size() >= 4);  // acknowledgements from new, switched and reopened WALs
  expect_clean(r);
}

TEST_CASE("fsync order R4: nothing is removed before the manifest edit retiring it is durable",
          "[db][fsync]") {
  const Recording& rec = recording();
  const std::vector<Event>& events = rec.events;
  R4Coverage cov;
  const RuleResult r = check_r4(events, rec.appended, &cov);
  std::uint64_t tables = 0, wals = 0;
  for (const Event& e : events) {
    tables += is(e, OpKind::kRemove) && is_table(e.path);
    wals += is(e, OpKind::kRemove) && is_wal(e.path);
  }
  CHECK(tables >= 6);  // compaction inputs
  CHECK(wals >= 5);    // flushed WALs, and the WALs an open replayed
  CHECK(r.checked == tables + wals);
  expect_clean(r);
  // Inputs retired both ways (a compaction edit that triggers a rollover is
  // folded into the new snapshot), and no removal passed as an orphan.
  CHECK(cov.tables_by_edit >= 2);
  CHECK(cov.tables_by_snapshot >= 1);
  CHECK(cov.tables_by_edit + cov.tables_by_snapshot == tables);
  CHECK(cov.wals == wals);

  // The check read the whole manifest history: every append decoded, every
  // rollover's snapshot, compaction edits with their removed lists.
  const ManifestHistory h = decode_manifest_history(events, rec.appended);
  CHECK(h.problems.empty());
  std::uint64_t appends = 0, renames = 0, snapshots = 0, removing = 0, durable = 0;
  for (const Event& e : events) {
    appends += is(e, OpKind::kAppend) && is_manifest(e.path);
    renames += is_rollover_rename(e);
  }
  for (const ManifestRecord& m : h.records) {
    snapshots += m.edit.snapshot;
    removing += !m.edit.removed.empty();
    durable += m.durable_before(events.size());
  }
  CHECK(h.records.size() == appends + renames);  // one record per append, one per rollover
  CHECK(snapshots == renames);
  CHECK(removing >= 2);  // compaction edits appended (the others rolled over)
  CHECK(durable == h.records.size());
}

TEST_CASE("fsync order R5: a full WAL is synced before the next WAL is created", "[db][fsync]") {
  const RuleResult r = check_r5(recording().events);
  CHECK(r.checked >= 4);
  expect_clean(r);
}

// --- Each check can fail ------------------------------------------------------------

TEST_CASE("fsync order checker: R1 reports a table named before its sync or directory sync",
          "[db][fsync]") {
  const auto good = concat({good_table("000005.sst"), manifest_edit()});
  CHECK(check_r1(good).checked == 1);
  CHECK(check_r1(good).violations.empty());

  const auto unsynced =
      concat({{ev(OpKind::kCreate, "000005.sst"), ev(OpKind::kAppend, "000005.sst"), sync_dir()},
              manifest_edit(),
              {ev(OpKind::kSync, "000005.sst")}});
  CHECK(mentions(check_r1(unsynced), "before its data is synced"));

  const auto no_dir_sync =
      concat({{ev(OpKind::kCreate, "000005.sst"), ev(OpKind::kAppend, "000005.sst"),
               ev(OpKind::kSync, "000005.sst")},
              manifest_edit(),
              {sync_dir()}});
  CHECK(mentions(check_r1(no_dir_sync), "before its directory entry is synced"));

  // A sync that failed does not count.
  auto failed_sync = good;
  failed_sync[2].ok = false;
  CHECK(mentions(check_r1(failed_sync), "before its data is synced"));

  // Named through an open's snapshot: MANIFEST.tmp's append counts too.
  const auto via_tmp =
      concat({{ev(OpKind::kCreate, "000005.sst"), ev(OpKind::kAppend, "000005.sst")},
              {ev(OpKind::kCreate, "MANIFEST.tmp"), ev(OpKind::kAppend, "MANIFEST.tmp")}});
  CHECK(check_r1(via_tmp).violations.size() == 2);
}

TEST_CASE(
    "fsync order checker: R2 reports an unsynced MANIFEST.tmp and a dependent before "
    "the directory sync",
    "[db][fsync]") {
  const std::vector<Event> rollover = {
      ev(OpKind::kCreate, "MANIFEST.tmp"), ev(OpKind::kAppend, "MANIFEST.tmp"),
      ev(OpKind::kSync, "MANIFEST.tmp"), ev(OpKind::kClose, "MANIFEST.tmp"),
      ev(OpKind::kRename, "MANIFEST.tmp", "MANIFEST")};
  const auto good = concat({rollover,
                            {sync_dir(), ev(OpKind::kReopen, "MANIFEST")},
                            manifest_edit(),
                            {ev(OpKind::kRemove, "000003.wal")}});
  CHECK(check_r2(good).checked == 1);
  CHECK(check_r2(good).violations.empty());

  auto unsynced = good;
  unsynced[2].kind = OpKind::kClose;  // the tmp's sync never happened
  CHECK(mentions(check_r2(unsynced), "before it is synced"));

  const auto remove_first = concat({rollover, {ev(OpKind::kRemove, "000003.wal"), sync_dir()}});
  CHECK(mentions(check_r2(remove_first), "before the directory is synced"));

  const auto append_first = concat({rollover, manifest_edit(), {sync_dir()}});
  CHECK(mentions(check_r2(append_first), "before the directory is synced"));
}

TEST_CASE(
    "fsync order checker: R3 reports a synced write acknowledged before the WAL's "
    "directory sync",
    "[db][fsync]") {
  const std::vector<Event> wal = {ev(OpKind::kCreate, "000004.wal"),
                                  ev(OpKind::kAppend, "000004.wal"),
                                  ev(OpKind::kSync, "000004.wal")};
  const std::vector<Event> write = {ev(OpKind::kAppend, "000004.wal"),
                                    ev(OpKind::kSync, "000004.wal")};
  const auto good = concat({wal, {sync_dir()}, write});
  const std::vector<Ack> ack = {{4, 6}};
  CHECK(check_r3(good, ack).checked == 1);
  CHECK(check_r3(good, ack).violations.empty());

  const auto early = concat({wal, write, {sync_dir()}});
  CHECK(mentions(check_r3(early, {{3, 5}}), "before its directory entry is synced"));

  // An acknowledgement with no sync in its window at all.
  const auto unsynced = concat({wal, {sync_dir(), ev(OpKind::kAppend, "000004.wal")}});
  CHECK(mentions(check_r3(unsynced, {{4, 5}}), "without syncing"));
}

TEST_CASE("fsync order checker: R4 passes removals after the retiring edit is durable",
          "[db][fsync]") {
  // Flushes retire WALs 2 and 3 (wal_number 3, then 5); a compaction of
  // tables 4 and 6 into 8 retires both inputs.
  Trace t = two_flushes();
  t.ops(good_table("000008.sst")).edit(edit_of({8}, {4, 6}, 5, 9));
  t.op(OpKind::kRemove, "000004.sst").op(OpKind::kRemove, "000006.sst");
  R4Coverage cov;
  const RuleResult r = check_r4(t.events, t.appended, &cov);
  CHECK(r.checked == 4);
  CHECK(r.violations.empty());
  CHECK(cov.tables_by_edit == 2);
  CHECK(cov.wals == 2);
  const ManifestHistory h = decode_manifest_history(t.events, t.appended);
  CHECK(h.problems.empty());
  REQUIRE(h.records.size() == 4);
  CHECK(h.records[3].edit.removed == std::vector<std::uint64_t>{4, 6});
  CHECK(h.records[3].after.tables.size() == 1);
  CHECK(h.records[3].after.wal_number == 5);
}

TEST_CASE(
    "fsync order checker: R4 reports compaction inputs removed before the compaction's edit "
    "is synced",
    "[db][fsync]") {
  // The regression a colleague planted in db_compaction.cpp: the inputs go
  // before the edit removing them is durable. The old position-based check
  // took the last manifest write before the removal (here the synced edit
  // that added table 6) as the retiring edit and passed this list.
  Trace t = two_flushes();
  t.ops(good_table("000008.sst")).op(OpKind::kRemove, "000004.sst");
  t.edit(edit_of({8}, {4, 6}, 5, 9));
  CHECK(mentions(check_r4(t.events, t.appended),
                 "removes table 4 with no manifest edit retiring it before"));

  // Appended but not yet synced: a power loss keeps table 4 in the manifest.
  Trace u = two_flushes();
  u.ops(good_table("000008.sst")).record("MANIFEST", edit_of({8}, {4, 6}, 5, 9));
  const std::size_t edit_offset = u.sizes["MANIFEST"] - u.appended.back().size();
  u.op(OpKind::kRemove, "000004.sst").op(OpKind::kSync, "MANIFEST");
  const RuleResult r = check_r4(u.events, u.appended);
  CHECK(r.checked == 3);
  CHECK(mentions(
      r, "removes table 4 before /db/MANIFEST record at offset " + std::to_string(edit_offset)));
  CHECK(mentions(r, "(the edit retiring it) is durable"));

  // A failed sync does not make the edit durable.
  Trace v = two_flushes();
  v.ops(good_table("000008.sst")).edit(edit_of({8}, {4, 6}, 5, 9));
  v.events.back().ok = false;
  v.op(OpKind::kRemove, "000006.sst");
  CHECK(mentions(check_r4(v.events, v.appended), "removes table 6 before"));
}

TEST_CASE("fsync order checker: R4 follows rollovers: a snapshot that drops a table retires it",
          "[db][fsync]") {
  // A compaction edit that rolls the manifest over: the new snapshot (log id
  // 9) lists only table 8; it is durable once the directory is synced.
  Trace base = two_flushes();
  base.ops(good_table("000008.sst")).new_log("MANIFEST.tmp", 9);
  base.record("MANIFEST.tmp", snapshot_of({8}, 5, 10)).op(OpKind::kSync, "MANIFEST.tmp");
  base.op(OpKind::kClose, "MANIFEST.tmp").op(OpKind::kRename, "MANIFEST.tmp", "MANIFEST");

  Trace good = base;
  good.op(OpKind::kSyncDir, "").op(OpKind::kRemove, "000004.sst");
  R4Coverage cov;
  CHECK(check_r4(good.events, good.appended, &cov).checked == 3);
  CHECK(check_r4(good.events, good.appended).violations.empty());
  CHECK(cov.tables_by_snapshot == 1);

  Trace early = base;
  early.op(OpKind::kRemove, "000004.sst").op(OpKind::kSyncDir, "");
  CHECK(mentions(check_r4(early.events, early.appended),
                 "removes table 4 before /db/MANIFEST.tmp record at offset 28"));

  // An unsynced MANIFEST.tmp is never durable, whatever the directory does.
  Trace unsynced = base;
  unsynced.events[unsynced.events.size() - 3].kind = OpKind::kClose;  // the tmp's sync
  unsynced.op(OpKind::kSyncDir, "").op(OpKind::kRemove, "000004.sst");
  CHECK(mentions(check_r4(unsynced.events, unsynced.appended), "is durable"));

  // Edits appended to the new MANIFEST keep its log id and decode too.
  Trace more = good;
  more.ops(good_table("000010.sst")).edit(edit_of({10}, {8}, 5, 11));
  more.op(OpKind::kRemove, "000008.sst");
  CHECK(check_r4(more.events, more.appended).checked == 4);
  CHECK(check_r4(more.events, more.appended).violations.empty());
}

TEST_CASE("fsync order checker: R4 retires a WAL only by a durable edit whose wal_number passes it",
          "[db][fsync]") {
  CHECK(check_r4(two_flushes().events, two_flushes().appended).violations.empty());

  // Table 4's edit appended, WAL 2 removed before the sync.
  Trace t;
  t.op(OpKind::kCreate, "000002.wal").rollover(1, snapshot_of({}, 2, 3));
  t.op(OpKind::kCreate, "000003.wal").op(OpKind::kSyncDir, "");
  t.ops(good_table("000004.sst")).record("MANIFEST", edit_of({4}, {}, 3, 5));
  t.op(OpKind::kRemove, "000002.wal").op(OpKind::kSync, "MANIFEST");
  CHECK(mentions(check_r4(t.events, t.appended), "removes WAL 2 before"));

  // The newest WAL: no edit ever passes it.
  Trace newest;
  newest.op(OpKind::kCreate, "000002.wal").rollover(1, snapshot_of({}, 2, 3));
  newest.op(OpKind::kRemove, "000002.wal");
  CHECK(mentions(check_r4(newest.events, newest.appended),
                 "removes WAL 2 with no manifest edit retiring it"));

  // wal_number == N keeps WAL N live: only a larger one retires it.
  Trace equal = two_flushes();
  equal.op(OpKind::kRemove, "000005.wal");
  CHECK(mentions(check_r4(equal.events, equal.appended),
                 "removes WAL 5 with no manifest edit retiring it"));
}

TEST_CASE("fsync order checker: R4 exempts orphans only if no durable edit ever named them",
          "[db][fsync]") {
  // A table a failed job left behind, removed at the next open.
  Trace orphan = two_flushes();
  orphan.ops(good_table("000008.sst")).op(OpKind::kRemove, "000008.sst");
  R4Coverage cov;
  CHECK(check_r4(orphan.events, orphan.appended, &cov).checked == 3);
  CHECK(check_r4(orphan.events, orphan.appended).violations.empty());
  CHECK(cov.orphan_tables == 1);
  CHECK(cov.wals == 2);

  // Removed as if an orphan, then named by an edit that becomes durable.
  Trace named_later = two_flushes();
  named_later.ops(good_table("000008.sst")).op(OpKind::kRemove, "000008.sst");
  named_later.edit(edit_of({8}, {}, 5, 9));
  CHECK(mentions(check_r4(named_later.events, named_later.appended),
                 "removes table 8 before /db/MANIFEST record"));
  CHECK(mentions(check_r4(named_later.events, named_later.appended), "names it"));

  // Named by a durable edit and never retired: not an orphan.
  Trace live = two_flushes();
  live.op(OpKind::kRemove, "000006.sst");
  CHECK(mentions(check_r4(live.events, live.appended),
                 "removes table 6 with no manifest edit retiring it before"));
}

TEST_CASE("fsync order checker: R4 reports manifest bytes it cannot decode, with file and offset",
          "[db][fsync]") {
  Trace t = two_flushes();
  // Flip one payload byte of the edit adding table 4 (the second record of
  // MANIFEST, after the 28-byte header and the 12-byte header of the
  // snapshot record): a good record follows it, so it is corruption.
  std::size_t i = 0;
  while (!(is(t.events[i], OpKind::kAppend) && is_manifest(t.events[i].path) &&
           t.events[i].size_after > wal::kFileHeaderSize)) {
    ++i;
  }
  const std::uint64_t offset = t.events[i].size_after - t.appended[i].size();
  t.appended[i][wal::kRecordHeaderSize + 1] ^= 0x10;
  const RuleResult r = check_r4(t.events, t.appended);
  REQUIRE(!r.violations.empty());
  CHECK(r.violations[0].find("R4: Corruption: /db/MANIFEST: offset " + std::to_string(offset) +
                             ":") == 0);

  // Bytes that disagree with the recorded sizes (a lost capture) are named.
  Trace lost = two_flushes();
  lost.appended[i].clear();
  CHECK(check_r4(lost.events, lost.appended).violations[0].find("disagree with the event") !=
        std::string::npos);
}

TEST_CASE(
    "fsync order checker: R5 reports a WAL created while the previous one has unsynced "
    "appends",
    "[db][fsync]") {
  const std::vector<Event> good = {
      ev(OpKind::kCreate, "000001.wal"), ev(OpKind::kAppend, "000001.wal"),
      ev(OpKind::kAppend, "000001.wal"), ev(OpKind::kSync, "000001.wal"),
      ev(OpKind::kCreate, "000002.wal")};
  CHECK(check_r5(good).checked == 1);
  CHECK(check_r5(good).violations.empty());

  const std::vector<Event> bad = {
      ev(OpKind::kCreate, "000001.wal"), ev(OpKind::kAppend, "000001.wal"),
      ev(OpKind::kSync, "000001.wal"), ev(OpKind::kAppend, "000001.wal"),
      ev(OpKind::kCreate, "000002.wal")};
  CHECK(mentions(check_r5(bad), "has unsynced appends"));

  // A reopened WAL (an open that kept its one WAL) is the one written to.
  const std::vector<Event> reopened = {
      ev(OpKind::kCreate, "000001.wal"), ev(OpKind::kSync, "000001.wal"),
      ev(OpKind::kReopen, "000001.wal"), ev(OpKind::kAppend, "000001.wal"),
      ev(OpKind::kCreate, "000002.wal")};
  CHECK(mentions(check_r5(reopened), "000001.wal has unsynced appends"));
}
