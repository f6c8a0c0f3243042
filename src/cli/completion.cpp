// Tab completion from the command table (completion.hpp).
#include "cli/completion.hpp"

#include <algorithm>

#include "cli/command.hpp"
#include "cli/command_table.hpp"

namespace sand::cli {
namespace {

// The words a command takes after its name: fixed words, options and, for
// help, the command names.
std::vector<std::string_view> argument_words(const CommandSpec& spec,
                                             const std::vector<std::string_view>& before) {
  std::vector<std::string_view> words;
  // VALUE is free text.
  if (spec.kind == CommandKind::kPut || spec.kind == CommandKind::kPutIf) return words;
  if (!before.empty()) {
    for (const OptionSpec& option : spec.options) {
      // The value of an option: a version, a count or a key.
      if (option.name == before.back() && !option.argument.empty()) return words;
    }
  }
  if (spec.kind == CommandKind::kHelp) {
    if (!before.empty()) return words;  // help takes one COMMAND
    for (const CommandSpec& command : command_table()) words.push_back(command.name);
    return words;
  }
  if (!spec.words.empty()) {
    if (before.empty()) words.assign(spec.words.begin(), spec.words.end());
    return words;
  }
  for (const OptionSpec& option : spec.options) {
    if (std::find(before.begin(), before.end(), option.name) == before.end()) {
      words.push_back(option.name);
    }
  }
  return words;
}

}  // namespace

Completion complete(std::string_view before_cursor) {
  // The word being completed runs from after the last space to the cursor.
  const std::size_t last_space = before_cursor.rfind(' ');
  const std::size_t word_begin = last_space == std::string_view::npos ? 0 : last_space + 1;
  const std::string_view word = before_cursor.substr(word_begin);
  const std::vector<std::string_view> before = split_tokens(before_cursor.substr(0, word_begin));

  std::vector<std::string_view> words;
  if (before.empty()) {
    for (const CommandSpec& command : command_table()) words.push_back(command.name);
  } else if (const CommandSpec* spec = find_command(before.front())) {
    words = argument_words(*spec, std::vector<std::string_view>(before.begin() + 1, before.end()));
  }

  Completion completion;
  for (std::string_view candidate : words) {
    if (candidate.starts_with(word)) completion.candidates.emplace_back(candidate);
  }
  if (completion.candidates.size() == 1) {
    completion.insert = completion.candidates.front().substr(word.size()) + " ";
    return completion;
  }
  if (completion.candidates.empty()) return completion;
  // The longest prefix all candidates share, past what is typed.
  std::string_view common = completion.candidates.front();
  for (const std::string& candidate : completion.candidates) {
    const auto [mismatch, ignored] =
        std::mismatch(common.begin(), common.end(), candidate.begin(), candidate.end());
    common = common.substr(0, static_cast<std::size_t>(mismatch - common.begin()));
  }
  completion.insert = std::string(common.substr(word.size()));
  return completion;
}

}  // namespace sand::cli
