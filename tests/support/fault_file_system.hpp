// FaultFileSystem: an in-memory FileSystem that models a disk behind a page
// cache, for power-loss, error-injection and syscall-order tests. Test-only.
//
// The model (what a POSIX file system on Linux promises, no more):
//  - Every file (an inode) holds `current` bytes, what the running process
//    reads, and `durable` bytes, what survives power loss. append() and
//    truncate_file() change `current`; WritableFile::sync() makes
//    durable = current for that file (truncate is treated as data: durable at
//    the file's next sync).
//  - Names are separate from data. new_writable_file (of a new name),
//    reopen_writable_file and lock_file of a missing name, rename_file,
//    link_file and remove_file are "namespace ops": they change the current
//    namespace at
//    once, and join the journal of pending namespace ops, in the order they
//    happened (one journal for the whole file system, across directories).
//    sync_dir(dir) makes the current entries of `dir` durable: it takes
//    every journal entry's change to a name in `dir` out of the journal, and
//    an entry left with no change leaves it. Only `dir`'s names: POSIX
//    promises no more (ext4 would commit every earlier op), so each name is
//    made durable by its own directory's sync and a rename across
//    directories needs both (until then its other half stays pending).
//    new_writable_file of an existing name truncates that file in
//    place (O_TRUNC: same inode, the name is already there; not a namespace
//    op). A remove removes a name, not data: an inode lives while a name or
//    a handle reaches it. link_file adds a name for an existing inode.
//  - rename_file of a directory moves it with every name and directory under
//    it, as one namespace op made durable by a sync_dir() of the parents
//    (the old one's for the old names, the new one's for the new); until
//    then a power loss puts the whole tree back under the old name (or, with
//    names_seed, keeps the move whole if the prefix reaches it). The model
//    has no directory inodes: it expects a directory's own entries to be
//    synced before it is renamed (as DB::checkpoint does); an entry still
//    pending then counts as moved and made durable with the rename.
//  - Directories are durable as soon as create_dir() returns (the engine
//    never syncs a database directory's parent; modelling that would only
//    make every fresh database vanish).
//  - power_loss(): every file drops what it did not sync (current :=
//    durable, but see `tear_unsynced_tail` below); handles and locks
//    handed out before are dead (every call returns IOError "power lost", a
//    dead lock no longer excludes anyone). The namespace after the loss is
//    the durable namespace with, on top, a prefix of the journal:
//     - by default the empty prefix: every pending namespace op is undone
//       (a new file vanishes even if its data was synced, a renamed file is
//       back under its old name and the file it replaced under the new one,
//       a removed file is back);
//     - with `names_seed`, a seeded prefix of the journal (length 0..all,
//       uniform, see names_prefix_length): the ops a journaling file system
//       (ext4) had committed, in order; the later ones are dropped, never
//       an op without the ones before it. Names carry no data: each name
//       left reaches its inode's durable bytes, so a kept create of a file
//       never synced gives an empty file, a kept rename moves the inode with
//       its durable bytes (and the inode it replaced is gone unless another
//       name reaches it), a kept remove leaves the name (and, if it was the
//       last one, the data) gone.
//    With `tear_unsynced_tail`, each file left whose unsynced change is a
//    pure append keeps a seeded prefix of the unsynced bytes (0..all,
//    independently per file: this is also the "reorder" case, unsynced
//    appends to different files survive or not independently). With
//    `zero_fill_logs`, each log file still open (new_log_file) then ends in
//    zeros, as a preallocated file does. What the loss left is the new
//    durable state; the journal is empty after it.
//  - A failed sync (injected) leaves durable bytes unchanged and, like Linux
//    after an fsync error, marks the pending pages clean without writing
//    them: the process still reads them, but they never reach the disk. A
//    later successful sync makes the file's length durable with zero bytes
//    in that range (so an engine that retries fsync and trusts it writes
//    holes a checksum must catch); power loss simply drops them, and a torn
//    power loss never ends a file inside them (the tail it keeps stops where
//    they begin, or runs past them as zeros).
//  - A failed append (injected) appends nothing. A failed close still closes
//    the handle (the descriptor is gone, as with close(2)). Every other
//    failed op changes nothing.
//  - Ops: create, reopen, append, sync, close, rename, link, remove,
//    truncate, sync_dir, create_dir and lock are "mutating ops". ops() counts every one
//    that was attempted, including those failed by fail_next (they reached
//    the "kernel"), but not the one cut by power_loss_after nor calls on dead
//    or closed handles. Reads (open_readable_file, read_file_from, list_dir)
//    and exists() are not counted.
//  - ReadableFiles are copies of the current bytes when opened; later writes
//    never change a view in use.
//
// Using it with a live DB: a DB's background threads keep calling the file
// system after power is lost. Use PowerLossOptions{.stay_down = true} (or
// power_loss_after) so that every call fails until reboot(); destroy the DB
// (its close fails harmlessly), then reboot() and reopen: the reopen is "the
// reboot" of the machine.
//
// It is a ForwardingFileSystem (support/forwarding_file_system.hpp) over the
// model, so a wrapper or test can count calls() per FsOp like any double's.
//
// Thread-safety: safe from many threads at once; one mutex guards all state,
// shared with the WritableFiles and FileLocks handed out (which may outlive
// the FaultFileSystem).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sand/file_system.hpp"
#include "support/forwarding_file_system.hpp"

namespace sand::test {

// The kinds of file system operation, for fail_next() and Event.
enum class OpKind {
  kCreate,     // new_writable_file
  kReopen,     // reopen_writable_file
  kAppend,     // WritableFile::append
  kSync,       // WritableFile::sync
  kClose,      // WritableFile::close
  kRename,     // rename_file
  kLink,       // link_file
  kRemove,     // remove_file
  kTruncate,   // truncate_file
  kSyncDir,    // sync_dir
  kCreateDir,  // create_dir
  kLock,       // lock_file
  kRead,       // open_readable_file, read_file_from, list_dir (never an Event)
  kAny,        // fail_next only: matches every kind above
};

// A stable name for `kind`, e.g. "sync_dir".
std::string_view op_kind_name(OpKind kind);
// The kind a FaultFileSystem counts a call of `op` as (new_log_file is a
// kCreate); kRead for exists(), which is never counted nor failed.
OpKind op_kind_of(FsOp op);

// One mutating op, as recorded while recording is on.
struct Event {
  OpKind kind = OpKind::kAny;
  // The path the op named; for a WritableFile op, the name it was opened by.
  std::string path{};
  // rename and link only: the new name.
  std::string to{};
  // append: bytes appended; truncate: the requested size; sync: bytes of the
  // file that were not durable before (0 for a sync with nothing to do);
  // otherwise 0.
  std::uint64_t bytes = 0;
  // The current size of the file the op concerns, after the op (0 after a
  // remove, sync_dir and create_dir). A failed op changes nothing, so for it
  // this is the file's size (0 if none).
  std::uint64_t size_after = 0;
  // false if the op failed by fail_next.
  bool ok = true;

  friend bool operator==(const Event&, const Event&) = default;
};

struct PowerLossOptions {
  // A seed: keep a seeded prefix of each file's unsynced appended bytes (see
  // torn_prefix_length) instead of dropping them all. Default: drop them.
  std::optional<std::uint64_t> tear_unsynced_tail{};
  // A seed: keep a seeded prefix of the pending namespace ops (see
  // names_prefix_length and the model above) instead of undoing them all.
  // Default: undo them all.
  std::optional<std::uint64_t> names_seed{};
  // Pad every log file (new_log_file) not yet closed with zeros after what
  // the loss kept of it, up to the next multiple of this many bytes, as the
  // POSIX log writer's preallocation leaves it (io/posix_log_file.hpp; a
  // file with nothing kept becomes one window of zeros). Default 0: no
  // padding.
  std::uint64_t zero_fill_logs = 0;
  // Stay powered off after the loss: every op, read and handle call fails
  // with IOError "power lost" (exists() answers false) until reboot().
  // Default: false, usable again at once.
  bool stay_down = false;
};

// The shared model (files, names, faults, events); defined in the .cpp.
struct FaultState;

class FaultFileSystem final : public ForwardingFileSystem {
 public:
  FaultFileSystem();
  ~FaultFileSystem() override;
  FaultFileSystem(const FaultFileSystem&) = delete;
  FaultFileSystem& operator=(const FaultFileSystem&) = delete;

  // --- Power ---
  // Cuts power now (see the model above).
  void power_loss(const PowerLossOptions& options = {});
  // Cuts power when ops() reaches `n`: the (n+1)-th mutating op since
  // construction does not happen; power is lost with `options` right there
  // and the file system stays down (that op and every later call return
  // IOError "power lost") until reboot(). power_loss_after(ops()) cuts at
  // the very next mutating op.
  void power_loss_after(std::uint64_t n, const PowerLossOptions& options = {});
  // Powers back on: clears the down state and any pending power_loss_after.
  // Files stay as the power loss left them.
  void reboot();
  // Whether the file system is down (after power_loss_after fired or a
  // power_loss with stay_down, before reboot()).
  bool is_down() const;

  // The number of unsynced bytes (0..unsynced) a torn power loss with `seed`
  // keeps of the file at `path`; a pure function, the same everywhere.
  static std::uint64_t torn_prefix_length(std::uint64_t seed, std::string_view path,
                                          std::uint64_t unsynced);
  // The number of pending namespace ops (0..pending, uniformly over seeds)
  // a power loss with names_seed = `seed` keeps; a pure function.
  static std::uint64_t names_prefix_length(std::uint64_t seed, std::uint64_t pending);
  // The number of namespace ops in the journal now: done, but with at least
  // one of their changes not yet made durable by a sync_dir().
  std::uint64_t pending_name_ops() const;
  // How many pending namespace ops the last power loss kept (0 before any,
  // and for a loss without names_seed): for tests to show the case happened.
  std::uint64_t kept_name_ops() const;

  // --- Error injection ---
  // The next `count` ops of `kind` (kAny: of every kind) fail with IOError
  // "<path>: <strerror(error)>" (error is e.g. EIO or ENOSPC); with `forever`
  // every such op from now on fails (count is then ignored). Several rules
  // may be pending; the oldest matching one fires.
  void fail_next(OpKind kind, int count, int error, bool forever = false);
  // Drops every pending fail_next rule.
  void clear_faults();

  // --- Counting and recording ---
  // Mutating ops attempted since construction (see the model above).
  std::uint64_t ops() const;
  // Turns recording of Events on or off. Default: off (a long test would
  // otherwise keep one Event per append).
  void set_recording(bool on);
  // The Events recorded so far, oldest first.
  std::vector<Event> events() const;
  void clear_events();

  // The FileSystem methods are ForwardingFileSystem's, over the model (a
  // CompleteFileSystem in the .cpp); new_log_file is new_writable_file, and
  // the file is a log: see zero_fill_logs.

 private:
  explicit FaultFileSystem(std::shared_ptr<FaultState> state);

  const std::shared_ptr<FaultState> state_;
};

}  // namespace sand::test
