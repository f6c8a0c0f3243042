// Point lookups over one ReadView: the newest entry of a key at or below a
// version, and the retention question a tombstone raises ("does it hide a
// retained put?"). get(), get_versioned(), multi_get(), the change feed and
// write preconditions all ask through here.
//
// Sources are consulted newest data first: the active memtable, the frozen
// ones, level-0 tables, level-1 runs, level 2. Their version ranges never
// interleave (read_view.hpp), so the first source with an entry of the key
// at or below the version answers; in a sorted run only one file can hold
// the key. Thread-safety: the view is immutable; any thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "db/read_view.hpp"
#include "util/internal_key.hpp"

namespace sand {

struct PointEntry {
  Version version = 0;
  EntryKind kind = EntryKind::kPut;
  std::string value;  // empty for a tombstone
};

// Turns a value-reference entry into the put it stands for, reading the
// value from its value file if `copy` (else leaving the value empty); other
// entries are left alone. Errors: Corruption (a malformed or dangling
// reference, a value that fails its checksum), IOError.
Status resolve_value(const ReadView& view, bool copy, PointEntry* e);

// The tables a point read of `key` at `at` may need, newest first (key
// range and version range checked; the bloom filter is the table's own).
std::vector<const LiveTable*> point_candidates(const ReadView& view, std::string_view key,
                                               Version at);

// The newest entry of `key` with version <= `at`, a tombstone included;
// with Value::kSkip its value is left empty (only the version and kind are
// wanted, and values may be 256 MiB). A value reference comes back
// resolved: as a put with the referenced value (none read with kSkip).
// Errors: Corruption, IOError.
Result<std::optional<PointEntry>> newest_entry(
    const ReadView& view, std::string_view key, Version at,
    table::Table::Value value = table::Table::Value::kCopy);

// newest_entry() of many keys at once (multi_get): out[i] becomes keys[i]'s
// entry, or stays empty. Each source is consulted once for the keys still
// unanswered, in key order: a table receives all of its keys in one
// Table::get_batch, and a run's keys are split among its files in one pass.
// REQUIRES: keys ascending and distinct, out.size() == keys.size(), every
// out[i] empty. Errors: Corruption, IOError.
Status newest_entries(const ReadView& view, std::span<const std::string_view> keys, Version at,
                      std::span<std::optional<PointEntry>> out);

// Whether history() with mark `mark` would show a tombstone of `key` at
// version `v`: whether an older retained put of the key exists, i.e. a put
// in [mark, v) or, failing that, the newest entry below `mark` is a put
// (spec/README.md "Retention"); never below the mark. Reads only as deep
// as it must.
// Errors: Corruption, IOError.
Result<bool> tombstone_shows(const ReadView& view, std::string_view key, Version v, Version mark);

// The entry that decides a read of `key` at `at` (the newest <= at), unless
// it is a tombstone that does not show: then none (every older retained
// entry is a tombstone too). For at >= mark, the newest entry of history()
// at or below `at`.
Result<std::optional<PointEntry>> newest_retained_entry(const ReadView& view, std::string_view key,
                                                        Version at, Version mark);

}  // namespace sand
