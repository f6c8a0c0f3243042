// execute: runs one database Command and writes its answer to an
// AnswerWriter (text or JSON). Both the shell and the one-shot commands call
// it, so a command behaves the same in both.
//
// Thread-safety: as the DB (safe from many threads); the writer is the
// caller's.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "cli/answer_writer.hpp"
#include "cli/command.hpp"
#include "sand/db.hpp"
#include "sand/status.hpp"

namespace sand::cli {

enum class Outcome {
  kDone,         // the answer was printed
  kNotFound,     // get or getv of an absent key: its not-found answer was written
  kInterrupted,  // a scan, history or changes stopped early: `interrupted` said so
};

// Polled by the commands that loop (scan, history, changes) between entries;
// true ends the list early (closed as usual), with Outcome::kInterrupted. The
// shell passes CommandInterrupt::requested (Ctrl-C at a terminal).
using InterruptCheck = std::function<bool()>;

// Runs `command` (put, get, del, scan, history, getv, put-if, del-if,
// changes, flush, compact, forget-before, checkpoint, stats or refresh; the
// versioned ones are execute_versioned.hpp's) on `db` and writes its answer to
// `answers`; writes use `write_options`. compact and forget-before return
// once the DB has finished (compaction done, new mark durable). On error the
// error is returned and the caller writes it (AnswerWriter::error). A scan,
// history or changes that fails midway may already have written some
// entries, but never its end_of_list. Errors: the DB's, or InvalidArgument for kNone, kSync,
// kHelp and kQuit, which are not database commands. A scan's prefix is the
// library's (ScanOptions::prefix).
Result<Outcome> execute(DB& db, const Command& command, const WriteOptions& write_options,
                        AnswerWriter& answers, const InterruptCheck& interrupted = {});

// The value a kGet `command` reads: the latest, or as of command.at; nullopt
// if absent. execute() answers it; `sand get --output F` writes it raw.
// Errors: the DB's (e.g. InvalidArgument for a version it refuses).
Result<std::optional<std::string>> read_value(const DB& db, const Command& command);

}  // namespace sand::cli
