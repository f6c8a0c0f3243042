// Time travel: every write batch gets a version; read any retained version,
// list a key's history, pin a version with a snapshot, and let old versions
// go with forget_before.
//
//   time_travel [DIR]      (default: ./time-travel-db, which must not exist)
#include <sand/sand.hpp>

#include <cstdio>
#include <string>

namespace {

// Prints every live key as of version `at`.
void print_state(const sand::DB& db, sand::Version at) {
  auto it = db.scan({.at = at});
  if (!it.is_ok()) {
    std::printf("as of v%llu: %s\n", static_cast<unsigned long long>(at),
                it.status().to_string().c_str());
    return;
  }
  std::string line;
  for (; it->valid(); it->next()) {
    line.append(" ").append(it->key()).append("=").append(it->value());
  }
  std::printf("as of v%llu:%s\n", static_cast<unsigned long long>(at), line.c_str());
}

void print_history(const sand::DB& db, const char* key) {
  auto history = db.history(key);
  if (!history.is_ok()) return;
  std::printf("history of %s:", key);
  for (const sand::HistoryEntry& e : *history) {
    std::printf(" v%llu=%s", static_cast<unsigned long long>(e.version),
                e.deleted ? "(deleted)" : e.value.c_str());
  }
  std::printf("\n");
}

int fail(const sand::Status& s) {
  std::fprintf(stderr, "time_travel: %s\n", s.to_string().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const char* dir = argc > 1 ? argv[1] : "time-travel-db";
  auto opened = sand::DB::open(dir, {.error_if_exists = true});
  if (!opened.is_ok()) return fail(opened.status());
  sand::DB& db = **opened;

  sand::WriteBatch prices;  // one batch: both keys appear together, at v1
  prices.put("apple", "1.00");
  prices.put("pear", "2.00");
  auto v1 = db.write(prices);
  auto v2 = db.put("apple", "1.20");
  // A snapshot pins v2: reads at it stay allowed whatever forget_before says.
  sand::Snapshot pinned = db.snapshot();
  auto v3 = db.del("pear");
  auto v4 = db.put("apple", "1.50");
  for (const auto* v : {&v1, &v2, &v3, &v4}) {
    if (!v->is_ok()) return fail(v->status());
  }
  for (sand::Version v = *v1; v <= *v4; ++v) print_state(db, v);
  print_history(db, "apple");

  // Versions below v4 are no longer readable, except the snapshot's.
  if (auto s = db.forget_before(*v4); !s.is_ok()) return fail(s);
  auto old = db.get("apple", *v1);
  std::printf("get apple at v%llu after forget_before(v%llu): %s\n",
              static_cast<unsigned long long>(*v1), static_cast<unsigned long long>(*v4),
              old.is_ok() ? "readable" : old.status().to_string().c_str());
  auto at_pin = db.get("apple", pinned.version());
  std::printf("get apple at the snapshot (v%llu): %s\n",
              static_cast<unsigned long long>(pinned.version()),
              at_pin.is_ok() && *at_pin ? (*at_pin)->c_str() : "?");
  print_history(db, "apple");

  // Compaction now drops what no retained version can see; answers stay.
  if (auto s = db.compact(); !s.is_ok()) return fail(s);
  print_history(db, "apple");
  return db.close().is_ok() ? 0 : 1;
}
