// Completion: what Tab does at the terminal, as a pure function of the text
// before the cursor, driven by the command table (command_table.hpp).
//
// - In the first word: the command names that start with it.
// - After `help`: command names. After `sync`: on, off.
// - After another command: its options (e.g. scan: --at, --reverse, --limit,
//   --prefix) that start with the word and are not on the line yet; nothing
//   right after an option that takes a value (--limit N), and nothing in
//   put and put-if, whose VALUE is free text.
// Keys are never completed.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sand::cli {

struct Completion {
  // What to insert at the cursor: the rest of the only candidate and a space,
  // or the longest common extension of several candidates ("" if none).
  std::string insert;
  // Every candidate (whole words, in table order), for listing when `insert`
  // is empty and there are several.
  std::vector<std::string> candidates;

  friend bool operator==(const Completion&, const Completion&) = default;
};

// Completes the last word of `before_cursor` (the line up to the cursor).
Completion complete(std::string_view before_cursor);

}  // namespace sand::cli
