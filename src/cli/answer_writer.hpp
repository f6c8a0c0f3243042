// AnswerWriter: where execute(), the shell and the one-shot commands write
// each answer, so one code path runs every command and only the writer knows
// the format: text (format.hpp, check_format.hpp) or JSON lines
// (json_format.hpp, `--json`).
//
// A writer writes answers to one stream and errors to another: stdout and
// stderr for the one-shot commands, the same stream (stdout) in the shell.
// It never flushes; the caller does, once per answer.
//
// Thread-safety: one writer is used by one thread; it borrows the streams,
// which must outlive it.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "cli/command_table.hpp"
#include "sand/check.hpp"
#include "sand/db.hpp"
#include "sand/status.hpp"

namespace sand::cli {

class AnswerWriter {
 public:
  virtual ~AnswerWriter() = default;

  // put, del: the version written.
  virtual void version(Version version) = 0;
  // refresh: the last version after catching up.
  virtual void last_version(Version version) = 0;
  // flush, compact, forget-before, sync.
  virtual void ok() = 0;
  // get: `key`'s value as of `at` (nullopt: the latest), or nullopt if absent.
  virtual void get(std::string_view key, std::optional<Version> at,
                   const std::optional<std::string>& value) = 0;
  // One entry of a scan answer.
  virtual void scan_entry(std::string_view key, std::string_view value) = 0;
  // One entry of the history of `key`.
  virtual void history_entry(std::string_view key, const HistoryEntry& entry) = 0;
  // getv: `key`'s newest entry as of `at` (nullopt: the latest), or nullopt
  // if it has none.
  virtual void get_versioned(std::string_view key, std::optional<Version> at,
                             const std::optional<HistoryEntry>& entry) = 0;
  // One change of a changes answer: an operation of the batch committed at
  // `version`.
  virtual void change(Version version, const Change& change) = 0;
  // Closes a scan, history or changes answer after its last entry (not
  // written when the list failed midway: the error ends it).
  virtual void end_of_list() = 0;
  virtual void stats(const Stats& stats) = 0;
  // help: every command of `commands`, then the end of the list.
  virtual void help(std::span<const CommandSpec> commands) = 0;
  // help CMD.
  virtual void command_help(const CommandSpec& command) = 0;
  // check: the whole report.
  virtual void check_report(const CheckReport& report) = 0;
  // Any failure, to the error stream. REQUIRES: !status.is_ok().
  virtual void error(const Status& status) = 0;
};

// The text answers of format.hpp: byte for byte what sand has always printed.
class TextAnswerWriter final : public AnswerWriter {
 public:
  TextAnswerWriter(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}

  void version(Version version) override;
  void last_version(Version version) override;
  void ok() override;
  void get(std::string_view key, std::optional<Version> at,
           const std::optional<std::string>& value) override;
  void scan_entry(std::string_view key, std::string_view value) override;
  void history_entry(std::string_view key, const HistoryEntry& entry) override;
  void get_versioned(std::string_view key, std::optional<Version> at,
                     const std::optional<HistoryEntry>& entry) override;
  void change(Version version, const Change& change) override;
  void end_of_list() override;
  void stats(const Stats& stats) override;
  void help(std::span<const CommandSpec> commands) override;
  void command_help(const CommandSpec& command) override;
  void check_report(const CheckReport& report) override;
  void error(const Status& status) override;

 private:
  std::ostream& out_;
  std::ostream& err_;
};

// The JSON lines of json_format.hpp.
class JsonAnswerWriter final : public AnswerWriter {
 public:
  // With `close_lists` (the shell), every list answer (scan, history,
  // changes, help) ends with {"end": true}, so a script reading a pipe knows it is complete;
  // without (one-shot commands), a list just ends with the output.
  JsonAnswerWriter(std::ostream& out, std::ostream& err, bool close_lists)
      : out_(out), err_(err), close_lists_(close_lists) {}

  void version(Version version) override;
  void last_version(Version version) override;
  void ok() override;
  void get(std::string_view key, std::optional<Version> at,
           const std::optional<std::string>& value) override;
  void scan_entry(std::string_view key, std::string_view value) override;
  void history_entry(std::string_view key, const HistoryEntry& entry) override;
  void get_versioned(std::string_view key, std::optional<Version> at,
                     const std::optional<HistoryEntry>& entry) override;
  void change(Version version, const Change& change) override;
  void end_of_list() override;
  void stats(const Stats& stats) override;
  void help(std::span<const CommandSpec> commands) override;
  void command_help(const CommandSpec& command) override;
  void check_report(const CheckReport& report) override;
  void error(const Status& status) override;

 private:
  std::ostream& out_;
  std::ostream& err_;
  const bool close_lists_;
};

// The one-shot commands' writer: answers to `out`, errors to `err`; JSON
// lines (lists not closed) if `json`, else text.
std::unique_ptr<AnswerWriter> make_answer_writer(bool json, std::ostream& out, std::ostream& err);

}  // namespace sand::cli
