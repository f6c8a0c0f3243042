// ValueFile: checked reads of referenced values from a mapped file.
#include "value/value_file.hpp"

#include <cstring>

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

Status ValueFile::read(const ValueRef& ref, std::string* out) const {
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
  SAND_ASSIGN_OR_RETURN(std::shared_ptr<const ReadableFile> map, mapping_covering(end));
  const std::string_view bytes = map->contents();
  if (bytes.size() < end) return past_end(bytes.size());
  const std::string_view value = bytes.substr(ref.offset, ref.size);
  if (value_checksum(value) != ref.checksum) {
    return Status::corruption(
        path_, ref.offset,
        "value of " + std::to_string(ref.size) + " bytes does not match its checksum");
  }
  out->assign(value);
  return Status::ok();
}

}  // namespace sand::value
