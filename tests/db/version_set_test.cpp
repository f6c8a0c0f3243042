// VersionSet (src/db/version_set.hpp): the one owner of the manifest state,
// the file numbers, the frozen memtables and the read view. These tests drive
// it directly and check the manifest on disk (manifest::replay) against the
// view after every change.
#include "db/version_set.hpp"

#include <catch2/catch.hpp>
#include <set>

#include "db/filenames.hpp"
#include "manifest/manifest_log.hpp"
#include "support/temp_dir.hpp"

using namespace sand;

namespace {

manifest::TableMeta meta_of(std::uint64_t number, int level, Version lo, Version hi,
                            std::uint64_t run = 0) {
  return manifest::TableMeta{.number = number,
                             .level = level,
                             .file_size = 100,
                             .entries = 2,
                             .tombstones = 0,
                             .min_version = lo,
                             .max_version = hi,
                             .smallest_key = "a",
                             .largest_key = "z",
                             .run = run};
}

// A live table without a file: the view arranges tables by their metadata.
TableRef table_of(const std::string& dir, const manifest::TableMeta& m) {
  return std::make_shared<const LiveTable>(m, nullptr, posix_file_system(),
                                           join_path(dir, table_file_name(m.number)));
}

std::set<std::uint64_t> numbers_in(const ReadView& view) {
  std::set<std::uint64_t> out;
  for (const auto& t : view.all_tables()) out.insert(t->meta.number);
  return out;
}

std::set<std::uint64_t> numbers_in(const manifest::State& state) {
  std::set<std::uint64_t> out;
  for (const auto& [n, m] : state.tables) out.insert(n);
  return out;
}

struct Fixture {
  test::TempDir dir;
  std::shared_ptr<FileSystem> fs = posix_file_system();
  VersionSet versions{fs, dir.path(), 1 << 20};

  // A recovered empty database writing to WAL `wal`.
  void start(std::uint64_t wal) {
    versions.recover(manifest::State{});
    manifest::Edit edit;
    edit.wal_number = wal;
    REQUIRE(versions.log_and_apply(edit, {}).is_ok());
  }
  manifest::State on_disk() {
    auto state = manifest::replay(*fs, dir.path());
    REQUIRE(state.is_ok());
    return *state;
  }
};

}  // namespace

TEST_CASE("the first edit after recover() writes a fresh MANIFEST", "[version_set]") {
  Fixture f;
  manifest::State recovered;
  recovered.next_file_number = 10;
  recovered.last_version = 7;
  f.versions.recover(recovered);
  CHECK(f.versions.manifest_bytes() == 0);  // no log yet
  CHECK(f.versions.new_file_number() == 10);

  manifest::Edit edit;
  edit.wal_number = 11;
  REQUIRE(f.versions.log_and_apply(edit, {}).is_ok());
  CHECK(f.versions.manifest_bytes() > 0);
  const manifest::State disk = f.on_disk();
  CHECK(disk.wal_number == 11);
  CHECK(disk.last_version == 7);
  CHECK(disk.next_file_number > 11);  // past the numbers handed out
  CHECK(f.versions.oldest_needed_wal() == 11);
}

TEST_CASE("log_and_apply: the manifest and the view change together", "[version_set]") {
  Fixture f;
  f.start(1);
  const auto a = meta_of(f.versions.new_file_number(), 0, 1, 5);
  const auto b = meta_of(f.versions.new_file_number(), 0, 6, 9);
  manifest::Edit add;
  add.added = {a, b};
  ViewChange change;
  change.added = {table_of(f.dir.path(), a), table_of(f.dir.path(), b)};
  REQUIRE(f.versions.log_and_apply(add, std::move(change)).is_ok());
  CHECK(numbers_in(*f.versions.current()) == std::set<std::uint64_t>{a.number, b.number});
  CHECK(numbers_in(f.on_disk()) == numbers_in(*f.versions.current()));
  CHECK(f.versions.current()->l0.front()->meta.number == b.number);  // newest first

  // A compaction: both out, one level-1 table in; the removed ones are
  // marked obsolete, so their files go when the last reader lets go.
  const auto old_view = f.versions.current();
  const auto merged = meta_of(f.versions.new_file_number(), 1, 1, 9, /*run=*/99);
  manifest::Edit compact;
  compact.removed = {a.number, b.number};
  compact.added = {merged};
  ViewChange swap;
  swap.removed = {a.number, b.number};
  swap.added = {table_of(f.dir.path(), merged)};
  REQUIRE(f.versions.log_and_apply(compact, std::move(swap)).is_ok());
  CHECK(numbers_in(*f.versions.current()) == std::set<std::uint64_t>{merged.number});
  CHECK(numbers_in(f.on_disk()) == std::set<std::uint64_t>{merged.number});
  for (const auto& t : old_view->l0) CHECK(t->obsolete.load());
  CHECK(f.versions.current()->l1.size() == 1);
}

TEST_CASE("a rejected edit changes neither the manifest nor the view", "[version_set]") {
  Fixture f;
  f.start(1);
  const auto before = f.versions.current();
  const auto bytes = f.versions.manifest_bytes();
  manifest::Edit bad;
  bad.removed = {12345};  // not live
  ViewChange change;
  change.removed = {12345};
  const Status s = f.versions.log_and_apply(bad, std::move(change));
  CHECK(s.code() == Code::kCorruption);
  CHECK(f.versions.current() == before);
  CHECK(f.versions.manifest_bytes() == bytes);
}

TEST_CASE("flushes retire WALs in order, frozen memtables leave the view oldest first",
          "[version_set]") {
  Fixture f;
  f.start(1);
  const auto first_mem = f.versions.current()->mem;
  f.versions.freeze_active(2);  // memtable of WAL 1 frozen, new one writes WAL 2
  const auto second_mem = f.versions.current()->mem;
  f.versions.freeze_active(3);
  CHECK(f.versions.frozen_count() == 2);
  REQUIRE(f.versions.current()->frozen.size() == 2);
  CHECK(f.versions.current()->frozen.back() == first_mem);  // view: newest first

  auto oldest = f.versions.oldest_frozen();
  REQUIRE(oldest);
  CHECK(oldest->mem == first_mem);
  CHECK(oldest->wal_number == 1);

  // Flushing the oldest: the next frozen memtable's WAL is the oldest needed.
  const auto t1 = meta_of(f.versions.new_file_number(), 0, 1, 3);
  manifest::Edit flush1;
  flush1.added = {t1};
  ViewChange c1;
  c1.added = {table_of(f.dir.path(), t1)};
  c1.drop_oldest_frozen = true;
  REQUIRE(f.versions.log_and_apply(flush1, std::move(c1)).is_ok());
  CHECK(f.on_disk().wal_number == 2);
  CHECK(f.versions.frozen_count() == 1);
  REQUIRE(f.versions.current()->frozen.size() == 1);
  CHECK(f.versions.current()->frozen.front() == second_mem);
  CHECK(numbers_in(*f.versions.current()) == std::set<std::uint64_t>{t1.number});

  // The last frozen one: the active memtable's WAL is the oldest needed.
  const auto t2 = meta_of(f.versions.new_file_number(), 0, 4, 6);
  manifest::Edit flush2;
  flush2.added = {t2};
  ViewChange c2;
  c2.added = {table_of(f.dir.path(), t2)};
  c2.drop_oldest_frozen = true;
  REQUIRE(f.versions.log_and_apply(flush2, std::move(c2)).is_ok());
  CHECK(f.on_disk().wal_number == 3);
  CHECK(f.versions.frozen_count() == 0);
  CHECK(f.versions.current()->frozen.empty());
  CHECK_FALSE(f.versions.oldest_frozen());
}

TEST_CASE("last_version and the retention mark only rise", "[version_set]") {
  Fixture f;
  f.start(1);
  manifest::Edit up;
  up.last_version = 50;
  up.low_water_mark = 20;
  REQUIRE(f.versions.log_and_apply(up, {}).is_ok());
  manifest::Edit down;  // e.g. a compaction cut with an older mark
  down.last_version = 40;
  down.low_water_mark = 10;
  REQUIRE(f.versions.log_and_apply(down, {}).is_ok());
  CHECK(f.versions.low_water_mark() == 20);
  const manifest::State disk = f.on_disk();
  CHECK(disk.last_version == 50);
  CHECK(disk.low_water_mark == 20);
}

TEST_CASE("past the rollover size the MANIFEST is rewritten as one snapshot", "[version_set]") {
  test::TempDir dir;
  auto fs = posix_file_system();
  VersionSet versions(fs, dir.path(), /*manifest_rollover_size=*/256);
  versions.recover(manifest::State{});
  manifest::Edit first;
  first.wal_number = 1;
  REQUIRE(versions.log_and_apply(first, {}).is_ok());
  std::uint64_t largest = 0;
  bool shrank = false;
  for (int i = 0; i < 40; ++i) {
    const auto m = meta_of(versions.new_file_number(), 0, 10 * i + 1, 10 * i + 5);
    manifest::Edit e;
    e.added = {m};
    ViewChange c;
    c.added = {table_of(dir.path(), m)};
    REQUIRE(versions.log_and_apply(e, std::move(c)).is_ok());
    const std::uint64_t bytes = versions.manifest_bytes();
    if (bytes < largest) shrank = true;
    largest = std::max(largest, bytes);
    auto disk = manifest::replay(*fs, dir.path());
    REQUIRE(disk.is_ok());
    CHECK(numbers_in(*disk) == numbers_in(*versions.current()));
  }
  CHECK(shrank);                // it rolled over at least once
  CHECK(largest < 256 + 4096);  // and never grew far past the limit
}

TEST_CASE("file numbers are never handed out twice", "[version_set]") {
  Fixture f;
  manifest::State recovered;
  recovered.next_file_number = 5;
  f.versions.recover(recovered);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 100; ++i) CHECK(seen.insert(f.versions.new_file_number()).second);
  CHECK(*seen.begin() == 5);
}
