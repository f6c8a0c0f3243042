// `sand dump db` (spec/dump.md section 6).
#include "cli/dump_db.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "cli/dump_manifest.hpp"
#include "db/filenames.hpp"
#include "db/recovery.hpp"
#include "manifest/edit.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

namespace sand::cli {
namespace {

using manifest::TableMeta;

// One sorted run: its manifest run id (0 where the manifest records none:
// a level-0 table, level 2) and its tables in key order.
struct Run {
  std::uint64_t id = 0;
  std::vector<const TableMeta*> tables;
  Version max_version() const {
    Version v = 0;
    for (const TableMeta* t : tables) v = std::max(v, t->max_version);
    return v;
  }
  Version min_version() const {
    Version v = tables.front()->min_version;
    for (const TableMeta* t : tables) v = std::min(v, t->min_version);
    return v;
  }
};

// The runs of `level` in the order a read consults them (spec/README.md
// "Levels and sorted runs"): newest (largest max_version) first.
std::vector<Run> runs_of(const manifest::State& state, int level) {
  std::vector<Run> runs;
  std::map<std::uint64_t, std::size_t> by_id;  // grouped run id -> index in runs
  for (const auto& [number, t] : state.tables) {
    if (t.level != level) continue;
    // Level 2 is one run; a level-1 run id groups its tables; any other
    // table (level 0, level 1 with run 0) is a run of its own.
    const bool grouped = level == 2 || (level == 1 && t.run != 0);
    const std::uint64_t key = level == 2 ? 0 : t.run;
    if (!grouped || !by_id.contains(key)) {
      if (grouped) by_id[key] = runs.size();
      runs.push_back(Run{.id = t.run, .tables = {}});
    }
    runs[grouped ? by_id[key] : runs.size() - 1].tables.push_back(&t);
  }
  for (Run& run : runs) {
    std::sort(run.tables.begin(), run.tables.end(), [](const TableMeta* a, const TableMeta* b) {
      return a->smallest_key < b->smallest_key;
    });
  }
  // Ties (never written by sanddb) fall back to the higher run id, then the
  // higher table number, so the order is still total.
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) {
    if (a.max_version() != b.max_version()) return a.max_version() > b.max_version();
    if (a.id != b.id) return a.id > b.id;
    return a.tables.front()->number > b.tables.front()->number;
  });
  return runs;
}

void dump_level(const manifest::State& state, int level, DumpSink& sink) {
  const std::vector<Run> runs = runs_of(state, level);
  std::uint64_t tables = 0, bytes = 0;
  for (const Run& run : runs) {
    tables += run.tables.size();
    for (const TableMeta* t : run.tables) bytes += t->file_size;
  }
  sink.emit(Json{{"record", "level"},
                 {"level", level},
                 {"runs", runs.size()},
                 {"tables", tables},
                 {"bytes", bytes}});
  for (const Run& run : runs) {
    sink.emit(Json{{"record", "run"},
                   {"level", level},
                   {"run", run.id},
                   {"tables", run.tables.size()},
                   {"min_version", run.min_version()},
                   {"max_version", run.max_version()}},
              1);
    for (const TableMeta* t : run.tables) {
      sink.emit(Json{{"record", "table"},
                     {"level", level},
                     {"run", run.id},
                     {"number", t->number},
                     {"file", table_file_name(t->number)},
                     {"file_size", t->file_size},
                     {"entries", t->entries},
                     {"tombstones", t->tombstones},
                     {"min_version", t->min_version},
                     {"max_version", t->max_version},
                     {"smallest_key", sink.bytes(t->smallest_key)},
                     {"largest_key", sink.bytes(t->largest_key)}},
                2);
    }
  }
}

// What replaying one live WAL gave.
struct WalSummary {
  std::uint64_t number = 0;
  std::uint64_t size = 0;
  std::uint64_t records = 0;
  Version last_version = 0;  // 0: no batch
  wal::ReplayStats stats;
};

// Replays the live WALs in order, each version above the one before (rule
// P4 across files).
Result<std::vector<WalSummary>> replay_wals(FileSystem& fs, const std::string& dir,
                                            const std::vector<std::uint64_t>& numbers) {
  std::vector<WalSummary> wals;
  Version previous = 0;
  for (const std::uint64_t number : numbers) {
    const std::string path = join_path(dir, wal_file_name(number));
    SAND_ASSIGN_OR_RETURN(const std::unique_ptr<ReadableFile> file, fs.open_readable_file(path));
    WalSummary summary;
    summary.number = number;
    summary.size = file->contents().size();
    SAND_ASSIGN_OR_RETURN(summary.stats, wal::replay(
                                             file->contents(), path, number, false,
                                             [&](std::string_view rep, std::uint64_t) {
                                               summary.last_version =
                                                   WriteBatchAccess::version(rep);
                                               return Status::ok();
                                             },
                                             previous));
    summary.records = summary.stats.records;
    previous = std::max(previous, summary.last_version);
    wals.push_back(summary);
  }
  return wals;
}

}  // namespace

Status dump_db(FileSystem& fs, const std::string& dir, DumpSink& sink) {
  const std::string manifest_path = join_path(dir, kManifestName);
  SAND_ASSIGN_OR_RETURN(const std::unique_ptr<ReadableFile> manifest_file,
                        fs.open_readable_file(manifest_path));
  SAND_ASSIGN_OR_RETURN(const ManifestRead manifest,
                        dump_manifest(manifest_file->contents(), manifest_path, nullptr));
  const manifest::State& state = manifest.state;
  SAND_ASSIGN_OR_RETURN(const std::vector<std::string> names, fs.list_dir(dir));
  const DirListing listing = list_database_files(names);
  SAND_RETURN_IF_ERROR(check_files_present(dir, state, listing));
  SAND_ASSIGN_OR_RETURN(const std::vector<WalSummary> wals,
                        replay_wals(fs, dir, listing.wals_from(state.wal_number)));

  // The database's last version (spec/manifest.md section 3).
  Version last_version = state.last_version;
  for (const WalSummary& w : wals) last_version = std::max(last_version, w.last_version);
  sink.emit(Json{{"record", "database"},
                 {"last_version", last_version},
                 {"manifest_last_version", state.last_version},
                 {"low_water_mark", state.low_water_mark},
                 {"next_file_number", state.next_file_number},
                 {"wal_number", state.wal_number},
                 {"manifest_log_id", manifest.log_id},
                 {"manifest_size", manifest_file->contents().size()},
                 {"tables", state.tables.size()},
                 {"wals", wals.size()}});
  for (int level = 0; level <= manifest::kMaxLevel; ++level) dump_level(state, level, sink);
  for (const WalSummary& w : wals) {
    sink.emit(Json{{"record", "wal"},
                   {"number", w.number},
                   {"file", wal_file_name(w.number)},
                   {"size", w.size},
                   {"records", w.records},
                   {"last_version", w.last_version},
                   {"sealed", w.stats.sealed},
                   {"valid_end", w.stats.valid_end},
                   {"torn_tail", w.stats.torn_tail}});
  }
  // The live value files (spec/values.md), in number order: what the
  // manifest says of each, and the bytes the live tables reference in it
  // now. Their bytes are not read beyond the presence check above.
  const std::map<std::uint64_t, std::uint64_t> referenced = state.referenced_value_bytes();
  for (const auto& [number, f] : state.value_files) {
    const auto bytes = referenced.find(number);
    sink.emit(
        Json{{"record", "value_file"},
             {"number", number},
             {"file", value_file_name(f)},
             {"kind", static_cast<std::uint32_t>(f.kind)},
             {"size", f.size},
             {"value_bytes", f.value_bytes},
             {"referenced_bytes", bytes == referenced.end() ? std::uint64_t{0} : bytes->second}});
  }
  return Status::ok();
}

}  // namespace sand::cli
