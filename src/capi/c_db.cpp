// The C API's database handle: open, close, writes, retention, maintenance,
// snapshots and stats.
#include <algorithm>
#include <cstring>

#include "capi/c_internal.hpp"

using sand::capi::check_bytes;
using sand::capi::guard;

namespace {

sand_code_t open_db(const char* function, bool read_only, const char* path,
                    const sand_options_t* opts, sand_db_t** db, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(db, function);
    *db = nullptr;
    SAND_C_REQUIRE(path, function);
    sand::Options options = opts != nullptr ? opts->options : sand::Options{};
    auto handle = std::make_unique<sand_db>();
    auto opened = read_only ? sand::DB::open_read_only(path, std::move(options))
                            : sand::DB::open(path, std::move(options));
    if (!opened.is_ok()) return opened.status();
    handle->db = std::move(opened).value();
    *db = handle.release();
    return sand::Status::ok();
  });
}

sand::WriteOptions write_options(const sand_write_options_t* wopts) {
  return wopts != nullptr ? wopts->options : sand::WriteOptions{};
}

// Stores the version of a successful write in *version (when asked for).
sand::Status commit(const sand::Result<sand::Version>& written, uint64_t* version) {
  if (!written.is_ok()) return written.status();
  if (version != nullptr) *version = *written;
  return sand::Status::ok();
}

sand_stats_t to_c(const sand::Stats& s) {
  sand_stats_t out{};
  out.last_version = s.last_version;
  out.low_water_mark = s.low_water_mark;
  out.memtable_bytes = s.memtable_bytes;
  out.immutable_memtables = s.immutable_memtables;
  for (int level = 0; level < 3; ++level) {
    out.tables[level] = s.tables[level];
    out.table_bytes[level] = s.table_bytes[level];
  }
  out.l1_runs = s.l1_runs;
  out.wal_bytes = s.wal_bytes;
  out.user_bytes_written = s.user_bytes_written;
  out.write_groups = s.write_groups;
  out.wal_syncs = s.wal_syncs;
  out.flushes = s.flushes;
  out.flush_bytes_written = s.flush_bytes_written;
  out.compactions = s.compactions;
  out.compaction_bytes_read = s.compaction_bytes_read;
  out.compaction_bytes_written = s.compaction_bytes_written;
  out.write_amplification = s.write_amplification;
  out.space_amplification = s.space_amplification;
  out.stalls = s.stalls;
  out.stall_micros = s.stall_micros;
  out.live_snapshots = s.live_snapshots;
  out.manifest_bytes = s.manifest_bytes;
  out.memtables_used_bytes = s.memtables_used_bytes;
  out.memtables_reserved_bytes = s.memtables_reserved_bytes;
  out.table_index_filter_bytes = s.table_index_filter_bytes;
  out.block_cache_bytes = s.block_cache_bytes;
  out.block_cache_capacity = s.block_cache_capacity;
  out.wal_buffer_bytes = s.wal_buffer_bytes;
  return out;
}

}  // namespace

extern "C" {

sand_code_t sand_open(const char* path, const sand_options_t* opts, sand_db_t** db, char** errmsg) {
  return open_db("sand_open", false, path, opts, db, errmsg);
}

sand_code_t sand_open_read_only(const char* path, const sand_options_t* opts, sand_db_t** db,
                                char** errmsg) {
  return open_db("sand_open_read_only", true, path, opts, db, errmsg);
}

sand_code_t sand_refresh(sand_db_t* db, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(db, "sand_refresh");
    return db->db->refresh();
  });
}

sand_code_t sand_close(sand_db_t* db, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(db, "sand_close");
    return db->db->close();
  });
}

void sand_db_free(sand_db_t* db) {
  if (db == nullptr) return;
  // Closed here, inside a try, rather than by ~DB: an exception in a
  // destructor would terminate the program.
  try {
    db->db->close().ignore();
  } catch (...) {
  }
  delete db;
}

sand_code_t sand_put(sand_db_t* db, const sand_write_options_t* wopts, const char* key,
                     size_t keylen, const char* value, size_t valuelen, uint64_t* version,
                     char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    if (version != nullptr) *version = 0;
    SAND_C_REQUIRE(db, "sand_put");
    SAND_RETURN_IF_ERROR(check_bytes("sand_put", "key", key, keylen));
    SAND_RETURN_IF_ERROR(check_bytes("sand_put", "value", value, valuelen));
    return commit(db->db->put(sand::capi::bytes(key, keylen), sand::capi::bytes(value, valuelen),
                              write_options(wopts)),
                  version);
  });
}

sand_code_t sand_del(sand_db_t* db, const sand_write_options_t* wopts, const char* key,
                     size_t keylen, uint64_t* version, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    if (version != nullptr) *version = 0;
    SAND_C_REQUIRE(db, "sand_del");
    SAND_RETURN_IF_ERROR(check_bytes("sand_del", "key", key, keylen));
    return commit(db->db->del(sand::capi::bytes(key, keylen), write_options(wopts)), version);
  });
}

sand_code_t sand_write(sand_db_t* db, const sand_write_options_t* wopts,
                       const sand_write_batch_t* batch, uint64_t* version, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    if (version != nullptr) *version = 0;
    SAND_C_REQUIRE(db, "sand_write");
    SAND_C_REQUIRE(batch, "sand_write");
    if (batch->damaged) {
      return sand::Status::invalid_argument(
          "sand_write: the batch lost an operation to an out-of-memory failure; clear it");
    }
    return commit(db->db->write(batch->batch, write_options(wopts)), version);
  });
}

sand_code_t sand_snapshot_create(sand_db_t* db, sand_snapshot_t** snapshot, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(snapshot, "sand_snapshot_create");
    *snapshot = nullptr;
    SAND_C_REQUIRE(db, "sand_snapshot_create");
    auto handle = std::make_unique<sand_snapshot>();
    handle->snapshot = db->db->snapshot();
    *snapshot = handle.release();
    return sand::Status::ok();
  });
}

uint64_t sand_snapshot_version(const sand_snapshot_t* snapshot) {
  return snapshot != nullptr ? snapshot->snapshot.version() : 0;
}

void sand_snapshot_release(sand_snapshot_t* snapshot) { delete snapshot; }

sand_code_t sand_forget_before(sand_db_t* db, uint64_t v, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(db, "sand_forget_before");
    return db->db->forget_before(v);
  });
}

uint64_t sand_low_water_mark(const sand_db_t* db) {
  return db != nullptr ? db->db->low_water_mark() : 0;
}

uint64_t sand_last_version(const sand_db_t* db) {
  return db != nullptr ? db->db->last_version() : 0;
}

sand_code_t sand_flush(sand_db_t* db, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(db, "sand_flush");
    return db->db->flush();
  });
}

sand_code_t sand_compact(sand_db_t* db, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(db, "sand_compact");
    return db->db->compact();
  });
}

sand_code_t sand_checkpoint(sand_db_t* db, const char* dir, uint64_t* version, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    if (version != nullptr) *version = 0;
    SAND_C_REQUIRE(db, "sand_checkpoint");
    SAND_C_REQUIRE(dir, "sand_checkpoint");
    return commit(db->db->checkpoint(dir), version);
  });
}

sand_code_t sand_get_stats(const sand_db_t* db, sand_stats_t* stats, size_t stats_size,
                           char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(stats, "sand_get_stats");
    // A caller built against an older header passes a smaller struct, one
    // built against a newer header a larger one: fill what both know and
    // zero the fields this library does not have.
    std::memset(stats, 0, stats_size);
    SAND_C_REQUIRE(db, "sand_get_stats");
    const sand_stats_t full = to_c(db->db->stats());
    std::memcpy(stats, &full, std::min(stats_size, sizeof full));
    return sand::Status::ok();
  });
}

}  // extern "C"
