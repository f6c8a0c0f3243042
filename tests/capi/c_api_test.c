/* The C API (include/sand/c.h) exercised from C: every function, on real
 * temporary directories and on the in-memory file system, including the
 * error paths (NULL arguments, refused versions, closed and read-only handles,
 * Busy, a damaged table found by sand_check).
 *
 * The versioned API (seeks, prefixes, get_versioned, multi_get, the change
 * feed, waiting, preconditions) has its own program, c_versioned_test.c.
 *
 * A C program with the tiny framework of c_test_support.h: each CHECK
 * prints "file:line: ..." when it fails, and the last line is
 * "N passed, N failed"; the exit status is non-zero if anything failed. It
 * must stay leak-free: ctest also runs it under ASan's leak checker. */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, opendir */

#include <dirent.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "c_test_support.h"
#include "sand/c.h"

/* ---- Helpers ------------------------------------------------------------- */

/* dir + "/" + name in a static buffer (one path at a time is enough here). */
static const char* join(const char* dir, const char* name) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return path;
}

/* Whether get_at(key, at) (or get when at == 0) finds exactly `want`
 * (NULL: not found). */
static int value_is(sand_db_t* db, uint64_t at, const char* key, const char* want) {
  int found = -1;
  char* value = NULL;
  size_t len = 0;
  char* err = NULL;
  sand_code_t code = at == 0 ? sand_get(db, key, strlen(key), &found, &value, &len, &err)
                             : sand_get_at(db, at, key, strlen(key), &found, &value, &len, &err);
  int ok = code == SAND_OK && err == NULL;
  if (want == NULL) {
    ok = ok && found == 0 && value == NULL && len == 0;
  } else {
    ok = ok && found == 1 && value != NULL && len == strlen(want) &&
         memcmp(value, want, len) == 0 && value[len] == '\0';
  }
  if (!ok) {
    printf("  get %s at %llu: code %s, found %d, value %s, err %s\n", key, (unsigned long long)at,
           sand_code_name(code), found, value != NULL ? value : "(null)",
           err != NULL ? err : "(null)");
  }
  sand_free(value);
  sand_free(err);
  return ok;
}

/* The scan's keys joined with ',' into `out`, and the code of its status. */
static sand_code_t scan_keys(sand_db_t* db, const sand_scan_options_t* sopts, char* out,
                             size_t out_size) {
  sand_iterator_t* it = NULL;
  out[0] = '\0';
  char* msg = NULL;
  sand_code_t code = sand_scan(db, sopts, &it, &msg);
  sand_free(msg);
  if (code != SAND_OK) return code;
  for (; sand_iterator_valid(it); sand_iterator_next(it)) {
    size_t len = 0;
    const char* key = sand_iterator_key(it, &len);
    if (out[0] != '\0') strncat(out, ",", out_size - strlen(out) - 1);
    strncat(out, key, len < out_size - strlen(out) - 1 ? len : out_size - strlen(out) - 1);
  }
  code = sand_iterator_status(it, &msg);
  sand_free(msg);
  sand_iterator_destroy(it);
  return code;
}

static int scan_is(sand_db_t* db, const sand_scan_options_t* sopts, const char* want) {
  char got[1024];
  sand_code_t code = scan_keys(db, sopts, got, sizeof got);
  int ok = code == SAND_OK && strcmp(got, want) == 0;
  if (!ok) printf("  scan: %s [%s], expected [%s]\n", sand_code_name(code), got, want);
  return ok;
}

/* Tiny tables and eager compaction, so a few writes make several files. */
static sand_options_t* small_options(void) {
  sand_options_t* opts = sand_options_create();
  CHECK(opts != NULL);
  sand_options_set_memtable_size(opts, 4096);
  sand_options_set_block_size(opts, 256);
  sand_options_set_block_restart_interval(opts, 4);
  sand_options_set_l0_trigger(opts, 2);
  sand_options_set_l1_trigger(opts, 2);
  sand_options_set_target_file_size(opts, 4096);
  return opts;
}

/* ---- Tests --------------------------------------------------------------- */

static void test_version_and_codes(void) {
  char want[64];
  snprintf(want, sizeof want, "%d.%d.%d", SAND_C_VERSION_MAJOR, SAND_C_VERSION_MINOR,
           SAND_C_VERSION_PATCH);
  CHECK(strcmp(sand_version(), want) == 0);
  CHECK(strcmp(sand_code_name(SAND_OK), "OK") == 0);
  CHECK(strcmp(sand_code_name(SAND_INVALID_ARGUMENT), "InvalidArgument") == 0);
  CHECK(strcmp(sand_code_name(SAND_NOT_FOUND), "NotFound") == 0);
  CHECK(strcmp(sand_code_name(SAND_CORRUPTION), "Corruption") == 0);
  CHECK(strcmp(sand_code_name(SAND_IO_ERROR), "IOError") == 0);
  CHECK(strcmp(sand_code_name(SAND_BUSY), "Busy") == 0);
  CHECK(strcmp(sand_code_name(SAND_READ_ONLY), "ReadOnly") == 0);
  CHECK(strcmp(sand_code_name(SAND_OUT_OF_MEMORY), "OutOfMemory") == 0);
  CHECK(strcmp(sand_code_name(SAND_INTERNAL), "Internal") == 0);
  CHECK(strcmp(sand_code_name((sand_code_t)99), "Unknown") == 0);
  sand_free(NULL);
}

/* Every setter, the values sand_open refuses, and the in-memory store. */
static void test_options(void) {
  sand_options_t* opts = sand_options_create();
  CHECK(opts != NULL);
  sand_options_set_create_if_missing(opts, 1);
  sand_options_set_error_if_exists(opts, 0);
  sand_options_set_memtable_size(opts, 8192);
  CHECK_OK(sand_options_set_memtable(opts, SAND_MEMTABLE_SKIPLIST, &err));
  CHECK_OK(sand_options_set_memtable(opts, SAND_MEMTABLE_BTREE, &err));
  CHECK_CODE(sand_options_set_memtable(opts, (sand_memtable_index_t)2, &err),
             SAND_INVALID_ARGUMENT);
  sand_options_set_value_separation_threshold(opts, 64);
  sand_options_set_block_size(opts, 512);
  sand_options_set_block_restart_interval(opts, 8);
  CHECK_OK(sand_options_set_compression(opts, SAND_COMPRESSION_NONE, &err));
  CHECK_OK(sand_options_set_compression(opts, SAND_COMPRESSION_LZ4, &err));
  CHECK_CODE(sand_options_set_compression(opts, (sand_compression_t)7, &err),
             SAND_INVALID_ARGUMENT);
  sand_options_set_bloom_bits_per_key(opts, 12);
  sand_options_set_block_cache_size(opts, 1 << 20);
  sand_options_set_sync(opts, 1);
  sand_options_set_sync(opts, 0);
  CHECK_OK(sand_options_set_retention(opts, SAND_RETENTION_LATEST, &err));
  CHECK_OK(sand_options_set_retention(opts, SAND_RETENTION_ALL, &err));
  CHECK_CODE(sand_options_set_retention(opts, (sand_retention_t)-1, &err), SAND_INVALID_ARGUMENT);
  sand_options_set_l0_trigger(opts, 3);
  sand_options_set_l0_stop(opts, 9);
  sand_options_set_l1_trigger(opts, 3);
  sand_options_set_target_file_size(opts, 8192);
  sand_options_set_max_frozen_memtables(opts, 2);
  sand_options_set_memtable_budget(opts, 2 * 8192); /* valid: the store below writes */
  sand_options_set_manifest_rollover_size(opts, 4096);
  sand_options_set_point_in_time_recovery(opts, 1);
  CHECK_OK(sand_options_set_in_memory(opts, 1, &err));

  /* The in-memory store outlives a handle: a reopen with the same options
   * finds the data, and sand_check reads the same files. */
  sand_db_t* db = open_db("/mem", opts);
  for (int i = 0; i < 200; ++i) {
    char key[32];
    snprintf(key, sizeof key, "key%03d", i);
    put(db, key, "a value long enough to fill a few small tables");
  }
  CHECK_OK(sand_flush(db, &err));
  CHECK_OK(sand_close(db, &err));
  sand_db_free(db);
  db = open_db("/mem", opts);
  CHECK(sand_last_version(db) == 200);
  CHECK(value_is(db, 0, "key042", "a value long enough to fill a few small tables"));
  sand_check_report_t* report = NULL;
  CHECK_OK(sand_check("/mem", opts, &report, &err));
  CHECK(sand_check_report_ok(report) == 1);
  CHECK(sand_check_report_file_count(report) >= 2);
  sand_check_report_destroy(report);
  sand_db_free(db);
  /* error_if_exists against the in-memory database. */
  sand_options_set_error_if_exists(opts, 1);
  CHECK_MESSAGE(sand_open("/mem", opts, &db, &err), SAND_INVALID_ARGUMENT, "error_if_exists");
  CHECK(db == NULL);
  sand_options_set_error_if_exists(opts, 0);

  /* Set twice: still the same store. Zero: back to the real file system,
   * where "/mem" does not exist. */
  CHECK_OK(sand_options_set_in_memory(opts, 1, &err));
  db = open_db("/mem", opts);
  CHECK(sand_last_version(db) == 200);
  sand_db_free(db);
  CHECK_OK(sand_options_set_in_memory(opts, 0, &err));
  sand_options_set_create_if_missing(opts, 0);
  CHECK_CODE(sand_open("/nonexistent/sand_capi_db", opts, &db, &err), SAND_NOT_FOUND);
  CHECK(db == NULL);

  /* Values DB::open refuses come back as InvalidArgument naming the field. */
  CHECK_OK(sand_options_set_in_memory(opts, 1, &err));
  sand_options_set_create_if_missing(opts, 1);
  sand_options_set_memtable_size(opts, 10);
  CHECK_MESSAGE(sand_open("/other", opts, &db, &err), SAND_INVALID_ARGUMENT, "memtable_size");
  sand_options_set_memtable_size(opts, 8192);
  sand_options_set_value_separation_threshold(opts, 10); /* 1 to 63: too small to pay */
  CHECK_MESSAGE(sand_open("/other", opts, &db, &err), SAND_INVALID_ARGUMENT,
                "value_separation_threshold");
  CHECK(db == NULL);
  sand_options_set_value_separation_threshold(opts, 63);
  CHECK_MESSAGE(sand_open("/other", opts, &db, &err), SAND_INVALID_ARGUMENT,
                "value_separation_threshold");
  sand_options_set_value_separation_threshold(opts, (size_t)256 * 1024 * 1024 + 1); /* > max */
  CHECK_MESSAGE(sand_open("/other", opts, &db, &err), SAND_INVALID_ARGUMENT,
                "value_separation_threshold");
  sand_options_set_value_separation_threshold(opts, 0);
  sand_options_set_memtable_budget(opts, 8191); /* below memtable_size (8192) */
  CHECK_MESSAGE(sand_open("/other", opts, &db, &err), SAND_INVALID_ARGUMENT,
                "memtable_budget must be 0 or at least memtable_size");
  CHECK(db == NULL);
  sand_options_set_memtable_budget(opts, 0);
  sand_options_set_l0_stop(opts, 2);
  CHECK_MESSAGE(sand_open("/other", opts, &db, &err), SAND_INVALID_ARGUMENT, "l0_stop");
  CHECK(db == NULL);
  sand_options_destroy(opts);

  /* Write options. */
  sand_write_options_t* wopts = sand_write_options_create();
  CHECK(wopts != NULL);
  CHECK_OK(sand_write_options_set_sync(wopts, SAND_SYNC_SYNC, &err));
  CHECK_OK(sand_write_options_set_sync(wopts, SAND_SYNC_NOSYNC, &err));
  CHECK_OK(sand_write_options_set_sync(wopts, SAND_SYNC_DEFAULT, &err));
  CHECK_CODE(sand_write_options_set_sync(wopts, (sand_sync_mode_t)3, &err), SAND_INVALID_ARGUMENT);
  sand_write_options_destroy(wopts);
}

/* Versions 1, 2, 3, ... from put, del and batches; reads latest and at each
 * version; bytes with NULs; sync write options. */
static void test_writes_and_reads(const char* dir) {
  sand_db_t* db = open_db(dir, NULL);
  uint64_t v = 0;
  CHECK(sand_last_version(db) == 0);
  CHECK(put(db, "a", "1") == 1);
  CHECK(put(db, "b", "2") == 2);
  CHECK_OK(sand_del(db, NULL, "a", 1, &v, &err));
  CHECK(v == 3);

  sand_write_batch_t* batch = sand_write_batch_create();
  CHECK(batch != NULL);
  CHECK(sand_write_batch_count(batch) == 0);
  CHECK_CODE(sand_write(db, NULL, batch, &v, &err), SAND_INVALID_ARGUMENT); /* empty */
  CHECK(v == 0);
  CHECK_OK(sand_write_batch_put(batch, "c", 1, "3", 1, &err));
  CHECK_OK(sand_write_batch_put(batch, "d", 1, "4", 1, &err));
  CHECK_OK(sand_write_batch_del(batch, "b", 1, &err));
  CHECK(sand_write_batch_count(batch) == 3);
  CHECK_OK(sand_write(db, NULL, batch, &v, &err));
  CHECK(v == 4);
  sand_write_batch_clear(batch);
  CHECK(sand_write_batch_count(batch) == 0);
  CHECK_OK(sand_write_batch_put(batch, "c", 1, "5", 1, &err));
  CHECK_OK(sand_write(db, NULL, batch, NULL, &err)); /* version 5, not asked for */
  sand_write_batch_destroy(batch);
  CHECK(sand_last_version(db) == 5);

  /* Latest, at every version, not found. */
  CHECK(value_is(db, 0, "a", NULL));
  CHECK(value_is(db, 0, "b", NULL));
  CHECK(value_is(db, 0, "c", "5"));
  CHECK(value_is(db, 0, "d", "4"));
  CHECK(value_is(db, 0, "never", NULL));
  CHECK(value_is(db, 1, "a", "1"));
  CHECK(value_is(db, 1, "b", NULL));
  CHECK(value_is(db, 2, "b", "2"));
  CHECK(value_is(db, 3, "a", NULL));
  CHECK(value_is(db, 4, "b", NULL));
  CHECK(value_is(db, 4, "c", "3"));
  CHECK(value_is(db, 5, "c", "5"));
  int found = -1;
  char* value = (char*)1; /* must be overwritten */
  size_t len = 99;
  CHECK_MESSAGE(sand_get_at(db, 6, "a", 1, &found, &value, &len, &err), SAND_INVALID_ARGUMENT,
                "newer than the last committed version");
  CHECK(found == 0 && value == NULL && len == 0);

  /* Keys and values with NUL bytes, the empty value, the empty key. */
  const char key0[] = {'n', '\0', 'k'};
  const char val0[] = {'\0', 'v', '\0', 'w'};
  CHECK_OK(sand_put(db, NULL, key0, sizeof key0, val0, sizeof val0, &v, &err));
  CHECK(v == 6);
  CHECK_OK(sand_get(db, key0, sizeof key0, &found, &value, &len, &err));
  CHECK(found == 1 && len == sizeof val0 && memcmp(value, val0, len) == 0);
  sand_free(value);
  CHECK_OK(sand_get(db, key0, 1, &found, &value, &len, &err)); /* "n": another key */
  CHECK(found == 0 && value == NULL);
  CHECK_OK(sand_put(db, NULL, "empty", 5, NULL, 0, &v, &err));
  CHECK_OK(sand_get(db, "empty", 5, &found, &value, &len, &err));
  CHECK(found == 1 && len == 0 && value != NULL && value[0] == '\0');
  sand_free(value);
  CHECK_OK(sand_put(db, NULL, NULL, 0, "for the empty key", 17, &v, &err));
  CHECK(value_is(db, 0, "", "for the empty key"));

  /* Write options: a synced write is counted in the stats. */
  sand_write_options_t* wopts = sand_write_options_create();
  CHECK_OK(sand_write_options_set_sync(wopts, SAND_SYNC_SYNC, &err));
  CHECK_OK(sand_put(db, wopts, "s", 1, "synced", 6, &v, &err));
  CHECK(v == 9);
  CHECK_OK(sand_write_options_set_sync(wopts, SAND_SYNC_NOSYNC, &err));
  CHECK_OK(sand_del(db, wopts, "s", 1, &v, &err));
  CHECK(v == 10);
  sand_stats_t stats;
  CHECK_OK(sand_get_stats(db, &stats, sizeof stats, &err));
  CHECK(stats.wal_syncs >= 1);
  sand_write_options_destroy(wopts);

  /* Limits: a key over 64 KiB. */
  char* big = calloc(70000, 1);
  CHECK_CODE(sand_put(db, NULL, big, 70000, "v", 1, &v, &err), SAND_INVALID_ARGUMENT);
  CHECK(v == 0);
  free(big);

  CHECK_OK(sand_close(db, &err));
  sand_db_free(db);
}

/* History newest first, tombstones included, then cut by forget_before. */
static void test_history(const char* dir) {
  sand_db_t* db = open_db(dir, NULL);
  const uint64_t v1 = put(db, "h", "one");
  const uint64_t v2 = put(db, "h", "two");
  uint64_t v3 = 0;
  CHECK_OK(sand_del(db, NULL, "h", 1, &v3, &err));
  const uint64_t v4 = put(db, "h", "four");

  sand_history_t* history = NULL;
  CHECK_OK(sand_get_history(db, "h", 1, &history, &err));
  CHECK(sand_history_count(history) == 4);
  const sand_history_entry_t* e = sand_history_at(history, 0);
  CHECK(e != NULL && e->version == v4 && e->deleted == 0 && e->value_len == 4 &&
        strcmp(e->value, "four") == 0);
  e = sand_history_at(history, 1);
  CHECK(e != NULL && e->version == v3 && e->deleted == 1 && e->value_len == 0 && e->value != NULL);
  e = sand_history_at(history, 2);
  CHECK(e != NULL && e->version == v2 && e->deleted == 0 && strcmp(e->value, "two") == 0);
  e = sand_history_at(history, 3);
  CHECK(e != NULL && e->version == v1 && strcmp(e->value, "one") == 0);
  CHECK(sand_history_at(history, 4) == NULL);
  sand_history_destroy(history);

  CHECK_OK(sand_get_history(db, "nothing", 7, &history, &err));
  CHECK(sand_history_count(history) == 0);
  CHECK(sand_history_at(history, 0) == NULL);
  sand_history_destroy(history);

  /* After forget_before(v3): v3 and up, plus the newest below (v2). */
  CHECK_OK(sand_forget_before(db, v3, &err));
  CHECK_OK(sand_get_history(db, "h", 1, &history, &err));
  CHECK(sand_history_count(history) == 3);
  CHECK(sand_history_at(history, 2) != NULL && sand_history_at(history, 2)->version == v2);
  sand_history_destroy(history);
  sand_db_free(db);
}

/* Forward and reverse scans, bounds, a version, errors, and an iterator
 * outliving its database. */
static void test_scans(const char* dir) {
  sand_db_t* db = open_db(dir, NULL);
  for (int i = 0; i < 10; ++i) {
    char key[8];
    char value[8];
    snprintf(key, sizeof key, "k%d", i);
    snprintf(value, sizeof value, "v%d", i);
    put(db, key, value);
  }
  uint64_t v = 0;
  CHECK_OK(sand_del(db, NULL, "k7", 2, &v, &err));
  const uint64_t before_k8 = v;
  put(db, "k8", "changed");

  CHECK(scan_is(db, NULL, "k0,k1,k2,k3,k4,k5,k6,k8,k9"));
  sand_scan_options_t* sopts = sand_scan_options_create();
  CHECK(sopts != NULL);
  CHECK(scan_is(db, sopts, "k0,k1,k2,k3,k4,k5,k6,k8,k9"));
  CHECK_OK(sand_scan_options_set_from(sopts, "k2", 2, &err));
  CHECK_OK(sand_scan_options_set_to(sopts, "k5", 2, &err));
  CHECK(scan_is(db, sopts, "k2,k3,k4"));
  sand_scan_options_set_reverse(sopts, 1);
  CHECK(scan_is(db, sopts, "k4,k3,k2"));
  sand_scan_options_clear_to(sopts);
  CHECK(scan_is(db, sopts, "k9,k8,k6,k5,k4,k3,k2"));
  sand_scan_options_clear_from(sopts);
  CHECK_OK(sand_scan_options_set_to(sopts, "k3", 2, &err));
  CHECK(scan_is(db, sopts, "k2,k1,k0"));
  sand_scan_options_set_reverse(sopts, 0);
  sand_scan_options_clear_to(sopts);
  sand_scan_options_set_at(sopts, 7); /* k0..k6 written */
  CHECK(scan_is(db, sopts, "k0,k1,k2,k3,k4,k5,k6"));
  sand_scan_options_set_at(sopts, before_k8);
  CHECK_OK(sand_scan_options_set_from(sopts, "k6", 2, &err));
  CHECK(scan_is(db, sopts, "k6,k8,k9"));
  sand_scan_options_clear_at(sopts);
  sand_scan_options_clear_from(sopts);
  CHECK_OK(sand_scan_options_set_to(sopts, NULL, 0, &err)); /* empty bound: nothing */
  CHECK(scan_is(db, sopts, ""));
  sand_scan_options_clear_to(sopts);

  /* Values and versions through the iterator. */
  CHECK_OK(sand_scan_options_set_from(sopts, "k8", 2, &err));
  sand_iterator_t* it = NULL;
  CHECK_OK(sand_scan(db, sopts, &it, &err));
  CHECK(sand_iterator_valid(it) == 1);
  size_t len = 0;
  const char* value = sand_iterator_value(it, &len);
  CHECK(len == 7 && memcmp(value, "changed", 7) == 0);
  CHECK(sand_iterator_version(it) == before_k8 + 1);
  sand_iterator_next(it);
  value = sand_iterator_value(it, &len);
  CHECK(len == 2 && memcmp(value, "v9", 2) == 0);
  CHECK(sand_iterator_version(it) == 10);
  sand_iterator_next(it);
  CHECK(sand_iterator_valid(it) == 0);
  CHECK(sand_iterator_key(it, &len) == NULL && len == 0);
  CHECK(sand_iterator_value(it, &len) == NULL && len == 0);
  CHECK(sand_iterator_version(it) == 0);
  sand_iterator_next(it); /* past the end: nothing */
  CHECK_OK(sand_iterator_status(it, &err));
  sand_iterator_destroy(it);

  /* Refused scans. */
  CHECK_OK(sand_scan_options_set_from(sopts, "k5", 2, &err));
  CHECK_OK(sand_scan_options_set_to(sopts, "k1", 2, &err));
  CHECK_CODE(sand_scan(db, sopts, &it, &err), SAND_INVALID_ARGUMENT); /* from > to */
  CHECK(it == NULL);
  sand_scan_options_clear_from(sopts);
  sand_scan_options_clear_to(sopts);
  sand_scan_options_set_at(sopts, 1000);
  CHECK_CODE(sand_scan(db, sopts, &it, &err), SAND_INVALID_ARGUMENT); /* future */
  sand_scan_options_destroy(sopts);

  /* An iterator keeps working after its database handle is freed. */
  CHECK_OK(sand_scan(db, NULL, &it, &err));
  CHECK_OK(sand_flush(db, &err));
  sand_db_free(db);
  int n = 0;
  for (; sand_iterator_valid(it); sand_iterator_next(it)) ++n;
  CHECK(n == 9);
  CHECK_OK(sand_iterator_status(it, &err));
  sand_iterator_destroy(it);
}

/* A snapshot keeps its version readable past forget_before; the mark
 * refuses everything else below it. */
static void test_snapshots_and_retention(const char* dir) {
  sand_db_t* db = open_db(dir, NULL);
  put(db, "x", "1");
  const uint64_t v2 = put(db, "x", "2");
  sand_snapshot_t* snap = NULL;
  CHECK_OK(sand_snapshot_create(db, &snap, &err));
  CHECK(sand_snapshot_version(snap) == v2);
  put(db, "x", "3");
  const uint64_t v4 = put(db, "x", "4");
  CHECK(sand_low_water_mark(db) == 0);

  CHECK_MESSAGE(sand_forget_before(db, v4 + 1, &err), SAND_INVALID_ARGUMENT, "newer");
  CHECK_OK(sand_forget_before(db, v4, &err));
  CHECK(sand_low_water_mark(db) == v4);
  CHECK_OK(sand_forget_before(db, 1, &err)); /* never lowers */
  CHECK(sand_low_water_mark(db) == v4);

  /* The snapshot's version stays readable, through get and scan; others
   * below the mark are refused, also after a compaction. */
  CHECK_OK(sand_compact(db, &err));
  CHECK(value_is(db, sand_snapshot_version(snap), "x", "2"));
  int found = 0;
  char* value = NULL;
  size_t len = 0;
  CHECK_MESSAGE(sand_get_at(db, v2 + 1, "x", 1, &found, &value, &len, &err), SAND_INVALID_ARGUMENT,
                "below the retention mark");
  sand_scan_options_t* sopts = sand_scan_options_create();
  sand_scan_options_set_at(sopts, sand_snapshot_version(snap));
  CHECK(scan_is(db, sopts, "x"));
  sand_stats_t stats;
  CHECK_OK(sand_get_stats(db, &stats, sizeof stats, &err));
  CHECK(stats.live_snapshots == 1);
  CHECK(stats.low_water_mark == v4);

  /* Released: its version is refused too. */
  sand_snapshot_release(snap);
  CHECK_CODE(sand_get_at(db, v2, "x", 1, &found, &value, &len, &err), SAND_INVALID_ARGUMENT);
  sand_iterator_t* it = NULL;
  CHECK_CODE(sand_scan(db, sopts, &it, &err), SAND_INVALID_ARGUMENT);
  CHECK(it == NULL);
  sand_scan_options_destroy(sopts);
  CHECK_OK(sand_get_stats(db, &stats, sizeof stats, &err));
  CHECK(stats.live_snapshots == 0);
  CHECK(value_is(db, v4, "x", "4"));

  /* A snapshot outlives its handle. */
  CHECK_OK(sand_snapshot_create(db, &snap, &err));
  sand_db_free(db);
  CHECK(sand_snapshot_version(snap) == v4);
  sand_snapshot_release(snap);
}

/* Flush and compact change the shape the stats report, never the answers;
 * the stats struct honours the size the caller passes. */
static void test_flush_compact_stats(const char* dir) {
  sand_options_t* opts = small_options();
  sand_db_t* db = open_db(dir, opts);
  char key[32];
  char value[64];
  for (int i = 0; i < 300; ++i) {
    snprintf(key, sizeof key, "key%04d", i);
    snprintf(value, sizeof value, "value %d of a table-filling kind", i);
    put(db, key, value);
  }
  CHECK_OK(sand_flush(db, &err));
  sand_stats_t stats;
  CHECK_OK(sand_get_stats(db, &stats, sizeof stats, &err));
  CHECK(stats.last_version == 300);
  CHECK(stats.flushes >= 1);
  CHECK(stats.flush_bytes_written > 0);
  CHECK(stats.user_bytes_written > 0);
  CHECK(stats.write_groups >= 1 && stats.write_groups <= 300);
  CHECK(stats.manifest_bytes > 0);
  CHECK(stats.tables[0] + stats.tables[1] + stats.tables[2] >= 1);
  CHECK(stats.write_amplification > 0);
  CHECK(stats.immutable_memtables == 0);
  CHECK(stats.stall_micros == 0 || stats.stalls > 0);
  CHECK(value_is(db, 0, "key0123", "value 123 of a table-filling kind"));
  CHECK(value_is(db, 100, "key0099", "value 99 of a table-filling kind"));
  CHECK(value_is(db, 100, "key0100", NULL));

  CHECK_OK(sand_compact(db, &err));
  CHECK_OK(sand_get_stats(db, &stats, sizeof stats, &err));
  CHECK(stats.compactions >= 1);
  CHECK(stats.compaction_bytes_read > 0 && stats.compaction_bytes_written > 0);
  CHECK(stats.tables[0] == 0 && stats.tables[1] == 0 && stats.l1_runs == 0);
  CHECK(stats.tables[2] >= 1 && stats.table_bytes[2] > 0);
  CHECK(stats.space_amplification >= 1.0);
  CHECK(stats.low_water_mark == 0);
  /* Memory: the tables' readers hold their indexes; the cache is bounded. */
  CHECK(stats.table_index_filter_bytes > 0);
  CHECK(stats.block_cache_capacity == 32u << 20);
  CHECK(stats.block_cache_bytes <= stats.block_cache_capacity);
  CHECK(value_is(db, 0, "key0123", "value 123 of a table-filling kind"));
  CHECK(value_is(db, 100, "key0099", "value 99 of a table-filling kind"));
  CHECK(value_is(db, 100, "key0100", NULL));
  sand_history_t* history = NULL;
  CHECK_OK(sand_get_history(db, "key0007", 7, &history, &err));
  CHECK(sand_history_count(history) == 1);
  sand_history_destroy(history);

  /* An older caller's smaller struct: only its fields are written. */
  sand_stats_t partial;
  memset(&partial, 0xAB, sizeof partial);
  CHECK_OK(sand_get_stats(db, &partial, offsetof(sand_stats_t, memtable_bytes), &err));
  CHECK(partial.last_version == 300 && partial.low_water_mark == 0);
  CHECK(partial.memtable_bytes == 0xABABABABABABABABull);
  /* A caller built before the memory fields: they stay untouched. */
  memset(&partial, 0xAB, sizeof partial);
  CHECK_OK(sand_get_stats(db, &partial, offsetof(sand_stats_t, memtables_used_bytes), &err));
  CHECK(partial.manifest_bytes > 0 && partial.manifest_bytes != 0xABABABABABABABABull);
  CHECK(partial.memtables_used_bytes == 0xABABABABABABABABull);
  CHECK(partial.wal_buffer_bytes == 0xABABABABABABABABull);
  /* A newer caller's larger struct: the unknown tail is zeroed. */
  struct {
    sand_stats_t known;
    uint64_t newer_field;
  } larger;
  memset(&larger, 0xAB, sizeof larger);
  CHECK_OK(sand_get_stats(db, &larger.known, sizeof larger, &err));
  CHECK(larger.known.last_version == 300 && larger.newer_field == 0);

  /* A write shows in the memtable and the WAL. */
  put(db, "fresh", "write");
  CHECK_OK(sand_get_stats(db, &stats, sizeof stats, &err));
  CHECK(stats.memtable_bytes > 0 && stats.wal_bytes > 0 && stats.last_version == 301);
  CHECK(stats.memtables_used_bytes >= stats.memtable_bytes);
  CHECK(stats.memtables_reserved_bytes >= stats.memtables_used_bytes);
  CHECK(stats.wal_buffer_bytes > 0);

  CHECK_OK(sand_close(db, &err));
  sand_db_free(db);
  sand_options_destroy(opts);
}

/* ---- The memtable's index ------------------------------------------------ */

/* Writes keys mem000..mem299 (value "<index>:<round>:<i>"), deletes every
 * 7th, and reads them all back: from the memtables, after a flush, after a
 * compaction, and in a scan. `index` is what the values name. */
static void write_and_read_memtable(sand_db_t* db, const char* index, int round) {
  char key[32];
  char value[64];
  uint64_t v = 0;
  for (int i = 0; i < 300; ++i) {
    snprintf(key, sizeof key, "mem%03d", i);
    snprintf(value, sizeof value, "%s:%d:%d", index, round, i);
    CHECK(put(db, key, value) != 0);
  }
  for (int i = 0; i < 300; i += 7) {
    snprintf(key, sizeof key, "mem%03d", i);
    CHECK_OK(sand_del(db, NULL, key, strlen(key), &v, &err));
  }
  for (int pass = 0; pass < 3; ++pass) {
    if (pass == 1) CHECK_OK(sand_flush(db, &err));
    if (pass == 2) CHECK_OK(sand_compact(db, &err));
    for (int i = 0; i < 300; ++i) {
      snprintf(key, sizeof key, "mem%03d", i);
      snprintf(value, sizeof value, "%s:%d:%d", index, round, i);
      if (!CHECK(value_is(db, 0, key, i % 7 == 0 ? NULL : value))) {
        printf("  index %s, pass %d, key %d\n", index, pass, i);
      }
    }
    /* A scan from the middle, both ways: the keys in order, deleted ones
     * left out. */
    sand_scan_options_t* sopts = sand_scan_options_create();
    CHECK_OK(sand_scan_options_set_from(sopts, "mem010", 6, &err));
    CHECK_OK(sand_scan_options_set_to(sopts, "mem016", 6, &err));
    CHECK(scan_is(db, sopts, "mem010,mem011,mem012,mem013,mem015"));
    sand_scan_options_set_reverse(sopts, 1);
    CHECK(scan_is(db, sopts, "mem015,mem013,mem012,mem011,mem010"));
    sand_scan_options_destroy(sopts);
  }
}

/* Each memtable index opens, writes and reads back the same answers; a
 * database written with one reopens with the other (nothing on disk depends
 * on it); an unknown index is refused by the setter. */
static void test_memtable_index(const char* dir) {
  const sand_memtable_index_t indexes[] = {SAND_MEMTABLE_BTREE, SAND_MEMTABLE_SKIPLIST};
  const char* names[] = {"btree", "skiplist"};
  for (int k = 0; k < 2; ++k) {
    char db_dir[4096];
    snprintf(db_dir, sizeof db_dir, "%s", join(dir, names[k]));
    sand_options_t* opts = small_options();
    CHECK_OK(sand_options_set_memtable(opts, indexes[k], &err));
    sand_db_t* db = open_db(db_dir, opts);
    write_and_read_memtable(db, names[k], 1);
    CHECK(sand_last_version(db) == 300 + 43);
    /* Unflushed writes on close: the next open replays them into the
     * other index. */
    put(db, "tail", names[k]);
    CHECK_OK(sand_close(db, &err));
    sand_db_free(db);

    const int other = 1 - k;
    CHECK_OK(sand_options_set_memtable(opts, indexes[other], &err));
    db = open_db(db_dir, opts);
    CHECK(sand_last_version(db) == 300 + 43 + 1);
    CHECK(value_is(db, 0, "tail", names[k]));
    char first[64];
    snprintf(first, sizeof first, "%s:1:1", names[k]);
    CHECK(value_is(db, 0, "mem001", first));
    write_and_read_memtable(db, names[other], 2);
    CHECK_OK(sand_close(db, &err));
    sand_db_free(db);
    sand_options_destroy(opts);
  }

  /* Out of the enum: InvalidArgument naming the function and the value,
   * at once (not at open); the options stay usable. */
  sand_options_t* opts = sand_options_create();
  CHECK_MESSAGE(sand_options_set_memtable(opts, (sand_memtable_index_t)2, &err),
                SAND_INVALID_ARGUMENT, "sand_options_set_memtable: unknown memtable index 2");
  CHECK_MESSAGE(sand_options_set_memtable(opts, (sand_memtable_index_t)-1, &err),
                SAND_INVALID_ARGUMENT, "unknown memtable index -1");
  CHECK_CODE(sand_options_set_memtable(opts, (sand_memtable_index_t)2, &err),
             SAND_INVALID_ARGUMENT); /* the "Kind: message" contract */
  CHECK(sand_options_set_memtable(opts, (sand_memtable_index_t)7, NULL) == SAND_INVALID_ARGUMENT);
  CHECK_OK(sand_options_set_in_memory(opts, 1, &err));
  sand_db_t* db = open_db("/mem", opts);
  CHECK(put(db, "k", "v") == 1);
  CHECK(value_is(db, 0, "k", "v"));
  sand_db_free(db);
  sand_options_destroy(opts);
}

/* ---- Key-value separation ------------------------------------------------ */

enum { kSepKeys = 45 };

/* The value of key `i` written in `round` (1, 2, 3): its size cycles through
 * sizes around the threshold of 64, and its bytes name the key and round, so
 * a value read from the wrong place cannot pass for the right one. In a
 * static buffer, valid until the next call. */
static const char* sep_value(int i, int round) {
  static const size_t sizes[] = {0, 1, 40, 63, 64, 65, 200, 1500, 5000};
  static char buf[5001];
  const size_t n = sizes[(size_t)(i + round) % (sizeof sizes / sizeof sizes[0])];
  const int head = snprintf(buf, sizeof buf, "k%d@%d:", i, round);
  for (size_t j = (size_t)head; j < n; ++j) buf[j] = (char)('a' + (j * 7 + (size_t)round) % 26);
  buf[n] = '\0';
  return buf;
}

static const char* sep_key(int i) {
  static char key[16];
  snprintf(key, sizeof key, "sep%03d", i);
  return key;
}

/* What the separated database holds: the latest round of each key (0:
 * deleted), the version of its round-1 write, and the rounds that wrote it,
 * oldest first. */
typedef struct {
  int latest[kSepKeys];
  uint64_t first[kSepKeys];
  int rounds[kSepKeys][3];
  int writes[kSepKeys];
} sep_model_t;

/* Puts round `round` of key `i` and records it in `m`. */
static void sep_put(sand_db_t* db, sep_model_t* m, int i, int round) {
  const char* value = sep_value(i, round);
  uint64_t v = 0;
  CHECK_OK(sand_put(db, NULL, sep_key(i), 6, value, strlen(value), &v, &err));
  if (round == 1) m->first[i] = v;
  m->latest[i] = round;
  m->rounds[i][m->writes[i]++] = round;
}

/* Every read path answers from the model: get, get_at, a scan with values,
 * history. */
static void check_sep_reads(sand_db_t* db, const sep_model_t* m) {
  int live = 0;
  for (int i = 0; i < kSepKeys; ++i) {
    const char* want = m->latest[i] == 0 ? NULL : sep_value(i, m->latest[i]);
    if (!CHECK(value_is(db, 0, sep_key(i), want))) printf("  key %d, round %d\n", i, m->latest[i]);
    CHECK(value_is(db, m->first[i], sep_key(i), sep_value(i, 1)));
    if (m->latest[i] != 0) ++live;
  }
  sand_scan_options_t* sopts = sand_scan_options_create();
  CHECK_OK(sand_scan_options_set_prefix(sopts, "sep", 3, &err));
  sand_iterator_t* it = NULL;
  CHECK_OK(sand_scan(db, sopts, &it, &err));
  int seen = 0;
  int prev = -1;
  for (; it != NULL && sand_iterator_valid(it); sand_iterator_next(it)) {
    size_t klen = 0;
    size_t vlen = 0;
    const char* key = sand_iterator_key(it, &klen);
    const char* value = sand_iterator_value(it, &vlen);
    /* "sepNNN", not NUL-terminated */
    const int i = klen == 6 ? (key[3] - '0') * 100 + (key[4] - '0') * 10 + (key[5] - '0') : -1;
    CHECK(i > prev && i < kSepKeys && m->latest[i] != 0);
    if (i > prev && i < kSepKeys && m->latest[i] != 0) {
      const char* want = sep_value(i, m->latest[i]);
      CHECK(vlen == strlen(want) && memcmp(value, want, vlen) == 0);
    }
    prev = i;
    ++seen;
  }
  CHECK(seen == live);
  CHECK_OK(sand_iterator_status(it, &err));
  sand_iterator_destroy(it);
  sand_scan_options_destroy(sopts);
  /* Keys never deleted (not multiples of 5): the history lists every
   * round that wrote them, newest first. */
  for (int i = 0; i < kSepKeys; ++i) {
    if (i % 5 == 0) continue;
    const int n = m->writes[i];
    sand_history_t* history = NULL;
    CHECK_OK(sand_get_history(db, sep_key(i), 6, &history, &err));
    CHECK(sand_history_count(history) == (size_t)n);
    for (int k = 0; k < n; ++k) {
      const sand_history_entry_t* e = sand_history_at(history, (size_t)k);
      const char* want = sep_value(i, m->rounds[i][n - 1 - k]);
      CHECK(e != NULL && e->deleted == 0 && e->value_len == strlen(want) &&
            memcmp(e->value, want, e->value_len) == 0);
    }
    const sand_history_entry_t* oldest = sand_history_at(history, (size_t)n - 1);
    CHECK(oldest != NULL && oldest->version == m->first[i]);
    sand_history_destroy(history);
  }
}

/* sand_check's count of WAL files (live WALs and value files) in `dir`. */
static uint64_t checked_wal_files(const char* dir) {
  sand_check_report_t* report = NULL;
  CHECK_OK(sand_check(dir, NULL, &report, &err));
  CHECK(sand_check_report_ok(report) == 1);
  const sand_check_totals_t* wals = sand_check_report_totals(report, SAND_CHECK_WAL);
  const uint64_t n = wals != NULL ? wals->files : 0;
  sand_check_report_destroy(report);
  return n;
}

/* Values of at least the threshold are stored once and referenced: every
 * read answers as if inline, from the memtable, after flush and compaction,
 * after reopening (also with separation off), and a value file stays. */
static void test_value_separation(const char* dir) {
  char sep_dir[4096];
  snprintf(sep_dir, sizeof sep_dir, "%s", join(dir, "sep"));
  sand_options_t* opts = small_options();
  sand_options_set_value_separation_threshold(opts, 64);
  sand_db_t* db = open_db(sep_dir, opts);
  sep_model_t m;
  memset(&m, 0, sizeof m);
  uint64_t v = 0;
  for (int i = 0; i < kSepKeys; ++i) sep_put(db, &m, i, 1);
  /* Round 2 for even keys, in one batch; multiples of 5 deleted. */
  sand_write_batch_t* batch = sand_write_batch_create();
  for (int i = 0; i < kSepKeys; i += 2) {
    const char* value = sep_value(i, 2);
    CHECK_OK(sand_write_batch_put(batch, sep_key(i), 6, value, strlen(value), &err));
    m.latest[i] = 2;
    m.rounds[i][m.writes[i]++] = 2;
  }
  CHECK_OK(sand_write(db, NULL, batch, &v, &err));
  sand_write_batch_destroy(batch);
  for (int i = 0; i < kSepKeys; i += 5) {
    CHECK_OK(sand_del(db, NULL, sep_key(i), 6, &v, &err));
    m.latest[i] = 0;
  }
  check_sep_reads(db, &m); /* memtables and level 0 */
  CHECK_OK(sand_flush(db, &err));
  check_sep_reads(db, &m);
  CHECK_OK(sand_compact(db, &err));
  check_sep_reads(db, &m); /* level 2 */
  const uint64_t last = sand_last_version(db);
  CHECK_OK(sand_close(db, &err));
  sand_db_free(db);
  /* The tables reference values in sealed WALs: value files stay next to
   * the live WAL. */
  CHECK(checked_wal_files(sep_dir) >= 2);

  db = open_db(sep_dir, opts);
  CHECK(sand_last_version(db) == last);
  check_sep_reads(db, &m);
  /* Round 3 for keys 1, 4, 7, ... after the reopen, then compacted. */
  for (int i = 1; i < kSepKeys; i += 3) {
    if (i % 5 != 0) sep_put(db, &m, i, 3); /* deleted keys stay deleted */
  }
  CHECK_OK(sand_compact(db, &err));
  check_sep_reads(db, &m);
  CHECK_OK(sand_close(db, &err));
  sand_db_free(db);

  /* Separation off: the references written before still resolve. */
  sand_options_set_value_separation_threshold(opts, 0);
  db = open_db(sep_dir, opts);
  check_sep_reads(db, &m);
  CHECK_OK(sand_close(db, &err));
  sand_db_free(db);
  CHECK(checked_wal_files(sep_dir) >= 2);

  /* The same writes with separation off leave no value file: the setter
   * is what made the difference. */
  char inline_dir[4096];
  snprintf(inline_dir, sizeof inline_dir, "%s", join(dir, "inline"));
  db = open_db(inline_dir, opts);
  for (int i = 0; i < kSepKeys; ++i) {
    const char* value = sep_value(i, 1);
    CHECK_OK(sand_put(db, NULL, sep_key(i), 6, value, strlen(value), &v, &err));
  }
  CHECK_OK(sand_compact(db, &err));
  CHECK_OK(sand_close(db, &err));
  sand_db_free(db);
  CHECK(checked_wal_files(inline_dir) == 1);
  sand_options_destroy(opts);
}

/* Versions continue across a reopen; a closed handle refuses writes. */
static void test_reopen_and_close(const char* dir) {
  sand_db_t* db = open_db(dir, NULL);
  put(db, "r", "1");
  put(db, "r", "2");
  CHECK_OK(sand_close(db, &err));
  uint64_t v = 7;
  CHECK_CODE(sand_put(db, NULL, "r", 1, "3", 1, &v, &err), SAND_READ_ONLY);
  CHECK(v == 0);
  CHECK_CODE(sand_del(db, NULL, "r", 1, &v, &err), SAND_READ_ONLY);
  sand_write_batch_t* batch = sand_write_batch_create();
  CHECK_OK(sand_write_batch_put(batch, "r", 1, "3", 1, &err));
  CHECK_CODE(sand_write(db, NULL, batch, &v, &err), SAND_READ_ONLY);
  CHECK_CODE(sand_flush(db, &err), SAND_READ_ONLY);
  CHECK_CODE(sand_forget_before(db, 1, &err), SAND_READ_ONLY);
  CHECK_OK(sand_close(db, &err)); /* idempotent */
  sand_db_free(db);

  db = open_db(dir, NULL);
  CHECK(sand_last_version(db) == 2);
  CHECK(value_is(db, 0, "r", "2"));
  CHECK(value_is(db, 1, "r", "1"));
  CHECK_OK(sand_write(db, NULL, batch, &v, &err));
  CHECK(v == 3);
  sand_write_batch_destroy(batch);
  sand_db_free(db); /* without sand_close: closes, ignoring errors */

  db = open_db(dir, NULL);
  CHECK(sand_last_version(db) == 3);
  CHECK(value_is(db, 0, "r", "3"));
  sand_db_free(db);
}

/* One writer at a time (Busy); read-only handles follow it with refresh. */
static void test_read_only_and_busy(const char* dir) {
  sand_db_t* writer = open_db(dir, NULL);
  put(writer, "w", "1");

  sand_db_t* second = (sand_db_t*)&second; /* must be overwritten */
  CHECK_MESSAGE(sand_open(dir, NULL, &second, &err), SAND_BUSY, "LOCK");
  CHECK(second == NULL);

  sand_db_t* reader = NULL;
  CHECK_OK(sand_open_read_only(dir, NULL, &reader, &err));
  CHECK(reader != NULL);
  CHECK(value_is(reader, 0, "w", "1"));
  CHECK(sand_last_version(reader) == 1);
  put(writer, "w", "2");
  CHECK_OK(sand_flush(writer, &err));
  put(writer, "w2", "3");
  CHECK(value_is(reader, 0, "w", "1")); /* not refreshed yet */
  CHECK_OK(sand_refresh(reader, &err));
  CHECK(sand_last_version(reader) == 3);
  CHECK(value_is(reader, 0, "w", "2"));
  CHECK(value_is(reader, 0, "w2", "3"));
  CHECK(value_is(reader, 1, "w", "1"));
  CHECK(scan_is(reader, NULL, "w,w2"));
  CHECK_OK(sand_refresh(writer, &err)); /* a writer is always current */

  uint64_t v = 0;
  CHECK_CODE(sand_put(reader, NULL, "w", 1, "x", 1, &v, &err), SAND_READ_ONLY);
  CHECK_CODE(sand_del(reader, NULL, "w", 1, &v, &err), SAND_READ_ONLY);
  CHECK_CODE(sand_flush(reader, &err), SAND_READ_ONLY);
  CHECK_CODE(sand_compact(reader, &err), SAND_READ_ONLY);
  CHECK_CODE(sand_forget_before(reader, 1, &err), SAND_READ_ONLY);

  CHECK_OK(sand_close(reader, &err));
  CHECK_CODE(sand_refresh(reader, &err), SAND_READ_ONLY);
  sand_db_free(reader);
  CHECK_OK(sand_close(writer, &err));
  sand_db_free(writer);

  /* The lock went with the writer. */
  writer = open_db(dir, NULL);
  sand_db_free(writer);

  sand_options_t* opts = sand_options_create();
  sand_options_set_create_if_missing(opts, 0);
  CHECK_CODE(sand_open_read_only(join(dir, "missing"), opts, &reader, &err), SAND_NOT_FOUND);
  CHECK(reader == NULL);
  sand_options_destroy(opts);
}

/* sand_check on a healthy database, then on one with a flipped table byte. */
static void test_check(const char* dir) {
  sand_options_t* opts = small_options();
  sand_db_t* db = open_db(dir, opts);
  char key[32];
  for (int i = 0; i < 200; ++i) {
    snprintf(key, sizeof key, "key%04d", i);
    put(db, key, "some value bytes to fill the tables");
  }
  CHECK_OK(sand_compact(db, &err));
  put(db, "in the wal", "only");
  CHECK_OK(sand_close(db, &err));
  sand_db_free(db);

  sand_check_report_t* report = NULL;
  CHECK_OK(sand_check(dir, NULL, &report, &err));
  CHECK(sand_check_report_ok(report) == 1);
  CHECK(sand_check_report_problem_count(report) == 0);
  CHECK(sand_check_report_problem(report, 0) == NULL);
  const size_t files = sand_check_report_file_count(report);
  CHECK(files >= 3); /* MANIFEST, a table, a WAL */
  const sand_check_file_t* first = sand_check_report_file(report, 0);
  CHECK(first != NULL && first->type == SAND_CHECK_MANIFEST &&
        strcmp(first->name, "MANIFEST") == 0);
  CHECK(sand_check_report_file(report, files) == NULL);
  const sand_check_totals_t* tables = sand_check_report_totals(report, SAND_CHECK_TABLE);
  const sand_check_totals_t* wals = sand_check_report_totals(report, SAND_CHECK_WAL);
  const sand_check_totals_t* manifest = sand_check_report_totals(report, SAND_CHECK_MANIFEST);
  CHECK(tables != NULL && tables->files >= 1 && tables->entries >= 200 && tables->units >= 1 &&
        tables->bytes > 0);
  CHECK(wals != NULL && wals->files >= 1 && wals->entries >= 1);
  CHECK(manifest != NULL && manifest->files == 1 && manifest->units >= 1);
  CHECK(manifest->files + tables->files + wals->files == files);
  /* Value logs have no totals of their own (they count with the WALs). */
  CHECK(sand_check_report_totals(report, SAND_CHECK_VALUE_LOG) == NULL);
  CHECK(sand_check_report_totals(report, (sand_check_file_type_t)4) == NULL);
  CHECK(sand_check_report_totals(report, (sand_check_file_type_t)-1) == NULL);
  /* Find a table the report names, to damage it. */
  char table[64] = "";
  for (size_t i = 0; i < files; ++i) {
    const sand_check_file_t* f = sand_check_report_file(report, i);
    CHECK(f->outcome == SAND_CHECK_FILE_OK);
    if (f->type == SAND_CHECK_TABLE && table[0] == '\0' && f->bytes > 64) {
      snprintf(table, sizeof table, "%s", f->name);
    }
  }
  for (size_t i = 0; i < sand_check_report_note_count(report); ++i) {
    const sand_check_finding_t* note = sand_check_report_note(report, i);
    CHECK(note != NULL && note->file != NULL && note->what != NULL);
  }
  CHECK(sand_check_report_note(report, sand_check_report_note_count(report)) == NULL);
  sand_check_report_destroy(report);
  CHECK(strstr(table, ".sst") != NULL);

  /* The table is also visible in the directory listing. */
  int listed = 0;
  DIR* d = opendir(dir);
  CHECK(d != NULL);
  for (struct dirent* entry; d != NULL && (entry = readdir(d)) != NULL;) {
    if (strcmp(entry->d_name, table) == 0) listed = 1;
  }
  if (d != NULL) closedir(d);
  CHECK(listed);

  /* One flipped byte inside the first data block. */
  FILE* f = fopen(join(dir, table), "r+b");
  CHECK(f != NULL);
  if (f != NULL) {
    CHECK(fseek(f, 5, SEEK_SET) == 0);
    const int c = fgetc(f);
    CHECK(fseek(f, 5, SEEK_SET) == 0);
    fputc(c ^ 0x40, f);
    fclose(f);
  }
  CHECK_OK(sand_check(dir, NULL, &report, &err));
  CHECK(sand_check_report_ok(report) == 0);
  CHECK(sand_check_report_problem_count(report) >= 1);
  const sand_check_finding_t* problem = sand_check_report_problem(report, 0);
  CHECK(problem != NULL && strcmp(problem->file, table) == 0 && problem->what[0] != '\0' &&
        problem->offset != SAND_CHECK_WHOLE_FILE);
  int bad = 0;
  for (size_t i = 0; i < sand_check_report_file_count(report); ++i) {
    const sand_check_file_t* file = sand_check_report_file(report, i);
    if (strcmp(file->name, table) == 0) bad = file->outcome == SAND_CHECK_FILE_BAD;
  }
  CHECK(bad);
  sand_check_report_destroy(report);

  CHECK_CODE(sand_check(join(dir, "missing"), NULL, &report, &err), SAND_NOT_FOUND);
  CHECK(report == NULL);
  sand_options_destroy(opts);
}

/* sand_check on a database with a value log: two keys with 100-byte values
 * flushed, one overwritten and a short value put (so that the overwrite is
 * below the mark) and flushed, then forget_before the last version and
 * compact(), which moves the live value out of the half dead first WAL into
 * a value log (NNNNNN.val). The value log is ::SAND_CHECK_VALUE_LOG,
 * each .wal ::SAND_CHECK_WAL, and the WAL totals count both. */
static void test_check_value_log(const char* dir) {
  sand_options_t* opts = sand_options_create();
  sand_options_set_value_separation_threshold(opts, 64);
  CHECK_OK(sand_options_set_compression(opts, SAND_COMPRESSION_NONE, &err));
  sand_db_t* db = open_db(dir, opts);
  char a[101], b[101];
  memset(a, 'a', 100);
  memset(b, 'b', 100);
  a[100] = b[100] = '\0';
  put(db, "a", a);
  put(db, "b", b);
  CHECK_OK(sand_flush(db, &err));
  memset(a, 'A', 100);
  put(db, "a", a);
  put(db, "tick", "1");
  CHECK_OK(sand_flush(db, &err));
  CHECK_OK(sand_forget_before(db, sand_last_version(db), &err));
  CHECK_OK(sand_compact(db, &err));
  CHECK_OK(sand_close(db, &err));
  sand_db_free(db);
  sand_options_destroy(opts);

  sand_check_report_t* report = NULL;
  CHECK_OK(sand_check(dir, NULL, &report, &err));
  CHECK(sand_check_report_ok(report) == 1);
  size_t value_logs = 0, wals = 0;
  for (size_t i = 0; i < sand_check_report_file_count(report); ++i) {
    const sand_check_file_t* f = sand_check_report_file(report, i);
    const size_t len = strlen(f->name);
    CHECK(f->outcome == SAND_CHECK_FILE_OK);
    if (len > 4 && strcmp(f->name + len - 4, ".val") == 0) {
      ++value_logs;
      CHECK(f->type == SAND_CHECK_VALUE_LOG);
      CHECK(f->units == 1 && f->entries == 1 && f->bytes > 100);
    } else if (len > 4 && strcmp(f->name + len - 4, ".wal") == 0) {
      ++wals;
      CHECK(f->type == SAND_CHECK_WAL);
    } else {
      CHECK(f->type == SAND_CHECK_MANIFEST || f->type == SAND_CHECK_TABLE);
    }
  }
  CHECK(value_logs == 1);
  const sand_check_totals_t* totals = sand_check_report_totals(report, SAND_CHECK_WAL);
  CHECK(totals != NULL && totals->files == wals + value_logs);
  CHECK(sand_check_report_totals(report, SAND_CHECK_VALUE_LOG) == NULL);
  sand_check_report_destroy(report);
}

/* NULL handles and NULL required pointers: InvalidArgument naming the
 * argument, never a crash; cleanup functions accept NULL. */
static void test_null_arguments(const char* dir) {
  sand_db_t* db = NULL;
  uint64_t v = 0;
  int found = 0;
  char* value = NULL;
  size_t len = 0;
  CHECK_MESSAGE(sand_open(NULL, NULL, &db, &err), SAND_INVALID_ARGUMENT, "path");
  CHECK_MESSAGE(sand_open(dir, NULL, NULL, &err), SAND_INVALID_ARGUMENT, "db");
  CHECK_MESSAGE(sand_open_read_only(NULL, NULL, &db, &err), SAND_INVALID_ARGUMENT, "path");
  CHECK_MESSAGE(sand_refresh(NULL, &err), SAND_INVALID_ARGUMENT, "sand_refresh: db is NULL");
  CHECK_MESSAGE(sand_close(NULL, &err), SAND_INVALID_ARGUMENT, "db");
  CHECK_MESSAGE(sand_put(NULL, NULL, "k", 1, "v", 1, &v, &err), SAND_INVALID_ARGUMENT, "db");
  CHECK_MESSAGE(sand_del(NULL, NULL, "k", 1, &v, &err), SAND_INVALID_ARGUMENT, "db");
  CHECK_MESSAGE(sand_write(NULL, NULL, NULL, &v, &err), SAND_INVALID_ARGUMENT, "db");
  CHECK_MESSAGE(sand_get(NULL, "k", 1, &found, &value, &len, &err), SAND_INVALID_ARGUMENT, "db");
  CHECK_MESSAGE(sand_get_at(NULL, 1, "k", 1, &found, &value, &len, &err), SAND_INVALID_ARGUMENT,
                "db");
  sand_history_t* history = NULL;
  CHECK_MESSAGE(sand_get_history(NULL, "k", 1, &history, &err), SAND_INVALID_ARGUMENT, "db");
  sand_iterator_t* it = NULL;
  CHECK_MESSAGE(sand_scan(NULL, NULL, &it, &err), SAND_INVALID_ARGUMENT, "db");
  sand_snapshot_t* snap = NULL;
  CHECK_MESSAGE(sand_snapshot_create(NULL, &snap, &err), SAND_INVALID_ARGUMENT, "db");
  CHECK_MESSAGE(sand_forget_before(NULL, 1, &err), SAND_INVALID_ARGUMENT, "db");
  CHECK_MESSAGE(sand_flush(NULL, &err), SAND_INVALID_ARGUMENT, "db");
  CHECK_MESSAGE(sand_compact(NULL, &err), SAND_INVALID_ARGUMENT, "db");
  sand_stats_t stats;
  CHECK_MESSAGE(sand_get_stats(NULL, &stats, sizeof stats, &err), SAND_INVALID_ARGUMENT, "db");
  sand_check_report_t* report = NULL;
  CHECK_MESSAGE(sand_check(NULL, NULL, &report, &err), SAND_INVALID_ARGUMENT, "path");
  CHECK_MESSAGE(sand_check(dir, NULL, NULL, &err), SAND_INVALID_ARGUMENT, "report");
  CHECK_MESSAGE(sand_iterator_status(NULL, &err), SAND_INVALID_ARGUMENT, "iterator");
  CHECK_MESSAGE(sand_options_set_compression(NULL, SAND_COMPRESSION_LZ4, &err),
                SAND_INVALID_ARGUMENT, "opts");
  CHECK_MESSAGE(sand_options_set_retention(NULL, SAND_RETENTION_ALL, &err), SAND_INVALID_ARGUMENT,
                "opts");
  CHECK_MESSAGE(sand_options_set_memtable(NULL, SAND_MEMTABLE_BTREE, &err), SAND_INVALID_ARGUMENT,
                "sand_options_set_memtable: opts is NULL");
  CHECK_MESSAGE(sand_options_set_in_memory(NULL, 1, &err), SAND_INVALID_ARGUMENT, "opts");
  CHECK_MESSAGE(sand_write_options_set_sync(NULL, SAND_SYNC_SYNC, &err), SAND_INVALID_ARGUMENT,
                "wopts");
  CHECK_MESSAGE(sand_scan_options_set_from(NULL, "a", 1, &err), SAND_INVALID_ARGUMENT, "sopts");
  CHECK_MESSAGE(sand_scan_options_set_to(NULL, "a", 1, &err), SAND_INVALID_ARGUMENT, "sopts");
  CHECK_MESSAGE(sand_write_batch_put(NULL, "k", 1, "v", 1, &err), SAND_INVALID_ARGUMENT, "batch");
  CHECK_MESSAGE(sand_write_batch_del(NULL, "k", 1, &err), SAND_INVALID_ARGUMENT, "batch");

  /* Required pointers on a live handle; NULL bytes with a length. */
  db = open_db(dir, NULL);
  CHECK_MESSAGE(sand_put(db, NULL, NULL, 3, "v", 1, &v, &err), SAND_INVALID_ARGUMENT, "key");
  CHECK_MESSAGE(sand_put(db, NULL, "k", 1, NULL, 2, &v, &err), SAND_INVALID_ARGUMENT, "value");
  CHECK_MESSAGE(sand_del(db, NULL, NULL, 1, &v, &err), SAND_INVALID_ARGUMENT, "key");
  CHECK_MESSAGE(sand_write(db, NULL, NULL, &v, &err), SAND_INVALID_ARGUMENT, "batch");
  CHECK_MESSAGE(sand_get(db, "k", 1, NULL, &value, &len, &err), SAND_INVALID_ARGUMENT, "found");
  CHECK_MESSAGE(sand_get(db, "k", 1, &found, NULL, &len, &err), SAND_INVALID_ARGUMENT, "value");
  CHECK_MESSAGE(sand_get(db, "k", 1, &found, &value, NULL, &err), SAND_INVALID_ARGUMENT,
                "valuelen");
  CHECK_MESSAGE(sand_get(db, NULL, 1, &found, &value, &len, &err), SAND_INVALID_ARGUMENT, "key");
  CHECK_MESSAGE(sand_get_history(db, "k", 1, NULL, &err), SAND_INVALID_ARGUMENT, "history");
  CHECK_MESSAGE(sand_scan(db, NULL, NULL, &err), SAND_INVALID_ARGUMENT, "iterator");
  CHECK_MESSAGE(sand_snapshot_create(db, NULL, &err), SAND_INVALID_ARGUMENT, "snapshot");
  CHECK_MESSAGE(sand_get_stats(db, NULL, sizeof stats, &err), SAND_INVALID_ARGUMENT, "stats");
  sand_write_batch_t* batch = sand_write_batch_create();
  CHECK_MESSAGE(sand_write_batch_put(batch, NULL, 1, "v", 1, &err), SAND_INVALID_ARGUMENT, "key");
  CHECK(sand_write_batch_count(batch) == 0);
  sand_write_batch_destroy(batch);
  sand_scan_options_t* sopts = sand_scan_options_create();
  CHECK_MESSAGE(sand_scan_options_set_from(sopts, NULL, 4, &err), SAND_INVALID_ARGUMENT, "key");
  sand_scan_options_destroy(sopts);

  /* errmsg may be NULL; the code still comes back. */
  CHECK(sand_put(db, NULL, NULL, 3, "v", 1, &v, NULL) == SAND_INVALID_ARGUMENT);
  CHECK(sand_put(db, NULL, "k", 1, "v", 1, NULL, NULL) == SAND_OK);
  /* *errmsg is cleared on success, whatever it held. */
  char* stale = (char*)&stale;
  CHECK(sand_flush(db, &stale) == SAND_OK && stale == NULL);
  sand_db_free(db);

  /* Accessors answer 0/NULL, cleanup functions do nothing. */
  CHECK(sand_last_version(NULL) == 0);
  CHECK(sand_low_water_mark(NULL) == 0);
  CHECK(sand_snapshot_version(NULL) == 0);
  CHECK(sand_write_batch_count(NULL) == 0);
  CHECK(sand_history_count(NULL) == 0);
  CHECK(sand_history_at(NULL, 0) == NULL);
  CHECK(sand_iterator_valid(NULL) == 0);
  CHECK(sand_iterator_key(NULL, &len) == NULL && len == 0);
  CHECK(sand_iterator_value(NULL, NULL) == NULL);
  CHECK(sand_iterator_version(NULL) == 0);
  CHECK(sand_check_report_ok(NULL) == 0);
  CHECK(sand_check_report_file_count(NULL) == 0);
  CHECK(sand_check_report_file(NULL, 0) == NULL);
  CHECK(sand_check_report_problem_count(NULL) == 0);
  CHECK(sand_check_report_problem(NULL, 0) == NULL);
  CHECK(sand_check_report_note_count(NULL) == 0);
  CHECK(sand_check_report_note(NULL, 0) == NULL);
  CHECK(sand_check_report_totals(NULL, SAND_CHECK_TABLE) == NULL);
  sand_iterator_next(NULL);
  sand_write_batch_clear(NULL);
  sand_options_set_create_if_missing(NULL, 1);
  sand_options_set_error_if_exists(NULL, 1);
  sand_options_set_memtable_size(NULL, 1);
  sand_options_set_value_separation_threshold(NULL, 64);
  sand_options_set_block_size(NULL, 1);
  sand_options_set_block_restart_interval(NULL, 1);
  sand_options_set_bloom_bits_per_key(NULL, 1);
  sand_options_set_block_cache_size(NULL, 1);
  sand_options_set_sync(NULL, 1);
  sand_options_set_l0_trigger(NULL, 1);
  sand_options_set_l0_stop(NULL, 1);
  sand_options_set_l1_trigger(NULL, 1);
  sand_options_set_target_file_size(NULL, 1);
  sand_options_set_max_frozen_memtables(NULL, 1);
  sand_options_set_memtable_budget(NULL, 1);
  sand_options_set_manifest_rollover_size(NULL, 1);
  sand_options_set_point_in_time_recovery(NULL, 1);
  sand_scan_options_set_at(NULL, 1);
  sand_scan_options_set_reverse(NULL, 1);
  sand_scan_options_clear_from(NULL);
  sand_scan_options_clear_to(NULL);
  sand_scan_options_clear_at(NULL);
  sand_db_free(NULL);
  sand_options_destroy(NULL);
  sand_write_options_destroy(NULL);
  sand_write_batch_destroy(NULL);
  sand_history_destroy(NULL);
  sand_scan_options_destroy(NULL);
  sand_iterator_destroy(NULL);
  sand_snapshot_release(NULL);
  sand_check_report_destroy(NULL);
  CHECK(1); /* reached: nothing above crashed */
}

/* Each test gets a fresh directory. */
/* A checkpoint opens as a database holding the state at its version. */
static void test_checkpoint(const char* dir) {
  char src[4096], dst[4096];
  snprintf(src, sizeof src, "%s", join(dir, "db"));
  snprintf(dst, sizeof dst, "%s", join(dir, "copy"));
  sand_db_t* db = open_db(src, NULL);
  put(db, "a", "1");
  CHECK_OK(sand_flush(db, &err));
  const uint64_t last = put(db, "b", "2");
  uint64_t v = 0;
  CHECK_OK(sand_checkpoint(db, dst, &v, &err));
  CHECK(v == last);
  put(db, "c", "3");
  CHECK_MESSAGE(sand_checkpoint(db, dst, &v, &err), SAND_INVALID_ARGUMENT, "exists");
  CHECK(v == 0);
  CHECK_MESSAGE(sand_checkpoint(db, NULL, &v, &err), SAND_INVALID_ARGUMENT, "dir");

  sand_db_t* copy = open_db(dst, NULL);
  CHECK(sand_last_version(copy) == last);
  CHECK(value_is(copy, 0, "a", "1"));
  CHECK(value_is(copy, 0, "b", "2"));
  CHECK(value_is(copy, 0, "c", NULL));
  CHECK_OK(sand_close(copy, &err));
  sand_db_free(copy);
  CHECK_OK(sand_close(db, &err));
  CHECK_CODE(sand_checkpoint(db, join(dir, "copy2"), &v, &err), SAND_READ_ONLY);
  sand_db_free(db);
}

/* An archive imports to a database with the same versions and mark. */
static void test_archive(const char* dir) {
  char src[4096], file[4096], dst[4096];
  snprintf(src, sizeof src, "%s", join(dir, "db"));
  snprintf(file, sizeof file, "%s", join(dir, "db.sandx"));
  snprintf(dst, sizeof dst, "%s", join(dir, "copy"));
  sand_db_t* db = open_db(src, NULL);
  put(db, "a", "1");
  put(db, "a", "2");
  put(db, "b", "3");
  CHECK_OK(sand_forget_before(db, 2, &err));
  uint64_t n = 99;
  CHECK_OK(sand_export_archive(db, file, &n, &err));
  CHECK(n == 3); /* a@2, a@1 (the state at the mark), b@3 */
  CHECK_MESSAGE(sand_export_archive(db, join(dir, "no/such/dir/x"), &n, &err), SAND_IO_ERROR,
                "no/such/dir");
  CHECK(n == 0);
  CHECK_OK(sand_close(db, &err));
  sand_db_free(db);

  CHECK_OK(sand_import_archive(dst, file, NULL, &n, &err));
  CHECK(n == 3);
  CHECK_MESSAGE(sand_import_archive(dst, file, NULL, &n, &err), SAND_INVALID_ARGUMENT, "not empty");
  CHECK_MESSAGE(
      sand_import_archive(join(dir, "other"), "/nonexistent/missing.sandx", NULL, &n, &err),
      SAND_IO_ERROR, "missing.sandx");
  CHECK_MESSAGE(sand_import_archive(NULL, file, NULL, &n, &err), SAND_INVALID_ARGUMENT, "dir");
  sand_db_t* copy = open_db(dst, NULL);
  CHECK(sand_last_version(copy) == 3);
  CHECK(sand_low_water_mark(copy) == 2);
  CHECK(value_is(copy, 0, "a", "2"));
  CHECK(value_is(copy, 2, "a", "2"));
  CHECK(value_is(copy, 3, "b", "3"));
  CHECK(put(copy, "c", "4") == 4);
  CHECK_OK(sand_close(copy, &err));
  sand_db_free(copy);
}

static void run(void (*test)(const char* dir)) {
  char* dir = make_temp_dir();
  test(dir);
  remove_temp_dir(dir);
}

int main(void) {
  test_version_and_codes();
  test_options();
  run(test_writes_and_reads);
  run(test_history);
  run(test_scans);
  run(test_snapshots_and_retention);
  run(test_flush_compact_stats);
  run(test_memtable_index);
  run(test_value_separation);
  run(test_reopen_and_close);
  run(test_read_only_and_busy);
  run(test_check);
  run(test_check_value_log);
  run(test_null_arguments);
  run(test_checkpoint);
  run(test_archive);
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
