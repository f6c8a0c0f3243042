/// @file
/// Status and Result<T>: how every sanddb call reports success or a typed error.
///
/// sanddb never throws across its API: every fallible call returns a Status or
/// a Result<T>, both `[[nodiscard]]`, so an ignored error is visible in the
/// code.
///
/// @par Thread-safety
/// Both are plain values: safe to copy and to pass between threads; one
/// object is mutated from one thread at a time.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "sand/export.hpp"

/// sanddb's public C++ API.
///
/// Start with sand::DB (db.hpp); the main page of this reference says which
/// header declares what.
namespace sand {

/// The kinds of error (doc/design.md section 4).
///
/// code_name() gives each a stable name; Status::to_string() starts with it.
enum class Code {
  kOk = 0,           ///< Success: not an error.
  kInvalidArgument,  ///< A bad argument: key too long, version below the mark...
  kNotFound,         ///< Opening a missing database without create_if_missing.
  kCorruption,       ///< Bytes on disk fail a check; the message names file+offset.
  kIOError,          ///< The OS said no; the message names the path and errno text.
  kBusy,             ///< Another process holds the database's LOCK.
  kReadOnly,         ///< Writes refused: read-only open or background error.
  kConflict,  ///< A write's precondition failed (WriteBatch::expect_version()); nothing committed.
};

/// Returns a stable name for `code`, e.g.\ "Corruption".
///
/// The name is the Code's enumerator without its `k` ("OK" for Code::kOk,
/// "IOError" for Code::kIOError); a value outside the enumeration gives
/// "Unknown". The view refers to a string literal: valid for the life of the
/// program.
SAND_EXPORT std::string_view code_name(Code code);

/// The outcome of an operation: OK, or a Code and a message.
///
/// A default-constructed Status is OK; the static factories build each kind.
/// Comparing two Status objects compares their code and message.
class [[nodiscard]] SAND_EXPORT Status {
 public:
  Status() = default;  ///< OK.

  /// An OK status.
  static Status ok() { return Status(); }
  /// A Code::kInvalidArgument error with message `msg`.
  static Status invalid_argument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  /// A Code::kNotFound error with message `msg`.
  static Status not_found(std::string msg) {
    return Status(Code::kNotFound, std::move(msg));
  }
  /// A Code::kCorruption error with message `msg`.
  static Status corruption(std::string msg) {
    return Status(Code::kCorruption, std::move(msg));
  }
  /// A Code::kCorruption error whose message is
  /// `"<file>: offset <offset>: <what>"`, so every corruption names its place.
  static Status corruption(std::string_view file, unsigned long long offset,
                           std::string_view what);
  /// A Code::kIOError error with message `msg`.
  static Status io_error(std::string msg) {
    return Status(Code::kIOError, std::move(msg));
  }
  /// A Code::kIOError error whose message is `"<path>: <strerror(err)>"`.
  static Status io_error(std::string_view path, int err);
  /// A Code::kBusy error with message `msg`.
  static Status busy(std::string msg) { return Status(Code::kBusy, std::move(msg)); }
  /// A Code::kReadOnly error with message `msg`.
  static Status read_only(std::string msg) {
    return Status(Code::kReadOnly, std::move(msg));
  }
  /// A Code::kConflict error with message `msg`.
  static Status conflict(std::string msg) { return Status(Code::kConflict, std::move(msg)); }

  /// Whether this is OK (code() is Code::kOk).
  bool is_ok() const { return code_ == Code::kOk; }
  /// The same as is_ok().
  explicit operator bool() const { return is_ok(); }
  /// The kind of error, or Code::kOk.
  Code code() const { return code_; }
  /// The error's message; empty when OK.
  const std::string& message() const { return message_; }

  /// "OK" or `"<Kind>: <message>"`, e.g.\ "Corruption: 000004.sst: offset 96:
  /// bad block checksum".
  ///
  /// `<Kind>` is code_name(code()).
  std::string to_string() const;

  /// Marks a deliberately ignored status (e.g.\ best-effort cleanup).
  void ignore() const {}

  /// Equal when both the code and the message are equal.
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

/// A value of type T or a non-OK Status.
///
/// Returned by every fallible call that produces a value. Test it with
/// is_ok() (or `if (result)`), then read the value with value(), `*` or `->`;
/// on an error, status() says why.
/// @tparam T The type of the value.
template <typename T>
class [[nodiscard]] Result {
 public:
  /// A successful result holding `value`.
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  /// A failed result holding the error `status`.
  /// @pre `!status.is_ok()` (an assert checks it in debug builds).
  Result(Status status) : v_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    assert(!std::get<1>(v_).is_ok() && "a Result needs a value or an error");
  }

  /// Whether this holds a value (not an error).
  bool is_ok() const { return v_.index() == 0; }
  /// The same as is_ok().
  explicit operator bool() const { return is_ok(); }

  /// The value.
  ///
  /// On an error this is a bug in the caller: the program prints
  /// `"sand: value of a failed Result: <status>"` on stderr and aborts (it
  /// never throws, and the Status text is not lost).
  /// @pre is_ok().
  T& value() & { return *checked(); }
  /// The value, read-only. Aborts on an error, as the non-const value() does.
  /// @pre is_ok().
  const T& value() const& { return *checked(); }
  /// The value, moved out of an rvalue Result. Aborts on an error, as the
  /// lvalue value() does.
  /// @pre is_ok().
  T&& value() && { return std::move(*checked()); }
  /// The same as value(). @pre is_ok().
  T& operator*() & { return value(); }
  /// The same as value() (read-only). @pre is_ok().
  const T& operator*() const& { return value(); }
  /// A pointer to the value, for `result->member`. @pre is_ok().
  T* operator->() { return &value(); }
  /// A read-only pointer to the value. @pre is_ok().
  const T* operator->() const { return &value(); }

  /// OK when is_ok(), else the error.
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

/// Returns early from the enclosing function with the error of a Status.
///
/// Evaluates `expr` (a sand::Status) once; if it is not OK, the enclosing
/// function returns it (the function must return a Status or a Result).
#define SAND_RETURN_IF_ERROR(expr)            \
  do {                                        \
    ::sand::Status sand_status_ = (expr);     \
    if (!sand_status_.is_ok()) return sand_status_; \
  } while (0)

#define SAND_CONCAT_INNER_(a, b) a##b
#define SAND_CONCAT_(a, b) SAND_CONCAT_INNER_(a, b)
/// `SAND_ASSIGN_OR_RETURN(auto x, f());` binds the value or returns the error.
///
/// Evaluates `expr` (a sand::Result) once; if it holds an error, the enclosing
/// function returns its status(); otherwise its value is moved into `lhs` (a
/// declaration or an assignable expression). It expands to several
/// statements: do not use it as the lone body of an `if` or a loop without
/// braces. It declares a hidden variable named after the line number: use it
/// at most once per line.
#define SAND_ASSIGN_OR_RETURN(lhs, expr) \
  SAND_ASSIGN_OR_RETURN_IMPL_(SAND_CONCAT_(sand_result_, __LINE__), lhs, expr)
#define SAND_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.is_ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
