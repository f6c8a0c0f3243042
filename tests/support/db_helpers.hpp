// Test helpers for DB-level tests: unwrap results (failing the test with the
// error text) and collect a scan into a vector.
#pragma once

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sand/sand.hpp"
#include "support/temp_dir.hpp"

namespace sand::test {

template <typename T>
T must(Result<T> r) {
  INFO(r.status().to_string());
  REQUIRE(r.is_ok());
  return std::move(r).value();
}

inline void must(const Status& s) {
  INFO(s.to_string());
  REQUIRE(s.is_ok());
}

inline std::vector<std::pair<std::string, std::string>> collect(Iterator it) {
  std::vector<std::pair<std::string, std::string>> out;
  for (; it.valid(); it.next()) out.emplace_back(it.key(), it.value());
  INFO(it.status().to_string());
  REQUIRE(it.status().is_ok());
  return out;
}

// A database small enough that flushes and compactions happen every few
// writes: 4 KiB memtables and output files, triggers of 2.
// Runs `check` with the data in the memtable, again after flush(), and
// again after compact(): answers must not depend on where the data lives.
inline void check_in_memtable_flushed_and_compacted(DB& db, const std::function<void()>& check) {
  {
    INFO("in the memtable");
    check();
  }
  must(db.flush());
  {
    INFO("after flush");
    check();
  }
  must(db.compact());
  INFO("after compact");
  check();
}

inline Options tiny_compacting_options(std::shared_ptr<FileSystem> fs, Retention retention) {
  return Options{.memtable_size = 4096,
                 .block_size = 256,
                 .block_restart_interval = 4,
                 .retention = retention,
                 .l0_trigger = 2,
                 .l1_trigger = 2,
                 .target_file_size = 4096,
                 .file_system = std::move(fs)};
}

}  // namespace sand::test
