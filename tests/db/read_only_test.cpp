// Read-only handles (DB::open_read_only, refresh()) following a writer in the
// same process: what they see, that they never write, and the deletion
// protocol (a file retired between reading the manifest and opening it).
// tests/db/multi_process_test.cpp runs them in separate processes.
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "db/filenames.hpp"
#include "support/db_helpers.hpp"
#include "support/hook_file_system.hpp"
#include "support/scripted_workload.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

using namespace sand;
using sand::test::collect;
using sand::test::HookFileSystem;
using sand::test::must;
using sand::test::scripted_batch;
using sand::test::ScriptedState;

namespace {

constexpr const char* kDir = "/db";

// Small enough that a few hundred scripted writes flush, compact, switch
// WALs and roll the manifest over many times.
Options churning_options(std::shared_ptr<FileSystem> fs) {
  Options o = sand::test::tiny_compacting_options(std::move(fs), Retention::kAll);
  o.manifest_rollover_size = 2048;
  return o;
}

std::vector<std::pair<std::string, std::string>> as_pairs(
    const std::map<std::string, std::string>& m) {
  return {m.begin(), m.end()};
}

// The reader's whole latest state equals the script's state at its version.
void check_matches_script(const DB& reader, ScriptedState& script) {
  const Version v = reader.last_version();
  REQUIRE(v >= script.version());  // states are seen in order
  script.advance_to(v);
  CHECK(collect(must(reader.scan())) == as_pairs(script.live()));
}

// Writes the script's next `n` batches; each must get the version it is for.
void write_script(DB& writer, Version* v, int n) {
  for (int i = 0; i < n; ++i) {
    ++*v;
    REQUIRE(must(writer.write(scripted_batch(*v))) == *v);
  }
}

// A writer on a memory file system holding a = 1 (flushed to a table if
// asked), and a read-only handle reading through a HookFileSystem.
struct WriterAndHookedReader {
  explicit WriterAndHookedReader(bool flush_first) {
    must(writer->put("a", "1"));
    if (flush_first) must(writer->flush());
    reader = must(DB::open_read_only(kDir, Options{.file_system = hooked}));
  }
  std::shared_ptr<FileSystem> base = memory_file_system();
  std::unique_ptr<DB> writer = must(DB::open(kDir, Options{.file_system = base}));
  std::shared_ptr<HookFileSystem> hooked = std::make_shared<HookFileSystem>(base);
  std::unique_ptr<DB> reader;
};

}  // namespace

TEST_CASE("a read-only open of a missing database is NotFound", "[db][read_only]") {
  auto fs = memory_file_system();
  auto r = DB::open_read_only(kDir, Options{.file_system = fs});
  CHECK(r.status().code() == Code::kNotFound);
  CHECK_FALSE(fs->exists(kDir));  // nothing created
}

TEST_CASE("a read-only handle sees the writer's state as of its last refresh", "[db][read_only]") {
  auto fs = memory_file_system();
  auto writer = must(DB::open(kDir, Options{.file_system = fs}));
  must(writer->put("a", "1"));
  must(writer->flush());
  must(writer->put("b", "2"));  // only in the WAL

  auto reader = must(DB::open_read_only(kDir, Options{.file_system = fs}));
  CHECK(reader->last_version() == 2);
  CHECK(must(reader->get("a")) == "1");
  CHECK(must(reader->get("b")) == "2");

  must(writer->put("a", "3"));
  must(writer->del("b"));
  CHECK(must(reader->get("a")) == "1");  // not refreshed yet
  CHECK(reader->get("a", 3).status().code() == Code::kInvalidArgument);
  must(reader->refresh());
  CHECK(reader->last_version() == 4);
  CHECK(must(reader->get("a")) == "3");
  CHECK(must(reader->get("b")) == std::nullopt);
  CHECK(must(reader->get("b", 2)) == "2");
  CHECK(must(reader->history("a")).size() == 2);
}

TEST_CASE("a read-only handle refuses every write and never touches a file", "[db][read_only]") {
  auto base = memory_file_system();
  {
    auto writer = must(DB::open(kDir, Options{.file_system = base}));
    must(writer->put("a", "1"));
    must(writer->close());
  }
  auto hooked = std::make_shared<HookFileSystem>(base);
  auto reader = must(DB::open_read_only(kDir, Options{.file_system = hooked}));
  CHECK(reader->put("a", "2").status().code() == Code::kReadOnly);
  CHECK(reader->del("a").status().code() == Code::kReadOnly);
  WriteBatch batch;
  batch.put("x", "y");
  CHECK(reader->write(batch).status().code() == Code::kReadOnly);
  CHECK(reader->flush().code() == Code::kReadOnly);
  CHECK(reader->compact().code() == Code::kReadOnly);
  CHECK(reader->forget_before(1).code() == Code::kReadOnly);
  must(reader->refresh());
  CHECK(must(reader->get("a")) == "1");
  must(reader->close());
  CHECK(reader->refresh().code() == Code::kReadOnly);
  CHECK(hooked->mutations.load() == 0);
}

TEST_CASE("a read-only handle opens while the writer holds the lock", "[db][read_only]") {
  sand::test::TempDir dir;
  auto writer = must(DB::open(dir.path()));
  must(writer->put("a", "1"));
  CHECK(DB::open(dir.path()).status().code() == Code::kBusy);
  auto reader = must(DB::open_read_only(dir.path()));
  CHECK(must(reader->get("a")) == "1");
}

TEST_CASE("refresh follows flushes, compactions, WAL switches and manifest rollovers",
          "[db][read_only]") {
  auto fs = memory_file_system();
  auto writer = must(DB::open(kDir, churning_options(fs)));
  auto reader = must(DB::open_read_only(kDir, Options{.file_system = fs}));
  ScriptedState script;
  Version v = 0;
  for (int round = 0; round < 40; ++round) {
    write_script(*writer, &v, 15);
    if (round % 7 == 3) must(writer->compact());
    if (round % 5 == 1) must(writer->flush());
    must(reader->refresh());
    INFO("round " << round);
    CHECK(reader->last_version() == v);
    check_matches_script(*reader, script);
  }
  const Stats st = writer->stats();
  CHECK(st.flushes > 10);
  CHECK(st.compactions > 5);
}

TEST_CASE("an iterator keeps reading tables the writer has since deleted", "[db][read_only]") {
  sand::test::TempDir dir;
  auto writer = must(DB::open(dir.path()));
  for (int i = 0; i < 100; ++i) must(writer->put("k" + std::to_string(i), "v"));
  must(writer->flush());
  auto reader = must(DB::open_read_only(dir.path()));
  auto it = must(reader->scan());
  must(writer->put("k0", "w"));
  must(writer->compact());  // the reader's table is retired and unlinked
  must(reader->refresh());
  int n = 0;
  for (; it.valid(); it.next()) {
    CHECK(it.value() == "v");
    ++n;
  }
  CHECK(it.status().is_ok());
  CHECK(n == 100);
  CHECK(must(reader->get("k0")) == "w");
}

TEST_CASE("a table retired between reading the manifest and opening it is retried",
          "[db][read_only]") {
  WriterAndHookedReader t(/*flush_first=*/true);
  DB* writer = t.writer.get();
  DB* reader = t.reader.get();
  HookFileSystem* hooked = t.hooked.get();

  must(writer->put("b", "2"));
  must(writer->flush());  // a new table the reader will open at refresh
  int compactions = 0;
  hooked->before_read = [&](const std::string& path) {
    if (path.ends_with(".sst") && compactions == 0) {
      ++compactions;
      must(writer->compact());  // deletes the table about to be opened
    }
    return Status::ok();
  };
  must(reader->refresh());
  CHECK(compactions == 1);
  CHECK(must(reader->get("a")) == "1");
  CHECK(must(reader->get("b")) == "2");
}

TEST_CASE("a WAL flushed and deleted while the reader reads it is retried", "[db][read_only]") {
  WriterAndHookedReader t(/*flush_first=*/false);
  DB* writer = t.writer.get();
  DB* reader = t.reader.get();
  HookFileSystem* hooked = t.hooked.get();
  must(writer->put("b", "2"));
  int flushes = 0;
  hooked->before_read = [&](const std::string& path) {
    if (path.ends_with(".wal") && flushes == 0) {
      ++flushes;
      must(writer->flush());  // retires the WAL about to be read
      // flush() returns once the manifest edit is durable; the WAL's
      // deletion follows it. Make this read the one that finds it gone.
      return Status::not_found(path + ": no such file");
    }
    return Status::ok();
  };
  must(reader->refresh());
  CHECK(flushes == 1);
  CHECK(must(reader->get("a")) == "1");
  CHECK(must(reader->get("b")) == "2");
}

namespace {

// Replaces the bytes of `path` on `fs` (a memory file system keeps one file
// per path, so a writer's open handle appends after them).
void put_bytes(FileSystem& fs, const std::string& path, const std::string& bytes) {
  must(fs.truncate_file(path, 0));
  auto file = must(fs.reopen_writable_file(path));
  must(file->append(bytes));
  must(file->close());
}

// The reader's view of writes b=2 (version 2) and c=3 (version 3), whose
// WAL reads with the first record's header damaged `damaged_reads` times,
// then as written: a copy racing the writer's append can take a record's
// first bytes before they land and the next record after.
Status read_with_damaged_reads(int damaged_reads, int* reads) {
  WriterAndHookedReader t(/*flush_first=*/true);
  must(t.writer->put("b", "2"));
  must(t.writer->put("c", "3"));
  std::string wal;
  for (const auto& name : must(t.base->list_dir(kDir))) {
    if (name.ends_with(".wal")) wal = std::string(kDir) + "/" + name;  // the newest
  }
  const std::string good = must(t.base->read_file_from(wal, 0));
  std::string bad = good;
  bad[wal::kFileHeaderSize] = static_cast<char>(bad[wal::kFileHeaderSize] ^ 0xff);
  t.hooked->before_read = [&](const std::string& path) {
    if (path == wal) put_bytes(*t.base, wal, ++*reads <= damaged_reads ? bad : good);
    return Status::ok();
  };
  Status s = t.reader->refresh();
  if (s.is_ok()) {
    CHECK(t.reader->last_version() == 3);
    CHECK(must(t.reader->get("c")) == "3");
  }
  t.hooked->before_read = nullptr;
  put_bytes(*t.base, wal, good);
  return s;
}

}  // namespace

TEST_CASE("a WAL record that reads damaged once, as a copy racing the append can, is read again",
          "[db][read_only]") {
  int reads = 0;
  must(read_with_damaged_reads(1, &reads));
  CHECK(reads == 2);
}

TEST_CASE("a WAL record damaged in the same place on two reads is Corruption", "[db][read_only]") {
  int reads = 0;
  const Status s = read_with_damaged_reads(2, &reads);
  CHECK(reads == 2);
  CHECK(s.code() == Code::kCorruption);
  CHECK_THAT(s.to_string(), Catch::Contains(".wal") && Catch::Contains("offset 28"));
}

TEST_CASE("a WAL the reader never saw, flushed and deleted before the listing, is noticed",
          "[db][read_only]") {
  WriterAndHookedReader t(/*flush_first=*/false);
  DB* writer = t.writer.get();
  DB* reader = t.reader.get();
  HookFileSystem* hooked = t.hooked.get();
  must(writer->flush());  // the reader's state will name the next WAL
  int flushes = 0;
  hooked->before_list = [&](const std::string&) {
    if (flushes++ > 0) return;
    // After the reader read the manifest: a write lands in the WAL its state
    // names, is flushed to a table the state lacks, and that WAL is deleted.
    must(writer->put("b", "2"));
    const auto wals_before = must(t.base->list_dir(kDir));
    must(writer->flush());
    for (const auto& name : wals_before) {
      if (!name.ends_with(".wal")) continue;
      while (t.base->exists(std::string(kDir) + "/" + name)) std::this_thread::yield();
    }
  };
  must(reader->refresh());
  CHECK(flushes >= 2);  // the first round was redone
  CHECK(must(reader->get("a")) == "1");
  CHECK(must(reader->get("b")) == "2");
}

namespace {

// Steps a writer whose manifest names WAL W2 (empty) as the oldest needed to
// where W2 holds b (a value large enough to keep W2 as a value file after
// its flush), W3 held c and was flushed and deleted, and W4 holds d: WALs
// W2 and W4 are on disk, W3 is not, and versions 2, 3, 4 are b, c, d.
void keep_w2_delete_w3(DB& writer, FileSystem& fs) {
  must(writer.put("b", std::string(3000, 'b')));  // separated: W2 stays
  must(writer.flush());
  must(writer.put("c", "3"));
  must(writer.flush());
  must(writer.put("d", "4"));
  // flush() returns once the edit is durable; W3's deletion follows it.
  for (int spins = 0; spins < 100000; ++spins) {
    int wals = 0;
    for (const auto& name : must(fs.list_dir(kDir))) wals += name.ends_with(".wal") ? 1 : 0;
    if (wals == 2) return;
    std::this_thread::yield();
  }
  FAIL("the flushed WAL holding c was never deleted");
}

}  // namespace

TEST_CASE(
    "a WAL kept as a value file does not hide a newer WAL deleted after the reader read the "
    "manifest",
    "[db][read_only]") {
  WriterAndHookedReader t(/*flush_first=*/true);  // the reader's state names W2
  DB* writer = t.writer.get();
  DB* reader = t.reader.get();
  int listings = 0;
  t.hooked->before_list = [&](const std::string&) {
    if (listings++ == 0) keep_w2_delete_w3(*writer, *t.base);
  };
  must(reader->refresh());
  // The first round's listing held W2 and W4 but not W3: read as they were,
  // they would publish version 4 without c.
  CHECK(listings >= 2);
  CHECK(reader->last_version() == 4);
  CHECK(must(reader->get("b")) == std::string(3000, 'b'));
  CHECK(must(reader->get("c")) == "3");
  CHECK(must(reader->get("d")) == "4");
}

TEST_CASE("a gap between WALs under a manifest that does not move is Corruption",
          "[db][read_only]") {
  auto fs = memory_file_system();
  auto writer = must(DB::open(kDir, Options{.file_system = fs}));
  must(writer->put("a", "1"));
  must(writer->flush());
  const std::string stale_manifest = must(fs->read_file_from(std::string(kDir) + "/MANIFEST", 0));
  keep_w2_delete_w3(*writer, *fs);
  // A copy of the directory whose MANIFEST lost the edits after W2 became the
  // oldest WAL (e.g. restored from an older backup): W2 and W4 are there, the
  // WAL with version 3 is not, and no edit says why.
  constexpr const char* kCopy = "/copy";
  must(fs->create_dir(kCopy));
  for (const auto& name : must(fs->list_dir(kDir))) {
    if (name == "LOCK") continue;
    const std::string bytes = name == "MANIFEST"
                                  ? stale_manifest
                                  : must(fs->read_file_from(std::string(kDir) + "/" + name, 0));
    auto file = must(fs->new_writable_file(std::string(kCopy) + "/" + name));
    must(file->append(bytes));
    must(file->close());
  }
  auto reader = DB::open_read_only(kCopy, Options{.file_system = fs});
  REQUIRE(reader.status().code() == Code::kCorruption);
  INFO(reader.status().to_string());
  CHECK(reader.status().message().find("MANIFEST") != std::string::npos);
  CHECK(reader.status().message().find("the WAL holding versions 3 to 3") != std::string::npos);
  // A writer's open refuses it too, rather than drop version 3.
  auto opened = DB::open(kCopy, Options{.file_system = fs});
  REQUIRE(opened.status().code() == Code::kCorruption);
  INFO(opened.status().to_string());
  CHECK(opened.status().message().find("does not follow version 2") != std::string::npos);
}

TEST_CASE("a reader whose files keep vanishing while MANIFEST moves gives up with Busy",
          "[db][read_only]") {
  WriterAndHookedReader t(/*flush_first=*/true);
  DB* writer = t.writer.get();
  DB* reader = t.reader.get();
  HookFileSystem* hooked = t.hooked.get();
  must(writer->put("b", "2"));
  must(writer->flush());
  int attempts = 0;
  hooked->before_read = [&](const std::string& path) {
    if (!path.ends_with(".sst")) return Status::ok();
    ++attempts;
    // A writer that keeps flushing: MANIFEST moves on every round.
    must(writer->put("c", std::to_string(attempts)));
    must(writer->flush());
    return Status::not_found(path + ": no such file");
  };
  const Status busy = reader->refresh();
  INFO(busy.to_string());
  CHECK(busy.code() == Code::kBusy);
  CHECK(attempts == 100);
  CHECK(must(reader->get("a")) == "1");  // the old view is still served
  hooked->before_read = nullptr;
  must(reader->refresh());
  CHECK(must(reader->get("b")) == "2");
  CHECK(must(reader->get("c")) == "100");
}

TEST_CASE("a file missing while MANIFEST stands still is Corruption, not Busy", "[db][read_only]") {
  WriterAndHookedReader t(/*flush_first=*/true);
  DB* writer = t.writer.get();
  DB* reader = t.reader.get();
  HookFileSystem* hooked = t.hooked.get();
  must(writer->put("b", "2"));
  must(writer->flush());
  int attempts = 0;
  std::string missing;
  hooked->before_read = [&](const std::string& path) {
    if (!path.ends_with(".sst")) return Status::ok();
    ++attempts;
    missing = path.substr(path.rfind('/') + 1);
    return Status::not_found(path + ": no such file");
  };
  const Status corrupt = reader->refresh();
  INFO(corrupt.to_string());
  CHECK(corrupt.code() == Code::kCorruption);
  // Two rounds: the second re-read MANIFEST after the file was seen missing.
  CHECK(attempts == 2);
  CHECK_THAT(corrupt.to_string(),
             Catch::Contains(std::string(kDir) + "/MANIFEST") && Catch::Contains(missing));
  CHECK(must(reader->get("a")) == "1");  // the old view is still served
  hooked->before_read = nullptr;
  must(reader->refresh());
  CHECK(must(reader->get("b")) == "2");
}

TEST_CASE("a reader follows the writer through a restart", "[db][read_only]") {
  auto fs = memory_file_system();
  auto reader_opts = Options{.file_system = fs};
  auto writer = must(DB::open(kDir, churning_options(fs)));
  ScriptedState script;
  Version v = 0;
  write_script(*writer, &v, 50);
  auto reader = must(DB::open_read_only(kDir, reader_opts));
  check_matches_script(*reader, script);
  must(writer->close());
  writer.reset();
  writer = must(DB::open(kDir, churning_options(fs)));  // rewrites MANIFEST
  write_script(*writer, &v, 50);
  must(reader->refresh());
  CHECK(reader->last_version() == v);
  check_matches_script(*reader, script);
}

TEST_CASE("latest-only compactions record their mark, so readers refuse what they dropped",
          "[db][read_only][retention]") {
  auto fs = memory_file_system();
  Options latest{.retention = Retention::kLatestOnly, .file_system = fs};
  {
    auto writer = must(DB::open(kDir, latest));
    must(writer->put("k", "old"));  // version 1
    must(writer->put("k", "new"));  // version 2
    must(writer->put("z", "z"));    // version 3
    must(writer->compact());        // keeps only k@2 and z@3
    auto reader = must(DB::open_read_only(kDir, Options{.file_system = fs}));
    CHECK(reader->low_water_mark() == 3);
    CHECK(reader->get("k", 1).status().code() == Code::kInvalidArgument);
    CHECK(must(reader->get("k")) == "new");
    must(writer->close());
  }
  // Reopened keeping all versions, the database still knows version 1 is gone.
  auto all = must(DB::open(kDir, Options{.file_system = fs}));
  CHECK(all->low_water_mark() == 3);
  CHECK(all->get("k", 1).status().code() == Code::kInvalidArgument);
}

TEST_CASE("readers keep reading while another thread refreshes against a busy writer",
          "[db][read_only][concurrency]") {
  auto fs = memory_file_system();
  auto writer = must(DB::open(kDir, churning_options(fs)));
  auto reader = must(DB::open_read_only(kDir, Options{.file_system = fs}));
  constexpr Version kWrites = 1500;
  std::atomic<bool> done{false};
  std::thread write_thread([&] {
    for (Version v = 1; v <= kWrites; ++v) {
      auto r = writer->write(scripted_batch(v));
      if (!r.is_ok() || *r != v) break;
      if (v % 400 == 0) writer->compact().ignore();
    }
    done = true;
  });
  std::atomic<int> mismatches{0};
  std::mutex first_mu;
  std::string first;  // what the first mismatch was
  auto mismatch = [&](const std::string& what) {
    if (mismatches.fetch_add(1) == 0) {
      std::lock_guard lock(first_mu);
      first = what;
    }
  };
  std::thread refresher([&] {
    while (!done) {
      const Status s = reader->refresh();
      if (!s.is_ok()) mismatch("refresh: " + s.to_string());
    }
  });
  // Readers check that each latest read is the script's state at the
  // reader's version (taken after the scan, which read at most that).
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!done) {
        auto snap = reader->snapshot();
        ScriptedState script;
        script.advance_to(snap.version());
        auto it = reader->scan(ScanOptions{.at = snap.version()});
        if (!it.is_ok()) {
          mismatch("scan: " + it.status().to_string());
          continue;
        }
        std::vector<std::pair<std::string, std::string>> seen;
        for (; it->valid(); it->next()) seen.emplace_back(it->key(), it->value());
        if (!it->status().is_ok()) {
          mismatch("iterating: " + it->status().to_string());
        } else if (seen != as_pairs(script.live())) {
          mismatch("at version " + std::to_string(snap.version()) + ": " +
                   std::to_string(seen.size()) + " entries, the script has " +
                   std::to_string(script.live().size()));
        }
      }
    });
  }
  write_thread.join();
  refresher.join();
  for (auto& t : readers) t.join();
  INFO("first mismatch: " << first);
  CHECK(mismatches.load() == 0);
  must(reader->refresh());
  CHECK(reader->last_version() == kWrites);
  ScriptedState script;
  check_matches_script(*reader, script);
}

namespace {

// A closed database whose newest WAL (holding a=1 at version 1) ends
// unsealed, as a crash leaves it, followed by a hand-made newer WAL holding
// `records` (b=2 at version 2, or nothing).
std::shared_ptr<FileSystem> unsealed_wal_then_newer(bool newer_holds_records) {
  auto fs = memory_file_system();
  {
    auto writer = must(DB::open(kDir, Options{.file_system = fs}));
    must(writer->put("a", "1"));
    must(writer->close());
  }
  std::uint64_t newest = 0;
  for (const auto& name : must(fs->list_dir(kDir))) {
    if (name.ends_with(".wal")) newest = std::max<std::uint64_t>(newest, std::stoull(name));
  }
  REQUIRE(newest != 0);
  const std::uint64_t next = newest + 1;
  auto wal = must(wal::create_wal(*fs, join_path(kDir, wal_file_name(next)), next));
  if (newer_holds_records) {
    WriteBatch b;
    b.put("b", "2");
    std::string rep = WriteBatchAccess::rep(b);
    WriteBatchAccess::set_version(&rep, 2);
    must(wal->add_record(rep));
  }
  must(wal->sync());
  must(wal->close());
  return fs;
}

}  // namespace

TEST_CASE("an unsealed older WAL followed by a WAL with writes ends the reading there",
          "[db][read_only]") {
  auto fs = unsealed_wal_then_newer(/*newer_holds_records=*/true);
  // The reader keeps the prefix the writer produced: writes after the cut
  // are not part of any state it acknowledged as a whole.
  auto reader = must(DB::open_read_only(kDir, Options{.file_system = fs}));
  CHECK(must(reader->get("a")) == "1");
  CHECK(must(reader->get("b")) == std::nullopt);
  CHECK(reader->stats().last_version == 1);
  // A writer's open refuses the same files (spec/wal.md rule P7).
  const auto opened = DB::open(kDir, Options{.file_system = fs});
  REQUIRE_FALSE(opened.is_ok());
  CHECK(opened.status().code() == Code::kCorruption);
  CHECK_THAT(opened.status().to_string(), Catch::Contains("without its seal"));
}

TEST_CASE("an unsealed older WAL followed by an empty WAL is still read whole", "[db][read_only]") {
  auto fs = unsealed_wal_then_newer(/*newer_holds_records=*/false);
  auto reader = must(DB::open_read_only(kDir, Options{.file_system = fs}));
  CHECK(must(reader->get("a")) == "1");
  CHECK(reader->stats().last_version == 1);
  auto writer = must(DB::open(kDir, Options{.file_system = fs}));
  CHECK(must(writer->get("a")) == "1");
}
