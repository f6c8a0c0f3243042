// check_database: read every file of a database and verify it (sand/check.hpp):
// the directory walk, findings and the report. The per-file checks are in
// check_manifest.cpp, check_table.cpp and check_wal.cpp (check/checker.hpp).
//
// Order matters next to a live writer: MANIFEST is read before the directory
// is listed, so every WAL the manifest needs was created before the listing
// (spec/README.md rule W3) and appears in it. A file that vanishes later was
// retired by a newer manifest edit, which a second read of MANIFEST shows.
//
// Thread-safety: check_database is reentrant (check/checker.hpp).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <vector>

#include "check/checker.hpp"
#include "manifest/manifest_log.hpp"

namespace sand {
namespace checker {

// Bytes for messages: printable ASCII kept, others \xNN, long keys cut.
std::string printable(std::string_view bytes) {
  constexpr std::size_t kMax = 40;
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (bytes.size() > kMax) out += "...";
  return out;
}

// Built with += : g++ 12 at -O3 reports a false -Wrestrict on "'" + s + "'".
std::string quoted(std::string_view bytes) {
  std::string out = "'";
  out += printable(bytes);
  out += '\'';
  return out;
}

// "'key'@version" for an internal key.
std::string describe_key(std::string_view internal_key) {
  ParsedKey parsed;
  if (!parse_internal_key(internal_key, &parsed)) return quoted(internal_key);
  std::string out = quoted(parsed.user_key);
  out += '@';
  out += std::to_string(parsed.version);
  return out;
}

std::size_t Checker::add_file(std::string name, CheckFileType type) {
  report_.files.push_back(CheckedFile{.file = std::move(name), .type = type});
  return report_.files.size() - 1;
}

void Checker::problem(std::size_t file, std::uint64_t offset, std::string what) {
  report_.files[file].outcome = Outcome::kBad;
  report_.problems.push_back(
      CheckProblem{.file = report_.files[file].file, .offset = offset, .what = std::move(what)});
}

void Checker::problem_from(std::size_t file, const Status& status, std::uint64_t offset) {
  const std::string& message = status.message();
  const std::string prefix = report_.files[file].file + ": offset ";
  if (status.code() == Code::kCorruption && message.starts_with(prefix)) {
    const char* begin = message.data() + prefix.size();
    const char* end = message.data() + message.size();
    std::uint64_t parsed = 0;
    const auto [rest, ec] = std::from_chars(begin, end, parsed);
    const std::string_view tail(rest, static_cast<std::size_t>(end - rest));
    if (ec == std::errc() && tail.starts_with(": ")) {
      problem(file, parsed, std::string(tail.substr(2)));
      return;
    }
  }
  problem(file, offset, status.code() == Code::kCorruption ? message : status.to_string());
}

void Checker::report_progress() {
  if (!options_.progress) return;
  std::uint64_t bytes = 0;
  for (const CheckedFile& f : report_.files) bytes += f.bytes;
  options_.progress(report_.files.size(), planned_files_, bytes);
}

void Checker::note(std::string file, std::uint64_t offset, std::string what) {
  report_.notes.push_back(
      CheckNote{.file = std::move(file), .offset = offset, .what = std::move(what)});
}

bool Checker::retired_table(std::uint64_t number) {
  Result<manifest::State> now = manifest::replay(fs_, dir_);
  return now.is_ok() && !now->tables.contains(number);
}

bool Checker::retired_wal(std::uint64_t number) {
  Result<manifest::State> now = manifest::replay(fs_, dir_);
  return now.is_ok() && now->wal_number > number;
}

bool Checker::retired_value_file(std::uint64_t number) {
  Result<manifest::State> now = manifest::replay(fs_, dir_);
  return now.is_ok() && !now->value_files.contains(number);
}

Result<CheckReport> Checker::run() {
  // MANIFEST first, then the listing: see the file comment.
  Result<std::unique_ptr<ReadableFile>> manifest = fs_.open_readable_file(path_of(kManifestName));
  Result<std::vector<std::string>> names = fs_.list_dir(dir_);
  if (!names.is_ok()) {
    if (names.status().code() == Code::kNotFound) {
      return Status::not_found(dir_ + ": no database (no such directory)");
    }
    return names.status();
  }
  std::vector<std::uint64_t> tables, wals, value_logs;
  bool manifest_temp = false;
  for (const std::string& name : *names) {
    const std::optional<ParsedFileName> parsed = parse_file_name(name);
    if (!parsed) continue;
    if (parsed->type == FileType::kTable) tables.push_back(parsed->number);
    if (parsed->type == FileType::kWal) wals.push_back(parsed->number);
    if (parsed->type == FileType::kValueLog) value_logs.push_back(parsed->number);
    if (parsed->type == FileType::kManifestTemp) manifest_temp = true;
  }
  std::sort(tables.begin(), tables.end());
  std::sort(wals.begin(), wals.end());
  std::sort(value_logs.begin(), value_logs.end());
  if (!manifest.is_ok() && manifest.status().code() == Code::kNotFound && tables.empty() &&
      wals.empty() && value_logs.empty()) {
    return Status::not_found(dir_ + ": no database (no MANIFEST)");
  }

  check_manifest(manifest);
  if (state_) {
    std::vector<std::uint64_t> live;
    for (const std::uint64_t n : wals) {
      if (n >= state_->wal_number) live.push_back(n);
    }
    // The WAL that wal_number names exists before the edit naming it is
    // written (rule W3); with MANIFEST read before the listing, it is listed.
    const std::uint64_t needed = state_->wal_number;
    const bool needed_missing =
        needed != 0 && !std::binary_search(wals.begin(), wals.end(), needed);
    planned_files_ = 1 + state_->tables.size() + state_->value_files.size() + live.size() +
                     (needed_missing ? 1 : 0);
    report_progress();
    // Value files are mapped first: the tables' value references are
    // resolved against them as the tables are checked.
    open_value_files();
    for (const auto& [number, meta] : state_->tables) {
      check_table(number, &meta);
      report_progress();
    }
    // Value files of the WAL kind are WALs below wal_number (spec/values.md
    // section 3), so they come first among the WALs, and their versions
    // precede the live WALs'. Value logs hold no versions.
    Version previous = 0;
    for (const auto& [number, meta] : state_->value_files) {
      check_value_file(number, &previous);
      report_progress();
    }
    if (needed_missing) {
      const std::size_t file = add_file(wal_file_name(needed), CheckFileType::kWal);
      if (retired_wal(needed)) {
        report_.files[file].outcome = Outcome::kSkipped;
      } else {
        problem(file, kWholeFile,
                "missing: the manifest's wal_number names this WAL but there is no such file");
      }
      report_progress();
    }
    const std::size_t newest = newest_wal(live);
    Version live_last = 0;  // the last version in the live WALs checked
    for (std::size_t i = 0; i < live.size(); ++i) {
      const Version before = previous;
      check_wal(live[i], i >= newest, &previous, live_last);
      if (previous != before) live_last = previous;
      report_progress();
    }
    for (const std::uint64_t n : tables) {
      if (!state_->tables.contains(n)) {
        note(table_file_name(n), kWholeFile,
             "orphan table: not named by the manifest (left by a crash or being written; a "
             "writer's open deletes it)");
      }
    }
    const std::map<std::uint64_t, std::uint64_t> referenced = state_->referenced_value_bytes();
    const auto live_value_bytes = [&](std::uint64_t n) {
      const auto bytes = referenced.find(n);
      return bytes == referenced.end() ? std::uint64_t{0} : bytes->second;
    };
    const auto value_file_of_kind = [&](std::uint64_t n, manifest::ValueFileKind kind) {
      const auto f = state_->value_files.find(n);
      return f != state_->value_files.end() && f->second.kind == kind;
    };
    for (const std::uint64_t n : wals) {
      if (n >= state_->wal_number) continue;
      const std::string below =
          "below the manifest's wal_number " + std::to_string(state_->wal_number);
      if (!value_file_of_kind(n, manifest::ValueFileKind::kWal)) {
        note(wal_file_name(n), kWholeFile,
             "orphan WAL: " + below + " (already flushed; a writer's open deletes it)");
        continue;
      }
      // Not an orphan: checked above, as a sealed WAL that is not replayed.
      const std::uint64_t live_bytes = live_value_bytes(n);
      note(wal_file_name(n), kWholeFile,
           "value file: a WAL " + below + " (already flushed)" +
               (live_bytes == 0
                    ? std::string(" that no live table references any more (nothing reads it)")
                    : ", kept because live tables reference " + std::to_string(live_bytes) +
                          " bytes of values in it; never replayed"));
    }
    for (const std::uint64_t n : value_logs) {
      if (!value_file_of_kind(n, manifest::ValueFileKind::kValueLog)) {
        note(value_log_file_name(n), kWholeFile,
             "orphan value log: not named by the manifest (left by a crashed compaction; a "
             "writer's open deletes it)");
        continue;
      }
      // Not an orphan: checked above, as a value log.
      const std::uint64_t live_bytes = live_value_bytes(n);
      note(value_log_file_name(n), kWholeFile,
           std::string("value log: values compaction moved out of mostly-dead value files") +
               (live_bytes == 0
                    ? std::string(", that no live table references any more (nothing reads it)")
                    : ", kept because live tables reference " + std::to_string(live_bytes) +
                          " bytes of values in it"));
    }
  } else {
    note(std::string(kManifestName), kWholeFile,
         "no usable manifest: every table, WAL and value log in the directory was checked on "
         "its own");
    planned_files_ = 1 + tables.size() + wals.size() + value_logs.size();
    report_progress();
    for (const std::uint64_t n : tables) {
      check_table(n, nullptr);
      report_progress();
    }
    Version previous = 0;
    const std::size_t newest = newest_wal(wals);
    for (std::size_t i = 0; i < wals.size(); ++i) {
      // Without a manifest, WALs kept as value files are among them, and
      // the WALs between those were deleted: versions may skip (rule P8
      // holds for the manifest's live WALs only).
      check_wal(wals[i], i >= newest, &previous, 0);
      report_progress();
    }
    // A value log on its own: its records only, against its whole length.
    for (const std::uint64_t n : value_logs) {
      ValueFileCheck& v = value_files_[n];
      v.kind = manifest::ValueFileKind::kValueLog;
      v.name = value_log_file_name(n);
      map_value_file(v);
      if (v.mapped != nullptr) v.manifest_size = v.mapped->contents().size();
      check_value_file(n, &previous);
      report_progress();
    }
  }
  if (manifest_temp) {
    note(std::string(kManifestTempName), kWholeFile,
         "leftover of a manifest rewrite (interrupted, or in progress); never read, a writer's "
         "open deletes it");
  }

  for (const CheckedFile& f : report_.files) {
    if (f.outcome == Outcome::kSkipped) continue;
    // Value logs count with the WALs (CheckReport::wals).
    CheckTotals& t = f.type == CheckFileType::kManifest ? report_.manifest
                     : f.type == CheckFileType::kTable  ? report_.tables
                                                        : report_.wals;
    ++t.files;
    t.bytes += f.bytes;
    t.units += f.units;
    t.entries += f.entries;
  }
  return std::move(report_);
}

}  // namespace checker

Result<CheckReport> check_database(const std::string& path, const Options& options) {
  return check_database(path, options, CheckOptions{});
}

Result<CheckReport> check_database(const std::string& path, const Options& options,
                                   const CheckOptions& check_options) {
  const std::shared_ptr<FileSystem> fs =
      options.file_system ? options.file_system : posix_file_system();
  checker::Checker checker(*fs, path, check_options);
  return checker.run();
}

}  // namespace sand
