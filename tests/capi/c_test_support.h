/* What the C API test programs share (c_api_test.c, c_versioned_test.c): a
 * tiny assertion framework (no C++ test framework can run C) and temporary
 * directories. Each CHECK prints "file:line: ..." when it fails; a program
 * ends with "N passed, N failed" and a non-zero exit status if anything
 * failed.
 *
 * A program defines _XOPEN_SOURCE 700 (mkdtemp, nftw) before including it. */
#ifndef SAND_TESTS_CAPI_C_TEST_SUPPORT_H_
#define SAND_TESTS_CAPI_C_TEST_SUPPORT_H_

#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sand/c.h"

/* ---- A tiny assertion framework ---------------------------------------- */

static int g_passed = 0;
static int g_failed = 0;

static inline int check_true(int ok, const char* what, const char* file, int line) {
  if (ok) {
    ++g_passed;
  } else {
    ++g_failed;
    printf("%s:%d: CHECK failed: %s\n", file, line, what);
  }
  return ok;
}

#define CHECK(cond) check_true((cond) ? 1 : 0, #cond, __FILE__, __LINE__)

/* Checks that a call returned `want` and kept the errmsg contract: NULL on
 * success, "<Kind>: ..." on an error. Frees the message. */
static inline int check_code(sand_code_t got, sand_code_t want, char* err, const char* call,
                             const char* file, int line) {
  int ok = got == want;
  if (!ok) {
    printf("%s:%d: %s returned %s, expected %s (%s)\n", file, line, call, sand_code_name(got),
           sand_code_name(want), err != NULL ? err : "no message");
  } else if (want == SAND_OK && err != NULL) {
    ok = 0;
    printf("%s:%d: %s succeeded but left a message: %s\n", file, line, call, err);
  } else if (want != SAND_OK) {
    const char* kind = sand_code_name(want);
    if (err == NULL || strncmp(err, kind, strlen(kind)) != 0 ||
        strncmp(err + strlen(kind), ": ", 2) != 0) {
      ok = 0;
      printf("%s:%d: %s: message \"%s\" does not start with \"%s: \"\n", file, line, call,
             err != NULL ? err : "(null)", kind);
    }
  }
  sand_free(err);
  return check_true(ok, call, file, line);
}

/* `call` must name `&err` as its errmsg argument; the macro owns `err`. */
#define CHECK_CODE(call, want)                                \
  do {                                                        \
    char* err = NULL;                                         \
    sand_code_t got_ = (call);                                \
    check_code(got_, (want), err, #call, __FILE__, __LINE__); \
  } while (0)
#define CHECK_OK(call) CHECK_CODE(call, SAND_OK)

/* Runs `call`, which must fail with `want` and a message containing
 * `needle` (e.g. the name of the NULL argument). */
#define CHECK_MESSAGE(call, want, needle)                                                    \
  do {                                                                                       \
    char* err = NULL;                                                                        \
    sand_code_t got_ = (call);                                                               \
    CHECK(got_ == (want));                                                                   \
    if (!CHECK(err != NULL && strstr(err, (needle)) != NULL)) {                              \
      printf("  message: %s, expected to contain \"%s\"\n", err ? err : "(null)", (needle)); \
    }                                                                                        \
    sand_free(err);                                                                          \
  } while (0)

/* ---- Temporary directories --------------------------------------------- */

static inline char* make_temp_dir(void) {
  const char* base = getenv("TMPDIR");
  char pattern[4096];
  snprintf(pattern, sizeof pattern, "%s/sand_capi_XXXXXX", base != NULL ? base : "/tmp");
  if (mkdtemp(pattern) == NULL) {
    perror("mkdtemp");
    exit(2);
  }
  char* out = malloc(strlen(pattern) + 1);
  if (out == NULL) exit(2);
  strcpy(out, pattern);
  return out;
}

static inline int remove_entry(const char* path, const struct stat* sb, int flag, struct FTW* ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static inline void remove_temp_dir(char* dir) {
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(dir);
}

/* ---- Databases ---------------------------------------------------------- */

/* Opens `dir` (opts may be NULL); a program cannot go on without it. */
static inline sand_db_t* open_db(const char* dir, const sand_options_t* opts) {
  sand_db_t* db = NULL;
  CHECK_OK(sand_open(dir, opts, &db, &err));
  if (db == NULL) {
    printf("cannot go on without a database\n");
    exit(2);
  }
  return db;
}

/* Puts a NUL-terminated key and value; returns the version (0 on failure). */
static inline uint64_t put(sand_db_t* db, const char* key, const char* value) {
  uint64_t v = 0;
  CHECK_OK(sand_put(db, NULL, key, strlen(key), value, strlen(value), &v, &err));
  return v;
}

#endif /* SAND_TESTS_CAPI_C_TEST_SUPPORT_H_ */
