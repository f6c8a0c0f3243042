// The change feed's windows: which sources a window reads, how it stays
// within its budget, and how the tombstone rule of history() is applied.
#include "db/change_feed.hpp"

#include <algorithm>
#include <map>

#include "db/key_bounds.hpp"
#include "db/level_iterator.hpp"
#include "db/merging_iterator.hpp"
#include "db/point_lookup.hpp"
#include "util/internal_key.hpp"

namespace sand::detail {
namespace {

// Charged per entry on top of its key and value (the entry's own fields and
// its share of vector growth), so a window of many tiny entries stays
// bounded too.
constexpr std::size_t kEntryOverhead = 96;
// Charged per batch (its map node and ChangeBatch).
constexpr std::size_t kBatchOverhead = 96;

// Whether a source holding versions [min, max] may hold one in (lo, until].
bool versions_meet(Version min, Version max, Version lo, Version until) {
  return max > lo && min <= until;
}

bool table_meets(const LiveTable& t, const KeyBounds& b, Version lo, Version until) {
  return versions_meet(t.meta.min_version, t.meta.max_version, lo, until) &&
         b.overlaps(t.meta.smallest_key, t.meta.largest_key);
}

void add_memtable(const std::shared_ptr<MemTable>& mem, Version lo, Version until,
                  std::vector<std::unique_ptr<InternalIterator>>* out) {
  // An empty memtable reports 0/0, which never meets (lo, until].
  if (versions_meet(mem->min_version(), mem->max_version(), lo, until)) {
    // Only the window's entries, found in the memtable's version log: a
    // follower tailing a live writer reads its new changes, not the whole
    // (up to memtable_size) memtable.
    out->push_back(mem->entries_in_versions(lo, until));
  }
}

void add_run(const SortedRun& run, const KeyBounds& b, Version lo, Version until,
             std::vector<std::unique_ptr<InternalIterator>>* out) {
  if (run.files.empty() || !versions_meet(run.min_version, run.max_version, lo, until)) return;
  // Every version of a key lives in one file of a run, so leaving out a file
  // leaves out only its own entries.
  std::vector<TableRef> files;
  for (const auto& f : run.files) {
    if (table_meets(*f, b, lo, until)) files.push_back(f);
  }
  if (!files.empty()) out->push_back(new_level_iterator(std::move(files)));
}

// One merged stream over the sources that may hold versions in (lo, until]
// within the key bounds, in internal-key order.
std::unique_ptr<InternalIterator> window_stream(const ReadView& view, const KeyBounds& b,
                                                Version lo, Version until) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  add_memtable(view.mem, lo, until, &children);
  for (const auto& mem : view.frozen) add_memtable(mem, lo, until, &children);
  for (const auto& t : view.l0) {
    if (table_meets(*t, b, lo, until)) children.push_back(t->table->new_iterator());
  }
  for (const auto& run : view.l1) add_run(run, b, lo, until, &children);
  add_run(view.l2, b, lo, until, &children);
  return new_merging_iterator(std::move(children));
}

// One entry of a window, before the tombstone rule is applied.
struct WindowEntry {
  std::string key;
  bool deleted = false;
  std::string value;
  // The next older entry of the same key, when it lies in the window too (0
  // otherwise): deciding a tombstone then needs no lookup.
  Version older = 0;
  bool older_is_put = false;
  bool shows = true;  // false for a tombstone that hides no retained put
};

struct WindowBatch {
  std::vector<WindowEntry> entries;  // ascending keys (stream order)
  std::size_t bytes = kBatchOverhead;
};

using WindowBatches = std::map<Version, WindowBatch>;

// Takes the merged stream entry by entry and keeps the batches of the
// lowest versions in (lo, cap] while they fit the budget, lowering cap
// (dropping the newest batch whole) when they do not. Every entry with a
// version in the final (lo, cap] was offered while cap was at least as high,
// so the window holds all of them.
class WindowCollector {
 public:
  WindowCollector(Version lo, Version until, std::size_t budget)
      : lo_(lo), cap_(until), budget_(budget) {}

  // Entries must come in internal-key order.
  void offer(const ParsedKey& k, std::string_view value) {
    if (k.user_key != current_key_) start_key(k.user_key);
    if (k.version <= lo_ || k.version > cap_) return;
    const bool deleted = k.kind == EntryKind::kDelete;
    link_to_newer(k.version, deleted);
    WindowBatch& batch = batches_[k.version];
    batch.entries.push_back(WindowEntry{.key = std::string(k.user_key),
                                        .deleted = deleted,
                                        .value = deleted ? std::string() : std::string(value)});
    const std::size_t bytes = k.user_key.size() + value.size() + kEntryOverhead;
    batch.bytes += bytes;
    bytes_ += bytes + (batch.entries.size() == 1 ? kBatchOverhead : 0);
    newer_ = Newer{.version = k.version, .index = batch.entries.size() - 1};
    while (bytes_ > budget_ && batches_.size() > 1) drop_newest_batch();
  }

  Version cap() const { return cap_; }
  WindowBatches take() { return std::move(batches_); }

 private:
  // The key's previous (newer) entry kept in this window.
  struct Newer {
    Version version = 0;  // 0: none
    std::size_t index = 0;
  };

  void start_key(std::string_view key) {
    current_key_.assign(key);
    newer_ = Newer{};
  }

  // Tells the key's newer entry in this window (if it is still kept) what
  // lies right below it.
  void link_to_newer(Version version, bool deleted) {
    if (newer_.version == 0) return;
    const auto it = batches_.find(newer_.version);
    if (it == batches_.end()) return;  // dropped with its batch
    WindowEntry& newer = it->second.entries[newer_.index];
    newer.older = version;
    newer.older_is_put = !deleted;
  }

  void drop_newest_batch() {
    const auto newest = std::prev(batches_.end());
    bytes_ -= newest->second.bytes;
    cap_ = newest->first - 1;
    batches_.erase(newest);
  }

  const Version lo_;
  Version cap_;
  const std::size_t budget_;
  std::size_t bytes_ = 0;
  WindowBatches batches_;
  std::string current_key_;
  Newer newer_;
};

// Whether the tombstone `e` of batch `v` shows, by history()'s rule: it does
// when an older retained put of its key exists. Within the window the
// answer follows from the next older entry (a put shows it; a tombstone
// passes on its own answer, every version here being >= the mark);
// otherwise a point lookup decides.
Result<bool> tombstone_shows_in_window(const ReadView& view, const WindowBatches& batches,
                                       const WindowEntry& e, Version v, Version mark) {
  if (e.older == 0) return tombstone_shows(view, e.key, v, mark);
  if (e.older_is_put) return true;
  const auto older = batches.find(e.older);
  if (older != batches.end()) {
    const auto& entries = older->second.entries;
    const auto it =
        std::lower_bound(entries.begin(), entries.end(), e.key,
                         [](const WindowEntry& x, const std::string& key) { return x.key < key; });
    if (it != entries.end() && it->key == e.key) return it->shows;
  }
  // Unreachable (an older entry of the window is never dropped before a
  // newer one), but a lookup is always right.
  return tombstone_shows(view, e.key, v, mark);
}

// Decides every tombstone, oldest batch first, so the older entry a
// tombstone defers to is already decided.
Status apply_tombstone_rule(const ReadView& view, Version mark, WindowBatches* batches) {
  for (auto& [v, batch] : *batches) {
    for (WindowEntry& e : batch.entries) {
      if (!e.deleted) continue;
      SAND_ASSIGN_OR_RETURN(e.shows, tombstone_shows_in_window(view, *batches, e, v, mark));
    }
  }
  return Status::ok();
}

// The batches as the feed shows them; a batch whose every entry is a
// hidden tombstone shows nothing and is left out.
std::vector<ChangeBatch> to_change_batches(WindowBatches batches) {
  std::vector<ChangeBatch> out;
  for (auto& [v, batch] : batches) {
    ChangeBatch shown{.version = v, .changes = {}};
    for (WindowEntry& e : batch.entries) {
      if (!e.shows) continue;
      shown.changes.push_back(
          Change{.key = std::move(e.key), .deleted = e.deleted, .value = std::move(e.value)});
    }
    if (!shown.changes.empty()) out.push_back(std::move(shown));
  }
  return out;
}

}  // namespace

ChangeFeedState::ChangeFeedState(std::shared_ptr<const ReadView> view, ChangeRange range,
                                 std::size_t window_bytes)
    : view_(std::move(view)),
      range_(std::move(range)),
      window_bytes_(window_bytes),
      loaded_through_(range_.since) {}

void ChangeFeedState::start() { load_next_nonempty_window(); }

void ChangeFeedState::next() {
  ++position_;
  if (position_ == window_.size()) load_next_nonempty_window();
}

void ChangeFeedState::load_next_nonempty_window() {
  window_.clear();
  position_ = 0;
  while (window_.empty() && loaded_through_ < range_.until) {
    if (Status s = load_window(); !s.is_ok()) {
      status_ = s;
      window_.clear();
      return;
    }
  }
}

Status ChangeFeedState::load_window() {
  const KeyBounds bounds = KeyBounds::of(range_.from, range_.to, range_.prefix);
  const Version lo = loaded_through_;
  WindowCollector collector(lo, range_.until, window_bytes_);
  auto stream = window_stream(*view_, bounds, lo, range_.until);
  if (bounds.lower) {
    stream->seek(seek_key(*bounds.lower, kMaxVersion));  // before every entry of lower
  } else {
    stream->seek_to_first();
  }
  std::string resolved;  // a value read through its value reference
  for (; stream->valid(); stream->next()) {
    ParsedKey k;
    if (!parse_internal_key(stream->key(), &k)) {
      return Status::corruption("change feed: malformed internal key");
    }
    if (!bounds.below_upper(k.user_key)) break;
    std::string_view value = stream->value();
    // Only entries the window may still take are worth reading.
    if (k.kind == EntryKind::kValueRef && k.version > lo && k.version <= collector.cap()) {
      SAND_RETURN_IF_ERROR(view_->values->read(value, &resolved));
      value = resolved;
    }
    collector.offer(k, value);
  }
  SAND_RETURN_IF_ERROR(stream->status());

  WindowBatches batches = collector.take();
  SAND_RETURN_IF_ERROR(apply_tombstone_rule(*view_, range_.mark, &batches));
  window_ = to_change_batches(std::move(batches));
  loaded_through_ = collector.cap();
  ++windows_loaded_;
  return Status::ok();
}

}  // namespace sand::detail
