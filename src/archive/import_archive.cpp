// import_archive: a new database from an archive (include/sand/archive.hpp,
// spec/archive.md section 7), built by writing its tables directly.
//
// Steps (what a crash at each leaves: `dir` is untouched until step 5):
//  1. check `dir` is absent or empty; create dir.import-tmp and take its
//     LOCK (Busy for a concurrent import); remove what an earlier, crashed
//     import left in it;
//  2. read the archive: header, then the entries, already in internal-key
//     order, straight into level-2 tables (TableRunWriter), each synced and
//     closed when cut; the trailer verifies and the stream ends;
//  3. sync tmp, so the tables' names are durable before a manifest names
//     them (rule R1);
//  4. write MANIFEST (ManifestLog::create: MANIFEST.tmp, sync, rename, sync
//     tmp): the tables as one level-2 run, last_version and the mark from
//     the header, wal_number 0 (no WAL: the first open creates one), and
//     next_file_number past the tables and the manifest's log id;
//  5. rename tmp to dir (the commit point; POSIX also replaces an empty
//     directory), then sync dir's parent.
// On an error every file written to tmp is removed (tmp itself stays: the
// FileSystem seam has no call to remove a directory).
#include <istream>

#include "archive/archive_reader.hpp"
#include "archive/table_run_writer.hpp"
#include "db/db_impl.hpp"
#include "db/filenames.hpp"
#include "sand/archive.hpp"

namespace sand {
namespace {

// Removes every file in `dir` but its LOCK (best effort).
void remove_files_but_lock(FileSystem& fs, const std::string& dir) {
  Result<std::vector<std::string>> names = fs.list_dir(dir);
  if (!names.is_ok()) return;
  for (const std::string& name : *names) {
    if (name != kLockFileName) fs.remove_file(join_path(dir, name)).ignore();
  }
}

// Steps 2-4, into `tmp`.
Result<ArchiveSummary> build(FileSystem& fs, const std::string& tmp, std::istream& in,
                             const Options& options, const ImportOptions& import_options) {
  archive::ArchiveReader reader(in, import_options.name);
  SAND_ASSIGN_OR_RETURN(const archive::ArchiveHeader header, reader.read_header());
  archive::TableRunWriter run(fs, tmp, options, /*first_number=*/1);
  std::uint64_t reported_bytes = 0;
  auto report = [&] {
    reported_bytes = reader.bytes();
    if (import_options.progress) {
      import_options.progress({.entries = reader.entries(), .bytes = reader.bytes()});
    }
  };
  while (true) {
    SAND_ASSIGN_OR_RETURN(const bool more, reader.next());
    if (!more) break;
    const archive::ArchiveEntry& e = reader.entry();
    SAND_RETURN_IF_ERROR(run.add(e.user_key, e.version, e.kind, e.value));
    if (reader.bytes() != reported_bytes) report();  // a new chunk was read
  }
  report();
  SAND_ASSIGN_OR_RETURN(std::vector<manifest::TableMeta> tables, run.finish());
  SAND_RETURN_IF_ERROR(fs.sync_dir(tmp));

  manifest::State state;
  state.next_file_number = run.next_number();
  state.last_version = header.last_version;
  state.low_water_mark = header.low_water_mark;
  for (manifest::TableMeta& t : tables) {
    const std::uint64_t number = t.number;
    state.tables.emplace(number, std::move(t));
  }
  SAND_ASSIGN_OR_RETURN(auto manifest, manifest::ManifestLog::create(fs, tmp, state));
  SAND_RETURN_IF_ERROR(manifest->close());
  return ArchiveSummary{.last_version = header.last_version,
                        .low_water_mark = header.low_water_mark,
                        .entries = reader.entries(),
                        .bytes = reader.bytes()};
}

}  // namespace

Result<ArchiveSummary> import_archive(const std::string& dir, std::istream& in,
                                      const Options& options, const ImportOptions& import_options) {
  std::string target = dir;
  while (target.size() > 1 && target.back() == '/') target.pop_back();
  if (target.empty()) return Status::invalid_argument("import: the database directory is empty");
  SAND_RETURN_IF_ERROR(DB::Impl::validate_options(options));
  const std::shared_ptr<FileSystem> fs =
      options.file_system ? options.file_system : posix_file_system();

  // Step 1.
  if (fs->exists(target)) {
    SAND_ASSIGN_OR_RETURN(const std::vector<std::string> names, fs->list_dir(target));
    if (!names.empty()) {
      return Status::invalid_argument(target +
                                      ": not empty (import creates a new database; "
                                      "give an absent or empty directory)");
    }
  }
  const std::string tmp = target + kImportTempSuffix;
  SAND_RETURN_IF_ERROR(fs->create_dir(tmp));
  std::unique_ptr<FileLock> lock;
  { SAND_ASSIGN_OR_RETURN(lock, fs->lock_file(join_path(tmp, kLockFileName))); }
  remove_files_but_lock(*fs, tmp);
  const auto abandon = [&](Status s) -> Status {
    remove_files_but_lock(*fs, tmp);
    lock.reset();
    fs->remove_file(join_path(tmp, kLockFileName)).ignore();
    return s;
  };

  Result<ArchiveSummary> summary = build(*fs, tmp, in, options, import_options);
  if (!summary.is_ok()) return abandon(summary.status());
  // Step 5.
  if (Status s = fs->rename_file(tmp, target); !s.is_ok()) return abandon(s);
  SAND_RETURN_IF_ERROR(fs->sync_dir(parent_dir(target)));
  return summary;
}

}  // namespace sand
