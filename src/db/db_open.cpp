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
//  5. remove files the manifest does not reference (left by a crash);
//  6. rewrite the manifest as one snapshot record and start the background
//     thread.
#include <algorithm>
#include <set>

#include "db/db_impl.hpp"
#include "db/filenames.hpp"
#include "db/flush_job.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

namespace sand {
namespace {

// Fails with Corruption when a file the manifest `state` needs is not among
// the directory's `names`: a live table, or the WAL wal_number names (which
// the writer creates and makes durable before any edit names it, and
// deletes only after a later edit retires it; spec/README.md rules W2-W3).
Status check_files_present(const std::string& dir, const manifest::State& state,
                           const std::vector<std::string>& names) {
  std::set<std::uint64_t> tables, wals;
  for (const auto& name : names) {
    const auto parsed = parse_file_name(name);
    if (parsed && parsed->type == FileType::kTable) tables.insert(parsed->number);
    if (parsed && parsed->type == FileType::kWal) wals.insert(parsed->number);
  }
  const std::string why = " is missing (deleted, or MANIFEST lost the edits that retired it)";
  for (const auto& [number, meta] : state.tables) {
    if (!tables.contains(number)) {
      return Status::corruption(dir + "/MANIFEST: live table " + table_file_name(number) + why);
    }
  }
  // 0: a new database's first manifest, written before its first WAL.
  if (state.wal_number != 0 && !wals.contains(state.wal_number)) {
    return Status::corruption(dir + "/MANIFEST: " + wal_file_name(state.wal_number) +
                              ", the oldest WAL it needs," + why);
  }
  return Status::ok();
}

}  // namespace

Status DB::Impl::validate_options(const Options& o) {
  if (o.memtable_size < 4096) {
    return Status::invalid_argument("memtable_size must be at least 4096 bytes");
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
  if (o.l0_stop <= o.l0_trigger) {
    return Status::invalid_argument("l0_stop must be above l0_trigger");
  }
  if (o.target_file_size < 4096) {
    return Status::invalid_argument("target_file_size must be at least 4096 bytes");
  }
  if (o.compression != Compression::kNone && o.compression != Compression::kLz4) {
    return Status::invalid_argument("unknown compression");
  }
  return Status::ok();
}

DB::Impl::Impl(std::string path, Options options)
    : path_(std::move(path)),
      options_(std::move(options)),
      fs_(options_.file_system ? options_.file_system : posix_file_system()),
      block_cache_(std::make_shared<table::BlockCache>(options_.block_cache_size)) {}

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
  std::vector<std::uint64_t> wal_numbers;
  std::uint64_t max_number = 0;
  bool has_data_files = false;
  for (const auto& name : names) {
    const auto parsed = parse_file_name(name);
    if (!parsed) continue;
    if (parsed->type == FileType::kTable || parsed->type == FileType::kWal) {
      has_data_files = true;
      max_number = std::max(max_number, parsed->number);
      if (parsed->type == FileType::kWal) wal_numbers.push_back(parsed->number);
    }
  }
  std::sort(wal_numbers.begin(), wal_numbers.end());

  manifest::State state;
  if (fs_->exists(join_path(path_, kManifestName))) {
    if (options_.error_if_exists) {
      return Status::invalid_argument(path_ + ": database exists (error_if_exists)");
    }
    SAND_ASSIGN_OR_RETURN(state, manifest::replay(*fs_, path_));
  } else if (has_data_files) {
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
  state.next_file_number = std::max(state.next_file_number, max_number + 1);

  // Every file the manifest needs must be there. A missing one means lost
  // data or a MANIFEST that lost its newest edits (a damaged last record
  // reads as a torn tail): the files those edits retired are gone, so
  // opening the older state would silently drop acknowledged writes.
  SAND_RETURN_IF_ERROR(check_files_present(path_, state, names));

  // Open every live table before touching anything, so a bad table fails the
  // open without side effects.
  std::vector<TableRef> tables;
  for (const auto& [number, meta] : state.tables) {
    SAND_ASSIGN_OR_RETURN(auto live, open_table(meta));
    tables.push_back(std::move(live));
  }

  // Replay the WALs not yet flushed.
  std::vector<std::pair<std::uint64_t, std::unique_ptr<ReadableFile>>> wals;
  for (const std::uint64_t number : wal_numbers) {
    if (number < state.wal_number) continue;
    SAND_ASSIGN_OR_RETURN(auto file, fs_->open_readable_file(join_path(path_, wal_file_name(number))));
    wals.emplace_back(number, std::move(file));
  }
  // The newest WAL is the last one that can hold a record: an open that
  // crashed after creating its new WAL, before its manifest retired the
  // replayed ones, leaves an empty WAL after an unsealed one.
  std::size_t newest = wals.empty() ? 0 : wals.size() - 1;
  while (newest > 0 && !wal::may_hold_records(wals[newest].second->contents())) --newest;

  auto mem = std::make_shared<MemTable>();
  Version last = state.last_version;
  Version last_replayed = 0;
  for (std::size_t i = 0; i < wals.size(); ++i) {
    const std::uint64_t number = wals[i].first;
    const std::string name = wal_file_name(number);
    // Versions must keep increasing across WALs too, hence last_replayed.
    SAND_ASSIGN_OR_RETURN(
        wal::ReplayStats replay_stats,
        wal::replay(
            wals[i].second->contents(), name, number, options_.point_in_time_recovery,
            [&](std::string_view rep, std::uint64_t offset) -> Status {
              const Version v = WriteBatchAccess::version(rep);
              SAND_RETURN_IF_ERROR(WriteBatchAccess::for_each(
                  rep, name, offset,
                  [&](EntryKind kind, std::string_view key, std::string_view value) {
                    mem->add(v, kind, key, value);
                  }));
              last_replayed = v;
              last = std::max(last, v);
              return Status::ok();
            },
            last_replayed));
    // Point-in-time recovery keeps what precedes the damage and drops the
    // rest, including every later WAL (spec/wal.md rule P6).
    if (!replay_stats.tail_error.is_ok()) break;
    // Every WAL but the newest was sealed and synced before the next was
    // created (rule P7), so one that ends torn or unsealed lost acknowledged
    // writes: its tail, even if the cut fell on a record boundary.
    if (i < newest && (replay_stats.torn_tail || !replay_stats.sealed)) {
      if (options_.point_in_time_recovery) break;
      return Status::corruption(
          name, replay_stats.valid_end,
          replay_stats.torn_tail ? "torn record in a WAL that is not the newest"
                                 : "a WAL that is not the newest ends without its seal "
                                   "(its tail was lost)");
    }
  }
  last_version_.store(last);
  durable_version_.store(last);  // replayed writes go to a synced table below
  state.last_version = last;

  {
    // What was replayed goes to a new table, synced, and never gets appended
    // to: the WAL bytes replay read came from the page cache, which may not
    // be what is on disk. After a failed fsync Linux marks the pages clean
    // without writing them and keeps serving them to reads, so a WAL the last
    // process failed to sync reads back whole here while its disk copy has a
    // hole; appending to it and syncing again would put acknowledged writes
    // behind that hole. Writing the replayed data afresh makes it durable for
    // certain. It also keeps one WAL per memtable when several were pending
    // or recovery stopped early, and the new manifest's wal_number retires
    // every replayed WAL.
    if (!mem->empty()) {
      const std::uint64_t number = state.next_file_number++;
      SAND_ASSIGN_OR_RETURN(manifest::TableMeta meta,
                            write_level0_table(*fs_, path_, number, *mem, options_));
      flush_bytes_written_ += meta.file_size;
      ++flushes_;
      SAND_ASSIGN_OR_RETURN(auto live, open_table(meta));
      tables.push_back(std::move(live));
      state.tables.emplace(number, meta);
      mem = std::make_shared<MemTable>();
    }
    wal_number_ = state.next_file_number++;
    SAND_ASSIGN_OR_RETURN(wal_, wal::create_wal(*fs_, join_path(path_, wal_file_name(wal_number_)), wal_number_));
    SAND_RETURN_IF_ERROR(wal_->sync());
  }
  state.wal_number = wal_number_;
  wal_bytes_.store(wal_->size());

  // The new manifest (one snapshot record) makes the replayed state and the
  // new WAL number official; then the directory entries are made durable.
  SAND_ASSIGN_OR_RETURN(manifest_, manifest::ManifestLog::create(*fs_, path_, state));
  manifest_state_ = std::move(state);

  // Remove what the manifest does not reference: WALs already flushed, tables
  // a crash left behind mid-flush, a half-written MANIFEST.tmp. Oldest WAL
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
  for (const auto& name : names) {
    const auto parsed = parse_file_name(name);
    if (!parsed) continue;
    const bool orphan =
        (parsed->type == FileType::kWal && parsed->number < wal_number_) ||
        (parsed->type == FileType::kTable && !manifest_state_.tables.contains(parsed->number)) ||
        parsed->type == FileType::kManifestTemp;
    if (orphan) fs_->remove_file(join_path(path_, name)).ignore();  // best effort
  }

  ReadView base;
  base.mem = std::move(mem);
  low_water_mark_.store(manifest_state_.low_water_mark);
  {
    std::lock_guard lock(state_mu_);
    publish_view(base.with_tables(std::move(tables)));
    active_wal_number_ = wal_number_;
  }
  background_ = std::thread([this] { background_loop(); });
  for (auto& t : compactors_) t = std::thread([this] { compaction_loop(); });
  return Status::ok();
}

Status DB::Impl::close() {
  {
    std::unique_lock lock(state_mu_);
    if (closed_) return Status::ok();
    closing_ = true;
  }
  state_cv_.notify_all();
  if (background_.joinable()) background_.join();
  for (auto& t : compactors_) {
    if (t.joinable()) t.join();
  }

  Status result;
  {
    std::lock_guard wlock(write_mu_);
    if (wal_) {
      // Make non-synced writes durable too: close is an orderly shutdown.
      Status s = wal_->sync();
      if (s.is_ok()) s = wal_->close();
      if (!s.is_ok()) result = s;
      wal_.reset();
    }
  }
  std::lock_guard lock(state_mu_);
  if (manifest_) {
    Status s = manifest_->close();
    if (!s.is_ok() && result.is_ok()) result = s;
    manifest_.reset();
  }
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
