// FaultFileSystem: a ForwardingFileSystem over FaultModel, the model; both
// share one FaultState behind one mutex. Every mutating op first
// asks admit() (power, counting, injected faults), then changes the model,
// then records its Event; so a cut or injected op never changes anything.
// Namespace ops also append to the journal (NameOp) that sync_dir() trims
// and a power loss with names_seed replays a prefix of.
#include "support/fault_file_system.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <utility>

namespace sand::test {
namespace {

// One file's bytes (an inode), reachable from zero or more names.
struct Node {
  std::string current;  // what the process reads
  std::string durable;  // what the disk holds
  // [begin, end) ranges of `current` whose write-back failed (an injected
  // sync error): clean in the page cache, so never written to disk. Kept
  // until a truncate or O_TRUNC cuts them off, or power is lost.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> lost;
  // A log file (new_log_file) whose writer has not closed it: the real
  // one is preallocated past its bytes, and a crash leaves those zeros.
  bool open_log = false;
};
using NodePtr = std::shared_ptr<Node>;

// One namespace op in the journal: its changes to names that no sync_dir()
// has made durable yet, applied together (a rename is one op: its remove of
// the old name and its link of the new one are never split by a power loss,
// only by a sync of one of their directories).
struct NameOp {
  struct Change {
    std::string path;
    NodePtr node;  // null: the name is removed
    // A directory rename's change to a name below the renamed directory, or
    // to a directory itself: made durable by a sync of `commit_dir` (the
    // renamed directory's parent), not of the name's own directory.
    std::string commit_dir{};
    enum class Dir { kNo, kAdded, kRemoved } dir = Dir::kNo;
  };
  std::vector<Change> changes;
};

struct Fault {
  OpKind kind;
  int remaining;
  int error;
  bool forever;
};

std::string parent_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

Status power_lost(const std::string& what) { return Status::io_error(what + ": power lost"); }

Status no_such_file(const std::string& path) {
  return Status::not_found(path + ": " + std::strerror(ENOENT));
}

std::size_t common_prefix(std::string_view a, std::string_view b) {
  const auto [ia, ib] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return static_cast<std::size_t>(ia - a.begin());
}

// What the disk would hold if every dirty page of `node` were written back:
// the current bytes with the lost ranges as zeros.
std::string disk_image(const Node& node) {
  std::string image = node.current;
  for (const auto& [begin, end] : node.lost) {
    const std::uint64_t stop = std::min<std::uint64_t>(end, image.size());
    for (std::uint64_t i = begin; i < stop; ++i) image[i] = '\0';
  }
  return image;
}

// An Event for an op on `path` (size_after: the file's size after the op).
Event op_event(OpKind kind, const std::string& path, std::uint64_t size_after = 0,
               std::uint64_t bytes = 0) {
  Event e;
  e.kind = kind;
  e.path = path;
  e.bytes = bytes;
  e.size_after = size_after;
  return e;
}

}  // namespace

struct FaultState {
  std::mutex mu;
  std::map<std::string, NodePtr> names;          // the current namespace
  std::map<std::string, NodePtr> durable_names;  // what a power loss restores
  // Namespace ops since the last power loss not yet wholly durable, oldest
  // first (see header).
  std::vector<NameOp> journal;
  std::uint64_t kept_name_ops = 0;             // by the last power loss
  std::set<std::string> dirs;                  // durable at once (see header)
  std::set<std::string> durable_dirs;          // differs only by pending renames
  std::map<std::string, std::uint64_t> locks;  // path -> token of the holder
  std::uint64_t next_lock_token = 1;
  // Bumped by every power loss; handles made under an older epoch are dead.
  std::uint64_t epoch = 0;
  bool down = false;
  std::uint64_t ops = 0;
  std::uint64_t cut_at = std::numeric_limits<std::uint64_t>::max();
  PowerLossOptions cut_options;
  std::vector<Fault> faults;
  bool recording = false;
  std::vector<Event> events;

  // REQUIRES: mu held. Decides the fate of one mutating op described by
  // `pending` (its size_after being the file's size now, which is also its
  // size after a failed op): "power lost" if down or at the cut point (which
  // loses power), else counts it and fires a matching fault, recording the
  // failed op.
  Status admit(const Event& pending) {
    if (down) return power_lost(pending.path);
    if (ops >= cut_at) {
      lose_power(cut_options);
      down = true;
      return power_lost(pending.path);
    }
    ++ops;
    if (const std::optional<int> error = take_fault(pending.kind)) {
      Event failed = pending;
      failed.ok = false;
      record(std::move(failed));
      return Status::io_error(pending.path, *error);
    }
    return Status::ok();
  }

  // REQUIRES: mu held. The same for a read: not counted, never cut.
  Status admit_read(const std::string& path) {
    if (down) return power_lost(path);
    if (const std::optional<int> error = take_fault(OpKind::kRead)) {
      return Status::io_error(path, *error);
    }
    return Status::ok();
  }

  // REQUIRES: mu held.
  std::optional<int> take_fault(OpKind kind) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (it->kind != kind && it->kind != OpKind::kAny) continue;
      const int error = it->error;
      if (!it->forever && --it->remaining <= 0) faults.erase(it);
      return error;
    }
    return std::nullopt;
  }

  // REQUIRES: mu held.
  void record(Event e) {
    if (recording) events.push_back(std::move(e));
  }

  // REQUIRES: mu held.
  Status check_parent(const std::string& path) const {
    if (!dirs.contains(parent_of(path))) return Status::io_error(path, ENOENT);
    return Status::ok();
  }

  // REQUIRES: mu held.
  std::uint64_t size_of(const std::string& path) const {
    const auto it = names.find(path);
    return it == names.end() ? 0 : it->second->current.size();
  }

  // REQUIRES: mu held. Makes one journalled change durable.
  void apply_durably(const NameOp::Change& change) {
    if (change.dir == NameOp::Change::Dir::kAdded) {
      durable_dirs.insert(change.path);
    } else if (change.dir == NameOp::Change::Dir::kRemoved) {
      durable_dirs.erase(change.path);
    } else if (change.node) {
      durable_names[change.path] = change.node;
    } else {
      durable_names.erase(change.path);
    }
  }

  // REQUIRES: mu held. The directory a sync of which makes `change` durable.
  static std::string commit_dir_of(const NameOp::Change& change) {
    return change.commit_dir.empty() ? parent_of(change.path) : change.commit_dir;
  }

  // REQUIRES: mu held. Journals a namespace op done on `names`.
  void journal_op(std::vector<NameOp::Change> changes) {
    journal.push_back(NameOp{std::move(changes)});
  }

  // REQUIRES: mu held. The page cache and every process's handles vanish;
  // the disk stays, with the journal prefix it had committed.
  void lose_power(const PowerLossOptions& options) {
    ++epoch;
    locks.clear();
    kept_name_ops = 0;
    if (options.names_seed) {
      const std::uint64_t keep =
          FaultFileSystem::names_prefix_length(*options.names_seed, journal.size());
      kept_name_ops = keep;
      for (std::uint64_t i = 0; i < keep; ++i) {
        for (const NameOp::Change& change : journal[i].changes) apply_durably(change);
      }
    }
    journal.clear();
    dirs = durable_dirs;
    // Only the inodes a durable name reaches are left: the others' bytes are
    // gone with their handles.
    std::set<const Node*> done;  // a node may be durable under two names
    for (const auto& [path, node] : durable_names) {
      if (!done.insert(node.get()).second) continue;
      std::string kept = node->durable;
      if (options.tear_unsynced_tail) {
        // Only a pure append tears: a pending truncate is all or nothing.
        const std::string image = disk_image(*node);
        if (image.size() > kept.size() && image.starts_with(kept)) {
          const std::uint64_t unsynced = image.size() - kept.size();
          std::uint64_t end = kept.size() + FaultFileSystem::torn_prefix_length(
                                                *options.tear_unsynced_tail, path, unsynced);
          // Lost pages are never written, so the disk cannot end inside them:
          // back up to where the last run of lost bytes begins.
          for (bool moved = true; moved && end > kept.size();) {
            moved = false;
            for (const auto& [begin, stop] : node->lost) {
              if (begin < end && end <= stop) {
                end = std::max<std::uint64_t>(begin, kept.size());
                moved = true;
                break;
              }
            }
          }
          kept.append(image, kept.size(), end - kept.size());
        }
      }
      if (options.zero_fill_logs > 0 && node->open_log) {
        // The zeros a preallocating log writer leaves: up to the next
        // multiple of the window (a whole window if nothing survived).
        const std::uint64_t w = options.zero_fill_logs;
        kept.resize((kept.size() / w + 1) * w, '\0');
      }
      node->open_log = false;  // its handle is dead
      node->durable = kept;
      node->current = std::move(kept);
      node->lost.clear();
    }
    names = durable_names;
  }
};

namespace {

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(std::shared_ptr<FaultState> state, NodePtr node, std::string path)
      : state_(std::move(state)),
        node_(std::move(node)),
        path_(std::move(path)),
        epoch_(state_->epoch) {}

  Status append(std::string_view data) override {
    std::lock_guard lock(state_->mu);
    SAND_RETURN_IF_ERROR(check_alive());
    SAND_RETURN_IF_ERROR(state_->admit(event(OpKind::kAppend, data.size())));
    node_->current.append(data);
    state_->record(event(OpKind::kAppend, data.size()));
    return Status::ok();
  }

  Status sync() override {
    std::lock_guard lock(state_->mu);
    SAND_RETURN_IF_ERROR(check_alive());
    std::string image = disk_image(*node_);
    const std::uint64_t pending =
        std::max(image.size(), node_->durable.size()) - common_prefix(image, node_->durable);
    const Status admitted = state_->admit(event(OpKind::kSync, pending));
    if (!admitted.is_ok()) {
      // An injected failure (not a power cut): Linux marks the dirty pages
      // clean anyway, so they never reach the disk (see header).
      if (!state_->down && pending > 0) {
        node_->lost.emplace_back(common_prefix(image, node_->durable), node_->current.size());
      }
      return admitted;
    }
    node_->durable = std::move(image);
    state_->record(event(OpKind::kSync, pending));
    return Status::ok();
  }

  Status close() override {
    std::lock_guard lock(state_->mu);
    SAND_RETURN_IF_ERROR(check_alive());
    closed_ = true;  // even if the close fails: the descriptor is gone
    node_->open_log = false;  // a closed log is trimmed to its bytes
    SAND_RETURN_IF_ERROR(state_->admit(event(OpKind::kClose, 0)));
    state_->record(event(OpKind::kClose, 0));
    return Status::ok();
  }

  std::uint64_t size() const override {
    std::lock_guard lock(state_->mu);
    return node_->current.size();
  }

 private:
  // REQUIRES: state_->mu held.
  Status check_alive() const {
    if (state_->down || epoch_ != state_->epoch) return power_lost(path_);
    if (closed_) return Status::io_error(path_ + ": file is closed");
    return Status::ok();
  }

  // REQUIRES: state_->mu held.
  Event event(OpKind kind, std::uint64_t bytes) const {
    return op_event(kind, path_, node_->current.size(), bytes);
  }

  const std::shared_ptr<FaultState> state_;
  const NodePtr node_;
  const std::string path_;
  const std::uint64_t epoch_;
  bool closed_ = false;
};

// A copy of the bytes at open: later writes do not change it.
class FaultReadableFile final : public ReadableFile {
 public:
  explicit FaultReadableFile(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string_view contents() const override { return bytes_; }

 private:
  const std::string bytes_;
};

class FaultFileLock final : public FileLock {
 public:
  FaultFileLock(std::shared_ptr<FaultState> state, std::string path, std::uint64_t token)
      : state_(std::move(state)), path_(std::move(path)), token_(token) {}
  ~FaultFileLock() override {
    std::lock_guard lock(state_->mu);
    // After a power loss the path may be locked again by a new holder: only
    // release our own lock.
    const auto it = state_->locks.find(path_);
    if (it != state_->locks.end() && it->second == token_) state_->locks.erase(it);
  }

 private:
  const std::shared_ptr<FaultState> state_;
  const std::string path_;
  const std::uint64_t token_;
};

// The model itself: the FileSystem the FaultFileSystem forwards to. A
// CompleteFileSystem, so every method is its own (none is FileSystem's
// default built on others).
class FaultModel final : public CompleteFileSystem {
 public:
  explicit FaultModel(std::shared_ptr<FaultState> state) : state_(std::move(state)) {}

  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> new_log_file(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> reopen_writable_file(const std::string& path) override;
  Result<std::unique_ptr<ReadableFile>> open_readable_file(const std::string& path) override;
  Result<std::string> read_file_from(const std::string& path, std::uint64_t offset) override;
  Status rename_file(const std::string& from, const std::string& to) override;
  Status link_file(const std::string& from, const std::string& to) override;
  Status remove_file(const std::string& path) override;
  Status truncate_file(const std::string& path, std::uint64_t size) override;
  Status sync_dir(const std::string& dir) override;
  Status create_dir(const std::string& dir) override;
  Result<std::vector<std::string>> list_dir(const std::string& dir) override;
  bool exists(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) override;

 private:
  // rename_file of a directory. REQUIRES: st.mu held, the op admitted.
  static Status rename_dir(FaultState& st, const std::string& from, const std::string& to);

  const std::shared_ptr<FaultState> state_;
};

}  // namespace

std::string_view op_kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::kCreate:
      return "create";
    case OpKind::kReopen:
      return "reopen";
    case OpKind::kAppend:
      return "append";
    case OpKind::kSync:
      return "sync";
    case OpKind::kClose:
      return "close";
    case OpKind::kRename:
      return "rename";
    case OpKind::kLink:
      return "link";
    case OpKind::kRemove:
      return "remove";
    case OpKind::kTruncate:
      return "truncate";
    case OpKind::kSyncDir:
      return "sync_dir";
    case OpKind::kCreateDir:
      return "create_dir";
    case OpKind::kLock:
      return "lock";
    case OpKind::kRead:
      return "read";
    case OpKind::kAny:
      return "any";
  }
  return "unknown";
}

OpKind op_kind_of(FsOp op) {
  switch (op) {
    case FsOp::kNewWritableFile:
    case FsOp::kNewLogFile:
      return OpKind::kCreate;
    case FsOp::kReopenWritableFile:
      return OpKind::kReopen;
    case FsOp::kOpenReadableFile:
    case FsOp::kReadFileFrom:
    case FsOp::kListDir:
    case FsOp::kExists:
      return OpKind::kRead;
    case FsOp::kRenameFile:
      return OpKind::kRename;
    case FsOp::kLinkFile:
      return OpKind::kLink;
    case FsOp::kRemoveFile:
      return OpKind::kRemove;
    case FsOp::kTruncateFile:
      return OpKind::kTruncate;
    case FsOp::kSyncDir:
      return OpKind::kSyncDir;
    case FsOp::kCreateDir:
      return OpKind::kCreateDir;
    case FsOp::kLockFile:
      return OpKind::kLock;
    case FsOp::kAppend:
      return OpKind::kAppend;
    case FsOp::kSync:
      return OpKind::kSync;
    case FsOp::kClose:
      return OpKind::kClose;
  }
  return OpKind::kAny;
}

FaultFileSystem::FaultFileSystem() : FaultFileSystem(std::make_shared<FaultState>()) {}

FaultFileSystem::FaultFileSystem(std::shared_ptr<FaultState> state)
    : ForwardingFileSystem(std::make_shared<FaultModel>(state)), state_(std::move(state)) {}

FaultFileSystem::~FaultFileSystem() = default;

void FaultFileSystem::power_loss(const PowerLossOptions& options) {
  std::lock_guard lock(state_->mu);
  state_->lose_power(options);
  state_->down = options.stay_down;
}

void FaultFileSystem::power_loss_after(std::uint64_t n, const PowerLossOptions& options) {
  std::lock_guard lock(state_->mu);
  state_->cut_at = n;
  state_->cut_options = options;
}

void FaultFileSystem::reboot() {
  std::lock_guard lock(state_->mu);
  state_->down = false;
  state_->cut_at = std::numeric_limits<std::uint64_t>::max();
}

bool FaultFileSystem::is_down() const {
  std::lock_guard lock(state_->mu);
  return state_->down;
}

std::uint64_t FaultFileSystem::names_prefix_length(std::uint64_t seed, std::uint64_t pending) {
  // splitmix64 of the seed (with a constant of its own, so that equal tear
  // and names seeds are unrelated): fixed arithmetic, as torn_prefix_length.
  std::uint64_t z = seed ^ 0x6e616d6573707265u;  // "namespre"
  z += 0x9e3779b97f4a7c15u;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  z ^= z >> 31;
  return z % (pending + 1);
}

std::uint64_t FaultFileSystem::pending_name_ops() const {
  std::lock_guard lock(state_->mu);
  return state_->journal.size();
}

std::uint64_t FaultFileSystem::kept_name_ops() const {
  std::lock_guard lock(state_->mu);
  return state_->kept_name_ops;
}

std::uint64_t FaultFileSystem::torn_prefix_length(std::uint64_t seed, std::string_view path,
                                                  std::uint64_t unsynced) {
  if (unsynced == 0) return 0;
  // FNV-1a of the path, then splitmix64's finalizer: fixed arithmetic, so a
  // seed means the same cut with every compiler and standard library.
  std::uint64_t h = 0xcbf29ce484222325u;
  for (const char c : path) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3u;
  }
  std::uint64_t z = seed ^ h;
  z += 0x9e3779b97f4a7c15u;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  z ^= z >> 31;
  return z % (unsynced + 1);
}

void FaultFileSystem::fail_next(OpKind kind, int count, int error, bool forever) {
  if (!forever && count <= 0) return;
  std::lock_guard lock(state_->mu);
  state_->faults.push_back(Fault{kind, count, error, forever});
}

void FaultFileSystem::clear_faults() {
  std::lock_guard lock(state_->mu);
  state_->faults.clear();
}

std::uint64_t FaultFileSystem::ops() const {
  std::lock_guard lock(state_->mu);
  return state_->ops;
}

void FaultFileSystem::set_recording(bool on) {
  std::lock_guard lock(state_->mu);
  state_->recording = on;
}

std::vector<Event> FaultFileSystem::events() const {
  std::lock_guard lock(state_->mu);
  return state_->events;
}

void FaultFileSystem::clear_events() {
  std::lock_guard lock(state_->mu);
  state_->events.clear();
}

Result<std::unique_ptr<WritableFile>> FaultModel::new_writable_file(const std::string& path) {
  std::lock_guard lock(state_->mu);
  FaultState& st = *state_;
  SAND_RETURN_IF_ERROR(st.admit(op_event(OpKind::kCreate, path, st.size_of(path))));
  SAND_RETURN_IF_ERROR(st.check_parent(path));
  NodePtr& node = st.names[path];
  if (node) {
    // O_TRUNC: same inode and the same name; the emptying is data.
    node->current.clear();
    node->lost.clear();
  } else {
    node = std::make_shared<Node>();
    st.journal_op({{path, node}});
  }
  st.record(op_event(OpKind::kCreate, path));
  return std::unique_ptr<WritableFile>(std::make_unique<FaultWritableFile>(state_, node, path));
}

Result<std::unique_ptr<WritableFile>> FaultModel::new_log_file(const std::string& path) {
  SAND_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, new_writable_file(path));
  std::lock_guard lock(state_->mu);
  const auto it = state_->names.find(path);
  if (it != state_->names.end()) it->second->open_log = true;
  return file;
}

Result<std::unique_ptr<WritableFile>> FaultModel::reopen_writable_file(const std::string& path) {
  std::lock_guard lock(state_->mu);
  FaultState& st = *state_;
  SAND_RETURN_IF_ERROR(st.admit(op_event(OpKind::kReopen, path, st.size_of(path))));
  SAND_RETURN_IF_ERROR(st.check_parent(path));
  NodePtr& node = st.names[path];
  if (!node) {
    node = std::make_shared<Node>();
    st.journal_op({{path, node}});
  }
  st.record(op_event(OpKind::kReopen, path, node->current.size()));
  return std::unique_ptr<WritableFile>(std::make_unique<FaultWritableFile>(state_, node, path));
}

Result<std::unique_ptr<ReadableFile>> FaultModel::open_readable_file(const std::string& path) {
  std::lock_guard lock(state_->mu);
  SAND_RETURN_IF_ERROR(state_->admit_read(path));
  const auto it = state_->names.find(path);
  if (it == state_->names.end()) return no_such_file(path);
  return std::unique_ptr<ReadableFile>(std::make_unique<FaultReadableFile>(it->second->current));
}

Result<std::string> FaultModel::read_file_from(const std::string& path, std::uint64_t offset) {
  std::lock_guard lock(state_->mu);
  SAND_RETURN_IF_ERROR(state_->admit_read(path));
  const auto it = state_->names.find(path);
  if (it == state_->names.end()) return no_such_file(path);
  const std::string& bytes = it->second->current;
  if (offset >= bytes.size()) return std::string();
  return bytes.substr(offset);
}

Status FaultModel::rename_file(const std::string& from, const std::string& to) {
  std::lock_guard lock(state_->mu);
  FaultState& st = *state_;
  Event event = op_event(OpKind::kRename, from, st.size_of(from));
  event.to = to;
  SAND_RETURN_IF_ERROR(st.admit(event));
  if (st.dirs.contains(from)) {
    SAND_RETURN_IF_ERROR(rename_dir(st, from, to));
    st.record(std::move(event));
    return Status::ok();
  }
  const auto it = st.names.find(from);
  if (it == st.names.end()) return Status::io_error(from, ENOENT);
  SAND_RETURN_IF_ERROR(st.check_parent(to));
  const NodePtr node = it->second;
  if (from != to) {
    st.names.erase(it);
    st.names[to] = node;
    st.journal_op({{from, nullptr}, {to, node}});
  }
  event.size_after = node->current.size();
  st.record(std::move(event));
  return Status::ok();
}

Status FaultModel::rename_dir(FaultState& st, const std::string& from, const std::string& to) {
  if (from == to) return Status::ok();
  const std::string from_prefix = from + "/", to_prefix = to + "/";
  if (to.starts_with(from_prefix)) return Status::io_error(from, EINVAL);
  SAND_RETURN_IF_ERROR(st.check_parent(to));
  if (st.names.contains(to)) return Status::io_error(to, ENOTDIR);
  for (const auto& [path, node] : st.names) {
    if (path.starts_with(to_prefix)) return Status::io_error(to, ENOTEMPTY);
  }
  for (const auto& d : st.dirs) {
    if (d.starts_with(to_prefix)) return Status::io_error(to, ENOTEMPTY);
  }
  // One op: every name and directory leaves the old tree and enters the new.
  const std::string old_parent = parent_of(from), new_parent = parent_of(to);
  using Dir = NameOp::Change::Dir;
  std::vector<NameOp::Change> changes;
  std::map<std::string, NodePtr> moved;
  for (auto it = st.names.lower_bound(from_prefix);
       it != st.names.end() && it->first.starts_with(from_prefix);) {
    const std::string new_path = to_prefix + it->first.substr(from_prefix.size());
    changes.push_back({it->first, nullptr, old_parent});
    changes.push_back({new_path, it->second, new_parent});
    moved[new_path] = it->second;
    it = st.names.erase(it);
  }
  std::vector<std::string> moved_dirs;
  for (const auto& d : st.dirs) {
    if (d == from || d.starts_with(from_prefix)) moved_dirs.push_back(d);
  }
  for (const std::string& d : moved_dirs) {
    const std::string new_dir = to + d.substr(from.size());
    changes.push_back({d, nullptr, old_parent, Dir::kRemoved});
    changes.push_back({new_dir, nullptr, new_parent, Dir::kAdded});
    st.dirs.erase(d);
    st.dirs.insert(new_dir);
  }
  st.names.merge(moved);
  st.journal_op(std::move(changes));
  return Status::ok();
}

Status FaultModel::link_file(const std::string& from, const std::string& to) {
  std::lock_guard lock(state_->mu);
  FaultState& st = *state_;
  Event event = op_event(OpKind::kLink, from, st.size_of(from));
  event.to = to;
  SAND_RETURN_IF_ERROR(st.admit(event));
  const auto it = st.names.find(from);
  if (it == st.names.end()) return no_such_file(from);
  SAND_RETURN_IF_ERROR(st.check_parent(to));
  if (st.names.contains(to) || st.dirs.contains(to)) return Status::io_error(to, EEXIST);
  const NodePtr node = it->second;
  st.names[to] = node;
  st.journal_op({{to, node}});
  st.record(std::move(event));
  return Status::ok();
}

Status FaultModel::remove_file(const std::string& path) {
  std::lock_guard lock(state_->mu);
  FaultState& st = *state_;
  SAND_RETURN_IF_ERROR(st.admit(op_event(OpKind::kRemove, path, st.size_of(path))));
  if (st.names.erase(path) == 0) return no_such_file(path);
  st.journal_op({{path, nullptr}});
  st.record(op_event(OpKind::kRemove, path));
  return Status::ok();
}

Status FaultModel::truncate_file(const std::string& path, std::uint64_t size) {
  std::lock_guard lock(state_->mu);
  FaultState& st = *state_;
  SAND_RETURN_IF_ERROR(st.admit(op_event(OpKind::kTruncate, path, st.size_of(path), size)));
  const auto it = st.names.find(path);
  if (it == st.names.end()) return Status::io_error(path, ENOENT);
  Node& node = *it->second;
  if (size < node.current.size()) node.current.resize(size);
  // Lost pages past the new end are gone; bytes appended there later are
  // new dirty pages.
  auto& lost = node.lost;
  for (auto& range : lost) range.second = std::min(range.second, size);
  std::erase_if(lost, [](const auto& range) { return range.first >= range.second; });
  st.record(op_event(OpKind::kTruncate, path, node.current.size(), size));
  return Status::ok();
}

Status FaultModel::sync_dir(const std::string& dir) {
  std::lock_guard lock(state_->mu);
  FaultState& st = *state_;
  SAND_RETURN_IF_ERROR(st.admit(op_event(OpKind::kSyncDir, dir)));
  if (!st.dirs.contains(dir)) return Status::io_error(dir, ENOENT);
  // The directory's durable entries become exactly its current ones.
  std::erase_if(st.durable_names, [&](const auto& entry) {
    return parent_of(entry.first) == dir && !st.names.contains(entry.first);
  });
  for (const auto& [path, node] : st.names) {
    if (parent_of(path) == dir) st.durable_names[path] = node;
  }
  // What the journal held for `dir` is now in durable_names; a directory
  // rename's changes below it (or to directories) are applied in order.
  for (NameOp& op : st.journal) {
    for (const NameOp::Change& change : op.changes) {
      if (!change.commit_dir.empty() && change.commit_dir == dir) st.apply_durably(change);
    }
    std::erase_if(op.changes,
                  [&](const auto& change) { return FaultState::commit_dir_of(change) == dir; });
  }
  std::erase_if(st.journal, [](const NameOp& op) { return op.changes.empty(); });
  st.record(op_event(OpKind::kSyncDir, dir));
  return Status::ok();
}

Status FaultModel::create_dir(const std::string& dir) {
  std::lock_guard lock(state_->mu);
  FaultState& st = *state_;
  SAND_RETURN_IF_ERROR(st.admit(op_event(OpKind::kCreateDir, dir)));
  for (std::size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos == dir.size() || dir[pos] == '/') {
      st.dirs.insert(dir.substr(0, pos));
      st.durable_dirs.insert(dir.substr(0, pos));
    }
  }
  st.record(op_event(OpKind::kCreateDir, dir));
  return Status::ok();
}

Result<std::vector<std::string>> FaultModel::list_dir(const std::string& dir) {
  std::lock_guard lock(state_->mu);
  FaultState& st = *state_;
  SAND_RETURN_IF_ERROR(st.admit_read(dir));
  if (!st.dirs.contains(dir)) return no_such_file(dir);
  std::vector<std::string> names;
  const std::string prefix = dir + "/";
  const auto add_child = [&](const std::string& path) {
    if (path.starts_with(prefix) && path.find('/', prefix.size()) == std::string::npos) {
      names.push_back(path.substr(prefix.size()));
    }
  };
  for (const auto& entry : st.names) add_child(entry.first);
  for (const auto& sub : st.dirs) add_child(sub);
  return names;
}

bool FaultModel::exists(const std::string& path) {
  std::lock_guard lock(state_->mu);
  if (state_->down) return false;
  return state_->names.contains(path) || state_->dirs.contains(path);
}

Result<std::unique_ptr<FileLock>> FaultModel::lock_file(const std::string& path) {
  std::lock_guard lock(state_->mu);
  FaultState& st = *state_;
  SAND_RETURN_IF_ERROR(st.admit(op_event(OpKind::kLock, path, st.size_of(path))));
  SAND_RETURN_IF_ERROR(st.check_parent(path));
  if (st.locks.contains(path)) {
    return Status::busy(path + ": held by another process (one writer at a time)");
  }
  NodePtr& node = st.names[path];
  if (!node) {
    node = std::make_shared<Node>();
    st.journal_op({{path, node}});
  }
  const std::uint64_t token = st.next_lock_token++;
  st.locks.emplace(path, token);
  st.record(op_event(OpKind::kLock, path, node->current.size()));
  return std::unique_ptr<FileLock>(std::make_unique<FaultFileLock>(state_, path, token));
}

}  // namespace sand::test
