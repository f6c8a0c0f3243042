// The C API's scans: sand_scan and the iterator it returns (stepping both
// ways and seeking).
#include "capi/c_internal.hpp"

using sand::capi::guard;

namespace {

// Runs `move` (a movement of the C++ iterator) unless the iterator failed
// before; an exception ends the scan, as the C++ iterator's own errors do.
template <typename Move>
void move_iterator(sand_iterator_t* iterator, Move&& move) noexcept {
  if (iterator == nullptr || iterator->failure != SAND_OK) return;
  try {
    move(iterator->iterator);
  } catch (const std::bad_alloc&) {
    iterator->failure = SAND_OUT_OF_MEMORY;
    iterator->failure_what = "out of memory while iterating";
  } catch (...) {
    iterator->failure = SAND_INTERNAL;
    iterator->failure_what = "exception while iterating";
  }
}

// A seek to (key, keylen). A NULL key with a length fails the iterator with
// `null_message`, a string literal (the failure keeps only a pointer).
template <typename Seek>
void seek_key(sand_iterator_t* iterator, const char* key, size_t keylen, const char* null_message,
              Seek&& seek) noexcept {
  if (iterator == nullptr || iterator->failure != SAND_OK) return;
  if (key == nullptr && keylen != 0) {
    iterator->failure = SAND_INVALID_ARGUMENT;
    iterator->failure_what = null_message;
    return;
  }
  move_iterator(iterator, [&](sand::Iterator& it) { seek(it, sand::capi::bytes(key, keylen)); });
}

}  // namespace

extern "C" {

sand_code_t sand_scan(sand_db_t* db, const sand_scan_options_t* sopts, sand_iterator_t** iterator,
                      char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(iterator, "sand_scan");
    *iterator = nullptr;
    SAND_C_REQUIRE(db, "sand_scan");
    auto scan = sopts != nullptr ? db->db->scan(sopts->options) : db->db->scan();
    if (!scan.is_ok()) return scan.status();
    *iterator = new sand_iterator(std::move(scan).value());
    return sand::Status::ok();
  });
}

int sand_iterator_valid(const sand_iterator_t* iterator) {
  return iterator != nullptr && iterator->failure == SAND_OK && iterator->iterator.valid() ? 1 : 0;
}

void sand_iterator_next(sand_iterator_t* iterator) {
  if (sand_iterator_valid(iterator) == 0) return;
  move_iterator(iterator, [](sand::Iterator& it) { it.next(); });
}

void sand_iterator_prev(sand_iterator_t* iterator) {
  if (sand_iterator_valid(iterator) == 0) return;
  move_iterator(iterator, [](sand::Iterator& it) { it.prev(); });
}

void sand_iterator_seek(sand_iterator_t* iterator, const char* key, size_t keylen) {
  seek_key(iterator, key, keylen, "sand_iterator_seek: key is NULL but its length is not 0",
           [](sand::Iterator& it, std::string_view k) { it.seek(k); });
}

void sand_iterator_seek_for_prev(sand_iterator_t* iterator, const char* key, size_t keylen) {
  seek_key(iterator, key, keylen,
           "sand_iterator_seek_for_prev: key is NULL but its length is not 0",
           [](sand::Iterator& it, std::string_view k) { it.seek_for_prev(k); });
}

void sand_iterator_seek_to_first(sand_iterator_t* iterator) {
  move_iterator(iterator, [](sand::Iterator& it) { it.seek_to_first(); });
}

void sand_iterator_seek_to_last(sand_iterator_t* iterator) {
  move_iterator(iterator, [](sand::Iterator& it) { it.seek_to_last(); });
}

const char* sand_iterator_key(const sand_iterator_t* iterator, size_t* len) {
  if (len != nullptr) *len = 0;
  if (sand_iterator_valid(iterator) == 0) return nullptr;
  const std::string_view key = iterator->iterator.key();
  if (len != nullptr) *len = key.size();
  // An empty key may have a null data(): callers were promised non-NULL.
  return key.data() != nullptr ? key.data() : "";
}

const char* sand_iterator_value(const sand_iterator_t* iterator, size_t* len) {
  if (len != nullptr) *len = 0;
  if (sand_iterator_valid(iterator) == 0) return nullptr;
  const std::string_view value = iterator->iterator.value();
  if (len != nullptr) *len = value.size();
  return value.data() != nullptr ? value.data() : "";
}

uint64_t sand_iterator_version(const sand_iterator_t* iterator) {
  return sand_iterator_valid(iterator) != 0 ? iterator->iterator.version() : 0;
}

sand_code_t sand_iterator_status(const sand_iterator_t* iterator, char** errmsg) {
  if (iterator != nullptr && iterator->failure != SAND_OK) {
    // Not a sand::Status: the failure was caught at this boundary.
    if (errmsg != nullptr) *errmsg = nullptr;
    return sand::capi::fail(iterator->failure, iterator->failure_what, errmsg);
  }
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(iterator, "sand_iterator_status");
    return iterator->iterator.status();
  });
}

void sand_iterator_destroy(sand_iterator_t* iterator) { delete iterator; }

}  // extern "C"
