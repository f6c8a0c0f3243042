// Follower: what a read-only handle knows of a database that another process
// may be writing, and how it catches up (spec/README.md "Read-only opens").
//
// It holds the manifest state (manifest/manifest_tail.hpp), the live tables
// opened, and one memtable per live WAL filled from that WAL's complete
// records. refresh() brings all three up to date without writing or deleting
// anything:
//  1. apply the new manifest records (or re-read a replaced MANIFEST);
//  2. open the tables and map the value files it names that are not open
//     yet, drop the others;
//  3. drop the WALs below its wal_number (flushed), then read every WAL at or
//     above it from where the last refresh stopped, up to the last complete
//     record. An older WAL that ends torn or without its seal, followed by a
//     WAL that holds writes, stops the reading there (a crash cut its tail;
//     what follows is not part of a state the writer produced).
// The writer deletes a table or WAL only after the manifest edit that retires
// it is durable, and WALs oldest first, so a file that vanishes between steps
// 1 and 3 (a table, a WAL read before, or the WAL the state's wal_number
// names) means the manifest has moved on: refresh() starts over from step 1
// (bounded). If MANIFEST has not moved when the round after finds the same
// file still missing, no writer retired it: Corruption. A file already open
// or mapped stays readable after it is deleted.
//
// Every picture refresh() returns is a state the writer produced: the tables
// of one manifest state plus a prefix of the writes after it.
//
// Thread-safety: one thread at a time (DB::Impl serialises refresh()). The
// memtables it returns are read by other threads while the next refresh()
// adds to them, which MemTable allows (one inserter, lock-free readers).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "db/read_view.hpp"
#include "manifest/manifest_tail.hpp"
#include "memtable/memtable.hpp"
#include "sand/file_system.hpp"
#include "sand/status.hpp"

namespace sand {

class Follower {
 public:
  using OpenTable = std::function<Result<TableRef>(const manifest::TableMeta&)>;

  // The memtables it fills from WALs use `memtable_index`.
  Follower(std::shared_ptr<FileSystem> fs, std::string dir, bool point_in_time,
           MemTableIndex memtable_index, OpenTable open_table);

  struct Picture {
    std::vector<TableRef> tables;
    std::shared_ptr<MemTable> mem;                  // the newest WAL's writes
    std::vector<std::shared_ptr<MemTable>> frozen;  // older WALs', newest first
    value::ValueFiles::Map values;                  // the state's value files, mapped
    Version last_version = 0;
    Version low_water_mark = 0;
    std::uint64_t manifest_bytes = 0;
  };

  // Catches up with the files and returns the new picture. Errors: NotFound
  // (no MANIFEST), Corruption (file, offset; also a file the state needs
  // missing while MANIFEST stands still), IOError, Busy if files kept
  // vanishing for kMaxAttempts rounds (a writer compacting faster than this
  // reader can open tables).
  Result<Picture> refresh();

  static constexpr int kMaxAttempts = 100;
  // Reads of one WAL per round before damage found in a different place
  // each time is believed (read_wal).
  static constexpr int kMaxWalReads = 3;

 private:
  struct WalTail {
    std::uint64_t number = 0;
    std::shared_ptr<MemTable> mem = std::make_shared<MemTable>();
    std::uint64_t read_to = 0;  // file offset after the last record read
    Version first_version = 0;  // of the first record read; 0 before any
    Version last_version = 0;   // of the last record read; 0 before any
    bool sealed = false;        // its seal record was read
  };

  // One round of steps 1-3; returns whether MANIFEST moved. Sets *missing
  // (and returns OK) to the name of a file the manifest state needs that is
  // gone, so the round must be redone.
  Result<bool> catch_up(std::string* missing);
  Status sync_tables(std::string* missing);
  // Step 2 for value files: maps those the state names, drops the others.
  Status sync_value_files(std::string* missing);
  Status read_wals(std::string* missing);
  // Reads `tail`'s new complete records into its memtable. Sets
  // *corrupt_tail when point-in-time replay stopped at a corrupt record.
  Status read_wal(WalTail& tail, Version previous, bool* corrupt_tail, std::string* missing);
  Picture picture() const;

  const std::shared_ptr<FileSystem> fs_;
  const std::string dir_;
  const bool point_in_time_;
  const OpenTable open_table_;
  const MemTableIndex memtable_index_;
  manifest::ManifestTail manifest_;
  std::map<std::uint64_t, TableRef> tables_;  // by number: the manifest's live set
  value::ValueFiles::Map value_files_;        // by number: the manifest's live set
  std::vector<WalTail> wals_;                 // ascending numbers
  const std::shared_ptr<MemTable> empty_ = std::make_shared<MemTable>(memtable_index_);
};

}  // namespace sand
