// A reader process following a live writer: the parent creates a database,
// forks a writer process that appends ticks, and follows it read-only with
// DB::open_read_only + refresh(), printing each new version it sees, until
// the writer is done. Nothing is shared between the two processes but files.
//
//   follower [DIR] [TICKS]      (default: ./follower-db, 50 ticks)
#include <sand/sand.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;

// The writer process: one put every 10 ms, then a clean close.
int write_ticks(const std::string& dir, int ticks) {
  auto db = sand::DB::open(dir);
  if (!db.is_ok()) return 1;
  for (int i = 0; i < ticks; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "tick:%04d", i);
    if (!(*db)->put(key, "at " + std::to_string(i * 10) + " ms").is_ok()) return 1;
    std::this_thread::sleep_for(10ms);
  }
  return (*db)->close().is_ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "follower-db";
  const int ticks = argc > 2 ? std::atoi(argv[2]) : 50;

  // Create the database first, so the follower has something to open.
  {
    auto db = sand::DB::open(dir);
    if (!db.is_ok() || !(*db)->close().is_ok()) return 1;
  }
  const pid_t writer = fork();
  if (writer < 0) return 1;
  if (writer == 0) _exit(write_ticks(dir, ticks));

  auto follower = sand::DB::open_read_only(dir);
  if (!follower.is_ok()) {
    std::fprintf(stderr, "follower: %s\n", follower.status().to_string().c_str());
    return 1;
  }
  sand::DB& db = **follower;
  const sand::Version start = db.last_version();
  sand::Version seen = start;
  int writer_status = 0;
  for (bool writer_done = false;;) {
    // Checked before the refresh: a refresh after the writer exited sees all.
    if (!writer_done) writer_done = waitpid(writer, &writer_status, WNOHANG) == writer;
    const sand::Status refreshed = db.refresh();
    // Busy only means the writer retired files mid-refresh: try again.
    if (!refreshed.is_ok() && refreshed.code() != sand::Code::kBusy) {
      std::fprintf(stderr, "follower: refresh: %s\n", refreshed.to_string().c_str());
      return 1;
    }
    if (db.last_version() != seen) {
      seen = db.last_version();
      std::printf("follower: caught up to version %llu\n", static_cast<unsigned long long>(seen));
    }
    if (writer_done && refreshed.is_ok()) break;
    std::this_thread::sleep_for(25ms);
  }
  if (!WIFEXITED(writer_status) || WEXITSTATUS(writer_status) != 0) {
    std::fprintf(stderr, "follower: the writer failed\n");
    return 1;
  }
  auto it = db.scan({.from = "tick:", .to = "tick;"});
  int count = 0;
  for (; it.is_ok() && it->valid(); it->next()) ++count;
  std::printf("follower: %d ticks, last version %llu\n", count,
              static_cast<unsigned long long>(seen));
  return count == ticks && seen == start + ticks ? 0 : 1;
}
