// The LMDB adapter of the bench Engine interface (see engine.hpp for how the
// shared settings map onto LMDB). Built only when CMake found LMDB
// (SAND_BENCH_HAVE_LMDB). LMDB is a copy-on-write B+tree in one memory-mapped
// file, not an LSM: it is in the bench as the B+tree read reference.
//
// Layout: one environment per database directory (MDB_NOSUBDIR off: LMDB
// makes <dir>/data.mdb and <dir>/lock.mdb), its unnamed default database, a
// 64 GiB map (sparse: the file grows with the data, never to the map size).
//
// Transactions: every put and every write_batch is one write transaction
// (mdb_txn_begin, mdb_put..., mdb_txn_commit); LMDB runs one write
// transaction at a time, so concurrent writers queue. Every get, multi_get
// and iterator reads in a read-only transaction of its own, so each sees
// the latest commit, as the other engines' reads do.
//
// Read transactions are pooled: a finished one is mdb_txn_reset() and the
// next read mdb_txn_renew()s it (and mdb_cursor_renew()s its cursor), as
// LMDB's documentation advises, so a get costs no malloc and no lock of
// LMDB's reader table. The pool is sharded by thread (a shard per thread,
// round-robin over 64), so concurrent readers do not share a lock either.
// A pooled transaction thus moves between threads (sand_bench starts new
// threads for every workload, and an iterator may be destroyed on another
// thread than the one that made it), and one thread can hold several (an
// iterator while it calls get()): hence MDB_NOTLS, which ties a reader slot
// to the MDB_txn rather than to the thread. Without it LMDB keeps one slot
// per thread and a second read transaction on a thread fails
// (MDB_BAD_RSLOT).
//
// Invariants: every LMDB error ends the program with mdb_strerror's message
// (die()). Keys are at most 511 bytes (LMDB's compile-time limit): longer
// --key_size values end the program with MDB_BAD_VALSIZE. LMDB has no
// versioned reads, no optimistic transactions (putif is skipped), no
// compaction (compact_all() is a no-op and compacts() says so: the compact
// workload reports n/a), no memtable flush (flush() is mdb_env_sync(force))
// and no flush/compaction byte counters (write_amplification() is nullopt).
//
// Thread-safety: as Engine. REQUIRES: no iterator is alive at close().
#include <lmdb.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "engine.hpp"
#include "text_cat.hpp"

namespace sand_bench {
namespace {

constexpr std::string_view kName = "lmdb";

// The largest database any sand_bench run writes fits many times over; the
// map is address space only (no MDB_WRITEMAP: the file is not grown to it).
constexpr std::size_t kMapSize = std::size_t{64} << 30;

// Reader-table slots. --threads is at most 1024, each sand_bench thread holds
// at most one read transaction at a time, and the sharded pool keeps a few
// idle ones per shard. LMDB's default is 126; 2048 slots make a 128 KiB
// lock.mdb.
constexpr unsigned kMaxReaders = 2048;

void check(int rc, std::string_view what) {
  if (rc != 0) die(kName, what, mdb_strerror(rc));
}

MDB_val val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }

std::string_view view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

// A read-only transaction and a cursor on the database, kept for reuse.
struct Reader {
  MDB_txn* txn = nullptr;
  MDB_cursor* cursor = nullptr;
};

// Idle (reset) read transactions, sharded by thread. A reader is taken live
// (renewed) and given back reset.
class ReaderPool {
 public:
  void open(MDB_env* env, MDB_dbi dbi) {
    env_ = env;
    dbi_ = dbi;
  }

  // A live read transaction on the current state; `with_cursor` also
  // renews its cursor (iterators need it, gets do not).
  Reader acquire(bool with_cursor) {
    Shard& shard = shards_[my_shard()];
    Reader r;
    {
      const std::lock_guard lock(shard.mu);
      if (!shard.idle.empty()) {
        r = shard.idle.back();
        shard.idle.pop_back();
      } else {
        ++shard.created;
      }
    }
    if (r.txn == nullptr) {
      check(mdb_txn_begin(env_, nullptr, MDB_RDONLY, &r.txn), "read txn begin");
      check(mdb_cursor_open(r.txn, dbi_, &r.cursor), "cursor open");
      return r;  // a fresh cursor is bound to the fresh transaction
    }
    check(mdb_txn_renew(r.txn), "read txn renew");
    if (with_cursor) check(mdb_cursor_renew(r.txn, r.cursor), "cursor renew");
    return r;
  }

  // Ends the read (its snapshot no longer holds pages) and keeps it.
  void release(const Reader& r) {
    mdb_txn_reset(r.txn);
    Shard& shard = shards_[my_shard()];
    const std::lock_guard lock(shard.mu);
    shard.idle.push_back(r);
  }

  // Frees every reader (REQUIRES: all were released).
  void close() {
    std::size_t created = 0;
    std::size_t idle = 0;
    for (Shard& shard : shards_) {
      const std::lock_guard lock(shard.mu);
      created += shard.created;
      idle += shard.idle.size();
      for (const Reader& r : shard.idle) {
        mdb_cursor_close(r.cursor);
        mdb_txn_abort(r.txn);
      }
      shard.idle.clear();
      shard.created = 0;
    }
    if (idle != created) die(kName, "close", "an iterator is still open");
  }

 private:
  static constexpr std::size_t kShards = 64;
  struct alignas(64) Shard {
    std::mutex mu;
    std::vector<Reader> idle;
    std::size_t created = 0;  // readers made here (they may be released elsewhere)
  };

  // Round-robin, so up to kShards threads started together get a shard each.
  static std::size_t my_shard() {
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
    return shard;
  }

  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  std::array<Shard, kShards> shards_;
};

// An EngineIterator over an LMDB cursor. Keys and values point into the map,
// valid while the read transaction lives (longer than the contract needs).
class LmdbIterator final : public EngineIterator {
 public:
  LmdbIterator(ReaderPool& pool, Reader reader) : pool_(pool), reader_(reader) {}
  ~LmdbIterator() override { pool_.release(reader_); }
  LmdbIterator(const LmdbIterator&) = delete;
  LmdbIterator& operator=(const LmdbIterator&) = delete;

  void seek(std::string_view target) override {
    // LMDB rejects an empty key; every key is >= "".
    if (target.empty()) return seek_to_first();
    key_ = val(target);
    move(MDB_SET_RANGE, "cursor seek");
  }
  void seek_to_first() override { move(MDB_FIRST, "cursor first"); }
  void seek_to_last() override { move(MDB_LAST, "cursor last"); }
  void next() override { move(MDB_NEXT, "cursor next"); }
  void prev() override { move(MDB_PREV, "cursor prev"); }
  bool valid() const override { return valid_; }
  std::string_view key() const override { return view(key_); }
  std::string_view value() const override { return view(value_); }

 private:
  void move(MDB_cursor_op op, std::string_view what) {
    const int rc = mdb_cursor_get(reader_.cursor, &key_, &value_, op);
    valid_ = rc == 0;
    if (rc != 0 && rc != MDB_NOTFOUND) die(kName, what, mdb_strerror(rc));
  }

  ReaderPool& pool_;
  Reader reader_;
  MDB_val key_{};
  MDB_val value_{};
  bool valid_ = false;
};

class LmdbEngine final : public Engine {
 public:
  ~LmdbEngine() override { close(); }

  std::string name() const override { return std::string(kName); }
  std::string version() const override {
    int major = 0, minor = 0, patch = 0;
    mdb_version(&major, &minor, &patch);
    return cat(major, ".", minor, ".", patch);
  }
  std::vector<std::string> notes() const override {
    return {
        "lmdb: a B+tree in one memory-mapped file (64 GiB sparse map), read through the OS "
        "page cache: no memtable, block cache, bloom filter, block size or compression, so "
        "--write_buffer_size, --cache_size, --bloom_bits, --block_size and --compression do "
        "not apply",
        cat("lmdb: ",
            sync_ ? "--sync=1: durable commits (no MDB_NOSYNC)"
                  : "--sync=0: MDB_NOSYNC commits; a synced put (fillsync) clears "
                    "MDB_NOSYNC for its commit, which is then durable",
            "; MDB_NOTLS (pooled read transactions); readahead on (no MDB_NORDAHEAD)"),
        "lmdb: one write transaction at a time (writers queue); no MultiGet (multiget: "
        "mdb_get per key in one read transaction), no transactions here (putif is skipped), "
        "no compaction (compact: n/a), no flush/compaction counters (w-amp blank)"};
  }

  void open(const std::string& dir, const EngineSettings& s) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) die(kName, "open " + dir, ec.message());
    sync_ = s.sync;
    check(mdb_env_create(&env_), "env create");
    check(mdb_env_set_mapsize(env_, kMapSize), "env set mapsize");
    check(mdb_env_set_maxreaders(env_, kMaxReaders), "env set maxreaders");
    check(mdb_env_open(env_, dir.c_str(), MDB_NOTLS | (sync_ ? 0 : MDB_NOSYNC), 0644),
          "open " + dir);
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env_, nullptr, 0, &txn), "write txn begin");
    check(mdb_dbi_open(txn, nullptr, 0, &dbi_), "dbi open");
    check(mdb_txn_commit(txn), "commit");
    pool_.open(env_, dbi_);
  }

  void close() override {
    if (env_ == nullptr) return;
    pool_.close();
    mdb_env_close(env_);  // no sync: an MDB_NOSYNC run's last commits stay in the page cache
    env_ = nullptr;
  }

  void put(std::string_view key, std::string_view value, bool sync) override {
    write(sync, [&](MDB_txn* txn) {
      MDB_val k = val(key);
      MDB_val v = val(value);
      check(mdb_put(txn, dbi_, &k, &v, 0), "put");
    });
  }

  void write_batch(std::span<const KeyValue> puts, bool sync) override {
    write(sync, [&](MDB_txn* txn) {
      for (const auto& [key, value] : puts) {
        MDB_val k = val(key);
        MDB_val v = val(value);
        check(mdb_put(txn, dbi_, &k, &v, 0), "put");
      }
    });
  }

  bool get(std::string_view key, std::string* value) override {
    const Reader r = pool_.acquire(false);
    const bool found = get_in(r.txn, key, value);
    pool_.release(r);
    return found;
  }

  // LMDB has no MultiGet: mdb_get per key, all in one read transaction, so
  // the answers are one consistent state, as the others' are.
  void multi_get(std::span<const std::string_view> keys, std::span<std::string> values,
                 std::span<bool> found) override {
    const Reader r = pool_.acquire(false);
    for (std::size_t i = 0; i < keys.size(); ++i) found[i] = get_in(r.txn, keys[i], &values[i]);
    pool_.release(r);
  }

  std::unique_ptr<EngineIterator> new_iterator() override {
    return std::make_unique<LmdbIterator>(pool_, pool_.acquire(true));
  }

  // No memtable: commits are already in the file; this forces them to disk.
  void flush() override { check(mdb_env_sync(env_, 1), "env sync"); }

  // A B+tree reuses freed pages in place: there is nothing to compact.
  void compact_all() override {}
  bool compacts() const override { return false; }

  // What `mdb_stat -e` prints: the environment and the database's tree.
  std::string stats() override {
    MDB_envinfo info;
    MDB_stat st;
    check(mdb_env_info(env_, &info), "env info");
    check(mdb_env_stat(env_, &st), "env stat");
    return cat("Environment Info\n  Map size: ", info.me_mapsize, "\n  Page size: ", st.ms_psize,
               "\n  Max pages: ", info.me_mapsize / st.ms_psize,
               "\n  Number of pages used: ", info.me_last_pgno + 1,
               "\n  Last transaction ID: ", info.me_last_txnid,
               "\n  Max readers: ", info.me_maxreaders,
               "\n  Number of readers used: ", info.me_numreaders,
               "\nStatus of Main DB\n  Tree depth: ", st.ms_depth,
               "\n  Branch pages: ", st.ms_branch_pages, "\n  Leaf pages: ", st.ms_leaf_pages,
               "\n  Overflow pages: ", st.ms_overflow_pages, "\n  Entries: ", st.ms_entries);
  }

  // LMDB counts no bytes written; the driver's /proc/self/io figure stands.
  std::optional<double> write_amplification(std::uint64_t) override { return std::nullopt; }

 private:
  bool get_in(MDB_txn* txn, std::string_view key, std::string* value) {
    MDB_val k = val(key);
    MDB_val v;
    const int rc = mdb_get(txn, dbi_, &k, &v);
    if (rc == MDB_NOTFOUND) return false;
    check(rc, "get");
    value->assign(static_cast<const char*>(v.mv_data), v.mv_size);
    return true;
  }

  // One write transaction running `body`, committed with MDB_NOSYNC exactly
  // when !sync. The environment's flag follows settings.sync; a commit that
  // wants the other mode flips it (mdb_env_set_flags) around its commit and
  // back. writer_ serializes whole write transactions, flag flips included,
  // so no other commit sees a flipped flag. LMDB allows one write
  // transaction at a time anyway, so the mutex costs no concurrency. Read
  // transactions read the flags word too, but only MDB_NOTLS and MDB_RDONLY,
  // which never change.
  template <typename Body>
  void write(bool sync, const Body& body) {
    const std::lock_guard lock(writer_);
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env_, nullptr, 0, &txn), "write txn begin");
    body(txn);
    const bool flip = sync != sync_;
    if (flip) check(mdb_env_set_flags(env_, MDB_NOSYNC, sync ? 0 : 1), "env set flags");
    const int rc = mdb_txn_commit(txn);
    if (flip) check(mdb_env_set_flags(env_, MDB_NOSYNC, sync ? 1 : 0), "env set flags");
    check(rc, "commit");
  }

  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  bool sync_ = false;  // settings.sync: commits are durable unless a call says otherwise
  std::mutex writer_;
  ReaderPool pool_;
};

}  // namespace

std::unique_ptr<Engine> make_lmdb_engine() { return std::make_unique<LmdbEngine>(); }

}  // namespace sand_bench
