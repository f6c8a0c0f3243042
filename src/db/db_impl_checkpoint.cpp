// DB::checkpoint: a consistent copy of the live database, as of one version,
// in a new directory that opens as an ordinary database (doc/design.md
// section 3, "Checkpoints").
//
// Steps (what a crash at each leaves: the source is never written, so it is
// always intact; `dir` is absent until step 5 and complete after it):
//  1. create (or empty, after an earlier crash) dir.checkpoint-tmp;
//  2. capture, under write_mu_ then state_mu_, briefly: the last version L,
//     the manifest state and the view (which pins its tables), the WALs the
//     state needs and the active WAL's size, each WAL opened for reading.
//     write_mu_ serialises write groups, so the active WAL then holds whole
//     records of versions <= L only; the frozen WALs are sealed and closed;
//  3. without locks: link every table and value file into tmp, link the sealed WALs (or
//     copy them from the open file if the flush thread deleted them since),
//     copy the active WAL's first `size` bytes (never a link: the source
//     keeps appending), write a MANIFEST holding the state with
//     last_version >= L, and sync tmp. Linked files were already durable;
//     copies are synced as they are written;
//  4. rename tmp to dir: the commit point;
//  5. sync dir's parent, so the rename survives a power loss.
// On an error before step 4 the files written to tmp are removed (best
// effort; tmp itself stays, reused by the next checkpoint).
//
// Opening the copy replays its WALs (sealed ones, then the prefix, whose end
// is a record boundary) on top of the tables, which rebuilds exactly the state
// at L: versions above L are in none of its files.
#include "db/db_impl.hpp"
#include "db/filenames.hpp"

namespace sand {
namespace {

// Writes `bytes` as the new file `path` and makes them durable.
Status write_durable_file(FileSystem& fs, const std::string& path, std::string_view bytes) {
  SAND_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs.new_writable_file(path));
  SAND_RETURN_IF_ERROR(file->append(bytes));
  SAND_RETURN_IF_ERROR(file->sync());
  return file->close();
}

// Removes every file in `dir` (best effort): what an earlier, failed or
// crashed, checkpoint left there.
void empty_dir(FileSystem& fs, const std::string& dir) {
  Result<std::vector<std::string>> names = fs.list_dir(dir);
  if (!names.is_ok()) return;
  for (const std::string& name : *names) fs.remove_file(join_path(dir, name)).ignore();
}

// A WAL the copy needs, open for reading: a mapping (or copy) that stays
// valid after the writer deletes the file.
struct WalSource {
  std::string name;
  std::unique_ptr<ReadableFile> file;
  std::uint64_t size = 0;  // bytes to copy (the active WAL: its prefix)
  bool sealed = false;     // immutable: may be linked
};

}  // namespace

Result<Version> DB::Impl::checkpoint(const std::string& dir) {
  std::string target = dir;
  while (target.size() > 1 && target.back() == '/') target.pop_back();
  if (target.empty()) return Status::invalid_argument("checkpoint directory is empty");
  if (target == path_ || target.starts_with(path_ + "/")) {
    return Status::invalid_argument(target + ": inside the database directory " + path_);
  }
  {
    MutexLock lock(state_mu_);
    SAND_RETURN_IF_ERROR(writable_status());  // read-only handles, closed DBs
  }
  if (fs_->exists(target)) return Status::invalid_argument(target + ": exists");

  // Step 1.
  const std::string tmp = target + ".checkpoint-tmp";
  if (fs_->exists(tmp)) empty_dir(*fs_, tmp);
  SAND_RETURN_IF_ERROR(fs_->create_dir(tmp));

  // Step 2: the capture; writers wait for it, readers never.
  Version last = 0;
  VersionSet::Pinned pinned;
  std::vector<WalSource> wals;
  {
    MutexLock wlock(write_mu_);
    MutexLock lock(state_mu_);
    SAND_RETURN_IF_ERROR(writable_status());  // closed while we got here
    last = last_version_.load();
    pinned = versions_.pin();
    std::vector<std::uint64_t> numbers = pinned.sealed_wals;
    numbers.push_back(pinned.active_wal);
    for (const std::uint64_t number : numbers) {
      WalSource w{.name = wal_file_name(number),
                  .file = nullptr,
                  .size = 0,
                  .sealed = number != pinned.active_wal};
      SAND_ASSIGN_OR_RETURN(w.file, fs_->open_readable_file(join_path(path_, w.name)));
      // A sealed WAL is whole; the active one is preallocated past its
      // records (POSIX), so only the writer's size counts.
      w.size = w.sealed ? w.file->contents().size() : wal_->size();
      if (w.file->contents().size() < w.size) {
        return Status::io_error(join_path(path_, w.name) + ": shorter than its writer's size");
      }
      wals.push_back(std::move(w));
    }
  }
  pinned.state.last_version = std::max(pinned.state.last_version, last);

  // Step 3, without locks.
  const auto build = [&]() -> Status {
    for (const auto& [number, meta] : pinned.state.tables) {
      const std::string name = table_file_name(number);
      SAND_RETURN_IF_ERROR(fs_->link_file(join_path(path_, name), join_path(tmp, name)));
    }
    // Value files are immutable (sealed WALs and value logs), pinned by the
    // view like its tables.
    for (const auto& [number, meta] : pinned.state.value_files) {
      const std::string name = value_file_name(meta);
      SAND_RETURN_IF_ERROR(fs_->link_file(join_path(path_, name), join_path(tmp, name)));
    }
    for (const WalSource& w : wals) {
      const std::string to = join_path(tmp, w.name);
      if (w.sealed) {
        const Status linked = fs_->link_file(join_path(path_, w.name), to);
        // Flushed and deleted since the capture: the open file still has it.
        if (linked.code() != Code::kNotFound) {
          SAND_RETURN_IF_ERROR(linked);
          continue;
        }
      }
      SAND_RETURN_IF_ERROR(write_durable_file(*fs_, to, w.file->contents().substr(0, w.size)));
    }
    manifest::State state = pinned.state;
    SAND_ASSIGN_OR_RETURN(auto manifest, manifest::ManifestLog::create(*fs_, tmp, state));
    SAND_RETURN_IF_ERROR(manifest->close());
    // ManifestLog::create synced tmp after its rename, which covers the
    // entries made before it; synced again so that does not depend on it.
    return fs_->sync_dir(tmp);
  };
  if (Status s = build(); !s.is_ok()) {
    empty_dir(*fs_, tmp);
    return s;
  }

  // Step 4, the commit point, and step 5.
  if (Status s = fs_->rename_file(tmp, target); !s.is_ok()) {
    empty_dir(*fs_, tmp);
    return s;
  }
  SAND_RETURN_IF_ERROR(fs_->sync_dir(parent_dir(target)));
  return last;
}

// Here rather than in db.cpp with the other forwards: the whole feature in
// one file.

}  // namespace sand
