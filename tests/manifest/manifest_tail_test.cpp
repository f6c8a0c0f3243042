// Tests for src/manifest/manifest_tail: following a MANIFEST that a writer
// appends to and replaces, as a read-only handle does.
#include "manifest/manifest_tail.hpp"

#include <catch2/catch.hpp>

#include "manifest/manifest_log.hpp"
#include "sand/file_system.hpp"
#include "wal/log_test_support.hpp"
#include "wal/record_reader.hpp"

using namespace sand;
using namespace sand::manifest;

namespace {

constexpr const char* kDir = "/db";

TableMeta table(std::uint64_t number) {
  return TableMeta{.number = number,
                   .level = 0,
                   .file_size = 100,
                   .entries = 1,
                   .tombstones = 0,
                   .min_version = number,
                   .max_version = number,
                   .smallest_key = "a",
                   .largest_key = "b"};
}

Edit add(std::uint64_t number) {
  Edit e;
  e.next_file_number = number + 1;
  e.last_version = number;
  e.added = {table(number)};
  return e;
}

State start() {
  State s;
  s.next_file_number = 2;
  s.wal_number = 1;
  return s;
}

}  // namespace

TEST_CASE("a manifest tail applies only the records appended since", "[manifest][tail]") {
  auto fs = memory_file_system();
  REQUIRE(fs->create_dir(kDir).is_ok());
  State created = start();
  auto log = std::move(ManifestLog::create(*fs, kDir, created)).value();
  ManifestTail tail(kDir);
  CHECK(tail.update(*fs).value() == true);
  CHECK(tail.state() == created);
  const std::uint64_t first = tail.applied_bytes();
  CHECK(tail.update(*fs).value() == false);  // nothing new

  REQUIRE(log->append(add(2)).is_ok());
  CHECK(tail.update(*fs).value() == true);
  CHECK(tail.state().tables.contains(2));
  CHECK(tail.applied_bytes() > first);
  CHECK(tail.applied_bytes() == log->size());
  CHECK(tail.state() == replay(*fs, kDir).value());
}

TEST_CASE("a manifest tail leaves a torn last record for the next update", "[manifest][tail]") {
  auto fs = memory_file_system();
  REQUIRE(fs->create_dir(kDir).is_ok());
  State created = start();
  auto log = std::move(ManifestLog::create(*fs, kDir, created)).value();
  REQUIRE(log->append(add(2)).is_ok());
  const std::string path = std::string(kDir) + "/MANIFEST";
  const std::string whole(fs->open_readable_file(path).value()->contents());
  REQUIRE(log->close().is_ok());

  // The writer is mid-append: the reader sees the last record cut short.
  auto cut = fs->new_writable_file(path).value();
  REQUIRE(cut->append(whole.substr(0, whole.size() - 3)).is_ok());
  ManifestTail tail(kDir);
  CHECK(tail.update(*fs).value() == true);
  CHECK_FALSE(tail.state().tables.contains(2));
  REQUIRE(cut->append(whole.substr(whole.size() - 3)).is_ok());
  CHECK(tail.update(*fs).value() == true);
  CHECK(tail.state().tables.contains(2));
}

TEST_CASE("a manifest tail re-reads a manifest that was replaced", "[manifest][tail]") {
  auto fs = memory_file_system();
  REQUIRE(fs->create_dir(kDir).is_ok());
  State created = start();
  auto log = std::move(ManifestLog::create(*fs, kDir, created)).value();
  REQUIRE(log->append(add(2)).is_ok());
  REQUIRE(log->append(add(3)).is_ok());
  ManifestTail tail(kDir);
  REQUIRE(tail.update(*fs).is_ok());
  REQUIRE(log->close().is_ok());

  // A rollover: one snapshot record of a later state, shorter than before,
  // then an edit appended to it. Resuming at the old offset would skip it.
  State later = tail.state();
  later.tables.erase(2);
  later.next_file_number = 5;
  auto fresh = std::move(ManifestLog::create(*fs, kDir, later)).value();
  REQUIRE(fresh->append(add(5)).is_ok());
  REQUIRE(fresh->size() < tail.applied_bytes() + 40);
  CHECK(tail.update(*fs).value() == true);
  CHECK_FALSE(tail.state().tables.contains(2));
  CHECK(tail.state().tables.contains(3));
  CHECK(tail.state().tables.contains(5));
  CHECK(tail.state() == replay(*fs, kDir).value());
}

TEST_CASE("a manifest tail reports corruption with the file and offset", "[manifest][tail]") {
  auto fs = memory_file_system();
  REQUIRE(fs->create_dir(kDir).is_ok());
  State created = start();
  auto log = std::move(ManifestLog::create(*fs, kDir, created)).value();
  ManifestTail tail(kDir);
  REQUIRE(tail.update(*fs).is_ok());
  const std::uint64_t offset = tail.applied_bytes();
  REQUIRE(log->append(add(2)).is_ok());
  REQUIRE(log->append(add(3)).is_ok());
  REQUIRE(log->close().is_ok());
  const std::string path = std::string(kDir) + "/MANIFEST";
  std::string bytes(fs->open_readable_file(path).value()->contents());
  bytes[offset + 13] ^= 0x40;  // inside the first new record's payload
  auto w = fs->new_writable_file(path).value();
  REQUIRE(w->append(bytes).is_ok());
  const State before = tail.state();
  auto r = tail.update(*fs);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().code() == Code::kCorruption);
  CHECK(r.status().message().find("MANIFEST: offset " + std::to_string(offset)) !=
        std::string::npos);
  CHECK(tail.state() == before);
}

TEST_CASE("a manifest tail ignores a stale record after the last applied one",
          "[manifest][tail][stale]") {
  // The resumed reader checks records against the applied file's log id, so
  // a record of another manifest at the end is a torn tail, not an edit.
  auto fs = memory_file_system();
  REQUIRE(fs->create_dir(kDir).is_ok());
  State created = start();
  auto log = std::move(ManifestLog::create(*fs, kDir, created)).value();
  ManifestTail tail(kDir);
  REQUIRE(tail.update(*fs).is_ok());
  const std::uint64_t applied = tail.applied_bytes();
  REQUIRE(log->close().is_ok());
  const std::string path = std::string(kDir) + "/MANIFEST";
  std::string bytes(fs->open_readable_file(path).value()->contents());
  const std::uint64_t id =
      wal::RecordReader::open(bytes, path, wal::LogKind::kManifest, false).value().log_id();
  std::string edit;
  add(2).encode(&edit);
  {
    auto w = fs->new_writable_file(path).value();
    REQUIRE(w->append(bytes + test::framed_record(id + 1, edit)).is_ok());
    REQUIRE(w->close().is_ok());
  }
  CHECK(tail.update(*fs).value() == false);
  CHECK(tail.state() == created);
  CHECK(tail.applied_bytes() == applied);
  // The same edit under the file's own id applies.
  {
    auto w = fs->new_writable_file(path).value();
    REQUIRE(w->append(bytes + test::framed_record(id, edit)).is_ok());
    REQUIRE(w->close().is_ok());
  }
  CHECK(tail.update(*fs).value() == true);
  CHECK(tail.state().tables.contains(2));
}
