// Decoding of the compaction, retention and memtable flags (see tuning.hpp).
#include "cli/tuning.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <system_error>

#include "cli/escape.hpp"

namespace sand::cli {

Result<int> parse_trigger(std::string_view flag, std::string_view text) {
  int n = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, n);
  // from_chars takes a leading '-' for int: insist on digits only, all of
  // `text` consumed, and a value in range.
  const bool digits_only = !text.empty() && text.front() != '-';
  if (!digits_only || ec != std::errc() || ptr != end || n < 1 || n > kMaxTrigger) {
    return Status::invalid_argument(std::string(flag) + ": expected a whole number from 1 to " +
                                    std::to_string(kMaxTrigger) + ", got '" + escape_key(text) +
                                    "'");
  }
  return n;
}

Result<Retention> parse_retention(std::string_view text) {
  if (text == "all") return Retention::kAll;
  if (text == "latest") return Retention::kLatestOnly;
  return Status::invalid_argument("--retention: expected all or latest, got '" + escape_key(text) +
                                  "'");
}

Result<MemTableIndex> parse_memtable(std::string_view text) {
  if (text == "btree") return MemTableIndex::kBTree;
  if (text == "skiplist") return MemTableIndex::kSkipList;
  return Status::invalid_argument("--memtable: expected btree or skiplist, got '" +
                                  escape_key(text) + "'");
}

void apply_tuning(const Tuning& tuning, Options& options) {
  if (tuning.l0_trigger) {
    options.l0_trigger = *tuning.l0_trigger;
    options.l0_stop = std::max(options.l0_stop, 3 * *tuning.l0_trigger);
  }
  if (tuning.l1_trigger) options.l1_trigger = *tuning.l1_trigger;
  if (tuning.retention) options.retention = *tuning.retention;
  if (tuning.memtable) options.memtable = *tuning.memtable;
}

}  // namespace sand::cli
