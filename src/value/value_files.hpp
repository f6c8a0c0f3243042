// ValueFiles: the value files one read view may read, by file number
// (spec/values.md). A view holds its set, and the set holds its files, so a
// file is neither deleted nor unmapped while a reader of the view may still
// follow a reference into it (ValueFile's lifetime rule).
// Thread-safety: immutable once built; read() from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "sand/status.hpp"
#include "value/read_ahead.hpp"
#include "value/value_file.hpp"

namespace sand::value {

class ValueFiles {
 public:
  using Map = std::map<std::uint64_t, std::shared_ptr<ValueFile>>;

  ValueFiles() = default;
  explicit ValueFiles(Map files) : files_(std::move(files)) {}

  // Sets *out to the value the encoded reference `ref_bytes` names.
  // Errors: Corruption when the bytes are not a value reference or name a
  // file outside this set; ValueFile::read()'s errors.
  Status read(std::string_view ref_bytes, std::string* out) const;
  // The same for a reader that may walk a value file front to back (a
  // scan): `ahead` tracks its reads and hints the kernel ahead of it.
  Status read(std::string_view ref_bytes, std::string* out, ReadAhead* ahead) const;
  // The same for the stored bytes (ValueFile::read_stored).
  Status read_stored(const ValueRef& ref, std::string* out) const;

  const Map& files() const { return files_; }

 private:
  Map files_;
};

}  // namespace sand::value
