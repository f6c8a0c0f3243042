// Write preconditions: the check of one write group (preconditions.hpp).
#include "db/preconditions.hpp"

#include <algorithm>
#include <map>

#include "util/internal_key.hpp"
#include "wal/write_batch_codec.hpp"

namespace sand {
namespace {

using Condition = WriteBatchAccess::Condition;

// Longer keys are cut in messages: a 64 KiB key would make a 256 KiB one.
constexpr std::size_t kMaxPrintedKeyBytes = 128;

// "5", or "0 (missing)": version 0 means the key does not exist.
std::string describe_version(Version v) { return v == 0 ? "0 (missing)" : std::to_string(v); }

std::string conflict_message(const Condition& c, Version found) {
  const std::string expected =
      c.any_version ? "expected it to exist" : "expected version " + describe_version(c.version);
  return "key '" + printable_key(c.key) + "' " + expected + ", found " + describe_version(found);
}

// The version of every key the group has looked up or written so far, as
// the next batch of the group sees it. Caching the lookups is sound because
// under write_mu_ only this group's own passing batches can change a key.
class GroupView {
 public:
  explicit GroupView(const CommittedVersionFn& committed_version)
      : committed_version_(committed_version) {}

  Result<Version> version_of(const std::string& key) {
    if (const auto it = known_.find(key); it != known_.end()) return it->second;
    SAND_ASSIGN_OR_RETURN(const Version v, committed_version_(key));
    known_.emplace(key, v);
    return v;
  }

  // `batch` passed and will commit at `v`: later batches see its writes. A
  // key named twice ends at its later operation, as in the batch itself.
  Status apply(const WriteBatch& batch, Version v) {
    return WriteBatchAccess::for_each(
        WriteBatchAccess::rep(batch), "write batch", 0,
        [&](EntryKind kind, std::string_view key, std::string_view /*value*/) {
          known_.insert_or_assign(std::string(key), kind == EntryKind::kPut ? v : Version{0});
        });
  }

 private:
  const CommittedVersionFn& committed_version_;
  std::map<std::string, Version, std::less<>> known_;
};

// OK if every precondition of `batch` holds in `view`, else why not.
Status check_batch(const WriteBatch& batch, GroupView& view) {
  for (const Condition& c : WriteBatchAccess::conditions(batch)) {
    SAND_ASSIGN_OR_RETURN(const Version found, view.version_of(c.key));
    const bool holds = c.any_version ? found != 0 : found == c.version;
    if (!holds) return Status::conflict(conflict_message(c, found));
  }
  return Status::ok();
}

bool has_preconditions(const WriteBatch* b) { return b->precondition_count() > 0; }

}  // namespace

std::vector<Status> check_preconditions(std::span<const WriteBatch* const> batches,
                                        Version first_version,
                                        const CommittedVersionFn& committed_version) {
  std::vector<Status> outcome(batches.size());
  // Batches behind the last one with preconditions pass unchecked, and no
  // one looks at their writes: only the prefix up to it needs the view.
  const auto last = std::find_if(batches.rbegin(), batches.rend(), has_preconditions);
  const auto checked = static_cast<std::size_t>(batches.rend() - last);
  GroupView view(committed_version);
  Version next = first_version;
  for (std::size_t i = 0; i < checked; ++i) {
    Status s = check_batch(*batches[i], view);
    if (s.is_ok() && i + 1 < checked) s = view.apply(*batches[i], next);
    if (s.is_ok()) ++next;
    outcome[i] = std::move(s);
  }
  return outcome;
}

std::string printable_key(std::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string_view shown = key.substr(0, kMaxPrintedKeyBytes);
  std::string out;
  out.reserve(shown.size());
  for (const char c : shown) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte <= 0x7e && c != '\\') {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
  if (shown.size() < key.size()) out += "... (" + std::to_string(key.size()) + " bytes)";
  return out;
}

}  // namespace sand
