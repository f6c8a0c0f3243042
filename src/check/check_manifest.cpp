// Checking MANIFEST: every record, every edit, the level-1 runs and level 2
// (check/checker.hpp).
#include "check/checker.hpp"

#include <algorithm>

#include "manifest/edit.hpp"
#include "manifest/manifest_log.hpp"
#include "wal/log_format.hpp"
#include "wal/record_reader.hpp"

namespace sand::checker {

void Checker::check_manifest(const Result<std::unique_ptr<ReadableFile>>& opened) {
  const std::string name(kManifestName);
  manifest_file_ = add_file(name, CheckFileType::kManifest);
  if (!opened.is_ok()) {
    if (opened.status().code() == Code::kNotFound) {
      problem(manifest_file_, kWholeFile,
              "missing: the directory holds tables or WALs but no MANIFEST");
    } else {
      problem_from(manifest_file_, opened.status(), kWholeFile);
    }
    return;
  }
  const std::string_view contents = (*opened)->contents();
  report_.files[manifest_file_].bytes = contents.size();
  Result<wal::RecordReader> reader =
      wal::RecordReader::open(contents, name, wal::LogKind::kManifest, false);
  if (!reader.is_ok()) {
    problem_from(manifest_file_, reader.status(), 0);
    return;
  }

  manifest::State state;
  std::map<std::uint64_t, std::uint64_t> added_at;
  bool applying = true;      // false once the state is no longer the file's
  std::uint64_t framed = 0;  // records whose checksum passed
  bool read_error = false;
  for (;;) {
    Result<std::optional<wal::LogRecord>> record = reader->next();
    if (!record.is_ok()) {
      // Past a bad record the framing is lost: nothing after it can be read.
      problem_from(manifest_file_, record.status(), reader->valid_end());
      read_error = true;
      applying = false;
      break;
    }
    if (!record->has_value()) break;
    const wal::LogRecord& r = **record;
    const bool first = framed++ == 0;
    // Decoding needs no context, so every record is decoded even once an
    // earlier one failed; applying does, so it stops at the first failure.
    Result<manifest::Edit> edit =
        manifest::Edit::decode(r.payload, name, r.offset, reader->format_version());
    if (!edit.is_ok()) {
      problem_from(manifest_file_, edit.status(), r.offset);
      applying = false;
      continue;
    }
    if (first && !edit->snapshot) {
      problem(manifest_file_, r.offset, "first manifest record is not a snapshot");
      applying = false;
    }
    ++report_.files[manifest_file_].units;
    if (!applying) continue;
    Status applied = state.apply(*edit, name, r.offset);
    if (!applied.is_ok()) {
      problem_from(manifest_file_, applied, r.offset);
      applying = false;
      continue;
    }
    if (edit->snapshot) added_at.clear();
    for (const manifest::TableMeta& t : edit->added) added_at[t.number] = r.offset;
  }
  if (read_error) return;
  if (framed == 0) {
    problem(manifest_file_, reader->valid_end(), "manifest holds no snapshot record");
    return;
  }
  if (reader->torn_tail()) {
    note(name, reader->valid_end(),
         "torn last record: " + std::to_string(contents.size() - reader->valid_end()) +
             " bytes of an append that did not complete (ignored when reading)");
  }
  if (!applying) return;
  report_.files[manifest_file_].entries = state.tables.size();
  state_ = std::move(state);
  added_at_ = std::move(added_at);
  check_run_overlaps();
}

// Level 2, and each level-1 run, must hold tables with disjoint key ranges:
// reads pick at most one table per run for a key.
void Checker::check_run_overlaps() {
  std::map<std::pair<int, std::uint64_t>, std::vector<const manifest::TableMeta*>> runs;
  for (const auto& [number, meta] : state_->tables) {
    if (meta.level == 2 || (meta.level == 1 && meta.run != 0)) {
      runs[{meta.level, meta.level == 2 ? 0 : meta.run}].push_back(&meta);
    }
  }
  for (auto& [run, tables] : runs) {
    std::sort(tables.begin(), tables.end(), [](const auto* a, const auto* b) {
      return a->smallest_key != b->smallest_key ? a->smallest_key < b->smallest_key
                                                : a->number < b->number;
    });
    for (std::size_t i = 1; i < tables.size(); ++i) {
      const manifest::TableMeta& a = *tables[i - 1];
      const manifest::TableMeta& b = *tables[i];
      if (a.largest_key < b.smallest_key) continue;
      const std::string where =
          run.first == 2 ? std::string("level 2") : "level-1 run " + std::to_string(run.second);
      problem(manifest_file_, added_at_[std::max(a.number, b.number)],
              "tables " + table_file_name(a.number) + " and " + table_file_name(b.number) + " of " +
                  where + " overlap in keys ('" + printable(b.smallest_key) + "' <= '" +
                  printable(a.largest_key) + "')");
    }
  }
}

}  // namespace sand::checker
