// Opening, recovering and closing a database (spec/README.md "Recovery").
//
// open():
//  1. create the directory (create_if_missing) and take LOCK;
//  2. replay MANIFEST (torn tail ignored) or, for a new database, write one;
//     every table it names and the WAL its wal_number names must exist;
//  3. replay the WALs numbered >= the manifest's wal_number, in order, into a
//     memtable, ignoring a torn tail;
//  4. flush what was replayed to a level-0 table and start a new WAL: a
//     replayed WAL is never appended to (see below);
//  5. rewrite the manifest as one snapshot record (the VersionSet's first
//     log_and_apply after recover());
//  6. remove files the new manifest does not reference (left by a crash)
//     and start the background threads.
// The steps shared with a read-only handle are in recovery.hpp.
#include <algorithm>
#include <set>

#include "db/db_impl.hpp"
#include "db/filenames.hpp"
#include "db/flush_job.hpp"
#include "db/memtable_override.hpp"
#include "db/recovery.hpp"
#include "wal/wal_file.hpp"

namespace sand {

Status DB::Impl::validate_options(const Options& o) {
  if (o.memtable_size < 4096) {
    return Status::invalid_argument("memtable_size must be at least 4096 bytes");
  }
  // A reference takes up to 38 bytes: separating smaller values saves nothing.
  if (o.value_separation_threshold != 0 &&
      (o.value_separation_threshold < kMinValueSeparationThreshold ||
       o.value_separation_threshold > kMaxValueSize)) {
    return Status::invalid_argument("value_separation_threshold must be 0 or 64 bytes to " +
                                    std::to_string(kMaxValueSize));
  }
  if (o.block_size < 256 || o.block_size > (64u << 20)) {
    return Status::invalid_argument("block_size must be in [256, 64 MiB]");
  }
  if (o.block_restart_interval < 1 || o.block_restart_interval > 1024) {
    return Status::invalid_argument("block_restart_interval must be in [1, 1024]");
  }
  if (o.bloom_bits_per_key < 0 || o.bloom_bits_per_key > 64) {
    return Status::invalid_argument("bloom_bits_per_key must be in [0, 64]");
  }
  if (o.l0_trigger < 1 || o.l1_trigger < 1 || o.max_frozen_memtables < 1) {
    return Status::invalid_argument(
        "l0_trigger, l1_trigger and max_frozen_memtables must be at least 1");
  }
  if (o.memtable_budget != 0 && o.memtable_budget < o.memtable_size) {
    return Status::invalid_argument("memtable_budget must be 0 or at least memtable_size");
  }
  if (o.l0_stop <= o.l0_trigger) {
    return Status::invalid_argument("l0_stop must be above l0_trigger");
  }
  if (o.target_file_size < 4096) {
    return Status::invalid_argument("target_file_size must be at least 4096 bytes");
  }
  if (o.compression != Compression::kNone && o.compression != Compression::kLz4) {
    return Status::invalid_argument("unknown compression");
  }
  if (o.memtable != MemTableIndex::kBTree && o.memtable != MemTableIndex::kSkipList) {
    return Status::invalid_argument("unknown memtable index " +
                                    std::to_string(static_cast<int>(o.memtable)));
  }
  return Status::ok();
}

DB::Impl::Impl(std::string path, Options options)
    : path_(std::move(path)),
      options_(std::move(options)),
      fs_(options_.file_system ? options_.file_system : posix_file_system()),
      block_cache_(std::make_shared<table::BlockCache>(options_.block_cache_size)),
      versions_(fs_, path_, options_.manifest_rollover_size, memtable_index_for(options_)) {}

DB::Impl::~Impl() { close().ignore(); }

Status DB::Impl::open() {
  SAND_RETURN_IF_ERROR(validate_options(options_));
  if (path_.empty()) return Status::invalid_argument("database path is empty");

  const bool dir_exists = fs_->exists(path_);
  if (!dir_exists && !options_.create_if_missing) {
    return Status::not_found(path_ + ": no database (create_if_missing is false)");
  }
  SAND_RETURN_IF_ERROR(fs_->create_dir(path_));
  SAND_ASSIGN_OR_RETURN(lock_, fs_->lock_file(join_path(path_, kLockFileName)));

  SAND_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->list_dir(path_));
  const DirListing listing = list_database_files(names);
  SAND_ASSIGN_OR_RETURN(manifest::State state, load_manifest(listing));
  SAND_RETURN_IF_ERROR(recover(std::move(state), listing));
  remove_obsolete_files(names);
  low_water_mark_.store(versions_.low_water_mark());
  flusher_ = std::thread([this] { flush_loop(); });
  for (auto& t : compactors_) t = std::thread([this] { compaction_loop(); });
  return Status::ok();
}

Result<manifest::State> DB::Impl::load_manifest(const DirListing& listing) {
  manifest::State state;
  if (fs_->exists(join_path(path_, kManifestName))) {
    if (options_.error_if_exists) {
      return Status::invalid_argument(path_ + ": database exists (error_if_exists)");
    }
    SAND_ASSIGN_OR_RETURN(state, manifest::replay(*fs_, path_));
  } else if (listing.has_tables_or_wals) {
    return Status::corruption(path_ + ": table or WAL files but no MANIFEST");
  } else if (!options_.create_if_missing) {
    return Status::not_found(path_ + ": no database (create_if_missing is false)");
  } else {
    // A new database: its MANIFEST comes first, so a crash at any later step
    // leaves a directory that opens (never WAL files without a MANIFEST).
    SAND_ASSIGN_OR_RETURN(auto initial, manifest::ManifestLog::create(*fs_, path_, state));
    SAND_RETURN_IF_ERROR(initial->close());
  }
  // A crash may leave files numbered past what the manifest recorded; never
  // reuse their numbers.
  state.next_file_number = std::max(state.next_file_number, listing.max_number + 1);

  // Every file the manifest needs must be there. A missing one means lost
  // data or a MANIFEST that lost its newest edits (a damaged last record
  // reads as a torn tail): the files those edits retired are gone, so
  // opening the older state would silently drop acknowledged writes.
  SAND_RETURN_IF_ERROR(check_files_present(path_, state, listing));
  return state;
}

Status DB::Impl::recover(manifest::State state, const DirListing& listing) {
  // Open every live table before touching anything, so a bad table fails the
  // open without side effects.
  ViewChange change;
  for (const auto& [number, meta] : state.tables) {
    SAND_ASSIGN_OR_RETURN(auto live, open_table(meta));
    change.added.push_back(std::move(live));
  }

  // Replay the WALs not yet flushed.
  auto mem = std::make_shared<MemTable>(memtable_index_for(options_));
  SAND_ASSIGN_OR_RETURN(const Version replayed,
                        replay_wals_for_open(*fs_, path_, listing.wals_from(state.wal_number),
                                             options_.point_in_time_recovery, *mem));
  const Version last = std::max(state.last_version, replayed);
  last_version_.store(last);
  durable_version_.store(last);  // replayed writes go to a synced table below
  versions_.recover(std::move(state));

  manifest::Edit edit;
  edit.last_version = last;
  // What was replayed goes to a new table, synced, and never gets appended
  // to: the WAL bytes replay read came from the page cache, which may not be
  // what is on disk. After a failed fsync Linux marks the pages clean without
  // writing them and keeps serving them to reads, so a WAL the last process
  // failed to sync reads back whole here while its disk copy has a hole;
  // appending to it and syncing again would put acknowledged writes behind
  // that hole. Writing the replayed data afresh makes it durable for
  // certain. It also keeps one WAL per memtable when several were pending or
  // recovery stopped early, and the new manifest's wal_number retires every
  // replayed WAL.
  if (!mem->empty()) {
    SAND_ASSIGN_OR_RETURN(
        manifest::TableMeta meta,
        write_level0_table(*fs_, path_, versions_.new_file_number(), *mem, options_));
    counters_.flush_bytes_written += meta.file_size;
    ++counters_.flushes;
    SAND_ASSIGN_OR_RETURN(auto live, open_table(meta));
    change.added.push_back(std::move(live));
    edit.added.push_back(std::move(meta));
  }
  {
    MutexLock wlock(write_mu_);
    wal_number_ = versions_.new_file_number();
    wal_name_ = wal_file_name(wal_number_);
    SAND_ASSIGN_OR_RETURN(wal_, wal::create_wal(*fs_, join_path(path_, wal_file_name(wal_number_)),
                                                wal_number_, compresses_values()));
    SAND_RETURN_IF_ERROR(wal_->sync());
    wal_bytes_.store(wal_->size());
    edit.wal_number = wal_number_;
  }

  // The new manifest (one snapshot record) makes the replayed state and the
  // new WAL number official; then the directory entries are made durable.
  {
    MutexLock lock(state_mu_);
    return log_and_apply(std::move(edit), std::move(change));
  }
}

void DB::Impl::remove_obsolete_files(std::vector<std::string> names) {
  // What the manifest does not reference: WALs already flushed (and no
  // longer value files), tables a crash left behind mid-flush, a
  // half-written MANIFEST.tmp. Oldest WAL
  // first, as flushes do: a read-only process that still finds the oldest
  // WAL its state needs may then trust that no newer one is gone (spec rule
  // W3).
  auto number_of = [](const std::string& name) {
    const auto parsed = parse_file_name(name);
    return parsed ? parsed->number : 0;
  };
  std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return number_of(a) < number_of(b);
  });
  const std::uint64_t oldest_wal = versions_.oldest_needed_wal();
  const auto view = versions_.current();
  std::set<std::uint64_t> live_tables;
  for (const auto& t : view->all_tables()) live_tables.insert(t->meta.number);
  // A WAL below the oldest needed one is kept while it is a live value file.
  const value::ValueFiles::Map& value_files = view->values->files();
  for (const auto& name : names) {
    const auto parsed = parse_file_name(name);
    if (!parsed) continue;
    const bool orphan =
        (parsed->type == FileType::kWal && parsed->number < oldest_wal &&
         !value_files.contains(parsed->number)) ||
        (parsed->type == FileType::kValueLog && !value_files.contains(parsed->number)) ||
        (parsed->type == FileType::kTable && !live_tables.contains(parsed->number)) ||
        parsed->type == FileType::kManifestTemp;
    if (orphan) fs_->remove_file(join_path(path_, name)).ignore();  // best effort
  }
}

Status DB::Impl::close() {
  {
    MutexLock lock(state_mu_);
    if (closed_) return Status::ok();
    closing_ = true;
  }
  state_cv_.notify_all();
  version_waiters_.close();
  if (flusher_.joinable()) flusher_.join();
  for (auto& t : compactors_) {
    if (t.joinable()) t.join();
  }

  Status result;
  {
    MutexLock wlock(write_mu_);
    if (wal_) {
      // Make non-synced writes durable too: close is an orderly shutdown.
      Status s = wal_->sync();
      if (s.is_ok()) s = wal_->close();
      if (!s.is_ok()) result = s;
      wal_.reset();
    }
  }
  MutexLock lock(state_mu_);
  if (Status s = versions_.close(); !s.is_ok() && result.is_ok()) result = s;
  if (result.is_ok() && !background_error_.is_ok()) result = background_error_;
  closed_ = true;
  lock_.reset();
  return result;
}

Result<TableRef> DB::Impl::open_table(const manifest::TableMeta& meta) const {
  const std::string name = table_file_name(meta.number);
  const std::string path = join_path(path_, name);
  SAND_ASSIGN_OR_RETURN(auto file, fs_->open_readable_file(path));
  SAND_ASSIGN_OR_RETURN(auto table,
                        table::Table::open(std::move(file), name, meta.number, block_cache_));
  return TableRef(std::make_shared<const LiveTable>(meta, std::move(table), fs_, path));
}

}  // namespace sand
