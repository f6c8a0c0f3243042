// The syscall-order audit (spec/README.md crash-order rules R1-R5) over the
// events a FaultFileSystem recorded: one checker per rule, each returning the
// instances it examined and its violations. R4 also reads the manifest: a
// ManifestBytesFileSystem above the FaultFileSystem keeps the bytes of every
// MANIFEST and MANIFEST.tmp append, and decode_manifest_history() decodes them
// with the engine's own wal::RecordReader and manifest::Edit::decode, follows
// rollovers and applies the edits with manifest::State, so R4 knows which
// edit retires which file and when that edit became durable.
//
// Only successful events count (a failed op changed nothing). Paths are full
// ("/db/000005.sst"). Test-only.
//
// Thread-safety: the checkers are pure functions; ManifestBytesFileSystem is
// safe from many threads (one mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "manifest/edit.hpp"
#include "manifest/state.hpp"
#include "support/fault_file_system.hpp"
#include "support/forwarding_file_system.hpp"

namespace sand::test::fsync_audit {

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

std::string name_of(const std::string& path);

std::string dir_of(const std::string& path);

bool is_table(const std::string& path);

bool is_wal(const std::string& path);

bool is_manifest(const std::string& path);

bool is_manifest_tmp(const std::string& path);

bool is(const Event& e, OpKind kind);

bool is(const Event& e, OpKind kind, const std::string& path);

bool is_rollover_rename(const Event& e);

std::string describe(const std::vector<Event>& ev, std::size_t i);

using Pred = std::function<bool(const Event&)>;

// The first event in (from, to) matching `p`.
std::optional<std::size_t> first_between(const std::vector<Event>& ev, std::size_t from,
                                         std::size_t to, const Pred& p);

// The last event in (from, to) matching `p`; from may be npos for "from the
// start".
std::optional<std::size_t> last_between(const std::vector<Event>& ev, std::size_t from,
                                        std::size_t to, const Pred& p);

inline constexpr std::size_t kStart = std::string::npos;

// R1: a table is synced (after its last append) and its directory synced
// (after its creation) before the first manifest append that names it.
// Matching: table numbers are never reused, so each table has one create;
// the first append to MANIFEST or MANIFEST.tmp after it is the edit that
// names it (a flush or compaction edit, or the snapshot an open writes after
// flushing replayed WALs). Under overlapping jobs another job's edit could
// come first; that only makes this check stricter, never laxer. Also, no
// table is appended to after it is named (tables are immutable).
RuleResult check_r1(const std::vector<Event>& ev);

// R2: MANIFEST.tmp is synced (after its last append) before it is renamed
// over MANIFEST; and after the rename, the directory is synced before
// anything depends on the new name: the next append to MANIFEST, any remove,
// or another rename. Sound under overlapping jobs (every such dependent must
// wait, whoever makes it).
RuleResult check_r2(const std::vector<Event>& ev);

// R3: a synced write is acknowledged from a WAL only after that WAL's
// directory entry is durable. For each acknowledged synced put (its events
// window): its record append is the first WAL append in the window, its
// acknowledging sync the first sync of that WAL after it; a directory sync
// must lie between the WAL's (last) creation and that sync. Sound under
// overlapping jobs (the window holds the put's own WAL ops).
RuleResult check_r3(const std::vector<Event>& ev, const std::vector<Ack>& acks);

// One record of the manifest, decoded from the bytes the file system saw
// appended, with the engine's own log reader and edit decoder. Records are
// kept in commit order: an append to MANIFEST commits its records at once;
// the snapshot record written to MANIFEST.tmp commits at the rename that
// makes the file MANIFEST.
struct ManifestRecord {
  std::string file;                         // the path the record was appended to
  std::uint64_t offset = 0;                 // its header's offset in that file
  std::size_t committed = 0;                // the append (or rename) event that made it current
  std::optional<std::size_t> synced;        // the sync that made its bytes durable
  std::optional<std::size_t> name_durable;  // the sync_dir that made its file's name durable
  manifest::Edit edit;
  manifest::State after;  // the state once it is applied (a snapshot starts over)

  // Whether a power loss right before event `i` keeps it: its bytes are
  // synced and the file holding it is durably named MANIFEST.
  bool durable_before(std::size_t i) const {
    return synced && *synced < i && name_durable && *name_durable < i;
  }
  std::string describe() const {
    return file + " record at offset " + std::to_string(offset) + " (committed at #" +
           std::to_string(committed) + ")";
  }
};

struct ManifestHistory {
  std::vector<ManifestRecord> records;
  // Bytes that do not decode, appends whose bytes were not captured, edits
  // the engine's State refuses: each a violation of R4 (the audit cannot vouch
  // for what it cannot read).
  std::vector<std::string> problems;
};

// Replays the events against a model of the manifest files: their bytes
// (`appended[i]` holds what events[i] appended to MANIFEST or MANIFEST.tmp),
// their names (a rename moves a file; MANIFEST's name is durable at the next
// sync_dir) and their syncs, and decodes every record with the engine's
// readers. Then applies the records in commit order with manifest::State, as
// recovery would.
ManifestHistory decode_manifest_history(const std::vector<Event>& ev,
                                        const std::vector<std::string>& appended);

// R4: nothing is removed before the manifest edit that retires it is durable
// (spec/README.md rule W3). The check reads the edits (decode_manifest_history)
// instead of guessing them by position, so it is exact under overlapping jobs
// too. For a file removed at event i:
//  - table N: let A be the first record that names N (adds it, or a snapshot
//    listing it). If no record that was ever durable names N, N is an orphan
//    (a table a crashed or failed job left behind) and is exempt. Otherwise
//    the record retiring N (the first after A whose state no longer lists N:
//    a compaction edit removing it, or a snapshot without it) must be
//    committed and durable before i.
//  - WAL N: the first record whose state has wal_number > N must be committed
//    and durable before i. No exemption: recovery replays every WAL at or
//    above wal_number, so a WAL is garbage only once an edit passes it.
// A record is durable once its bytes are synced and its file is durably
// named MANIFEST (for a rollover: MANIFEST.tmp synced, renamed, the directory
// synced).
// How the removals R4 passed were retired (to show what a workload covers).
struct R4Coverage {
  std::uint64_t tables_by_edit = 0;      // by an edit's removed list
  std::uint64_t tables_by_snapshot = 0;  // by a rollover's snapshot without them
  std::uint64_t orphan_tables = 0;       // exempt: no durable edit ever named them
  std::uint64_t wals = 0;
};

RuleResult check_r4(const std::vector<Event>& ev, const std::vector<std::string>& appended,
                    R4Coverage* coverage = nullptr);

// R5: a full WAL is synced before the next WAL is created: at each WAL
// create, the WAL written until then (the last one created or reopened in
// the directory) has a sync after its last append. (Only the newest WAL may
// then end torn, which recovery relies on.)
RuleResult check_r5(const std::vector<Event>& ev);

// Sits right above the FaultFileSystem and keeps the bytes of every
// successful append to MANIFEST or MANIFEST.tmp, per path, in the order the
// FaultFileSystem recorded those appends (one mutex spans the forwarded
// append and the capture), so the k-th append Event of a path gets the k-th
// piece. The FaultFileSystem's Events carry sizes only; this keeps them small
// for the many tests that record without needing bytes.
class ManifestBytesFileSystem final : public ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;

  // For each event, the bytes it appended to a manifest file (empty for
  // every other event). Consumes the captured pieces; call once, after the
  // workload. A piece left over, or missing, shows as a size mismatch when
  // decoding.
  std::vector<std::string> bytes_for(const std::vector<Event>& events) {
    std::lock_guard lock(mu_);
    std::vector<std::string> out(events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      if (!is(e, OpKind::kAppend) || !(is_manifest(e.path) || is_manifest_tmp(e.path))) continue;
      auto& queue = pieces_[e.path];
      if (queue.empty()) continue;
      out[i] = std::move(queue.front());
      queue.pop_front();
    }
    return out;
  }

 private:
  Status intercept(const FsCall& call, const Forward& forward) override {
    if (call.op != FsOp::kAppend || !(is_manifest(call.path) || is_manifest_tmp(call.path))) {
      return forward();
    }
    std::lock_guard lock(mu_);
    Status s = forward();
    if (s.is_ok()) pieces_[call.path].emplace_back(call.data);
    return s;
  }

  std::mutex mu_;
  std::map<std::string, std::deque<std::string>> pieces_;  // GUARDED_BY(mu_)
};

}  // namespace sand::test::fsync_audit
