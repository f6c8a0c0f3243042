// The C API's error reporting (codes, owned messages), the buffers handed to
// the caller (malloc_copy, sand_free) and sand_version.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "capi/c_internal.hpp"
#include "sand/version.hpp"

// c.h cannot include version.hpp (C++), so it repeats the numbers; a release
// that bumps one and not the other fails to build here.
static_assert(SAND_C_VERSION_MAJOR == SAND_VERSION_MAJOR &&
                  SAND_C_VERSION_MINOR == SAND_VERSION_MINOR &&
                  SAND_C_VERSION_PATCH == SAND_VERSION_PATCH,
              "SAND_C_VERSION_* in include/sand/c.h must equal SAND_VERSION_* in version.hpp");

namespace sand::capi {
namespace {

sand_code_t to_c(Code code) {
  switch (code) {
    case Code::kOk:
      return SAND_OK;
    case Code::kInvalidArgument:
      return SAND_INVALID_ARGUMENT;
    case Code::kNotFound:
      return SAND_NOT_FOUND;
    case Code::kCorruption:
      return SAND_CORRUPTION;
    case Code::kIOError:
      return SAND_IO_ERROR;
    case Code::kBusy:
      return SAND_BUSY;
    case Code::kReadOnly:
      return SAND_READ_ONLY;
    case Code::kConflict:
      return SAND_CONFLICT;
  }
  return SAND_INTERNAL;  // a Code this layer does not know yet
}

}  // namespace

sand_code_t fail(sand_code_t code, std::string_view message, char** errmsg) noexcept {
  if (errmsg == nullptr) return code;
  const char* kind = sand_code_name(code);
  const size_t kind_len = std::strlen(kind);
  // malloc, not std::string: this runs in catch handlers after bad_alloc, and
  // the caller frees the buffer with sand_free.
  const size_t total = kind_len + 2 + message.size() + 1;
  auto* out = static_cast<char*>(std::malloc(total));
  if (out != nullptr) {
    std::memcpy(out, kind, kind_len);
    std::memcpy(out + kind_len, ": ", 2);
    if (!message.empty()) std::memcpy(out + kind_len + 2, message.data(), message.size());
    out[total - 1] = '\0';
  }
  *errmsg = out;
  return code;
}

sand_code_t report(const Status& status, char** errmsg) noexcept {
  if (status.is_ok()) return SAND_OK;
  return fail(to_c(status.code()), status.message(), errmsg);
}

Status null_argument(const char* function, const char* argument) {
  return Status::invalid_argument(std::string(function) + ": " + argument + " is NULL");
}

Status check_bytes(const char* function, const char* argument, const char* data, size_t len) {
  if (data != nullptr || len == 0) return Status::ok();
  return Status::invalid_argument(std::string(function) + ": " + argument +
                                  " is NULL but its length is " + std::to_string(len));
}

char* malloc_copy(std::string_view v) {
  auto* copy = static_cast<char*>(std::malloc(v.size() + 1));
  if (copy == nullptr) throw std::bad_alloc();
  if (!v.empty()) std::memcpy(copy, v.data(), v.size());
  copy[v.size()] = '\0';
  return copy;
}

}  // namespace sand::capi

extern "C" {

const char* sand_code_name(sand_code_t code) {
  switch (code) {
    case SAND_OK:
      return "OK";
    case SAND_INVALID_ARGUMENT:
      return "InvalidArgument";
    case SAND_NOT_FOUND:
      return "NotFound";
    case SAND_CORRUPTION:
      return "Corruption";
    case SAND_IO_ERROR:
      return "IOError";
    case SAND_BUSY:
      return "Busy";
    case SAND_READ_ONLY:
      return "ReadOnly";
    case SAND_OUT_OF_MEMORY:
      return "OutOfMemory";
    case SAND_INTERNAL:
      return "Internal";
    case SAND_CONFLICT:
      return "Conflict";
  }
  return "Unknown";
}

void sand_free(void* ptr) { std::free(ptr); }

const char* sand_version(void) {
  // sand::version() views a string literal, but a view promises no NUL after
  // it: keep a NUL-terminated copy, in a fixed buffer so nothing can throw.
  static const auto text = [] {
    std::array<char, 32> buf{};
    const std::string_view v = sand::version();
    v.copy(buf.data(), std::min(v.size(), buf.size() - 1));
    return buf;
  }();
  return text.data();
}

}  // extern "C"
