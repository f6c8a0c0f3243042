// The versioned API's commands (execute_versioned.hpp).
#include "cli/execute_versioned.hpp"

#include <utility>

#include "sand/write_batch.hpp"

namespace sand::cli {

Result<std::optional<HistoryEntry>> read_versioned(const DB& db, const Command& command) {
  return command.at ? db.get_versioned(command.key, *command.at) : db.get_versioned(command.key);
}

Result<Outcome> run_get_versioned(const DB& db, const Command& command, AnswerWriter& answers) {
  SAND_ASSIGN_OR_RETURN(std::optional<HistoryEntry> entry, read_versioned(db, command));
  answers.get_versioned(command.key, command.at, entry);
  return entry ? Outcome::kDone : Outcome::kNotFound;
}

Result<Outcome> run_conditional_write(DB& db, const Command& command,
                                      const WriteOptions& write_options, AnswerWriter& answers) {
  WriteBatch batch;
  batch.expect_version(command.key, command.expected);
  if (command.kind == CommandKind::kDelIf) {
    batch.del(command.key);
  } else {
    batch.put(command.key, command.value);
  }
  SAND_ASSIGN_OR_RETURN(Version v, db.write(batch, write_options));
  answers.version(v);
  return Outcome::kDone;
}

Result<Outcome> run_changes(const DB& db, const Command& command, AnswerWriter& answers,
                            const InterruptCheck& interrupted) {
  SAND_ASSIGN_OR_RETURN(ChangeIterator feed, db.changes(ChangeOptions{.since = command.since,
                                                                      .until = command.until,
                                                                      .from = command.from,
                                                                      .to = command.to,
                                                                      .prefix = command.prefix}));
  for (; feed.valid(); feed.next()) {
    const ChangeBatch& batch = feed.batch();
    for (const Change& change : batch.changes) {
      // Between changes, not only between batches: one batch may be large.
      if (interrupted && interrupted()) {
        answers.end_of_list();
        return Outcome::kInterrupted;
      }
      answers.change(batch.version, change);
    }
  }
  SAND_RETURN_IF_ERROR(feed.status());
  answers.end_of_list();
  return Outcome::kDone;
}

}  // namespace sand::cli
