// The C API's handle types and the boundary helpers every entry point uses.
//
// Each opaque handle of include/sand/c.h is a plain struct wrapping the C++
// object it stands for. Every entry point runs its body through guard(),
// which turns a Status into a code plus a malloc'd "Kind: message" and
// catches every exception, so nothing C++ crosses into C.
//
// Thread-safety: the helpers keep no state; each handle follows the rule of
// the C++ object it wraps.
#pragma once

#include <cstdlib>
#include <exception>
#include <memory>
#include <new>
#include <string_view>
#include <utility>
#include <vector>

#include "sand/c.h"
#include "sand/check.hpp"
#include "sand/db.hpp"

struct sand_options {
  sand::Options options;
};

struct sand_write_options {
  sand::WriteOptions options;
};

struct sand_db {
  std::unique_ptr<sand::DB> db;
};

struct sand_write_batch {
  sand::WriteBatch batch;
  // Set when an append failed midway (out of memory); sand_write refuses the
  // batch until it is cleared.
  bool damaged = false;
};

struct sand_history {
  std::vector<sand::HistoryEntry> entries;
  std::vector<sand_history_entry_t> views;  // point into `entries`
};

struct sand_scan_options {
  sand::ScanOptions options;
};

struct sand_iterator {
  explicit sand_iterator(sand::Iterator it) : iterator(std::move(it)) {}
  sand::Iterator iterator;
  // An exception caught in next() ends the scan: the C++ iterator cannot say
  // so itself, so the code and a static message are kept here.
  sand_code_t failure = SAND_OK;
  const char* failure_what = nullptr;
};

struct sand_change_options {
  sand::ChangeOptions options;
};

struct sand_change_iterator {
  explicit sand_change_iterator(sand::ChangeIterator it) : feed(std::move(it)) {}
  sand::ChangeIterator feed;
  // As in sand_iterator: an exception caught in next() ends the feed.
  sand_code_t failure = SAND_OK;
  const char* failure_what = nullptr;
};

struct sand_snapshot {
  sand::Snapshot snapshot;
};

struct sand_check_report {
  sand::CheckReport report;
  // Built once the report has its final place: they point into its strings.
  std::vector<sand_check_file_t> files;
  std::vector<sand_check_finding_t> problems;
  std::vector<sand_check_finding_t> notes;
  sand_check_totals_t totals[3] = {};
};

namespace sand::capi {

// Stores "<kind>: <message>" in *errmsg (when errmsg is not null) and returns
// `code`. Never throws: the buffer comes from malloc, and when it cannot be
// had *errmsg stays null.
sand_code_t fail(sand_code_t code, std::string_view message, char** errmsg) noexcept;

// The C code of a C++ status, and fail() with its message when not OK.
sand_code_t report(const Status& status, char** errmsg) noexcept;

// A Status naming a null argument: "<function>: <argument> is NULL".
Status null_argument(const char* function, const char* argument);

// A Status for a (pointer, length) byte range whose pointer is null while its
// length is not 0; OK otherwise.
Status check_bytes(const char* function, const char* argument, const char* data, size_t len);

inline std::string_view bytes(const char* data, size_t len) {
  return len == 0 ? std::string_view() : std::string_view(data, len);
}

// A malloc'd copy of `v` plus a NUL byte after it (so a text value prints as
// it is), for the caller to free with sand_free. Throws std::bad_alloc.
char* malloc_copy(std::string_view v);

// Runs `body` (returning a sand::Status) at the C boundary: clears *errmsg,
// converts the status, and catches every exception. Used by every entry point
// that returns a code.
template <typename Body>
sand_code_t guard(char** errmsg, Body&& body) noexcept {
  if (errmsg != nullptr) *errmsg = nullptr;
  try {
    return report(body(), errmsg);
  } catch (const std::bad_alloc&) {
    return fail(SAND_OUT_OF_MEMORY, "out of memory", errmsg);
  } catch (const std::exception& e) {
    return fail(SAND_INTERNAL, e.what(), errmsg);
  } catch (...) {
    return fail(SAND_INTERNAL, "unknown exception", errmsg);
  }
}

// Runs `make` (returning a new T*) and returns its result, or null if it
// threw: the create functions, whose only failure is memory.
template <typename Make>
auto make_or_null(Make&& make) noexcept -> decltype(make()) {
  try {
    return make();
  } catch (...) {
    return nullptr;
  }
}

}  // namespace sand::capi

// Returns early from a guard() body when `ptr` is null, naming the argument.
#define SAND_C_REQUIRE(ptr, function)                                         \
  do {                                                                        \
    if ((ptr) == nullptr) return ::sand::capi::null_argument(function, #ptr); \
  } while (0)
