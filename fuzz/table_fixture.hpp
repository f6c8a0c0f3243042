// build_table(): a valid table written in-process by the real TableBuilder,
// used by the sstable_mutator target and by make_corpus. Entries are a
// deterministic function of (count, seed): several versions per key, puts and
// tombstones, values repetitive enough that LZ4 pays.
//
// Header-only; thread-safety: none needed.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz_support.hpp"
#include "sand/file_system.hpp"
#include "table/table_builder.hpp"
#include "util/internal_key.hpp"

namespace sand::fuzz {

// An in-memory WritableFile that just collects the bytes.
class StringSink final : public WritableFile {
 public:
  Status append(std::string_view data) override {
    bytes.append(data);
    return Status::ok();
  }
  Status sync() override { return Status::ok(); }
  Status close() override { return Status::ok(); }
  std::uint64_t size() const override { return bytes.size(); }
  std::string bytes;
};

inline std::string build_table(const table::TableOptions& options, int count, std::uint32_t seed) {
  StringSink sink;
  table::TableBuilder builder(options, &sink);
  std::uint32_t x = seed * 2654435761u + 1;
  for (int i = 0; i < count; ++i) {
    char user[16];
    std::snprintf(user, sizeof(user), "key%05d", i * 3);
    // Versions newest first within one user key.
    const int versions = 1 + static_cast<int>(x % 3);
    for (int v = versions; v >= 1; --v) {
      x = x * 1103515245u + 12345u;
      const bool del = (x >> 16) % 5 == 0;
      std::string key;
      append_internal_key(&key, user, static_cast<Version>(i * 4 + v),
                          del ? EntryKind::kDelete : EntryKind::kPut);
      const std::string value =
          del ? std::string() : std::string(1 + (x >> 8) % 40, static_cast<char>('a' + i % 26));
      builder.add(key, value);
    }
  }
  check(builder.finish().is_ok(), "TableBuilder::finish");
  return sink.bytes;
}

}  // namespace sand::fuzz
