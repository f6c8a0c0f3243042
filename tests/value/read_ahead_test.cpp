// ReadAhead: hints start after a run of forward reads in one file, one per
// half window while the run goes on, and never for reads that jump around.
#include "value/read_ahead.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

using sand::value::ReadAhead;
using Range = std::pair<std::uint64_t, std::uint64_t>;

namespace {

constexpr std::uint64_t kW = ReadAhead::kWindow;

}  // namespace

TEST_CASE("read ahead: a forward walk is hinted a window ahead once per half window",
          "[value][read_ahead]") {
  ReadAhead ahead;
  std::vector<Range> hints;
  // 4 KiB values one after another (with 40 bytes of framing between them).
  std::uint64_t offset = 28;
  for (int i = 0; i < 1000; ++i) {
    if (const auto r = ahead.on_read(7, offset, 4096)) hints.push_back(*r);
    offset += 4096 + 40;
  }
  REQUIRE(!hints.empty());
  // The first hint comes with the second read, from where it ends.
  CHECK(hints[0] == Range{28 + 2 * 4096 + 40, 28 + 2 * 4096 + 40 + kW});
  // Each later hint starts where the previous one ended and was asked for
  // once the reader had come within half a window of that end.
  for (std::size_t i = 1; i < hints.size(); ++i) {
    CHECK(hints[i].first == hints[i - 1].second);
    CHECK(hints[i].second - hints[i - 1].second <= kW / 2 + 4096 + 40);
  }
  // About one hint per half window over the ~4 MiB read.
  const std::uint64_t walked = offset - 28;
  CHECK(hints.size() >= walked / (kW / 2) - 1);
  CHECK(hints.size() <= walked / (kW / 2) + 2);
}

TEST_CASE("read ahead: reads that go back or jump far or change files are never hinted",
          "[value][read_ahead]") {
  ReadAhead ahead;
  // Backwards (a reverse scan).
  for (std::uint64_t offset = 10 << 20; offset > 4096; offset -= 4096) {
    CHECK_FALSE(ahead.on_read(3, offset, 4096).has_value());
  }
  // Forward, but with gaps over kMaxGap (values of other keys in between).
  for (std::uint64_t i = 0; i < 100; ++i) {
    CHECK_FALSE(ahead.on_read(3, i * (ReadAhead::kMaxGap + 8192), 4096).has_value());
  }
  // Alternating between two files: each read breaks the other's run.
  for (std::uint64_t i = 0; i < 100; ++i) {
    CHECK_FALSE(ahead.on_read(4 + i % 2, i * 4096, 4096).has_value());
  }
}

TEST_CASE("read ahead: a new run in another file starts over", "[value][read_ahead]") {
  ReadAhead ahead;
  CHECK_FALSE(ahead.on_read(1, 0, 100).has_value());
  CHECK(ahead.on_read(1, 100, 100) == Range{200, 200 + kW});
  CHECK_FALSE(ahead.on_read(1, 300, 100).has_value());  // hinted already
  CHECK_FALSE(ahead.on_read(2, 0, 100).has_value());    // another file
  CHECK(ahead.on_read(2, 150, 100) == Range{250, 250 + kW});
  // Back in file 1 at its old place: a new run, hinted again after two reads.
  CHECK_FALSE(ahead.on_read(1, 400, 100).has_value());
  CHECK(ahead.on_read(1, 500, 100) == Range{600, 600 + kW});
}
