// Varint and fixed-width coding (spec/encoding.md).
#include "util/coding.hpp"

namespace sand::util {

void put_fixed32(std::string* dst, std::uint32_t v) {
  char buf[4];
  encode_fixed32(buf, v);
  dst->append(buf, 4);
}

void put_fixed64(std::string* dst, std::uint64_t v) {
  char buf[8];
  encode_fixed64(buf, v);
  dst->append(buf, 8);
}

char* encode_varint64(char* dst, std::uint64_t v) {
  auto* p = reinterpret_cast<unsigned char*>(dst);
  while (v >= 0x80) {
    *p++ = static_cast<unsigned char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<unsigned char>(v);
  return reinterpret_cast<char*>(p);
}

void put_varint32(std::string* dst, std::uint32_t v) { put_varint64(dst, v); }

void put_varint64(std::string* dst, std::uint64_t v) {
  char buf[kMaxVarint64Bytes];
  char* end = encode_varint64(buf, v);
  dst->append(buf, static_cast<std::size_t>(end - buf));
}

void put_length_prefixed(std::string* dst, std::string_view bytes) {
  put_varint64(dst, bytes.size());
  dst->append(bytes);
}

int varint_length(std::uint64_t v) {
  int len = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++len;
  }
  return len;
}

bool get_fixed32(std::string_view* in, std::uint32_t* v) {
  if (in->size() < 4) return false;
  *v = decode_fixed32(in->data());
  in->remove_prefix(4);
  return true;
}

bool get_fixed64(std::string_view* in, std::uint64_t* v) {
  if (in->size() < 8) return false;
  *v = decode_fixed64(in->data());
  in->remove_prefix(8);
  return true;
}

namespace {
// Decodes at most `max_bytes` groups; the last group may use only the bits
// that fit, so overlong or overflowing encodings are rejected.
bool get_varint(std::string_view* in, std::uint64_t* v, int max_bytes,
                int value_bits) {
  std::uint64_t result = 0;
  for (int i = 0; i < max_bytes && i < static_cast<int>(in->size()); ++i) {
    const auto byte = static_cast<unsigned char>((*in)[static_cast<std::size_t>(i)]);
    const int shift = 7 * i;
    const std::uint64_t group = byte & 0x7f;
    if (shift + 7 > value_bits && (group >> (value_bits - shift)) != 0) {
      return false;  // bits beyond the type's width
    }
    result |= group << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      in->remove_prefix(static_cast<std::size_t>(i) + 1);
      return true;
    }
  }
  return false;  // truncated, or more continuation bytes than allowed
}
}  // namespace

bool get_varint32(std::string_view* in, std::uint32_t* v) {
  std::uint64_t wide = 0;
  if (!get_varint(in, &wide, kMaxVarint32Bytes, 32)) return false;
  *v = static_cast<std::uint32_t>(wide);
  return true;
}

bool get_varint64(std::string_view* in, std::uint64_t* v) {
  return get_varint(in, v, kMaxVarint64Bytes, 64);
}

bool get_length_prefixed(std::string_view* in, std::string_view* bytes) {
  std::string_view copy = *in;
  std::uint64_t len = 0;
  if (!get_varint64(&copy, &len) || len > copy.size()) return false;
  *bytes = copy.substr(0, len);
  copy.remove_prefix(len);
  *in = copy;
  return true;
}

}  // namespace sand::util
