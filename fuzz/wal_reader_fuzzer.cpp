// Fuzz target wal_reader: arbitrary bytes as a WAL file (format v2,
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
//   - resuming with replay_from at a record boundary yields the rest.
// Deterministic, no output on success, no file I/O.
#include <cstdint>
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

Result<wal::ReplayStats> run_replay(std::string_view bytes, std::uint64_t wal_number, bool pit,
                                    Seen* seen, int fail_at = -1) {
  int calls = 0;
  auto fn = [&](std::string_view rep, std::uint64_t offset) -> Status {
    check(rep.size() >= kWriteBatchHeaderSize, "replay passed a rep shorter than its header");
    const Version v = WriteBatchAccess::version(rep);
    check(v != 0 && v <= kMaxVersion, "replay passed a bad version");
    if (!seen->versions.empty()) check(v > seen->versions.back(), "versions not increasing");
    // The batch itself may still be malformed (replay checks only framing and
    // versions); decoding it must fail cleanly.
    std::uint32_t ops = 0;
    Status d = WriteBatchAccess::for_each(rep, kFile, offset,
                                          [&](EntryKind, std::string_view, std::string_view) {
                                            ++ops;
                                          });
    expect_corruption_or_ok(d, "WriteBatchAccess::for_each");
    if (d.is_ok()) check(ops == WriteBatchAccess::count(rep), "op count differs from header");
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

  Result<wal::LogContents> logs[2] = {
      wal::read_log(bytes, kFile, wal::LogKind::kWal, false),
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
    auto r = run_replay(bytes, wal_number, pit == 1, &seen);
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
      check(rest.is_ok(), "replay_from failed on a tail replay accepted", rest.status().to_string());
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
