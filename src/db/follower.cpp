// Follower: catching up with a database another process writes.
#include "db/follower.hpp"

#include <algorithm>
#include <optional>

#include "db/filenames.hpp"
#include "db/recovery.hpp"
#include "db/wal_replay.hpp"
#include "wal/wal_file.hpp"

namespace sand {

Follower::Follower(std::shared_ptr<FileSystem> fs, std::string dir, bool point_in_time,
                   MemTableIndex memtable_index, OpenTable open_table)
    : fs_(std::move(fs)),
      dir_(std::move(dir)),
      point_in_time_(point_in_time),
      open_table_(std::move(open_table)),
      memtable_index_(memtable_index),
      manifest_(dir_) {}

Result<Follower::Picture> Follower::refresh() {
  std::string missing_before;  // the file the previous round found missing
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    std::string missing;
    SAND_ASSIGN_OR_RETURN(const bool manifest_moved, catch_up(&missing));
    if (missing.empty()) return picture();
    // The writer deletes a file only after the manifest edit that retires it
    // is durable, and this round read MANIFEST after the last one saw the
    // file missing: if MANIFEST did not move and the file is still missing,
    // no writer retired it (spec/README.md "Read-only opens").
    if (attempt > 0 && !manifest_moved && missing == missing_before) {
      return Status::corruption(dir_ + "/MANIFEST: offset " +
                                std::to_string(manifest_.applied_bytes()) + ": " + missing +
                                ", which its state needs, is missing and no later edit "
                                "retires it");
    }
    missing_before = std::move(missing);
  }
  return Status::busy(dir_ + ": files kept vanishing while catching up (" +
                      std::to_string(kMaxAttempts) +
                      " rounds); the writer retires tables faster than this reader opens them");
}

Result<bool> Follower::catch_up(std::string* missing) {
  SAND_ASSIGN_OR_RETURN(const bool moved, manifest_.update(*fs_));
  SAND_RETURN_IF_ERROR(sync_tables(missing));
  if (missing->empty()) SAND_RETURN_IF_ERROR(sync_value_files(missing));
  if (missing->empty()) SAND_RETURN_IF_ERROR(read_wals(missing));
  return moved;
}

Status Follower::sync_tables(std::string* missing) {
  const auto& live = manifest_.state().tables;
  std::erase_if(tables_, [&](const auto& entry) { return !live.contains(entry.first); });
  for (const auto& [number, meta] : live) {
    if (tables_.contains(number)) continue;
    auto opened = open_table_(meta);
    if (!opened.is_ok()) {
      if (opened.status().code() != Code::kNotFound) return opened.status();
      *missing = table_file_name(number);  // retired by an edit not read yet?
      return Status::ok();
    }
    tables_.emplace(number, std::move(opened).value());
  }
  return Status::ok();
}

Status Follower::sync_value_files(std::string* missing) {
  const auto& live = manifest_.state().value_files;
  std::erase_if(value_files_, [&](const auto& entry) { return !live.contains(entry.first); });
  for (const auto& [number, meta] : live) {
    if (value_files_.contains(number)) continue;
    auto file =
        std::make_shared<value::ValueFile>(fs_, join_path(dir_, value_file_name(meta)), number);
    file->set_size(meta.size);
    if (Status s = file->map_now(); !s.is_ok()) {
      if (s.code() != Code::kNotFound) return s;
      *missing = value_file_name(meta);  // retired by an edit not read yet?
      return Status::ok();
    }
    value_files_.emplace(number, std::move(file));
  }
  return Status::ok();
}

Status Follower::read_wals(std::string* missing) {
  const std::uint64_t oldest = manifest_.state().wal_number;
  std::erase_if(wals_, [&](const WalTail& t) { return t.number < oldest; });  // flushed

  SAND_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->list_dir(dir_));
  const std::vector<std::uint64_t> numbers = list_database_files(names).wals_from(oldest);
  // A WAL the state needs is gone: it was flushed and deleted since the
  // manifest was read. WALs that are not value files are deleted oldest
  // first and the WAL `oldest` names exists until an edit moves past it
  // (spec rule W3), so checking it also catches most WALs this reader never
  // saw being deleted, which a check of the held WALs alone would miss
  // (their writes would be in a table the state does not have yet). A WAL
  // kept as a value file can outlive newer ones: the version check below
  // catches what this one cannot.
  const auto listed = [&](std::uint64_t n) {
    return std::binary_search(numbers.begin(), numbers.end(), n);
  };
  if (oldest != 0 && !listed(oldest)) {
    *missing = wal_file_name(oldest);
    return Status::ok();
  }
  for (const WalTail& t : wals_) {
    if (!listed(t.number)) {
      *missing = wal_file_name(t.number);
      return Status::ok();
    }
  }

  Version previous = 0;
  // The WAL read just before this one, by index (inserts come after it).
  std::optional<std::size_t> before;
  for (const std::uint64_t number : numbers) {
    auto it = std::lower_bound(wals_.begin(), wals_.end(), number,
                               [](const WalTail& t, std::uint64_t n) { return t.number < n; });
    if (it == wals_.end() || it->number != number) {
      it = wals_.insert(
          it, WalTail{.number = number, .mem = std::make_shared<MemTable>(memtable_index_)});
    }
    const std::size_t at = static_cast<std::size_t>(it - wals_.begin());
    bool corrupt_tail = false;
    SAND_RETURN_IF_ERROR(read_wal(wals_[at], previous, &corrupt_tail, missing));
    if (!missing->empty()) return Status::ok();
    // A WAL holding writes after an older one that lost its tail would put
    // writes after a gap (spec/wal.md rule P7): stop at the older one. An
    // empty newer WAL (a writer's open that crashed before its manifest)
    // leaves the older one the newest.
    if (before && !wals_[*before].sealed && wals_[at].last_version != 0) {
      wals_.erase(wals_.begin() + static_cast<std::ptrdiff_t>(at), wals_.end());
      break;
    }
    // Versions have no gaps (spec rule W6): a WAL that starts above the one
    // after the last version read follows a WAL missing from the listing.
    // The WAL `oldest` names being there does not rule that out: a WAL kept
    // as a value file may outlive newer WALs (rule W3), and a kept one that
    // was flushed and retired after this round read MANIFEST is gone.
    const Version first = wals_[at].first_version;
    if (!wal::follows_without_gap(previous, first)) {
      *missing = wal::missing_wal(previous, first) + " (before " + wal_file_name(number) + ")";
      return Status::ok();
    }
    previous = std::max(previous, wals_[at].last_version);
    if (corrupt_tail) {
      // Point-in-time: what follows the damage is not read (rule P6).
      wals_.erase(wals_.begin() + static_cast<std::ptrdiff_t>(at) + 1, wals_.end());
      break;
    }
    before = at;
  }
  return Status::ok();
}

Status Follower::read_wal(WalTail& tail, Version previous, bool* corrupt_tail,
                          std::string* missing) {
  const std::string name = wal_file_name(tail.number);
  std::string damage_before;  // what the previous read of this call found
  for (int read = 1;; ++read) {
    // A copy, not a mapping: a file truncated under a mapping faults it
    // (SIGBUS), and a reader must survive whatever happens to the files.
    auto bytes = fs_->read_file_from(join_path(dir_, name), tail.read_to);
    if (!bytes.is_ok()) {
      if (bytes.status().code() != Code::kNotFound) return bytes.status();
      *missing = name;
      return Status::ok();
    }
    // Re-adding an entry a failed earlier read added is harmless: the
    // memtable replaces the same (key, version), and readers cannot see
    // versions above the published last version anyway.
    // Values stay whole in a follower's memtable: it holds a copy of these
    // bytes already, and a reference would tie its reads to a WAL the
    // writer may delete once it is flushed.
    Result<WalReplay> replayed =
        replay_wal_into(*tail.mem, *bytes, tail.read_to, tail.number, point_in_time_,
                        std::max(previous, tail.last_version), /*separation_threshold=*/0);
    // The copy is not atomic with the writer's appends: it can take a
    // record's first bytes before they land and a complete record after
    // them, which reads as damage followed by a good record (Corruption;
    // in point-in-time mode, a cut). Real damage stays where it is, so it
    // is believed once two reads in a row find it in the same place.
    const Status damage = replayed.is_ok() ? replayed->stats.tail_error : replayed.status();
    if (damage.code() == Code::kCorruption && read < kMaxWalReads &&
        damage.to_string() != damage_before) {
      damage_before = damage.to_string();
      continue;
    }
    SAND_RETURN_IF_ERROR(replayed.status());
    tail.read_to = replayed->stats.valid_end;
    if (tail.first_version == 0) tail.first_version = replayed->first_version;
    if (replayed->last_version != 0) tail.last_version = replayed->last_version;
    // The seal is the last record; a later read from past it finds nothing.
    tail.sealed = tail.sealed || !lost_its_tail(replayed->stats);
    // A corrupt record ends reading in point-in-time mode (spec/wal.md rule
    // P6); the newest WAL ends torn whenever the writer is mid-append.
    *corrupt_tail = !damage.is_ok();
    return Status::ok();
  }
}

Follower::Picture Follower::picture() const {
  Picture p;
  const manifest::State& state = manifest_.state();
  for (const auto& [number, table] : tables_) p.tables.push_back(table);
  p.values = value_files_;
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
