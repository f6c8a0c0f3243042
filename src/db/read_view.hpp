// ReadView: an immutable picture of where data lives right now: the active
// memtable, the frozen ones waiting for flush, and the live tables arranged
// by level.
//
// The DB swaps in a new view whenever that set changes (freeze, flush,
// compaction); readers copy the shared_ptr and then read without locks. A view
// keeps its memtables and table files alive, so an iterator built on it stays
// valid whatever the DB does next.
//
// Sorted runs never overlap in versions: every level-0 table is newer than
// every level-1 run, which is newer than level 2 (a compaction always takes
// all of the older level). So for any key, the first run (newest first) that
// holds a version <= the read version holds the answer.
// Thread-safety: immutable, share freely.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "manifest/state.hpp"
#include "memtable/memtable.hpp"
#include "table/table.hpp"
#include "value/value_files.hpp"

namespace sand {

// A table named by the manifest, opened for reading. When a compaction
// retires it, it is marked obsolete, and its file is deleted when the last
// view or iterator holding it lets go (never while a reader can still use it).
struct LiveTable {
  LiveTable(manifest::TableMeta m, std::shared_ptr<table::Table> t,
            std::shared_ptr<FileSystem> file_system, std::string file_path)
      : meta(std::move(m)),
        table(std::move(t)),
        fs(std::move(file_system)),
        path(std::move(file_path)) {}
  ~LiveTable();
  LiveTable(const LiveTable&) = delete;
  LiveTable& operator=(const LiveTable&) = delete;

  const manifest::TableMeta meta;
  std::shared_ptr<table::Table> table;
  const std::shared_ptr<FileSystem> fs;
  const std::string path;
  // Set once the manifest edit that removes the table is durable.
  mutable std::atomic<bool> obsolete{false};
};

using TableRef = std::shared_ptr<const LiveTable>;

// Tables of one sorted run, by key range (non-overlapping).
struct SortedRun {
  std::vector<TableRef> files;
  Version max_version = 0;
  Version min_version = 0;

  // The one file whose key range may hold `user_key`, or nullptr.
  const LiveTable* file_for(std::string_view user_key) const;
};

struct ReadView {
  std::shared_ptr<MemTable> mem;                  // takes writes
  std::vector<std::shared_ptr<MemTable>> frozen;  // newest first
  std::vector<TableRef> l0;                       // newest first
  std::vector<SortedRun> l1;                      // newest first
  SortedRun l2;
  // The files the value references of these memtables and tables point
  // into: the live value files of the manifest and the memtables' WALs.
  std::shared_ptr<const value::ValueFiles> values = std::make_shared<value::ValueFiles>();
  // Read-only handles: the last version this view holds, which their reads
  // use as "latest" and as the newest readable version, so a view and its
  // version always belong together (db_impl_read_only.cpp). 0 in a writer's
  // views, whose reads use the writer's last version.
  Version last_version = 0;

  // Every live table, in no particular order.
  std::vector<TableRef> all_tables() const;
  // The same memtables and value files with `tables` arranged into levels
  // and runs.
  std::shared_ptr<ReadView> with_tables(std::vector<TableRef> tables) const;
  // The same tables and value files without the memtables (mem is null,
  // frozen empty), for background jobs that read only tables: a job holds its
  // view for seconds, and a view holding the memtables kept a flushed 64 MiB
  // memtable alive that long (peak anonymous memory in the bench's fills).
  std::shared_ptr<const ReadView> tables_only() const;
};

}  // namespace sand
