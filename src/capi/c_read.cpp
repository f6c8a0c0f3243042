// The C API's point reads (latest and at a version) and key history.
#include <cstring>
#include <optional>

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
    // One byte more than the value: a NUL, so text values print as they are.
    auto* copy = static_cast<char*>(std::malloc(v.size() + 1));
    if (copy == nullptr) throw std::bad_alloc();
    if (!v.empty()) std::memcpy(copy, v.data(), v.size());
    copy[v.size()] = '\0';
    *found = 1;
    *value = copy;
    *valuelen = v.size();
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
