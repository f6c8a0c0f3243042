// Value reference codec (spec/values.md "Value reference").
#include "value/value_ref.hpp"

#include <limits>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "sand/options.hpp"
#include "util/coding.hpp"

namespace sand::value {

std::uint64_t value_checksum(std::string_view bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

void encode_value_ref(const ValueRef& ref, std::string* dst) {
  util::put_varint64(dst, ref.file);
  util::put_varint64(dst, ref.offset);
  util::put_varint64(dst, ref.size);
  util::put_fixed64(dst, ref.checksum);
  if (ref.compressed()) util::put_varint64(dst, ref.raw_size);
}

std::optional<ValueRef> decode_value_ref(std::string_view bytes) {
  ValueRef ref;
  if (!util::get_varint64(&bytes, &ref.file) || !util::get_varint64(&bytes, &ref.offset) ||
      !util::get_varint64(&bytes, &ref.size) || !util::get_fixed64(&bytes, &ref.checksum)) {
    return std::nullopt;
  }
  if (!bytes.empty() && (!util::get_varint64(&bytes, &ref.raw_size) || !bytes.empty() ||
                         ref.raw_size == 0 || ref.raw_size > kMaxValueSize)) {
    return std::nullopt;
  }
  if (ref.file == 0 || ref.size > kMaxValueSize ||
      ref.offset > std::numeric_limits<std::uint64_t>::max() - ref.size) {
    return std::nullopt;
  }
  return ref;
}

}  // namespace sand::value
