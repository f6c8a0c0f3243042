// Helpers shared by the table tests: string-backed files, internal-key
// builders and a one-call "build this table" helper.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sand/file_system.hpp"
#include "table/table.hpp"
#include "table/table_builder.hpp"
#include "support/internal_keys.hpp"
#include "util/internal_key.hpp"

namespace sand::table::testing {

// A WritableFile appending to a std::string; optionally fails after
// `fail_after` successful appends.
class StringSink final : public WritableFile {
 public:
  explicit StringSink(int fail_after = -1) : fail_after_(fail_after) {}
  Status append(std::string_view data) override {
    if (fail_after_ >= 0 && appends_ >= fail_after_) {
      return Status::io_error("sink.sst: injected append failure");
    }
    ++appends_;
    contents_.append(data);
    return Status::ok();
  }
  Status sync() override { return Status::ok(); }
  Status close() override { return Status::ok(); }
  std::uint64_t size() const override { return contents_.size(); }
  const std::string& contents() const { return contents_; }

 private:
  int fail_after_;
  int appends_ = 0;
  std::string contents_;
};

// A ReadableFile over an owned copy of some bytes.
class StringFile final : public ReadableFile {
 public:
  explicit StringFile(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string_view contents() const override { return bytes_; }

 private:
  std::string bytes_;
};

using test::ikey;
using test::InternalKeyLess;
using Model = std::map<std::string, std::string, InternalKeyLess>;
using Entries = std::vector<std::pair<std::string, std::string>>;

inline std::string build_table(const Model& entries, const TableOptions& options,
                               TableProperties* props = nullptr) {
  StringSink sink;
  TableBuilder builder(options, &sink);
  for (const auto& [k, v] : entries) builder.add(k, v);
  Status s = builder.finish();
  if (!s.is_ok()) return "";
  if (props != nullptr) *props = builder.properties();
  return sink.contents();
}

inline Result<std::shared_ptr<Table>> open_bytes(std::string bytes,
                                                 std::shared_ptr<BlockCache> cache = nullptr,
                                                 std::uint64_t number = 7,
                                                 std::string name = "000007.sst") {
  return Table::open(std::make_unique<StringFile>(std::move(bytes)), std::move(name), number,
                     std::move(cache));
}

// Every (key, value) an iterator yields from seek_to_first to the end.
inline std::vector<std::pair<std::string, std::string>> scan_all(InternalIterator* it) {
  std::vector<std::pair<std::string, std::string>> out;
  for (it->seek_to_first(); it->valid(); it->next()) {
    out.emplace_back(std::string(it->key()), std::string(it->value()));
  }
  return out;
}

inline std::vector<std::pair<std::string, std::string>> scan_all_backward(InternalIterator* it) {
  std::vector<std::pair<std::string, std::string>> out;
  for (it->seek_to_last(); it->valid(); it->prev()) {
    out.emplace_back(std::string(it->key()), std::string(it->value()));
  }
  return out;
}

// A value that LZ4 shrinks well, and one it cannot.
inline std::string compressible_value(std::size_t n, int seed) {
  std::string v;
  while (v.size() < n) v += "value-" + std::to_string(seed) + "-abcabcabc-";
  v.resize(n);
  return v;
}
inline std::string incompressible_value(std::size_t n, std::uint64_t seed) {
  std::string v(n, '\0');
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (char& c : v) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return v;
}

}  // namespace sand::table::testing
