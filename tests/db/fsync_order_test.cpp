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
// Matching without reading bytes: manifest edits are opaque here, so a rule
// that needs "the edit that names (or retires) file F" finds it by order.
// The workload waits for the DB to go idle after every step, so background
// jobs never overlap: each job's events (table written, edit appended and
// synced, files removed) are contiguous, and the orders used below are exact
// for it. Where a rule can be stated so that it stays sound under overlapping
// jobs too, it is (noted per rule).
//
// Thread-safety: single-threaded checker; the workload's DB runs its own
// threads on the shared FaultFileSystem.
#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <thread>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"
#include "support/fault_file_system.hpp"
#include "support/forwarding_file_system.hpp"

using namespace sand;
using sand::test::Event;
using sand::test::FaultFileSystem;
using sand::test::ForwardingFileSystem;
using sand::test::must;
using sand::test::OpKind;

namespace {

const std::string kDir = "/db";

// --- The checker --------------------------------------------------------------

// The events [begin, end) recorded while one synced put ran, which returned
// OK: the write was acknowledged at `end`.
struct Ack {
  std::size_t begin = 0;
  std::size_t end = 0;
};

struct RuleResult {
  std::size_t checked = 0;  // instances of the rule's situation examined
  std::vector<std::string> violations;
};

std::string name_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}
std::string dir_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}
bool is_table(const std::string& path) { return path.ends_with(".sst"); }
bool is_wal(const std::string& path) { return path.ends_with(".wal"); }
bool is_manifest(const std::string& path) { return name_of(path) == "MANIFEST"; }
bool is_manifest_tmp(const std::string& path) { return name_of(path) == "MANIFEST.tmp"; }

bool is(const Event& e, OpKind kind) { return e.ok && e.kind == kind; }
bool is(const Event& e, OpKind kind, const std::string& path) {
  return is(e, kind) && e.path == path;
}
bool is_rollover_rename(const Event& e) {
  return is(e, OpKind::kRename) && is_manifest_tmp(e.path) && is_manifest(e.to);
}
// An append to MANIFEST, or the rename that commits a rollover.
bool is_manifest_write(const Event& e) {
  return (is(e, OpKind::kAppend) && is_manifest(e.path)) || is_rollover_rename(e);
}

std::string describe(const std::vector<Event>& ev, std::size_t i) {
  const Event& e = ev[i];
  return "#" + std::to_string(i) + " " + std::string(sand::test::op_kind_name(e.kind)) + " " +
         e.path + (e.to.empty() ? "" : " -> " + e.to);
}

using Pred = std::function<bool(const Event&)>;

// The first event in (from, to) matching `p`.
std::optional<std::size_t> first_between(const std::vector<Event>& ev, std::size_t from,
                                         std::size_t to, const Pred& p) {
  for (std::size_t i = from + 1; i < to && i < ev.size(); ++i) {
    if (p(ev[i])) return i;
  }
  return std::nullopt;
}
// The last event in (from, to) matching `p`; from may be npos for "from the
// start".
std::optional<std::size_t> last_between(const std::vector<Event>& ev, std::size_t from,
                                        std::size_t to, const Pred& p) {
  for (std::size_t i = std::min(to, ev.size()); i-- > 0;) {
    if (from != std::string::npos && i <= from) break;
    if (p(ev[i])) return i;
  }
  return std::nullopt;
}
constexpr std::size_t kStart = std::string::npos;

// Whether the manifest write at `m` is durable before event `i`: an append by
// a later sync of the file, a rename by a later sync of its directory.
bool durable_before(const std::vector<Event>& ev, std::size_t m, std::size_t i) {
  const Event& w = ev[m];
  if (w.kind == OpKind::kRename) {
    return first_between(ev, m, i,
                         [&](const Event& e) { return is(e, OpKind::kSyncDir, dir_of(w.to)); })
        .has_value();
  }
  return first_between(ev, m, i, [&](const Event& e) { return is(e, OpKind::kSync, w.path); })
      .has_value();
}

// R1: a table is synced (after its last append) and its directory synced
// (after its creation) before the first manifest append that names it.
// Matching: table numbers are never reused, so each table has one create;
// the first append to MANIFEST or MANIFEST.tmp after it is the edit that
// names it (a flush or compaction edit, or the snapshot an open writes after
// flushing replayed WALs). Under overlapping jobs another job's edit could
// come first; that only makes this check stricter, never laxer. Also, no
// table is appended to after it is named (tables are immutable).
RuleResult check_r1(const std::vector<Event>& ev) {
  RuleResult r;
  for (std::size_t c = 0; c < ev.size(); ++c) {
    if (!is(ev[c], OpKind::kCreate) || !is_table(ev[c].path)) continue;
    const std::string& t = ev[c].path;
    const auto named = first_between(ev, c, ev.size(), [](const Event& e) {
      return is(e, OpKind::kAppend) && (is_manifest(e.path) || is_manifest_tmp(e.path));
    });
    if (!named) continue;  // never named (an orphan, or the workload ended)
    ++r.checked;
    const auto last_append =
        last_between(ev, c, *named, [&](const Event& e) { return is(e, OpKind::kAppend, t); });
    if (!first_between(ev, last_append.value_or(c), *named,
                       [&](const Event& e) { return is(e, OpKind::kSync, t); })) {
      r.violations.push_back("R1: " + t + " is named by " + describe(ev, *named) +
                             " before its data is synced");
    }
    if (!first_between(ev, c, *named,
                       [&](const Event& e) { return is(e, OpKind::kSyncDir, dir_of(t)); })) {
      r.violations.push_back("R1: " + t + " is named by " + describe(ev, *named) +
                             " before its directory entry is synced");
    }
    if (const auto late = first_between(
            ev, *named, ev.size(), [&](const Event& e) { return is(e, OpKind::kAppend, t); })) {
      r.violations.push_back("R1: " + t + " is appended to at " + describe(ev, *late) + " after " +
                             describe(ev, *named) + " named it");
    }
  }
  return r;
}

// R2: MANIFEST.tmp is synced (after its last append) before it is renamed
// over MANIFEST; and after the rename, the directory is synced before
// anything depends on the new name: the next append to MANIFEST, any remove,
// or another rename. Sound under overlapping jobs (every such dependent must
// wait, whoever makes it).
RuleResult check_r2(const std::vector<Event>& ev) {
  RuleResult r;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (!is_rollover_rename(ev[i])) continue;
    ++r.checked;
    const std::string& tmp = ev[i].path;
    const auto created =
        last_between(ev, kStart, i, [&](const Event& e) { return is(e, OpKind::kCreate, tmp); });
    const auto last_append = last_between(ev, created.value_or(kStart), i, [&](const Event& e) {
      return is(e, OpKind::kAppend, tmp);
    });
    if (last_append && !first_between(ev, *last_append, i,
                                      [&](const Event& e) { return is(e, OpKind::kSync, tmp); })) {
      r.violations.push_back("R2: " + describe(ev, i) + " renames " + tmp +
                             " before it is synced (last append " + describe(ev, *last_append) +
                             ")");
    }
    const std::string dir = dir_of(ev[i].to);
    const auto dependent = first_between(ev, i, ev.size(), [&](const Event& e) {
      return (is(e, OpKind::kAppend) && e.path == ev[i].to) || is(e, OpKind::kRemove) ||
             is(e, OpKind::kRename);
    });
    if (!dependent) continue;
    if (!first_between(ev, i, *dependent,
                       [&](const Event& e) { return is(e, OpKind::kSyncDir, dir); })) {
      r.violations.push_back("R2: " + describe(ev, *dependent) + " depends on " + describe(ev, i) +
                             " before the directory is synced");
    }
  }
  return r;
}

// R3: a synced write is acknowledged from a WAL only after that WAL's
// directory entry is durable. For each acknowledged synced put (its events
// window): its record append is the first WAL append in the window, its
// acknowledging sync the first sync of that WAL after it; a directory sync
// must lie between the WAL's (last) creation and that sync. Sound under
// overlapping jobs (the window holds the put's own WAL ops).
RuleResult check_r3(const std::vector<Event>& ev, const std::vector<Ack>& acks) {
  RuleResult r;
  for (const Ack& a : acks) {
    ++r.checked;
    const auto append =
        first_between(ev, a.begin == 0 ? kStart : a.begin - 1, a.end,
                      [](const Event& e) { return is(e, OpKind::kAppend) && is_wal(e.path); });
    if (!append) {
      r.violations.push_back("R3: a synced write acknowledged at event " + std::to_string(a.end) +
                             " appended to no WAL");
      continue;
    }
    const std::string& wal = ev[*append].path;
    const auto sync = first_between(ev, *append, a.end,
                                    [&](const Event& e) { return is(e, OpKind::kSync, wal); });
    if (!sync) {
      r.violations.push_back("R3: a synced write acknowledged at event " + std::to_string(a.end) +
                             " after " + describe(ev, *append) + " without syncing " + wal);
      continue;
    }
    const auto created = last_between(ev, kStart, *sync,
                                      [&](const Event& e) { return is(e, OpKind::kCreate, wal); });
    if (!created) {
      r.violations.push_back("R3: " + wal + " acknowledges a write but was never created");
      continue;
    }
    if (!first_between(ev, *created, *sync,
                       [&](const Event& e) { return is(e, OpKind::kSyncDir, dir_of(wal)); })) {
      r.violations.push_back("R3: " + describe(ev, *sync) + " acknowledges a synced write from " +
                             wal + " (created at " + describe(ev, *created) +
                             ") before its directory entry is synced");
    }
  }
  return r;
}

// R4: nothing is removed before the manifest edit that retires it is
// durable. For a removed file F at event i, the retiring edit E is taken as:
//  - F a WAL: the first manifest write after the creation of the next WAL
//    (a WAL is retired by the flush of its memtable, which starts after the
//    switch to the next WAL, or by an open's new manifest, which comes after
//    the open created its WAL). Under overlapping jobs E may be an earlier,
//    unrelated edit: the check then asks less, never too much. A removed WAL
//    with no successor is a violation (the newest WAL is always live).
//  - F a table: the last manifest write before the removal (the compaction
//    edit that dropped it, or for an orphan the open's new manifest). With
//    jobs run one at a time (the workload), no other edit can come between.
// E must exist after F's creation and be durable before i (durable_before).
RuleResult check_r4(const std::vector<Event>& ev) {
  RuleResult r;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (!is(ev[i], OpKind::kRemove)) continue;
    const std::string& f = ev[i].path;
    if (!is_table(f) && !is_wal(f)) continue;
    ++r.checked;
    const std::size_t created = last_between(ev, kStart, i, [&](const Event& e) {
                                  return is(e, OpKind::kCreate, f);
                                }).value_or(kStart);
    std::optional<std::size_t> edit;
    if (is_wal(f)) {
      const auto next_wal = first_between(ev, created, i, [&](const Event& e) {
        return is(e, OpKind::kCreate) && is_wal(e.path) && e.path != f &&
               dir_of(e.path) == dir_of(f);
      });
      if (!next_wal) {
        r.violations.push_back("R4: " + describe(ev, i) + " removes the newest WAL");
        continue;
      }
      edit = first_between(ev, *next_wal, i, is_manifest_write);
    } else {
      edit = last_between(ev, created, i, is_manifest_write);
    }
    if (!edit) {
      r.violations.push_back("R4: " + describe(ev, i) + " removes " + f +
                             " with no manifest edit retiring it before");
      continue;
    }
    if (!durable_before(ev, *edit, i)) {
      r.violations.push_back("R4: " + describe(ev, i) + " removes " + f + " before " +
                             describe(ev, *edit) + " (the edit retiring it) is durable");
    }
  }
  return r;
}

// R5: a full WAL is synced before the next WAL is created: at each WAL
// create, the WAL written until then (the last one created or reopened in
// the directory) has a sync after its last append. (Only the newest WAL may
// then end torn, which recovery relies on.)
RuleResult check_r5(const std::vector<Event>& ev) {
  RuleResult r;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (!is(ev[i], OpKind::kCreate) || !is_wal(ev[i].path)) continue;
    const std::string& fresh = ev[i].path;
    const auto prev = last_between(ev, kStart, i, [&](const Event& e) {
      return (is(e, OpKind::kCreate) || is(e, OpKind::kReopen)) && is_wal(e.path) &&
             e.path != fresh && dir_of(e.path) == dir_of(fresh);
    });
    if (!prev) continue;  // the directory's first WAL
    ++r.checked;
    const std::string& old = ev[*prev].path;
    const auto last_append =
        last_between(ev, *prev, i, [&](const Event& e) { return is(e, OpKind::kAppend, old); });
    if (!last_append) continue;
    if (!first_between(ev, *last_append, i,
                       [&](const Event& e) { return is(e, OpKind::kSync, old); })) {
      r.violations.push_back("R5: " + describe(ev, i) + " creates " + fresh + " while " + old +
                             " has unsynced appends (last " + describe(ev, *last_append) + ")");
    }
  }
  return r;
}

// --- The recorded workload -------------------------------------------------------

// Forwards everything to `base`, except that while `refuse_tables` is set,
// creating a table fails with EIO (so a flush fails and its WAL stays
// pending). The refusal never reaches the FaultFileSystem: no event.
class RefusingFileSystem final : public ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;
  std::atomic<bool> refuse_tables{false};

  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override {
    if (refuse_tables && is_table(path)) return Status::io_error(path, EIO);
    return ForwardingFileSystem::new_writable_file(path);
  }
};

struct Recording {
  std::vector<Event> events;
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
  auto refusing = std::make_shared<RefusingFileSystem>(fault);
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
  const std::vector<Event>& events = recording().events;
  const RuleResult r = check_r4(events);
  std::uint64_t tables = 0, wals = 0;
  for (const Event& e : events) {
    tables += is(e, OpKind::kRemove) && is_table(e.path);
    wals += is(e, OpKind::kRemove) && is_wal(e.path);
  }
  CHECK(tables >= 6);  // compaction inputs
  CHECK(wals >= 5);    // flushed WALs, and the WALs an open replayed
  CHECK(r.checked == tables + wals);
  expect_clean(r);
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

TEST_CASE("fsync order checker: R4 reports a removal before the retiring edit is durable",
          "[db][fsync]") {
  // Flush: WAL 1 is retired by the edit that names table 3.
  const std::vector<Event> switched = {
      ev(OpKind::kCreate, "000001.wal"), ev(OpKind::kAppend, "000001.wal"),
      ev(OpKind::kSync, "000001.wal"), ev(OpKind::kCreate, "000002.wal"), sync_dir()};
  const auto good = concat(
      {switched, good_table("000003.sst"), manifest_edit(), {ev(OpKind::kRemove, "000001.wal")}});
  CHECK(check_r4(good).checked == 1);
  CHECK(check_r4(good).violations.empty());

  const auto early = concat({switched,
                             good_table("000003.sst"),
                             {ev(OpKind::kAppend, "MANIFEST"), ev(OpKind::kRemove, "000001.wal"),
                              ev(OpKind::kSync, "MANIFEST")}});
  CHECK(mentions(check_r4(early), "is durable"));

  // A WAL removed before any edit after the switch (the flush's edit).
  const auto before_edit = concat({switched, {ev(OpKind::kRemove, "000001.wal")}});
  CHECK(mentions(check_r4(before_edit), "no manifest edit retiring it"));

  const auto newest = concat(
      {{ev(OpKind::kCreate, "000001.wal")}, manifest_edit(), {ev(OpKind::kRemove, "000001.wal")}});
  CHECK(mentions(check_r4(newest), "removes the newest WAL"));

  // Compaction: inputs removed after the edit's append but before its sync.
  const auto inputs = concat({good_table("000005.sst"),
                              manifest_edit(),
                              good_table("000006.sst"),
                              {ev(OpKind::kAppend, "MANIFEST"), ev(OpKind::kRemove, "000005.sst"),
                               ev(OpKind::kSync, "MANIFEST")}});
  CHECK(mentions(check_r4(inputs), "is durable"));

  // A rollover commits by rename: durable only after the directory sync.
  const auto renamed = concat({good_table("000005.sst"),
                               {ev(OpKind::kRename, "MANIFEST.tmp", "MANIFEST"),
                                ev(OpKind::kRemove, "000005.sst"), sync_dir()}});
  CHECK(mentions(check_r4(renamed), "is durable"));
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
