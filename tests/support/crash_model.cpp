// CrashModel: the acknowledged-write model and the checks run after a crash.
// Every check returns its first difference in words, so a failing property
// or crash point says what went wrong, not just that something did.
#include "support/crash_model.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace sand::test {

// A value in a message: long values are cut to their first bytes (test
// values start with a tag that tells writes apart) and their length.
std::string show_value(const std::string& v) {
  if (v.size() <= 16) return "\"" + v + "\"";
  return "\"" + v.substr(0, 12) + "...\"(" + std::to_string(v.size()) + " bytes)";
}

std::string show(const std::optional<std::string>& v) {
  return v ? show_value(*v) : std::string("<absent>");
}

std::string show(const std::vector<HistoryEntry>& entries) {
  std::ostringstream out;
  out << "{";
  for (const auto& e : entries) {
    out << " v" << e.version << "=" << (e.deleted ? std::string("<deleted>") : show_value(e.value));
  }
  out << " }";
  return out.str();
}

namespace {

struct Entry {
  std::string key;
  std::string value;
  Version version = 0;
  friend bool operator==(const Entry&, const Entry&) = default;
};

std::string show(const std::vector<Entry>& entries) {
  std::ostringstream out;
  out << entries.size() << " entries {";
  for (const auto& e : entries) {
    out << " " << e.key << "@" << e.version << "=" << show_value(e.value);
  }
  out << " }";
  return out.str();
}

std::string show_at(std::optional<Version> at) {
  return at ? "at " + std::to_string(*at) : std::string("latest");
}

// "" if `s` is the refusal of a read at a version the model cannot serve.
std::string expect_refused(const Status& s, const std::string& what) {
  if (s.code() == Code::kInvalidArgument) return "";
  return what + ": want InvalidArgument (version not readable), got " + s.to_string();
}

}  // namespace

WriteBatch to_write_batch(const ModelBatch& ops) {
  WriteBatch batch;
  for (const auto& [key, value] : ops) {
    if (value) {
      batch.put(key, *value);
    } else {
      batch.del(key);
    }
  }
  return batch;
}

CrashModel::CrashModel(Retention retention) {
  model_.latest_only = retention == Retention::kLatestOnly;
}

void CrashModel::apply(const ModelBatch& ops, Version v) {
  for (const auto& [key, value] : ops) {
    model_.keys[key][v] = value;  // a later op on the same key wins
    seen_keys_.insert(key);
  }
}

std::string CrashModel::on_write(const ModelBatch& ops, bool sync, const Result<Version>& result) {
  for (const auto& op : ops) seen_keys_.insert(op.first);
  // Under kLatestOnly a compaction may cut with any version handed out.
  if (model_.latest_only) pruned_mark_ = std::max(pruned_mark_, model_.last + 1);
  if (in_flight_) {
    // Power is already lost: nothing more reaches the disk.
    if (result.is_ok()) return "a write was acknowledged after an earlier one failed";
    return "";
  }
  if (!result.is_ok()) {
    in_flight_ = ops;
    return "";
  }
  model_.committed();
  if (*result != model_.last) {
    return "write acknowledged at version " + std::to_string(*result) + ", want " +
           std::to_string(model_.last);
  }
  apply(ops, model_.last);
  if (sync) floor_ = model_.last;
  return "";
}

void CrashModel::on_forget_before(Version v, const Status& status) {
  mark_ceiling_ = std::max(mark_ceiling_, v);
  if (status.is_ok() && !model_.latest_only) model_.mark = std::max(model_.mark, v);
}

std::string CrashModel::on_snapshot(Snapshot snapshot) {
  if (snapshot.version() != model_.last) {
    return "snapshot at version " + std::to_string(snapshot.version()) + ", want " +
           std::to_string(model_.last);
  }
  model_.snapshots.push_back(std::move(snapshot));
  return "";
}

void CrashModel::on_release(std::size_t index) {
  if (index < model_.snapshots.size()) {
    model_.snapshots.erase(model_.snapshots.begin() + static_cast<std::ptrdiff_t>(index));
  }
}

std::string CrashModel::check_get(const DB& db, const std::string& key,
                                  std::optional<Version> at) const {
  const std::string what = "get(" + key + ") " + show_at(at);
  auto got = at ? db.get(key, *at) : db.get(key);
  if (at && !model_.readable(*at)) {
    return got.is_ok() ? what + ": want InvalidArgument, got " + show(*got)
                       : expect_refused(got.status(), what);
  }
  if (!got.is_ok()) return what + ": " + got.status().to_string();
  const std::optional<std::string> want = model_.get(key, at.value_or(model_.last));
  if (*got != want) return what + " = " + show(*got) + ", want " + show(want);
  return "";
}

std::string CrashModel::check_scan(const DB& db, std::optional<std::string> from,
                                   std::optional<std::string> to, std::optional<Version> at,
                                   bool reverse) const {
  std::ostringstream what;
  what << "scan [" << from.value_or("") << ", " << to.value_or("<end>") << ") " << show_at(at)
       << (reverse ? " reverse" : "");
  auto it = db.scan({.from = from, .to = to, .at = at, .reverse = reverse});
  if (at && !model_.readable(*at)) {
    return it.is_ok() ? what.str() + ": want InvalidArgument, got an iterator"
                      : expect_refused(it.status(), what.str());
  }
  if (!it.is_ok()) return what.str() + ": " + it.status().to_string();
  std::vector<Entry> got;
  for (; it->valid(); it->next()) {
    got.push_back({std::string(it->key()), std::string(it->value()), it->version()});
  }
  if (!it->status().is_ok()) return what.str() + ": " + it->status().to_string();

  const Version v = at.value_or(model_.last);
  std::vector<Entry> want;
  for (const auto& [key, versions] : model_.keys) {
    if ((from && key < *from) || (to && key >= *to)) continue;
    auto newest = versions.upper_bound(v);
    if (newest == versions.begin()) continue;
    --newest;
    if (newest->second) want.push_back({key, *newest->second, newest->first});
  }
  if (reverse) std::reverse(want.begin(), want.end());
  if (got != want) return what.str() + " holds " + show(got) + ", want " + show(want);
  return "";
}

std::string CrashModel::check_history(const DB& db, const std::string& key) const {
  auto got = db.history(key);
  if (!got.is_ok()) return "history(" + key + "): " + got.status().to_string();
  const std::vector<HistoryEntry> want = model_.history(key);
  if (*got == want) return "";
  if (model_.latest_only && model_.mark < pruned_above_) {
    // Bug B2 tolerated: a compaction before the crash cut with a mark above
    // what survived it, so any entry may be gone (and an older one show as
    // "the newest below the mark"); but nothing extra, changed or reordered:
    // the answer must be a subsequence of every version the key has.
    std::vector<HistoryEntry> all;
    if (const auto k = model_.keys.find(key); k != model_.keys.end()) {
      for (auto v = k->second.rbegin(); v != k->second.rend(); ++v) {
        all.push_back(
            {.version = v->first, .deleted = !v->second, .value = v->second.value_or("")});
      }
    }
    auto w = all.begin();
    bool subsequence = true;
    for (const auto& g : *got) {
      w = std::find(w, all.end(), g);
      if (w == all.end()) {
        subsequence = false;
        break;
      }
      ++w;
    }
    if (subsequence) return "";
  }
  return "history(" + key + ") = " + show(*got) + ", want " + show(want);
}

std::string CrashModel::check_get_versioned(const DB& db, const std::string& key,
                                            std::optional<Version> at) const {
  const std::string what = "get_versioned(" + key + ") " + show_at(at);
  auto got = at ? db.get_versioned(key, *at) : db.get_versioned(key);
  if (at && !model_.readable(*at)) {
    return got.is_ok() ? what + ": want InvalidArgument" : expect_refused(got.status(), what);
  }
  if (!got.is_ok()) return what + ": " + got.status().to_string();
  const Version v = at.value_or(model_.last);
  if (v < model_.mark) return "";  // a pinned snapshot below the mark: history says nothing
  const std::optional<HistoryEntry> want = model_.get_versioned(key, v);
  auto shown = [](const std::optional<HistoryEntry>& e) {
    return e ? show(std::vector<HistoryEntry>{*e}) : std::string("<none>");
  };
  if (*got != want) return what + " = " + shown(*got) + ", want " + shown(want);
  return "";
}

std::string CrashModel::check_changes(const DB& db, Version since) const {
  const std::string what = "changes since " + std::to_string(since);
  auto feed = db.changes({.since = since});
  if (since < model_.mark) {
    return feed.is_ok() ? what + ": want InvalidArgument (below the mark)"
                        : expect_refused(feed.status(), what);
  }
  if (!feed.is_ok()) return what + ": " + feed.status().to_string();
  std::vector<ChangeBatch> got;
  for (; feed->valid(); feed->next()) got.push_back(feed->batch());
  if (!feed->status().is_ok()) return what + ": " + feed->status().to_string();
  const std::vector<ChangeBatch> want = model_.changes(since, model_.last);
  if (got == want) return "";
  auto versions = [](const std::vector<ChangeBatch>& batches) {
    std::string out;
    for (const auto& b : batches)
      out += " v" + std::to_string(b.version) + "x" + std::to_string(b.changes.size());
    return out;
  };
  return what + " gave batches" + versions(got) + ", want" + versions(want);
}

std::string CrashModel::on_conditional_write(const ModelBatch& ops, bool sync, bool holds,
                                             const Result<Version>& result) {
  if (!in_flight_ && !holds) {
    if (result.is_ok()) return "a write whose precondition failed committed";
    if (result.status().code() != Code::kConflict) {
      return "a failed precondition gave " + result.status().to_string() + ", want Conflict";
    }
    return "";
  }
  if (!result.is_ok() && result.status().code() == Code::kConflict) {
    return "Conflict although the precondition held: " + result.status().to_string();
  }
  return on_write(ops, sync, result);
}

std::string CrashModel::check_all(const DB& db) const {
  if (db.last_version() != model_.last) {
    return "last_version " + std::to_string(db.last_version()) + ", want " +
           std::to_string(model_.last);
  }
  if (db.low_water_mark() != model_.mark) {
    return "low_water_mark " + std::to_string(db.low_water_mark()) + ", want " +
           std::to_string(model_.mark);
  }
  for (const bool reverse : {false, true}) {
    if (auto why = check_scan(db, std::nullopt, std::nullopt, std::nullopt, reverse);
        !why.empty()) {
      return why;
    }
  }
  for (const auto& key : seen_keys_) {
    if (auto why = check_get(db, key, std::nullopt); !why.empty()) return why;
    if (auto why = check_history(db, key); !why.empty()) return why;
    if (auto why = check_get_versioned(db, key, std::nullopt); !why.empty()) return why;
  }
  const std::vector<std::string_view> keys(seen_keys_.begin(), seen_keys_.end());
  auto values = db.multi_get(keys);
  if (!values.is_ok()) return "multi_get: " + values.status().to_string();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::optional<std::string> want = model_.get(std::string(keys[i]), model_.last);
    if ((*values)[i] != want) {
      return "multi_get: " + std::string(keys[i]) + " = " + show((*values)[i]) + ", want " +
             show(want);
    }
  }
  if (!(model_.latest_only && model_.mark < pruned_above_)) {  // B2 tolerance: history may differ
    if (auto why = check_changes(db, model_.mark); !why.empty()) return why;
  }
  // A few older states: the mark, the floor, halfway, and every snapshot.
  std::set<Version> older = {model_.mark, floor_,
                             model_.mark + (model_.last - std::min(model_.mark, model_.last)) / 2};
  for (const auto& s : model_.snapshots) older.insert(s.version());
  for (const Version v : older) {
    if (v >= model_.last || !model_.readable(v)) continue;
    if (auto why = check_scan(db, std::nullopt, std::nullopt, v, false); !why.empty()) return why;
  }
  return "";
}

std::string CrashModel::recover(const DB& db) {
  const Version v = db.last_version();
  const Version ceiling = model_.last + (in_flight_ ? 1 : 0);
  if (v < floor_ || v > ceiling) {
    std::ostringstream why;
    why << "last_version " << v << " after recovery, want it in [" << floor_ << ", " << ceiling
        << "] (durable floor, last acknowledged" << (in_flight_ ? " + the write in flight" : "")
        << ")";
    return why.str();
  }
  if (v > model_.last) {
    model_.committed();
    apply(*in_flight_, v);
    ++recovered_in_flight_;
  } else {
    for (auto& [key, versions] : model_.keys) {
      versions.erase(versions.upper_bound(v), versions.end());
    }
    model_.last = v;
  }
  if (v > floor_) ++recovered_unsynced_;
  if (tolerate_mark_above_last && pruned_mark_ > v) {
    pruned_above_ = std::max(pruned_above_, pruned_mark_);
  }
  in_flight_.reset();
  model_.snapshots.clear();  // they died with the process

  const Version mark = db.low_water_mark();
  if (model_.latest_only) {
    model_.mark = v;
  } else {
    const Version most = std::max(model_.mark, mark_ceiling_);
    if (mark < model_.mark || mark > most) {
      return "low_water_mark " + std::to_string(mark) + " after recovery, want " +
             std::to_string(model_.mark) +
             (most > model_.mark ? " to " + std::to_string(most) : std::string());
    }
    if (mark > v && !tolerate_mark_above_last) {
      return "low_water_mark " + std::to_string(mark) + " is above last_version " +
             std::to_string(v) +
             " after recovery: a durable forget_before names versions that were lost (bug B1)";
    }
    model_.mark = mark;
  }
  mark_ceiling_ = model_.mark;
  floor_ = v;
  return check_all(db);
}

std::string CrashModel::reopened(const DB& db) {
  model_.snapshots.clear();
  if (in_flight_) return "reopened() with a write in flight: use recover()";
  floor_ = model_.last;
  return check_all(db);
}

int crash_scale() {
  const char* s = std::getenv("SAND_CRASH_SCALE");
  const int scale = s ? std::atoi(s) : 1;
  return scale > 0 ? scale : 1;
}

PowerLossOptions crash_loss(std::optional<std::uint64_t> tear_seed, bool stay_down) {
  const bool zero_fill = tear_seed && *tear_seed % 2 == 1;
  return {.tear_unsynced_tail = tear_seed,
          .zero_fill_logs = zero_fill ? kTestLogWindow : 0,
          .stay_down = stay_down};
}

void crash_and_reboot(FaultFileSystem& fs, std::unique_ptr<DB>& db,
                      std::optional<std::uint64_t> tear_seed) {
  if (!fs.is_down()) fs.power_loss(crash_loss(tear_seed, true));
  db.reset();
  fs.reboot();
}

void GateFileSystem::set_open(bool open) {
  {
    std::lock_guard lock(mu_);
    open_ = open;
  }
  cv_.notify_all();
}

Status GateFileSystem::intercept(const FsCall& call, const Forward& forward) {
  if (call.op == FsOp::kNewWritableFile && call.path.ends_with(".sst")) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }
  return forward();
}

}  // namespace sand::test
