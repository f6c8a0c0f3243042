// Helpers for tests that fork a writer process and follow it from the test
// process (tests/db/multi_process_test.cpp, change_feed_follower_test.cpp).
// Test-only. A forked child must not touch Catch2: it reports through its
// exit status and stderr (child_exit).
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "sand/sand.hpp"

namespace sand::test {

// Seconds from the environment variable `name` (a soak run raises it), or
// `fallback` when it is unset or not a positive number.
inline int seconds_from_env(const char* name, int fallback) {
  const char* s = std::getenv(name);
  const int n = s ? std::atoi(s) : 0;
  return n > 0 ? n : fallback;
}

// Options under which a writer flushes, compacts and rolls its manifest
// over every few hundred writes, so a follower meets every kind of change.
inline Options busy_writer_options() {
  return Options{.memtable_size = 64 << 10,
                 .block_size = 1024,
                 .l0_trigger = 2,
                 .l1_trigger = 2,
                 .target_file_size = 32 << 10,
                 .manifest_rollover_size = 16 << 10};
}

// Ends a forked child with exit status `code`, saying why on stderr.
[[noreturn]] inline void child_exit(const char* who, int code, const std::string& what) {
  std::fprintf(stderr, "%s %d: %s\n", who, static_cast<int>(::getpid()), what.c_str());
  ::_exit(code);
}

// The writer's last version, published whole (written aside, then renamed)
// for the follower to compare with what it saw. False if the rename failed.
inline bool publish_final_version(const std::string& path, Version v) {
  std::ofstream(path + ".tmp") << v;
  return std::rename((path + ".tmp").c_str(), path.c_str()) == 0;
}

// The version publish_final_version wrote, or nullopt while there is none.
inline std::optional<Version> read_final_version(const std::string& path) {
  std::ifstream in(path);
  Version v = 0;
  if (in >> v) return v;
  return std::nullopt;
}

}  // namespace sand::test
