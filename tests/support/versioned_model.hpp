// VersionedModel: the reference the model tests and fuzz/db_ops check the DB
// against: the full versioned history of every key plus the retention rules
// of include/sand/db.hpp (low-water mark, snapshots, history filtering).
// Test-only; a plain value. Header-only and free of Catch2, so the fuzz
// targets can use it without the test support library.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sand/sand.hpp"

namespace sand::test {

using Versions = std::map<Version, std::optional<std::string>>;  // nullopt: deleted

struct VersionedModel {
  bool latest_only = false;
  std::map<std::string, Versions> keys;
  Version last = 0;
  Version mark = 0;                 // M
  std::vector<Snapshot> snapshots;  // the live ones

  // After each committed write.
  void committed() {
    ++last;
    if (latest_only) mark = last;
  }

  bool readable(Version at) const {
    if (at > last) return false;
    if (at >= mark) return true;
    return std::any_of(snapshots.begin(), snapshots.end(),
                       [at](const Snapshot& s) { return s.version() == at; });
  }

  // The newest entry of k at or below `at`: (version, value), or nullopt.
  std::optional<std::pair<Version, std::optional<std::string>>> newest(const std::string& k,
                                                                       Version at) const {
    const auto it = keys.find(k);
    if (it == keys.end()) return std::nullopt;
    auto v = it->second.upper_bound(at);
    if (v == it->second.begin()) return std::nullopt;
    --v;
    return std::make_pair(v->first, v->second);
  }

  std::optional<std::string> get(const std::string& k, Version at) const {
    auto entry = newest(k, at);
    return entry ? entry->second : std::nullopt;
  }

  std::vector<HistoryEntry> history(const std::string& k) const {
    std::vector<HistoryEntry> out;
    const auto it = keys.find(k);
    if (it == keys.end()) return out;
    for (auto v = it->second.rbegin(); v != it->second.rend(); ++v) {
      out.push_back({.version = v->first, .deleted = !v->second, .value = v->second.value_or("")});
      if (v->first < mark) break;  // the newest version below M is the last one kept
    }
    while (!out.empty() && out.back().deleted) out.pop_back();
    return out;
  }

  // DB::get_versioned(k, at) for at >= mark: the first history entry at or
  // below `at`.
  std::optional<HistoryEntry> get_versioned(const std::string& k, Version at) const {
    for (HistoryEntry& e : history(k)) {
      if (e.version <= at) return std::move(e);
    }
    return std::nullopt;
  }

  // The version a write precondition compares: the newest put's, 0 if the
  // newest entry is a tombstone or there is none.
  Version key_version(const std::string& k) const {
    const auto entry = newest(k, last);
    return entry && entry->second ? entry->first : 0;
  }

  // DB::changes(since, until) for since >= mark: every history entry with a
  // version in (since, until], one batch per version, keys ascending.
  std::vector<ChangeBatch> changes(Version since, Version until) const {
    std::map<Version, ChangeBatch> batches;
    for (const auto& [k, versions] : keys) {  // ascending keys
      for (const HistoryEntry& e : history(k)) {
        if (e.version <= since || e.version > until) continue;
        ChangeBatch& b = batches[e.version];
        b.version = e.version;
        b.changes.push_back(Change{.key = k, .deleted = e.deleted, .value = e.value});
      }
    }
    std::vector<ChangeBatch> out;
    for (auto& [v, b] : batches) out.push_back(std::move(b));
    return out;
  }

  // The live keys as of `at` in [lower, upper) (nullopt: unbounded),
  // ascending, with the value and the version that wrote it.
  struct LiveEntry {
    std::string key, value;
    Version version = 0;
    friend bool operator==(const LiveEntry&, const LiveEntry&) = default;
  };
  std::vector<LiveEntry> live(Version at, const std::optional<std::string>& lower = std::nullopt,
                              const std::optional<std::string>& upper = std::nullopt) const {
    std::vector<LiveEntry> out;
    for (const auto& [k, versions] : keys) {
      if ((lower && k < *lower) || (upper && k >= *upper)) continue;
      const auto entry = newest(k, at);
      if (entry && entry->second) out.push_back({k, *entry->second, entry->first});
    }
    return out;
  }
};

}  // namespace sand::test
