// `sand dump`: the subcommand, the choice of decoder and the error line.
#include "cli/dump_command.hpp"

#include <memory>

#include "cli/dump_db.hpp"
#include "cli/dump_manifest.hpp"
#include "cli/dump_table.hpp"
#include "cli/dump_value_log.hpp"
#include "cli/dump_wal.hpp"
#include "cli/format.hpp"
#include "cli/json_format.hpp"

namespace sand::cli {

DumpTarget DumpCli::target() const {
  if (sst->parsed()) return DumpTarget::kTable;
  if (wal->parsed()) return DumpTarget::kWal;
  if (val != nullptr && val->parsed()) return DumpTarget::kValueLog;
  if (manifest->parsed()) return DumpTarget::kManifest;
  return DumpTarget::kDb;
}

void add_dump_command(CLI::App& app, DumpCli& cli) {
  cli.dump = app.add_subcommand("dump",
                                "Print every decoded field of a table, WAL, value log or MANIFEST "
                                "file, or the live state (dump db); "
                                "--json for JSON lines");
  cli.dump->require_subcommand(1);
  const auto add_file = [&cli](const char* name, const char* what) {
    CLI::App* sub = cli.dump->add_subcommand(name, what);
    sub->add_option("FILE", cli.file, "The file (a path; --db is not used)")
        ->type_name("")
        ->required();
    return sub;
  };
  cli.sst = add_file("sst", "A table: footer, properties, filter, index, every block and entry");
  cli.wal = add_file("wal", "A WAL: header, every record, batch and operation");
  cli.val = add_file("val", "A value log: header, every record and the value it holds");
  cli.manifest = add_file("manifest", "A MANIFEST: header, every record and edit");
  cli.db = cli.dump->add_subcommand(
      "db", "The database in --db: counters, levels, runs, tables, live WALs, value files");
}

Status dump(FileSystem& fs, DumpTarget target, const std::string& path, DumpSink& sink) {
  if (target == DumpTarget::kDb) return dump_db(fs, path, sink);
  SAND_ASSIGN_OR_RETURN(const std::unique_ptr<ReadableFile> file, fs.open_readable_file(path));
  const std::string_view contents = file->contents();
  switch (target) {
    case DumpTarget::kTable:
      return dump_table(contents, path, sink);
    case DumpTarget::kWal:
      return dump_wal(contents, path, sink);
    case DumpTarget::kValueLog:
      return dump_value_log(contents, path, sink);
    case DumpTarget::kManifest:
      return dump_manifest(contents, path, &sink).status();
    case DumpTarget::kDb:
      break;
  }
  return Status::ok();
}

std::string format_dump_error(const Status& status, bool json) {
  return json ? json_line(json_error(status)) : format_error(status);
}

int run_dump(const DumpCli& cli, const std::string& db, bool json, std::ostream& out,
             std::ostream& err) {
  const DumpTarget target = cli.target();
  DumpSink sink(out, json);
  const Status status =
      dump(*posix_file_system(), target, target == DumpTarget::kDb ? db : cli.file, sink);
  out << std::flush;
  if (status.is_ok()) return kDumpExitOk;
  err << format_dump_error(status, json) << std::flush;
  return kDumpExitFailed;
}

}  // namespace sand::cli
