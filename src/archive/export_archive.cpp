// export_archive: the retained history of a DB, as of one version, written as
// an archive (include/sand/archive.hpp, spec/archive.md).
//
// The version and the mark come with the view they belong to
// (DB::Impl::read_point): every version up to L is in the view and nothing in
// it was cut with a mark above M, so the entries written are exactly what
// history() lists as of L. Writers go on meanwhile; their newer versions,
// which the view's active memtable may receive, are skipped.
#include <ostream>

#include "archive/archive_writer.hpp"
#include "archive/retained_entries.hpp"
#include "db/db_access.hpp"
#include "sand/archive.hpp"

namespace sand {

Result<ArchiveSummary> export_archive(const DB& db, std::ostream& out,
                                      const ExportOptions& options) {
  if (options.chunk_size == 0) return Status::invalid_argument("export: chunk_size is 0");
  const DB::Impl::ReadPoint point = detail::DbAccess::impl(db).read_point();
  const std::uint64_t total = archive::stored_entries(*point.view);
  archive::ArchiveWriter writer(
      out, options.name, options.chunk_size,
      [&options, total](std::uint64_t entries, std::uint64_t bytes) {
        if (options.progress) {
          options.progress({.entries = entries, .bytes = bytes, .total_entries = total});
        }
      });
  SAND_RETURN_IF_ERROR(writer.begin(point.last, point.mark));
  SAND_RETURN_IF_ERROR(archive::for_each_retained(
      *point.view, point.last, point.mark,
      [&writer](std::string_view key, Version version, EntryKind kind, std::string_view value) {
        return writer.add(key, version, kind, value);
      }));
  SAND_RETURN_IF_ERROR(writer.finish());
  return ArchiveSummary{.last_version = point.last,
                        .low_water_mark = point.mark,
                        .entries = writer.entries(),
                        .bytes = writer.bytes()};
}

}  // namespace sand
