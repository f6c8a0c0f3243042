// ManifestTail: incremental replay of a MANIFEST that may change under us.
#include "manifest/manifest_tail.hpp"

#include <xxhash.h>

#include <memory>
#include <optional>

#include "manifest/manifest_log.hpp"
#include "wal/record_reader.hpp"

namespace sand::manifest {
namespace {

std::uint64_t prefix_hash(std::string_view bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

}  // namespace

Result<bool> ManifestTail::update(FileSystem& fs) {
  const std::string path = dir_ + "/" + std::string(kManifestName);
  SAND_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> file, fs.open_readable_file(path));
  const std::string_view contents = file->contents();

  // Never point-in-time: a manifest edit cannot be skipped without losing
  // track of live tables.
  const bool same_file = applied_ > 0 && contents.size() >= applied_ &&
                         prefix_hash(contents.substr(0, applied_)) == applied_hash_;
  std::optional<wal::RecordReader> reader;
  State state;
  if (same_file) {
    if (contents.size() == applied_) return false;
    state = state_;
    reader = wal::RecordReader::resume(contents.substr(applied_), applied_, path, log_id_, false);
  } else {
    SAND_ASSIGN_OR_RETURN(reader,
                          wal::RecordReader::open(contents, path, wal::LogKind::kManifest, false));
  }
  const std::uint32_t format_version = same_file ? format_version_ : reader->format_version();

  bool first = !same_file;
  bool changed = !same_file;
  for (;;) {
    SAND_ASSIGN_OR_RETURN(std::optional<wal::LogRecord> record, reader->next());
    if (!record) break;
    SAND_ASSIGN_OR_RETURN(Edit edit,
                          Edit::decode(record->payload, path, record->offset, format_version));
    if (first && !edit.snapshot) {
      return Status::corruption(path, record->offset, "first manifest record is not a snapshot");
    }
    first = false;
    changed = true;
    SAND_RETURN_IF_ERROR(state.apply(edit, path, record->offset));
  }
  if (first) {
    return Status::corruption(path, reader->valid_end(), "manifest holds no snapshot record");
  }
  applied_ = reader->valid_end();
  log_id_ = reader->log_id();
  format_version_ = format_version;
  applied_hash_ = prefix_hash(contents.substr(0, applied_));
  state_ = std::move(state);
  return changed;
}

}  // namespace sand::manifest
