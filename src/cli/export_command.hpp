// `sand export`: the whole retained history of --db as an archive
// (sand/archive.hpp, spec/archive.md), or with --latest the latest value of
// every live key as jsonl, tsv or csv (cli/latest_format.hpp).
//
//   sand [--db DIR] export [FILE]                          archive
//   sand [--db DIR] export --latest [--format F] [FILE]    F: jsonl (default), tsv, csv
//
// FILE `-` (the default) is stdout, which then carries data only. The
// database is opened read-only (no lock, nothing written: it may run beside
// a writer process), and what is written is the state as of one version. A
// progress line is drawn on stderr when it is a terminal (cli/progress.hpp).
// An archive is binary: it is not written to a terminal (give FILE or
// redirect stdout). On an error a FILE created by the export is removed, so
// no partial archive is left under its name; on stdout a reader rejects the
// partial archive (it lacks its trailer).
//
// Thread-safety: run from one thread.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "sand/options.hpp"
#include "sand/status.hpp"

namespace sand::cli {

// The `export` subcommand as registered on the command line.
struct ExportCli {
  CLI::App* command = nullptr;
  std::string file = "-";
  bool latest = false;
  std::optional<std::string> format;  // --format, only with --latest

  bool parsed() const { return command != nullptr && command->parsed(); }
};

// Registers `export` on `app`; `cli` must outlive the parse.
void add_export_command(CLI::App& app, ExportCli& cli);

// Checks the arguments before the database opens. Errors: InvalidArgument
// (a usage error) for --format without --latest or an unknown format.
Status check_export(const ExportCli& cli);

// Runs a parsed and checked `export` of the database `db`. Errors: those of
// DB::open_read_only, export_archive and write_latest; InvalidArgument for
// an archive to a terminal; IOError "<FILE>: ..." when the output cannot be
// created or written.
Status run_export(const ExportCli& cli, const std::string& db, const Options& options);

}  // namespace sand::cli
