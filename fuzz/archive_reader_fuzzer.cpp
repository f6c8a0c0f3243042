// Fuzz target archive_reader: arbitrary bytes as an archive (spec/archive.md)
// -> import_archive into /dbs/db of a fresh memory_file_system() (a nested
// path: the in-memory file system cannot rename a directory directly under
// "/"). Every input runs twice: as given, and "resealed", with every
// checksum on the way (header, chunk headers, payloads, trailer, and the
// trailer's counts) recomputed, so mutations inside a chunk reach the entry
// decoder and the table writer instead of stopping at a checksum. Checks:
//   - only Corruption comes back, its message "archive: offset N: ..." with
//     N inside the input (spec/archive.md section 6; no InvalidArgument case
//     depends on the archive's bytes), and it is the error ArchiveReader
//     alone reports for the same bytes;
//   - on an error nothing is left: no /dbs/db, no file in /dbs/db.import-tmp;
//   - on success the summary matches the reader's header and entry count,
//     progress counts never go backwards, and DB::open of the result has the
//     header's last_version and low_water_mark, answers history() of every
//     key, a forward scan at the last version and a reverse scan at the mark
//     exactly as the archive's entries say (tests/support/versioned_model.hpp
//     applies the retention rules), with no error.
// Import options: 256-byte blocks, 4096-byte tables (the smallest allowed, so
// a few KiB of archive make a run of several), LZ4 when the input's size is
// odd, a bloom filter when its bit 1 is set. Inputs are capped at kMaxInput,
// so each run stays fast (a sealed header may declare up to 1 GiB: the
// reader allocates only as the bytes arrive, regression
// chunk-length-allocated-up-front). Deterministic in its answers (the DB's threads change timing
// only); no output on success.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "archive/archive_format.hpp"
#include "archive/archive_reader.hpp"
#include "fuzz_support.hpp"
#include "sand/sand.hpp"
#include "support/versioned_model.hpp"
#include "util/coding.hpp"
#include "util/crc32c.hpp"

namespace {

using namespace sand;
using sand::fuzz::check;
using sand::fuzz::expect_corruption_or_ok;
using sand::test::VersionedModel;

constexpr std::size_t kMaxInput = 64 << 10;
const std::string kDir = "/dbs/db";
const std::string kTmp = kDir + kImportTempSuffix;

// What the archive says, read by ArchiveReader alone: the model of the
// database an import must build, or the error it must fail with.
struct Decoded {
  Status status;
  VersionedModel model;
  std::uint64_t entries = 0;
};

Decoded decode(const std::string& bytes) {
  Decoded d;
  std::istringstream in(bytes);
  archive::ArchiveReader reader(in, "archive");
  auto header = reader.read_header();
  if (!header.is_ok()) {
    d.status = header.status();
    return d;
  }
  d.model.last = header->last_version;
  d.model.mark = header->low_water_mark;
  for (std::uint64_t guard = 0;; ++guard) {
    check(guard <= bytes.size(), "ArchiveReader::next does not terminate");
    auto more = reader.next();
    if (!more.is_ok()) {
      d.status = more.status();
      return d;
    }
    if (!*more) break;
    const archive::ArchiveEntry& e = reader.entry();
    check(e.version >= 1 && e.version <= d.model.last, "entry version outside 1..L");
    check(e.kind == EntryKind::kPut || e.value.empty(), "tombstone with a value");
    auto& versions = d.model.keys[std::string(e.user_key)];
    check(!versions.contains(e.version), "(key, version) twice");
    versions[e.version] =
        e.kind == EntryKind::kPut ? std::optional<std::string>(std::string(e.value)) : std::nullopt;
  }
  check(reader.bytes() == bytes.size(), "reader ended before the stream did");
  d.entries = reader.entries();
  return d;
}

// `s` must be "archive: offset N: ..." with N at most the input's size.
void check_offset(const Status& s, std::size_t size) {
  const std::string& m = s.message();
  const std::string prefix = "archive: offset ";
  check(m.starts_with(prefix), "Corruption names no offset", m);
  std::size_t i = prefix.size(), n = 0;
  std::uint64_t offset = 0;
  while (i < m.size() && m[i] >= '0' && m[i] <= '9' && n < 20) {
    offset = offset * 10 + static_cast<std::uint64_t>(m[i++] - '0');
    ++n;
  }
  check(n > 0 && m.compare(i, 2, ": ") == 0, "Corruption message not 'offset N: '", m);
  check(offset <= size, "Corruption offset past the end of the input", m);
}

std::string show(const std::vector<HistoryEntry>& h) {
  std::string s;
  for (const auto& e : h) {
    s += std::to_string(e.version) + (e.deleted ? ":del " : ":'" + e.value + "' ");
  }
  return s;
}

// Every key, value and version of `it`, checked against the model as of `at`.
void check_scan(const VersionedModel& m, Result<Iterator> it, Version at, bool reverse) {
  check(it.is_ok(), "scan", it.status().to_string());
  std::vector<std::pair<std::string, std::pair<Version, std::string>>> want;
  for (const auto& [key, versions] : m.keys) {
    const auto e = m.newest(key, at);
    if (e && e->second) want.push_back({key, {e->first, *e->second}});
  }
  if (reverse) std::reverse(want.begin(), want.end());
  std::size_t i = 0;
  for (; it->valid(); it->next(), ++i) {
    check(i < want.size(), "scan yields a key the archive does not hold", std::string(it->key()));
    check(it->key() == want[i].first && it->value() == want[i].second.second &&
              it->version() == want[i].second.first,
          "scan differs from the archive", want[i].first);
  }
  check(it->status().is_ok(), "scan ended with an error", it->status().to_string());
  check(i == want.size(), "scan misses keys of the archive");
}

void import_and_check(const std::string& bytes, std::size_t config) {
  const Decoded want = decode(bytes);
  expect_corruption_or_ok(want.status, "ArchiveReader");

  auto fs = memory_file_system();
  Options options;
  options.file_system = fs;
  options.block_size = 256;
  options.block_restart_interval = 4;
  options.target_file_size = 4096;  // the smallest valid: several tables per archive
  options.compression = (config & 1) ? Compression::kLz4 : Compression::kNone;
  options.bloom_bits_per_key = (config & 2) ? 10 : 0;
  options.memtable_size = 4096;
  options.block_cache_size = 64 << 10;
  ArchiveProgress last_progress;
  ImportOptions import_options;
  import_options.progress = [&](const ArchiveProgress& p) {
    check(p.entries >= last_progress.entries && p.bytes >= last_progress.bytes,
          "import progress goes backwards");
    check(p.bytes <= bytes.size(), "import progress past the input");
    last_progress = p;
  };
  std::istringstream in(bytes);
  const Result<ArchiveSummary> r = import_archive(kDir, in, options, import_options);

  if (!r.is_ok()) {
    expect_corruption_or_ok(r.status(), "import_archive");
    check_offset(r.status(), bytes.size());
    check(!want.status.is_ok() && r.status() == want.status,
          "import error differs from ArchiveReader's", r.status().to_string());
    check(!fs->exists(kDir), "a failed import left the database directory");
    const auto left = fs->list_dir(kTmp);
    check(!left.is_ok() || left->empty(), "a failed import left files behind");
    return;
  }
  check(want.status.is_ok(), "import succeeded where ArchiveReader failed",
        want.status.to_string());
  check(r->last_version == want.model.last && r->low_water_mark == want.model.mark,
        "summary header differs from the archive's");
  check(r->entries == want.entries && r->bytes == bytes.size(), "summary counts differ");
  check(last_progress.entries == r->entries && last_progress.bytes == r->bytes,
        "final progress differs from the summary");
  check(!fs->exists(kTmp) || fs->list_dir(kTmp)->empty(), "import left its temporary files");

  options.create_if_missing = false;
  auto db = DB::open(kDir, options);
  check(db.is_ok(), "DB::open of an imported database", db.status().to_string());
  check((*db)->last_version() == want.model.last, "last_version differs from the header");
  check((*db)->low_water_mark() == want.model.mark, "low_water_mark differs from the header");
  for (const auto& [key, versions] : want.model.keys) {
    auto h = (*db)->history(key);
    check(h.is_ok(), "history", h.status().to_string());
    const auto expected = want.model.history(key);
    check(*h == expected, "history differs from the archive",
          key + ": got " + show(*h) + "want " + show(expected));
  }
  check_scan(want.model, (*db)->scan(), want.model.last, false);
  check_scan(want.model, (*db)->scan({.at = want.model.mark, .reverse = true}), want.model.mark,
             true);
  const Status closed = (*db)->close();
  check(closed.is_ok(), "close", closed.to_string());
}

std::uint32_t chained_crc(std::uint32_t chain, const char* bytes, std::size_t n) {
  char prefix[4];
  util::encode_fixed32(prefix, chain);
  return crc32c::extend(crc32c::value(prefix, 4), bytes, n);
}

// `bytes` with every checksum the structure walk reaches recomputed (and the
// trailer's counts set to the chunks and entries the chunk headers claim).
// The walk stops at the first frame it cannot follow: a bad magic, a short
// header, a chunk whose length is outside 1..2^30 or whose payload is cut
// short (its header is still sealed, so those checks are reached too).
std::string reseal(std::string bytes) {
  if (bytes.size() < archive::kHeaderSize ||
      bytes.compare(0, archive::kMagic.size(), archive::kMagic) != 0) {
    return bytes;
  }
  char* b = bytes.data();
  std::uint32_t chain = crc32c::value(b, archive::kHeaderCrcOffset);
  util::encode_fixed32(b + archive::kHeaderCrcOffset, crc32c::mask(chain));
  std::size_t pos = archive::kHeaderSize;
  std::uint64_t chunks = 0, entries = 0;
  while (pos + 4 <= bytes.size()) {
    const std::uint32_t length = util::decode_fixed32(b + pos);
    if (length == archive::kTrailerMarker) {
      if (pos + archive::kTrailerSize > bytes.size()) break;
      util::encode_fixed64(b + pos + 4, entries);
      util::encode_fixed64(b + pos + 12, chunks);
      util::encode_fixed32(b + pos + 20, crc32c::mask(chained_crc(chain, b + pos, 20)));
      break;
    }
    if (pos + archive::kChunkHeaderSize > bytes.size()) break;
    util::encode_fixed32(b + pos + 8, crc32c::mask(chained_crc(chain, b + pos, 8)));
    if (length == 0 || length > archive::kMaxChunkPayload ||
        pos + archive::kChunkHeaderSize + length + archive::kChunkCrcSize > bytes.size()) {
      break;
    }
    entries += util::decode_fixed32(b + pos + 4);
    ++chunks;
    const char* payload = b + pos + archive::kChunkHeaderSize;
    chain = crc32c::value(payload, length);
    util::encode_fixed32(b + pos + archive::kChunkHeaderSize + length, crc32c::mask(chain));
    pos += archive::kChunkHeaderSize + length + archive::kChunkCrcSize;
  }
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  const std::string bytes(sand::fuzz::as_view(data, size));
  // Options from the size, so the input stays a plain archive.
  import_and_check(bytes, size);
  const std::string resealed = reseal(bytes);
  if (resealed != bytes) import_and_check(resealed, size);
  return 0;
}
