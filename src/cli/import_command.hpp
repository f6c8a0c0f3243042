// `sand import`: a new database from an archive (sand/archive.hpp,
// spec/archive.md), or with --latest records of jsonl, tsv or csv put into a
// database (cli/latest_format.hpp).
//
//   sand [--db DIR] import FILE                          archive; FILE - is stdin
//   sand [--db DIR] import --latest [--format F] FILE    F: jsonl (default), tsv, csv
//
// An archive import creates --db, which must be absent or an empty
// directory, by writing its tables directly, with the archive's versions,
// last version and retention mark; the engine options (--compression,
// --block-size, --target-file-size) shape the tables. It is all or nothing:
// on any error (a damaged or truncated archive, I/O) --db is left as it was.
// `import --latest` opens --db for writing (creating it if missing; it may
// already hold data) and puts the records in batches, each record a new
// version: it is not atomic (latest_format.hpp says what is written on an
// error). Quiet on success; a progress line on stderr when it is a terminal.
//
// Thread-safety: run from one thread.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "sand/options.hpp"
#include "sand/status.hpp"

namespace sand::cli {

// The `import` subcommand as registered on the command line.
struct ImportCli {
  CLI::App* command = nullptr;
  std::string file;
  bool latest = false;
  std::optional<std::string> format;  // --format, only with --latest

  bool parsed() const { return command != nullptr && command->parsed(); }
};

// Registers `import` on `app`; `cli` must outlive the parse.
void add_import_command(CLI::App& app, ImportCli& cli);

// Checks the arguments before anything is read or opened. Errors:
// InvalidArgument (a usage error) for --format without --latest or an
// unknown format.
Status check_import(const ImportCli& cli);

// Runs a parsed and checked `import` into the database `db`. Errors: those
// of import_archive (InvalidArgument for a non-empty --db, Corruption naming
// FILE or "stdin" and the offset), DB::open and read_latest; IOError when
// FILE cannot be opened.
Status run_import(const ImportCli& cli, const std::string& db, Options options);

}  // namespace sand::cli
