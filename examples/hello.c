/* Hello, sanddb (C): open a database, write, read the latest state and the
 * state as of an earlier version.
 *
 *   hello_c [DIR]      (default: ./hello-db)
 */
#include <sand/c.h>
#include <stdio.h>
#include <string.h>

/* Prints the error, frees its message and returns 1. */
static int fail(const char* what, char* errmsg) {
  fprintf(stderr, "%s: %s\n", what, errmsg);
  sand_free(errmsg);
  return 1;
}

int main(int argc, char** argv) {
  const char* dir = argc > 1 ? argv[1] : "hello-db";
  char* err = NULL;
  sand_db_t* db = NULL;
  if (sand_open(dir, NULL, &db, &err) != SAND_OK) return fail("open", err); /* creates it */

  uint64_t v1 = 0, v2 = 0; /* every write returns its version */
  if (sand_put(db, NULL, "greeting", 8, "hello", 5, &v1, &err) != SAND_OK ||
      sand_put(db, NULL, "greeting", 8, "hello, world", 12, &v2, &err) != SAND_OK) {
    sand_db_free(db);
    return fail("put", err);
  }
  int found = 0;
  char* value = NULL; /* malloc'd, NUL-terminated: free with sand_free() */
  size_t len = 0;
  if (sand_get(db, "greeting", 8, &found, &value, &len, &err) != SAND_OK) {
    sand_db_free(db);
    return fail("get", err);
  }
  printf("v%llu: %s\n", (unsigned long long)v2, found ? value : "(none)");
  sand_free(value);
  if (sand_get_at(db, v1, "greeting", 8, &found, &value, &len, &err) != SAND_OK) {
    sand_db_free(db);
    return fail("get_at", err);
  }
  printf("v%llu: %s\n", (unsigned long long)v1, found ? value : "(none)");
  sand_free(value);

  sand_code_t closed = sand_close(db, &err); /* reports what freeing would hide */
  sand_db_free(db);
  return closed == SAND_OK ? 0 : fail("close", err);
}
