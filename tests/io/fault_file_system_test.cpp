// Tests for tests/support/fault_file_system: the page-cache model (what a
// power loss keeps of data and of names), torn tails, kept prefixes of the
// pending namespace ops (names_seed), error injection, the
// power-cut counter, event recording and locks; then a DB plugged into it:
// synced writes survive power loss, a flush orders its syncs before the
// manifest names the table, and a power cut at every op loses nothing
// acknowledged.
#include "support/fault_file_system.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <set>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::Event;
using sand::test::FaultFileSystem;
using sand::test::must;
using sand::test::OpKind;
using sand::test::PowerLossOptions;

namespace {

const std::string kDir = "/d";

std::shared_ptr<FaultFileSystem> make_fs() {
  auto fs = std::make_shared<FaultFileSystem>();
  must(fs->create_dir(kDir));
  return fs;
}

// The current bytes of `path`, or "<missing>".
std::string read(FaultFileSystem& fs, const std::string& path) {
  auto file = fs.open_readable_file(path);
  if (!file.is_ok()) {
    INFO(file.status().to_string());
    REQUIRE(file.status().code() == Code::kNotFound);
    return "<missing>";
  }
  return std::string((*file)->contents());
}

// A file holding `data`, synced, with its name made durable; its handle is
// left open.
std::unique_ptr<WritableFile> durable_file(FaultFileSystem& fs, const std::string& path,
                                           std::string_view data) {
  auto file = must(fs.new_writable_file(path));
  must(file->append(data));
  must(file->sync());
  must(fs.sync_dir(kDir));
  return file;
}

std::string errno_text(const std::string& path, int error) {
  return path + ": " + std::strerror(error);
}

// The first seed whose power loss keeps exactly `keep` of `pending`
// namespace ops.
std::uint64_t seed_keeping(std::uint64_t keep, std::uint64_t pending) {
  for (std::uint64_t seed = 0;; ++seed) {
    if (FaultFileSystem::names_prefix_length(seed, pending) == keep) return seed;
  }
}

// Every file of the file system (in kDir and one level below) and its bytes.
std::map<std::string, std::string> files(FaultFileSystem& fs) {
  std::map<std::string, std::string> out;
  std::vector<std::string> dirs = {kDir};
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    for (const std::string& name : must(fs.list_dir(dirs[i]))) {
      const std::string path = dirs[i] + "/" + name;
      if (fs.open_readable_file(path).is_ok()) {
        out[path] = read(fs, path);
      } else {
        dirs.push_back(path);
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("fault fs: synced bytes survive power loss, unsynced bytes do not", "[io][fault]") {
  auto fs = make_fs();
  auto file = durable_file(*fs, kDir + "/a", "synced");
  must(file->append(" lost"));
  CHECK(read(*fs, kDir + "/a") == "synced lost");
  fs->power_loss();
  CHECK(read(*fs, kDir + "/a") == "synced");
  CHECK_FALSE(fs->is_down());
}

TEST_CASE("fault fs: a torn power loss keeps a seeded prefix of each unsynced tail",
          "[io][fault]") {
  // Pinned: the cut must not change with the compiler or standard library.
  CHECK(FaultFileSystem::torn_prefix_length(42, "/d/a", 100) == 29);
  CHECK(FaultFileSystem::torn_prefix_length(42, "/d/a", 0) == 0);

  const std::string tail(100, 'x');
  std::set<std::uint64_t> lengths;
  bool files_differ = false;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    auto fs = make_fs();
    auto a = durable_file(*fs, kDir + "/a", "A:");
    auto b = durable_file(*fs, kDir + "/b", "B:");
    must(a->append(tail));
    must(b->append(tail));
    fs->power_loss({.tear_unsynced_tail = seed});
    const auto keep_a = FaultFileSystem::torn_prefix_length(seed, kDir + "/a", 100);
    const auto keep_b = FaultFileSystem::torn_prefix_length(seed, kDir + "/b", 100);
    CHECK(read(*fs, kDir + "/a") == "A:" + tail.substr(0, keep_a));
    CHECK(read(*fs, kDir + "/b") == "B:" + tail.substr(0, keep_b));
    lengths.insert(keep_a);
    files_differ = files_differ || keep_a != keep_b;
    // What was kept is now on disk: a second loss keeps it.
    fs->power_loss();
    CHECK(read(*fs, kDir + "/a") == "A:" + tail.substr(0, keep_a));
  }
  CHECK(lengths.size() > 5);  // the seed moves the cut
  CHECK(files_differ);        // and files tear independently
}

TEST_CASE("fault fs: a pending truncate never tears", "[io][fault]") {
  auto fs = make_fs();
  auto file = durable_file(*fs, kDir + "/a", "abcdef");
  must(fs->truncate_file(kDir + "/a", 2));
  must(file->append("XYZ"));
  fs->power_loss({.tear_unsynced_tail = 1});
  CHECK(read(*fs, kDir + "/a") == "abcdef");
}

TEST_CASE("fault fs: a new file whose directory was never synced vanishes", "[io][fault]") {
  auto fs = make_fs();
  auto file = must(fs->new_writable_file(kDir + "/new"));
  must(file->append("data"));
  must(file->sync());  // the data is durable, the name is not
  fs->power_loss();
  CHECK_FALSE(fs->exists(kDir + "/new"));
  CHECK(must(fs->list_dir(kDir)).empty());

  auto again = must(fs->new_writable_file(kDir + "/new"));
  must(again->append("data"));
  must(again->sync());
  must(fs->sync_dir(kDir));
  fs->power_loss();
  CHECK(read(*fs, kDir + "/new") == "data");
}

TEST_CASE("fault fs: a rename without a directory sync reverts", "[io][fault]") {
  auto fs = make_fs();
  durable_file(*fs, kDir + "/old", "one");
  durable_file(*fs, kDir + "/target", "two");
  must(fs->rename_file(kDir + "/old", kDir + "/target"));
  CHECK(read(*fs, kDir + "/target") == "one");
  CHECK_FALSE(fs->exists(kDir + "/old"));

  fs->power_loss();
  CHECK(read(*fs, kDir + "/old") == "one");
  CHECK(read(*fs, kDir + "/target") == "two");

  must(fs->rename_file(kDir + "/old", kDir + "/target"));
  must(fs->sync_dir(kDir));
  fs->power_loss();
  CHECK(read(*fs, kDir + "/target") == "one");
  CHECK(read(*fs, kDir + "/old") == "<missing>");
}

TEST_CASE("fault fs: a link is a namespace op, and the inode keeps its durable bytes",
          "[io][fault]") {
  auto fs = make_fs();
  durable_file(*fs, kDir + "/a", "one");
  must(fs->link_file(kDir + "/a", kDir + "/b"));
  CHECK(read(*fs, kDir + "/b") == "one");
  fs->power_loss();
  CHECK(read(*fs, kDir + "/b") == "<missing>");
  must(fs->link_file(kDir + "/a", kDir + "/b"));
  must(fs->sync_dir(kDir));
  must(fs->remove_file(kDir + "/a"));
  must(fs->sync_dir(kDir));
  fs->power_loss();
  CHECK(read(*fs, kDir + "/b") == "one");
  CHECK(fs->link_file(kDir + "/a", kDir + "/c").code() == Code::kNotFound);
}

TEST_CASE("fault fs: a directory rename is durable at the parent's sync, whole or not at all",
          "[io][fault]") {
  auto fs = make_fs();
  must(fs->create_dir(kDir + "/tmp"));
  auto f = must(fs->new_writable_file(kDir + "/tmp/x"));
  must(f->append("data"));
  must(f->sync());
  must(fs->sync_dir(kDir + "/tmp"));
  must(fs->rename_file(kDir + "/tmp", kDir + "/final"));
  CHECK(read(*fs, kDir + "/final/x") == "data");
  CHECK_FALSE(fs->exists(kDir + "/tmp"));

  fs->power_loss();  // not synced: back under the old name
  CHECK(read(*fs, kDir + "/tmp/x") == "data");
  CHECK_FALSE(fs->exists(kDir + "/final"));

  must(fs->rename_file(kDir + "/tmp", kDir + "/final"));
  must(fs->sync_dir(kDir));
  fs->power_loss();
  CHECK(read(*fs, kDir + "/final/x") == "data");
  CHECK_FALSE(fs->exists(kDir + "/tmp"));
  CHECK(fs->list_dir(kDir + "/final").is_ok());
}

TEST_CASE("fault fs: a remove without a directory sync reverts", "[io][fault]") {
  auto fs = make_fs();
  durable_file(*fs, kDir + "/a", "kept");
  must(fs->remove_file(kDir + "/a"));
  CHECK_FALSE(fs->exists(kDir + "/a"));
  fs->power_loss();
  CHECK(read(*fs, kDir + "/a") == "kept");

  must(fs->remove_file(kDir + "/a"));
  must(fs->sync_dir(kDir));
  fs->power_loss();
  CHECK_FALSE(fs->exists(kDir + "/a"));
}

TEST_CASE("fault fs: a sync_dir covers only its own directory", "[io][fault]") {
  auto fs = make_fs();
  must(fs->create_dir(kDir + "/sub"));
  auto top = must(fs->new_writable_file(kDir + "/top"));
  auto low = must(fs->new_writable_file(kDir + "/sub/low"));
  must(fs->sync_dir(kDir + "/sub"));
  fs->power_loss();
  CHECK(fs->exists(kDir + "/sub/low"));
  CHECK_FALSE(fs->exists(kDir + "/top"));
  CHECK(fs->exists(kDir + "/sub"));  // directories are durable at once
}

TEST_CASE("fault fs: names_prefix_length is pinned and reaches every length 0..pending",
          "[io][fault][names]") {
  // Pinned: the prefix must not change with the compiler or standard library.
  CHECK(FaultFileSystem::names_prefix_length(42, 10) == 0);
  CHECK(FaultFileSystem::names_prefix_length(7, 100) == 15);
  CHECK(FaultFileSystem::names_prefix_length(1, 3) == 3);
  CHECK(FaultFileSystem::names_prefix_length(42, 0) == 0);
  for (const std::uint64_t pending : {1u, 2u, 5u, 9u}) {
    INFO(pending << " pending ops");
    std::map<std::uint64_t, int> seen;
    for (std::uint64_t seed = 0; seed < 400; ++seed) {
      const std::uint64_t keep = FaultFileSystem::names_prefix_length(seed, pending);
      REQUIRE(keep <= pending);
      ++seen[keep];
    }
    CHECK(seen.size() == pending + 1);  // every length, 0 and all included
    for (const auto& [keep, count] : seen) {
      INFO("length " << keep);
      CHECK(count > 400 / static_cast<int>(pending + 1) / 3);  // roughly uniform
    }
  }
}

TEST_CASE("fault fs: without names_seed every pending namespace op is undone",
          "[io][fault][names]") {
  auto fs = make_fs();
  durable_file(*fs, kDir + "/old", "old");
  auto a = must(fs->new_writable_file(kDir + "/a"));
  must(a->sync());
  must(fs->rename_file(kDir + "/a", kDir + "/b"));
  must(fs->remove_file(kDir + "/old"));
  CHECK(fs->pending_name_ops() == 3);
  fs->power_loss({.tear_unsynced_tail = 7});
  CHECK(fs->pending_name_ops() == 0);
  CHECK(fs->kept_name_ops() == 0);
  CHECK(files(*fs) == std::map<std::string, std::string>{{kDir + "/old", "old"}});
}

TEST_CASE("fault fs: a names_seed power loss keeps every prefix length of the pending ops",
          "[io][fault][names]") {
  constexpr std::uint64_t kFiles = 5;
  std::set<std::uint64_t> lengths;
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    INFO("seed " << seed);
    auto fs = make_fs();
    for (std::uint64_t i = 0; i < kFiles; ++i) {
      auto f = must(fs->new_writable_file(kDir + "/f" + std::to_string(i)));
      must(f->append("data" + std::to_string(i)));
      must(f->sync());  // the data is durable, the name is not
    }
    CHECK(fs->pending_name_ops() == kFiles);
    fs->power_loss({.names_seed = seed});
    CHECK(fs->pending_name_ops() == 0);
    const std::uint64_t keep = FaultFileSystem::names_prefix_length(seed, kFiles);
    CHECK(fs->kept_name_ops() == keep);
    lengths.insert(keep);
    // Exactly the first `keep` creates, in the order they happened.
    std::map<std::string, std::string> want;
    for (std::uint64_t i = 0; i < keep; ++i) {
      want[kDir + "/f" + std::to_string(i)] = "data" + std::to_string(i);
    }
    CHECK(files(*fs) == want);
    // What was kept is on disk now: a second loss keeps it.
    fs->power_loss();
    CHECK(files(*fs) == want);
  }
  CHECK(lengths.size() == kFiles + 1);
}

TEST_CASE(
    "fault fs: a kept prefix respects the order of creates, renames and removes across "
    "directories",
    "[io][fault][names]") {
  using Files = std::map<std::string, std::string>;
  const std::string a = kDir + "/a", b = kDir + "/sub/b", old = kDir + "/old", c = kDir + "/sub/c";
  // The namespace after each prefix of the four ops below (data: synced
  // bytes only).
  const std::vector<Files> after = {
      {{old, "old"}},            // nothing kept
      {{old, "old"}, {a, "A"}},  // create a
      {{old, "old"}, {b, "A"}},  // rename a -> sub/b
      {{b, "A"}},                // remove old
      {{b, "A"}, {c, ""}},       // create sub/c (never synced)
  };
  std::set<std::uint64_t> lengths;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    INFO("seed " << seed);
    auto fs = make_fs();
    must(fs->create_dir(kDir + "/sub"));
    durable_file(*fs, old, "old");
    auto fa = must(fs->new_writable_file(a));
    must(fa->append("A"));
    must(fa->sync());
    must(fa->append(" unsynced"));
    must(fs->rename_file(a, b));
    must(fs->remove_file(old));
    auto fc = must(fs->new_writable_file(c));
    must(fc->append("C"));
    REQUIRE(fs->pending_name_ops() == 4);
    fs->power_loss({.names_seed = seed});
    const std::uint64_t keep = FaultFileSystem::names_prefix_length(seed, 4);
    lengths.insert(keep);
    CHECK(files(*fs) == after[keep]);
  }
  CHECK(lengths.size() == after.size());
}

TEST_CASE("fault fs: a kept remove removes the name and, with its last name, the data",
          "[io][fault][names]") {
  auto fs = make_fs();
  durable_file(*fs, kDir + "/a", "gone");
  must(fs->remove_file(kDir + "/a"));
  fs->power_loss({.names_seed = seed_keeping(1, 1)});
  CHECK_FALSE(fs->exists(kDir + "/a"));
  CHECK(files(*fs).empty());
  // A new file of that name is a new inode: nothing of the old bytes.
  auto again = must(fs->new_writable_file(kDir + "/a"));
  must(again->sync());
  must(fs->sync_dir(kDir));
  fs->power_loss();
  CHECK(read(*fs, kDir + "/a") == "");

  // The same remove with nothing kept comes undone.
  auto fs2 = make_fs();
  durable_file(*fs2, kDir + "/a", "kept");
  must(fs2->remove_file(kDir + "/a"));
  fs2->power_loss({.names_seed = seed_keeping(0, 1)});
  CHECK(read(*fs2, kDir + "/a") == "kept");
}

TEST_CASE("fault fs: a kept rename over an existing name moves the inode with its durable bytes",
          "[io][fault][names]") {
  for (const bool kept : {true, false}) {
    INFO((kept ? "rename kept" : "rename dropped"));
    auto fs = make_fs();
    auto from = durable_file(*fs, kDir + "/old", "one");
    must(from->append(" unsynced"));
    durable_file(*fs, kDir + "/target", "two");
    must(fs->rename_file(kDir + "/old", kDir + "/target"));
    fs->power_loss({.names_seed = seed_keeping(kept ? 1 : 0, 1)});
    if (kept) {
      // The replaced inode had no other name: it is gone.
      CHECK(files(*fs) == std::map<std::string, std::string>{{kDir + "/target", "one"}});
    } else {
      CHECK(files(*fs) ==
            std::map<std::string, std::string>{{kDir + "/old", "one"}, {kDir + "/target", "two"}});
    }
  }
}

TEST_CASE("fault fs: a kept create holds the durable bytes of its file, torn tail aside",
          "[io][fault][names]") {
  auto fs = make_fs();
  auto never = must(fs->new_writable_file(kDir + "/never"));
  must(never->append("not synced"));
  auto once = must(fs->new_writable_file(kDir + "/once"));
  must(once->append("synced"));
  must(once->sync());
  must(once->append(" not"));
  fs->power_loss({.names_seed = seed_keeping(2, 2)});
  CHECK(files(*fs) ==
        std::map<std::string, std::string>{{kDir + "/never", ""}, {kDir + "/once", "synced"}});

  // With a torn tail too, each kept file keeps its seeded prefix.
  const std::uint64_t tear = 3;
  auto fs2 = make_fs();
  auto w = must(fs2->new_writable_file(kDir + "/w"));
  const std::string tail(100, 'x');
  must(w->append(tail));
  fs2->power_loss({.tear_unsynced_tail = tear, .names_seed = seed_keeping(1, 1)});
  CHECK(read(*fs2, kDir + "/w") ==
        tail.substr(0, FaultFileSystem::torn_prefix_length(tear, kDir + "/w", 100)));
}

TEST_CASE("fault fs: sync_dir makes every earlier op on its directory durable whatever the seed",
          "[io][fault][names]") {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    INFO("seed " << seed);
    auto fs = make_fs();
    durable_file(*fs, kDir + "/old", "old");
    durable_file(*fs, kDir + "/target", "two");
    auto a = must(fs->new_writable_file(kDir + "/a"));
    must(a->append("A"));
    must(a->sync());
    must(fs->rename_file(kDir + "/a", kDir + "/b"));
    must(fs->rename_file(kDir + "/old", kDir + "/target"));
    must(fs->remove_file(kDir + "/b"));
    must(fs->new_writable_file(kDir + "/c").status());
    must(fs->sync_dir(kDir));
    CHECK(fs->pending_name_ops() == 0);
    // One op after the sync: it alone is up to the seed.
    must(fs->new_writable_file(kDir + "/later").status());
    CHECK(fs->pending_name_ops() == 1);
    fs->power_loss({.names_seed = seed});
    std::map<std::string, std::string> want = {{kDir + "/target", "old"}, {kDir + "/c", ""}};
    if (FaultFileSystem::names_prefix_length(seed, 1) == 1) want[kDir + "/later"] = "";
    CHECK(files(*fs) == want);
  }
}

TEST_CASE("fault fs: a sync_dir retires only its directory's half of a pending rename",
          "[io][fault][names]") {
  for (const std::uint64_t keep : {0u, 1u, 2u}) {
    INFO("keep " << keep);
    auto fs = make_fs();
    must(fs->create_dir(kDir + "/sub"));
    durable_file(*fs, kDir + "/a", "A");
    auto top = must(fs->new_writable_file(kDir + "/top"));
    must(fs->rename_file(kDir + "/a", kDir + "/sub/a"));
    must(fs->sync_dir(kDir + "/sub"));
    // Left: the create of top, and the rename's removal of the old name.
    CHECK(fs->pending_name_ops() == 2);
    fs->power_loss({.names_seed = seed_keeping(keep, 2)});
    std::map<std::string, std::string> want = {{kDir + "/sub/a", "A"}};
    if (keep >= 1) want[kDir + "/top"] = "";
    if (keep < 2) want[kDir + "/a"] = "A";  // one inode under both names
    CHECK(files(*fs) == want);
  }
}

TEST_CASE("fault fs: power_loss_after passes names_seed to the cut", "[io][fault][names]") {
  auto fs = make_fs();
  must(fs->new_writable_file(kDir + "/a").status());
  fs->power_loss_after(fs->ops() + 1, {.names_seed = seed_keeping(2, 2), .stay_down = true});
  must(fs->new_writable_file(kDir + "/b").status());
  CHECK(fs->sync_dir(kDir).code() == Code::kIOError);  // cut: the sync never happens
  fs->reboot();
  CHECK(files(*fs) == std::map<std::string, std::string>{{kDir + "/a", ""}, {kDir + "/b", ""}});
}

TEST_CASE("fault fs: truncate is data, durable at the file's next sync", "[io][fault]") {
  auto fs = make_fs();
  durable_file(*fs, kDir + "/a", "abcdef");
  must(fs->truncate_file(kDir + "/a", 3));
  CHECK(read(*fs, kDir + "/a") == "abc");
  fs->power_loss();
  CHECK(read(*fs, kDir + "/a") == "abcdef");

  must(fs->truncate_file(kDir + "/a", 3));
  auto file = must(fs->reopen_writable_file(kDir + "/a"));
  CHECK(file->size() == 3);
  must(file->sync());
  fs->power_loss();
  CHECK(read(*fs, kDir + "/a") == "abc");
}

TEST_CASE("fault fs: new_writable_file of an existing name empties it in place", "[io][fault]") {
  auto fs = make_fs();
  durable_file(*fs, kDir + "/a", "old");
  auto file = must(fs->new_writable_file(kDir + "/a"));
  must(file->append("new"));
  fs->power_loss();
  CHECK(read(*fs, kDir + "/a") == "old");  // neither the emptying nor "new" was synced

  auto again = must(fs->new_writable_file(kDir + "/a"));
  must(again->append("new"));
  must(again->sync());  // no sync_dir needed: the name was already durable
  fs->power_loss();
  CHECK(read(*fs, kDir + "/a") == "new");
}

TEST_CASE("fault fs: readable files are snapshots", "[io][fault]") {
  auto fs = make_fs();
  auto file = durable_file(*fs, kDir + "/a", "hello");
  auto view = must(fs->open_readable_file(kDir + "/a"));
  must(file->append(" world"));
  CHECK(view->contents() == "hello");
  CHECK(must(fs->read_file_from(kDir + "/a", 6)) == "world");
  CHECK(must(fs->read_file_from(kDir + "/a", 99)).empty());
  fs->power_loss();
  CHECK(view->contents() == "hello");
  CHECK(fs->read_file_from(kDir + "/missing", 0).status().code() == Code::kNotFound);
}

TEST_CASE("fault fs: fail_next fails the next op of each kind with the path and errno text",
          "[io][fault]") {
  const std::string f = kDir + "/f";
  struct Case {
    OpKind kind;
    std::string path;  // the path the error names
    std::function<Status(FaultFileSystem&, WritableFile&)> op;
  };
  const std::vector<Case> cases = {
      {OpKind::kCreate, kDir + "/n",
       [](FaultFileSystem& fs, WritableFile&) {
         return fs.new_writable_file(kDir + "/n").status();
       }},
      {OpKind::kReopen, f,
       [&](FaultFileSystem& fs, WritableFile&) { return fs.reopen_writable_file(f).status(); }},
      {OpKind::kAppend, f, [](FaultFileSystem&, WritableFile& w) { return w.append("x"); }},
      {OpKind::kSync, f, [](FaultFileSystem&, WritableFile& w) { return w.sync(); }},
      {OpKind::kClose, f, [](FaultFileSystem&, WritableFile& w) { return w.close(); }},
      {OpKind::kRename, f,
       [&](FaultFileSystem& fs, WritableFile&) { return fs.rename_file(f, kDir + "/g"); }},
      {OpKind::kRemove, f, [&](FaultFileSystem& fs, WritableFile&) { return fs.remove_file(f); }},
      {OpKind::kTruncate, f,
       [&](FaultFileSystem& fs, WritableFile&) { return fs.truncate_file(f, 1); }},
      {OpKind::kSyncDir, kDir,
       [](FaultFileSystem& fs, WritableFile&) { return fs.sync_dir(kDir); }},
      {OpKind::kCreateDir, kDir + "/sub",
       [](FaultFileSystem& fs, WritableFile&) { return fs.create_dir(kDir + "/sub"); }},
      {OpKind::kLock, kDir + "/LOCK",
       [](FaultFileSystem& fs, WritableFile&) { return fs.lock_file(kDir + "/LOCK").status(); }},
      {OpKind::kRead, f,
       [&](FaultFileSystem& fs, WritableFile&) { return fs.open_readable_file(f).status(); }},
      {OpKind::kRead, f,
       [&](FaultFileSystem& fs, WritableFile&) { return fs.read_file_from(f, 0).status(); }},
      {OpKind::kRead, kDir,
       [](FaultFileSystem& fs, WritableFile&) { return fs.list_dir(kDir).status(); }},
  };
  for (const int error : {EIO, ENOSPC}) {
    for (const Case& c : cases) {
      for (const OpKind rule : {c.kind, OpKind::kAny}) {
        INFO("op " << sand::test::op_kind_name(c.kind) << ", rule "
                   << sand::test::op_kind_name(rule) << ", errno " << error);
        auto fs = make_fs();
        auto w = durable_file(*fs, f, "data");
        fs->fail_next(rule, 1, error);
        const Status failed = c.op(*fs, *w);
        CHECK(failed.code() == Code::kIOError);
        CHECK(failed.message() == errno_text(c.path, error));
        // The failed op changed nothing.
        CHECK(read(*fs, f) == "data");
        CHECK_FALSE(fs->exists(kDir + "/n"));
        CHECK_FALSE(fs->exists(kDir + "/g"));
        CHECK_FALSE(fs->exists(kDir + "/sub"));
        // One failure only: the same op now succeeds (a failed close has
        // still closed its handle, so retry on a fresh one).
        auto fresh = must(fs->reopen_writable_file(f));
        CHECK(c.op(*fs, c.kind == OpKind::kClose ? *fresh : *w).is_ok());
      }
    }
  }
}

TEST_CASE("fault fs: fail_next counts its failures and leaves other kinds alone", "[io][fault]") {
  auto fs = make_fs();
  auto w = durable_file(*fs, kDir + "/a", "");
  fs->fail_next(OpKind::kAppend, 2, ENOSPC);
  CHECK(w->sync().is_ok());
  CHECK(w->append("1").message() == errno_text(kDir + "/a", ENOSPC));
  CHECK(w->append("2").code() == Code::kIOError);
  CHECK(w->append("3").is_ok());
  CHECK(read(*fs, kDir + "/a") == "3");  // a failed append appends nothing
  CHECK(w->size() == 1);
}

TEST_CASE("fault fs: forever mode fails every op of the kind until clear_faults", "[io][fault]") {
  auto fs = make_fs();
  auto w = durable_file(*fs, kDir + "/a", "");
  fs->fail_next(OpKind::kSync, 0, EIO, /*forever=*/true);
  for (int i = 0; i < 5; ++i) {
    must(w->append("x"));
    CHECK(w->sync().message() == errno_text(kDir + "/a", EIO));
  }
  CHECK(fs->sync_dir(kDir).is_ok());
  fs->clear_faults();
  CHECK(w->sync().is_ok());

  fs->fail_next(OpKind::kAny, 0, ENOSPC, /*forever=*/true);
  CHECK(fs->open_readable_file(kDir + "/a").status().message() == errno_text(kDir + "/a", ENOSPC));
  CHECK(fs->create_dir(kDir + "/s").code() == Code::kIOError);
  CHECK(fs->exists(kDir + "/a"));  // exists() cannot fail
  fs->clear_faults();
  CHECK(fs->create_dir(kDir + "/s").is_ok());
}

TEST_CASE("fault fs: after a failed sync the pending bytes never reach the disk", "[io][fault]") {
  auto fs = make_fs();
  auto w = durable_file(*fs, kDir + "/a", "aaaa");
  must(w->append("bbbb"));
  fs->fail_next(OpKind::kSync, 1, EIO);
  CHECK(w->sync().code() == Code::kIOError);
  // Still in the page cache, so the process reads them...
  CHECK(read(*fs, kDir + "/a") == "aaaabbbb");
  must(w->append("cccc"));
  // ...but they were marked clean: a later sync writes only what came after.
  must(w->sync());
  fs->power_loss();
  CHECK(read(*fs, kDir + "/a") == std::string("aaaa\0\0\0\0cccc", 12));

  auto v = durable_file(*fs, kDir + "/b", "1");
  must(v->append("2"));
  fs->fail_next(OpKind::kSync, 1, EIO);
  CHECK(v->sync().code() == Code::kIOError);
  fs->power_loss({.tear_unsynced_tail = 3});
  CHECK(read(*fs, kDir + "/b") == "1");
}

TEST_CASE("fault fs: a torn power loss never ends a file inside bytes a failed sync lost",
          "[io][fault]") {
  const std::string zeros(4, '\0');
  std::set<std::size_t> sizes;
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    auto fs = make_fs();
    auto w = durable_file(*fs, kDir + "/a", "aaaa");
    must(w->append("bbbb"));
    fs->fail_next(OpKind::kSync, 1, EIO);
    CHECK(w->sync().code() == Code::kIOError);
    must(w->append("cccc"));
    fs->power_loss({.tear_unsynced_tail = seed});
    const std::string got = read(*fs, kDir + "/a");
    INFO("seed " << seed);
    if (got.size() > 4) {
      CHECK(got.size() > 8);
      CHECK(got == "aaaa" + zeros + std::string("cccc").substr(0, got.size() - 8));
    } else {
      CHECK(got == "aaaa");
    }
    sizes.insert(got.size());
  }
  CHECK(sizes.size() > 2);
}

TEST_CASE("fault fs: power_loss_after(n) cuts power at the (n+1)-th mutating op", "[io][fault]") {
  auto fs = make_fs();
  const std::uint64_t start = fs->ops();
  CHECK(start == 1);  // create_dir
  fs->power_loss_after(start + 4);
  auto w = must(fs->new_writable_file(kDir + "/a"));  // 1
  must(fs->sync_dir(kDir));                           // 2
  must(w->append("x"));                               // 3
  must(w->sync());                                    // 4
  CHECK_FALSE(fs->is_down());
  const Status cut = w->append("y");  // 5: does not happen
  CHECK(cut.code() == Code::kIOError);
  CHECK(cut.message() == kDir + "/a: power lost");
  CHECK(fs->is_down());
  CHECK(fs->ops() == start + 4);

  // Down until reboot: every call fails, reads included.
  CHECK(fs->new_writable_file(kDir + "/b").status().message() == kDir + "/b: power lost");
  CHECK(fs->open_readable_file(kDir + "/a").status().message() == kDir + "/a: power lost");
  CHECK(fs->list_dir(kDir).status().code() == Code::kIOError);
  CHECK_FALSE(fs->exists(kDir + "/a"));
  CHECK(w->sync().code() == Code::kIOError);
  CHECK(fs->ops() == start + 4);

  fs->reboot();
  CHECK_FALSE(fs->is_down());
  CHECK(read(*fs, kDir + "/a") == "x");
  // Handles from before the cut stay dead; new ones work, and no cut is
  // pending any more.
  CHECK(w->append("z").message() == kDir + "/a: power lost");
  auto again = must(fs->reopen_writable_file(kDir + "/a"));
  must(again->append("y"));
  CHECK(fs->ops() == start + 6);
}

TEST_CASE("fault fs: power_loss_after(ops()) cuts at the very next op", "[io][fault]") {
  auto fs = make_fs();
  fs->power_loss_after(fs->ops(), {.tear_unsynced_tail = 9});
  CHECK(fs->create_dir(kDir + "/x").message() == kDir + "/x: power lost");
  CHECK(fs->is_down());
}

TEST_CASE("fault fs: a power loss kills handles and locks", "[io][fault]") {
  auto fs = make_fs();
  auto w = must(fs->new_writable_file(kDir + "/a"));
  auto lock = must(fs->lock_file(kDir + "/LOCK"));
  fs->power_loss();
  CHECK(w->append("x").message() == kDir + "/a: power lost");
  CHECK(w->sync().code() == Code::kIOError);
  CHECK(w->close().code() == Code::kIOError);
  // The lock died with the "process"; its stale handle must not release the
  // new holder's lock.
  auto relock = must(fs->lock_file(kDir + "/LOCK"));
  lock.reset();
  CHECK(fs->lock_file(kDir + "/LOCK").status().code() == Code::kBusy);

  fs->power_loss({.stay_down = true});
  CHECK(fs->is_down());
  CHECK(fs->create_dir(kDir + "/x").code() == Code::kIOError);
  fs->reboot();
  CHECK(fs->create_dir(kDir + "/x").is_ok());
}

TEST_CASE("fault fs: lock_file is exclusive per path until the handle dies", "[io][fault]") {
  auto fs = make_fs();
  auto lock = must(fs->lock_file(kDir + "/LOCK"));
  CHECK(fs->exists(kDir + "/LOCK"));
  const auto second = fs->lock_file(kDir + "/LOCK");
  CHECK(second.status().code() == Code::kBusy);
  CHECK(second.status().message().find(kDir + "/LOCK") != std::string::npos);
  CHECK(fs->lock_file(kDir + "/OTHER").is_ok());
  lock.reset();
  CHECK(fs->lock_file(kDir + "/LOCK").is_ok());
}

TEST_CASE("fault fs: a closed handle refuses further calls", "[io][fault]") {
  auto fs = make_fs();
  auto w = must(fs->new_writable_file(kDir + "/a"));
  must(w->close());
  const std::uint64_t ops = fs->ops();
  CHECK(w->append("x").message() == kDir + "/a: file is closed");
  CHECK(fs->ops() == ops);
}

TEST_CASE("fault fs: events record mutating ops in order", "[io][fault]") {
  auto fs = make_fs();
  auto unrecorded = must(fs->new_writable_file(kDir + "/before"));
  fs->set_recording(true);
  auto w = must(fs->new_writable_file(kDir + "/a"));
  must(w->append("hello"));
  must(w->sync());
  must(w->sync());
  must(w->close());
  CHECK(read(*fs, kDir + "/a") == "hello");  // reads are not events
  must(fs->rename_file(kDir + "/a", kDir + "/b"));
  must(fs->sync_dir(kDir));
  must(fs->truncate_file(kDir + "/b", 2));
  fs->fail_next(OpKind::kRemove, 1, EIO);
  CHECK_FALSE(fs->remove_file(kDir + "/b").is_ok());
  must(fs->remove_file(kDir + "/b"));
  auto lock = must(fs->lock_file(kDir + "/LOCK"));
  auto again = must(fs->reopen_writable_file(kDir + "/before"));
  must(fs->create_dir(kDir + "/sub"));

  const std::vector<Event> want = {
      {.kind = OpKind::kCreate, .path = kDir + "/a"},
      {.kind = OpKind::kAppend, .path = kDir + "/a", .bytes = 5, .size_after = 5},
      {.kind = OpKind::kSync, .path = kDir + "/a", .bytes = 5, .size_after = 5},
      {.kind = OpKind::kSync, .path = kDir + "/a", .bytes = 0, .size_after = 5},
      {.kind = OpKind::kClose, .path = kDir + "/a", .size_after = 5},
      {.kind = OpKind::kRename, .path = kDir + "/a", .to = kDir + "/b", .size_after = 5},
      {.kind = OpKind::kSyncDir, .path = kDir},
      {.kind = OpKind::kTruncate, .path = kDir + "/b", .bytes = 2, .size_after = 2},
      {.kind = OpKind::kRemove, .path = kDir + "/b", .size_after = 2, .ok = false},
      {.kind = OpKind::kRemove, .path = kDir + "/b"},
      {.kind = OpKind::kLock, .path = kDir + "/LOCK"},
      {.kind = OpKind::kReopen, .path = kDir + "/before"},
      {.kind = OpKind::kCreateDir, .path = kDir + "/sub"},
  };
  const std::vector<Event> got = fs->events();
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO("event " << i << ": " << sand::test::op_kind_name(got[i].kind) << " " << got[i].path);
    CHECK(got[i] == want[i]);
  }
  fs->clear_events();
  fs->set_recording(false);
  must(fs->sync_dir(kDir));
  CHECK(fs->events().empty());
}

TEST_CASE("fault fs: a DB keeps every synced write across a power loss", "[io][fault]") {
  auto fs = std::make_shared<FaultFileSystem>();
  Options options{.memtable_size = 4096, .file_system = fs};
  const WriteOptions synced{.sync = SyncMode::kSync};
  const std::string value(100, 'v');
  auto db = must(DB::open(kDir, options));
  for (int i = 0; i < 120; ++i) {
    must(db->put("key" + std::to_string(i), value, synced));
    if (i == 60) must(db->flush());  // so tables and manifest edits are involved too
  }
  must(db->put("unsynced", value, WriteOptions{.sync = SyncMode::kNoSync}));

  fs->power_loss({.tear_unsynced_tail = 5, .stay_down = true});
  db.reset();  // the dead process's close fails: the file system is down
  fs->reboot();

  db = must(DB::open(kDir, options));
  for (int i = 0; i < 120; ++i) {
    INFO("key" << i);
    CHECK(must(db->get("key" + std::to_string(i))) == value);
  }
  CHECK(db->last_version() >= 120);
  CHECK(db->last_version() <= 121);
  must(db->close());
}

TEST_CASE("fault fs: a flush syncs its table and the directory before the manifest names it",
          "[io][fault]") {
  auto fs = std::make_shared<FaultFileSystem>();
  auto db = must(DB::open(kDir, Options{.file_system = fs}));
  must(db->put("k", "v"));
  fs->set_recording(true);
  must(db->flush());
  const std::vector<Event> events = fs->events();

  // The table's last sync, then a sync of its directory, then the manifest
  // append (synced) that names it.
  std::optional<std::size_t> table_sync, dir_sync, manifest_append, manifest_sync;
  std::string table;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    INFO(i << ": " << sand::test::op_kind_name(e.kind) << " " << e.path);
    CHECK(e.ok);
    if (e.path.ends_with(".sst")) {
      CHECK(!manifest_append);  // nothing is written to the table after
      if (e.kind == OpKind::kSync) table_sync = i;
    }
    if (e.kind == OpKind::kSyncDir && e.path == kDir && table_sync) dir_sync = i;
    if (e.path == kDir + "/MANIFEST" && e.kind == OpKind::kAppend && dir_sync) {
      manifest_append = i;
    }
    if (e.path == kDir + "/MANIFEST" && e.kind == OpKind::kSync && manifest_append) {
      manifest_sync = i;
    }
  }
  REQUIRE(table_sync);
  REQUIRE(dir_sync);
  REQUIRE(manifest_append);
  REQUIRE(manifest_sync);
  CHECK(*table_sync < *dir_sync);
  CHECK(*dir_sync < *manifest_append);
  CHECK(*manifest_append < *manifest_sync);
  must(db->close());
}

TEST_CASE("fault fs: power cut at every op of a flushing workload loses no synced write",
          "[io][fault]") {
  constexpr int kWrites = 40;
  const std::string value(150, 'w');
  const auto options = [](std::shared_ptr<FileSystem> fs) {
    return Options{.memtable_size = 4096,
                   .block_size = 256,
                   .sync = true,
                   .l0_trigger = 2,
                   .l1_trigger = 2,
                   .target_file_size = 4096,
                   .file_system = std::move(fs)};
  };
  const auto key = [](int i) { return "key" + std::to_string(i % 25) + "." + std::to_string(i); };
  // Runs the workload until the first error; returns the writes acknowledged.
  const auto run = [&](const std::shared_ptr<FaultFileSystem>& fs) {
    int acked = 0;
    auto opened = DB::open(kDir, options(fs));
    if (!opened.is_ok()) return acked;
    auto db = std::move(opened).value();
    for (int i = 0; i < kWrites; ++i) {
      if (!db->put(key(i), value).is_ok()) return acked;
      ++acked;
    }
    db->flush().ignore();
    return acked;
  };

  std::uint64_t total = 0;
  {
    auto fs = std::make_shared<FaultFileSystem>();
    REQUIRE(run(fs) == kWrites);
    total = fs->ops();
  }
  REQUIRE(total > 50);
  for (std::uint64_t cut = 0; cut < total; ++cut) {
    INFO("power cut at op " << cut << " of " << total);
    auto fs = std::make_shared<FaultFileSystem>();
    fs->power_loss_after(cut, {.tear_unsynced_tail = cut});
    const int acked = run(fs);
    fs->reboot();

    auto reopened = DB::open(kDir, options(fs));
    INFO(reopened.status().to_string());
    REQUIRE(reopened.is_ok());
    auto db = std::move(reopened).value();
    const Version last = db->last_version();
    // Every acknowledged write; the one in flight maybe; nothing else.
    CHECK(last >= static_cast<Version>(acked));
    CHECK(last <= static_cast<Version>(std::min(acked + 1, kWrites)));
    for (int i = 0; i < static_cast<int>(last); ++i) {
      INFO(key(i));
      CHECK(must(db->get(key(i))) == value);
    }
    must(db->close());
  }
}
