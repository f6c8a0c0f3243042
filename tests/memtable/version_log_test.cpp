// VersionLog: slots read back across segment boundaries, segments allocated
// only as the log grows, and readers of a growing log seeing a whole prefix.
// Written to run under TSan.
#include "memtable/version_log.hpp"

#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "memtable/arena.hpp"

namespace sand {
namespace {

using Log = VersionLog<std::uint64_t>;
constexpr std::size_t kFirst = Log::kFirstSegmentSlots;

std::uint64_t value_at(std::size_t i) { return i * 2654435761u + 7; }

TEST_CASE("a version log reads back every slot across segment boundaries",
          "[memtable][version_log]") {
  Arena arena;
  Log log(&arena);
  CHECK(log.size() == 0);
  // Segments hold kFirst, 2 * kFirst, 4 * kFirst, ... slots: this fills
  // twelve and starts the thirteenth.
  const std::size_t n = kFirst * ((1u << 12) - 1) + 5;
  for (std::size_t i = 0; i < n; ++i) {
    log.append(value_at(i));
    REQUIRE(log.size() == i + 1);
  }
  for (std::size_t i = 0; i < n; ++i) {
    INFO("slot " << i);
    REQUIRE(log[i] == value_at(i));
  }
}

TEST_CASE("a version log allocates its segments only as it grows", "[memtable][version_log]") {
  Arena arena;
  Log log(&arena);
  CHECK(arena.bytes_used() == 0);  // an empty log costs no arena bytes
  log.append(1);
  CHECK(arena.bytes_used() == kFirst * sizeof(std::uint64_t));
  for (std::size_t i = 1; i < kFirst; ++i) log.append(i);
  CHECK(arena.bytes_used() == kFirst * sizeof(std::uint64_t));  // the first segment is full
  log.append(0);
  CHECK(arena.bytes_used() == 3 * kFirst * sizeof(std::uint64_t));  // plus one twice its size
}

TEST_CASE("readers of a growing version log see every counted slot whole",
          "[memtable][version_log][concurrency]") {
  constexpr std::size_t kSlots = 200000;
  Arena arena;
  Log log(&arena);
  std::array<std::atomic<int>, 2> passes{};
  std::vector<std::string> failures(passes.size());
  std::vector<std::thread> readers;
  for (std::size_t r = 0; r < failures.size(); ++r) {
    readers.emplace_back([&log, &done = passes[r], &failure = failures[r], r] {
      std::size_t seen = 0;
      while (seen < kSlots && failure.empty()) {
        const std::size_t n = log.size();
        if (n < seen) failure = "size went down";
        // Reader 0 rereads everything, reader 1 only the new slots.
        for (std::size_t i = r == 0 ? 0 : seen; i < n && failure.empty(); ++i) {
          if (log[i] != value_at(i)) failure = "slot " + std::to_string(i) + " not whole";
        }
        seen = n;
        done.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (std::size_t i = 0; i < kSlots; ++i) {
    if (i == kSlots / 2) {
      // Both readers read while the log grows, however they are scheduled.
      for (const auto& p : passes) {
        while (p.load(std::memory_order_relaxed) == 0) std::this_thread::yield();
      }
    }
    log.append(value_at(i));
  }
  for (auto& t : readers) t.join();
  for (const auto& f : failures) {
    INFO(f);
    CHECK(f.empty());
  }
  CHECK(log.size() == kSlots);
}

}  // namespace
}  // namespace sand
