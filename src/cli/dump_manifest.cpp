// `sand dump manifest` (spec/dump.md section 5).
#include "cli/dump_manifest.hpp"

#include <optional>
#include <string>

#include "cli/dump_log.hpp"
#include "manifest/edit.hpp"
#include "wal/record_reader.hpp"

namespace sand::cli {
namespace {

// A counter of the edit, or null when the edit leaves it alone.
Json counter(const std::optional<std::uint64_t>& value) { return value ? Json(*value) : Json(); }

Json table_json(const manifest::TableMeta& t, const DumpSink& sink) {
  Json table{{"number", t.number},
             {"level", t.level},
             {"file_size", t.file_size},
             {"entries", t.entries},
             {"tombstones", t.tombstones},
             {"min_version", t.min_version},
             {"max_version", t.max_version},
             {"smallest_key", sink.bytes(t.smallest_key)},
             {"largest_key", sink.bytes(t.largest_key)},
             {"run", t.run}};
  // Only tables that reference value files (manifest format 3) have it.
  if (!t.value_refs.empty()) {
    Json refs = Json::array();
    for (const manifest::ValueRefTally& r : t.value_refs) {
      refs.push_back(Json{{"file", r.file}, {"bytes", r.bytes}});
    }
    table["value_refs"] = std::move(refs);
  }
  return table;
}

// A tag 10: from manifest format version 4 (value logs) with its
// value_bytes, which older manifests do not record (and dump without).
Json value_file_json(const manifest::ValueFileMeta& f, std::uint32_t format_version) {
  Json file{{"number", f.number}, {"kind", static_cast<std::uint32_t>(f.kind)}, {"size", f.size}};
  if (format_version >= manifest::kManifestFormatVersion) file["value_bytes"] = f.value_bytes;
  return file;
}

Json edit_record(std::string_view contents, std::uint64_t offset, const manifest::Edit& e,
                 std::uint32_t format_version, const DumpSink& sink) {
  Json record = log_record("edit", contents, offset);
  record["snapshot"] = e.snapshot;
  record["next_file_number"] = counter(e.next_file_number);
  record["last_version"] = counter(e.last_version);
  record["wal_number"] = counter(e.wal_number);
  record["low_water_mark"] = counter(e.low_water_mark);
  record["removed"] = e.removed;
  Json added = Json::array();
  for (const manifest::TableMeta& t : e.added) added.push_back(table_json(t, sink));
  record["added"] = std::move(added);
  // Only edits that add or remove value files (manifest format 3) have them.
  if (!e.added_value_files.empty()) {
    Json files = Json::array();
    for (const manifest::ValueFileMeta& f : e.added_value_files) {
      files.push_back(value_file_json(f, format_version));
    }
    record["added_value_files"] = std::move(files);
  }
  if (!e.removed_value_files.empty()) record["removed_value_files"] = e.removed_value_files;
  return record;
}

}  // namespace

Result<ManifestRead> dump_manifest(std::string_view contents, std::string_view file_name,
                                   DumpSink* sink) {
  SAND_ASSIGN_OR_RETURN(
      wal::RecordReader reader,
      wal::RecordReader::open(contents, std::string(file_name), wal::LogKind::kManifest, false));
  if (sink != nullptr) {
    if (const std::optional<Json> header = log_header_record(contents, reader, *sink)) {
      sink->emit(*header);
    }
  }
  // The steps of manifest::ManifestTail::update, which every open runs.
  ManifestRead read;
  bool first = true;
  for (;;) {
    SAND_ASSIGN_OR_RETURN(const std::optional<wal::LogRecord> record, reader.next());
    if (!record) break;
    SAND_ASSIGN_OR_RETURN(const manifest::Edit edit,
                          manifest::Edit::decode(record->payload, file_name, record->offset,
                                                 reader.format_version()));
    if (sink != nullptr)
      sink->emit(edit_record(contents, record->offset, edit, reader.format_version(), *sink));
    if (first && !edit.snapshot) {
      return Status::corruption(file_name, record->offset,
                                "first manifest record is not a snapshot");
    }
    first = false;
    SAND_RETURN_IF_ERROR(read.state.apply(edit, file_name, record->offset));
  }
  if (first) {
    return Status::corruption(file_name, reader.valid_end(), "manifest holds no snapshot record");
  }
  if (sink != nullptr) {
    sink->emit(log_end_record(contents.size(), reader.valid_end(), reader.torn_tail()));
  }
  read.log_id = reader.log_id();
  return read;
}

}  // namespace sand::cli
