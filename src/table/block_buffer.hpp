// BlockBuffer: the bytes one block was decompressed into, shared by the
// block cache and every Block parsed from them (std::shared_ptr<const
// BlockBuffer>).
//
// Why not std::string: a std::string of n bytes is zero-filled before the
// decompressor overwrites every byte, and that memset was 9.5% of a random
// read's profile after a full compaction (4 KiB blocks, LZ4). The bytes here
// are left uninitialised until filled.
//
// Thread-safety: fill it on one thread, then share it read-only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string_view>

namespace sand::table {

class BlockBuffer {
 public:
  // `size` uninitialised bytes: the creator must write all of them.
  explicit BlockBuffer(std::size_t size)
      : bytes_(std::make_unique_for_overwrite<char[]>(size)), size_(size) {}
  // A copy of `bytes` (tests and fuzzers build blocks this way).
  static std::shared_ptr<const BlockBuffer> copy_of(std::string_view bytes);

  char* data() { return bytes_.get(); }
  const char* data() const { return bytes_.get(); }
  std::size_t size() const { return size_; }
  std::string_view view() const { return {bytes_.get(), size_}; }

 private:
  std::unique_ptr<char[]> bytes_;
  std::size_t size_;
};

inline std::shared_ptr<const BlockBuffer> BlockBuffer::copy_of(std::string_view bytes) {
  auto buffer = std::make_shared<BlockBuffer>(bytes.size());
  if (!bytes.empty()) std::copy(bytes.begin(), bytes.end(), buffer->data());
  return buffer;
}

}  // namespace sand::table
