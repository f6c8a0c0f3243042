// MappedBytes (mapped_vector.hpp).
#include "util/mapped_vector.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <new>

namespace sand::util {
namespace {

std::size_t page_size() {
  static const auto size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

}  // namespace

MappedBytes& MappedBytes::operator=(MappedBytes&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, capacity_);
    data_ = std::exchange(other.data_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

MappedBytes::~MappedBytes() {
  if (data_ != nullptr) ::munmap(data_, capacity_);
}

void MappedBytes::grow(std::size_t bytes) {
  if (bytes <= capacity_) return;
  const std::size_t page = page_size();
  const std::size_t wanted = std::max(bytes, capacity_ * 2);
  if (wanted > SIZE_MAX - page) throw std::bad_alloc();
  const std::size_t rounded = (wanted + page - 1) / page * page;
  void* p = data_ == nullptr ? ::mmap(nullptr, rounded, PROT_READ | PROT_WRITE,
                                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                             : ::mremap(data_, capacity_, rounded, MREMAP_MAYMOVE);
  if (p == MAP_FAILED) throw std::bad_alloc();  // the old mapping, if any, is intact
  data_ = p;
  capacity_ = rounded;
}

}  // namespace sand::util
