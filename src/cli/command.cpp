// Parsing of shell lines into Commands (grammar in command.hpp).
#include "cli/command.hpp"

#include <algorithm>
#include <charconv>
#include <system_error>
#include <vector>

#include "cli/escape.hpp"

namespace sand::cli {
namespace {

// The tokens of `text` separated by runs of spaces.
std::vector<std::string_view> split_tokens(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    const std::size_t end = std::min(text.find(' ', i), text.size());
    tokens.push_back(text.substr(i, end - i));
    i = end;
  }
  return tokens;
}

Status usage(std::string_view synopsis) {
  return Status::invalid_argument("usage: " + std::string(synopsis));
}

// `put KEY VALUE`: KEY is the first token of `args`; VALUE is everything after
// the single space that ends KEY.
Result<Command> parse_put(std::string_view args) {
  constexpr std::string_view kUsage = "put KEY VALUE";
  const std::size_t key_begin = args.find_first_not_of(' ');
  if (key_begin == std::string_view::npos) return usage(kUsage);
  const std::size_t key_end = args.find(' ', key_begin);
  if (key_end == std::string_view::npos) return usage(kUsage);
  Command c;
  c.kind = CommandKind::kPut;
  SAND_ASSIGN_OR_RETURN(c.key, parse_key(args.substr(key_begin, key_end - key_begin)));
  SAND_ASSIGN_OR_RETURN(c.value, parse_arg("VALUE", args.substr(key_end + 1)));
  return c;
}

Result<Command> parse_get(const std::vector<std::string_view>& args) {
  if (args.size() != 1 && args.size() != 2) return usage("get KEY [@VERSION]");
  Command c;
  c.kind = CommandKind::kGet;
  SAND_ASSIGN_OR_RETURN(c.key, parse_key(args[0]));
  if (args.size() == 2) {
    if (!args[1].starts_with('@')) {
      return Status::invalid_argument("expected @VERSION, got '" + escape_key(args[1]) + "'");
    }
    SAND_ASSIGN_OR_RETURN(c.at, parse_version(args[1].substr(1)));
  }
  return c;
}

Result<Command> parse_scan(const std::vector<std::string_view>& args) {
  Command c;
  c.kind = CommandKind::kScan;
  if (args.empty()) return c;
  if (args.size() != 2) return usage("scan [FROM TO] (- for an open bound)");
  SAND_ASSIGN_OR_RETURN(c.from, parse_bound("FROM", args[0]));
  SAND_ASSIGN_OR_RETURN(c.to, parse_bound("TO", args[1]));
  return c;
}

// del and history take exactly one KEY.
Result<Command> parse_key_command(CommandKind kind, std::string_view name,
                                  const std::vector<std::string_view>& args) {
  if (args.size() != 1) return usage(std::string(name) + " KEY");
  Command c;
  c.kind = kind;
  SAND_ASSIGN_OR_RETURN(c.key, parse_key(args[0]));
  return c;
}

Result<Command> parse_sync(const std::vector<std::string_view>& args) {
  if (args.size() != 1 || (args[0] != "on" && args[0] != "off")) {
    return usage("sync on|off");
  }
  Command c;
  c.kind = CommandKind::kSync;
  c.sync = args[0] == "on";
  return c;
}

// `forget-before V`: V is a plain decimal version, as in the one-shot command.
Result<Command> parse_forget_before(const std::vector<std::string_view>& args) {
  if (args.size() != 1) return usage("forget-before VERSION");
  Command c;
  c.kind = CommandKind::kForgetBefore;
  SAND_ASSIGN_OR_RETURN(c.mark, parse_version(args[0]));
  return c;
}

}  // namespace

Result<Command> parse_command(std::string_view line) {
  const std::size_t begin = line.find_first_not_of(' ');
  if (begin == std::string_view::npos) return Command{};
  line.remove_prefix(begin);
  const std::size_t word_end = std::min(line.find(' '), line.size());
  const std::string_view word = line.substr(0, word_end);
  const std::string_view rest = line.substr(word_end);
  // put keeps its VALUE verbatim, so it must not go through split_tokens.
  if (word == "put") return parse_put(rest);

  const std::vector<std::string_view> args = split_tokens(rest);
  if (word == "get") return parse_get(args);
  if (word == "del") return parse_key_command(CommandKind::kDel, word, args);
  if (word == "history") return parse_key_command(CommandKind::kHistory, word, args);
  if (word == "scan") return parse_scan(args);
  if (word == "sync") return parse_sync(args);
  if (word == "forget-before") return parse_forget_before(args);
  const CommandKind no_args = word == "flush"     ? CommandKind::kFlush
                              : word == "compact" ? CommandKind::kCompact
                              : word == "stats"   ? CommandKind::kStats
                              : word == "refresh" ? CommandKind::kRefresh
                              : word == "quit"    ? CommandKind::kQuit
                                                  : CommandKind::kNone;
  if (no_args == CommandKind::kNone) {
    return Status::invalid_argument(
        "unknown command '" + escape_key(word) +
        "' (commands: put get del scan history flush compact forget-before stats refresh sync quit)");
  }
  if (!args.empty()) return usage(word);
  Command c;
  c.kind = no_args;
  return c;
}

Result<std::string> parse_arg(std::string_view name, std::string_view text) {
  Result<std::string> bytes = unescape(text);
  if (!bytes) return Status::invalid_argument(std::string(name) + ": " + bytes.status().message());
  return bytes;
}

Result<std::string> parse_key(std::string_view text) {
  SAND_ASSIGN_OR_RETURN(std::string key, parse_arg("KEY", text));
  if (key.empty()) return Status::invalid_argument("KEY must not be empty");
  if (key.size() > kMaxKeySize) {
    return Status::invalid_argument("KEY is " + std::to_string(key.size()) +
                                    " bytes; the limit is " + std::to_string(kMaxKeySize));
  }
  return key;
}

Result<std::optional<std::string>> parse_bound(std::string_view name, std::string_view text) {
  if (text == "-") return std::optional<std::string>();
  SAND_ASSIGN_OR_RETURN(std::string bound, parse_arg(name, text));
  return std::optional<std::string>(std::move(bound));
}

Result<Version> parse_version(std::string_view text) {
  Version v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  // from_chars accepts no sign for unsigned types, but would stop early at a
  // non-digit: insist on consuming all of `text`.
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Status::invalid_argument("bad version '" + escape_key(text) +
                                    "': expected a decimal number below 2^64");
  }
  return v;
}

}  // namespace sand::cli
