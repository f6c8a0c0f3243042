// for_each_retained: every entry of a read view that history() would list as
// of one version, in internal-key order: the whole-database form of the
// read-time retention of DB::Impl::history (src/db/db_impl_read.cpp).
//
// Per key, newest first: versions above `last` are skipped (writes committed
// after the export began); of the rest, RetentionFilter(mark) keeps every
// version >= mark and the newest below it; tombstones with nothing kept
// beneath them are dropped (they hide nothing). Tombstones are therefore
// held back until a put of the same key follows; only their keys are kept,
// never a value, so a long run of them costs little.
// Thread-safety: reads an immutable view; one call per thread.
#pragma once

#include <functional>
#include <string_view>

#include "db/read_view.hpp"
#include "sand/options.hpp"
#include "sand/status.hpp"
#include "util/internal_key.hpp"

namespace sand::archive {

using RetainedEntryFn = std::function<Status(std::string_view user_key, Version version,
                                             EntryKind kind, std::string_view value)>;

// Calls `fn` for each retained entry of `view` as of `last` with mark `mark`.
// Stops at the first error `fn` returns or an iterator reports (Corruption,
// IOError), and returns it.
Status for_each_retained(const ReadView& view, Version last, Version mark,
                         const RetainedEntryFn& fn);

// The entries `view` holds (memtables and tables), versions of any age: an
// upper bound on what for_each_retained yields.
std::uint64_t stored_entries(const ReadView& view);

}  // namespace sand::archive
