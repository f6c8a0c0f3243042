// Byte coding shared by every file format (spec/encoding.md): little-endian
// fixed-width integers, LEB128 varints, length-prefixed strings.
//
// Encoders append to a std::string. Decoders consume from the front of a
// std::string_view and return false (consuming nothing useful) on truncated
// or overlong input, so callers turn that into a Corruption with an offset.
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sand::util {

inline constexpr int kMaxVarint32Bytes = 5;
inline constexpr int kMaxVarint64Bytes = 10;

inline void encode_fixed32(char* dst, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>(v >> (8 * i));
}
inline void encode_fixed64(char* dst, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) dst[i] = static_cast<char>(v >> (8 * i));
}
inline std::uint32_t decode_fixed32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
inline std::uint64_t decode_fixed64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void put_fixed32(std::string* dst, std::uint32_t v);
void put_fixed64(std::string* dst, std::uint64_t v);
void put_varint32(std::string* dst, std::uint32_t v);
void put_varint64(std::string* dst, std::uint64_t v);
// varint64 length, then the bytes.
void put_length_prefixed(std::string* dst, std::string_view bytes);

// Writes the varint of `v` at `dst` (room for kMaxVarint64Bytes); returns the
// byte past it.
char* encode_varint64(char* dst, std::uint64_t v);
int varint_length(std::uint64_t v);

bool get_fixed32(std::string_view* in, std::uint32_t* v);
bool get_fixed64(std::string_view* in, std::uint64_t* v);
// Rejects truncated varints and varints longer than the type allows.
bool get_varint32(std::string_view* in, std::uint32_t* v);
bool get_varint64(std::string_view* in, std::uint64_t* v);
bool get_length_prefixed(std::string_view* in, std::string_view* bytes);

}  // namespace sand::util
