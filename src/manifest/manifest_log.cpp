// The manifest log: rollover protocol and replay (spec/manifest.md).
#include "manifest/manifest_log.hpp"

#include <algorithm>
#include <optional>

#include "manifest/manifest_tail.hpp"
#include "wal/record_reader.hpp"

namespace sand::manifest {
namespace {

std::string join(const std::string& dir, std::string_view name) {
  std::string path = dir;
  path += '/';
  path += name;
  return path;
}

// Steps 1-3 of the rollover: a complete, durable MANIFEST.tmp.
Status write_snapshot_file(FileSystem& fs, const std::string& tmp, const State& state,
                           std::uint64_t log_id) {
  SAND_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs.new_writable_file(tmp));
  SAND_ASSIGN_OR_RETURN(std::unique_ptr<wal::RecordWriter> writer,
                        wal::RecordWriter::create(std::move(file), wal::LogKind::kManifest, log_id));
  std::string payload;
  state.snapshot_edit().encode(&payload);
  SAND_RETURN_IF_ERROR(writer->add_record(payload));
  SAND_RETURN_IF_ERROR(writer->sync());
  return writer->close();
}

// The log id in the header of a leftover MANIFEST.tmp at `tmp`, if there is
// one with a readable header.
std::optional<std::uint64_t> leftover_log_id(FileSystem& fs, const std::string& tmp) {
  if (!fs.exists(tmp)) return std::nullopt;
  auto file = fs.open_readable_file(tmp);
  if (!file.is_ok()) return std::nullopt;
  auto reader = wal::RecordReader::open((*file)->contents(), tmp, wal::LogKind::kManifest, false);
  if (!reader.is_ok() || reader->torn_tail()) return std::nullopt;
  return reader->log_id();
}

}  // namespace

ManifestLog::ManifestLog(Key, std::unique_ptr<wal::RecordWriter> writer)
    : writer_(std::move(writer)) {}

Result<std::unique_ptr<ManifestLog>> ManifestLog::create(FileSystem& fs, const std::string& dir,
                                                         State& state) {
  const std::string tmp = join(dir, kManifestTempName);
  const std::string final_path = join(dir, kManifestName);
  // Each manifest file gets its own log id, so a record of an earlier
  // manifest (stale bytes surfacing in this one's unsynced tail) never
  // verifies here.
  // A rollover that stopped before its rename (a crash, a failed rename)
  // drew its id from a state that never became durable: skip past it too.
  if (auto dead = leftover_log_id(fs, tmp)) {
    state.next_file_number = std::max(state.next_file_number, *dead + 1);
  }
  const std::uint64_t log_id = state.next_file_number++;
  Status s = write_snapshot_file(fs, tmp, state, log_id);
  if (!s.is_ok()) {
    fs.remove_file(tmp).ignore();  // best effort: a leftover tmp is harmless
    return s;
  }
  // The rename is the commit point: before it MANIFEST is the old file,
  // after it the new one, and both describe the same state.
  SAND_RETURN_IF_ERROR(fs.rename_file(tmp, final_path));
  // Appends must not begin before the new name is durable, or a power loss
  // could bring back the old MANIFEST without the edits appended to the new.
  SAND_RETURN_IF_ERROR(fs.sync_dir(dir));
  SAND_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, fs.reopen_writable_file(final_path));
  return std::make_unique<ManifestLog>(Key{}, wal::RecordWriter::resume(std::move(file), log_id));
}

Status ManifestLog::append(const Edit& e) {
  buf_.clear();
  e.encode(&buf_);
  SAND_RETURN_IF_ERROR(writer_->add_record(buf_));
  return writer_->sync();
}

std::uint64_t ManifestLog::size() const { return writer_->size(); }

Status ManifestLog::close() { return writer_->close(); }

Result<State> replay(FileSystem& fs, const std::string& dir) {
  ManifestTail tail(dir);
  SAND_RETURN_IF_ERROR(tail.update(fs).status());
  return tail.state();
}

}  // namespace sand::manifest
