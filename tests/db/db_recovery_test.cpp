// Recovery and corruption at the DB level: torn WAL tails are dropped,
// corrupt WAL records and table blocks are reported as Corruption naming the
// file and offset (never a wrong value), and a process killed with SIGKILL
// loses no acknowledged write.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"
#include "db/filenames.hpp"
#include "wal/log_format.hpp"
#include "wal/wal_file.hpp"

using namespace sand;
using sand::test::collect;
using sand::test::must;
namespace fsys = std::filesystem;

namespace {

std::string only_file_with_suffix(const std::string& dir, const std::string& suffix) {
  std::string found;
  for (const auto& e : fsys::directory_iterator(dir)) {
    if (e.path().extension() == suffix) {
      REQUIRE(found.empty());
      found = e.path().string();
    }
  }
  REQUIRE(!found.empty());
  return found;
}

void flip_byte(const std::string& path, std::uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x40);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

// Creates a database in `dir` holding a=1 and b=2 (two WAL records, at
// offsets 28 and 57), closes it, and returns the path of its only WAL.
std::string closed_db_with_a_and_b(const std::string& dir) {
  {
    auto db = must(DB::open(dir));
    must(db->put("a", "1"));
    must(db->put("b", "2"));
    must(db->close());
  }
  return only_file_with_suffix(dir, ".wal");
}

}  // namespace

TEST_CASE("a torn WAL tail is dropped and the database stays usable", "[db][recovery]") {
  sand::test::TempDir dir;
  {
    auto db = must(DB::open(dir.path()));
    must(db->put("a", "1"));
    must(db->put("b", "2"));
    must(db->put("c", "3"));
    must(db->close());
  }
  const std::string wal = only_file_with_suffix(dir.path(), ".wal");
  fsys::resize_file(wal, fsys::file_size(wal) - 3);  // cut into the last record
  {
    auto db = must(DB::open(dir.path()));
    CHECK(must(db->get("a")) == "1");
    CHECK(must(db->get("b")) == "2");
    CHECK(must(db->get("c")) == std::nullopt);
    CHECK(db->last_version() == 2);
    CHECK(must(db->put("d", "4")) == 3);
    must(db->close());
  }
  auto db = must(DB::open(dir.path()));
  CHECK(must(db->get("d")) == "4");
  CHECK(db->last_version() == 3);
}

TEST_CASE("a corrupt WAL record before valid ones is Corruption naming file and offset",
          "[db][recovery]") {
  sand::test::TempDir dir;
  const std::string wal = closed_db_with_a_and_b(dir.path());
  // The first record starts after the 28-byte file header; flip a payload byte.
  flip_byte(wal, 28 + 12 + 2);
  auto db = DB::open(dir.path());
  REQUIRE(db.status().code() == Code::kCorruption);
  const std::string msg = db.status().message();
  CHECK(msg.find(fsys::path(wal).filename().string()) != std::string::npos);
  CHECK(msg.find("offset 28") != std::string::npos);
}

TEST_CASE("a corrupt table byte is Corruption naming the table, never a wrong value",
          "[db][recovery]") {
  sand::test::TempDir dir;
  {
    auto db = must(DB::open(dir.path(), Options{.compression = Compression::kNone}));
    for (int i = 0; i < 100; ++i) must(db->put("key" + std::to_string(1000 + i), "value"));
    must(db->flush());
    must(db->close());
  }
  const std::string sst = only_file_with_suffix(dir.path(), ".sst");
  flip_byte(sst, 5);  // inside the first data block
  auto db = must(DB::open(dir.path()));  // data blocks are checked when read
  auto r = db->get("key1000");
  REQUIRE(r.status().code() == Code::kCorruption);
  CHECK(r.status().message().find(fsys::path(sst).filename().string()) != std::string::npos);
  CHECK(r.status().message().find("offset 0") != std::string::npos);
  auto it = must(db->scan());
  std::size_t n = 0;
  for (; it.valid(); it.next()) ++n;
  CHECK(it.status().code() == Code::kCorruption);
  CHECK(n < 100);
}

TEST_CASE("flipping any byte of a table footer fails the open with Corruption",
          "[db][recovery]") {
  sand::test::TempDir dir;
  {
    auto db = must(DB::open(dir.path()));
    must(db->put("a", "1"));
    must(db->flush());
    must(db->close());
  }
  const std::string sst = only_file_with_suffix(dir.path(), ".sst");
  const auto size = fsys::file_size(sst);
  const std::string pristine = [&] {
    std::ifstream f(sst, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }();
  for (std::uint64_t off = size - 64; off < size; ++off) {
    flip_byte(sst, off);
    auto db = DB::open(dir.path());
    INFO("offset " << off);
    CHECK(db.status().code() == Code::kCorruption);
    std::ofstream(sst, std::ios::binary | std::ios::trunc) << pristine;
  }
}

TEST_CASE("SIGKILL never loses an acknowledged synced write", "[db][recovery][kill]") {
  sand::test::TempDir dir;
  int next_key = 0;
  for (int round = 0; round < 4; ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // Child: write synced puts forever, acknowledging each on the pipe.
      ::close(fds[0]);
      auto db = DB::open(dir.path(), Options{.memtable_size = 16 << 10, .sync = true});
      if (!db.is_ok()) ::_exit(3);
      for (int i = next_key;; ++i) {
        auto v = (*db)->put("key" + std::to_string(i), "value" + std::to_string(i));
        if (!v.is_ok()) ::_exit(4);
        if (::write(fds[1], &i, sizeof i) != sizeof i) ::_exit(5);
      }
    }
    ::close(fds[1]);
    std::vector<int> acked;
    int i = 0;
    while (acked.size() < 200 + 50 * static_cast<std::size_t>(round) &&
           ::read(fds[0], &i, sizeof i) == sizeof i) {
      acked.push_back(i);
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    // Acks already in the pipe were given before the kill.
    while (::read(fds[0], &i, sizeof i) == sizeof i) acked.push_back(i);
    ::close(fds[0]);
    REQUIRE(acked.size() >= 200);

    auto db = must(DB::open(dir.path(), Options{.memtable_size = 16 << 10}));
    for (const int k : acked) {
      INFO("round " << round << " key " << k);
      REQUIRE(must(db->get("key" + std::to_string(k))) == "value" + std::to_string(k));
    }
    CHECK(db->last_version() >= static_cast<Version>(acked.back() + 1));
    next_key = static_cast<int>(db->last_version());
    must(db->close());
  }
}

TEST_CASE("point-in-time recovery keeps the writes before a damaged WAL record",
          "[db][recovery]") {
  sand::test::TempDir dir;
  {
    auto db = must(DB::open(dir.path()));
    must(db->put("a", "1"));  // record at offset 28, 29 bytes
    must(db->put("b", "2"));  // record at offset 57
    must(db->put("c", "3"));
    must(db->close());
  }
  const std::string wal = only_file_with_suffix(dir.path(), ".wal");
  flip_byte(wal, 57 + 12 + 2);  // inside the second record's payload
  auto strict = DB::open(dir.path());
  REQUIRE(strict.status().code() == Code::kCorruption);
  CHECK(strict.status().message().find("offset 57") != std::string::npos);

  {
    auto db = must(DB::open(dir.path(), Options{.point_in_time_recovery = true}));
    CHECK(must(db->get("a")) == "1");
    CHECK(must(db->get("b")) == std::nullopt);
    CHECK(must(db->get("c")) == std::nullopt);
    CHECK(db->last_version() == 1);
    must(db->put("d", "4"));
    must(db->close());
  }
  // The damage is gone for good: a strict open now succeeds.
  auto db = must(DB::open(dir.path()));
  CHECK(must(db->get("a")) == "1");
  CHECK(must(db->get("d")) == "4");
  CHECK(must(db->get("b")) == std::nullopt);
}

namespace {

// A database with one flushed table, then one more flush whose manifest edit
// is the MANIFEST's last record; returns the MANIFEST's size before that edit.
std::uint64_t two_flushes(const std::string& dir) {
  auto db = must(DB::open(dir));
  must(db->put("a", "1"));
  must(db->flush());
  const std::uint64_t before = fsys::file_size(dir + "/MANIFEST");
  must(db->put("b", "2"));
  must(db->flush());
  REQUIRE(fsys::file_size(dir + "/MANIFEST") > before);
  must(db->close());
  return before;
}

}  // namespace

TEST_CASE("a MANIFEST that lost its last edit fails open instead of losing writes",
          "[db][recovery]") {
  // The flush's edit retired the WAL holding "b" and that WAL was deleted; a
  // MANIFEST cut back to before the edit (or with the edit damaged, which
  // reads as a torn tail) would give a state without "b" at all.
  sand::test::TempDir dir;
  const std::uint64_t before = two_flushes(dir.path());
  fsys::resize_file(dir.path() + "/MANIFEST", before);
  auto db = DB::open(dir.path());
  REQUIRE(db.status().code() == Code::kCorruption);
  CHECK_THAT(db.status().message(), Catch::Contains("MANIFEST") && Catch::Contains(".wal") &&
                                        Catch::Contains("is missing"));
}

TEST_CASE("a damaged last MANIFEST record fails open instead of losing writes",
          "[db][recovery]") {
  sand::test::TempDir dir;
  const std::uint64_t before = two_flushes(dir.path());
  flip_byte(dir.path() + "/MANIFEST", before + 14);  // in the last record's payload
  auto db = DB::open(dir.path());
  REQUIRE(db.status().code() == Code::kCorruption);
  CHECK_THAT(db.status().message(), Catch::Contains("is missing"));
}

TEST_CASE("a live table that is missing fails open with Corruption naming it",
          "[db][recovery]") {
  sand::test::TempDir dir;
  two_flushes(dir.path());
  std::vector<std::string> tables;
  for (const auto& e : fsys::directory_iterator(dir.path())) {
    if (e.path().extension() == ".sst") tables.push_back(e.path().filename().string());
  }
  REQUIRE(tables.size() == 2);
  fsys::remove(dir.path() + "/" + tables[1]);
  auto db = DB::open(dir.path());
  REQUIRE(db.status().code() == Code::kCorruption);
  CHECK_THAT(db.status().message(), Catch::Contains("live table " + tables[1]));
}

TEST_CASE("a WAL renamed to another live WAL's number fails open", "[db][recovery]") {
  // Its records are checksummed with its own number: none of them may replay
  // under another name.
  sand::test::TempDir dir;
  {
    auto db = must(DB::open(dir.path()));
    must(db->put("a", "1"));
    must(db->close());
  }
  const std::string wal = only_file_with_suffix(dir.path(), ".wal");
  const std::string name = fsys::path(wal).filename().string();
  const std::uint64_t number = std::stoull(name);
  const std::string bytes = [&] {
    std::ifstream in(wal, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  // WAL `number` itself gets its seal (as a switch would write), so only
  // the copy is at fault.
  {
    auto writer = wal::RecordWriter::resume(
        must(posix_file_system()->reopen_writable_file(wal)), number);
    must(wal::append_seal(*writer));
    must(writer->close());
  }
  char renamed[32];
  std::snprintf(renamed, sizeof renamed, "%06llu.wal",
                static_cast<unsigned long long>(number + 1));
  {
    std::ofstream out(dir.path() + "/" + renamed, std::ios::binary);
    out << bytes;
  }
  auto db = DB::open(dir.path());
  REQUIRE(db.status().code() == Code::kCorruption);
  CHECK_THAT(db.status().message(),
             Catch::Contains(std::string(renamed) + ": offset 16: WAL header names log " +
                             std::to_string(number)));
}

TEST_CASE("an empty preallocated WAL after the newest one with writes does not fail open",
          "[db][recovery][prealloc]") {
  // An open that crashed right after creating its new WAL (before its
  // manifest retired the replayed one) leaves the new WAL as its header
  // and the zeros of its first preallocated window (spec/wal.md rule P7).
  sand::test::TempDir dir;
  const std::string wal = closed_db_with_a_and_b(dir.path());
  const std::uint64_t number = std::stoull(fsys::path(wal).stem().string());
  {
    std::ofstream newer(fsys::path(dir.path()) / wal_file_name(number + 1), std::ios::binary);
    newer << wal::log_file_header(wal::LogKind::kWal, number + 1) << std::string(1 << 20, '\0');
  }
  auto db = must(DB::open(dir.path()));
  CHECK(must(db->get("a")) == "1");
  CHECK(must(db->get("b")) == "2");
  must(db->put("c", "3"));
  must(db->close());
  auto again = must(DB::open(dir.path()));
  CHECK(collect(must(again->scan({}))) ==
        std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "2"}, {"c", "3"}});
}
