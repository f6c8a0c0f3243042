// The C API's scans: sand_scan and the iterator it returns.
#include "capi/c_internal.hpp"

using sand::capi::guard;

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
  try {
    iterator->iterator.next();
  } catch (const std::bad_alloc&) {
    iterator->failure = SAND_OUT_OF_MEMORY;
    iterator->failure_what = "out of memory while iterating";
  } catch (...) {
    iterator->failure = SAND_INTERNAL;
    iterator->failure_what = "exception while iterating";
  }
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
