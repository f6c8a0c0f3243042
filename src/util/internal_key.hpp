// Internal keys: how (user key, version, kind) is laid out and ordered inside
// memtables, tables and iterators (spec/encoding.md "Internal key").
//
//   internal_key = user_key ++ fixed64_le(version << 8 | kind)
//
// Order: user key ascending (bytewise, shorter prefix first), then the 8-byte
// trailer descending, so the newest version of a key comes first. No two
// entries share (user key, version): a batch that names a key twice keeps
// only its last operation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sand/options.hpp"
#include "util/coding.hpp"
#include "util/compare_bytes.hpp"

namespace sand {

// The kind of an entry. On-disk: never change or reuse these values.
// kValueRef is a put whose value lives in a value file: the entry's value is
// a value reference (value/value_ref.hpp). It appears in memtables and in
// tables of format version 2, never in a WAL batch or an archive; reads
// resolve it to a put of the referenced bytes.
enum class EntryKind : std::uint8_t { kDelete = 0, kPut = 1, kValueRef = 2 };

// Whether an entry of `kind` holds a value (inline or by reference).
inline bool is_put(EntryKind kind) { return kind != EntryKind::kDelete; }

// The largest kind byte; a seek key for (k, v) uses it so it sorts before
// every real entry of k at version v.
inline constexpr std::uint8_t kKindForSeek = 0xff;
inline constexpr std::size_t kTrailerSize = 8;

inline std::uint64_t pack_trailer(Version v, std::uint8_t kind) { return (v << 8) | kind; }

inline void append_internal_key(std::string* dst, std::string_view user_key, Version v,
                                EntryKind kind) {
  dst->append(user_key);
  util::put_fixed64(dst, pack_trailer(v, static_cast<std::uint8_t>(kind)));
}

// Sets *dst to seek_key(user_key, v), reusing its buffer (a batch of
// lookups builds one seek key after another without allocating).
inline void assign_seek_key(std::string* dst, std::string_view user_key, Version v) {
  dst->assign(user_key);
  util::put_fixed64(dst, pack_trailer(v, kKindForSeek));
}

// A key that sorts just before every entry of `user_key` at versions <= v.
inline std::string seek_key(std::string_view user_key, Version v) {
  std::string k;
  k.reserve(user_key.size() + kTrailerSize);
  assign_seek_key(&k, user_key, v);
  return k;
}

struct ParsedKey {
  std::string_view user_key;
  Version version = 0;
  EntryKind kind = EntryKind::kPut;
};

// Splits an internal key. False if it is shorter than the trailer or its kind
// is not a known EntryKind.
inline bool parse_internal_key(std::string_view ikey, ParsedKey* out) {
  if (ikey.size() < kTrailerSize) return false;
  const std::uint64_t trailer = util::decode_fixed64(ikey.data() + ikey.size() - kTrailerSize);
  const auto kind = static_cast<std::uint8_t>(trailer & 0xff);
  if (kind > static_cast<std::uint8_t>(EntryKind::kValueRef)) return false;
  out->user_key = ikey.substr(0, ikey.size() - kTrailerSize);
  out->version = trailer >> 8;
  out->kind = static_cast<EntryKind>(kind);
  return true;
}

// REQUIRES: ikey.size() >= kTrailerSize.
inline std::string_view user_key_of(std::string_view ikey) {
  return ikey.substr(0, ikey.size() - kTrailerSize);
}
inline std::uint64_t trailer_of(std::string_view ikey) {
  return util::decode_fixed64(ikey.data() + ikey.size() - kTrailerSize);
}
// Whether `ikey` is the key of a kind-2 entry (its value is a reference).
inline bool is_value_ref_key(std::string_view ikey) {
  return ikey.size() >= kTrailerSize &&
         static_cast<EntryKind>(trailer_of(ikey) & 0xff) == EntryKind::kValueRef;
}

// <0, 0, >0 as a sorts before, with, after b. REQUIRES: both hold a trailer.
inline int compare_internal_keys(std::string_view a, std::string_view b) {
  const int c = util::compare_bytes(user_key_of(a), user_key_of(b));
  if (c != 0) return c;
  const std::uint64_t ta = trailer_of(a), tb = trailer_of(b);
  return ta > tb ? -1 : (ta < tb ? 1 : 0);
}

}  // namespace sand
