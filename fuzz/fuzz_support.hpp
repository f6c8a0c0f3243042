// Helpers shared by the fuzz targets: the failure path (abort with a message,
// so libFuzzer saves the input), the check that an error is of a kind the
// code under test may return, a ReadableFile over owned bytes, and a cursor
// that turns input bytes into choices.
//
// Everything here is header-only, has no state outside its objects, and
// prints nothing unless a check fails. Thread-safety: none needed (each
// fuzz input runs on one thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>

#include "sand/file_system.hpp"
#include "sand/status.hpp"

namespace sand::fuzz {

[[noreturn]] inline void fail(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "FUZZ CHECK FAILED: %.*s %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline void check(bool cond, std::string_view what, std::string_view detail = {}) {
  if (!cond) fail(what, detail);
}

// Aborts unless `s` is OK or one of `allowed` (the kinds a decoder may
// return for bad bytes). An IOError or ReadOnly from a pure decoder or the
// in-memory file system would be a bug.
inline void expect_code(const Status& s, std::initializer_list<Code> allowed,
                        std::string_view where) {
  if (s.is_ok()) return;
  for (Code c : allowed) {
    if (s.code() == c) return;
  }
  fail(where, s.to_string());
}

// The usual set for code reading untrusted bytes: Corruption only.
inline void expect_corruption_or_ok(const Status& s, std::string_view where) {
  expect_code(s, {Code::kCorruption}, where);
}

// A whole file's bytes held in memory (what a mapped file looks like to the
// table reader), so readers can be fed without any file system.
class StringFile final : public ReadableFile {
 public:
  explicit StringFile(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string_view contents() const override { return bytes_; }

 private:
  std::string bytes_;
};

// Consumes the fuzz input front to back; past the end every read returns 0
// (so a short input still means something, deterministically).
class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  std::size_t remaining() const { return empty() ? 0 : size_ - pos_; }
  std::uint8_t u8() { return empty() ? 0 : data_[pos_++]; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  std::uint32_t u32() { return u16() | (std::uint32_t{u16()} << 16); }
  // Up to `n` raw bytes.
  std::string_view take(std::size_t n) {
    const std::size_t k = n < remaining() ? n : remaining();
    std::string_view out(reinterpret_cast<const char*>(data_ + pos_), k);
    pos_ += k;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

inline std::string_view as_view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace sand::fuzz

// Every target defines this (the libFuzzer entry point).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
