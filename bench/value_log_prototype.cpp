// sand_value_log_prototype: a throwaway prototype for doc/design.md's
// value-separation decision (where large values, 1-16 KiB, live). It measures
// only the WRITE PATH of one writer thread doing N single-put batches (16-byte
// key, S-byte random value), for three designs:
//
//   A  "WAL is the value log" (BadgerDB style): one framed record per put
//      (key + value) appended to one file; XXH3 of the value computed for the
//      reference the index would keep; the index gets a 32-byte reference.
//   B  "separate value files" (RocksDB Blob Direct Write style): the value,
//      framed with its own crc, is appended to a value file, then a small WAL
//      record (key + 24-byte reference) to a second file; same XXH3 and index.
//   C  "today" (baseline): the record as in A plus a copy of key + value into
//      a memtable-like arena of 4 MiB chunks; no XXH3.
//
// With --sync every --sync_every-th put ends with fdatasync (B syncs the value
// file first and then the WAL: a reference must never survive a power loss
// that its value did not). Keys and values are generated before the clock
// starts; the timed loop is framing, checksums, copies, pwrite and fdatasync.
// Nothing is ever read back: this is not a store, only its writer's cost.
//
// Usage: sand_value_log_prototype [--value_size 4096] [--num 200000] [--sync]
//          [--sync_every 1] [--dir /tmp/vlog-proto] [--repeats 3]
#include <fcntl.h>
#include <nmmintrin.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "sand_value_log_prototype: %s\n", what.c_str());
  std::exit(1);
}

[[noreturn]] void die_io(const char* op, const std::string& path) {
  die(std::string(op) + " " + path + ": " + std::strerror(errno));
}

// The hardware CRC32C. Compiled for SSE4.2 on this function only, so the
// binary still starts (and main() refuses cleanly) on a CPU without it.
__attribute__((target("sse4.2"))) std::uint32_t crc32c(const char* p, std::size_t n,
                                                       std::uint32_t seed = 0) {
  std::uint64_t c = ~seed;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    c = _mm_crc32_u64(c, w);
  }
  auto c32 = static_cast<std::uint32_t>(c);
  for (; n > 0; ++p, --n) c32 = _mm_crc32_u8(c32, static_cast<unsigned char>(*p));
  return ~c32;
}

// Stored crcs are masked (rotate + constant) like the real WAL's, so the cost
// matches; the constant is arbitrary here.
std::uint32_t masked(std::uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

void put_fixed32(char* p, std::uint32_t v) { std::memcpy(p, &v, 4); }
void put_fixed64(char* p, std::uint64_t v) { std::memcpy(p, &v, 8); }

char* put_varint(char* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

constexpr std::size_t kKeySize = 16;
constexpr std::size_t kHeaderSize = 12;
// file number, offset, length, xxh3 of the value.
constexpr std::size_t kRefSize = 4 + 8 + 4 + 8;
constexpr std::size_t kArenaChunk = std::size_t{4} << 20;

// Frames `payload` (already at buf + kHeaderSize) the way the real WAL does:
// header crc over (log id, length, payload crc), length, payload crc. Two
// crcs per record, so the prototype pays what a checked record really costs.
std::size_t frame(char* buf, std::size_t payload_len, std::uint64_t log_id) {
  const std::uint32_t pcrc = masked(crc32c(buf + kHeaderSize, payload_len));
  char covered[16];
  put_fixed64(covered, log_id);
  put_fixed32(covered + 8, static_cast<std::uint32_t>(payload_len));
  put_fixed32(covered + 12, pcrc);
  put_fixed32(buf, masked(crc32c(covered, sizeof covered)));
  std::memcpy(buf + 4, covered + 8, 8);
  return kHeaderSize + payload_len;
}

// What the memtable/index would hold per put in every design (in C it would
// point into the arena instead of a file).
struct IndexRef {
  std::uint64_t key_prefix;
  std::uint64_t offset;
  std::uint64_t checksum;
  std::uint32_t length;
  std::uint32_t file;
};
static_assert(sizeof(IndexRef) == 32);

// An append-only file written with pwrite at its tracked end.
class AppendFile {
 public:
  explicit AppendFile(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) die_io("open", path_);
  }
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;
  ~AppendFile() {
    if (fd_ >= 0 && ::close(fd_) != 0) die_io("close", path_);
  }

  // Returns the offset the bytes were written at.
  std::uint64_t append(const char* p, std::size_t n) {
    const std::uint64_t at = end_;
    while (n > 0) {
      const ssize_t w = ::pwrite(fd_, p, n, static_cast<off_t>(end_));
      if (w < 0) {
        if (errno == EINTR) continue;
        die_io("pwrite", path_);
      }
      if (w == 0) {
        errno = EIO;
        die_io("pwrite (wrote 0 bytes)", path_);
      }
      p += w;
      n -= static_cast<std::size_t>(w);
      end_ += static_cast<std::uint64_t>(w);
    }
    return at;
  }

  void sync() {
    if (::fdatasync(fd_) != 0) die_io("fdatasync", path_);
  }

  std::uint64_t size_on_disk() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) die_io("fstat", path_);
    return static_cast<std::uint64_t>(st.st_size);
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t end_ = 0;
};

struct Workload {
  std::size_t value_size;
  std::size_t num;
  bool sync;
  std::size_t sync_every;
  std::size_t memtable_bytes;
  std::vector<char> keys;    // num * kKeySize
  std::vector<char> values;  // pool * value_size, cycled
  std::size_t pool;

  const char* key(std::size_t i) const { return keys.data() + i * kKeySize; }
  const char* value(std::size_t i) const { return values.data() + (i % pool) * value_size; }
  bool sync_after(std::size_t i) const { return sync && (i + 1) % sync_every == 0; }
};

std::uint64_t splitmix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void fill_random(std::vector<char>& v, std::uint64_t seed) {
  for (std::size_t i = 0; i < v.size(); i += 8) {
    const std::uint64_t r = splitmix(seed);
    std::memcpy(v.data() + i, &r, std::min<std::size_t>(8, v.size() - i));
  }
}

struct RunResult {
  double seconds;
  std::uint64_t bytes;  // sum of the files' sizes
};

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Reused record buffers: a real writer frames into a reused buffer too, so
// the value is copied exactly once per put in every design.
RunResult run_a(const Workload& w, const std::string& dir) {
  AppendFile wal(dir + "/a-000001.wal");
  std::vector<IndexRef> index;
  index.reserve(w.num);
  std::vector<char> buf(kHeaderSize + 2 * 10 + kKeySize + w.value_size);
  const auto t0 = Clock::now();
  for (std::size_t i = 0; i < w.num; ++i) {
    const char* k = w.key(i);
    const char* v = w.value(i);
    char* p = put_varint(buf.data() + kHeaderSize, kKeySize);
    std::memcpy(p, k, kKeySize);
    p = put_varint(p + kKeySize, w.value_size);
    const auto value_at = static_cast<std::size_t>(p - buf.data());
    std::memcpy(p, v, w.value_size);
    p += w.value_size;
    const std::size_t n =
        frame(buf.data(), static_cast<std::size_t>(p - buf.data()) - kHeaderSize, 1);
    const std::uint64_t hash = XXH3_64bits(v, w.value_size);
    const std::uint64_t at = wal.append(buf.data(), n);
    if (w.sync_after(i)) wal.sync();
    std::uint64_t prefix;
    std::memcpy(&prefix, k, 8);
    index.push_back({prefix, at + value_at, hash, static_cast<std::uint32_t>(w.value_size), 1});
  }
  const double s = since(t0);
  return {s, wal.size_on_disk()};
}

RunResult run_b(const Workload& w, const std::string& dir) {
  AppendFile vfile(dir + "/b-000002.blob");
  AppendFile wal(dir + "/b-000001.wal");
  std::vector<IndexRef> index;
  index.reserve(w.num);
  std::vector<char> vbuf(kHeaderSize + w.value_size);
  std::vector<char> wbuf(kHeaderSize + 10 + kKeySize + 10 + kRefSize);
  const auto t0 = Clock::now();
  for (std::size_t i = 0; i < w.num; ++i) {
    const char* k = w.key(i);
    const char* v = w.value(i);
    std::memcpy(vbuf.data() + kHeaderSize, v, w.value_size);
    const std::size_t vn = frame(vbuf.data(), w.value_size, 2);
    const std::uint64_t hash = XXH3_64bits(v, w.value_size);
    const std::uint64_t vat = vfile.append(vbuf.data(), vn) + kHeaderSize;

    char* p = put_varint(wbuf.data() + kHeaderSize, kKeySize);
    std::memcpy(p, k, kKeySize);
    p = put_varint(p + kKeySize, kRefSize);
    put_fixed32(p, 2);
    put_fixed64(p + 4, vat);
    put_fixed32(p + 12, static_cast<std::uint32_t>(w.value_size));
    put_fixed64(p + 16, hash);
    p += kRefSize;
    const std::size_t wn =
        frame(wbuf.data(), static_cast<std::size_t>(p - wbuf.data()) - kHeaderSize, 1);
    wal.append(wbuf.data(), wn);
    if (w.sync_after(i)) {
      vfile.sync();
      wal.sync();
    }
    std::uint64_t prefix;
    std::memcpy(&prefix, k, 8);
    index.push_back({prefix, vat, hash, static_cast<std::uint32_t>(w.value_size), 2});
  }
  const double s = since(t0);
  return {s, vfile.size_on_disk() + wal.size_on_disk()};
}

RunResult run_c(const Workload& w, const std::string& dir) {
  AppendFile wal(dir + "/c-000001.wal");
  std::vector<IndexRef> index;
  index.reserve(w.num);
  std::vector<char> buf(kHeaderSize + 2 * 10 + kKeySize + w.value_size);
  // The memtable's arena. When it reaches --memtable_mb it is dropped and
  // restarted with fresh chunks, as a flush would swap in a new memtable, so
  // the page faults of new memory are paid as they are today (and the arena
  // never holds the whole run: 200k x 16 KiB would not fit this machine).
  std::vector<std::vector<char>> arena;
  std::size_t arena_bytes = 0;
  const auto t0 = Clock::now();
  for (std::size_t i = 0; i < w.num; ++i) {
    const char* k = w.key(i);
    const char* v = w.value(i);
    char* p = put_varint(buf.data() + kHeaderSize, kKeySize);
    std::memcpy(p, k, kKeySize);
    p = put_varint(p + kKeySize, w.value_size);
    std::memcpy(p, v, w.value_size);
    p += w.value_size;
    const std::size_t n =
        frame(buf.data(), static_cast<std::size_t>(p - buf.data()) - kHeaderSize, 1);
    wal.append(buf.data(), n);
    if (w.sync_after(i)) wal.sync();

    const std::size_t need = kKeySize + w.value_size;
    if (arena.empty() || arena.back().capacity() - arena.back().size() < need) {
      if (arena_bytes + kArenaChunk > w.memtable_bytes) {
        arena.clear();
        arena_bytes = 0;
      }
      arena.emplace_back().reserve(kArenaChunk);  // reserve: no zero-fill
      arena_bytes += kArenaChunk;
    }
    auto& chunk = arena.back();
    const std::size_t at = chunk.size();
    chunk.insert(chunk.end(), k, k + kKeySize);
    chunk.insert(chunk.end(), v, v + w.value_size);
    std::uint64_t prefix;
    std::memcpy(&prefix, k, 8);
    index.push_back({prefix, at, 0, static_cast<std::uint32_t>(w.value_size), 0});
  }
  const double s = since(t0);
  return {s, wal.size_on_disk()};
}

// Only the prototype's own files, by name: --dir may be a shared directory.
constexpr const char* kFileNames[] = {"a-000001.wal", "b-000001.wal", "b-000002.blob",
                                      "c-000001.wal"};

void remove_files(const std::string& dir) {
  for (const char* name : kFileNames) {
    const std::string path = dir + "/" + name;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) die_io("unlink", path);
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Write-path prototype of value separation (doc/design.md)"};
  std::size_t value_size = 4096;
  std::size_t num = 200000;
  bool sync = false;
  std::size_t sync_every = 1;
  std::string dir = "/tmp/vlog-proto";
  int repeats = 3;
  std::size_t memtable_mb = 64;
  app.add_option("--value_size", value_size, "Value size in bytes")->check(CLI::Range(1, 1 << 24));
  app.add_option("--num", num, "Puts per run")->check(CLI::PositiveNumber);
  app.add_flag("--sync", sync, "fdatasync every --sync_every-th put");
  app.add_option("--sync_every", sync_every, "Puts per fdatasync with --sync")
      ->check(CLI::PositiveNumber);
  app.add_option("--dir", dir, "Scratch directory (files are removed after each run)");
  app.add_option("--repeats", repeats, "Runs per design")->check(CLI::PositiveNumber);
  app.add_option("--memtable_mb", memtable_mb, "Design C's arena size before it restarts")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  if (!__builtin_cpu_supports("sse4.2")) die("this prototype needs an x86-64 CPU with SSE4.2");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) die("create " + dir + ": " + ec.message());
  remove_files(dir);

  Workload w{value_size, num, sync, sync_every, memtable_mb << 20, {}, {}, 0};
  // Unique keys; a value pool of ~64 MiB (more than a last-level cache, so
  // values come from memory as a caller's would) cycled over the puts.
  w.keys.resize(num * kKeySize);
  fill_random(w.keys, 1);
  w.pool = std::max<std::size_t>(1, std::min(num, (std::size_t{64} << 20) / value_size));
  w.values.resize(w.pool * value_size);
  fill_random(w.values, 2);

  const char* names[] = {"A wal-is-vlog", "B value-files", "C today"};
  RunResult (*runs[])(const Workload&, const std::string&) = {run_a, run_b, run_c};
  std::vector<double> rates[3];
  std::uint64_t bytes[3] = {};
  for (int r = 0; r < repeats; ++r) {
    // Rotate the order each repeat so page-cache writeback left by one run,
    // and any drift on this shared machine, lands on every design.
    for (int j = 0; j < 3; ++j) {
      const int d = (j + r) % 3;
      const RunResult res = runs[d](w, dir);
      rates[d].push_back(static_cast<double>(num) / res.seconds);
      bytes[d] = res.bytes;
      remove_files(dir);
    }
  }

  const std::string mode = sync ? "sync/" + std::to_string(sync_every) : std::string("no sync");
  std::printf("\nN=%zu, value %zu B, key %zu B, %s, %d repeats, dir %s\n\n", num, value_size,
              kKeySize, mode.c_str(), repeats, dir.c_str());
  std::printf(
      "| design | mode | value B | writes/s median | min | max | file MB/s | bytes/write | "
      "us/write |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  for (int d = 0; d < 3; ++d) {
    const double med = median(rates[d]);
    const double per_write = static_cast<double>(bytes[d]) / static_cast<double>(num);
    std::printf("| %s | %s | %zu | %.0f | %.0f | %.0f | %.1f | %.1f | %.2f |\n", names[d],
                mode.c_str(), value_size, med, *std::min_element(rates[d].begin(), rates[d].end()),
                *std::max_element(rates[d].begin(), rates[d].end()), med * per_write / 1e6,
                per_write, 1e6 / med);
  }
  return 0;
}
