// The C API's point reads (latest and at a version, with the entry's version,
// many keys at once) and key history.
#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "capi/c_internal.hpp"

using sand::capi::check_bytes;
using sand::capi::guard;

namespace {

// Shared by sand_get and sand_get_at: `at` empty reads the latest version.
sand_code_t get(const char* function, sand_db_t* db, std::optional<uint64_t> at, const char* key,
                size_t keylen, int* found, char** value, size_t* valuelen, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    // Cleared before any check, so an error leaves each of them defined.
    if (found != nullptr) *found = 0;
    if (value != nullptr) *value = nullptr;
    if (valuelen != nullptr) *valuelen = 0;
    SAND_C_REQUIRE(found, function);
    SAND_C_REQUIRE(value, function);
    SAND_C_REQUIRE(valuelen, function);
    SAND_C_REQUIRE(db, function);
    SAND_RETURN_IF_ERROR(check_bytes(function, "key", key, keylen));
    const std::string_view k = sand::capi::bytes(key, keylen);
    auto read = at ? db->db->get(k, *at) : db->db->get(k);
    if (!read.is_ok()) return read.status();
    if (!read->has_value()) return sand::Status::ok();
    const std::string& v = **read;
    *value = sand::capi::malloc_copy(v);
    *found = 1;
    *valuelen = v.size();
    return sand::Status::ok();
  });
}

// Shared by sand_get_versioned and sand_get_versioned_at.
sand_code_t get_versioned(const char* function, sand_db_t* db, std::optional<uint64_t> at,
                          const char* key, size_t keylen, int* found, uint64_t* version,
                          int* deleted, char** value, size_t* valuelen, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    if (found != nullptr) *found = 0;
    if (version != nullptr) *version = 0;
    if (deleted != nullptr) *deleted = 0;
    if (value != nullptr) *value = nullptr;
    if (valuelen != nullptr) *valuelen = 0;
    SAND_C_REQUIRE(found, function);
    SAND_C_REQUIRE(version, function);
    SAND_C_REQUIRE(deleted, function);
    SAND_C_REQUIRE(value, function);
    SAND_C_REQUIRE(valuelen, function);
    SAND_C_REQUIRE(db, function);
    SAND_RETURN_IF_ERROR(check_bytes(function, "key", key, keylen));
    const std::string_view k = sand::capi::bytes(key, keylen);
    auto read = at ? db->db->get_versioned(k, *at) : db->db->get_versioned(k);
    if (!read.is_ok()) return read.status();
    if (!read->has_value()) return sand::Status::ok();
    const sand::HistoryEntry& e = **read;
    if (!e.deleted) {
      *value = sand::capi::malloc_copy(e.value);  // the only step that may throw
      *valuelen = e.value.size();
    }
    *found = 1;
    *version = e.version;
    *deleted = e.deleted ? 1 : 0;
    return sand::Status::ok();
  });
}

// Shared by sand_multi_get and sand_multi_get_at.
sand_code_t multi_get(const char* function, sand_db_t* db, std::optional<uint64_t> at, size_t n,
                      const char* const* keys, const size_t* keylens, int* found, char** values,
                      size_t* valuelens, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    // Every output entry is defined before any check can fail.
    if (n > 0) {
      if (found != nullptr) std::fill_n(found, n, 0);
      if (values != nullptr) std::fill_n(values, n, nullptr);
      if (valuelens != nullptr) std::fill_n(valuelens, n, size_t{0});
      SAND_C_REQUIRE(keys, function);
      SAND_C_REQUIRE(keylens, function);
      SAND_C_REQUIRE(found, function);
      SAND_C_REQUIRE(values, function);
      SAND_C_REQUIRE(valuelens, function);
    }
    SAND_C_REQUIRE(db, function);
    std::vector<std::string_view> views;
    views.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (keys[i] == nullptr && keylens[i] != 0) {
        const std::string name = "keys[" + std::to_string(i) + "]";
        return check_bytes(function, name.c_str(), keys[i], keylens[i]);
      }
      views.push_back(sand::capi::bytes(keys[i], keylens[i]));
    }
    auto read = at ? db->db->multi_get(views, *at) : db->db->multi_get(views);
    if (!read.is_ok()) return read.status();
    const auto& answers = *read;
    if (answers.size() != n) throw std::logic_error("multi_get: one answer per key expected");
    // All or nothing: a copy that fails frees the ones made before it.
    size_t copied = 0;
    try {
      for (; copied < n; ++copied) {
        if (answers[copied]) values[copied] = sand::capi::malloc_copy(*answers[copied]);
      }
    } catch (...) {
      for (size_t i = 0; i < copied; ++i) {
        sand_free(values[i]);
        values[i] = nullptr;
      }
      throw;
    }
    for (size_t i = 0; i < n; ++i) {
      if (!answers[i]) continue;
      found[i] = 1;
      valuelens[i] = answers[i]->size();
    }
    return sand::Status::ok();
  });
}

}  // namespace

extern "C" {

sand_code_t sand_get(sand_db_t* db, const char* key, size_t keylen, int* found, char** value,
                     size_t* valuelen, char** errmsg) {
  return get("sand_get", db, std::nullopt, key, keylen, found, value, valuelen, errmsg);
}

sand_code_t sand_get_at(sand_db_t* db, uint64_t at, const char* key, size_t keylen, int* found,
                        char** value, size_t* valuelen, char** errmsg) {
  return get("sand_get_at", db, at, key, keylen, found, value, valuelen, errmsg);
}

sand_code_t sand_get_versioned(sand_db_t* db, const char* key, size_t keylen, int* found,
                               uint64_t* version, int* deleted, char** value, size_t* valuelen,
                               char** errmsg) {
  return get_versioned("sand_get_versioned", db, std::nullopt, key, keylen, found, version, deleted,
                       value, valuelen, errmsg);
}

sand_code_t sand_get_versioned_at(sand_db_t* db, uint64_t at, const char* key, size_t keylen,
                                  int* found, uint64_t* version, int* deleted, char** value,
                                  size_t* valuelen, char** errmsg) {
  return get_versioned("sand_get_versioned_at", db, at, key, keylen, found, version, deleted, value,
                       valuelen, errmsg);
}

sand_code_t sand_multi_get(sand_db_t* db, size_t n, const char* const* keys, const size_t* keylens,
                           int* found, char** values, size_t* valuelens, char** errmsg) {
  return multi_get("sand_multi_get", db, std::nullopt, n, keys, keylens, found, values, valuelens,
                   errmsg);
}

sand_code_t sand_multi_get_at(sand_db_t* db, uint64_t at, size_t n, const char* const* keys,
                              const size_t* keylens, int* found, char** values, size_t* valuelens,
                              char** errmsg) {
  return multi_get("sand_multi_get_at", db, at, n, keys, keylens, found, values, valuelens, errmsg);
}

sand_code_t sand_get_history(sand_db_t* db, const char* key, size_t keylen,
                             sand_history_t** history, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(history, "sand_get_history");
    *history = nullptr;
    SAND_C_REQUIRE(db, "sand_get_history");
    SAND_RETURN_IF_ERROR(check_bytes("sand_get_history", "key", key, keylen));
    auto read = db->db->history(sand::capi::bytes(key, keylen));
    if (!read.is_ok()) return read.status();
    auto handle = std::make_unique<sand_history>();
    handle->entries = std::move(read).value();
    // The views point into `entries`, which never changes after this.
    handle->views.reserve(handle->entries.size());
    for (const sand::HistoryEntry& e : handle->entries) {
      handle->views.push_back(sand_history_entry_t{
          .version = e.version,
          .deleted = e.deleted ? 1 : 0,
          .value = e.value.c_str(),
          .value_len = e.value.size(),
      });
    }
    *history = handle.release();
    return sand::Status::ok();
  });
}

size_t sand_history_count(const sand_history_t* history) {
  return history != nullptr ? history->views.size() : 0;
}

const sand_history_entry_t* sand_history_at(const sand_history_t* history, size_t index) {
  if (history == nullptr || index >= history->views.size()) return nullptr;
  return &history->views[index];
}

void sand_history_destroy(sand_history_t* history) { delete history; }

}  // extern "C"
