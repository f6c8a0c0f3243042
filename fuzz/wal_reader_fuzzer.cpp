// Fuzz target wal_reader: arbitrary bytes as a WAL file (format v2 or v3,
// spec/wal.md). Feeds them to wal::read_log, RecordReader and wal::replay /
// replay_from, each with point-in-time recovery off and on, and checks:
//   - only Corruption comes back (or the callback's own error, unchanged);
//   - no read past the bytes, no hang (work is linear-ish in the input,
//     capped at kMaxInput);
//   - read_log and a hand-driven RecordReader agree record for record;
//   - with point-in-time off succeeding, point-in-time on gives the same
//     records; a header error is the same in both modes;
//   - every batch replay() passes decodes (WriteBatchAccess::for_each) and
//     versions strictly increase;
//   - resuming with replay_from at a record boundary yields the rest;
//   - batch payloads (each record replay() passes, and the whole input
//     taken as one payload, so that mutations reach the operation decoder
//     without passing a record checksum) decode exactly as an independent
//     decoder written from spec/wal.md section 2 says: kinds 0, 1 and 3
//     (compressed put: key, raw_size 1..256 MiB, an LZ4 block), keys up to
//     64 KiB, values and blocks up to 256 MiB, exactly `count` operations and
//     nothing after them. for_each_stored accepts exactly what it accepts and
//     reports each operation as stored; for_each also needs every block to
//     LZ4_decompress_safe to exactly its raw_size (else Corruption naming
//     the first such operation) and then reports a compressed put as a put
//     of those bytes. A rejected payload gets no callback, and both walks
//     give the same Corruption for a malformed one.
// Deterministic, no output on success, no file I/O.
#include <lz4.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "util/coding.hpp"
#include "wal/log_format.hpp"
#include "wal/record_reader.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

namespace {

using namespace sand;
using sand::fuzz::check;
using sand::fuzz::expect_corruption_or_ok;

constexpr std::size_t kMaxInput = 256 << 10;
const std::string kFile = "000007.wal";

struct Seen {
  std::vector<std::uint64_t> offsets;
  std::vector<Version> versions;
};

void check_reader_agrees(std::string_view bytes, bool pit, const Result<wal::LogContents>& all) {
  auto r = wal::RecordReader::open(bytes, kFile, wal::LogKind::kWal, pit);
  if (!r.is_ok()) {
    check(!all.is_ok() && all.status() == r.status(), "open error differs from read_log");
    return;
  }
  std::vector<wal::LogRecord> got;
  Status err;
  for (int guard = 0;; ++guard) {
    check(guard <= static_cast<int>(bytes.size()), "RecordReader does not terminate");
    auto rec = r->next();
    if (!rec.is_ok()) {
      err = rec.status();
      // After an error, reading stays ended.
      auto again = r->next();
      check(again.is_ok() && !again->has_value(), "next() after error yields more");
      break;
    }
    if (!rec->has_value()) break;
    const wal::LogRecord& lr = **rec;
    check(lr.offset + wal::kRecordHeaderSize + lr.payload.size() <= bytes.size(),
          "record beyond the file");
    check(lr.payload.data() >= bytes.data() &&
              lr.payload.data() + lr.payload.size() <= bytes.data() + bytes.size(),
          "payload does not view the contents");
    if (!got.empty()) check(lr.offset > got.back().offset, "record offsets not increasing");
    got.push_back(lr);
  }
  expect_corruption_or_ok(err, "RecordReader::next");
  check(r->valid_end() <= bytes.size(), "valid_end past the end");
  if (pit) check(err.is_ok(), "point-in-time reader returned an error");
  if (!pit) check(r->tail_error().is_ok(), "tail_error set without point-in-time");
  if (!err.is_ok()) {
    check(!all.is_ok() && all.status() == err, "reader error differs from read_log");
    return;
  }
  check(all.is_ok(), "read_log failed where the reader did not", all.status().to_string());
  check(all->records.size() == got.size(), "record count differs from read_log");
  for (std::size_t i = 0; i < got.size(); ++i) {
    check(all->records[i].offset == got[i].offset && all->records[i].payload == got[i].payload,
          "record differs from read_log");
  }
  check(all->valid_end == r->valid_end() && all->torn_tail == r->torn_tail(),
        "valid_end/torn_tail differ from read_log");
}

// ---- An independent batch payload decoder, from spec/wal.md section 2 ----

constexpr std::uint64_t kSpecMaxKey = 65536;
constexpr std::uint64_t kSpecMaxValue = 268435456;  // 256 MiB
// Work cap: a payload whose compressed puts claim more than this in all is
// not decompressed (for_each would allocate it).
constexpr std::uint64_t kMaxRawTotal = 64u << 20;

struct SpecOp {
  std::uint8_t kind = 0;  // 0, 1 or 3
  std::string_view key;
  std::string_view value;  // as stored: the LZ4 block for kind 3
  std::uint64_t raw_size = 0;
};

// One LEB128 varint64: at most 10 bytes, the 10th at most 0x01.
bool spec_varint(std::string_view* in, std::uint64_t* v) {
  std::uint64_t result = 0;
  for (std::size_t i = 0; i < 10 && i < in->size(); ++i) {
    const auto b = static_cast<std::uint8_t>((*in)[i]);
    if (i == 9 && b > 0x01) return false;
    result |= std::uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) {
      in->remove_prefix(i + 1);
      *v = result;
      return true;
    }
  }
  return false;
}

bool spec_lpbytes(std::string_view* in, std::string_view* out) {
  std::uint64_t n = 0;
  if (!spec_varint(in, &n) || n > in->size()) return false;
  *out = in->substr(0, static_cast<std::size_t>(n));
  in->remove_prefix(static_cast<std::size_t>(n));
  return true;
}

// The operations of `rep`, or nullopt when it is malformed (LZ4 blocks are
// not looked into here).
std::optional<std::vector<SpecOp>> spec_ops(std::string_view rep) {
  if (rep.size() < 12) return std::nullopt;
  std::uint32_t count = 0;
  for (int i = 3; i >= 0; --i) {
    count = (count << 8) | static_cast<std::uint8_t>(rep[8 + static_cast<std::size_t>(i)]);
  }
  std::string_view in = rep.substr(12);
  std::vector<SpecOp> ops;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (in.empty()) return std::nullopt;
    SpecOp op;
    op.kind = static_cast<std::uint8_t>(in[0]);
    in.remove_prefix(1);
    if (op.kind != 0 && op.kind != 1 && op.kind != 3) return std::nullopt;
    if (!spec_lpbytes(&in, &op.key) || op.key.size() > kSpecMaxKey) return std::nullopt;
    if (op.kind == 3) {
      if (!spec_varint(&in, &op.raw_size)) return std::nullopt;
      if (op.raw_size == 0 || op.raw_size > kSpecMaxValue) return std::nullopt;
    }
    if (op.kind != 0) {
      if (!spec_lpbytes(&in, &op.value) || op.value.size() > kSpecMaxValue) return std::nullopt;
    }
    ops.push_back(op);
  }
  if (!in.empty()) return std::nullopt;
  return ops;
}

// A compressed put's value: its block LZ4_decompress_safe'd into raw_size
// bytes, or nullopt when that does not give exactly raw_size bytes.
std::optional<std::string> spec_decompress(const SpecOp& op) {
  // LZ4 never makes more than 255 bytes of one: larger cannot decompress.
  if (op.raw_size > 255 * static_cast<std::uint64_t>(op.value.size()) + 16) return std::nullopt;
  std::string out(static_cast<std::size_t>(op.raw_size), '\0');
  const int n = LZ4_decompress_safe(op.value.data(), out.data(), static_cast<int>(op.value.size()),
                                    static_cast<int>(op.raw_size));
  if (n < 0 || static_cast<std::uint64_t>(n) != op.raw_size) return std::nullopt;
  return out;
}

// Decodes `rep` with for_each_stored, for_each and spec_ops, and checks they
// agree (see the file comment).
void check_batch(std::string_view rep, std::uint64_t offset) {
  const std::optional<std::vector<SpecOp>> want = spec_ops(rep);

  std::vector<BatchOp> stored;
  const Status st = WriteBatchAccess::for_each_stored(
      rep, kFile, offset, [&](const BatchOp& op) { stored.push_back(op); });
  expect_corruption_or_ok(st, "WriteBatchAccess::for_each_stored");
  check(st.is_ok() == want.has_value(),
        st.is_ok() ? "for_each_stored accepts a payload the spec rejects"
                   : "for_each_stored rejects a payload the spec accepts",
        st.to_string());
  if (!st.is_ok()) {
    check(stored.empty(), "for_each_stored called back for a malformed payload");
    check(st.message().rfind(kFile + ": offset " + std::to_string(offset) + ": ", 0) == 0,
          "for_each_stored error names no file and offset", st.to_string());
  } else {
    check(stored.size() == want->size(), "for_each_stored op count differs from the spec");
    for (std::size_t i = 0; i < stored.size(); ++i) {
      const BatchOp& got = stored[i];
      const SpecOp& w = (*want)[i];
      check(got.kind == (w.kind == 0 ? EntryKind::kDelete : EntryKind::kPut),
            "for_each_stored kind differs");
      check(got.key == w.key && got.key.data() == w.key.data(), "for_each_stored key differs");
      check(got.value == w.value, "for_each_stored value differs");
      check(got.raw_size == w.raw_size && got.compressed() == (w.kind == 3),
            "for_each_stored raw_size differs");
    }
  }

  // What for_each must give: the spec's operations with every block
  // decompressed, or the first block that does not decompress.
  std::uint64_t raw_total = 0;
  std::vector<std::string> inflated;  // per op; empty for plain ones
  std::optional<std::size_t> bad_block;
  if (want) {
    for (std::size_t i = 0; i < want->size() && !bad_block; ++i) {
      const SpecOp& op = (*want)[i];
      inflated.emplace_back();
      if (op.kind != 3) continue;
      raw_total += op.raw_size;
      if (raw_total > kMaxRawTotal) return;  // too much work for one input
      std::optional<std::string> v = spec_decompress(op);
      if (!v) {
        bad_block = i;
      } else {
        inflated.back() = std::move(*v);
      }
    }
  }
  std::vector<std::pair<EntryKind, std::pair<std::string, std::string>>> got;
  const Status s = WriteBatchAccess::for_each(
      rep, kFile, offset, [&](EntryKind k, std::string_view key, std::string_view value) {
        got.push_back({k, {std::string(key), std::string(value)}});
      });
  expect_corruption_or_ok(s, "WriteBatchAccess::for_each");
  if (!want) {
    check(s == st, "for_each and for_each_stored report a malformed payload differently",
          s.to_string() + " / " + st.to_string());
    check(got.empty(), "for_each called back for a malformed payload");
    return;
  }
  if (bad_block) {
    const SpecOp& op = (*want)[*bad_block];
    check(s == Status::corruption(kFile, offset,
                                  "write batch operation " + std::to_string(*bad_block) +
                                      ": compressed value of " + std::to_string(op.value.size()) +
                                      " bytes does not decompress to its " +
                                      std::to_string(op.raw_size) + " bytes"),
          "for_each: not the first bad block's Corruption", s.to_string());
    check(got.empty(), "for_each called back for a payload with a bad block");
    return;
  }
  check(s.is_ok(), "for_each rejects a payload the spec accepts", s.to_string());
  check(got.size() == want->size() && want->size() == WriteBatchAccess::count(rep),
        "for_each op count differs");
  for (std::size_t i = 0; i < got.size(); ++i) {
    const SpecOp& w = (*want)[i];
    check(got[i].first == (w.kind == 0 ? EntryKind::kDelete : EntryKind::kPut),
          "for_each kind differs");
    check(got[i].second.first == w.key, "for_each key differs");
    check(got[i].second.second == (w.kind == 3 ? std::string_view(inflated[i]) : w.value),
          "for_each value differs (a compressed put must read as its decompressed bytes)");
  }
}

Result<wal::ReplayStats> run_replay(std::string_view bytes, std::uint64_t wal_number, bool pit,
                                    Seen* seen, int fail_at = -1, bool deep = false) {
  int calls = 0;
  auto fn = [&](std::string_view rep, std::uint64_t offset) -> Status {
    check(rep.size() >= kWriteBatchHeaderSize, "replay passed a rep shorter than its header");
    const Version v = WriteBatchAccess::version(rep);
    check(v != 0 && v <= kMaxVersion, "replay passed a bad version");
    if (!seen->versions.empty()) check(v > seen->versions.back(), "versions not increasing");
    // The batch itself may still be malformed (replay checks only framing and
    // versions); decoding it must fail cleanly.
    if (deep) {
      check_batch(rep, offset);
    } else {
      std::uint32_t ops = 0;
      Status d = WriteBatchAccess::for_each(
          rep, kFile, offset, [&](EntryKind, std::string_view, std::string_view) { ++ops; });
      expect_corruption_or_ok(d, "WriteBatchAccess::for_each");
      if (d.is_ok()) check(ops == WriteBatchAccess::count(rep), "op count differs from header");
    }
    seen->offsets.push_back(offset);
    seen->versions.push_back(v);
    if (calls++ == fail_at) return Status::invalid_argument("stop from callback");
    return Status::ok();
  };
  return wal::replay(bytes, kFile, wal_number, pit, fn);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  // An owned copy: views must not outlive it, and ASan catches reads past it.
  const std::string bytes(sand::fuzz::as_view(data, size));
  // The input as one batch payload: the operation decoder without a record
  // checksum in the way.
  check_batch(bytes, 0);

  Result<wal::LogContents> logs[2] = {wal::read_log(bytes, kFile, wal::LogKind::kWal, false),
                                      wal::read_log(bytes, kFile, wal::LogKind::kWal, true)};
  for (int pit = 0; pit < 2; ++pit) {
    expect_corruption_or_ok(logs[pit].status(), "read_log");
    check_reader_agrees(bytes, pit == 1, logs[pit]);
    if (logs[pit].is_ok()) {
      check(logs[pit]->valid_end <= bytes.size(), "read_log valid_end past the end");
      if (pit == 0) check(logs[pit]->tail_error.is_ok(), "tail_error without point-in-time");
      if (pit == 1 && !logs[pit]->tail_error.is_ok()) {
        check(logs[pit]->tail_error.code() == Code::kCorruption, "tail_error not Corruption");
        check(logs[pit]->torn_tail, "tail_error without torn_tail");
      }
    }
  }
  if (logs[0].is_ok()) {
    check(logs[1].is_ok(), "point-in-time read failed where strict read succeeded");
    check(logs[1]->records.size() == logs[0]->records.size() &&
              logs[1]->valid_end == logs[0]->valid_end,
          "point-in-time read differs from strict read of a clean log");
  } else if (!logs[1].is_ok()) {
    check(logs[1].status() == logs[0].status(), "header errors differ between modes");
  }

  // The log id in the header, when there is one, so replay gets past it.
  const std::uint64_t wal_number =
      bytes.size() >= wal::kFileHeaderSize
          ? util::decode_fixed64(bytes.data() + wal::kHeaderLogIdOffset)
          : 7;
  for (int pit = 0; pit < 2; ++pit) {
    Seen seen;
    auto r = run_replay(bytes, wal_number, pit == 1, &seen, -1, /*deep=*/pit == 0);
    expect_corruption_or_ok(r.status(), "replay");
    if (!r.is_ok()) continue;
    check(r->records == seen.offsets.size(), "ReplayStats.records differs from callbacks");
    check(r->valid_end <= bytes.size(), "replay valid_end past the end");
    if (pit == 0) check(r->tail_error.is_ok(), "replay tail_error without point-in-time");

    // The callback's error comes back unchanged and stops replay.
    if (!seen.offsets.empty()) {
      const int stop = static_cast<int>(seen.offsets.size() / 2);
      Seen partial;
      auto s = run_replay(bytes, wal_number, pit == 1, &partial, stop);
      check(!s.is_ok() && s.status() == Status::invalid_argument("stop from callback"),
            "callback error not returned unchanged", s.status().to_string());
      check(partial.offsets.size() == static_cast<std::size_t>(stop) + 1,
            "callbacks after an error");
    }
    // Resuming at a record boundary gives the remaining records.
    if (pit == 0 && seen.offsets.size() >= 2) {
      const std::size_t k = seen.offsets.size() / 2;
      const std::uint64_t base = seen.offsets[k];
      std::size_t calls = 0;
      auto rest = wal::replay_from(
          std::string_view(bytes).substr(base), base, kFile, wal_number, false,
          [&](std::string_view, std::uint64_t offset) {
            check(k + calls < seen.offsets.size() && offset == seen.offsets[k + calls],
                  "replay_from record offset differs");
            ++calls;
            return Status::ok();
          },
          seen.versions[k - 1]);
      check(rest.is_ok(), "replay_from failed on a tail replay accepted",
            rest.status().to_string());
      check(calls == seen.offsets.size() - k, "replay_from record count differs");
      check(rest->valid_end == r->valid_end, "replay_from valid_end differs");
    }
  }
  // A WAL named with another number never replays a record.
  Seen other;
  auto wrong = run_replay(bytes, wal_number + 1, false, &other);
  expect_corruption_or_ok(wrong.status(), "replay (wrong number)");
  check(other.offsets.empty() || bytes.size() < wal::kFileHeaderSize,
        "records replayed from a WAL with another number");
  return 0;
}
