// Checking a table: its structure through Table::open, then every data block
// and what the blocks hold against the properties and the manifest
// (check/checker.hpp).
#include <algorithm>

#include "check/checker.hpp"
#include "table/block.hpp"
#include "util/lz4_block.hpp"
#include "value/value_ref.hpp"

namespace sand::checker {
namespace {

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

}  // namespace

std::string compressed_value_problem(std::string_view stored, std::uint64_t raw_size,
                                     std::string* scratch) {
  if (util::decompress_lz4_block(stored, raw_size, scratch)) return "";
  return util::lz4_block_error(stored.size(), raw_size);
}

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
  if (!check_data_blocks(file, bytes, t, meta, &found)) return;
  // Only a table whose every block was read can be compared as a whole.
  Result<table::Footer> footer = table::decode_footer(bytes, name);
  compare_contents(file, found, t, footer.is_ok() ? footer->properties.offset : 0, meta);
}

bool Checker::check_data_blocks(std::size_t file, std::string_view bytes,
                                const table::Table* opened, const manifest::TableMeta* meta,
                                Contents* contents) {
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
      table::Block::parse(index->data, index->owned, name, footer->index.offset,
                          table::max_kind_of(footer->format_version));
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
    if (!check_data_block(file, region, handle, it.key(), opened, *footer, meta, &previous_key,
                          contents)) {
      all_good = false;
      previous_key.clear();
    }
  }
  if (!it.status().is_ok()) return index_failed(it.status());
  return all_good;
}

bool Checker::check_data_block(std::size_t file, std::string_view region,
                               const table::BlockHandle& h, std::string_view index_key,
                               const table::Table* opened, const table::Footer& footer,
                               const manifest::TableMeta* meta, std::string* previous_key,
                               Contents* contents) {
  const std::string& name = report_.files[file].file;
  Result<table::BlockContents> stored = table::read_block(region, name, h, true);
  if (!stored.is_ok()) {
    problem_from(file, stored.status(), h.offset);
    return false;
  }
  Result<table::Block> block = table::Block::parse(stored->data, stored->owned, name, h.offset,
                                                   table::max_kind_of(footer.format_version));
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
      problem(file, footer.filter.offset,
              "filter rejects key '" + printable(parsed.user_key) + "' that the table holds");
    }
    if (parsed.kind == EntryKind::kValueRef) {
      check_value_ref(file, h.offset, it.key(), it.value(), meta, &local);
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

void Checker::check_value_ref(std::size_t file, std::uint64_t block_offset,
                              std::string_view internal_key, std::string_view ref_bytes,
                              const manifest::TableMeta* meta, Contents* contents) {
  const std::string entry = "entry " + describe_key(internal_key);
  const std::optional<value::ValueRef> ref = value::decode_value_ref(ref_bytes);
  if (!ref) {
    problem(file, block_offset,
            entry + " holds a malformed value reference (" + std::to_string(ref_bytes.size()) +
                " bytes)");
    return;
  }
  contents->value_ref_bytes[ref->file] += ref->size;
  if (!state_ || meta == nullptr) return;  // nothing to resolve it against
  const auto live = value_files_.find(ref->file);
  // A live value file's own name (NNNNNN.wal or NNNNNN.val, by its kind); a
  // number the manifest does not list is named as the WAL it would be.
  const std::string value_name =
      live == value_files_.end() ? wal_file_name(ref->file) : live->second.name;
  if (live == value_files_.end()) {
    problem(file, block_offset,
            entry + " references " + value_name + ", which is not a live value file");
    return;
  }
  const bool tallied =
      std::any_of(meta->value_refs.begin(), meta->value_refs.end(),
                  [&](const manifest::ValueRefTally& t) { return t.file == ref->file; });
  if (!tallied) {
    problem(file, block_offset,
            entry + " references " + value_name +
                ", which the manifest's value_refs for this table do not list");
    return;
  }
  // Findings about the bytes name the value file, as a reader's do
  // (spec/values.md section 2), and say who refers to them.
  ValueFileCheck& v = live->second;
  const std::string referrer = entry + " of " + report_.files[file].file;
  const std::uint64_t end = ref->offset + ref->size;  // decode_value_ref rules out overflow
  if (end > v.manifest_size) {
    v.problems.emplace_back(ref->offset, "value reference of " + std::to_string(ref->size) +
                                             " bytes reaches past the end of the file (" +
                                             std::to_string(v.manifest_size) + " bytes; " +
                                             referrer + ")");
    return;
  }
  if (v.mapped == nullptr) return;  // missing or unreadable: reported with the file
  const std::string_view bytes = v.mapped->contents();
  if (end > bytes.size()) {
    ++v.past_end;  // the file is shorter than the manifest says: reported with it
    return;
  }
  const std::string_view stored = bytes.substr(ref->offset, ref->size);
  if (value::value_checksum(stored) != ref->checksum) {
    v.problems.emplace_back(ref->offset, "value of " + std::to_string(ref->size) +
                                             " bytes does not match its checksum (" + referrer +
                                             ")");
    v.damaged.emplace_back(ref->offset, end);
    return;
  }
  // A reader decompresses what it read (value::ValueFile::read): a block
  // that passes its checksum but not this was written bad.
  if (ref->compressed()) {
    const std::string what = compressed_value_problem(stored, ref->raw_size, &decompressed_);
    if (!what.empty()) {
      v.problems.emplace_back(ref->offset, what + " (" + referrer + ")");
      v.damaged.emplace_back(ref->offset, end);
    }
  }
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
    // spec/values.md section 5, check 4. A file the blocks reference but the
    // tally lacks was reported with the entries.
    Differences refs;
    for (const manifest::ValueRefTally& t : meta->value_refs) {
      const auto found_bytes = found.value_ref_bytes.find(t.file);
      const auto live = value_files_.find(t.file);
      refs.number(live == value_files_.end() ? wal_file_name(t.file) : live->second.name,
                  found_bytes == found.value_ref_bytes.end() ? 0 : found_bytes->second, t.bytes);
    }
    if (!refs.empty()) {
      problem(file, kWholeFile,
              "the manifest's value_refs (record at offset " +
                  std::to_string(added_at_[meta->number]) +
                  ") disagree with the bytes the data blocks reference (blocks vs manifest): " +
                  refs.text());
    }
  }
}

}  // namespace sand::checker
