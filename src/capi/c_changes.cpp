// The C API's change feed (sand_changes, its options and the iterator it
// returns) and sand_wait_for_version.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "capi/c_internal.hpp"

using sand::capi::check_bytes;
using sand::capi::guard;
using sand::capi::make_or_null;

namespace {

// The longest wait sand_wait_for_version passes on: 2^40 ms (about 34
// years), far from overflowing a steady_clock deadline.
constexpr uint64_t kMaxWaitMillis = uint64_t{1} << 40;

// The change at `index` of the current batch, or null.
const sand::Change* change_at(const sand_change_iterator_t* feed, size_t index) {
  if (sand_change_iterator_valid(feed) == 0) return nullptr;
  const auto& changes = feed->feed.batch().changes;
  return index < changes.size() ? &changes[index] : nullptr;
}

// Sets one of the key bounds of `copts` (from, to, prefix).
sand_code_t set_bound(const char* function, const char* argument, sand_change_options_t* copts,
                      std::optional<std::string> sand::ChangeOptions::*field, const char* key,
                      size_t keylen, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(copts, function);
    SAND_RETURN_IF_ERROR(check_bytes(function, argument, key, keylen));
    std::string bound(sand::capi::bytes(key, keylen));  // may throw: options unchanged
    copts->options.*field = std::move(bound);
    return sand::Status::ok();
  });
}

}  // namespace

extern "C" {

sand_change_options_t* sand_change_options_create(void) {
  return make_or_null([] { return new sand_change_options(); });
}

void sand_change_options_destroy(sand_change_options_t* copts) { delete copts; }

void sand_change_options_set_since(sand_change_options_t* copts, uint64_t since) {
  if (copts != nullptr) copts->options.since = since;
}

void sand_change_options_set_until(sand_change_options_t* copts, uint64_t until) {
  if (copts != nullptr) copts->options.until = until;
}

void sand_change_options_clear_until(sand_change_options_t* copts) {
  if (copts != nullptr) copts->options.until.reset();
}

sand_code_t sand_change_options_set_from(sand_change_options_t* copts, const char* key,
                                         size_t keylen, char** errmsg) {
  return set_bound("sand_change_options_set_from", "key", copts, &sand::ChangeOptions::from, key,
                   keylen, errmsg);
}

sand_code_t sand_change_options_set_to(sand_change_options_t* copts, const char* key, size_t keylen,
                                       char** errmsg) {
  return set_bound("sand_change_options_set_to", "key", copts, &sand::ChangeOptions::to, key,
                   keylen, errmsg);
}

sand_code_t sand_change_options_set_prefix(sand_change_options_t* copts, const char* prefix,
                                           size_t prefixlen, char** errmsg) {
  return set_bound("sand_change_options_set_prefix", "prefix", copts, &sand::ChangeOptions::prefix,
                   prefix, prefixlen, errmsg);
}

void sand_change_options_clear_from(sand_change_options_t* copts) {
  if (copts != nullptr) copts->options.from.reset();
}

void sand_change_options_clear_to(sand_change_options_t* copts) {
  if (copts != nullptr) copts->options.to.reset();
}

void sand_change_options_clear_prefix(sand_change_options_t* copts) {
  if (copts != nullptr) copts->options.prefix.reset();
}

sand_code_t sand_changes(sand_db_t* db, const sand_change_options_t* copts,
                         sand_change_iterator_t** feed, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(feed, "sand_changes");
    *feed = nullptr;
    SAND_C_REQUIRE(db, "sand_changes");
    auto opened = copts != nullptr ? db->db->changes(copts->options) : db->db->changes();
    if (!opened.is_ok()) return opened.status();
    *feed = new sand_change_iterator(std::move(opened).value());
    return sand::Status::ok();
  });
}

int sand_change_iterator_valid(const sand_change_iterator_t* feed) {
  return feed != nullptr && feed->failure == SAND_OK && feed->feed.valid() ? 1 : 0;
}

void sand_change_iterator_next(sand_change_iterator_t* feed) {
  if (sand_change_iterator_valid(feed) == 0) return;
  try {
    feed->feed.next();
  } catch (const std::bad_alloc&) {
    feed->failure = SAND_OUT_OF_MEMORY;
    feed->failure_what = "out of memory while reading the change feed";
  } catch (...) {
    feed->failure = SAND_INTERNAL;
    feed->failure_what = "exception while reading the change feed";
  }
}

uint64_t sand_change_iterator_version(const sand_change_iterator_t* feed) {
  return sand_change_iterator_valid(feed) != 0 ? feed->feed.batch().version : 0;
}

size_t sand_change_iterator_count(const sand_change_iterator_t* feed) {
  return sand_change_iterator_valid(feed) != 0 ? feed->feed.batch().changes.size() : 0;
}

const char* sand_change_iterator_key(const sand_change_iterator_t* feed, size_t index,
                                     size_t* len) {
  if (len != nullptr) *len = 0;
  const sand::Change* change = change_at(feed, index);
  if (change == nullptr) return nullptr;
  if (len != nullptr) *len = change->key.size();
  return change->key.c_str();  // never null, also for the empty key
}

const char* sand_change_iterator_value(const sand_change_iterator_t* feed, size_t index,
                                       size_t* len) {
  if (len != nullptr) *len = 0;
  const sand::Change* change = change_at(feed, index);
  if (change == nullptr) return nullptr;
  if (change->deleted) return "";
  if (len != nullptr) *len = change->value.size();
  return change->value.c_str();
}

int sand_change_iterator_deleted(const sand_change_iterator_t* feed, size_t index) {
  const sand::Change* change = change_at(feed, index);
  return change != nullptr && change->deleted ? 1 : 0;
}

uint64_t sand_change_iterator_until(const sand_change_iterator_t* feed) {
  return feed != nullptr ? feed->feed.until() : 0;
}

sand_code_t sand_change_iterator_status(const sand_change_iterator_t* feed, char** errmsg) {
  if (feed != nullptr && feed->failure != SAND_OK) {
    // Not a sand::Status: the failure was caught at this boundary.
    if (errmsg != nullptr) *errmsg = nullptr;
    return sand::capi::fail(feed->failure, feed->failure_what, errmsg);
  }
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(feed, "sand_change_iterator_status");
    return feed->feed.status();
  });
}

void sand_change_iterator_destroy(sand_change_iterator_t* feed) { delete feed; }

sand_code_t sand_wait_for_version(sand_db_t* db, uint64_t v, uint64_t timeout_ms, uint64_t* last,
                                  char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    if (last != nullptr) *last = 0;
    SAND_C_REQUIRE(db, "sand_wait_for_version");
    const auto timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(std::min(timeout_ms, kMaxWaitMillis)));
    auto waited = db->db->wait_for_version(v, timeout);
    if (!waited.is_ok()) return waited.status();
    if (last != nullptr) *last = *waited;
    return sand::Status::ok();
  });
}

}  // extern "C"
