// export -> import round trips: random databases whose data is spread over
// memtables, level 0, level-1 runs and level 2 (tiny memtables, files and
// triggers), with tombstones, forget_before, binary keys and empty values,
// must import to a database that answers every read the same way (history
// of every key, get at every version, scans, last version, mark), holds its
// data in one level-2 run, and takes new writes from last_version + 1.
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "archive/archive_test_support.hpp"
#include "sand/sand.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::first_difference;
using sand::test::must;

namespace {

// Keys with the awkward bytes: 0x00 and 0xff, a prefix and its extension,
// the empty key.
std::vector<std::string> key_pool() {
  std::vector<std::string> keys = {std::string(""),
                                   std::string("\x00", 1),
                                   std::string("\x00\xff", 2),
                                   std::string("\xff", 1),
                                   std::string("\xff\xff\x00", 3),
                                   "a",
                                   "ab",
                                   std::string("a\x00b", 3)};
  for (int i = 0; i < 16; ++i) keys.push_back("key" + std::to_string(i));
  return keys;
}

struct Op {
  int kind;  // 0-5 put, 6-7 del, 8 forget_before, 9 flush
  std::size_t key;
  int value_size;  // 0: an empty value
  std::uint32_t pick;
};

// Full-size whatever the test size (integer generators scale with it), so
// small cases also flush, compact and forget.
rc::Gen<Op> gen_op(std::size_t keys) {
  return rc::gen::resize(
      100,
      rc::gen::map(rc::gen::tuple(rc::gen::inRange(0, 10), rc::gen::inRange<std::size_t>(0, keys),
                                  rc::gen::oneOf(rc::gen::just(0), rc::gen::inRange(1, 400)),
                                  rc::gen::arbitrary<std::uint32_t>()),
                   [](const std::tuple<int, std::size_t, int, std::uint32_t>& t) {
                     return Op{std::get<0>(t), std::get<1>(t), std::get<2>(t), std::get<3>(t)};
                   }));
}

// Applies `ops` to `db`; RC_FAIL on an unexpected error.
void apply(DB& db, const std::vector<Op>& ops, const std::vector<std::string>& keys) {
  for (const Op& op : ops) {
    const std::string& key = keys[op.key];
    Status s;
    if (op.kind <= 5) {
      std::string value(static_cast<std::size_t>(op.value_size), 'v');
      if (!value.empty()) value += std::to_string(op.pick);
      s = db.put(key, value).status();
    } else if (op.kind <= 7) {
      s = db.del(key).status();
    } else if (op.kind == 8) {
      s = db.forget_before(db.last_version() == 0 ? 0 : op.pick % (db.last_version() + 1));
    } else {
      s = db.flush();
    }
    if (!s.is_ok()) RC_FAIL("operation failed: " + s.to_string());
  }
}

Options tiny(std::shared_ptr<FileSystem> fs) {
  return sand::test::tiny_compacting_options(std::move(fs), Retention::kAll);
}

void check_round_trip(const DB& source, const std::vector<std::string>& keys,
                      std::size_t chunk_size) {
  Result<std::string> bytes = sand::test::export_to_string(source, {.chunk_size = chunk_size});
  RC_ASSERT(bytes.is_ok());
  const Options import_options = tiny(memory_file_system());
  Result<ArchiveSummary> summary =
      sand::test::import_from_string("/dbs/imported", *bytes, import_options);
  if (!summary.is_ok()) RC_FAIL("import: " + summary.status().to_string());
  RC_ASSERT(summary->last_version == source.last_version());
  RC_ASSERT(summary->bytes == bytes->size());

  Result<std::unique_ptr<DB>> copy = DB::open("/dbs/imported", import_options);
  if (!copy.is_ok()) RC_FAIL("open: " + copy.status().to_string());
  const Stats stats = (*copy)->stats();
  RC_ASSERT(stats.tables[0] == 0u);
  RC_ASSERT(stats.tables[1] == 0u);
  RC_ASSERT((stats.tables[2] > 0) == (summary->entries > 0));
  if (auto diff = first_difference(source, **copy, keys)) RC_FAIL(*diff);

  // The copy takes new writes after the imported history.
  const Version next = source.last_version() + 1;
  Result<Version> put = (*copy)->put("new key", "new value");
  RC_ASSERT(put.is_ok());
  RC_ASSERT(*put == next);
  RC_ASSERT(*(*copy)->get("new key") == std::optional<std::string>("new value"));
}

}  // namespace

TEST_CASE("export then import answers every read like the source", "[archive][property]") {
  rc::prop("random histories over every level", [] {
    const std::vector<std::string> keys = key_pool();
    // Up to 400 operations, full-size even in small cases (inRange scales
    // with the size): enough for flushes and both kinds of compaction.
    const std::size_t count = *rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, 400));
    const auto ops = *rc::gen::container<std::vector<Op>>(count, gen_op(keys.size()));
    const std::size_t chunk_size = *rc::gen::element<std::size_t>(1, 100, 4096, 256 << 10);
    auto db = DB::open("/source", tiny(memory_file_system()));
    RC_ASSERT(db.is_ok());
    apply(**db, ops, keys);
    const Stats shape = (*db)->stats();
    RC_TAG(shape.tables[0] > 0 ? "L0" : "no L0", shape.l1_runs > 0 ? "L1" : "no L1",
           shape.tables[2] > 0 ? "L2" : "no L2", (*db)->low_water_mark() > 0 ? "mark" : "no mark");
    check_round_trip(**db, keys, chunk_size);
  });
}

TEST_CASE("a source with data in L0, L1 runs and L2 round-trips", "[archive]") {
  const std::vector<std::string> keys = key_pool();
  auto fs = memory_file_system();
  // The shape is built step by step, never left to when background work
  // runs: memtables flush only when asked, and level 0 compacts on its own
  // only at the 4th table, which the test then waits for.
  Options options = tiny(fs);
  options.memtable_size = 1 << 20;
  options.l0_trigger = 4;
  options.l1_trigger = 8;
  auto db = must(DB::open("/source", options));
  Version v = 0;
  int round = 0;
  const auto write_round = [&] {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if ((round + i) % 7 == 3) {
        v = must(db->del(keys[i]));
      } else {
        v = must(
            db->put(keys[i], std::string(static_cast<std::size_t>((round * 31 + i) % 200), 'x') +
                                 std::to_string(round)));
      }
    }
    ++round;
  };
  for (int i = 0; i < 12; ++i) write_round();
  must(db->compact());  // level 2
  must(db->forget_before(v - 50));
  for (int flush = 0; flush < options.l0_trigger; ++flush) {
    for (int i = 0; i < 3; ++i) write_round();
    must(db->flush());
  }
  // The 4th level-0 table starts a merge into one level-1 run.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (db->stats().l1_runs == 0 || db->stats().tables[0] > 0) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (int flush = 0; flush < 2; ++flush) {  // two level-0 tables, below the trigger
    for (int i = 0; i < 3; ++i) write_round();
    must(db->flush());
  }
  for (int i = 0; i < 3; ++i) write_round();  // and a memtable
  const Stats stats = db->stats();
  INFO("L0 " << stats.tables[0] << ", L1 runs " << stats.l1_runs << ", L2 " << stats.tables[2]
             << ", memtable " << stats.memtable_bytes);
  REQUIRE(stats.tables[0] == 2);
  REQUIRE(stats.l1_runs == 1);
  REQUIRE(stats.tables[2] > 0);
  REQUIRE(stats.memtable_bytes > 0);

  const std::string bytes = must(sand::test::export_to_string(*db));
  const Options import_options = tiny(fs);
  must(sand::test::import_from_string("/dbs/imported", bytes, import_options));
  auto copy = must(DB::open("/dbs/imported", import_options));
  CHECK(first_difference(*db, *copy, keys) == std::nullopt);
  // The import cut its run into several tables of about target_file_size.
  CHECK(copy->stats().tables[2] > 1);
  // And a second export of the copy is the same archive, byte for byte.
  CHECK(must(sand::test::export_to_string(*copy)) == bytes);
}

TEST_CASE("an empty database round-trips", "[archive]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/source", tiny(fs)));
  const std::string bytes = must(sand::test::export_to_string(*db));
  const ArchiveSummary s = must(sand::test::import_from_string("/dbs/imported", bytes, tiny(fs)));
  CHECK(s.entries == 0);
  CHECK(s.last_version == 0);
  auto copy = must(DB::open("/dbs/imported", tiny(fs)));
  CHECK(copy->last_version() == 0);
  CHECK(must(copy->put("k", "v")) == 1);
}

TEST_CASE("export reads one version while a writer goes on", "[archive]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/source", tiny(fs)));
  for (int i = 0; i < 200; ++i) must(db->put("k" + std::to_string(i % 20), std::to_string(i)));
  const Version before = db->last_version();
  // Progress callbacks run inside the export: write from there, between
  // chunks, as a concurrent writer would.
  std::ostringstream out;
  ExportOptions options{.chunk_size = 64};
  options.progress = [&](const ArchiveProgress&) { db->put("late", "write").status().ignore(); };
  const ArchiveSummary s = must(export_archive(*db, out, options));
  CHECK(s.last_version == before);
  REQUIRE(db->last_version() > before);
  must(sand::test::import_from_string("/dbs/imported", out.str(), tiny(fs)));
  auto copy = must(DB::open("/dbs/imported", tiny(fs)));
  CHECK(copy->last_version() == before);
  CHECK(must(copy->get("late")) == std::nullopt);
  CHECK(must(copy->history("k3")) == must(db->history("k3")));
}

TEST_CASE("export from a read-only handle equals export from the writer", "[archive]") {
  sand::test::TempDir dir;
  const std::string path = dir.path() + "/db";
  Options options = tiny(nullptr);
  auto db = must(DB::open(path, options));
  for (int i = 0; i < 300; ++i) {
    if (i % 5 == 4) {
      must(db->del("k" + std::to_string(i % 30)));
    } else {
      must(db->put("k" + std::to_string(i % 30), std::string(i % 50, 'z')));
    }
  }
  must(db->forget_before(150));
  const std::string from_writer = must(sand::test::export_to_string(*db));
  auto reader = must(DB::open_read_only(path, options));
  CHECK(must(sand::test::export_to_string(*reader)) == from_writer);
}

TEST_CASE("an entry larger than the chunk size makes a chunk of its own", "[archive]") {
  auto fs = memory_file_system();
  auto db = must(DB::open("/source", Options{.file_system = fs}));
  const std::string big(300 << 10, 'b');
  must(db->put("a", "small"));
  must(db->put("big", big));
  must(db->put("c", ""));
  const std::string bytes = must(sand::test::export_to_string(*db, {.chunk_size = 4096}));
  CHECK(bytes.size() > big.size());
  must(sand::test::import_from_string("/dbs/imported", bytes, Options{.file_system = fs}));
  auto copy = must(DB::open("/dbs/imported", Options{.file_system = fs}));
  CHECK(must(copy->get("big")) == std::optional<std::string>(big));
  CHECK(must(copy->get("c")) == std::optional<std::string>(""));
  CHECK(must(copy->get("a")) == std::optional<std::string>("small"));
}
