// ValueFile: checked reads of referenced values from a mapped file.
#include "value/value_file.hpp"

#include <algorithm>
#include <cstring>

#include "util/lz4_block.hpp"
#include "util/read_hint.hpp"

namespace sand::value {

ValueFile::~ValueFile() {
  if (!obsolete.load()) return;
  {
    MutexLock lock(mu_);
    map_.reset();  // unmap before unlinking
  }
  fs_->remove_file(path_).ignore();  // best effort: a leftover is an orphan, removed at open
}

Result<std::shared_ptr<const ReadableFile>> ValueFile::mapping_covering(std::uint64_t end) const {
  MutexLock lock(mu_);
  if (map_ != nullptr && map_->contents().size() >= end) return map_;
  Result<std::unique_ptr<ReadableFile>> opened = fs_->open_readable_file(path_);
  if (!opened.is_ok()) {
    if (opened.status().code() == Code::kNotFound) {
      return Status::corruption(path_ + ": value file is missing");
    }
    return opened.status();
  }
  map_ = std::move(*opened);
  return map_;
}

Status ValueFile::map_now() const {
  SAND_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> opened, fs_->open_readable_file(path_));
  MutexLock lock(mu_);
  map_ = std::move(opened);
  return Status::ok();
}

Result<std::string_view> ValueFile::checked_bytes(const ValueRef& ref,
                                                  std::shared_ptr<const ReadableFile>* hold) const {
  const std::uint64_t end = ref.offset + ref.size;  // decode_value_ref rules out overflow
  auto past_end = [&](std::uint64_t file_size) {
    return Status::corruption(path_, ref.offset,
                              "value reference of " + std::to_string(ref.size) +
                                  " bytes reaches past the end of the file (" +
                                  std::to_string(file_size) + " bytes)");
  };
  if (const std::uint64_t size = size_.load(std::memory_order_relaxed); end > size) {
    return past_end(size);
  }
  SAND_ASSIGN_OR_RETURN(*hold, mapping_covering(end));
  const std::string_view bytes = (*hold)->contents();
  if (bytes.size() < end) return past_end(bytes.size());
  const std::string_view value = bytes.substr(ref.offset, ref.size);
  if (value_checksum(value) != ref.checksum) {
    return Status::corruption(
        path_, ref.offset,
        "value of " + std::to_string(ref.size) + " bytes does not match its checksum");
  }
  return value;
}

void ValueFile::will_need(std::uint64_t begin, std::uint64_t end) const {
  std::shared_ptr<const ReadableFile> map;
  {
    MutexLock lock(mu_);
    map = map_;
  }
  if (map == nullptr) return;
  const std::string_view bytes = map->contents();
  end = std::min(
      {end, static_cast<std::uint64_t>(bytes.size()), size_.load(std::memory_order_relaxed)});
  if (begin >= end) return;
  util::hint_will_need(bytes.substr(begin, end - begin));
}

Status ValueFile::read_stored(const ValueRef& ref, std::string* out) const {
  std::shared_ptr<const ReadableFile> hold;
  SAND_ASSIGN_OR_RETURN(const std::string_view stored, checked_bytes(ref, &hold));
  out->assign(stored);
  return Status::ok();
}

Status ValueFile::read(const ValueRef& ref, std::string* out) const {
  std::shared_ptr<const ReadableFile> hold;
  SAND_ASSIGN_OR_RETURN(const std::string_view stored, checked_bytes(ref, &hold));
  if (!ref.compressed()) {
    out->assign(stored);
    return Status::ok();
  }
  // The checksum matched, so a block that does not decompress to raw_size
  // was written wrong: damage all the same, never a shorter value.
  if (!util::decompress_lz4_block(stored, ref.raw_size, out)) {
    out->clear();
    return Status::corruption(path_, ref.offset,
                              util::lz4_block_error(stored.size(), ref.raw_size));
  }
  return Status::ok();
}

}  // namespace sand::value
