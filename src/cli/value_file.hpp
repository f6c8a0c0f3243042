// Value files: the raw bytes of `put KEY --value-file F`, `put KEY -` (stdin)
// and `get KEY --output F`. Read and written whole and unchanged: no escaping,
// no newline added or removed; NUL, 0xff and CR are bytes like any other.
//
// Functions on the caller's descriptors and paths; thread-safe for distinct
// files.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "sand/status.hpp"

namespace sand::cli {

// Every byte readable from `fd` until end of file; `name` names the source in
// errors (e.g. "stdin"). Reads at most max_bytes + 1 bytes (REQUIRES:
// max_bytes < SIZE_MAX). Does not close `fd`. Errors: InvalidArgument
// "<name>: the value is larger than <limit>, ..." if there are more than
// `max_bytes`; IOError "<name>: <strerror>" if a read fails.
Result<std::string> read_all(int fd, std::string_view name, std::size_t max_bytes);

// The whole content of the file at `path` (read_all; `name` as there).
// Errors: as read_all; IOError "<name>: <strerror>" if it cannot be opened
// (missing, a directory, no permission).
Result<std::string> read_file(const std::string& path, std::string_view name,
                              std::size_t max_bytes);

// Writes all of `bytes` to `fd`, retrying short writes. Does not close `fd`.
// Errors: IOError "<name>: <strerror>".
Status write_all(int fd, std::string_view name, std::string_view bytes);

// Creates or truncates the file at `path` (mode 0666 less the umask) and
// writes `bytes` to it. On an error the file may hold part of `bytes`.
// Errors: IOError "<name>: <strerror>" if it cannot be opened, written or
// closed.
Status write_file(const std::string& path, std::string_view name, std::string_view bytes);

}  // namespace sand::cli
