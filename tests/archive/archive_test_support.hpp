// Helpers for the archive tests: export to a string, import from one, and
// compare two databases read by read (the export/import oracle). Test-only.
#pragma once

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sand/sand.hpp"

namespace sand::test {

// The archive of `db` as bytes.
inline Result<std::string> export_to_string(const DB& db, ExportOptions options = {}) {
  std::ostringstream out;
  SAND_ASSIGN_OR_RETURN(const ArchiveSummary summary, export_archive(db, out, options));
  (void)summary;
  return out.str();
}

// Imports `bytes` into the new database `dir`.
inline Result<ArchiveSummary> import_from_string(const std::string& dir, const std::string& bytes,
                                                 const Options& options) {
  std::istringstream in(bytes);
  return import_archive(dir, in, options);
}

// A readable form of a read's outcome, so two outcomes compare as strings.
template <typename T>
std::string outcome(const Result<T>& r, std::string (*show)(const T&)) {
  if (!r.is_ok()) return "error " + std::string(code_name(r.status().code()));
  return show(*r);
}

inline std::string show_value(const std::optional<std::string>& v) {
  return v ? "value '" + *v + "'" : "absent";
}

inline std::string show_history(const std::vector<HistoryEntry>& h) {
  std::string s = "[";
  for (const HistoryEntry& e : h) {
    s += " " + std::to_string(e.version) + (e.deleted ? ":del" : ":'" + e.value + "'");
  }
  return s + " ]";
}

// Every key and value of a scan as of `at` (latest if nullopt), or its error.
inline std::string scan_text(const DB& db, std::optional<Version> at) {
  Result<Iterator> it = db.scan({.at = at});
  if (!it.is_ok()) return "error " + std::string(code_name(it.status().code()));
  std::string s;
  for (; it->valid(); it->next()) {
    s += std::string(it->key()) + "=" + std::string(it->value()) + "@" +
         std::to_string(it->version()) + "\n";
  }
  if (!it->status().is_ok()) s += "error " + it->status().to_string();
  return s;
}

// The first way `b` answers differently from `a`, or nullopt: last version,
// mark, history of each of `keys`, get of each key at every version
// 0..last+1 (refusals included), and scans at the latest version, at the
// mark and at a few versions between.
inline std::optional<std::string> first_difference(const DB& a, const DB& b,
                                                   const std::vector<std::string>& keys) {
  if (a.last_version() != b.last_version()) {
    return "last_version " + std::to_string(a.last_version()) + " vs " +
           std::to_string(b.last_version());
  }
  if (a.low_water_mark() != b.low_water_mark()) {
    return "low_water_mark " + std::to_string(a.low_water_mark()) + " vs " +
           std::to_string(b.low_water_mark());
  }
  const Version last = a.last_version();
  for (const std::string& key : keys) {
    const std::string ha = outcome(a.history(key), &show_history);
    const std::string hb = outcome(b.history(key), &show_history);
    if (ha != hb) return "history of '" + key + "': " + ha + " vs " + hb;
    for (Version v = 0; v <= last + 1; ++v) {
      const std::string ga = outcome(a.get(key, v), &show_value);
      const std::string gb = outcome(b.get(key, v), &show_value);
      if (ga != gb) return "get '" + key + "' at " + std::to_string(v) + ": " + ga + " vs " + gb;
    }
  }
  const Version mark = a.low_water_mark();
  for (std::optional<Version> at :
       {std::optional<Version>(), std::optional<Version>(mark),
        std::optional<Version>(mark + (last - mark) / 2), std::optional<Version>(last)}) {
    const std::string sa = scan_text(a, at), sb = scan_text(b, at);
    if (sa != sb) {
      return "scan at " + (at ? std::to_string(*at) : std::string("latest")) + ":\n" + sa + "vs\n" +
             sb;
    }
  }
  return std::nullopt;
}

}  // namespace sand::test
