// execute: runs one database Command and prints its answer (format.hpp). Both
// the shell and the one-shot commands call it, so a command behaves the same
// in both.
//
// Thread-safety: as the DB (safe from many threads); `out` is the caller's.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "cli/command.hpp"
#include "sand/db.hpp"
#include "sand/status.hpp"

namespace sand::cli {

enum class Outcome {
  kDone,      // the answer was printed
  kNotFound,  // get of an absent key: NOT_FOUND was printed
};

// Runs `command` (put, get, del, scan, history, flush, compact, forget-before
// or stats) on `db` and writes its answer to `out`; writes use
// `write_options`. compact and forget-before return once the DB has finished
// (compaction done, new mark durable). On error the error is returned and the
// caller prints it (format_error). A scan that fails midway may already have
// printed some lines, but never its closing empty line. Errors: the DB's, or
// InvalidArgument for kNone, kSync, kHelp and kQuit, which are not database
// commands. A scan with a prefix reads the range narrow_to_prefix gives
// (key_range.hpp).
Result<Outcome> execute(DB& db, const Command& command, const WriteOptions& write_options,
                        std::ostream& out);

// The value a kGet `command` reads: the latest, or as of command.at; nullopt
// if absent. execute() prints it escaped; `sand get --output F` writes it raw.
// Errors: the DB's (e.g. InvalidArgument for a version it refuses).
Result<std::optional<std::string>> read_value(const DB& db, const Command& command);

}  // namespace sand::cli
