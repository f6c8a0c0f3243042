// Table reader: open-time verification, point lookups, data block loading.
#include "table/table.hpp"

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <cassert>

#include "table/table_iterator.hpp"
#include "util/heap_bytes.hpp"

namespace sand::table {

Table::Table(PrivateTag, std::unique_ptr<ReadableFile> file, std::string file_name,
             std::uint64_t file_number, std::shared_ptr<BlockCache> cache)
    : file_(std::move(file)),
      contents_(file_->contents()),
      file_name_(std::move(file_name)),
      file_number_(file_number),
      cache_(std::move(cache)) {}

Result<std::shared_ptr<Table>> Table::open(std::unique_ptr<ReadableFile> file,
                                           std::string file_name, std::uint64_t file_number,
                                           std::shared_ptr<BlockCache> cache) {
  auto table = std::make_shared<Table>(PrivateTag{}, std::move(file), std::move(file_name),
                                       file_number, std::move(cache));
  const std::string_view name = table->file_name_;
  SAND_ASSIGN_OR_RETURN(const Footer footer, decode_footer(table->contents_, name));
  table->region_ = table->contents_.substr(0, table->contents_.size() - kFooterSize);
  table->max_kind_ = max_kind_of(footer.format_version);

  SAND_ASSIGN_OR_RETURN(const BlockContents props,
                        read_block(table->region_, name, footer.properties, true));
  SAND_ASSIGN_OR_RETURN(table->props_,
                        decode_properties(props.data, name, footer.properties.offset));

  if (!footer.filter.is_null()) {
    SAND_ASSIGN_OR_RETURN(const BlockContents filter,
                          read_block(table->region_, name, footer.filter, true));
    SAND_ASSIGN_OR_RETURN(table->bloom_,
                          BloomReader::parse(filter.data, name, footer.filter.offset));
    table->filter_owner_ = filter.owned;
  }

  SAND_RETURN_IF_ERROR(table->load_index(footer.index));
  table->verified_ = std::vector<std::atomic<std::uint64_t>>((table->index_.size() + 63) / 64);
  return table;
}

Status Table::load_index(const BlockHandle& handle) {
  SAND_ASSIGN_OR_RETURN(const BlockContents contents,
                        read_block(region_, file_name_, handle, true));
  SAND_ASSIGN_OR_RETURN(Block block, Block::parse(contents.data, contents.owned, file_name_,
                                                  handle.offset, max_kind_));
  auto bad = [&](std::string_view what) {
    return Status::corruption(file_name_, handle.offset, what);
  };
  BlockIterator it(std::move(block));
  std::uint64_t data_end = 0;  // where the previous data block's trailer ends
  for (it.seek_to_first(); it.valid(); it.next()) {
    ParsedKey parsed;
    if (!parse_internal_key(it.key(), &parsed)) return bad("bad internal key in index");
    if (!index_.empty() &&
        compare_internal_keys(last_key_of_block(index_.size() - 1), it.key()) >= 0) {
      return bad("index keys out of order");
    }
    std::string_view value = it.value();
    BlockHandle h;
    if (!decode_block_handle(&value, &h) || !value.empty()) {
      return bad("bad block handle in index");
    }
    // Data blocks come first, in key order, without overlap.
    const std::uint64_t limit = region_.size();
    if (h.offset < data_end || h.offset > limit || h.size > limit - h.offset ||
        kBlockTrailerSize > limit - h.offset - h.size) {
      return bad("index block handle out of bounds");
    }
    data_end = h.offset + h.size + kBlockTrailerSize;
    index_.push_back(IndexEntry{index_keys_.size(), it.key().size(), h});
    index_keys_.append(it.key());
  }
  SAND_RETURN_IF_ERROR(it.status());
  if (index_.size() != props_.data_blocks) {
    return bad("index has " + std::to_string(index_.size()) + " entries, properties say " +
               std::to_string(props_.data_blocks) + " data blocks");
  }
  return Status::ok();
}

std::size_t Table::memory_bytes() const {
  std::size_t bytes = sizeof *this;
  bytes += util::heap_bytes(file_name_) + util::heap_bytes(index_keys_);
  bytes += index_.capacity() * sizeof(IndexEntry);
  bytes += verified_.capacity() * sizeof(std::atomic<std::uint64_t>);
  bytes += util::heap_bytes(props_.smallest_user_key) + util::heap_bytes(props_.largest_user_key);
  if (filter_owner_ != nullptr) bytes += sizeof(BlockBuffer) + filter_owner_->size();
  return bytes;
}

bool Table::may_contain(std::string_view user_key) const { return bloom_.may_contain(user_key); }

std::size_t Table::find_block(std::string_view target, std::size_t from) const {
  std::size_t lo = from, hi = index_.size();
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (compare_internal_keys(last_key_of_block(mid), target) < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

Result<Block> Table::data_block(std::size_t i, CacheFill fill) const {
  const BlockHandle& h = index_[i].handle;
  if (cache_ != nullptr) {
    if (std::shared_ptr<const BlockBuffer> hit = cache_->lookup(file_number_, h.offset)) {
      const std::string_view data = hit->view();
      return Block::parse(data, std::move(hit), file_name_, h.offset, max_kind_);
    }
  }
  std::atomic<std::uint64_t>& word = verified_[i / 64];
  const std::uint64_t bit = std::uint64_t{1} << (i % 64);
  // Relaxed suffices: the bit publishes no data, only the fact that
  // immutable bytes matched their checksum once.
  const bool verified = (word.load(std::memory_order_relaxed) & bit) != 0;
  SAND_ASSIGN_OR_RETURN(BlockContents contents, read_block(region_, file_name_, h, !verified));
  if (!verified) word.fetch_or(bit, std::memory_order_relaxed);
  if (contents.owned != nullptr && cache_ != nullptr && fill == CacheFill::kFill) {
    cache_->insert(file_number_, h.offset, contents.owned);
  }
  return Block::parse(contents.data, std::move(contents.owned), file_name_, h.offset, max_kind_);
}

Result<Table::InBlock> Table::seek_in_block(BlockIterator& it, std::size_t block,
                                            std::string_view target, std::string_view user_key,
                                            Value value, std::optional<Found>* out) const {
  it.seek(target);
  if (!it.valid()) {
    // The index promised an entry >= target in this block; a well-formed
    // table never gets here, but moving on is still correct.
    SAND_RETURN_IF_ERROR(it.status());
    return InBlock::kNextBlock;
  }
  ParsedKey parsed;
  if (!parse_internal_key(it.key(), &parsed)) {
    return Status::corruption(file_name_, index_[block].handle.offset,
                              "bad internal key in data block");
  }
  if (parsed.user_key != user_key) return InBlock::kAbsent;
  *out = Found{parsed.version, parsed.kind,
               value == Value::kCopy ? std::string(it.value()) : std::string()};
  return InBlock::kFound;
}

Result<std::optional<Table::Found>> Table::get(std::string_view user_key, Version at,
                                               Value value) const {
  std::optional<Found> found;
  if (!may_contain(user_key)) return found;
  const std::string target = seek_key(user_key, std::min(at, kMaxVersion));
  for (std::size_t i = find_block(target); i < index_.size(); ++i) {
    SAND_ASSIGN_OR_RETURN(Block block, data_block(i));
    BlockIterator it(std::move(block));
    SAND_ASSIGN_OR_RETURN(const InBlock where,
                          seek_in_block(it, i, target, user_key, value, &found));
    if (where != InBlock::kNextBlock) break;
  }
  return found;
}

Status Table::get_batch(std::span<const std::string_view> keys, Version at,
                        std::span<std::optional<Found>> out, Value value) const {
  assert(out.size() == keys.size());
  constexpr std::size_t kFiltered = static_cast<std::size_t>(-1);
  const Version v = std::min(at, kMaxVersion);
  std::string target;
  // 1. Every key's filter probes, issued before the first is tested.
  boost::container::small_vector<std::uint64_t, 64> hashes(keys.size());
  for (std::size_t k = 0; k < keys.size(); ++k) {
    hashes[k] = BloomReader::hash(keys[k]);
    bloom_.prefetch(hashes[k]);
  }
  // 2. The data block each remaining key's search starts in (keys ascend,
  // so each search starts where the one before ended), and a prefetch of
  // the start of each block's stored bytes: the blocks are far apart in
  // the file, and their first cache and TLB misses then overlap with the
  // work on the blocks before them.
  boost::container::small_vector<std::size_t, 64> block_of(keys.size());
  std::size_t from = 0;
  std::size_t prefetched = index_.size();
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (!bloom_.may_contain_hash(hashes[k])) {
      block_of[k] = kFiltered;
      continue;
    }
    assign_seek_key(&target, keys[k], v);
    const std::size_t i = find_block(target, from);
    if (i < index_.size() && i != prefetched) {
      const char* start = region_.data() + index_[i].handle.offset;
      for (std::size_t line = 0; line < 256; line += 64) __builtin_prefetch(start + line);
      prefetched = i;
    }
    block_of[k] = from = i;
  }
  // 3. The lookups; keys that share a block read it once.
  std::optional<BlockIterator> it;
  std::size_t loaded = index_.size();  // the block `it` reads; none yet
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (block_of[k] == kFiltered) continue;
    assign_seek_key(&target, keys[k], v);
    for (std::size_t i = block_of[k]; i < index_.size(); ++i) {
      if (i != loaded) {
        SAND_ASSIGN_OR_RETURN(Block block, data_block(i));
        it.emplace(std::move(block));
        loaded = i;
      }
      SAND_ASSIGN_OR_RETURN(const InBlock where,
                            seek_in_block(*it, i, target, keys[k], value, &out[k]));
      if (where != InBlock::kNextBlock) break;
    }
  }
  return Status::ok();
}

std::unique_ptr<InternalIterator> Table::new_iterator(CacheFill fill) const {
  return std::make_unique<TableIterator>(shared_from_this(), fill);
}

}  // namespace sand::table
