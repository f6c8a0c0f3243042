// TableBuilder (spec/sstable.md "File layout").
#include "table/table_builder.hpp"

#include <algorithm>
#include <cassert>

#include "util/internal_key.hpp"
#include "value/value_ref.hpp"

namespace sand::table {

TableBuilder::TableBuilder(const TableOptions& options, WritableFile* file)
    : options_(options), file_(file), data_block_(options.restart_interval), index_block_(1) {
  assert(file_ != nullptr && file_->size() == 0);
  if (options_.bloom_bits_per_key > 0) bloom_.emplace(options_.bloom_bits_per_key);
  props_.compression = options_.compression;
}

void TableBuilder::append(std::string_view bytes) {
  if (!status_.is_ok()) return;
  status_ = file_->append(bytes);
  if (status_.is_ok()) offset_ += bytes.size();
}

BlockHandle TableBuilder::write_block(std::string_view raw, Compression compression) {
  std::string_view stored;
  const Compression type = compress_block(raw, compression, &compressed_, &stored);
  const BlockHandle handle{offset_, stored.size()};
  append(stored);
  append(block_trailer(stored, type));
  return handle;
}

void TableBuilder::add(std::string_view internal_key, std::string_view value) {
  assert(!finished_);
  ParsedKey parsed;
  [[maybe_unused]] const bool parsed_ok = parse_internal_key(internal_key, &parsed);
  assert(parsed_ok);
  assert(props_.entries == 0 || compare_internal_keys(last_key_, internal_key) < 0);
  if (!status_.is_ok()) return;

  const bool new_user_key = props_.entries == 0 || parsed.user_key != user_key_of(last_key_);
  if (new_user_key) {
    if (bloom_) bloom_->add(parsed.user_key);
    if (props_.entries == 0) props_.smallest_user_key = parsed.user_key;
    props_.largest_user_key = parsed.user_key;
  }
  if (props_.entries == 0) {
    props_.min_version = props_.max_version = parsed.version;
  } else {
    props_.min_version = std::min(props_.min_version, parsed.version);
    props_.max_version = std::max(props_.max_version, parsed.version);
  }
  ++props_.entries;
  if (parsed.kind == EntryKind::kDelete) ++props_.tombstones;
  if (parsed.kind == EntryKind::kValueRef) {
    has_value_refs_ = true;
    // A reference too short to hold a raw_size cannot name a compressed
    // value; only the others are decoded.
    if (!has_compressed_refs_ && value.size() > 11) {
      const std::optional<value::ValueRef> ref = value::decode_value_ref(value);
      has_compressed_refs_ = ref.has_value() && ref->compressed();
    }
  }
  props_.raw_key_bytes += internal_key.size();
  props_.raw_value_bytes += value.size();
  last_key_.assign(internal_key);

  data_block_.add(internal_key, value);
  if (data_block_.current_size_estimate() >= options_.block_size) flush_data_block();
}

void TableBuilder::flush_data_block() {
  if (data_block_.empty()) return;
  // The index maps each block's last key to the block: a seek for key K goes
  // to the first block whose last key is >= K.
  const BlockHandle handle = write_block(data_block_.finish(), options_.compression);
  std::string encoded;
  encode_block_handle(&encoded, handle);
  index_block_.add(data_block_.last_key(), encoded);
  data_block_.reset();
  ++props_.data_blocks;
}

Status TableBuilder::finish() {
  assert(!finished_);
  finished_ = true;
  flush_data_block();
  Footer footer;
  footer.format_version = has_compressed_refs_ ? kFormatVersionCompressedRefs
                          : has_value_refs_    ? kFormatVersionRefs
                                               : kFormatVersionInline;
  if (bloom_) {
    // Bloom bits are random: LZ4 would never save 1/8, so don't try.
    footer.filter = write_block(bloom_->finish(), Compression::kNone);
  }
  footer.index = write_block(index_block_.finish(), options_.compression);
  footer.properties = write_block(encode_properties(props_), Compression::kNone);
  append(encode_footer(footer));
  return status_;
}

}  // namespace sand::table
