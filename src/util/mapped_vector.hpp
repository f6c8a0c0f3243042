// MappedVector<T>: a growable array of trivially copyable values kept in its
// own anonymous memory mapping, for the large short-lived buffers of table
// writing (a table's bloom filter key hashes: 8 bytes per key, megabytes for
// one compaction output).
//
// Why not std::vector: growth by doubling holds the old and the new buffer
// at once (up to 3x the payload) and copies; and glibc serves a freed large
// buffer's successors from its heap (it raises its mmap threshold up to
// 32 MiB as large blocks are freed), where freed memory stays resident. Here
// growth is mremap(2): the pages move, nothing is copied, only pages written
// are resident, and destruction returns every page to the system.
//
// Thread-safety: none (one owner at a time).
#pragma once

#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

namespace sand::util {

// The untyped part: a mapping of `capacity()` bytes that can grow.
class MappedBytes {
 public:
  MappedBytes() = default;
  MappedBytes(const MappedBytes&) = delete;
  MappedBytes& operator=(const MappedBytes&) = delete;
  MappedBytes(MappedBytes&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), capacity_(std::exchange(other.capacity_, 0)) {}
  MappedBytes& operator=(MappedBytes&& other) noexcept;
  ~MappedBytes();

  void* data() const { return data_; }
  std::size_t capacity() const { return capacity_; }

  // Makes capacity() at least `bytes` (rounded up to whole pages, at least
  // doubling), keeping the contents. Throws std::bad_alloc when the system
  // refuses, as operator new does.
  void grow(std::size_t bytes);

 private:
  void* data_ = nullptr;
  std::size_t capacity_ = 0;
};

template <typename T>
class MappedVector {
  static_assert(std::is_trivially_copyable_v<T>, "values move with their pages");

 public:
  void push_back(const T& value) {
    if ((size_ + 1) * sizeof(T) > bytes_.capacity()) bytes_.grow((size_ + 1) * sizeof(T));
    std::memcpy(static_cast<char*>(bytes_.data()) + size_ * sizeof(T), &value, sizeof(T));
    ++size_;
  }
  std::size_t size() const { return size_; }
  const T* begin() const { return static_cast<const T*>(bytes_.data()); }
  const T* end() const { return begin() + size_; }

 private:
  MappedBytes bytes_;
  std::size_t size_ = 0;
};

}  // namespace sand::util
