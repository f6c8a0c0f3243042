// DB::wait_for_version: returns at once when the version is committed,
// wakes when a write commits it, returns the last version on timeout, and
// answers ReadOnly once the handle is closed (close() wakes waiters). A
// read-only handle refreshes while it waits. Worker threads only record;
// the main thread checks after join. The long timeouts only turn a hang into
// a failure.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::must;
using namespace std::chrono_literals;

namespace {

constexpr std::chrono::milliseconds kHangLimit = 60s;

}  // namespace

TEST_CASE("wait_for_version returns at once when the version is already committed",
          "[db][wait_for_version]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  CHECK(must(db->wait_for_version(0, 0ms)) == 0);
  must(db->put("a", "1"));
  must(db->put("a", "2"));
  must(db->put("a", "3"));
  CHECK(must(db->wait_for_version(2, kHangLimit)) == 3);
  CHECK(must(db->wait_for_version(3, kHangLimit)) == 3);
  CHECK(must(db->wait_for_version(3, -5ms)) == 3);
  CHECK(must(db->wait_for_version(3, std::chrono::milliseconds::max())) == 3);  // no overflow
}

TEST_CASE("wait_for_version wakes when another thread commits the version",
          "[db][wait_for_version]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  must(db->put("a", "1"));
  Status write_status;
  std::thread writer([&] {
    std::this_thread::sleep_for(20ms);  // most likely after the wait began
    write_status = db->put("b", "2").status();
  });
  const Result<Version> waited = db->wait_for_version(2, kHangLimit);
  writer.join();
  CHECK(write_status.is_ok());
  REQUIRE(waited.is_ok());
  CHECK(*waited == 2);
}

TEST_CASE("wait_for_version times out returning the last version", "[db][wait_for_version]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  must(db->put("a", "1"));
  CHECK(must(db->wait_for_version(5, 30ms)) == 1);
  CHECK(must(db->wait_for_version(2, 0ms)) == 1);
}

TEST_CASE("close wakes a waiter with ReadOnly", "[db][wait_for_version]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  must(db->put("a", "1"));
  Status waited;
  std::thread waiter([&] { waited = db->wait_for_version(10, kHangLimit).status(); });
  std::this_thread::sleep_for(20ms);  // most likely asleep by now; ReadOnly either way
  must(db->close());
  waiter.join();
  CHECK(waited.code() == Code::kReadOnly);
  CHECK(db->wait_for_version(1, 0ms).status().code() == Code::kReadOnly);
}

TEST_CASE("a read-only handle refreshes while it waits", "[db][wait_for_version][read_only]") {
  auto fs = memory_file_system();
  auto writer = must(DB::open("/db", Options{.file_system = fs}));
  must(writer->put("a", "1"));
  auto reader = must(DB::open_read_only("/db", Options{.file_system = fs}));
  REQUIRE(reader->last_version() == 1);

  must(writer->put("a", "2"));  // not seen until a refresh
  CHECK(reader->last_version() == 1);
  CHECK(must(reader->wait_for_version(2, kHangLimit)) == 2);
  CHECK(must(reader->get("a")) == "2");

  Status write_status;
  std::thread later([&] {
    std::this_thread::sleep_for(20ms);
    write_status = writer->put("a", "3").status();
  });
  const Result<Version> waited = reader->wait_for_version(3, kHangLimit);
  later.join();
  CHECK(write_status.is_ok());
  REQUIRE(waited.is_ok());
  CHECK(*waited == 3);

  SECTION("it times out returning its last version") {
    CHECK(must(reader->wait_for_version(4, 30ms)) == 3);
  }
  SECTION("after close it answers ReadOnly") {
    must(reader->close());
    CHECK(reader->wait_for_version(1, 0ms).status().code() == Code::kReadOnly);
  }
}
