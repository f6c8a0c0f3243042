// `sand import`: an archive into a new database, or --latest records.
#include "cli/import_command.hpp"

#include <unistd.h>  // STDERR_FILENO

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/latest_format.hpp"
#include "cli/progress.hpp"
#include "sand/archive.hpp"
#include "sand/db.hpp"

namespace sand::cli {
namespace {

// import_archive leaves its temporary directory behind, empty, after an
// error (the FileSystem seam cannot remove a directory); the tool can. Only
// an empty directory is removed: one a concurrent import holds has its LOCK.
void remove_empty_temp_dir(std::string db_path) {
  while (db_path.size() > 1 && db_path.back() == '/') db_path.pop_back();
  std::error_code ignored;
  std::filesystem::remove(db_path + kImportTempSuffix, ignored);
}

Status read_archive(std::istream& in, const std::string& name, const std::string& db_path,
                    const Options& options) {
  const std::unique_ptr<Progress> progress =
      Progress::on_terminal(STDERR_FILENO, "import", 0, "entries");
  const Result<ArchiveSummary> summary = import_archive(
      db_path, in, options, {.name = name, .progress = [&progress](const ArchiveProgress& p) {
                               progress->update(p.entries, p.bytes);
                             }});
  if (!summary.is_ok()) {
    remove_empty_temp_dir(db_path);
    return summary.status();
  }
  progress->finish();
  return Status::ok();
}

Status read_records(std::istream& in, LatestFormat format, const std::string& db_path,
                    Options options) {
  options.create_if_missing = true;
  SAND_ASSIGN_OR_RETURN(const std::unique_ptr<DB> db, DB::open(db_path, options));
  const std::unique_ptr<Progress> progress =
      Progress::on_terminal(STDERR_FILENO, "import", 0, "records");
  const Result<std::uint64_t> read = read_latest(*db, format, in, progress.get());
  if (!read.is_ok()) return read.status();
  progress->finish();
  return db->close();  // a failed final sync is an error, not silence
}

Status import_from(const ImportCli& cli, std::istream& in, const std::string& name,
                   const std::string& db_path, const Options& options) {
  if (!cli.latest) return read_archive(in, name, db_path, options);
  SAND_ASSIGN_OR_RETURN(const LatestFormat format,
                        parse_latest_format(cli.format.value_or("jsonl")));
  return read_records(in, format, db_path, options);
}

}  // namespace

void add_import_command(CLI::App& app, ImportCli& cli) {
  cli.command = app.add_subcommand(
      "import", "Create --db (absent or empty) from an archive, or put --latest records into --db");
  cli.command->add_option("FILE", cli.file, "Input file; - is stdin")->type_name("")->required();
  cli.command->add_flag("--latest", cli.latest,
                        "FILE holds text records (key, value), put as new writes");
  cli.command->add_option("--format", cli.format, "--latest records: jsonl (default), tsv or csv")
      ->type_name("jsonl|tsv|csv");
  cli.command->footer(
      "Examples:\n  sand --db copy import d.sandx\n  sand --db d export | sand --db copy import -\n"
      "  sand --db d import --latest --format tsv pairs.tsv");
}

Status check_import(const ImportCli& cli) {
  if (cli.format && !cli.latest) {
    return Status::invalid_argument("import: --format needs --latest (an archive has one format)");
  }
  if (cli.format) return parse_latest_format(*cli.format).status();
  return Status::ok();
}

Status run_import(const ImportCli& cli, const std::string& db_path, Options options) {
  if (cli.file == "-") return import_from(cli, std::cin, "stdin", db_path, options);
  std::ifstream file(cli.file, std::ios::binary);
  if (!file) return Status::io_error(cli.file, errno);
  return import_from(cli, file, cli.file, db_path, options);
}

}  // namespace sand::cli
