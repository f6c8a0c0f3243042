// WriteQueue (src/db/write_queue.hpp), driven directly: who leads, what
// take_group returns (queue order, byte bound), what finish hands to the
// followers, who leads next, and a many-thread run checking that every
// writer completes once, in exactly one group, in FIFO order.
//
// Catch2 v2 assertions are not thread-safe: threads only record, the test
// thread asserts. A watchdog aborts the binary if a writer never returns
// from join(), so a broken queue fails fast instead of hanging until the
// ctest time limit.
#include "db/write_queue.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sand {
namespace {

using Writer = WriteQueue::Writer;
using namespace std::chrono_literals;

constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

// Aborts the process if not destroyed within `limit`.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit)
      : thread_([this, limit] {
          std::unique_lock lock(mu_);
          if (!cv_.wait_for(lock, limit, [this] { return stop_; })) {
            std::fprintf(stderr, "write_queue_test: a writer is stuck in WriteQueue::join\n");
            std::abort();
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

WriteBatch batch_of(std::size_t value_bytes) {
  WriteBatch b;
  b.put("k", std::string(value_bytes, 'v'));
  return b;
}

// A writer on its own thread: joins `q`; if it comes to lead, runs `lead`
// with its Writer on that thread (it must take_group and finish).
class Member {
 public:
  Member(WriteQueue& q, std::size_t value_bytes, std::function<void(Writer*)> lead = {})
      : batch_(batch_of(value_bytes)), joined_(join_result_.get_future()) {
    w_.batch = &batch_;
    thread_ = std::thread([this, &q, lead = std::move(lead)] {
      const bool led = q.join(&w_);
      join_result_.set_value(led);
      if (led && lead) lead(&w_);
    });
  }
  ~Member() {
    if (thread_.joinable()) thread_.join();
  }
  Member(const Member&) = delete;
  Member& operator=(const Member&) = delete;

  Writer* writer() { return &w_; }
  std::size_t bytes() const { return batch_.byte_size(); }
  // Whether join() returned within `limit`.
  bool returned_within(std::chrono::milliseconds limit) {
    return joined_.wait_for(limit) == std::future_status::ready;
  }
  // What join() returned (true: it led). REQUIRES: it returned.
  bool led() { return joined_.get(); }
  // Waits for the thread, lead() included; then writer() may be read.
  void wait() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  WriteBatch batch_;
  Writer w_;
  std::promise<bool> join_result_;
  std::shared_future<bool> joined_;
  std::thread thread_;
};

// REQUIRES: the caller leads. Waits until `n` writers (the leader included)
// are queued, observed through take_group, which only reads the queue.
void wait_queued(WriteQueue& q, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (q.take_group(kNoLimit).size() < n) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(q.take_group(kNoLimit).size() == n);
}

TEST_CASE("write queue: a writer alone leads at once, in a group of itself", "[write_queue]") {
  Watchdog watchdog(60s);
  WriteQueue q;
  WriteBatch big = batch_of(1000);
  for (int round = 0; round < 3; ++round) {  // the queue is idle again after finish
    Writer w{.batch = &big};
    REQUIRE(q.join(&w));
    CHECK(q.take_group(kNoLimit) == std::vector<Writer*>{&w});
    CHECK(q.take_group(0) == std::vector<Writer*>{&w});  // the leader always goes
    CHECK(q.take_group(big.byte_size() - 1) == std::vector<Writer*>{&w});
    const std::vector<Writer*> group = q.take_group(kNoLimit);
    w.version = 7 + static_cast<Version>(round);
    q.finish(group);
    CHECK(w.version == 7 + static_cast<Version>(round));  // finish leaves what the leader set
    CHECK(w.status.is_ok());
  }
}

TEST_CASE("write queue: take_group returns the leader then the queued writers in order",
          "[write_queue]") {
  Watchdog watchdog(60s);
  WriteQueue q;
  WriteBatch lb = batch_of(10);
  Writer leader{.batch = &lb};
  REQUIRE(q.join(&leader));
  std::vector<std::unique_ptr<Member>> members;
  std::vector<Writer*> want = {&leader};
  for (std::size_t i = 0; i < 5; ++i) {
    members.push_back(std::make_unique<Member>(q, 10 + i));
    wait_queued(q, i + 2);  // one at a time, so the queue order is known
    want.push_back(members.back()->writer());
  }
  const std::vector<Writer*> group = q.take_group(kNoLimit);
  CHECK(group == want);
  CHECK(q.take_group(kNoLimit) == want);  // take_group removes nothing
  for (std::size_t i = 0; i < group.size(); ++i) group[i]->version = 100 + i;
  q.finish(group);
  for (auto& m : members) {
    REQUIRE(m->returned_within(10s));
    CHECK_FALSE(m->led());
  }
}

TEST_CASE("write queue: take_group stops growing at the byte bound", "[write_queue]") {
  Watchdog watchdog(60s);
  WriteQueue q;
  WriteBatch lb = batch_of(10);
  Writer leader{.batch = &lb};
  REQUIRE(q.join(&leader));
  // Queue: leader (small), f1 (medium), f2 (large), f3 (small).
  Member f1(q, 100);
  wait_queued(q, 2);
  Member f2(q, 1000);
  wait_queued(q, 3);
  Member f3(q, 10);
  wait_queued(q, 4);
  const std::size_t l = lb.byte_size(), s1 = f1.bytes(), s2 = f2.bytes(), s3 = f3.bytes();
  REQUIRE(s3 < s2);
  Writer* const w1 = f1.writer();
  Writer* const w2 = f2.writer();
  Writer* const w3 = f3.writer();
  using G = std::vector<Writer*>;

  CHECK(q.take_group(0) == G{&leader});  // the leader's batch always goes
  CHECK(q.take_group(l - 1) == G{&leader});
  CHECK(q.take_group(l) == G{&leader});
  CHECK(q.take_group(l + s1 - 1) == G{&leader});
  CHECK(q.take_group(l + s1) == G{&leader, w1});  // "at most": the bound itself fits
  // f2 does not fit; f3 would, but the group is a prefix of the queue.
  CHECK(q.take_group(l + s1 + s2 - 1) == G{&leader, w1});
  CHECK(q.take_group(l + s1 + s3) == G{&leader, w1});
  CHECK(q.take_group(l + s1 + s2) == G{&leader, w1, w2});
  CHECK(q.take_group(l + s1 + s2 + s3 - 1) == G{&leader, w1, w2});
  CHECK(q.take_group(l + s1 + s2 + s3) == G{&leader, w1, w2, w3});
  CHECK(q.take_group(kNoLimit) == G{&leader, w1, w2, w3});

  q.finish(q.take_group(kNoLimit));
  for (Member* m : {&f1, &f2, &f3}) REQUIRE(m->returned_within(10s));
}

TEST_CASE("write queue: a leader whose batch alone passes the bound goes alone", "[write_queue]") {
  Watchdog watchdog(60s);
  WriteQueue q;
  WriteBatch lb = batch_of(5000);
  Writer leader{.batch = &lb};
  REQUIRE(q.join(&leader));
  Member f1(q, 1);
  wait_queued(q, 2);
  CHECK(q.take_group(100) == std::vector<Writer*>{&leader});
  CHECK(q.take_group(lb.byte_size() + f1.bytes() - 1) == std::vector<Writer*>{&leader});
  q.finish(q.take_group(kNoLimit));
  REQUIRE(f1.returned_within(10s));
  CHECK_FALSE(f1.led());
}

TEST_CASE("write queue: finish wakes the followers with the status and version set by the leader",
          "[write_queue]") {
  Watchdog watchdog(60s);
  WriteQueue q;
  WriteBatch lb = batch_of(10);
  Writer leader{.batch = &lb};
  REQUIRE(q.join(&leader));
  Member f1(q, 10), f2(q, 10), f3(q, 10);
  wait_queued(q, 4);
  CHECK_FALSE(f1.returned_within(20ms));  // followers wait for the leader
  const std::vector<Writer*> group = q.take_group(kNoLimit);
  REQUIRE(group.size() == 4);
  const Status disk_full = Status::io_error("000005.wal: No space left on device");
  for (std::size_t i = 0; i < group.size(); ++i) {
    group[i]->version = 41 + i;
    if (i == 2) group[i]->status = disk_full;  // one failed member
  }
  std::map<Writer*, std::pair<Version, Status>> want;
  for (Writer* w : group) want[w] = {w->version, w->status};
  q.finish(group);

  for (Member* m : {&f1, &f2, &f3}) {
    REQUIRE(m->returned_within(10s));
    CHECK_FALSE(m->led());  // completed by the leader, not leading
    m->wait();
    CHECK(m->writer()->version == want[m->writer()].first);
    CHECK(m->writer()->status == want[m->writer()].second);
  }
  CHECK(group[2]->status == disk_full);

  // The queue is empty again: the next writer leads at once.
  Writer next{.batch = &lb};
  REQUIRE(q.join(&next));
  q.finish(q.take_group(kNoLimit));
}

TEST_CASE("write queue: after finish the next waiting writer leads", "[write_queue]") {
  Watchdog watchdog(60s);
  WriteQueue q;
  WriteBatch lb = batch_of(10);
  Writer leader{.batch = &lb};
  REQUIRE(q.join(&leader));

  // f1 leads only when main lets it, with the byte bound main picks.
  std::promise<std::size_t> release_f1;
  std::shared_future<std::size_t> f1_bound = release_f1.get_future().share();
  std::vector<Writer*> f1_group, f2_group;
  Member f1(q, 10, [&](Writer* self) {
    f1_group = q.take_group(f1_bound.get());
    for (Writer* w : f1_group) w->version = (w == self) ? 2 : 3;
    q.finish(f1_group);
  });
  wait_queued(q, 2);
  Member f2(q, 10, [&](Writer* self) {
    f2_group = q.take_group(kNoLimit);
    self->version = 3;
    q.finish(f2_group);
  });
  wait_queued(q, 3);

  q.finish(q.take_group(lb.byte_size()));  // completes the leader only
  REQUIRE(f1.returned_within(10s));
  CHECK(f1.led());  // f1 is at the front now
  // While f1 leads, f2 is neither done nor at the front.
  CHECK_FALSE(f2.returned_within(50ms));

  SECTION("the new leader takes the writers behind it") {
    release_f1.set_value(kNoLimit);
    REQUIRE(f2.returned_within(10s));
    CHECK_FALSE(f2.led());
    f1.wait();
    f2.wait();
    CHECK(f1_group == std::vector<Writer*>{f1.writer(), f2.writer()});
    CHECK(f2.writer()->version == 3);
    CHECK(f2_group.empty());
  }
  SECTION("a new leader that takes only itself hands over to the next") {
    release_f1.set_value(0);
    REQUIRE(f2.returned_within(10s));
    CHECK(f2.led());
    f1.wait();
    f2.wait();
    CHECK(f1_group == std::vector<Writer*>{f1.writer()});
    CHECK(f2_group == std::vector<Writer*>{f2.writer()});
    CHECK(f1.writer()->version == 2);
    CHECK(f2.writer()->version == 3);
  }
}

TEST_CASE("write queue: many threads each complete once, in one group, in FIFO order",
          "[write_queue][stress]") {
  constexpr int kThreads = 8;
  constexpr int kJoins = 1000;
  constexpr std::size_t kMaxBytes = 400;
  Watchdog watchdog(300s);
  WriteQueue q;

  // Batches of different sizes per thread, so the bound cuts some groups.
  std::vector<WriteBatch> batches;
  for (int t = 0; t < kThreads; ++t) batches.push_back(batch_of(20 + 40 * t));
  auto thread_of = [&](const Writer* w) { return static_cast<int>(w->batch - batches.data()); };

  // Written only by the current leader: mu_ inside the queue orders one
  // leader's writes before the next leader's reads.
  struct Slot {
    int thread, seq;
  };
  std::vector<std::vector<Slot>> groups;
  Version last_version = 0;
  std::array<int, kThreads> seq_of{};  // seq of each thread's queued writer

  // Per thread: the version each join completed with, and the global ticks
  // just before join() and just after it returned.
  struct Join {
    Version version = 0;
    std::uint64_t start = 0, end = 0;
    bool led = false;
  };
  std::vector<std::vector<Join>> joins(kThreads, std::vector<Join>(kJoins));
  std::atomic<std::uint64_t> clock{0};
  std::atomic<int> errors{0};
  std::mutex error_mu;
  std::string first_error;
  auto fail = [&](std::string what) {
    if (errors++ == 0) {
      std::lock_guard lock(error_mu);
      first_error = std::move(what);
    }
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kJoins; ++i) {
        Writer w{.batch = &batches[t]};
        seq_of[t] = i;
        Join& j = joins[t][i];
        j.start = clock.fetch_add(1);
        j.led = q.join(&w);
        if (j.led) {
          const std::vector<Writer*> group = q.take_group(kMaxBytes);
          if (group.empty() || group[0] != &w) fail("the leader is not first in its group");
          std::size_t bytes = 0;
          std::vector<Slot> members;
          for (Writer* m : group) {
            bytes += m->batch->byte_size();
            if (m != &w && m->version != 0) fail("a queued follower already has a version");
            members.push_back({thread_of(m), seq_of[thread_of(m)]});
            m->version = ++last_version;
            m->status = Status::ok();
          }
          if (group.size() > 1 && bytes > kMaxBytes) fail("a group passes the byte bound");
          groups.push_back(std::move(members));
          if (i % 2 == 0) std::this_thread::yield();  // let followers pile up
          q.finish(group);
        } else if (w.version == 0) {
          fail("a follower returned without a version");
        }
        j.end = clock.fetch_add(1);
        j.version = w.version;
      }
    });
  }
  for (auto& t : threads) t.join();
  INFO(first_error);
  REQUIRE(errors.load() == 0);

  // Every writer is in exactly one group, and the versions were handed out
  // in group order: the n-th writer of the concatenated groups got version n.
  std::vector<Slot> order;
  std::size_t largest_group = 0, leads = 0;
  for (const auto& g : groups) {
    order.insert(order.end(), g.begin(), g.end());
    largest_group = std::max(largest_group, g.size());
  }
  for (const auto& per_thread : joins) {
    for (const Join& j : per_thread) leads += j.led ? 1 : 0;
  }
  INFO("groups " << groups.size() << ", largest " << largest_group);
  REQUIRE(order.size() == std::size_t{kThreads} * kJoins);
  CHECK(leads == groups.size());  // one leader per group
  std::vector<std::vector<int>> completions(kThreads, std::vector<int>(kJoins, 0));
  for (std::size_t n = 0; n < order.size(); ++n) {
    const auto [t, seq] = order[n];
    REQUIRE(t >= 0);
    REQUIRE(t < kThreads);
    ++completions[t][seq];
    // What the writer saw is what its group's leader set.
    REQUIRE(joins[t][seq].version == n + 1);
  }
  for (const auto& per_thread : completions) {
    CHECK(std::all_of(per_thread.begin(), per_thread.end(), [](int c) { return c == 1; }));
  }

  // FIFO: a writer that joined after another had returned got a later
  // version (across threads as well as within one).
  std::vector<Join> all;
  for (const auto& per_thread : joins) all.insert(all.end(), per_thread.begin(), per_thread.end());
  std::vector<Join> by_end = all;
  std::sort(all.begin(), all.end(), [](const Join& a, const Join& b) { return a.start < b.start; });
  std::sort(by_end.begin(), by_end.end(),
            [](const Join& a, const Join& b) { return a.end < b.end; });
  Version newest_returned = 0;
  std::size_t k = 0;
  for (const Join& j : all) {
    while (k < by_end.size() && by_end[k].end < j.start) {
      newest_returned = std::max(newest_returned, by_end[k].version);
      ++k;
    }
    REQUIRE(j.version > newest_returned);
  }
}

}  // namespace

namespace {

// Completes one group of a leader (on this thread) and one writer on
// another thread, both writing `b`: afterwards both are due back
// (WriteQueue::await_company).
void complete_pair(WriteQueue& q, const WriteBatch& b) {
  Writer leader{.batch = &b};
  REQUIRE(q.join(&leader));
  Member other(q, 10);
  wait_queued(q, 2);
  q.finish(q.take_group(kNoLimit));
  REQUIRE(other.returned_within(10s));
  CHECK_FALSE(other.led());
}

}  // namespace

TEST_CASE("write queue: await_company returns at once when no writer of a past group is due",
          "[write_queue]") {
  Watchdog watchdog(60s);  // a wait for nobody would last the hour: the watchdog fails it
  WriteQueue q;
  WriteBatch b = batch_of(10);
  for (int round = 0; round < 3; ++round) {  // a lone writer comes back itself
    Writer w{.batch = &b};
    REQUIRE(q.join(&w));
    q.await_company(1h);
    q.finish(q.take_group(kNoLimit));
  }
}

TEST_CASE("write queue: await_company waits for a writer of the last group to queue again",
          "[write_queue]") {
  Watchdog watchdog(60s);
  WriteQueue q;
  WriteBatch b = batch_of(10);
  complete_pair(q, b);
  Writer again{.batch = &b};
  REQUIRE(q.join(&again));  // the leader's writer comes back first and leads
  auto awaited = std::async(std::launch::async, [&] { q.await_company(1h); });
  CHECK(awaited.wait_for(50ms) == std::future_status::timeout);  // the other is still due
  Member second(q, 10);                                          // the other comes back
  REQUIRE(awaited.wait_for(10s) == std::future_status::ready);
  wait_queued(q, 2);
  CHECK(q.take_group(kNoLimit) == std::vector<Writer*>{&again, second.writer()});
  q.finish(q.take_group(kNoLimit));
  REQUIRE(second.returned_within(10s));
}

TEST_CASE("write queue: a writer that does not come back is waited for once, up to the limit",
          "[write_queue]") {
  Watchdog watchdog(60s);
  WriteQueue q;
  WriteBatch b = batch_of(10);
  complete_pair(q, b);  // the other writer writes once, then never again
  Writer again{.batch = &b};
  REQUIRE(q.join(&again));
  q.await_company(20ms);  // times out: the other writer went on to other work
  q.finish(q.take_group(kNoLimit));
  Writer third{.batch = &b};
  REQUIRE(q.join(&third));
  q.await_company(1h);  // not waited for again (else the watchdog fails the test)
  CHECK(q.take_group(kNoLimit) == std::vector<Writer*>{&third});
  q.finish(q.take_group(kNoLimit));
}

}  // namespace sand
