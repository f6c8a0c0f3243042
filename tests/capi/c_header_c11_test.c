/* c.h compiles as strict ISO C11 (-std=c11 -pedantic-errors
 * -Wstrict-prototypes, see CMakeLists.txt) and links: one call through it.
 * Exits 0 when the library's version matches the header's. */
#include <stdio.h>
#include <string.h>

#include "sand/c.h"

int main(void) {
  char want[32];
  snprintf(want, sizeof want, "%d.%d.%d", SAND_C_VERSION_MAJOR, SAND_C_VERSION_MINOR,
           SAND_C_VERSION_PATCH);
  if (strcmp(sand_version(), want) != 0) {
    printf("library %s, header %s\n", sand_version(), want);
    return 1;
  }
  printf("c.h compiles as strict C11; library %s\n", sand_version());
  return 0;
}
