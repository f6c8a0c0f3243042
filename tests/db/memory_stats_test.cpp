// Stats' memory fields (memtables_used_bytes, memtables_reserved_bytes,
// table_index_filter_bytes, block_cache_bytes, block_cache_capacity,
// wal_buffer_bytes): each follows what the engine really holds as data moves
// from the memtables to tables, through the block cache, and on a read-only
// handle. No timing: a flush held back is waited for by polling its state.
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "db/filenames.hpp"
#include "memtable/arena.hpp"
#include "support/db_helpers.hpp"
#include "support/forwarding_file_system.hpp"
#include "table/table.hpp"

using namespace sand;
using sand::test::must;

namespace {

constexpr const char* kDir = "/db";
constexpr std::size_t kKeySize = 10;     // "key0000042"
constexpr std::size_t kValueSize = 100;  // compressible: LZ4 blocks go to the cache

std::string key_of(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%07d", i);
  return buf;
}

// kValueSize bytes: 93 'v's, then the key's seven digits.
std::string value_of(int i) { return std::string(kValueSize - 7, 'v') + key_of(i).substr(3); }

// Puts keys [from, from + n), one write each.
void put_range(DB& db, int from, int n) {
  for (int i = from; i < from + n; ++i) must(db.put(key_of(i), value_of(i)));
}

// Large memtables and triggers: nothing flushes or compacts unless asked.
Options quiet_options(std::shared_ptr<FileSystem> fs) {
  return Options{.create_if_missing = true,
                 .block_size = 1024,
                 .block_cache_size = 1 << 20,
                 .l0_trigger = 100,
                 .l0_stop = 200,
                 .file_system = std::move(fs)};
}

// Table::memory_bytes() summed over every table file in the directory,
// each opened afresh the way the DB opens them: what table_index_filter_bytes
// must equal while the view holds exactly those tables.
std::uint64_t table_reader_bytes(FileSystem& fs) {
  std::uint64_t total = 0;
  for (const std::string& name : must(fs.list_dir(kDir))) {
    const auto parsed = parse_file_name(name);
    if (!parsed || parsed->type != FileType::kTable) continue;
    auto file = must(fs.open_readable_file(join_path(kDir, name)));
    auto table = must(table::Table::open(std::move(file), table_file_name(parsed->number),
                                         parsed->number, nullptr));
    total += table->memory_bytes();
  }
  return total;
}

// Holds back the creation of table files (so a frozen memtable stays
// frozen) until release().
class TableGate final : public test::ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;

  void release() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  Status intercept(const test::FsCall& call, const test::Forward& forward) override {
    if (call.op == test::FsOp::kNewWritableFile && call.path.ends_with(".sst")) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return open_; });
    }
    return forward();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Holds back the creation of the `nth` table file (counting from 1) until
// release(); the others pass.
class NthTableGate final : public test::ForwardingFileSystem {
 public:
  NthTableGate(std::shared_ptr<FileSystem> base, int nth)
      : ForwardingFileSystem(std::move(base)), nth_(nth) {}

  void wait_until_held() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return held_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  Status intercept(const test::FsCall& call, const test::Forward& forward) override {
    if (call.op == test::FsOp::kNewWritableFile && call.path.ends_with(".sst")) {
      std::unique_lock lock(mu_);
      if (++created_ == nth_) {
        held_ = true;
        cv_.notify_all();
        cv_.wait(lock, [this] { return open_; });
      }
    }
    return forward();
  }

  const int nth_;
  std::mutex mu_;
  std::condition_variable cv_;
  int created_ = 0;
  bool held_ = false;
  bool open_ = false;
};

}  // namespace

TEST_CASE("memory stats: a running compaction keeps no flushed memtable alive",
          "[db][memory_stats]") {
  // Two flushes start a level-0 compaction; its output (the third table)
  // is held. Meanwhile a memtable that was active when the compaction began
  // is filled and flushed: its arena must be freed at once, not when the
  // compaction ends (the job used to hold a view with the memtables).
  auto gate = std::make_shared<NthTableGate>(memory_file_system(), 3);
  Options options = quiet_options(gate);
  options.l0_trigger = 2;
  auto db = must(DB::open(kDir, options));
  const std::size_t others = Arena::process_bytes_reserved() - db->stats().memtables_reserved_bytes;
  put_range(*db, 0, 500);
  must(db->flush());
  put_range(*db, 500, 500);
  must(db->flush());
  gate->wait_until_held();  // the compaction runs, with the memtable below active
  put_range(*db, 1000, 2000);
  const Stats full = db->stats();
  must(db->flush());
  const Stats after = db->stats();
  CHECK(after.tables[0] == 3);  // the compaction has not finished
  CHECK(after.memtables_reserved_bytes < full.memtables_reserved_bytes);
  // Every arena alive is one the view counts. The flush thread drops its
  // own reference to the flushed memtable just after flush() returns, so
  // this waits for that (10 s at most); the compaction, held by the gate,
  // would keep it forever.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Arena::process_bytes_reserved() - others != after.memtables_reserved_bytes &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  CHECK(Arena::process_bytes_reserved() - others == after.memtables_reserved_bytes);
  gate->release();
  db.reset();
}

TEST_CASE("memory stats: writes fill the active memtable's arena", "[db][memory_stats]") {
  auto fs = memory_file_system();
  auto db = must(DB::open(kDir, quiet_options(fs)));
  constexpr int kN = 2000;
  put_range(*db, 0, kN);
  const Stats st = db->stats();
  CHECK(st.immutable_memtables == 0);
  // Every entry's key and value bytes are copied into the arena.
  CHECK(st.memtables_used_bytes >= kN * (kKeySize + kValueSize));
  CHECK(st.memtables_used_bytes == st.memtable_bytes);  // only the active one
  CHECK(st.memtables_reserved_bytes >= st.memtables_used_bytes);
  // No table yet, so no reader and nothing cached.
  CHECK(st.table_index_filter_bytes == 0);
  CHECK(st.block_cache_bytes == 0);
  CHECK(st.block_cache_capacity == 1 << 20);
}

TEST_CASE("memory stats: a frozen memtable counts until its flush ends", "[db][memory_stats]") {
  auto gate = std::make_shared<TableGate>(memory_file_system());
  auto db = must(DB::open(kDir, quiet_options(gate)));
  constexpr int kN = 1000;
  put_range(*db, 0, kN);
  const Stats before = db->stats();

  // flush() freezes the memtable, then waits for the flush the gate holds.
  std::thread flusher([&] { must(db->flush()); });
  Stats frozen = db->stats();
  while (frozen.immutable_memtables == 0) {
    std::this_thread::yield();
    frozen = db->stats();
  }
  put_range(*db, kN, 10);  // into the new active memtable
  frozen = db->stats();
  CHECK(frozen.immutable_memtables == 1);
  // The frozen memtable's bytes are all still there, beside the active one's.
  CHECK(frozen.memtables_used_bytes == before.memtables_used_bytes + frozen.memtable_bytes);
  CHECK(frozen.memtables_reserved_bytes >= before.memtables_reserved_bytes);
  CHECK(frozen.memtables_reserved_bytes >= frozen.memtables_used_bytes);
  CHECK(frozen.table_index_filter_bytes == 0);

  gate->release();
  flusher.join();
  const Stats flushed = db->stats();
  CHECK(flushed.immutable_memtables == 0);
  CHECK(flushed.memtables_used_bytes == flushed.memtable_bytes);
  CHECK(flushed.memtables_used_bytes < before.memtables_used_bytes);
  CHECK(flushed.memtables_reserved_bytes < frozen.memtables_reserved_bytes);
  CHECK(flushed.table_index_filter_bytes > 0);
}

TEST_CASE("memory stats: each table's reader adds its index bytes", "[db][memory_stats]") {
  auto fs = memory_file_system();
  auto db = must(DB::open(kDir, quiet_options(fs)));
  put_range(*db, 0, 1000);
  const Stats in_memtable = db->stats();
  must(db->flush());
  const Stats one = db->stats();
  CHECK(one.tables[0] == 1);
  CHECK(one.memtables_used_bytes < in_memtable.memtables_used_bytes);
  CHECK(one.table_index_filter_bytes > 0);
  CHECK(one.table_index_filter_bytes == table_reader_bytes(*fs));

  put_range(*db, 1000, 1000);
  must(db->flush());
  const Stats two = db->stats();
  CHECK(two.tables[0] == 2);
  CHECK(two.table_index_filter_bytes > one.table_index_filter_bytes);
  CHECK(two.table_index_filter_bytes == table_reader_bytes(*fs));

  // A compaction replaces both readers with its outputs'.
  must(db->compact());
  const Stats compacted = db->stats();
  CHECK(compacted.tables[0] == 0);
  CHECK(compacted.tables[2] >= 1);
  CHECK(compacted.table_index_filter_bytes == table_reader_bytes(*fs));
}

TEST_CASE("memory stats: reads of flushed compressed blocks charge the block cache",
          "[db][memory_stats]") {
  auto fs = memory_file_system();
  Options options = quiet_options(fs);
  options.block_cache_size = 64 << 10;  // smaller than the table's data blocks
  auto db = must(DB::open(kDir, options));
  constexpr int kN = 3000;
  put_range(*db, 0, kN);
  must(db->flush());
  CHECK(db->stats().block_cache_bytes == 0);  // flushing reads no data block

  for (int i = 0; i < 10; ++i) CHECK(must(db->get(key_of(i))) == value_of(i));
  const Stats some = db->stats();
  CHECK(some.block_cache_bytes > 0);
  CHECK(some.block_cache_capacity == 64 << 10);

  for (int i = 0; i < kN; ++i) CHECK(must(db->get(key_of(i))) == value_of(i));
  const Stats all = db->stats();
  CHECK(all.block_cache_bytes > 0);
  CHECK(all.block_cache_bytes <= all.block_cache_capacity);
  // The blocks read decompress to far more than the cache holds: it filled
  // up (to within a few 1 KiB blocks) and evicted.
  CHECK(all.block_cache_bytes > all.block_cache_capacity / 2);
}

TEST_CASE("memory stats: a compaction reads its inputs past the block cache",
          "[db][memory_stats]") {
  auto fs = memory_file_system();
  Options options = quiet_options(fs);
  options.block_cache_size = 1 << 20;
  auto db = must(DB::open(kDir, options));
  constexpr int kN = 3000;
  put_range(*db, 0, kN);
  must(db->flush());
  put_range(*db, 0, kN);  // the same keys again: a second table to merge
  must(db->flush());
  REQUIRE(db->stats().tables[0] == 2);
  must(db->compact());
  const Stats after = db->stats();
  CHECK(after.tables[0] == 0);
  CHECK(after.compactions >= 1);
  // Two tables of compressed blocks were read, and none was kept.
  CHECK(after.block_cache_bytes == 0);
  for (int i = 0; i < kN; i += 100) CHECK(must(db->get(key_of(i))) == value_of(i));
  CHECK(db->stats().block_cache_bytes > 0);  // reads still fill it
}

TEST_CASE("memory stats: wal_buffer_bytes follows the write path's buffers", "[db][memory_stats]") {
  auto fs = memory_file_system();
  Options options = quiet_options(fs);
  // Uncompressed: the WAL records carry the values as written.
  options.compression = Compression::kNone;
  auto db = must(DB::open(kDir, options));
  // Before any write: the WAL writer's buffer that held the file header
  // (28 bytes, too long for the string object itself).
  const std::uint64_t fresh = db->stats().wal_buffer_bytes;
  CHECK(fresh > 28);
  CHECK(fresh < 128);

  // A write: the WAL writer frames it in its buffer, and the group keeps a
  // copy of the batch; both are kept for the next group.
  constexpr std::size_t kBig = 100 << 10;
  must(db->put("big", std::string(kBig, 'x')));
  const std::uint64_t one = db->stats().wal_buffer_bytes;
  CHECK(one >= 2 * kBig);
  // A second write of the same size reuses both buffers as they are.
  must(db->put("big", std::string(kBig, 'y')));
  CHECK(db->stats().wal_buffer_bytes == one);

  // A write over 1 MiB: the WAL writer lets its buffer go afterwards; the
  // group's batch copy keeps its capacity (and keeps it for later, smaller
  // writes: it is reused, never shrunk).
  constexpr std::size_t kHuge = 2 << 20;
  must(db->put("huge", std::string(kHuge, 'z')));
  const std::uint64_t huge = db->stats().wal_buffer_bytes;
  CHECK(huge >= kHuge);
  CHECK(huge < kHuge + kBig);
  must(db->put("small", "v"));
  const std::uint64_t after = db->stats().wal_buffer_bytes;
  CHECK(after >= kHuge);
  CHECK(after < huge + 1024);

  // A read-only handle has no write path.
  auto reader = must(DB::open_read_only(kDir, options));
  CHECK(reader->stats().wal_buffer_bytes == 0);
}

TEST_CASE("memory stats: a read-only handle counts its own memtables, readers and cache",
          "[db][memory_stats]") {
  auto fs = memory_file_system();
  auto writer = must(DB::open(kDir, quiet_options(fs)));
  constexpr int kFlushed = 2000;
  constexpr int kInWal = 500;
  put_range(*writer, 0, kFlushed);
  must(writer->flush());
  put_range(*writer, kFlushed, kInWal);

  auto reader = must(DB::open_read_only(kDir, quiet_options(fs)));
  const Stats st = reader->stats();
  // The writes still in the WAL are replayed into the reader's memtable.
  CHECK(st.memtables_used_bytes >= kInWal * (kKeySize + kValueSize));
  CHECK(st.memtables_reserved_bytes >= st.memtables_used_bytes);
  // The same tables, opened the same way: the same reader bytes.
  CHECK(st.table_index_filter_bytes > 0);
  CHECK(st.table_index_filter_bytes == writer->stats().table_index_filter_bytes);
  CHECK(st.table_index_filter_bytes == table_reader_bytes(*fs));
  CHECK(st.wal_buffer_bytes == 0);
  CHECK(st.block_cache_bytes == 0);
  CHECK(st.block_cache_capacity == 1 << 20);

  // Its own cache: the writer's reads do not charge it, its reads do.
  for (int i = 0; i < 100; ++i) CHECK(must(writer->get(key_of(i))) == value_of(i));
  CHECK(reader->stats().block_cache_bytes == 0);
  for (int i = 0; i < 100; ++i) CHECK(must(reader->get(key_of(i))) == value_of(i));
  const Stats read = reader->stats();
  CHECK(read.block_cache_bytes > 0);
  CHECK(read.block_cache_bytes <= read.block_cache_capacity);
}
