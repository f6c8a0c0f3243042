// Write stalls on the memtable limits: a frozen memtable waiting for flush
// stalls nobody while the active memtable has room; writes stall (and Stats
// counts it) once the active one is full too and max_frozen_memtables
// already wait, or once the memtables hold Options::memtable_budget while a
// flush is pending; they resume, nothing lost, when the flush lands.
//
// A file system wrapper holds the flush at table creation, so the test knows
// the flush is pending instead of guessing from timing.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"
#include "support/forwarding_file_system.hpp"

using namespace sand;
using sand::test::must;

namespace {

// Table files (*.sst) cannot be created until release(): flushes and
// compactions wait at their first step.
class GatedTableFileSystem final : public test::ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;

  void wait_until_a_table_waits() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return waiting_ > 0; });
  }

  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  Status intercept(const test::FsCall& call, const test::Forward& forward) override {
    if (call.op == test::FsOp::kNewWritableFile && call.path.ends_with(".sst")) {
      std::unique_lock lock(mu_);
      ++waiting_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return released_; });
    }
    return forward();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;
  bool released_ = false;
};

constexpr std::size_t kMemtableSize = 4096;

std::string key_of(int i) { return "key" + std::to_string(1000 + i); }
std::string value_of(int i) { return std::string(200, static_cast<char>('a' + i % 26)); }

// Releases the gate on every way out (before the DB's destructor, which
// waits for the flush), so a failed REQUIRE cannot hang a test.
struct ReleaseOnExit {
  GatedTableFileSystem* fs;
  ~ReleaseOnExit() { fs->release(); }
};

// Writes keys 0, 1, ... until the first memtable freezes and its flush waits
// at the gate (at most `limit` writes); returns how many were written.
int fill_until_frozen(DB& db, GatedTableFileSystem& gated, int limit) {
  int written = 0;
  while (db.stats().immutable_memtables == 0) {
    REQUIRE(written < limit);
    must(db.put(key_of(written), value_of(written)));
    ++written;
  }
  gated.wait_until_a_table_waits();
  return written;
}

// After a held flush was released: the writer stalled at least once, and
// keys 0 .. n-1 all read back.
void check_stalled_and_all_there(const DB& db, int n) {
  const Stats stats = db.stats();
  CHECK(stats.stalls >= 1);
  CHECK(stats.stall_micros > 0);
  for (int i = 0; i < n; ++i) {
    INFO("key " << key_of(i));
    CHECK(must(db.get(key_of(i))) == value_of(i));
  }
}

}  // namespace

TEST_CASE("a memtable waiting for flush stalls writes only once the next one is full too") {
  auto gated = std::make_shared<GatedTableFileSystem>(memory_file_system());
  // A budget of two whole memtables: only the count of frozen ones limits.
  auto db = must(DB::open("/db", Options{.memtable_size = kMemtableSize,
                                         .max_frozen_memtables = 1,
                                         .memtable_budget = 2 * kMemtableSize,
                                         .file_system = gated}));
  const ReleaseOnExit release_on_exit{gated.get()};

  // Fill the first memtable until it freezes; its flush then waits.
  int written = fill_until_frozen(*db, *gated, 100);

  // The new memtable has room: these writes must not wait for the flush.
  // Run on another thread so that a regression fails here instead of hanging.
  const int first_of_second = written;
  auto room = std::async(std::launch::async, [&] {
    for (int i = 0; i < 5; ++i) must(db->put(key_of(written + i), value_of(written + i)));
  });
  const bool finished = room.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  if (!finished) gated->release();  // else the future's destructor waits forever
  REQUIRE(finished);
  room.get();
  written += 5;
  CHECK(db->stats().stalls == 0);

  // Now fill the second memtable too. With one memtable frozen and the
  // budget at one, the write after the one that fills it has to stall.
  std::atomic<int> done{written};
  const int target = written + 40;  // 40 * ~210 bytes > kMemtableSize
  std::thread writer([&] {
    for (int i = done.load(); i < target; ++i) {
      must(db->put(key_of(i), value_of(i)));
      done.store(i + 1);
    }
  });
  // While the flush is held, the writer can never finish: the count stops
  // below the target however long we look.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int before_release = done.load();
  CHECK(before_release < target);
  CHECK(before_release > first_of_second + 5);  // it did fill the second one
  CHECK(db->stats().immutable_memtables == 1);  // the budget held

  gated->release();
  writer.join();
  check_stalled_and_all_there(*db, target);
  must(db->flush());
  CHECK(db->stats().immutable_memtables == 0);
}

TEST_CASE("writes stall at the memtable budget while a flush is pending") {
  auto gated = std::make_shared<GatedTableFileSystem>(memory_file_system());
  constexpr std::size_t kSize = 16 << 10;
  // The default budget: the frozen memtable and a quarter of one more.
  constexpr std::size_t kBudget = kSize + kSize / 4;
  auto db = must(DB::open("/db", Options{.memtable_size = kSize, .file_system = gated}));
  const ReleaseOnExit release_on_exit{gated.get()};

  const int written = fill_until_frozen(*db, *gated, 400);
  CHECK(db->stats().stalls == 0);

  // 40 more writes (~10 KiB) fit in the new memtable but not in the budget:
  // the writer must stop short of them while the flush is held.
  std::atomic<int> done{written};
  const int target = written + 40;
  std::thread writer([&] {
    for (int i = done.load(); i < target; ++i) {
      must(db->put(key_of(i), value_of(i)));
      done.store(i + 1);
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const Stats held = db->stats();
  CHECK(done.load() < target);
  CHECK(done.load() > written);  // a quarter memtable did take writes
  CHECK(held.immutable_memtables == 1);
  CHECK(held.memtable_bytes < kSize);  // not stopped by a full memtable
  // Checked before each write group: at most one write past the budget.
  CHECK(held.memtables_used_bytes >= kBudget);
  CHECK(held.memtables_used_bytes < kBudget + 1024);

  gated->release();
  writer.join();
  check_stalled_and_all_there(*db, target);
}
