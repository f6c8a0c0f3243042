// Test support for log files: a WritableFile over a std::string that counts
// calls and can be told to fail, and a helper that builds a whole log.
// Test-only; single-threaded.
#pragma once

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "sand/file_system.hpp"
#include "wal/record_writer.hpp"

namespace sand::test {

// What a ProbeFile wrote and how it was called. Outlives the file.
struct FileProbe {
  std::string bytes;
  int appends = 0;
  int syncs = 0;
  int fail_appends = 0;  // the next N appends fail (writing nothing)
  bool fail_sync = false;
  bool closed = false;
};

class ProbeFile final : public WritableFile {
 public:
  explicit ProbeFile(FileProbe* probe) : probe_(probe) {}
  Status append(std::string_view data) override {
    if (probe_->fail_appends > 0) {
      --probe_->fail_appends;
      return Status::io_error("probe", ENOSPC);
    }
    ++probe_->appends;
    probe_->bytes.append(data);
    return Status::ok();
  }
  Status sync() override {
    ++probe_->syncs;
    return probe_->fail_sync ? Status::io_error("probe", EIO) : Status::ok();
  }
  Status close() override {
    probe_->closed = true;
    return Status::ok();
  }
  std::uint64_t size() const override { return probe_->bytes.size(); }

 private:
  FileProbe* probe_;  // not owned
};

// A complete log of `kind` holding `payloads`; offsets (if given) receives
// where each record starts.
inline std::string make_log(wal::LogKind kind, const std::vector<std::string>& payloads,
                            std::vector<std::uint64_t>* offsets = nullptr) {
  FileProbe probe;
  auto writer = wal::RecordWriter::create(std::make_unique<ProbeFile>(&probe), kind);
  for (const std::string& p : payloads) {
    if (offsets != nullptr) offsets->push_back((*writer)->size());
    (*writer)->add_record(p).ignore();
  }
  return probe.bytes;
}

// `bytes` as spec/testdata/*.hex text: lowercase hex pairs separated by one
// space, 16 bytes per line, each line ending in '\n'.
inline std::string to_hex_lines(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
    out += (i % 16 == 15 || i + 1 == bytes.size()) ? '\n' : ' ';
  }
  return out;
}

// The whole text of `path`, or "" if it cannot be read.
inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace sand::test
