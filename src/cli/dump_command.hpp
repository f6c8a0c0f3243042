// `sand dump`: prints every decoded field of one database file, or the live
// state of a database, as text or (--json) JSON lines (spec/dump.md).
//
//   sand dump sst FILE | dump wal FILE | dump val FILE | dump manifest FILE
//                                                        (FILE: a path)
//   sand [--db DIR] dump db
//
// It only reads: no lock, nothing created or written, so it works on a
// database another process holds, and on a damaged file, which it dumps up
// to the damage and then reports as the engine's reader does.
//
// Exit codes: 0 the whole file (or database) decoded; 3 otherwise, after
// the records decoded before the damage. The error goes to stderr, as every
// `sand` error: `ERR <Kind>: <message>` (cli/format.hpp), or with --json one
// JSON object (spec/dump.md section 7).
//
// Thread-safety: run from one thread.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "cli/dump_sink.hpp"
#include "sand/file_system.hpp"
#include "sand/status.hpp"

namespace sand::cli {

// Exit codes of run_dump; main.cpp's, for the same outcomes.
inline constexpr int kDumpExitOk = 0;
inline constexpr int kDumpExitFailed = 3;

enum class DumpTarget { kTable, kWal, kValueLog, kManifest, kDb };

// The `dump` subcommand as registered on the command line.
struct DumpCli {
  CLI::App* dump = nullptr;
  CLI::App* sst = nullptr;
  CLI::App* wal = nullptr;
  CLI::App* val = nullptr;
  CLI::App* manifest = nullptr;
  CLI::App* db = nullptr;
  std::string file;  // FILE of sst, wal, val, manifest

  bool parsed() const { return dump != nullptr && dump->parsed(); }
  // Which dump was asked for. REQUIRES: parsed().
  DumpTarget target() const;
};

// Registers `dump` and its five subcommands on `app`; `cli` must outlive
// the parse (CLI11 writes FILE into it).
void add_dump_command(CLI::App& app, DumpCli& cli);

// Dumps `path` (a file, or for kDb a database directory) to `sink`.
// Errors: as dump_table, dump_wal, dump_value_log, dump_manifest, dump_db; NotFound or
// IOError naming `path` when it cannot be read.
Status dump(FileSystem& fs, DumpTarget target, const std::string& path, DumpSink& sink);

// The error line `run_dump` prints, as every `sand` error: format_error's
// text, or with `json` json_error's object (cli/json_format.hpp; spec/dump.md
// section 7) on one line. REQUIRES: !status.is_ok().
std::string format_dump_error(const Status& status, bool json);

// Runs a parsed `dump`: records to `out`, an error to `err`. `db` is the
// --db directory (for `dump db`). Returns kDumpExitOk or kDumpExitFailed.
int run_dump(const DumpCli& cli, const std::string& db, bool json, std::ostream& out,
             std::ostream& err);

}  // namespace sand::cli
