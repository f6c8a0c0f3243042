// Tuning: the global `sand` flags that shape compaction, retention and the
// memtable when the tool opens a database (--l0-trigger N, --l1-trigger N,
// --retention all|latest, --memtable btree|skiplist). Decoding their text
// lives here rather than in main.cpp so tests can check every accepted and
// rejected value in-process; main.cpp turns an error into a usage error
// (exit 2) before anything opens.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "sand/options.hpp"
#include "sand/status.hpp"

namespace sand::cli {

// The largest trigger the flags accept. A bound keeps l0_stop (derived from
// it, see apply_tuning) far from int overflow; no sane setup comes near it.
inline constexpr int kMaxTrigger = 1000;

// Decoded tuning flags; nullopt leaves the Options default.
struct Tuning {
  std::optional<int> l0_trigger{};
  std::optional<int> l1_trigger{};
  std::optional<Retention> retention{};
  std::optional<MemTableIndex> memtable{};

  friend bool operator==(const Tuning&, const Tuning&) = default;
};

// Decodes the value of trigger flag `flag` (e.g. "--l0-trigger"): decimal
// digits only, 1..kMaxTrigger. Errors: InvalidArgument naming the flag, e.g.
// "--l0-trigger: expected a whole number from 1 to 1000, got 'x'".
Result<int> parse_trigger(std::string_view flag, std::string_view text);

// Decodes --retention: "all" is Retention::kAll, "latest" is
// Retention::kLatestOnly. Errors: InvalidArgument, e.g.
// "--retention: expected all or latest, got 'x'".
Result<Retention> parse_retention(std::string_view text);

// Decodes --memtable: "btree" is MemTableIndex::kBTree, "skiplist" is
// MemTableIndex::kSkipList. Errors: InvalidArgument, e.g.
// "--memtable: expected btree or skiplist, got 'x'".
Result<MemTableIndex> parse_memtable(std::string_view text);

// Writes the set fields of `tuning` into `options`. Setting l0_trigger also
// raises l0_stop to at least 3 * l0_trigger (the defaults' ratio, 4 and 12),
// so a large trigger never meets the write stall before its compaction.
void apply_tuning(const Tuning& tuning, Options& options);

}  // namespace sand::cli
