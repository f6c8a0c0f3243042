// Follower: catching up with a database another process writes.
#include "db/follower.hpp"

#include <algorithm>

#include "db/filenames.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

namespace sand {

Follower::Follower(FileSystem& fs, std::string dir, bool point_in_time, OpenTable open_table)
    : fs_(fs),
      dir_(std::move(dir)),
      point_in_time_(point_in_time),
      open_table_(std::move(open_table)),
      manifest_(dir_) {}

Result<Follower::Picture> Follower::refresh() {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    bool vanished = false;
    SAND_RETURN_IF_ERROR(catch_up(&vanished));
    if (!vanished) return picture();
  }
  return Status::busy(dir_ + ": files kept vanishing while catching up (" +
                      std::to_string(kMaxAttempts) +
                      " rounds); the writer retires tables faster than this reader opens them");
}

Status Follower::catch_up(bool* vanished) {
  SAND_RETURN_IF_ERROR(manifest_.update(fs_).status());
  SAND_RETURN_IF_ERROR(sync_tables(vanished));
  if (*vanished) return Status::ok();
  return read_wals(vanished);
}

Status Follower::sync_tables(bool* vanished) {
  const auto& live = manifest_.state().tables;
  std::erase_if(tables_, [&](const auto& entry) { return !live.contains(entry.first); });
  for (const auto& [number, meta] : live) {
    if (tables_.contains(number)) continue;
    auto opened = open_table_(meta);
    if (!opened.is_ok()) {
      if (opened.status().code() != Code::kNotFound) return opened.status();
      *vanished = true;  // retired by an edit we have not read yet
      return Status::ok();
    }
    tables_.emplace(number, std::move(opened).value());
  }
  return Status::ok();
}

Status Follower::read_wals(bool* vanished) {
  const std::uint64_t oldest = manifest_.state().wal_number;
  std::erase_if(wals_, [&](const WalTail& t) { return t.number < oldest; });  // flushed

  SAND_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_.list_dir(dir_));
  std::vector<std::uint64_t> numbers;
  for (const auto& name : names) {
    const auto parsed = parse_file_name(name);
    if (parsed && parsed->type == FileType::kWal && parsed->number >= oldest) {
      numbers.push_back(parsed->number);
    }
  }
  std::sort(numbers.begin(), numbers.end());
  // A WAL the state needs is gone: it was flushed and deleted since the
  // manifest was read. WALs are deleted oldest first and the WAL `oldest`
  // names exists until an edit moves past it (spec rule W3), so checking it
  // also proves that no WAL this reader has never seen was deleted, which a
  // check of the held WALs alone would miss (their writes would be in a
  // table the state does not have yet).
  const auto listed = [&](std::uint64_t n) {
    return std::binary_search(numbers.begin(), numbers.end(), n);
  };
  const bool gone = (oldest != 0 && !listed(oldest)) ||
                    std::any_of(wals_.begin(), wals_.end(),
                                [&](const WalTail& t) { return !listed(t.number); });
  if (gone) {
    *vanished = true;
    return Status::ok();
  }

  Version previous = 0;
  for (const std::uint64_t number : numbers) {
    auto it = std::lower_bound(wals_.begin(), wals_.end(), number,
                               [](const WalTail& t, std::uint64_t n) { return t.number < n; });
    if (it == wals_.end() || it->number != number) {
      it = wals_.insert(it, WalTail{.number = number});
    }
    bool stop = false;
    SAND_RETURN_IF_ERROR(read_wal(*it, previous, number == numbers.back(), &stop, vanished));
    if (*vanished) return Status::ok();
    previous = std::max(previous, it->last_version);
    if (stop) {
      // Later WALs would put writes after a gap: leave them unread.
      wals_.erase(it + 1, wals_.end());
      break;
    }
  }
  return Status::ok();
}

Status Follower::read_wal(WalTail& tail, Version previous, bool newest, bool* stop,
                          bool* vanished) {
  const std::string name = wal_file_name(tail.number);
  // A copy, not a mapping: a file truncated under a mapping faults it
  // (SIGBUS), and a reader must survive whatever happens to the files.
  auto bytes = fs_.read_file_from(join_path(dir_, name), tail.read_to);
  if (!bytes.is_ok()) {
    if (bytes.status().code() != Code::kNotFound) return bytes.status();
    *vanished = true;
    return Status::ok();
  }
  Version last = tail.last_version;
  auto add = [&](std::string_view rep, std::uint64_t offset) -> Status {
    const Version v = WriteBatchAccess::version(rep);
    // Re-adding an entry a failed earlier refresh added is harmless: the
    // memtable replaces the same (key, version), and readers cannot see
    // versions above the published last version anyway.
    SAND_RETURN_IF_ERROR(WriteBatchAccess::for_each(
        rep, name, offset, [&](EntryKind kind, std::string_view key, std::string_view value) {
          tail.mem->add(v, kind, key, value);
        }));
    last = v;
    return Status::ok();
  };
  const Version after = std::max(previous, tail.last_version);
  Result<wal::ReplayStats> replayed =
      tail.read_to == 0
          ? wal::replay(*bytes, name, tail.number, point_in_time_, add, after)
          : wal::replay_from(*bytes, tail.read_to, name, tail.number, point_in_time_, add, after);
  SAND_RETURN_IF_ERROR(replayed.status());
  tail.read_to = replayed->valid_end;
  tail.last_version = last;
  // The newest WAL ends torn whenever the writer is mid-append; an older one
  // only after a crash, and a corrupt record ends reading in point-in-time
  // mode (spec/wal.md rule P6).
  *stop = !replayed->tail_error.is_ok() || (replayed->torn_tail && !newest);
  return Status::ok();
}

Follower::Picture Follower::picture() const {
  Picture p;
  const manifest::State& state = manifest_.state();
  for (const auto& [number, table] : tables_) p.tables.push_back(table);
  p.mem = wals_.empty() ? empty_ : wals_.back().mem;
  for (auto it = wals_.rbegin(); it != wals_.rend(); ++it) {
    if (it != wals_.rbegin()) p.frozen.push_back(it->mem);
  }
  p.last_version = state.last_version;
  for (const WalTail& t : wals_) p.last_version = std::max(p.last_version, t.last_version);
  p.low_water_mark = state.low_water_mark;
  p.manifest_bytes = manifest_.applied_bytes();
  return p;
}

}  // namespace sand
