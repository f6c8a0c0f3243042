// Hello, sanddb (C++): open a database, write, read the latest state and the
// state as of an earlier version.
//
//   hello [DIR]      (default: ./hello-db)
#include <sand/sand.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  const char* dir = argc > 1 ? argv[1] : "hello-db";
  auto db = sand::DB::open(dir);  // creates the directory if missing
  if (!db.is_ok()) {
    std::fprintf(stderr, "open %s: %s\n", dir, db.status().to_string().c_str());
    return 1;
  }
  auto v1 = (*db)->put("greeting", "hello");  // every write returns its version
  auto v2 = (*db)->put("greeting", "hello, world");
  if (!v1.is_ok() || !v2.is_ok()) {
    std::fprintf(stderr, "put: %s\n", (v1.is_ok() ? v2 : v1).status().to_string().c_str());
    return 1;
  }
  auto now = (*db)->get("greeting");        // the latest state
  auto then = (*db)->get("greeting", *v1);  // the state as of version v1
  if (!now.is_ok() || !then.is_ok() || !*now || !*then) {
    std::fprintf(stderr, "get failed\n");
    return 1;
  }
  std::printf("v%llu: %s\n", static_cast<unsigned long long>(*v2), (*now)->c_str());
  std::printf("v%llu: %s\n", static_cast<unsigned long long>(*v1), (*then)->c_str());
  return (*db)->close().is_ok() ? 0 : 1;
}
