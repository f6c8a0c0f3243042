/* The versioned part of the C API (include/sand/c.h) exercised from C:
 * iterator seeks and prev, scan prefixes, sand_get_versioned,
 * sand_multi_get, the change feed, sand_wait_for_version (also from a
 * read-only handle while a thread writes) and write batch preconditions
 * (SAND_CONFLICT), with their error paths and NULL arguments.
 *
 * The framework is c_test_support.h: the last line is "N passed, N failed"
 * and the exit status is non-zero if anything failed. It must stay
 * leak-free: ctest also runs it under ASan's leak checker. */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, clock_gettime, nanosleep */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "c_test_support.h"
#include "sand/c.h"

/* ---- Helpers ------------------------------------------------------------- */

static uint64_t del(sand_db_t* db, const char* key) {
  uint64_t v = 0;
  CHECK_OK(sand_del(db, NULL, key, strlen(key), &v, &err));
  return v;
}

static int bytes_are(const char* got, size_t len, const char* want) {
  return got != NULL && len == strlen(want) && memcmp(got, want, len) == 0;
}

/* The iterator's current key is `want` (NULL: not valid). */
static int at_key(const sand_iterator_t* it, const char* want) {
  size_t len = 0;
  const char* key = sand_iterator_key(it, &len);
  const int ok = want == NULL ? sand_iterator_valid(it) == 0 && key == NULL
                              : sand_iterator_valid(it) == 1 && bytes_are(key, len, want);
  if (!ok) {
    printf("  iterator at \"%.*s\" (valid %d), expected %s\n", (int)len, key != NULL ? key : "",
           sand_iterator_valid(it), want != NULL ? want : "the end");
  }
  return ok;
}

/* The scan's keys joined with ',' (every step with next), or "!" on error. */
static int scan_is(sand_db_t* db, const sand_scan_options_t* sopts, const char* want) {
  char got[512] = "";
  sand_iterator_t* it = NULL;
  char* err = NULL;
  sand_code_t code = sand_scan(db, sopts, &it, &err);
  for (; sand_iterator_valid(it); sand_iterator_next(it)) {
    size_t len = 0;
    const char* key = sand_iterator_key(it, &len);
    if (got[0] != '\0') strcat(got, ",");
    strncat(got, key, len);
  }
  if (code == SAND_OK) code = sand_iterator_status(it, &err);
  sand_iterator_destroy(it);
  const int ok = code == SAND_OK && strcmp(got, want) == 0;
  if (!ok) {
    printf("  scan: %s [%s], expected [%s] (%s)\n", sand_code_name(code), got, want,
           err != NULL ? err : "no message");
  }
  sand_free(err);
  return ok;
}

/* The whole feed as text: "v1[+a=1]v2[-a,+b=2]" ('+' a put, '-' a deletion),
 * and its until() in *until. Returns the feed's status code. */
static sand_code_t feed_text(sand_db_t* db, const sand_change_options_t* copts, char* out,
                             size_t out_size, uint64_t* until) {
  sand_change_iterator_t* feed = NULL;
  char* err = NULL;
  out[0] = '\0';
  *until = 0;
  sand_code_t code = sand_changes(db, copts, &feed, &err);
  if (code != SAND_OK) {
    printf("  sand_changes: %s\n", err != NULL ? err : "no message");
    sand_free(err);
    return code;
  }
  for (; sand_change_iterator_valid(feed); sand_change_iterator_next(feed)) {
    char part[128];
    snprintf(part, sizeof part, "v%llu[", (unsigned long long)sand_change_iterator_version(feed));
    strncat(out, part, out_size - strlen(out) - 1);
    for (size_t i = 0; i < sand_change_iterator_count(feed); ++i) {
      size_t klen = 0, vlen = 0;
      const char* k = sand_change_iterator_key(feed, i, &klen);
      const char* v = sand_change_iterator_value(feed, i, &vlen);
      if (sand_change_iterator_deleted(feed, i)) {
        CHECK(v != NULL && vlen == 0); /* "" for a deletion */
        snprintf(part, sizeof part, "%s-%.*s", i > 0 ? "," : "", (int)klen, k);
      } else {
        snprintf(part, sizeof part, "%s+%.*s=%.*s", i > 0 ? "," : "", (int)klen, k, (int)vlen, v);
      }
      strncat(out, part, out_size - strlen(out) - 1);
    }
    strncat(out, "]", out_size - strlen(out) - 1);
  }
  code = sand_change_iterator_status(feed, &err);
  sand_free(err);
  *until = sand_change_iterator_until(feed);
  sand_change_iterator_destroy(feed);
  return code;
}

static int feed_is(sand_db_t* db, const sand_change_options_t* copts, const char* want,
                   uint64_t want_until) {
  char got[1024];
  uint64_t until = 0;
  const sand_code_t code = feed_text(db, copts, got, sizeof got, &until);
  const int ok = code == SAND_OK && strcmp(got, want) == 0 && until == want_until;
  if (!ok) {
    printf("  feed: %s [%s] until %llu, expected [%s] until %llu\n", sand_code_name(code), got,
           (unsigned long long)until, want, (unsigned long long)want_until);
  }
  return ok;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_millis(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* ---- Tests --------------------------------------------------------------- */

/* prev, the four seeks and prefixes, in both directions. */
static void test_seeks_and_prefix(const char* dir) {
  sand_db_t* db = open_db(dir, NULL);
  put(db, "a1", "x");
  put(db, "b1", "1");
  put(db, "b2", "2");
  put(db, "b3", "3");
  put(db, "c1", "x");

  sand_scan_options_t* sopts = sand_scan_options_create();
  CHECK_OK(sand_scan_options_set_prefix(sopts, "b", 1, &err));
  CHECK(scan_is(db, sopts, "b1,b2,b3"));
  sand_scan_options_set_reverse(sopts, 1);
  CHECK(scan_is(db, sopts, "b3,b2,b1"));
  CHECK_OK(sand_scan_options_set_from(sopts, "b2", 2, &err)); /* with the bounds */
  CHECK(scan_is(db, sopts, "b3,b2"));
  sand_scan_options_clear_from(sopts);
  sand_scan_options_set_reverse(sopts, 0);
  CHECK_OK(sand_scan_options_set_prefix(sopts, "zz", 2, &err));
  CHECK(scan_is(db, sopts, ""));
  CHECK_OK(sand_scan_options_set_prefix(sopts, NULL, 0, &err)); /* empty: every key */
  CHECK(scan_is(db, sopts, "a1,b1,b2,b3,c1"));
  CHECK_MESSAGE(sand_scan_options_set_prefix(sopts, NULL, 1, &err), SAND_INVALID_ARGUMENT,
                "sand_scan_options_set_prefix: prefix is NULL");
  sand_scan_options_clear_prefix(sopts);
  CHECK(scan_is(db, sopts, "a1,b1,b2,b3,c1"));

  /* Ascending, inside the prefix "b". */
  CHECK_OK(sand_scan_options_set_prefix(sopts, "b", 1, &err));
  sand_iterator_t* it = NULL;
  CHECK_OK(sand_scan(db, sopts, &it, &err));
  CHECK(at_key(it, "b1"));
  sand_iterator_seek(it, "b2", 2);
  CHECK(at_key(it, "b2"));
  size_t len = 0;
  const char* value = sand_iterator_value(it, &len);
  CHECK(bytes_are(value, len, "2"));
  CHECK(sand_iterator_version(it) == 3);
  sand_iterator_prev(it);
  CHECK(at_key(it, "b1"));
  sand_iterator_prev(it); /* a1 is outside the prefix */
  CHECK(at_key(it, NULL));
  sand_iterator_prev(it); /* not valid: nothing */
  CHECK(at_key(it, NULL));
  sand_iterator_seek_to_last(it);
  CHECK(at_key(it, "b3"));
  sand_iterator_next(it);
  CHECK(at_key(it, NULL));
  sand_iterator_seek_for_prev(it, "b25", 3);
  CHECK(at_key(it, "b2"));
  sand_iterator_seek_for_prev(it, "b0", 2);
  CHECK(at_key(it, NULL));
  sand_iterator_seek(it, "c", 1); /* past the prefix */
  CHECK(at_key(it, NULL));
  sand_iterator_seek(it, "a", 1); /* before it: its first key */
  CHECK(at_key(it, "b1"));
  sand_iterator_seek_for_prev(it, "z", 1);
  CHECK(at_key(it, "b3"));
  sand_iterator_seek_to_first(it);
  CHECK(at_key(it, "b1"));
  sand_iterator_next(it);
  CHECK(at_key(it, "b2"));
  sand_iterator_seek(it, NULL, 0); /* the empty key: the first one */
  CHECK(at_key(it, "b1"));
  CHECK_OK(sand_iterator_status(it, &err));
  sand_iterator_destroy(it);

  /* Descending: seeks name keys in ascending order; next goes down. */
  sand_scan_options_clear_prefix(sopts);
  sand_scan_options_set_reverse(sopts, 1);
  CHECK_OK(sand_scan(db, sopts, &it, &err));
  CHECK(at_key(it, "c1"));
  sand_iterator_seek(it, "b2", 2);
  CHECK(at_key(it, "b2"));
  sand_iterator_next(it);
  CHECK(at_key(it, "b1"));
  sand_iterator_prev(it);
  CHECK(at_key(it, "b2"));
  sand_iterator_prev(it);
  CHECK(at_key(it, "b3"));
  sand_iterator_seek_to_first(it);
  CHECK(at_key(it, "a1"));
  sand_iterator_next(it);
  CHECK(at_key(it, NULL));
  sand_iterator_seek_to_last(it);
  CHECK(at_key(it, "c1"));

  /* A NULL key with a length fails the iterator for good. */
  sand_iterator_seek(it, NULL, 3);
  CHECK(at_key(it, NULL));
  CHECK_MESSAGE(sand_iterator_status(it, &err), SAND_INVALID_ARGUMENT,
                "sand_iterator_seek: key is NULL");
  sand_iterator_seek_to_first(it);
  CHECK(at_key(it, NULL));
  CHECK_CODE(sand_iterator_status(it, &err), SAND_INVALID_ARGUMENT);
  sand_iterator_destroy(it);
  CHECK_OK(sand_scan(db, NULL, &it, &err));
  sand_iterator_seek_for_prev(it, NULL, 1);
  CHECK_MESSAGE(sand_iterator_status(it, &err), SAND_INVALID_ARGUMENT,
                "sand_iterator_seek_for_prev: key is NULL");
  sand_iterator_destroy(it);

  /* Seeks work after the handle is gone, on flushed tables. */
  sand_scan_options_set_reverse(sopts, 0);
  CHECK_OK(sand_scan(db, sopts, &it, &err));
  CHECK_OK(sand_flush(db, &err));
  sand_db_free(db);
  sand_iterator_seek(it, "b3", 2);
  CHECK(at_key(it, "b3"));
  sand_iterator_prev(it);
  CHECK(at_key(it, "b2"));
  sand_iterator_destroy(it);
  sand_scan_options_destroy(sopts);
}

/* The newest retained entry and its version, latest and at a version. */
static void test_get_versioned(const char* dir) {
  sand_db_t* db = open_db(dir, NULL);
  const uint64_t v1 = put(db, "k", "a");
  const uint64_t v2 = del(db, "k");
  const uint64_t v3 = put(db, "k", "bb");
  del(db, "never-put"); /* a deletion hiding nothing: no entry */
  put(db, "empty", "");

  int found = -1, deleted = -1;
  uint64_t version = 99;
  char* value = NULL;
  size_t len = 99;
  CHECK_OK(sand_get_versioned(db, "k", 1, &found, &version, &deleted, &value, &len, &err));
  CHECK(found == 1 && version == v3 && deleted == 0 && len == 2 && value != NULL &&
        strcmp(value, "bb") == 0);
  sand_free(value);
  CHECK_OK(sand_get_versioned_at(db, v2, "k", 1, &found, &version, &deleted, &value, &len, &err));
  CHECK(found == 1 && version == v2 && deleted == 1 && value == NULL && len == 0);
  CHECK_OK(sand_get_versioned_at(db, v1, "k", 1, &found, &version, &deleted, &value, &len, &err));
  CHECK(found == 1 && version == v1 && deleted == 0 && len == 1 && strcmp(value, "a") == 0);
  sand_free(value);
  CHECK_OK(sand_get_versioned_at(db, 0, "k", 1, &found, &version, &deleted, &value, &len, &err));
  CHECK(found == 0 && version == 0 && deleted == 0 && value == NULL && len == 0);
  CHECK_OK(sand_get_versioned(db, "never-put", 9, &found, &version, &deleted, &value, &len, &err));
  CHECK(found == 0 && version == 0 && value == NULL);
  CHECK_OK(sand_get_versioned(db, "missing", 7, &found, &version, &deleted, &value, &len, &err));
  CHECK(found == 0 && version == 0 && value == NULL);
  CHECK_OK(sand_get_versioned(db, "empty", 5, &found, &version, &deleted, &value, &len, &err));
  CHECK(found == 1 && deleted == 0 && len == 0 && value != NULL && value[0] == '\0');
  sand_free(value);

  /* It is the first entry of the history, also after a flush. */
  CHECK_OK(sand_flush(db, &err));
  sand_history_t* history = NULL;
  CHECK_OK(sand_get_history(db, "k", 1, &history, &err));
  const sand_history_entry_t* first = sand_history_at(history, 0);
  CHECK_OK(sand_get_versioned(db, "k", 1, &found, &version, &deleted, &value, &len, &err));
  CHECK(first != NULL && found == 1 && version == first->version && deleted == first->deleted &&
        len == first->value_len && memcmp(value, first->value, len) == 0);
  sand_free(value);
  sand_history_destroy(history);

  /* Refused: a future version; the outputs are cleared. */
  CHECK_MESSAGE(
      sand_get_versioned_at(db, 1000, "k", 1, &found, &version, &deleted, &value, &len, &err),
      SAND_INVALID_ARGUMENT, "1000");
  CHECK(found == 0 && version == 0 && deleted == 0 && value == NULL && len == 0);
  char* big = calloc(70000, 1);
  CHECK_CODE(sand_get_versioned(db, big, 70000, &found, &version, &deleted, &value, &len, &err),
             SAND_INVALID_ARGUMENT);
  free(big);

  /* NULL arguments. */
  CHECK_MESSAGE(sand_get_versioned(NULL, "k", 1, &found, &version, &deleted, &value, &len, &err),
                SAND_INVALID_ARGUMENT, "sand_get_versioned: db is NULL");
  CHECK_MESSAGE(sand_get_versioned(db, "k", 1, NULL, &version, &deleted, &value, &len, &err),
                SAND_INVALID_ARGUMENT, "found is NULL");
  CHECK_MESSAGE(sand_get_versioned(db, "k", 1, &found, NULL, &deleted, &value, &len, &err),
                SAND_INVALID_ARGUMENT, "version is NULL");
  CHECK_MESSAGE(sand_get_versioned(db, "k", 1, &found, &version, NULL, &value, &len, &err),
                SAND_INVALID_ARGUMENT, "deleted is NULL");
  CHECK_MESSAGE(sand_get_versioned(db, "k", 1, &found, &version, &deleted, NULL, &len, &err),
                SAND_INVALID_ARGUMENT, "value is NULL");
  CHECK_MESSAGE(sand_get_versioned(db, "k", 1, &found, &version, &deleted, &value, NULL, &err),
                SAND_INVALID_ARGUMENT, "valuelen is NULL");
  CHECK_MESSAGE(sand_get_versioned(db, NULL, 1, &found, &version, &deleted, &value, &len, &err),
                SAND_INVALID_ARGUMENT, "key is NULL");
  CHECK_MESSAGE(
      sand_get_versioned_at(NULL, 1, "k", 1, &found, &version, &deleted, &value, &len, &err),
      SAND_INVALID_ARGUMENT, "sand_get_versioned_at: db is NULL");
  sand_db_free(db);
}

/* Many keys at one version; each value freed on its own. */
static void test_multi_get(const char* dir) {
  sand_db_t* db = open_db(dir, NULL);
  const uint64_t v1 = put(db, "a", "1");
  put(db, "b", "2");
  CHECK_OK(sand_put(db, NULL, "", 0, "empty key", 9, NULL, &err));
  CHECK_OK(sand_put(db, NULL, "n\0l", 3, "x\0y", 3, NULL, &err));
  put(db, "a", "11");
  del(db, "b");

  const char* keys[] = {"a", "b", "missing", "a", "", "n\0l"};
  const size_t keylens[] = {1, 1, 7, 1, 0, 3};
  int found[6];
  char* values[6];
  size_t lens[6];
  CHECK_OK(sand_multi_get(db, 6, keys, keylens, found, values, lens, &err));
  CHECK(found[0] == 1 && lens[0] == 2 && strcmp(values[0], "11") == 0);
  CHECK(found[1] == 0 && values[1] == NULL && lens[1] == 0); /* deleted */
  CHECK(found[2] == 0 && values[2] == NULL && lens[2] == 0);
  CHECK(found[3] == 1 && lens[3] == 2 && strcmp(values[3], "11") == 0 && values[3] != values[0]);
  CHECK(found[4] == 1 && bytes_are(values[4], lens[4], "empty key"));
  CHECK(found[5] == 1 && lens[5] == 3 && memcmp(values[5], "x\0y", 4) == 0);
  for (int i = 0; i < 6; ++i) sand_free(values[i]);

  CHECK_OK(sand_multi_get_at(db, v1, 6, keys, keylens, found, values, lens, &err));
  CHECK(found[0] == 1 && strcmp(values[0], "1") == 0);
  CHECK(found[1] == 0 && found[2] == 0 && found[4] == 0 && found[5] == 0); /* not yet */
  CHECK(found[3] == 1 && strcmp(values[3], "1") == 0);
  for (int i = 0; i < 6; ++i) sand_free(values[i]);

  /* No keys: NULL arrays are fine. */
  CHECK_OK(sand_multi_get(db, 0, NULL, NULL, NULL, NULL, NULL, &err));

  /* Refused reads leave every output empty and nothing allocated. */
  CHECK_MESSAGE(sand_multi_get_at(db, 1000, 6, keys, keylens, found, values, lens, &err),
                SAND_INVALID_ARGUMENT, "1000");
  for (int i = 0; i < 6; ++i) CHECK(found[i] == 0 && values[i] == NULL && lens[i] == 0);
  const char* null_key[] = {"a", NULL};
  const size_t null_lens[] = {1, 4};
  CHECK_MESSAGE(sand_multi_get(db, 2, null_key, null_lens, found, values, lens, &err),
                SAND_INVALID_ARGUMENT, "sand_multi_get: keys[1] is NULL but its length is 4");
  CHECK(values[0] == NULL && found[0] == 0);
  char* big = calloc(70000, 1);
  const char* big_keys[] = {"a", big};
  const size_t big_lens[] = {1, 70000};
  CHECK_CODE(sand_multi_get(db, 2, big_keys, big_lens, found, values, lens, &err),
             SAND_INVALID_ARGUMENT);
  CHECK(values[0] == NULL);
  free(big);

  /* NULL arguments. */
  CHECK_MESSAGE(sand_multi_get(NULL, 1, keys, keylens, found, values, lens, &err),
                SAND_INVALID_ARGUMENT, "sand_multi_get: db is NULL");
  CHECK_MESSAGE(sand_multi_get(db, 1, NULL, keylens, found, values, lens, &err),
                SAND_INVALID_ARGUMENT, "keys is NULL");
  CHECK_MESSAGE(sand_multi_get(db, 1, keys, NULL, found, values, lens, &err), SAND_INVALID_ARGUMENT,
                "keylens is NULL");
  CHECK_MESSAGE(sand_multi_get(db, 1, keys, keylens, NULL, values, lens, &err),
                SAND_INVALID_ARGUMENT, "found is NULL");
  CHECK_MESSAGE(sand_multi_get(db, 1, keys, keylens, found, NULL, lens, &err),
                SAND_INVALID_ARGUMENT, "values is NULL");
  CHECK_MESSAGE(sand_multi_get(db, 1, keys, keylens, found, values, NULL, &err),
                SAND_INVALID_ARGUMENT, "valuelens is NULL");
  CHECK_MESSAGE(sand_multi_get_at(NULL, 1, 1, keys, keylens, found, values, lens, &err),
                SAND_INVALID_ARGUMENT, "sand_multi_get_at: db is NULL");
  sand_db_free(db);
}

/* Batches in version order, operations in key order, bounds and errors. */
static void test_changes(const char* dir) {
  sand_db_t* db = open_db(dir, NULL);
  CHECK(feed_is(db, NULL, "", 0));
  put(db, "a", "1"); /* v1 */
  sand_write_batch_t* batch = sand_write_batch_create();
  CHECK_OK(sand_write_batch_put(batch, "b", 1, "2", 1, &err));
  CHECK_OK(sand_write_batch_del(batch, "a", 1, &err));
  CHECK_OK(sand_write_batch_put(batch, "b", 1, "22", 2, &err)); /* the later one wins */
  CHECK_OK(sand_write(db, NULL, batch, NULL, &err));            /* v2 */
  sand_write_batch_destroy(batch);
  put(db, "c", "3");  /* v3 */
  put(db, "bx", "4"); /* v4 */

  const char* all = "v1[+a=1]v2[-a,+b=22]v3[+c=3]v4[+bx=4]";
  CHECK(feed_is(db, NULL, all, 4));
  sand_change_options_t* copts = sand_change_options_create();
  CHECK(copts != NULL);
  CHECK(feed_is(db, copts, all, 4));
  sand_change_options_set_since(copts, 2);
  CHECK(feed_is(db, copts, "v3[+c=3]v4[+bx=4]", 4));
  sand_change_options_set_until(copts, 3);
  CHECK(feed_is(db, copts, "v3[+c=3]", 3));
  sand_change_options_set_since(copts, 3);
  CHECK(feed_is(db, copts, "", 3)); /* an empty range */
  sand_change_options_set_since(copts, 0);
  sand_change_options_clear_until(copts);
  CHECK_OK(sand_change_options_set_prefix(copts, "b", 1, &err));
  CHECK(feed_is(db, copts, "v2[+b=22]v4[+bx=4]", 4));
  sand_change_options_clear_prefix(copts);
  CHECK_OK(sand_change_options_set_from(copts, "b", 1, &err));
  CHECK_OK(sand_change_options_set_to(copts, "bx", 2, &err));
  CHECK(feed_is(db, copts, "v2[+b=22]", 4));
  sand_change_options_clear_to(copts);
  CHECK(feed_is(db, copts, "v2[+b=22]v3[+c=3]v4[+bx=4]", 4));
  sand_change_options_clear_from(copts);
  CHECK(feed_is(db, copts, all, 4));

  /* The accessors on a live feed, out of range, and after the end. */
  sand_change_iterator_t* feed = NULL;
  sand_change_options_set_since(copts, 1);
  sand_change_options_set_until(copts, 2);
  CHECK_OK(sand_changes(db, copts, &feed, &err));
  CHECK(sand_change_iterator_valid(feed) == 1);
  CHECK(sand_change_iterator_version(feed) == 2 && sand_change_iterator_count(feed) == 2);
  size_t len = 99;
  CHECK(sand_change_iterator_key(feed, 2, &len) == NULL && len == 0);
  CHECK(sand_change_iterator_value(feed, 2, &len) == NULL && len == 0);
  CHECK(sand_change_iterator_deleted(feed, 2) == 0);
  CHECK(sand_change_iterator_deleted(feed, 0) == 1 && sand_change_iterator_deleted(feed, 1) == 0);
  CHECK(sand_change_iterator_key(feed, 0, NULL) != NULL); /* len may be NULL */
  CHECK(sand_change_iterator_until(feed) == 2);
  sand_change_iterator_next(feed);
  CHECK(sand_change_iterator_valid(feed) == 0);
  CHECK(sand_change_iterator_version(feed) == 0 && sand_change_iterator_count(feed) == 0);
  CHECK(sand_change_iterator_key(feed, 0, &len) == NULL && len == 0);
  sand_change_iterator_next(feed); /* past the end: nothing */
  CHECK_OK(sand_change_iterator_status(feed, &err));
  sand_change_iterator_destroy(feed);

  /* Refused ranges. */
  sand_change_options_set_until(copts, 99);
  CHECK_CODE(sand_changes(db, copts, &feed, &err), SAND_INVALID_ARGUMENT); /* future */
  CHECK(feed == NULL);
  sand_change_options_set_since(copts, 3);
  sand_change_options_set_until(copts, 2);
  CHECK_CODE(sand_changes(db, copts, &feed, &err), SAND_INVALID_ARGUMENT); /* until < since */
  sand_change_options_clear_until(copts);
  sand_change_options_set_since(copts, 0);
  CHECK_OK(sand_change_options_set_from(copts, "c", 1, &err));
  CHECK_OK(sand_change_options_set_to(copts, "a", 1, &err));
  CHECK_CODE(sand_changes(db, copts, &feed, &err), SAND_INVALID_ARGUMENT); /* from > to */
  sand_change_options_clear_from(copts);
  sand_change_options_clear_to(copts);
  CHECK_OK(sand_forget_before(db, 3, &err));
  sand_change_options_set_since(copts, 1);
  CHECK_CODE(sand_changes(db, copts, &feed, &err), SAND_INVALID_ARGUMENT); /* below the mark */
  sand_change_options_set_since(copts, 3);
  CHECK(feed_is(db, copts, "v4[+bx=4]", 4));

  /* A feed outlives its handle. */
  sand_change_options_set_since(copts, 3);
  CHECK_OK(sand_changes(db, copts, &feed, &err));
  CHECK_OK(sand_flush(db, &err));
  sand_db_free(db);
  CHECK(sand_change_iterator_valid(feed) == 1 && sand_change_iterator_version(feed) == 4);
  sand_change_iterator_next(feed);
  CHECK(sand_change_iterator_valid(feed) == 0);
  CHECK_OK(sand_change_iterator_status(feed, &err));
  sand_change_iterator_destroy(feed);

  /* NULL arguments. */
  CHECK_MESSAGE(sand_changes(NULL, copts, &feed, &err), SAND_INVALID_ARGUMENT,
                "sand_changes: db is NULL");
  CHECK(feed == NULL);
  CHECK_MESSAGE(sand_changes(NULL, copts, NULL, &err), SAND_INVALID_ARGUMENT, "feed is NULL");
  CHECK_MESSAGE(sand_change_options_set_from(NULL, "a", 1, &err), SAND_INVALID_ARGUMENT,
                "sand_change_options_set_from: copts is NULL");
  CHECK_MESSAGE(sand_change_options_set_to(copts, NULL, 1, &err), SAND_INVALID_ARGUMENT,
                "sand_change_options_set_to: key is NULL");
  CHECK_MESSAGE(sand_change_options_set_prefix(copts, NULL, 2, &err), SAND_INVALID_ARGUMENT,
                "sand_change_options_set_prefix: prefix is NULL");
  CHECK_MESSAGE(sand_change_iterator_status(NULL, &err), SAND_INVALID_ARGUMENT, "feed is NULL");
  sand_change_options_destroy(copts);
}

struct delayed_put {
  sand_db_t* db;
  long delay_ms;
};

static void* put_later(void* arg) {
  const struct delayed_put* job = arg;
  sleep_millis(job->delay_ms);
  uint64_t v = 0;
  sand_put(job->db, NULL, "late", 4, "v", 1, &v, NULL);
  return NULL;
}

/* Waiting: already there, timing out, woken by a writer thread (also on a
 * read-only handle, which refreshes while it waits), and after close. */
static void test_wait_for_version(const char* dir) {
  sand_db_t* db = open_db(dir, NULL);
  put(db, "a", "1");
  put(db, "b", "2");
  uint64_t last = 99;
  CHECK_OK(sand_wait_for_version(db, 2, 0, &last, &err));
  CHECK(last == 2);
  CHECK_OK(sand_wait_for_version(db, 1, 10000, NULL, &err)); /* last may be NULL */
  double start = now_seconds();
  CHECK_OK(sand_wait_for_version(db, 3, 50, &last, &err)); /* a timeout is not an error */
  CHECK(last == 2 && now_seconds() - start >= 0.04);

  pthread_t writer;
  struct delayed_put job = {db, 50};
  CHECK(pthread_create(&writer, NULL, put_later, &job) == 0);
  start = now_seconds();
  CHECK_OK(sand_wait_for_version(db, 3, 60000, &last, &err));
  CHECK(last >= 3 && now_seconds() - start < 30);
  pthread_join(writer, NULL);

  sand_db_t* reader = NULL;
  CHECK_OK(sand_open_read_only(dir, NULL, &reader, &err));
  CHECK(sand_last_version(reader) == 3);
  job.delay_ms = 100;
  CHECK(pthread_create(&writer, NULL, put_later, &job) == 0);
  CHECK_OK(sand_wait_for_version(reader, 4, 60000, &last, &err));
  CHECK(last >= 4);
  pthread_join(writer, NULL);
  int found = 0;
  char* value = NULL;
  size_t len = 0;
  CHECK_OK(sand_get(reader, "late", 4, &found, &value, &len, &err));
  CHECK(found == 1);
  sand_free(value);
  sand_db_free(reader);

  CHECK_OK(sand_close(db, &err));
  CHECK_CODE(sand_wait_for_version(db, 100, 1000, &last, &err), SAND_READ_ONLY);
  CHECK(last == 0);
  CHECK_MESSAGE(sand_wait_for_version(NULL, 1, 0, &last, &err), SAND_INVALID_ARGUMENT,
                "sand_wait_for_version: db is NULL");
  sand_db_free(db);
}

/* expect_version / expect_missing / expect_exists: a failed precondition is
 * SAND_CONFLICT with a message and commits nothing. */
static void test_preconditions(const char* dir) {
  CHECK(strcmp(sand_code_name(SAND_CONFLICT), "Conflict") == 0);
  sand_db_t* db = open_db(dir, NULL);
  sand_write_batch_t* batch = sand_write_batch_create();
  uint64_t v = 0;

  /* Create only if missing: the first write wins, the second conflicts. */
  CHECK_OK(sand_write_batch_expect_missing(batch, "k", 1, &err));
  CHECK_OK(sand_write_batch_put(batch, "k", 1, "first", 5, &err));
  CHECK(sand_write_batch_precondition_count(batch) == 1 && sand_write_batch_count(batch) == 1);
  CHECK_OK(sand_write(db, NULL, batch, &v, &err));
  CHECK(v == 1);
  v = 99;
  CHECK_MESSAGE(sand_write(db, NULL, batch, &v, &err), SAND_CONFLICT, "Conflict: key 'k'");
  CHECK(v == 0 && sand_last_version(db) == 1); /* nothing committed */
  CHECK_CODE(sand_write(db, NULL, batch, &v, &err), SAND_CONFLICT);
  sand_write_batch_clear(batch);
  CHECK(sand_write_batch_precondition_count(batch) == 0 && sand_write_batch_count(batch) == 0);

  /* Compare-and-set on the version from sand_get_versioned. */
  int found = 0, deleted = 0;
  uint64_t version = 0;
  char* value = NULL;
  size_t len = 0;
  CHECK_OK(sand_get_versioned(db, "k", 1, &found, &version, &deleted, &value, &len, &err));
  sand_free(value);
  CHECK(found == 1 && version == 1);
  CHECK_OK(sand_write_batch_expect_version(batch, "k", 1, version, &err));
  CHECK_OK(sand_write_batch_put(batch, "k", 1, "second", 6, &err));
  CHECK_OK(sand_write(db, NULL, batch, &v, &err));
  CHECK(v == 2);
  CHECK_MESSAGE(sand_write(db, NULL, batch, &v, &err), SAND_CONFLICT, "found 2");
  CHECK(sand_last_version(db) == 2);
  sand_write_batch_clear(batch);

  /* expect_exists, and a batch with several preconditions: all must hold. */
  CHECK_OK(sand_write_batch_expect_exists(batch, "k", 1, &err));
  CHECK_OK(sand_write_batch_expect_exists(batch, "nope", 4, &err));
  CHECK_OK(sand_write_batch_put(batch, "other", 5, "x", 1, &err));
  CHECK(sand_write_batch_precondition_count(batch) == 2);
  CHECK_MESSAGE(sand_write(db, NULL, batch, &v, &err), SAND_CONFLICT, "'nope'");
  CHECK(sand_last_version(db) == 2);
  CHECK_OK(sand_get(db, "other", 5, &found, &value, &len, &err));
  CHECK(found == 0);
  sand_write_batch_clear(batch);
  CHECK_OK(sand_write_batch_expect_exists(batch, "k", 1, &err));
  CHECK_OK(sand_write_batch_expect_missing(batch, NULL, 0, &err)); /* the empty key */
  CHECK_OK(sand_write_batch_put(batch, "other", 5, "x", 1, &err));
  CHECK_OK(sand_write(db, NULL, batch, &v, &err));
  CHECK(v == 3);
  sand_write_batch_clear(batch);

  /* A deleted key does not exist: version 0. */
  del(db, "k");
  CHECK_OK(sand_write_batch_expect_version(batch, "k", 1, 0, &err));
  CHECK_OK(sand_write_batch_put(batch, "k", 1, "again", 5, &err));
  CHECK_OK(sand_write(db, NULL, batch, &v, &err));
  CHECK(v == 5);
  sand_write_batch_clear(batch);

  /* NULL arguments. */
  CHECK_MESSAGE(sand_write_batch_expect_version(NULL, "k", 1, 1, &err), SAND_INVALID_ARGUMENT,
                "sand_write_batch_expect_version: batch is NULL");
  CHECK_MESSAGE(sand_write_batch_expect_version(batch, NULL, 1, 1, &err), SAND_INVALID_ARGUMENT,
                "key is NULL");
  CHECK_MESSAGE(sand_write_batch_expect_missing(NULL, "k", 1, &err), SAND_INVALID_ARGUMENT,
                "sand_write_batch_expect_missing: batch is NULL");
  CHECK_MESSAGE(sand_write_batch_expect_missing(batch, NULL, 1, &err), SAND_INVALID_ARGUMENT,
                "key is NULL");
  CHECK_MESSAGE(sand_write_batch_expect_exists(NULL, "k", 1, &err), SAND_INVALID_ARGUMENT,
                "sand_write_batch_expect_exists: batch is NULL");
  CHECK_MESSAGE(sand_write_batch_expect_exists(batch, NULL, 1, &err), SAND_INVALID_ARGUMENT,
                "key is NULL");
  CHECK(sand_write_batch_precondition_count(batch) == 0);
  sand_write_batch_destroy(batch);
  sand_db_free(db);
}

/* The functions that cannot fail accept NULL. */
static void test_null_handles(void) {
  size_t len = 99;
  sand_iterator_prev(NULL);
  sand_iterator_seek(NULL, "k", 1);
  sand_iterator_seek_for_prev(NULL, "k", 1);
  sand_iterator_seek_to_first(NULL);
  sand_iterator_seek_to_last(NULL);
  sand_scan_options_clear_prefix(NULL);
  CHECK_MESSAGE(sand_scan_options_set_prefix(NULL, "k", 1, &err), SAND_INVALID_ARGUMENT,
                "sand_scan_options_set_prefix: sopts is NULL");
  sand_change_options_set_since(NULL, 1);
  sand_change_options_set_until(NULL, 1);
  sand_change_options_clear_until(NULL);
  sand_change_options_clear_from(NULL);
  sand_change_options_clear_to(NULL);
  sand_change_options_clear_prefix(NULL);
  sand_change_options_destroy(NULL);
  CHECK(sand_change_iterator_valid(NULL) == 0);
  sand_change_iterator_next(NULL);
  CHECK(sand_change_iterator_version(NULL) == 0);
  CHECK(sand_change_iterator_count(NULL) == 0);
  CHECK(sand_change_iterator_key(NULL, 0, &len) == NULL && len == 0);
  len = 99;
  CHECK(sand_change_iterator_value(NULL, 0, &len) == NULL && len == 0);
  CHECK(sand_change_iterator_deleted(NULL, 0) == 0);
  CHECK(sand_change_iterator_until(NULL) == 0);
  sand_change_iterator_destroy(NULL);
  CHECK(sand_write_batch_precondition_count(NULL) == 0);
}

static void run(void (*test)(const char* dir)) {
  char* dir = make_temp_dir();
  test(dir);
  remove_temp_dir(dir);
}

int main(void) {
  run(test_seeks_and_prefix);
  run(test_get_versioned);
  run(test_multi_get);
  run(test_changes);
  run(test_wait_for_version);
  run(test_preconditions);
  test_null_handles();
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
