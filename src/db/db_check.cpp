// check_database: read every file of a database and verify it (sand/check.hpp).
//
// The checker only composes the engine's own decoders (RecordReader,
// Edit::decode, State::apply, Table::open, read_block, Block::parse,
// BlockIterator, WriteBatchAccess), so it accepts and rejects exactly what a
// normal open or read does; it differs only in going on after a failure.
// Findings come back as text in Statuses; since every Corruption is
// "<file>: offset <N>: <what>", the checker splits them back into a file,
// an offset and a description.
//
// Order matters next to a live writer: MANIFEST is read before the directory
// is listed, so every WAL the manifest needs was created before the listing
// (spec/README.md rule W3) and appears in it. A file that vanishes later was
// retired by a newer manifest edit, which a second read of MANIFEST shows.
//
// Thread-safety: check_database is reentrant; a Checker is used by one thread.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/filenames.hpp"
#include "manifest/edit.hpp"
#include "manifest/manifest_log.hpp"
#include "manifest/state.hpp"
#include "sand/check.hpp"
#include "table/block.hpp"
#include "table/format.hpp"
#include "table/table.hpp"
#include "util/internal_key.hpp"
#include "wal/log_format.hpp"
#include "wal/record_reader.hpp"
#include "wal/write_batch_codec.hpp"

namespace sand {
namespace {

using Outcome = CheckedFile::Outcome;

// A ReadableFile over bytes another ReadableFile owns, so that Table::open
// can take ownership of one while the checker walks the same mapping (one
// open: a file deleted meanwhile cannot be seen by one and not the other).
class SharedFile final : public ReadableFile {
 public:
  explicit SharedFile(std::shared_ptr<const ReadableFile> file) : file_(std::move(file)) {}
  std::string_view contents() const override { return file_->contents(); }

 private:
  std::shared_ptr<const ReadableFile> file_;
};

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

// "'key'@version" for an internal key.
std::string describe_key(std::string_view internal_key) {
  ParsedKey parsed;
  if (!parse_internal_key(internal_key, &parsed)) return "'" + printable(internal_key) + "'";
  return "'" + printable(parsed.user_key) + "'@" + std::to_string(parsed.version);
}

// What the data blocks of a table (or of one block) hold, in the terms of
// the properties block and the manifest's TableMeta.
struct Contents {
  std::uint64_t entries = 0;
  std::uint64_t tombstones = 0;
  std::uint64_t raw_key_bytes = 0;
  std::uint64_t raw_value_bytes = 0;
  Version min_version = 0;  // both 0 while entries == 0
  Version max_version = 0;
  std::string smallest_user_key;
  std::string largest_user_key;

  void add(const ParsedKey& key, std::size_t internal_key_size, std::size_t value_size) {
    if (entries == 0) {
      min_version = max_version = key.version;
      smallest_user_key = key.user_key;
    }
    ++entries;
    if (key.kind == EntryKind::kDelete) ++tombstones;
    raw_key_bytes += internal_key_size;
    raw_value_bytes += value_size;
    min_version = std::min(min_version, key.version);
    max_version = std::max(max_version, key.version);
    largest_user_key = key.user_key;
  }
  // Appends `later` (a block that follows every entry of *this).
  void append(const Contents& later) {
    if (later.entries == 0) return;
    if (entries == 0) {
      *this = later;
      return;
    }
    entries += later.entries;
    tombstones += later.tombstones;
    raw_key_bytes += later.raw_key_bytes;
    raw_value_bytes += later.raw_value_bytes;
    min_version = std::min(min_version, later.min_version);
    max_version = std::max(max_version, later.max_version);
    largest_user_key = later.largest_user_key;
  }
};

// Collects "name A (the file) vs B (the other source)" differences.
class Differences {
 public:
  void number(std::string_view field, std::uint64_t found, std::uint64_t claimed) {
    if (found != claimed) add(field, std::to_string(found), std::to_string(claimed));
  }
  void key(std::string_view field, std::string_view found, std::string_view claimed) {
    if (found != claimed) add(field, "'" + printable(found) + "'", "'" + printable(claimed) + "'");
  }
  bool empty() const { return text_.empty(); }
  const std::string& text() const { return text_; }

 private:
  void add(std::string_view field, const std::string& found, const std::string& claimed) {
    if (!text_.empty()) text_ += ", ";
    text_ += std::string(field) + " " + found + " vs " + claimed;
  }
  std::string text_;
};

class Checker {
 public:
  Checker(FileSystem& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  Result<CheckReport> run();

 private:
  // Registers a checked file; returns its index in report_.files.
  std::size_t add_file(std::string name, CheckFileType type);
  void problem(std::size_t file, std::uint64_t offset, std::string what);
  // A problem from a Status; a Corruption naming this file keeps its offset,
  // anything else gets `offset` and the whole status text.
  void problem_from(std::size_t file, const Status& status, std::uint64_t offset);
  void note(std::string file, std::uint64_t offset, std::string what);

  void check_manifest(const Result<std::unique_ptr<ReadableFile>>& opened);
  void check_run_overlaps();
  void check_table(std::uint64_t number, const manifest::TableMeta* meta);
  // Verifies every data block listed by the table's index, adding what the
  // good blocks hold to *contents. Returns whether every block passed (and
  // the index could be walked at all).
  bool check_data_blocks(std::size_t file, std::string_view bytes, const table::Table* opened,
                         Contents* contents);
  bool check_data_block(std::size_t file, std::string_view region, const table::BlockHandle& h,
                        std::string_view index_key, const table::Table* opened,
                        std::uint64_t filter_offset, std::string* previous_key, Contents* contents);
  void compare_contents(std::size_t file, const Contents& found, const table::Table* opened,
                        std::uint64_t properties_offset, const manifest::TableMeta* meta);
  void check_wal(std::uint64_t number, bool newest, Version* previous);

  // Whether a MANIFEST read now shows that the writer retired the table or
  // WAL (so deleting it was legitimate). False if MANIFEST cannot be read.
  bool retired_table(std::uint64_t number);
  bool retired_wal(std::uint64_t number);

  std::string path_of(std::string_view name) const { return join_path(dir_, name); }

  FileSystem& fs_;
  const std::string dir_;
  CheckReport report_;
  // The state MANIFEST describes; nullopt when it is missing or unusable.
  std::optional<manifest::State> state_;
  // The offset in MANIFEST of the record that added each live table.
  std::map<std::uint64_t, std::uint64_t> added_at_;
  std::size_t manifest_file_ = 0;
  bool filter_reported_ = false;  // one filter problem per table is enough
};

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

// ---- MANIFEST ----

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
    Result<manifest::Edit> edit = manifest::Edit::decode(r.payload, name, r.offset);
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

// ---- Tables ----

void Checker::check_table(std::uint64_t number, const manifest::TableMeta* meta) {
  const std::string name = table_file_name(number);
  const std::size_t file = add_file(name, CheckFileType::kTable);
  filter_reported_ = false;
  Result<std::unique_ptr<ReadableFile>> opened = fs_.open_readable_file(path_of(name));
  if (!opened.is_ok()) {
    if (opened.status().code() != Code::kNotFound) {
      problem_from(file, opened.status(), kWholeFile);
    } else if (meta == nullptr || retired_table(number)) {
      // Without a manifest (meta null) a vanished listed file cannot be
      // judged; with one, the writer retired it after the manifest was read.
      report_.files[file].outcome = Outcome::kSkipped;
    } else {
      problem(file, kWholeFile, "missing: the manifest names this table but there is no such file");
    }
    return;
  }
  const std::shared_ptr<const ReadableFile> mapped = std::move(opened).value();
  const std::string_view bytes = mapped->contents();
  report_.files[file].bytes = bytes.size();
  if (meta != nullptr && meta->file_size != bytes.size()) {
    problem(file, kWholeFile,
            "file is " + std::to_string(bytes.size()) + " bytes, the manifest says " +
                std::to_string(meta->file_size));
  }
  // Footer, properties, filter and index, exactly as every open checks them.
  Result<std::shared_ptr<table::Table>> table =
      table::Table::open(std::make_unique<SharedFile>(mapped), name, number, nullptr);
  if (!table.is_ok()) problem_from(file, table.status(), 0);
  const table::Table* t = table.is_ok() ? table->get() : nullptr;

  Contents found;
  if (!check_data_blocks(file, bytes, t, &found)) return;
  // Only a table whose every block was read can be compared as a whole.
  Result<table::Footer> footer = table::decode_footer(bytes, name);
  compare_contents(file, found, t, footer.is_ok() ? footer->properties.offset : 0, meta);
}

bool Checker::check_data_blocks(std::size_t file, std::string_view bytes,
                                const table::Table* opened, Contents* contents) {
  const std::string& name = report_.files[file].file;
  // Table::open keeps its index private, so the index is read again with the
  // same functions. When Table::open failed, it has already reported why the
  // footer or index is unusable: any failure here is then silent.
  auto index_failed = [&](const Status& s) {
    if (opened != nullptr) problem_from(file, s, 0);  // never expected
    return false;
  };
  Result<table::Footer> footer = table::decode_footer(bytes, name);
  if (!footer.is_ok()) return index_failed(footer.status());
  const std::string_view region = bytes.substr(0, bytes.size() - table::kFooterSize);
  Result<table::BlockContents> index =
      table::read_block(region, name, footer->index, /*verify_checksum=*/true);
  if (!index.is_ok()) return index_failed(index.status());
  Result<table::Block> index_block =
      table::Block::parse(index->data, index->owned, name, footer->index.offset);
  if (!index_block.is_ok()) return index_failed(index_block.status());

  bool all_good = true;
  std::string previous_key;  // last key of the previous good block; "" after a bad one
  table::BlockIterator it(std::move(index_block).value());
  for (it.seek_to_first(); it.valid(); it.next()) {
    std::string_view value = it.value();
    table::BlockHandle handle;
    if (!table::decode_block_handle(&value, &handle) || !value.empty()) {
      return index_failed(
          Status::corruption(name, footer->index.offset, "bad block handle in index"));
    }
    if (!check_data_block(file, region, handle, it.key(), opened, footer->filter.offset,
                          &previous_key, contents)) {
      all_good = false;
      previous_key.clear();
    }
  }
  if (!it.status().is_ok()) return index_failed(it.status());
  return all_good;
}

bool Checker::check_data_block(std::size_t file, std::string_view region,
                               const table::BlockHandle& h, std::string_view index_key,
                               const table::Table* opened, std::uint64_t filter_offset,
                               std::string* previous_key, Contents* contents) {
  const std::string& name = report_.files[file].file;
  Result<table::BlockContents> stored = table::read_block(region, name, h, true);
  if (!stored.is_ok()) {
    problem_from(file, stored.status(), h.offset);
    return false;
  }
  Result<table::Block> block = table::Block::parse(stored->data, stored->owned, name, h.offset);
  if (!block.is_ok()) {
    problem_from(file, block.status(), h.offset);
    return false;
  }
  Contents local;  // counted only if the whole block passes
  std::string key = *previous_key;
  std::string last_user_key;
  table::BlockIterator it(std::move(block).value());
  for (it.seek_to_first(); it.valid(); it.next()) {
    ParsedKey parsed;
    if (!parse_internal_key(it.key(), &parsed)) {  // BlockIterator checks this too
      problem(file, h.offset, "bad internal key in data block");
      return false;
    }
    if (!key.empty() && compare_internal_keys(key, it.key()) >= 0) {
      problem(file, h.offset,
              "entry " + describe_key(it.key()) + " does not sort after " + describe_key(key));
      return false;
    }
    if (parsed.version == 0) {
      problem(file, h.offset, "entry " + describe_key(it.key()) + " has version 0");
      return false;
    }
    // A filter that rejects a stored key would make reads miss it.
    if (opened != nullptr && !filter_reported_ &&
        (local.entries == 0 || parsed.user_key != last_user_key) &&
        !opened->may_contain(parsed.user_key)) {
      filter_reported_ = true;
      problem(file, filter_offset,
              "filter rejects key '" + printable(parsed.user_key) + "' that the table holds");
    }
    last_user_key = parsed.user_key;
    local.add(parsed, it.key().size(), it.value().size());
    key = it.key();
  }
  if (!it.status().is_ok()) {
    problem_from(file, it.status(), h.offset);
    return false;
  }
  // Reads use the index key to skip blocks, so it must be the block's last.
  if (local.entries == 0 || key != index_key) {
    problem(
        file, h.offset,
        "index key " + describe_key(index_key) + " is not the block's last entry" +
            (local.entries == 0 ? std::string(" (the block is empty)") : " " + describe_key(key)));
    return false;
  }
  *previous_key = key;
  ++report_.files[file].units;
  report_.files[file].entries += local.entries;
  contents->append(local);
  return true;
}

void Checker::compare_contents(std::size_t file, const Contents& found, const table::Table* opened,
                               std::uint64_t properties_offset, const manifest::TableMeta* meta) {
  if (opened != nullptr) {
    const table::TableProperties& p = opened->properties();
    Differences d;
    d.number("entries", found.entries, p.entries);
    d.number("tombstones", found.tombstones, p.tombstones);
    d.number("raw_key_bytes", found.raw_key_bytes, p.raw_key_bytes);
    d.number("raw_value_bytes", found.raw_value_bytes, p.raw_value_bytes);
    d.number("min_version", found.min_version, p.min_version);
    d.number("max_version", found.max_version, p.max_version);
    d.key("smallest_user_key", found.smallest_user_key, p.smallest_user_key);
    d.key("largest_user_key", found.largest_user_key, p.largest_user_key);
    if (!d.empty()) {
      problem(file, properties_offset,
              "properties disagree with the data blocks (blocks vs properties): " + d.text());
    }
  }
  if (meta != nullptr) {
    Differences d;
    d.number("entries", found.entries, meta->entries);
    d.number("tombstones", found.tombstones, meta->tombstones);
    d.number("min_version", found.min_version, meta->min_version);
    d.number("max_version", found.max_version, meta->max_version);
    d.key("smallest_key", found.smallest_user_key, meta->smallest_key);
    d.key("largest_key", found.largest_user_key, meta->largest_key);
    if (!d.empty()) {
      problem(file, kWholeFile,
              "the manifest's metadata (record at offset " +
                  std::to_string(added_at_[meta->number]) +
                  ") disagrees with the data blocks (blocks vs manifest): " + d.text());
    }
  }
}

// ---- WALs ----

void Checker::check_wal(std::uint64_t number, bool newest, Version* previous) {
  const std::string name = wal_file_name(number);
  const std::size_t file = add_file(name, CheckFileType::kWal);
  // A copy, not a mapping: a writer reopening after a crash may truncate it.
  Result<std::string> bytes = fs_.read_file_from(path_of(name), 0);
  if (!bytes.is_ok()) {
    if (bytes.status().code() != Code::kNotFound) {
      problem_from(file, bytes.status(), kWholeFile);
    } else if (!state_ || retired_wal(number)) {
      report_.files[file].outcome = Outcome::kSkipped;
    } else {
      problem(file, kWholeFile, "missing: the manifest still needs this WAL but it vanished");
    }
    return;
  }
  const std::string_view contents = *bytes;
  report_.files[file].bytes = contents.size();
  Result<wal::RecordReader> reader =
      wal::RecordReader::open(contents, name, wal::LogKind::kWal, false);
  if (!reader.is_ok()) {
    problem_from(file, reader.status(), 0);
    return;
  }
  for (;;) {
    Result<std::optional<wal::LogRecord>> record = reader->next();
    if (!record.is_ok()) {
      problem_from(file, record.status(), reader->valid_end());
      return;  // past a bad record the framing is lost
    }
    if (!record->has_value()) break;
    const std::string_view rep = (*record)->payload;
    const std::uint64_t offset = (*record)->offset;
    // The same rules, and messages, as recovery's replay (spec/wal.md P3-P5);
    // the framing is intact, so checking goes on with the next record.
    if (rep.size() < kWriteBatchHeaderSize) {
      problem(file, offset,
              "WAL record of " + std::to_string(rep.size()) +
                  " bytes is shorter than a write batch header");
      continue;
    }
    const Version v = WriteBatchAccess::version(rep);
    if (v == 0 || v > kMaxVersion) {
      problem(file, offset, "record version " + std::to_string(v) + " is out of range");
      continue;
    }
    if (v <= *previous) {
      problem(file, offset,
              "record version " + std::to_string(v) + " is not greater than the previous version " +
                  std::to_string(*previous));
      continue;
    }
    *previous = v;
    std::uint64_t operations = 0;
    Status decoded = WriteBatchAccess::for_each(
        rep, name, offset, [&](EntryKind, std::string_view, std::string_view) { ++operations; });
    if (!decoded.is_ok()) {
      problem_from(file, decoded, offset);
      continue;
    }
    ++report_.files[file].units;
    report_.files[file].entries += operations;
  }
  if (!reader->torn_tail()) return;
  if (!newest) {
    // Each WAL is synced before the next is created: only a lost suffix of
    // acknowledged writes leaves an older one torn.
    problem(file, reader->valid_end(), "torn record in a WAL that is not the newest");
  } else if (contents.size() > reader->valid_end()) {
    note(name, reader->valid_end(),
         "torn tail: " + std::to_string(contents.size() - reader->valid_end()) +
             " bytes of an append that did not complete (the next open drops them)");
  } else {
    note(name, reader->valid_end(), "empty WAL: its header was never written");
  }
}

// ---- The whole directory ----

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
  std::vector<std::uint64_t> tables, wals;
  bool manifest_temp = false;
  for (const std::string& name : *names) {
    const std::optional<ParsedFileName> parsed = parse_file_name(name);
    if (!parsed) continue;
    if (parsed->type == FileType::kTable) tables.push_back(parsed->number);
    if (parsed->type == FileType::kWal) wals.push_back(parsed->number);
    if (parsed->type == FileType::kManifestTemp) manifest_temp = true;
  }
  std::sort(tables.begin(), tables.end());
  std::sort(wals.begin(), wals.end());
  if (!manifest.is_ok() && manifest.status().code() == Code::kNotFound && tables.empty() &&
      wals.empty()) {
    return Status::not_found(dir_ + ": no database (no MANIFEST)");
  }

  check_manifest(manifest);
  if (state_) {
    for (const auto& [number, meta] : state_->tables) check_table(number, &meta);
    std::vector<std::uint64_t> live;
    for (const std::uint64_t n : wals) {
      if (n >= state_->wal_number) live.push_back(n);
    }
    // The WAL that wal_number names exists before the edit naming it is
    // written (rule W3); with MANIFEST read before the listing, it is listed.
    const std::uint64_t needed = state_->wal_number;
    if (needed != 0 && !std::binary_search(wals.begin(), wals.end(), needed)) {
      const std::size_t file = add_file(wal_file_name(needed), CheckFileType::kWal);
      if (retired_wal(needed)) {
        report_.files[file].outcome = Outcome::kSkipped;
      } else {
        problem(file, kWholeFile,
                "missing: the manifest's wal_number names this WAL but there is no such file");
      }
    }
    Version previous = 0;
    for (std::size_t i = 0; i < live.size(); ++i) {
      check_wal(live[i], i + 1 == live.size(), &previous);
    }
    for (const std::uint64_t n : tables) {
      if (!state_->tables.contains(n)) {
        note(table_file_name(n), kWholeFile,
             "orphan table: not named by the manifest (left by a crash or being written; a "
             "writer's open deletes it)");
      }
    }
    for (const std::uint64_t n : wals) {
      if (n < state_->wal_number) {
        note(wal_file_name(n), kWholeFile,
             "orphan WAL: below the manifest's wal_number " + std::to_string(state_->wal_number) +
                 " (already flushed; a writer's open deletes it)");
      }
    }
  } else {
    note(std::string(kManifestName), kWholeFile,
         "no usable manifest: every table and WAL in the directory was checked on its own");
    for (const std::uint64_t n : tables) check_table(n, nullptr);
    Version previous = 0;
    for (std::size_t i = 0; i < wals.size(); ++i) {
      check_wal(wals[i], i + 1 == wals.size(), &previous);
    }
  }
  if (manifest_temp) {
    note(std::string(kManifestTempName), kWholeFile,
         "leftover of a manifest rewrite (interrupted, or in progress); never read, a writer's "
         "open deletes it");
  }

  for (const CheckedFile& f : report_.files) {
    if (f.outcome == Outcome::kSkipped) continue;
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

}  // namespace

Result<CheckReport> check_database(const std::string& path, const Options& options) {
  const std::shared_ptr<FileSystem> fs =
      options.file_system ? options.file_system : posix_file_system();
  Checker checker(*fs, path);
  return checker.run();
}

}  // namespace sand
