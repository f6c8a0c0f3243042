// Fuzz target manifest_reader: arbitrary bytes as dir/MANIFEST in the
// in-memory file system -> manifest::replay, plus the same bytes as one edit
// payload -> manifest::Edit::decode. Checks:
//   - only Corruption comes back (NotFound/IOError would be harness bugs);
//   - a decoded edit re-encodes to an edit that decodes equal (round trip);
//   - a replayed State equals the one rebuilt by hand from read_log +
//     Edit::decode + State::apply, and its snapshot_edit() recreates it.
// Deterministic, no output on success, only the in-memory file system.
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_support.hpp"
#include "manifest/edit.hpp"
#include "manifest/manifest_log.hpp"
#include "manifest/state.hpp"
#include "wal/record_reader.hpp"

namespace {

using namespace sand;
using sand::fuzz::check;
using sand::fuzz::expect_corruption_or_ok;

constexpr std::size_t kMaxInput = 256 << 10;

void check_edit_round_trip(std::string_view payload) {
  auto e = manifest::Edit::decode(payload, "edit", 0);
  expect_corruption_or_ok(e.status(), "Edit::decode");
  if (!e.is_ok()) return;
  for (const auto& t : e->added) {
    check(t.level >= 0 && t.level <= manifest::kMaxLevel, "decoded level out of range");
  }
  std::string enc;
  e->encode(&enc);
  auto again = manifest::Edit::decode(enc, "edit", 0);
  check(again.is_ok(), "re-encoded edit does not decode", again.status().to_string());
  check(*again == *e, "edit round trip differs");
}

// The state manifest::replay should reach, built from the public pieces.
Result<manifest::State> replay_by_hand(std::string_view bytes) {
  SAND_ASSIGN_OR_RETURN(auto log, wal::read_log(bytes, "MANIFEST", wal::LogKind::kManifest, false));
  manifest::State state;
  for (const auto& rec : log.records) {
    SAND_ASSIGN_OR_RETURN(auto e, manifest::Edit::decode(rec.payload, "MANIFEST", rec.offset));
    SAND_RETURN_IF_ERROR(state.apply(e, "MANIFEST", rec.offset));
  }
  return state;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  const std::string_view bytes = sand::fuzz::as_view(data, size);

  check_edit_round_trip(bytes);
  // Seeds are whole manifests; their payloads start after the 28-byte file
  // header and a 12-byte record header.
  if (bytes.size() > 40) check_edit_round_trip(bytes.substr(40));

  auto fs = memory_file_system();
  check(fs->create_dir("db").is_ok(), "create_dir");
  {
    auto f = fs->new_writable_file("db/MANIFEST");
    check(f.is_ok(), "new_writable_file");
    check((*f)->append(bytes).is_ok() && (*f)->close().is_ok(), "write MANIFEST");
  }
  auto state = manifest::replay(*fs, "db");
  expect_corruption_or_ok(state.status(), "manifest::replay");

  auto by_hand = replay_by_hand(bytes);
  expect_corruption_or_ok(by_hand.status(), "replay by hand");
  if (state.is_ok()) {
    if (by_hand.is_ok()) check(*by_hand == *state, "replay differs from read_log+decode+apply");
    manifest::State rebuilt;
    rebuilt.next_file_number = 12345;  // a snapshot edit resets whatever was there
    Status s = rebuilt.apply(state->snapshot_edit(), "snapshot", 0);
    check(s.is_ok(), "snapshot_edit does not apply", s.to_string());
    check(rebuilt == *state, "snapshot_edit does not recreate the state");
  }
  return 0;
}
