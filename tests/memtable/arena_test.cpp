// Arena: alignment, accounting, and stability of handed-out memory.
#include "memtable/arena.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace sand {
namespace {

std::uintptr_t address(const char* p) { return reinterpret_cast<std::uintptr_t>(p); }

TEST_CASE("a fresh arena has used nothing", "[memtable][arena]") {
  Arena arena;
  CHECK(arena.bytes_used() == 0);
}

TEST_CASE("allocations honour their alignment", "[memtable][arena]") {
  Arena arena(1024);
  for (std::size_t align : {1u, 2u, 4u, 8u, 16u}) {
    for (std::size_t bytes : {1u, 3u, 7u, 24u, 100u}) {
      char* p = arena.allocate(bytes, align);
      CHECK(address(p) % align == 0);
    }
  }
}

TEST_CASE("bytes_used counts each request rounded up to its alignment", "[memtable][arena]") {
  Arena arena;
  (void)arena.allocate(5, 1);
  CHECK(arena.bytes_used() == 5);
  (void)arena.allocate(5, 8);
  CHECK(arena.bytes_used() == 13);
  (void)arena.allocate(16, 8);
  CHECK(arena.bytes_used() == 29);
}

TEST_CASE("reserved bytes cover used bytes and start with the initial block", "[memtable][arena]") {
  Arena arena;
  (void)arena.allocate(1, 1);
  CHECK(arena.bytes_reserved() >= Arena::kDefaultInitialBlock);
  for (int i = 0; i < 1000; ++i) (void)arena.allocate(1000, 8);
  CHECK(arena.bytes_used() == 1 + 1000 * 1000);
  CHECK(arena.bytes_reserved() >= arena.bytes_used());
}

TEST_CASE("a request larger than a block gets a block of its own", "[memtable][arena]") {
  Arena arena(4096);
  char* big = arena.allocate(1 << 20, 8);
  std::memset(big, 0x5a, 1 << 20);
  CHECK(arena.bytes_reserved() >= (1u << 20));
  CHECK(static_cast<unsigned char>(big[(1 << 20) - 1]) == 0x5a);
}

TEST_CASE("handed-out memory never moves or changes as the arena grows", "[memtable][arena]") {
  Arena arena(256);
  std::vector<std::pair<char*, std::string>> written;
  for (int i = 0; i < 2000; ++i) {
    std::string s =
        "entry-" + std::to_string(i) + std::string(static_cast<std::size_t>(i % 97), 'x');
    char* p = arena.allocate(s.size(), 1);
    std::memcpy(p, s.data(), s.size());
    written.emplace_back(p, std::move(s));
  }
  for (const auto& [p, s] : written) {
    REQUIRE(std::string(p, s.size()) == s);
  }
}

// Sanitizer allocators keep freed memory on purpose (quarantine), so the
// release test runs in plain builds only.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define SAND_TEST_RSS 1
#endif

#ifdef SAND_TEST_RSS
// Resident anonymous memory of this process, from /proc/self/status.
std::size_t rss_anon_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("RssAnon:", 0) == 0) return std::stoull(line.substr(8)) * 1024;  // kB
  }
  FAIL("no RssAnon in /proc/self/status");
  return 0;
}
#endif

TEST_CASE("a dead arena's memory goes back to the system", "[memtable][arena]") {
#ifndef SAND_TEST_RSS
  SUCCEED("sanitizer build: RSS says nothing about the arena");
#else
  // Every block the arena touched is released when it dies, also with small
  // allocations made meanwhile still live (a database makes them all the
  // time) and glibc's mmap threshold raised by an earlier large free.
  constexpr std::size_t kTouched = std::size_t{48} << 20;
  std::size_t before = 0, full = 0, after = 0;
  std::vector<void*> pins;
  pins.reserve(kTouched >> 16);
  std::free(std::malloc(std::size_t{16} << 20));
  before = rss_anon_bytes();
  {
    Arena arena;
    for (std::size_t used = 0; used < kTouched; used += 4096) {
      std::memset(arena.allocate(4096, 8), 0x33, 4096);
      if (used % (std::size_t{64} << 10) == 0) pins.push_back(std::malloc(64));
    }
    full = rss_anon_bytes();
  }
  after = rss_anon_bytes();
  for (void* p : pins) std::free(p);
  CHECK(full >= before + kTouched * 3 / 4);
  CHECK(after < before + kTouched / 4);
#endif
}

}  // namespace
}  // namespace sand
