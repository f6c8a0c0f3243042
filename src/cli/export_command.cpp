// `sand export`: an archive or the --latest records, to FILE or stdout.
#include "cli/export_command.hpp"

#include <unistd.h>  // isatty, STDOUT_FILENO, STDERR_FILENO

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/latest_format.hpp"
#include "cli/progress.hpp"
#include "sand/archive.hpp"
#include "sand/db.hpp"

namespace sand::cli {
namespace {

bool to_stdout(const ExportCli& cli) { return cli.file == "-"; }

Status write_archive(const DB& db, std::ostream& out, const std::string& name) {
  // Made at the first callback, when the export knows its total.
  std::unique_ptr<Progress> progress;
  const Result<ArchiveSummary> summary =
      export_archive(db, out, {.name = name, .progress = [&progress](const ArchiveProgress& p) {
                                 if (!progress) {
                                   progress = Progress::on_terminal(STDERR_FILENO, "export",
                                                                    p.total_entries, "entries");
                                 }
                                 progress->update(p.entries, p.bytes);
                               }});
  if (!summary.is_ok()) return summary.status();
  if (progress) progress->finish();
  return Status::ok();
}

Status write_records(const DB& db, LatestFormat format, std::ostream& out) {
  const std::unique_ptr<Progress> progress =
      Progress::on_terminal(STDERR_FILENO, "export", 0, "records");
  const Result<std::uint64_t> written = write_latest(db, format, out, progress.get());
  if (!written.is_ok()) return written.status();
  progress->finish();
  return Status::ok();
}

// Writes to `out`, which the caller flushes.
Status export_to(const ExportCli& cli, const DB& db, std::ostream& out, const std::string& name) {
  if (!cli.latest) return write_archive(db, out, name);
  SAND_ASSIGN_OR_RETURN(const LatestFormat format,
                        parse_latest_format(cli.format.value_or("jsonl")));
  return write_records(db, format, out);
}

}  // namespace

void add_export_command(CLI::App& app, ExportCli& cli) {
  cli.command = app.add_subcommand(
      "export", "Write every retained version (an archive), or --latest values, to FILE or stdout");
  cli.command->add_option("FILE", cli.file, "Output file; - (the default) is stdout")
      ->type_name("");
  cli.command->add_flag("--latest", cli.latest,
                        "Only the latest value of each live key, as text records");
  cli.command->add_option("--format", cli.format, "--latest records: jsonl (default), tsv or csv")
      ->type_name("jsonl|tsv|csv");
  cli.command->footer(
      "Examples:\n  sand --db d export d.sandx\n  sand --db d export | sand --db copy import -\n"
      "  sand --db d export --latest --format csv out.csv");
}

Status check_export(const ExportCli& cli) {
  if (cli.format && !cli.latest) {
    return Status::invalid_argument("export: --format needs --latest (an archive has one format)");
  }
  if (cli.format) return parse_latest_format(*cli.format).status();
  return Status::ok();
}

Status run_export(const ExportCli& cli, const std::string& db_path, const Options& options) {
  if (!cli.latest && to_stdout(cli) && isatty(STDOUT_FILENO) == 1) {
    return Status::invalid_argument(
        "export: not writing a binary archive to a terminal (give FILE or redirect stdout)");
  }
  SAND_ASSIGN_OR_RETURN(const std::unique_ptr<DB> db, DB::open_read_only(db_path, options));
  if (to_stdout(cli)) {
    SAND_RETURN_IF_ERROR(export_to(cli, *db, std::cout, "stdout"));
    if (!std::cout.flush()) return Status::io_error("stdout: write failed");
    return Status::ok();
  }
  std::ofstream file(cli.file, std::ios::binary | std::ios::trunc);
  if (!file) return Status::io_error(cli.file, errno);
  Status status = export_to(cli, *db, file, cli.file);
  file.close();
  if (status.is_ok() && !file) status = Status::io_error(cli.file + ": write failed");
  if (!status.is_ok()) std::remove(cli.file.c_str());  // no partial file under its name
  return status;
}

}  // namespace sand::cli
