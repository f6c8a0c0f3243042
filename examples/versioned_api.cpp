// The versioned API in one program: an optimistic read-modify-write that
// retries on Conflict, a change feed that catches up from a version, and an
// iterator that seeks and steps back.
//
//   versioned_api [DIR]      (default: ./versioned-db)
#include <cstdio>
#include <sand/sand.hpp>
#include <string>

namespace {

// Adds `n` to the counter at `key`: read it with its version, write only if
// nobody changed it since (expect_version), retry when someone did.
sand::Result<sand::Version> add(sand::DB& db, const std::string& key, int n) {
  for (;;) {
    auto current = db.get_versioned(key);  // Result<std::optional<HistoryEntry>>
    if (!current.is_ok()) return current.status();
    const bool exists = *current && !(*current)->deleted;
    const int value = exists ? std::stoi((*current)->value) : 0;
    sand::WriteBatch batch;
    batch.expect_version(key, exists ? (*current)->version : 0);  // 0: must not exist
    batch.put(key, std::to_string(value + n));
    auto written = db.write(batch);
    if (written.is_ok() || written.status().code() != sand::Code::kConflict) return written;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "versioned-db";
  auto opened = sand::DB::open(dir);
  if (!opened.is_ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().to_string().c_str());
    return 1;
  }
  sand::DB& db = **opened;

  const sand::Version seen = db.last_version();  // a consumer's position
  for (const char* fruit : {"apple", "banana", "cherry", "apple"}) {
    auto v = add(db, std::string("count:") + fruit, 1);
    if (!v.is_ok()) return 1;
  }

  // Everything written after `seen`, batch by batch in version order.
  auto feed = db.changes({.since = seen});
  if (!feed.is_ok()) return 1;
  for (; feed->valid(); feed->next()) {
    for (const sand::Change& c : feed->batch().changes) {
      std::printf("v%llu: %s = %s\n", static_cast<unsigned long long>(feed->batch().version),
                  c.key.c_str(), c.deleted ? "<deleted>" : c.value.c_str());
    }
  }
  if (!feed->status().is_ok()) return 1;

  // Seek to the first key >= "count:b", then step back one key.
  auto it = db.scan({.prefix = "count:"});
  if (!it.is_ok()) return 1;
  it->seek("count:b");
  it->prev();
  if (!it->valid()) return 1;
  std::printf("before count:b: %.*s = %.*s\n", static_cast<int>(it->key().size()), it->key().data(),
              static_cast<int>(it->value().size()), it->value().data());
  return it->status().is_ok() ? 0 : 1;
}
