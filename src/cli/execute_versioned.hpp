// The commands of the versioned API, for execute() (execute.hpp): getv (a
// read that also answers the version, for a read-modify-write), put-if and
// del-if (writes with a WriteBatch::expect_version precondition), and changes
// (the change feed, DB::changes). Kept apart from execute.cpp because they
// share one idea: a version is part of the answer or of the request.
//
// Thread-safety: as the DB; the writer is the caller's.
#pragma once

#include <optional>

#include "cli/answer_writer.hpp"
#include "cli/command.hpp"
#include "cli/execute.hpp"
#include "sand/db.hpp"
#include "sand/status.hpp"

namespace sand::cli {

// The entry a kGetVersioned `command` reads: the newest of command.key, or
// the newest at or below command.at; nullopt if none. Errors: the DB's.
Result<std::optional<HistoryEntry>> read_versioned(const DB& db, const Command& command);

// getv: writes the entry (AnswerWriter::get_versioned); kNotFound when the
// key has no entry, kDone otherwise (a tombstone included).
Result<Outcome> run_get_versioned(const DB& db, const Command& command, AnswerWriter& answers);

// put-if, del-if: one batch with the operation and the precondition that
// command.key's version is command.expected (0: it must not exist); writes
// the version committed. Errors: Conflict when the precondition fails
// (nothing committed; the message names key, expected and actual version),
// else the DB's.
Result<Outcome> run_conditional_write(DB& db, const Command& command,
                                      const WriteOptions& write_options, AnswerWriter& answers);

// changes: one AnswerWriter::change per operation of each batch in
// (command.since, command.until], within command.from/to/prefix, then the
// end of the list. `interrupted` is polled between changes, as scan polls
// it between entries. Errors: the DB's (InvalidArgument for a SINCE below
// the retention mark, an UNTIL past the last version or below SINCE);
// a feed that fails midway has written some changes but no end of the list.
Result<Outcome> run_changes(const DB& db, const Command& command, AnswerWriter& answers,
                            const InterruptCheck& interrupted);

}  // namespace sand::cli
