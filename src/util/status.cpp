// Status formatting: kind names and the file/offset and path/errno messages.
#include "sand/status.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sand {

std::string_view code_name(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kInvalidArgument: return "InvalidArgument";
    case Code::kNotFound: return "NotFound";
    case Code::kCorruption: return "Corruption";
    case Code::kIOError: return "IOError";
    case Code::kBusy: return "Busy";
    case Code::kReadOnly: return "ReadOnly";
    case Code::kConflict: return "Conflict";
  }
  return "Unknown";
}

Status Status::corruption(std::string_view file, unsigned long long offset,
                          std::string_view what) {
  std::string msg(file);
  msg += ": offset ";
  msg += std::to_string(offset);
  msg += ": ";
  msg += what;
  return Status(Code::kCorruption, std::move(msg));
}

Status Status::io_error(std::string_view path, int err) {
  std::string msg(path);
  msg += ": ";
  msg += std::strerror(err);
  return Status(Code::kIOError, std::move(msg));
}

std::string Status::to_string() const {
  if (is_ok()) return "OK";
  std::string s(code_name(code_));
  s += ": ";
  s += message_;
  return s;
}

namespace detail {

void abort_on_failed_result(const Status& status) {
  // fprintf, not iostreams: the message must get out even if the failure
  // came from static initialisation or a broken stream state.
  std::fprintf(stderr, "sand: value of a failed Result: %s\n", status.to_string().c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace detail

}  // namespace sand
