// Manifest edits: the payload of one manifest record (spec/manifest.md "Edit
// payload"). An edit is a sequence of tagged fields, each a varint32 tag
// followed by the field's body; a reader rejects tags it does not know, so a
// field can never be silently skipped.
//
// Edit and TableMeta are plain values: thread-safe to read, mutate from one
// thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sand/options.hpp"
#include "sand/status.hpp"

namespace sand::manifest {

// Edit field tags. On-disk: never change or reuse; a retired tag stays
// retired.
enum class Tag : std::uint32_t {
  kNextFileNumber = 1,  // varint64
  kLastVersion = 2,     // varint64
  kWalNumber = 3,       // varint64: oldest WAL still holding unflushed writes
  kLowWaterMark = 4,    // varint64: retention mark
  kAddTable = 5,        // TableMeta body (see TableMeta)
  kRemoveTable = 6,     // varint64 table number
  kSnapshot = 7,        // no body: the record holds the full state
  kTableRun = 8,        // varint64 table number, varint64 run: the sorted run
                        // of a table added earlier in the same edit
  // Format version 3 and later (a version-2 manifest holding them is corrupt):
  kTableValueRefs = 9,   // varint64 table number, varint64 count, then count x
                         // (varint64 value file, varint64 bytes): what a table
                         // added earlier in the same edit references
  kAddValueFile = 10,    // varint64 number, varint32 kind, varint64 size, and
                         // from format version 4 varint64 value_bytes
  kRemoveValueFile = 11  // varint64 number
};

// Manifest format versions: 2 knows tags 1-8; 3 adds the value-file tags
// 9-11; 4 adds value logs (tag 10 kind 1) and gives every tag 10 the bytes
// of values its file held when added (spec/manifest.md). Writers write 4;
// readers read all three.
inline constexpr std::uint32_t kManifestFormatV2 = 2;
inline constexpr std::uint32_t kManifestFormatV3 = 3;
inline constexpr std::uint32_t kManifestFormatVersion = 4;

// A file that holds values tables refer to (spec/values.md). Kind 0 is a WAL
// (`NNNNNN.wal`) kept after its flush because the flushed table references
// values in its records; kind 1 is a value log (`NNNNNN.val`), one value per
// record, written by compaction when it moves the live values out of a
// mostly-dead value file. Other kinds are reserved.
enum class ValueFileKind : std::uint32_t { kWal = 0, kValueLog = 1 };

struct ValueFileMeta {
  std::uint64_t number = 0;
  ValueFileKind kind = ValueFileKind::kWal;
  std::uint64_t size = 0;  // the file's length in bytes when it was added
  // The bytes of the values live tables referenced in the file when it was
  // added: what garbage collection measures the still-referenced bytes
  // against (a file also holds framing, keys and small values). A version-3
  // manifest does not record it; it reads as `size`.
  std::uint64_t value_bytes = 0;
  friend bool operator==(const ValueFileMeta&, const ValueFileMeta&) = default;
};

// The bytes of values one table references in one value file.
struct ValueRefTally {
  std::uint64_t file = 0;
  std::uint64_t bytes = 0;
  friend bool operator==(const ValueRefTally&, const ValueRefTally&) = default;
};

// Levels are 0 (overlapping flushes), 1 (sorted runs) and 2 (last level).
inline constexpr int kMaxLevel = 2;

// One live table as the manifest records it. Encoded after tag 5 as: varint32
// level, varint64 number, file_size, entries, tombstones, min_version,
// max_version, then the length-prefixed smallest and largest user keys. A
// non-zero `run` follows as a tag 8 field right after the table's tag 5.
struct TableMeta {
  std::uint64_t number = 0;
  int level = 0;
  std::uint64_t file_size = 0, entries = 0, tombstones = 0;
  Version min_version = 0, max_version = 0;
  std::string smallest_key{}, largest_key{};
  // The sorted run a level-1 table belongs to (tables of one run never
  // overlap in keys). 0: the table is not part of a multi-file run (level 0
  // tables, each a run of its own; level 2, the level's one run).
  std::uint64_t run = 0;
  // The value files the table's value references point into, by ascending
  // file number, each with the bytes referenced (> 0). Recorded as a tag 9
  // right after the table's tag 5 (and tag 8); empty: no tag 9.
  std::vector<ValueRefTally> value_refs{};
  friend bool operator==(const TableMeta&, const TableMeta&) = default;
};

// One atomic change to the database's file set and counters.
struct Edit {
  std::optional<std::uint64_t> next_file_number;
  std::optional<Version> last_version;
  std::optional<std::uint64_t> wal_number;
  std::optional<Version> low_water_mark;
  std::vector<TableMeta> added;
  std::vector<std::uint64_t> removed;
  std::vector<ValueFileMeta> added_value_files;
  std::vector<std::uint64_t> removed_value_files;
  bool snapshot = false;  // the edit is a full state (first record of a file)

  friend bool operator==(const Edit&, const Edit&) = default;

  // Appends the encoding to `dst`, fields in tag order 7, 1, 2, 3, 4, then
  // one tag 11 per removed value file, one tag 10 per added value file, one
  // tag 6 per removed table, then one tag 5 per added table (each followed
  // by its tag 8 and tag 9 if it has them).
  // REQUIRES: every added level is in 0..kMaxLevel.
  void encode(std::string* dst) const;

  // Decodes a record payload (fields in any order) that started at `offset`
  // in `file`, a manifest of `format_version` (2, 3 or 4). Errors: Corruption
  // "<file>: offset <offset>: <what>" for an unknown tag (naming it; tags 9-11
  // are unknown in version 2), a truncated field, a field 1-4 or 7 given
  // twice, a table level above kMaxLevel, a tag 8 or 9 naming a table the
  // edit has not added or given twice for it, a value-file kind other than 0
  // (or 1 from version 4), a value_bytes above the file's size, or a tag 9
  // whose files do not ascend or whose bytes are 0.
  static Result<Edit> decode(std::string_view payload, std::string_view file, std::uint64_t offset,
                             std::uint32_t format_version = kManifestFormatVersion);
};

}  // namespace sand::manifest
