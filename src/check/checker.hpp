// Checker: the state and steps of check_database (sand/check.hpp), split by
// file type: check_manifest.cpp, check_table.cpp, check_wal.cpp, and
// check_database.cpp for the directory walk and the report. Internal to
// src/check, which sits beside src/db: it uses nothing of DB::Impl, only
// manifest/, table/, wal/, util/ and the file naming of db/filenames.hpp.
//
// The checker only composes the engine's own decoders (RecordReader,
// Edit::decode, State::apply, Table::open, read_block, Block::parse,
// BlockIterator, WriteBatchAccess), so it accepts and rejects exactly what a
// normal open or read does; it differs only in going on after a failure.
// Findings come back as text in Statuses; since every Corruption is
// "<file>: offset <N>: <what>", the checker splits them back into a file,
// an offset and a description.
//
// Thread-safety: a Checker is used by one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/filenames.hpp"
#include "manifest/state.hpp"
#include "sand/check.hpp"
#include "sand/file_system.hpp"
#include "table/format.hpp"
#include "table/table.hpp"
#include "util/internal_key.hpp"

namespace sand::checker {

using Outcome = CheckedFile::Outcome;

// Bytes for messages: printable ASCII kept, others \xNN, long keys cut.
std::string printable(std::string_view bytes);
// printable(bytes) in single quotes.
std::string quoted(std::string_view bytes);
// "'key'@version" for an internal key.
std::string describe_key(std::string_view internal_key);

// "" when `stored`, the bytes of a value reference with a raw_size (an LZ4
// block, spec/values.md section 1), decompress to exactly `raw_size` bytes;
// else what is wrong: "compressed value of S bytes does not decompress to
// its R bytes". `scratch` receives the decompressed bytes (reused between
// calls). REQUIRES: 0 < raw_size <= kMaxValueSize.
std::string compressed_value_problem(std::string_view stored, std::uint64_t raw_size,
                                     std::string* scratch);

// What the data blocks of a table (or of one block) hold, in the terms of
// the properties block and the manifest's TableMeta.
struct Contents {
  std::uint64_t entries = 0;
  std::uint64_t tombstones = 0;
  std::uint64_t raw_key_bytes = 0;
  std::uint64_t raw_value_bytes = 0;
  Version min_version = 0;  // both 0 while entries == 0
  Version max_version = 0;
  std::string smallest_user_key;
  std::string largest_user_key;
  // Per value file, the sizes of the value references (kind 2) summed.
  std::map<std::uint64_t, std::uint64_t> value_ref_bytes;

  void add(const ParsedKey& key, std::size_t internal_key_size, std::size_t value_size) {
    if (entries == 0) {
      min_version = max_version = key.version;
      smallest_user_key = key.user_key;
    }
    ++entries;
    if (key.kind == EntryKind::kDelete) ++tombstones;
    raw_key_bytes += internal_key_size;
    raw_value_bytes += value_size;
    min_version = std::min(min_version, key.version);
    max_version = std::max(max_version, key.version);
    largest_user_key = key.user_key;
  }
  // Appends `later` (a block that follows every entry of *this).
  void append(const Contents& later) {
    if (later.entries == 0) return;
    if (entries == 0) {
      *this = later;
      return;
    }
    entries += later.entries;
    tombstones += later.tombstones;
    raw_key_bytes += later.raw_key_bytes;
    raw_value_bytes += later.raw_value_bytes;
    min_version = std::min(min_version, later.min_version);
    max_version = std::max(max_version, later.max_version);
    largest_user_key = later.largest_user_key;
    for (const auto& [number, bytes] : later.value_ref_bytes) value_ref_bytes[number] += bytes;
  }
};

// A value file the manifest's state lists (spec/values.md section 3), mapped
// once before the tables are checked so that every value reference is
// resolved against it; its own check (as a sealed WAL, or as a value log)
// comes with the WALs.
struct ValueFileCheck {
  manifest::ValueFileKind kind = manifest::ValueFileKind::kWal;
  std::string name;                 // NNNNNN.wal or NNNNNN.val, by kind
  std::uint64_t manifest_size = 0;  // its tag-10 size
  // The mapping; null when the file could not be opened (`open_status`).
  std::shared_ptr<const ReadableFile> mapped;
  Status open_status;
  // References found past the file's real end but inside its manifest size
  // (a truncated file: reported once, with the size).
  std::uint64_t past_end = 0;
  // Findings about its bytes made while checking the tables that reference
  // it: (offset, what), reported under its name when it is checked.
  std::vector<std::pair<std::uint64_t, std::string>> problems;
  // [begin, end) of each referenced value that fails its checksum (or, for
  // a compressed one, does not decompress to its raw size).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> damaged;
};

// Collects "name A (the file) vs B (the other source)" differences.
class Differences {
 public:
  void number(std::string_view field, std::uint64_t found, std::uint64_t claimed) {
    if (found != claimed) add(field, std::to_string(found), std::to_string(claimed));
  }
  void key(std::string_view field, std::string_view found, std::string_view claimed) {
    if (found != claimed) add(field, quoted(found), quoted(claimed));
  }
  bool empty() const { return text_.empty(); }
  const std::string& text() const { return text_; }

 private:
  void add(std::string_view field, const std::string& found, const std::string& claimed) {
    if (!text_.empty()) text_ += ", ";
    text_ += std::string(field) + " " + found + " vs " + claimed;
  }
  std::string text_;
};

class Checker {
 public:
  Checker(FileSystem& fs, std::string dir, CheckOptions options = {})
      : fs_(fs), dir_(std::move(dir)), options_(std::move(options)) {}

  Result<CheckReport> run();

 private:
  // Registers a checked file; returns its index in report_.files.
  std::size_t add_file(std::string name, CheckFileType type);
  void problem(std::size_t file, std::uint64_t offset, std::string what);
  // A problem from a Status; a Corruption naming this file keeps its offset,
  // anything else gets `offset` and the whole status text.
  void problem_from(std::size_t file, const Status& status, std::uint64_t offset);
  void note(std::string file, std::uint64_t offset, std::string what);
  // Reports the files checked so far to CheckOptions::progress, out of
  // `planned_files_`.
  void report_progress();

  void check_manifest(const Result<std::unique_ptr<ReadableFile>>& opened);
  void check_run_overlaps();
  void check_table(std::uint64_t number, const manifest::TableMeta* meta);
  // Verifies every data block listed by the table's index, adding what the
  // good blocks hold to *contents. Returns whether every block passed (and
  // the index could be walked at all).
  bool check_data_blocks(std::size_t file, std::string_view bytes, const table::Table* opened,
                         const manifest::TableMeta* meta, Contents* contents);
  bool check_data_block(std::size_t file, std::string_view region, const table::BlockHandle& h,
                        std::string_view index_key, const table::Table* opened,
                        const table::Footer& footer, const manifest::TableMeta* meta,
                        std::string* previous_key, Contents* contents);
  void compare_contents(std::size_t file, const Contents& found, const table::Table* opened,
                        std::uint64_t properties_offset, const manifest::TableMeta* meta);
  // Checks the value reference of the kind-2 entry `internal_key` in the
  // data block at `block_offset`, adding its size (the stored bytes, also
  // of a compressed value) to contents->value_ref_bytes. A compressed value
  // whose checksum matches must also decompress to its raw size.
  void check_value_ref(std::size_t file, std::uint64_t block_offset, std::string_view internal_key,
                       std::string_view ref_bytes, const manifest::TableMeta* meta,
                       Contents* contents);
  // `follows`: the last version of the live WAL before this one that holds
  // a record (0: none), which this WAL's first record must be one above
  // (spec/wal.md rule P8).
  void check_wal(std::uint64_t number, bool newest, Version* previous, Version follows);
  // The record, batch and seal checks of a WAL's bytes (check_wal). For a
  // value file, `damaged` lists the referenced values that failed their
  // checksum: a record whose payload checksum fails for them is reported
  // through those values only.
  void check_wal_bytes(std::size_t file, std::uint64_t number, std::string_view contents,
                       bool newest, Version* previous, Version follows,
                       const std::vector<std::pair<std::uint64_t, std::uint64_t>>* damaged);
  // Maps every value file of the state (before the tables are checked).
  void open_value_files();
  // Maps the value file `v.name` into `v`.
  void map_value_file(ValueFileCheck& v);
  // Checks the value file `number` of value_files_ (a WAL kind as a sealed
  // WAL, a value log as one) and reports what the tables' references found
  // in it.
  void check_value_file(std::uint64_t number, Version* previous);
  // The record checks of a value log's bytes (spec/values.md): every record
  // verifies and the file ends at its last record. `damaged` as for
  // check_wal_bytes.
  void check_value_log_bytes(std::size_t file, std::uint64_t number, std::string_view contents,
                             const std::vector<std::pair<std::uint64_t, std::uint64_t>>& damaged);
  // The index in `wals` (sorted) of the newest WAL: the last that can hold a
  // record (wal::may_hold_records), as recovery decides it.
  std::size_t newest_wal(const std::vector<std::uint64_t>& wals) const;

  // Whether a MANIFEST read now shows that the writer retired the table or
  // WAL (so deleting it was legitimate). False if MANIFEST cannot be read.
  bool retired_table(std::uint64_t number);
  bool retired_wal(std::uint64_t number);
  bool retired_value_file(std::uint64_t number);

  std::string path_of(std::string_view name) const { return join_path(dir_, name); }

  FileSystem& fs_;
  const std::string dir_;
  const CheckOptions options_;
  CheckReport report_;
  std::uint64_t planned_files_ = 0;  // known once MANIFEST is checked
  // The state MANIFEST describes; nullopt when it is missing or unusable.
  std::optional<manifest::State> state_;
  // The offset in MANIFEST of the record that added each live table.
  std::map<std::uint64_t, std::uint64_t> added_at_;
  // The state's value files, by number (open_value_files).
  std::map<std::uint64_t, ValueFileCheck> value_files_;
  std::size_t manifest_file_ = 0;
  bool filter_reported_ = false;  // one filter problem per table is enough
  std::string decompressed_;      // check_value_ref's buffer for compressed values
};

}  // namespace sand::checker
