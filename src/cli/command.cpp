// Parsing of shell lines into Commands (grammar in command.hpp).
#include "cli/command.hpp"

#include <algorithm>
#include <charconv>
#include <system_error>
#include <vector>

#include "cli/command_table.hpp"
#include "cli/escape.hpp"

namespace sand::cli {
namespace {

Status usage(std::string_view synopsis) {
  return Status::invalid_argument("usage: " + std::string(synopsis));
}

Status usage(const CommandSpec& spec) { return usage(spec.usage); }

// The names in the unknown-command error: the rows listed_in_errors (every
// command but `help` and the versioned ones), so the message stays byte for
// byte what scripts compare; the interactive greeting and the README point to
// `help` instead.
const std::string& command_list() {
  static const std::string list = [] {
    std::string names;
    for (const CommandSpec& spec : command_table()) {
      if (!spec.listed_in_errors) continue;
      if (!names.empty()) names += ' ';
      names += spec.name;
    }
    return names;
  }();
  return list;
}

Status unknown_command(std::string_view word) {
  return Status::invalid_argument("unknown command '" + escape_key(word) +
                                  "' (commands: " + command_list() + ")");
}

// Decodes a decimal number below 2^64 that is all of `text`; nullopt if not.
std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  std::uint64_t n = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, n);
  // from_chars accepts no sign for unsigned types, but would stop early at a
  // non-digit: insist on consuming all of `text`.
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

// A token and the text after the single space that ends it.
struct TokenAndRest {
  std::string_view token;
  std::string_view rest;
};

// The first token of `args` (after any spaces) and everything after the one
// space that ends it, kept verbatim: how put and put-if find a VALUE that is
// the rest of the line. nullopt if there is no token or no space after it.
std::optional<TokenAndRest> take_token(std::string_view args) {
  const std::size_t begin = args.find_first_not_of(' ');
  if (begin == std::string_view::npos) return std::nullopt;
  const std::size_t end = args.find(' ', begin);
  if (end == std::string_view::npos) return std::nullopt;
  return TokenAndRest{.token = args.substr(begin, end - begin), .rest = args.substr(end + 1)};
}

// `put KEY VALUE`: KEY is the first token of `args`; VALUE is everything after
// the single space that ends KEY.
Result<Command> parse_put(const CommandSpec& spec, std::string_view args) {
  const std::optional<TokenAndRest> key = take_token(args);
  if (!key) return usage(spec);
  Command c;
  c.kind = CommandKind::kPut;
  SAND_ASSIGN_OR_RETURN(c.key, parse_key(key->token));
  SAND_ASSIGN_OR_RETURN(c.value, parse_arg("VALUE", key->rest));
  return c;
}

// `put-if KEY V VALUE`: as put, with the expected version V between KEY and
// VALUE; VALUE is everything after the single space that ends V.
Result<Command> parse_put_if(const CommandSpec& spec, std::string_view args) {
  const std::optional<TokenAndRest> key = take_token(args);
  if (!key) return usage(spec);
  const std::optional<TokenAndRest> version = take_token(key->rest);
  if (!version) return usage(spec);
  Command c;
  c.kind = CommandKind::kPutIf;
  SAND_ASSIGN_OR_RETURN(c.key, parse_key(key->token));
  SAND_ASSIGN_OR_RETURN(c.expected, parse_version(version->token));
  SAND_ASSIGN_OR_RETURN(c.value, parse_arg("VALUE", version->rest));
  return c;
}

// get and getv: KEY, then an optional `@V`.
Result<Command> parse_get(const CommandSpec& spec, const std::vector<std::string_view>& args) {
  if (args.size() != 1 && args.size() != 2) return usage(spec);
  Command c;
  c.kind = spec.kind;
  SAND_ASSIGN_OR_RETURN(c.key, parse_key(args[0]));
  if (args.size() == 2) {
    SAND_ASSIGN_OR_RETURN(c.at, parse_at_version(args[1]));
  }
  return c;
}

// `@` and a digit: scan's short form of --at (a bare `@` or `@x` is a bound).
bool is_version_token(std::string_view token) {
  return token.size() >= 2 && token[0] == '@' && token[1] >= '0' && token[1] <= '9';
}

// The option of `spec` named exactly `token`, or nullptr.
const OptionSpec* find_option(const CommandSpec& spec, std::string_view token) {
  for (const OptionSpec& option : spec.options) {
    if (option.name == token) return &option;
  }
  return nullptr;
}

// scan [FROM TO] [OPTION...], options anywhere (grammar in command.hpp). Which
// tokens are options, and which take a value, comes from the table.
Result<Command> parse_scan(const CommandSpec& spec, const std::vector<std::string_view>& args) {
  Command c;
  c.kind = CommandKind::kScan;
  std::vector<std::string_view> bounds;
  bool seen_reverse = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const OptionSpec* option = find_option(spec, args[i]);
    if (option == nullptr && !is_version_token(args[i])) {
      bounds.push_back(args[i]);
      continue;
    }
    std::string_view name = "--at";
    std::string_view value = args[i].substr(1);  // @V
    if (option != nullptr) {
      name = option->name;
      if (!option->argument.empty()) {
        if (i + 1 == args.size()) {
          return Status::invalid_argument("scan: " + std::string(name) + " needs " +
                                          std::string(option->argument));
        }
        value = args[++i];
      }
    }
    const auto twice = [&] {
      return Status::invalid_argument("scan: " + std::string(name) + " is given twice");
    };
    if (name == "--at") {
      if (c.at) return Status::invalid_argument("scan: the version is given twice");
      SAND_ASSIGN_OR_RETURN(c.at, parse_version(value));
    } else if (name == "--limit") {
      if (c.limit) return twice();
      SAND_ASSIGN_OR_RETURN(c.limit, parse_limit(value));
    } else if (name == "--prefix") {
      if (c.prefix) return twice();
      SAND_ASSIGN_OR_RETURN(c.prefix, parse_arg("PREFIX", value));
    } else if (name == "--reverse") {
      if (seen_reverse) return twice();
      seen_reverse = true;
      c.reverse = true;
    }
  }
  if (bounds.empty()) return c;
  // Worded as sand 0.2 answered one or three bounds; `help scan` lists the
  // options.
  if (bounds.size() != 2) return usage("scan [FROM TO] (- for an open bound)");
  SAND_ASSIGN_OR_RETURN(c.from, parse_bound("FROM", bounds[0]));
  SAND_ASSIGN_OR_RETURN(c.to, parse_bound("TO", bounds[1]));
  return c;
}

// del and history take exactly one KEY.
Result<Command> parse_key_command(const CommandSpec& spec,
                                  const std::vector<std::string_view>& args) {
  if (args.size() != 1) return usage(spec);
  Command c;
  c.kind = spec.kind;
  SAND_ASSIGN_OR_RETURN(c.key, parse_key(args[0]));
  return c;
}

// `del-if KEY V`: V is KEY's expected version, a plain decimal.
Result<Command> parse_del_if(const CommandSpec& spec, const std::vector<std::string_view>& args) {
  if (args.size() != 2) return usage(spec);
  Command c;
  c.kind = CommandKind::kDelIf;
  SAND_ASSIGN_OR_RETURN(c.key, parse_key(args[0]));
  SAND_ASSIGN_OR_RETURN(c.expected, parse_version(args[1]));
  return c;
}

// Sets the key option `name` of changes (--prefix, --from or --to) to the
// escaped `value`; each may be given once.
Status set_changes_option(Command& c, std::string_view name, std::string_view value) {
  std::optional<std::string>& field = name == "--prefix" ? c.prefix
                                      : name == "--from" ? c.from
                                                         : c.to;
  if (field) return Status::invalid_argument("changes: " + std::string(name) + " is given twice");
  SAND_ASSIGN_OR_RETURN(field, parse_arg(name, value));
  return Status::ok();
}

// changes SINCE [UNTIL] [OPTION...], options anywhere (grammar in
// command.hpp). Which tokens are options comes from the table; every option
// takes a value.
Result<Command> parse_changes(const CommandSpec& spec, const std::vector<std::string_view>& args) {
  Command c;
  c.kind = CommandKind::kChanges;
  std::vector<std::string_view> versions;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const OptionSpec* option = find_option(spec, args[i]);
    if (option == nullptr) {
      versions.push_back(args[i]);
      continue;
    }
    if (i + 1 == args.size()) {
      return Status::invalid_argument("changes: " + std::string(option->name) + " needs " +
                                      std::string(option->argument));
    }
    SAND_RETURN_IF_ERROR(set_changes_option(c, option->name, args[++i]));
  }
  if (versions.empty() || versions.size() > 2) return usage(spec);
  SAND_ASSIGN_OR_RETURN(c.since, parse_version(versions[0]));
  if (versions.size() == 2) {
    SAND_ASSIGN_OR_RETURN(c.until, parse_version(versions[1]));
  }
  return c;
}

Result<Command> parse_sync(const CommandSpec& spec, const std::vector<std::string_view>& args) {
  if (args.size() != 1 || (args[0] != "on" && args[0] != "off")) return usage(spec);
  Command c;
  c.kind = CommandKind::kSync;
  c.sync = args[0] == "on";
  return c;
}

// `forget-before V`: V is a plain decimal version, as in the one-shot command.
Result<Command> parse_forget_before(const CommandSpec& spec,
                                    const std::vector<std::string_view>& args) {
  if (args.size() != 1) return usage(spec);
  Command c;
  c.kind = CommandKind::kForgetBefore;
  SAND_ASSIGN_OR_RETURN(c.mark, parse_version(args[0]));
  return c;
}

// `checkpoint DIR`: DIR is escaped like a key (so it may hold spaces as
// \x20), and is a path, not a database key: no size limit of its own.
Result<Command> parse_checkpoint(const CommandSpec& spec,
                                 const std::vector<std::string_view>& args) {
  if (args.size() != 1) return usage(spec);
  Command c;
  c.kind = CommandKind::kCheckpoint;
  SAND_ASSIGN_OR_RETURN(c.dir, parse_arg("DIR", args[0]));
  if (c.dir.empty()) return Status::invalid_argument("DIR must not be empty");
  return c;
}

// `help [COMMAND]`: the topic must be a command.
Result<Command> parse_help(const CommandSpec& spec, const std::vector<std::string_view>& args) {
  if (args.size() > 1) return usage(spec);
  Command c;
  c.kind = CommandKind::kHelp;
  if (!args.empty()) {
    if (find_command(args[0]) == nullptr) return unknown_command(args[0]);
    c.topic = std::string(args[0]);
  }
  return c;
}

}  // namespace

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

Result<Command> parse_command(std::string_view line) {
  const std::size_t begin = line.find_first_not_of(' ');
  if (begin == std::string_view::npos) return Command{};
  line.remove_prefix(begin);
  const std::size_t word_end = std::min(line.find(' '), line.size());
  const CommandSpec* spec = find_command(line.substr(0, word_end));
  if (spec == nullptr) return unknown_command(line.substr(0, word_end));
  const std::string_view rest = line.substr(word_end);
  // put and put-if keep their VALUE verbatim, so it must not go through
  // split_tokens.
  if (spec->kind == CommandKind::kPut) return parse_put(*spec, rest);
  if (spec->kind == CommandKind::kPutIf) return parse_put_if(*spec, rest);

  const std::vector<std::string_view> args = split_tokens(rest);
  switch (spec->kind) {
    case CommandKind::kGet:
    case CommandKind::kGetVersioned:
      return parse_get(*spec, args);
    case CommandKind::kDel:
    case CommandKind::kHistory:
      return parse_key_command(*spec, args);
    case CommandKind::kDelIf:
      return parse_del_if(*spec, args);
    case CommandKind::kScan:
      return parse_scan(*spec, args);
    case CommandKind::kChanges:
      return parse_changes(*spec, args);
    case CommandKind::kSync:
      return parse_sync(*spec, args);
    case CommandKind::kForgetBefore:
      return parse_forget_before(*spec, args);
    case CommandKind::kCheckpoint:
      return parse_checkpoint(*spec, args);
    case CommandKind::kHelp:
      return parse_help(*spec, args);
    default:  // flush, compact, stats, refresh, quit
      break;
  }
  if (!args.empty()) return usage(*spec);
  Command c;
  c.kind = spec->kind;
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
  const std::optional<std::uint64_t> v = parse_decimal(text);
  if (!v) {
    return Status::invalid_argument("bad version '" + escape_key(text) +
                                    "': expected a decimal number below 2^64");
  }
  return *v;
}

Result<Version> parse_at_version(std::string_view text) {
  if (!text.starts_with('@')) {
    return Status::invalid_argument("expected @VERSION, got '" + escape_key(text) + "'");
  }
  return parse_version(text.substr(1));
}

Result<std::uint64_t> parse_limit(std::string_view text) {
  const std::optional<std::uint64_t> n = parse_decimal(text);
  if (!n) {
    return Status::invalid_argument("bad limit '" + escape_key(text) +
                                    "': expected a decimal number below 2^64");
  }
  return *n;
}

bool is_read_command(CommandKind kind) {
  // No default: a new kind must be sorted here (-Wswitch).
  switch (kind) {
    case CommandKind::kGet:
    case CommandKind::kScan:
    case CommandKind::kHistory:
    case CommandKind::kGetVersioned:
    case CommandKind::kChanges:
    case CommandKind::kStats:
      return true;
    case CommandKind::kNone:
    case CommandKind::kPut:
    case CommandKind::kDel:
    case CommandKind::kPutIf:  // a write, whatever its precondition
    case CommandKind::kDelIf:
    case CommandKind::kFlush:
    case CommandKind::kCompact:
    case CommandKind::kForgetBefore:
    case CommandKind::kCheckpoint:  // needs a writable handle (DB::checkpoint)
    case CommandKind::kRefresh:
    case CommandKind::kSync:
    case CommandKind::kHelp:
    case CommandKind::kQuit:
      return false;
  }
  return false;
}

}  // namespace sand::cli
