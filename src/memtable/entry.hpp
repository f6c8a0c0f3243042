// Memtable entries: how one (internal key, value) pair is laid out in the
// arena, and how the skiplist orders them. In memory only, never on disk.
//
//   varint32 internal_key_size | internal_key | varint32 value_size | value
//
// internal_key = user_key ++ fixed64_le(version << 8 | kind) (util/
// internal_key.hpp). The bytes are contiguous, so a reader gets the key and
// the value as string_views into the arena without copying.
//
// Two orders, deliberately different:
// - Entry vs entry (inserting): user key ascending, then VERSION descending,
//   ignoring the kind. So a put and a delete of the same key in one batch
//   (same version) compare equal and the later one replaces the earlier.
// - Entry vs LookupKey (seeking): user key ascending, then the full trailer
//   descending: exactly compare_internal_keys(). Because stored entries never
//   share (user key, version), both orders sort stored entries identically,
//   and a seek lands where compare_internal_keys() says it should.
//
// Thread-safety: pure functions over immutable bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

#include "memtable/arena.hpp"
#include "util/coding.hpp"
#include "util/compare_bytes.hpp"
#include "util/internal_key.hpp"

namespace sand::memtable_entry {

// Decodes a varint32 that this process wrote into the arena itself, so it is
// known to be well formed: no bounds checks (nothing here reads file bytes).
inline const char* decode_varint32_trusted(const char* p, std::uint32_t* v) {
  std::uint32_t result = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<unsigned char>(*p++);
    result |= static_cast<std::uint32_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  *v = result;
  return p;
}

inline std::string_view internal_key(const char* entry) {
  std::uint32_t size;
  const char* p = decode_varint32_trusted(entry, &size);
  return {p, size};
}

inline std::string_view value(const char* entry) {
  const std::string_view ikey = internal_key(entry);
  std::uint32_t size;
  const char* p = decode_varint32_trusted(ikey.data() + ikey.size(), &size);
  return {p, size};
}

inline Version version(const char* entry) { return trailer_of(internal_key(entry)) >> 8; }

// Copies one entry into `arena` and returns its first byte.
// REQUIRES: user_key.size() + kTrailerSize and value.size() fit in uint32;
// version <= kMaxVersion.
inline const char* encode(Arena* arena, std::string_view user_key, Version version, EntryKind kind,
                          std::string_view value) {
  const std::size_t ikey_size = user_key.size() + kTrailerSize;
  const std::size_t size = static_cast<std::size_t>(util::varint_length(ikey_size)) + ikey_size +
                           static_cast<std::size_t>(util::varint_length(value.size())) +
                           value.size();
  char* const start = arena->allocate(size, 1);
  char* p = util::encode_varint64(start, ikey_size);
  if (!user_key.empty()) std::memcpy(p, user_key.data(), user_key.size());
  p += user_key.size();
  util::encode_fixed64(p, pack_trailer(version, static_cast<std::uint8_t>(kind)));
  p += kTrailerSize;
  p = util::encode_varint64(p, value.size());
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  return start;
}

// A seek target: the parts of an internal key, without building one.
struct LookupKey {
  std::string_view user_key;
  std::uint64_t trailer = 0;

  // From an internal key. A target shorter than a trailer is taken as a bare
  // user key and placed before all of that key's entries, so a malformed
  // target can never make the memtable read outside its bytes.
  static LookupKey from_internal_key(std::string_view ikey) {
    if (ikey.size() < kTrailerSize) {
      return {ikey, std::numeric_limits<std::uint64_t>::max()};
    }
    return {user_key_of(ikey), trailer_of(ikey)};
  }
  // Sorts just before every entry of `user_key` with version <= at. An `at`
  // beyond kMaxVersion (e.g. UINT64_MAX for "latest") means kMaxVersion:
  // shifting it into the trailer would otherwise drop its top bits.
  static LookupKey at_version(std::string_view user_key, Version at) {
    if (at > kMaxVersion) at = kMaxVersion;
    return {user_key, pack_trailer(at, kKindForSeek)};
  }
};

struct Comparator {
  int operator()(const char* a, const char* b) const {
    const std::string_view ka = internal_key(a), kb = internal_key(b);
    const int c = util::compare_bytes(user_key_of(ka), user_key_of(kb));
    if (c != 0) return c;
    const Version va = trailer_of(ka) >> 8, vb = trailer_of(kb) >> 8;
    return va > vb ? -1 : (va < vb ? 1 : 0);
  }
  int operator()(const char* a, const LookupKey& b) const {
    const std::string_view ka = internal_key(a);
    const int c = util::compare_bytes(user_key_of(ka), b.user_key);
    if (c != 0) return c;
    const std::uint64_t ta = trailer_of(ka);
    return ta > b.trailer ? -1 : (ta < b.trailer ? 1 : 0);
  }
};

}  // namespace sand::memtable_entry
