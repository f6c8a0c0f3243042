// The C API's option objects: open options, write options and scan options.
//
// Setters of plain numbers store them as given: sand_open() validates them
// (as DB::open does for C++), so the range rules live in one place. Enum
// setters check their value here, because a C enum can hold any int while
// the C++ enum class cannot.
#include <string>

#include "capi/c_internal.hpp"

using sand::capi::check_bytes;
using sand::capi::guard;
using sand::capi::make_or_null;

extern "C" {

sand_options_t* sand_options_create(void) {
  return make_or_null([] { return new sand_options(); });
}

void sand_options_destroy(sand_options_t* opts) { delete opts; }

void sand_options_set_create_if_missing(sand_options_t* opts, int value) {
  if (opts != nullptr) opts->options.create_if_missing = value != 0;
}

void sand_options_set_error_if_exists(sand_options_t* opts, int value) {
  if (opts != nullptr) opts->options.error_if_exists = value != 0;
}

void sand_options_set_memtable_size(sand_options_t* opts, size_t value) {
  if (opts != nullptr) opts->options.memtable_size = value;
}

sand_code_t sand_options_set_memtable(sand_options_t* opts, sand_memtable_index_t value,
                                      char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(opts, "sand_options_set_memtable");
    switch (value) {
      case SAND_MEMTABLE_BTREE:
        opts->options.memtable = sand::MemTableIndex::kBTree;
        break;
      case SAND_MEMTABLE_SKIPLIST:
        opts->options.memtable = sand::MemTableIndex::kSkipList;
        break;
      default:
        return sand::Status::invalid_argument(
            "sand_options_set_memtable: unknown memtable index " +
            std::to_string(static_cast<int>(value)) +
            " (value must be SAND_MEMTABLE_BTREE or SAND_MEMTABLE_SKIPLIST)");
    }
    return sand::Status::ok();
  });
}

void sand_options_set_value_separation_threshold(sand_options_t* opts, size_t value) {
  if (opts != nullptr) opts->options.value_separation_threshold = value;
}

void sand_options_set_block_size(sand_options_t* opts, size_t value) {
  if (opts != nullptr) opts->options.block_size = value;
}

void sand_options_set_block_restart_interval(sand_options_t* opts, int value) {
  if (opts != nullptr) opts->options.block_restart_interval = value;
}

sand_code_t sand_options_set_compression(sand_options_t* opts, sand_compression_t value,
                                         char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(opts, "sand_options_set_compression");
    switch (value) {
      case SAND_COMPRESSION_NONE:
        opts->options.compression = sand::Compression::kNone;
        break;
      case SAND_COMPRESSION_LZ4:
        opts->options.compression = sand::Compression::kLz4;
        break;
      default:
        return sand::Status::invalid_argument("sand_options_set_compression: unknown compression " +
                                              std::to_string(static_cast<int>(value)));
    }
    return sand::Status::ok();
  });
}

void sand_options_set_bloom_bits_per_key(sand_options_t* opts, int value) {
  if (opts != nullptr) opts->options.bloom_bits_per_key = value;
}

void sand_options_set_block_cache_size(sand_options_t* opts, size_t value) {
  if (opts != nullptr) opts->options.block_cache_size = value;
}

void sand_options_set_sync(sand_options_t* opts, int value) {
  if (opts != nullptr) opts->options.sync = value != 0;
}

sand_code_t sand_options_set_retention(sand_options_t* opts, sand_retention_t value,
                                       char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(opts, "sand_options_set_retention");
    switch (value) {
      case SAND_RETENTION_ALL:
        opts->options.retention = sand::Retention::kAll;
        break;
      case SAND_RETENTION_LATEST:
        opts->options.retention = sand::Retention::kLatestOnly;
        break;
      default:
        return sand::Status::invalid_argument("sand_options_set_retention: unknown retention " +
                                              std::to_string(static_cast<int>(value)));
    }
    return sand::Status::ok();
  });
}

void sand_options_set_l0_trigger(sand_options_t* opts, int value) {
  if (opts != nullptr) opts->options.l0_trigger = value;
}

void sand_options_set_l0_stop(sand_options_t* opts, int value) {
  if (opts != nullptr) opts->options.l0_stop = value;
}

void sand_options_set_l1_trigger(sand_options_t* opts, int value) {
  if (opts != nullptr) opts->options.l1_trigger = value;
}

void sand_options_set_target_file_size(sand_options_t* opts, size_t value) {
  if (opts != nullptr) opts->options.target_file_size = value;
}

void sand_options_set_max_frozen_memtables(sand_options_t* opts, int value) {
  if (opts != nullptr) opts->options.max_frozen_memtables = value;
}

void sand_options_set_memtable_budget(sand_options_t* opts, size_t value) {
  if (opts != nullptr) opts->options.memtable_budget = value;
}

void sand_options_set_manifest_rollover_size(sand_options_t* opts, size_t value) {
  if (opts != nullptr) opts->options.manifest_rollover_size = value;
}

void sand_options_set_point_in_time_recovery(sand_options_t* opts, int value) {
  if (opts != nullptr) opts->options.point_in_time_recovery = value != 0;
}

sand_code_t sand_options_set_in_memory(sand_options_t* opts, int value, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(opts, "sand_options_set_in_memory");
    if (value == 0) {
      opts->options.file_system = nullptr;  // the default: POSIX
    } else if (opts->options.file_system == nullptr) {
      // Made here, not at open: every DB opened with these options must see
      // the same files, or a reopen would find an empty store.
      opts->options.file_system = sand::memory_file_system();
    }
    return sand::Status::ok();
  });
}

sand_write_options_t* sand_write_options_create(void) {
  return make_or_null([] { return new sand_write_options(); });
}

void sand_write_options_destroy(sand_write_options_t* wopts) { delete wopts; }

sand_code_t sand_write_options_set_sync(sand_write_options_t* wopts, sand_sync_mode_t mode,
                                        char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(wopts, "sand_write_options_set_sync");
    switch (mode) {
      case SAND_SYNC_DEFAULT:
        wopts->options.sync = sand::SyncMode::kDefault;
        break;
      case SAND_SYNC_SYNC:
        wopts->options.sync = sand::SyncMode::kSync;
        break;
      case SAND_SYNC_NOSYNC:
        wopts->options.sync = sand::SyncMode::kNoSync;
        break;
      default:
        return sand::Status::invalid_argument("sand_write_options_set_sync: unknown sync mode " +
                                              std::to_string(static_cast<int>(mode)));
    }
    return sand::Status::ok();
  });
}

sand_scan_options_t* sand_scan_options_create(void) {
  return make_or_null([] { return new sand_scan_options(); });
}

void sand_scan_options_destroy(sand_scan_options_t* sopts) { delete sopts; }

sand_code_t sand_scan_options_set_from(sand_scan_options_t* sopts, const char* key, size_t keylen,
                                       char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(sopts, "sand_scan_options_set_from");
    SAND_RETURN_IF_ERROR(check_bytes("sand_scan_options_set_from", "key", key, keylen));
    std::string bound(sand::capi::bytes(key, keylen));  // may throw: options unchanged
    sopts->options.from = std::move(bound);
    return sand::Status::ok();
  });
}

sand_code_t sand_scan_options_set_to(sand_scan_options_t* sopts, const char* key, size_t keylen,
                                     char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(sopts, "sand_scan_options_set_to");
    SAND_RETURN_IF_ERROR(check_bytes("sand_scan_options_set_to", "key", key, keylen));
    std::string bound(sand::capi::bytes(key, keylen));  // may throw: options unchanged
    sopts->options.to = std::move(bound);
    return sand::Status::ok();
  });
}

void sand_scan_options_set_at(sand_scan_options_t* sopts, uint64_t at) {
  if (sopts != nullptr) sopts->options.at = at;
}

void sand_scan_options_set_reverse(sand_scan_options_t* sopts, int reverse) {
  if (sopts != nullptr) sopts->options.reverse = reverse != 0;
}

void sand_scan_options_clear_from(sand_scan_options_t* sopts) {
  if (sopts != nullptr) sopts->options.from.reset();
}

void sand_scan_options_clear_to(sand_scan_options_t* sopts) {
  if (sopts != nullptr) sopts->options.to.reset();
}

void sand_scan_options_clear_at(sand_scan_options_t* sopts) {
  if (sopts != nullptr) sopts->options.at.reset();
}

sand_code_t sand_scan_options_set_prefix(sand_scan_options_t* sopts, const char* prefix,
                                         size_t prefixlen, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    SAND_C_REQUIRE(sopts, "sand_scan_options_set_prefix");
    SAND_RETURN_IF_ERROR(check_bytes("sand_scan_options_set_prefix", "prefix", prefix, prefixlen));
    std::string bound(sand::capi::bytes(prefix, prefixlen));  // may throw: options unchanged
    sopts->options.prefix = std::move(bound);
    return sand::Status::ok();
  });
}

void sand_scan_options_clear_prefix(sand_scan_options_t* sopts) {
  if (sopts != nullptr) sopts->options.prefix.reset();
}

}  // extern "C"
