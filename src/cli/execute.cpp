// Execution of database commands for the shell and the one-shot commands.
#include "cli/execute.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/execute_versioned.hpp"

namespace sand::cli {
namespace {

bool should_stop(const InterruptCheck& interrupted) { return interrupted && interrupted(); }

Result<Outcome> run_scan(const DB& db, const Command& command, AnswerWriter& answers,
                         const InterruptCheck& interrupted) {
  SAND_ASSIGN_OR_RETURN(Iterator it, db.scan(ScanOptions{.from = command.from,
                                                         .to = command.to,
                                                         .at = command.at,
                                                         .reverse = command.reverse,
                                                         .prefix = command.prefix}));
  std::uint64_t printed = 0;
  for (; it.valid() && (!command.limit || printed < *command.limit); it.next()) {
    if (should_stop(interrupted)) {
      answers.end_of_list();
      return Outcome::kInterrupted;
    }
    answers.scan_entry(it.key(), it.value());
    ++printed;
  }
  SAND_RETURN_IF_ERROR(it.status());
  answers.end_of_list();
  return Outcome::kDone;
}

}  // namespace

Result<std::optional<std::string>> read_value(const DB& db, const Command& command) {
  return command.at ? db.get(command.key, *command.at) : db.get(command.key);
}

Result<Outcome> execute(DB& db, const Command& command, const WriteOptions& write_options,
                        AnswerWriter& answers, const InterruptCheck& interrupted) {
  switch (command.kind) {
    case CommandKind::kPut: {
      SAND_ASSIGN_OR_RETURN(Version v, db.put(command.key, command.value, write_options));
      answers.version(v);
      return Outcome::kDone;
    }
    case CommandKind::kDel: {
      SAND_ASSIGN_OR_RETURN(Version v, db.del(command.key, write_options));
      answers.version(v);
      return Outcome::kDone;
    }
    case CommandKind::kGet: {
      SAND_ASSIGN_OR_RETURN(std::optional<std::string> value, read_value(db, command));
      answers.get(command.key, command.at, value);
      return value ? Outcome::kDone : Outcome::kNotFound;
    }
    case CommandKind::kScan:
      return run_scan(db, command, answers, interrupted);
    case CommandKind::kHistory: {
      SAND_ASSIGN_OR_RETURN(std::vector<HistoryEntry> entries, db.history(command.key));
      for (const HistoryEntry& entry : entries) {
        if (should_stop(interrupted)) {
          answers.end_of_list();
          return Outcome::kInterrupted;
        }
        answers.history_entry(command.key, entry);
      }
      answers.end_of_list();
      return Outcome::kDone;
    }
    case CommandKind::kGetVersioned:
      return run_get_versioned(db, command, answers);
    case CommandKind::kPutIf:
    case CommandKind::kDelIf:
      return run_conditional_write(db, command, write_options, answers);
    case CommandKind::kChanges:
      return run_changes(db, command, answers, interrupted);
    case CommandKind::kFlush:
      SAND_RETURN_IF_ERROR(db.flush());
      answers.ok();
      return Outcome::kDone;
    case CommandKind::kCompact:
      SAND_RETURN_IF_ERROR(db.compact());
      answers.ok();
      return Outcome::kDone;
    case CommandKind::kForgetBefore:
      SAND_RETURN_IF_ERROR(db.forget_before(command.mark));
      answers.ok();
      return Outcome::kDone;
    case CommandKind::kCheckpoint: {
      SAND_ASSIGN_OR_RETURN(Version v, db.checkpoint(command.dir));
      answers.version(v);
      return Outcome::kDone;
    }
    case CommandKind::kStats:
      answers.stats(db.stats());
      return Outcome::kDone;
    case CommandKind::kRefresh:
      SAND_RETURN_IF_ERROR(db.refresh());
      answers.last_version(db.last_version());
      return Outcome::kDone;
    case CommandKind::kNone:
    case CommandKind::kSync:
    case CommandKind::kHelp:
    case CommandKind::kQuit:
      break;
  }
  return Status::invalid_argument("not a database command");
}

}  // namespace sand::cli
