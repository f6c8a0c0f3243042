// Execution of database commands for the shell and the one-shot commands.
#include "cli/execute.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/format.hpp"
#include "cli/key_range.hpp"

namespace sand::cli {
namespace {

Result<Outcome> run_scan(const DB& db, const Command& command, std::ostream& out) {
  KeyRange range{.from = command.from, .to = command.to};
  if (command.prefix) range = narrow_to_prefix(std::move(range), *command.prefix);
  SAND_ASSIGN_OR_RETURN(Iterator it, db.scan(ScanOptions{.from = std::move(range.from),
                                                         .to = std::move(range.to),
                                                         .at = command.at,
                                                         .reverse = command.reverse}));
  std::uint64_t printed = 0;
  for (; it.valid() && (!command.limit || printed < *command.limit); it.next()) {
    out << format_scan_line(it.key(), it.value());
    ++printed;
  }
  SAND_RETURN_IF_ERROR(it.status());
  out << format_end_of_list();
  return Outcome::kDone;
}

}  // namespace

Result<std::optional<std::string>> read_value(const DB& db, const Command& command) {
  return command.at ? db.get(command.key, *command.at) : db.get(command.key);
}

Result<Outcome> execute(DB& db, const Command& command, const WriteOptions& write_options,
                        std::ostream& out) {
  switch (command.kind) {
    case CommandKind::kPut: {
      SAND_ASSIGN_OR_RETURN(Version v, db.put(command.key, command.value, write_options));
      out << format_version(v);
      return Outcome::kDone;
    }
    case CommandKind::kDel: {
      SAND_ASSIGN_OR_RETURN(Version v, db.del(command.key, write_options));
      out << format_version(v);
      return Outcome::kDone;
    }
    case CommandKind::kGet: {
      SAND_ASSIGN_OR_RETURN(std::optional<std::string> value, read_value(db, command));
      out << format_get(value);
      return value ? Outcome::kDone : Outcome::kNotFound;
    }
    case CommandKind::kScan:
      return run_scan(db, command, out);
    case CommandKind::kHistory: {
      SAND_ASSIGN_OR_RETURN(std::vector<HistoryEntry> entries, db.history(command.key));
      for (const HistoryEntry& entry : entries) out << format_history_line(entry);
      out << format_end_of_list();
      return Outcome::kDone;
    }
    case CommandKind::kFlush:
      SAND_RETURN_IF_ERROR(db.flush());
      out << format_ok();
      return Outcome::kDone;
    case CommandKind::kCompact:
      SAND_RETURN_IF_ERROR(db.compact());
      out << format_ok();
      return Outcome::kDone;
    case CommandKind::kForgetBefore:
      SAND_RETURN_IF_ERROR(db.forget_before(command.mark));
      out << format_ok();
      return Outcome::kDone;
    case CommandKind::kStats:
      out << format_stats(db.stats()) << format_end_of_list();
      return Outcome::kDone;
    case CommandKind::kRefresh:
      SAND_RETURN_IF_ERROR(db.refresh());
      out << format_version(db.last_version());
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
