// Status and Result<T>: how every sanddb call reports success or a typed error.
//
// sanddb never throws across its API: every fallible call returns a Status or
// a Result<T>, both [[nodiscard]], so an ignored error is visible in the code.
// Thread-safety: both are plain values: safe to copy and to pass between
// threads; one object is mutated from one thread at a time.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "sand/export.hpp"

namespace sand {

// The kinds of error (DESIGN.md section 4).
enum class Code {
  kOk = 0,
  kInvalidArgument,  // a bad argument: key too long, version below the mark...
  kNotFound,         // opening a missing database without create_if_missing
  kCorruption,       // bytes on disk fail a check; message names file+offset
  kIOError,          // the OS said no; message names the path and errno text
  kBusy,             // another process holds the database's LOCK
  kReadOnly,         // writes refused: read-only open or background error
};

// Returns a stable name for `code`, e.g. "Corruption".
SAND_EXPORT std::string_view code_name(Code code);

class [[nodiscard]] SAND_EXPORT Status {
 public:
  Status() = default;  // OK

  static Status ok() { return Status(); }
  static Status invalid_argument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status not_found(std::string msg) {
    return Status(Code::kNotFound, std::move(msg));
  }
  static Status corruption(std::string msg) {
    return Status(Code::kCorruption, std::move(msg));
  }
  // "<file>: offset <offset>: <what>" so every corruption names its place.
  static Status corruption(std::string_view file, unsigned long long offset,
                           std::string_view what);
  static Status io_error(std::string msg) {
    return Status(Code::kIOError, std::move(msg));
  }
  // "<path>: <strerror(err)>".
  static Status io_error(std::string_view path, int err);
  static Status busy(std::string msg) { return Status(Code::kBusy, std::move(msg)); }
  static Status read_only(std::string msg) {
    return Status(Code::kReadOnly, std::move(msg));
  }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "OK" or "<Kind>: <message>", e.g. "Corruption: 000004.sst: offset 96: bad
  // block checksum".
  std::string to_string() const;

  // Marks a deliberately ignored status (e.g. best-effort cleanup).
  void ignore() const {}

  friend bool operator==(const Status& a, const Status& b) = default;

 private:
  Status(Code code, std::string message)
      : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

namespace detail {
// Prints "sand: value of a failed Result: <status>" on stderr and aborts:
// what Result<T>::value() does when it holds an error.
[[noreturn]] SAND_EXPORT void abort_on_failed_result(const Status& status);
}  // namespace detail

// A value of type T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  Result(Status status) : v_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    assert(!std::get<1>(v_).is_ok() && "a Result needs a value or an error");
  }

  bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }

  // The value. REQUIRES: is_ok(). On an error this is a bug in the caller:
  // the program prints "sand: value of a failed Result: <status>" on stderr
  // and aborts (it never throws, and the Status text is not lost).
  T& value() & { return *checked(); }
  const T& value() const& { return *checked(); }
  T&& value() && { return std::move(*checked()); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // OK when is_ok(), else the error.
  Status status() const { return is_ok() ? Status::ok() : *std::get_if<1>(&v_); }

 private:
  T* checked() {
    if (!is_ok()) detail::abort_on_failed_result(*std::get_if<1>(&v_));
    return std::get_if<0>(&v_);
  }
  const T* checked() const {
    if (!is_ok()) detail::abort_on_failed_result(*std::get_if<1>(&v_));
    return std::get_if<0>(&v_);
  }

  std::variant<T, Status> v_;
};

}  // namespace sand

// Returns early from the enclosing function with the error of a Status.
#define SAND_RETURN_IF_ERROR(expr)            \
  do {                                        \
    ::sand::Status sand_status_ = (expr);     \
    if (!sand_status_.is_ok()) return sand_status_; \
  } while (0)

#define SAND_CONCAT_INNER_(a, b) a##b
#define SAND_CONCAT_(a, b) SAND_CONCAT_INNER_(a, b)
// `SAND_ASSIGN_OR_RETURN(auto x, f());` binds the value or returns the error.
#define SAND_ASSIGN_OR_RETURN(lhs, expr) \
  SAND_ASSIGN_OR_RETURN_IMPL_(SAND_CONCAT_(sand_result_, __LINE__), lhs, expr)
#define SAND_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.is_ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
