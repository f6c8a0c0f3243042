// Test support for log files (format version 2): a WritableFile over a
// std::string that counts calls and can be told to fail, helpers that build a
// whole log or one framed record for any log id, and the hex text form of
// spec/testdata/*.hex. Test-only; single-threaded.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "sand/file_system.hpp"
#include "util/coding.hpp"
#include "util/crc32c.hpp"
#include "wal/log_format.hpp"
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

// The log id make_log() uses unless told otherwise. 5 so that a WAL built
// with it replays under the name 000005.wal.
inline constexpr std::uint64_t kTestLogId = 5;

// A complete log of `kind` and id `log_id` holding `payloads`; offsets (if
// given) receives where each record starts.
inline std::string make_log(wal::LogKind kind, const std::vector<std::string>& payloads,
                            std::vector<std::uint64_t>* offsets = nullptr,
                            std::uint64_t log_id = kTestLogId) {
  FileProbe probe;
  auto writer = wal::RecordWriter::create(std::make_unique<ProbeFile>(&probe), kind, log_id);
  for (const std::string& p : payloads) {
    if (offsets != nullptr) offsets->push_back((*writer)->size());
    (*writer)->add_record(p).ignore();
  }
  return probe.bytes;
}

// One framed record (12-byte header + payload) as a writer of log `log_id`
// appends it: what a stale record copied from that log looks like.
inline std::string framed_record(std::uint64_t log_id, std::string_view payload) {
  std::string out(wal::kRecordHeaderSize, '\0');
  wal::encode_record_header(out.data(), log_id, payload);
  out.append(payload);
  return out;
}

// The 16-byte header of a format-version-1 file of `kind`, built by hand from
// the old spec: magic, uint32 version 1, uint32 masked CRC32C of bytes 0..11.
inline std::string v1_file_header(wal::LogKind kind) {
  std::string h(wal::log_magic(kind));
  util::put_fixed32(&h, 1);
  util::put_fixed32(&h, crc32c::mask(crc32c::value(h)));
  return h;
}

// One version-1 record: uint32 masked CRC32C of (length bytes ++ payload),
// uint32 length, payload.
inline std::string v1_record(std::string_view payload) {
  std::string covered;
  util::put_fixed32(&covered, static_cast<std::uint32_t>(payload.size()));
  covered.append(payload);
  std::string out;
  util::put_fixed32(&out, crc32c::mask(crc32c::value(covered)));
  out.append(covered);
  return out;
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

// Whether the run was asked to rewrite the committed test vectors
// (SAND_UPDATE_TESTDATA set, as for tests/spec; spec/testdata/README.md).
inline bool update_testdata() { return std::getenv("SAND_UPDATE_TESTDATA") != nullptr; }

// Replaces the file `path` with `text`; returns whether that worked.
inline bool write_text_file(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  return static_cast<bool>(out);
}

}  // namespace sand::test
