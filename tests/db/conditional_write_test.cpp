// Conditional writes (WriteBatch::expect_version, expect_missing,
// expect_exists): a batch commits only if its preconditions hold at commit,
// else it commits nothing, takes no version and returns Conflict.
//
// The first cases drive the group check (src/db/preconditions.hpp) directly
// with a fake committed state, which is the only way to put several batches
// in one write group on purpose; the rest go through DB::write, with the data
// in the memtable, in level-0 tables and in level 2.
#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "db/preconditions.hpp"
#include "sand/sand.hpp"
#include "support/db_helpers.hpp"

using namespace sand;
using sand::test::must;

namespace {

// A committed state for check_preconditions that counts its lookups.
struct FakeCommitted {
  std::map<std::string, Version, std::less<>> versions;
  std::map<std::string, Status, std::less<>> failing;
  int lookups = 0;

  CommittedVersionFn fn() {
    return [this](std::string_view key) -> Result<Version> {
      ++lookups;
      if (const auto bad = failing.find(key); bad != failing.end()) return bad->second;
      const auto it = versions.find(key);
      return it == versions.end() ? Version{0} : it->second;
    };
  }
};

std::vector<Status> check_group(const std::vector<const WriteBatch*>& group, Version first,
                                FakeCommitted& committed) {
  return check_preconditions(group, first, committed.fn());
}

WriteBatch put_if(std::string_view key, std::string_view value, Version expected) {
  WriteBatch b;
  b.expect_version(key, expected);
  b.put(key, value);
  return b;
}

Result<Version> write_put_if(DB& db, std::string_view key, std::string_view value,
                             Version expected) {
  return db.write(put_if(key, value, expected));
}

bool is_conflict(const Result<Version>& r) {
  return !r.is_ok() && r.status().code() == Code::kConflict;
}

std::string conflict_text(const Result<Version>& r) {
  REQUIRE(is_conflict(r));
  return r.status().message();
}

}  // namespace

TEST_CASE("check_preconditions shows a batch the passing batches before it in its group",
          "[db][conditional]") {
  FakeCommitted committed;
  committed.versions["k"] = 3;
  const WriteBatch a = put_if("k", "a", 3);   // passes: commits at 10
  const WriteBatch b = put_if("k", "b", 3);   // conflicts: k is at 10 now
  const WriteBatch c = put_if("k", "c", 10);  // passes: commits at 11
  WriteBatch d;                               // no preconditions: commits at 12
  d.del("k");
  WriteBatch e;
  e.expect_missing("k");  // deleted by d
  e.put("k", "e");        // commits at 13
  WriteBatch f;
  f.expect_version("k", 13);
  f.put("other", "f");
  const auto outcome = check_group({&a, &b, &c, &d, &e, &f}, 10, committed);
  REQUIRE(outcome.size() == 6);
  CHECK(outcome[0].is_ok());
  CHECK(outcome[1].code() == Code::kConflict);
  CHECK(outcome[1].message() == "key 'k' expected version 3, found 10");
  CHECK(outcome[2].is_ok());
  CHECK(outcome[3].is_ok());
  CHECK(outcome[4].is_ok());
  CHECK(outcome[5].is_ok());
  CHECK(committed.lookups == 1);  // k once; the group knows it from then on
}

TEST_CASE("check_preconditions gives a failed batch no version", "[db][conditional]") {
  FakeCommitted committed;
  const WriteBatch fails = put_if("k", "x", 7);  // k is missing
  const WriteBatch first = put_if("k", "a", 0);  // takes version 5, not 6
  const WriteBatch second = put_if("k", "b", 5);
  const WriteBatch stale = put_if("k", "c", 7);  // right only if `fails` took 5
  const auto outcome = check_group({&fails, &first, &second, &stale}, 5, committed);
  CHECK(outcome[0].message() == "key 'k' expected version 7, found 0 (missing)");
  CHECK(outcome[1].is_ok());
  CHECK(outcome[2].is_ok());
  CHECK(outcome[3].message() == "key 'k' expected version 7, found 6");
}

TEST_CASE("check_preconditions checks a batch against the state before its own operations",
          "[db][conditional]") {
  FakeCommitted committed;
  WriteBatch own;  // its own put does not make its precondition true
  own.put("k", "v");
  own.expect_version("k", 1);
  WriteBatch creates;  // nor its own del false
  creates.put("k", "v");
  creates.del("k");
  creates.put("k", "w");
  creates.expect_missing("k");
  WriteBatch after;  // the later op of `creates` won: k exists, at version 1
  after.expect_exists("k");
  after.expect_version("k", 1);
  after.put("x", "y");
  const auto outcome = check_group({&own, &creates, &after}, 1, committed);
  CHECK(outcome[0].code() == Code::kConflict);
  CHECK(outcome[1].is_ok());
  CHECK(outcome[2].is_ok());
}

TEST_CASE("check_preconditions looks nothing up for a group without preconditions",
          "[db][conditional]") {
  FakeCommitted committed;
  WriteBatch a;
  a.put("k", "v");
  WriteBatch b;
  b.del("k");
  const auto outcome = check_group({&a, &b}, 1, committed);
  CHECK(outcome.size() == 2);
  CHECK(outcome[0].is_ok());
  CHECK(outcome[1].is_ok());
  CHECK(committed.lookups == 0);
}

TEST_CASE("check_preconditions fails only the batch whose lookup fails", "[db][conditional]") {
  FakeCommitted committed;
  committed.failing["bad"] = Status::corruption("000007.sst: offset 12: bad block checksum");
  WriteBatch reads_bad;
  reads_bad.expect_exists("bad");
  reads_bad.put("k", "v");
  const WriteBatch next = put_if("k", "w", 0);  // reads_bad's put never happened
  const auto outcome = check_group({&reads_bad, &next}, 4, committed);
  CHECK(outcome[0].code() == Code::kCorruption);
  CHECK(outcome[0].message() == "000007.sst: offset 12: bad block checksum");
  CHECK(outcome[1].is_ok());
}

TEST_CASE("printable_key escapes bytes outside printable ASCII and cuts long keys",
          "[db][conditional]") {
  CHECK(printable_key("user:42") == "user:42");
  CHECK(printable_key(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(printable_key("\xff\n\\ ~") == "\\xff\\x0a\\x5c ~");
  const std::string long_key(200, 'z');
  CHECK(printable_key(long_key) == std::string(128, 'z') + "... (200 bytes)");
}

TEST_CASE("put-if commits at the expected version and conflicts otherwise", "[db][conditional]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  const Version v1 = must(db->put("k", "a"));
  CHECK(is_conflict(write_put_if(*db, "k", "b", v1 + 1)));
  CHECK(is_conflict(write_put_if(*db, "k", "b", 0)));
  const Version v2 = must(write_put_if(*db, "k", "b", v1));
  CHECK(v2 == v1 + 1);
  CHECK(must(db->get("k")) == "b");
  CHECK(is_conflict(write_put_if(*db, "k", "c", v1)));  // stale now
  CHECK(must(write_put_if(*db, "k", "c", v2)) == v2 + 1);
}

TEST_CASE("expected version 0 holds for a missing key and a deleted key", "[db][conditional]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  const Version created = must(write_put_if(*db, "k", "a", 0));
  CHECK(is_conflict(write_put_if(*db, "k", "b", 0)));
  must(db->del("k"));
  const Version recreated = must(write_put_if(*db, "k", "b", 0));
  CHECK(must(db->get("k")) == "b");
  // A delete of a key never written leaves it missing too.
  must(db->del("ghost"));
  WriteBatch b;
  b.expect_missing("ghost");
  b.put("other", "x");
  CHECK(must(db->write(b)) == recreated + 2);
  CHECK(created < recreated);
}

TEST_CASE("expect_exists holds only while the newest entry is a put", "[db][conditional]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  WriteBatch b;
  b.expect_exists("k");
  b.put("k", "updated");
  CHECK(conflict_text(db->write(b)) == "key 'k' expected it to exist, found 0 (missing)");
  must(db->put("k", "a"));
  must(db->write(b));
  CHECK(must(db->get("k")) == "updated");
  must(db->del("k"));
  CHECK(is_conflict(db->write(b)));
  CHECK(must(db->get("k")) == std::nullopt);
}

TEST_CASE("every precondition of a batch must hold", "[db][conditional]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  const Version va = must(db->put("a", "1"));
  const Version vb = must(db->put("b", "1"));
  auto transfer = [&](Version expect_a, Version expect_b) {
    WriteBatch t;
    t.expect_version("a", expect_a);
    t.expect_version("b", expect_b);
    t.expect_missing("c");
    t.put("a", "0");
    t.put("b", "2");
    return db->write(t);
  };
  CHECK(conflict_text(transfer(va, vb + 5)) ==
        "key 'b' expected version " + std::to_string(vb + 5) + ", found " + std::to_string(vb));
  CHECK(is_conflict(transfer(vb, vb)));
  must(db->put("c", "x"));
  CHECK(conflict_text(transfer(va, vb)) ==
        "key 'c' expected version 0 (missing), found " + std::to_string(vb + 1));
  must(db->del("c"));
  const Version v = must(transfer(va, vb));
  CHECK(must(db->get("a")) == "0");
  CHECK(must(db->get("b")) == "2");
  CHECK(must(db->get_versioned("a"))->version == v);
}

TEST_CASE("the conflict message names the key and the expected and actual versions",
          "[db][conditional]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  must(db->put("x", "1"));
  const Version v = must(db->put("account/7", "100"));
  const auto r = write_put_if(*db, "account/7", "90", 1);
  REQUIRE(is_conflict(r));
  CHECK(r.status().message() == "key 'account/7' expected version 1, found " + std::to_string(v));
  CHECK(r.status().to_string().find("account/7") != std::string::npos);
}

TEST_CASE("a failed batch commits nothing and consumes no version", "[db][conditional]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  const Version v = must(db->put("k", "a"));
  const Stats before = db->stats();
  WriteBatch b;
  b.expect_version("k", v + 1);
  b.put("k", "b");
  b.put("new", "n");
  b.del("k");
  CHECK(is_conflict(db->write(b, WriteOptions{.sync = SyncMode::kSync})));
  const Stats after = db->stats();
  CHECK(after.last_version == v);
  CHECK(after.wal_bytes == before.wal_bytes);  // nothing appended
  CHECK(after.wal_syncs == before.wal_syncs);  // nor synced
  CHECK(after.write_groups == before.write_groups);
  CHECK(must(db->get("new")) == std::nullopt);
  CHECK(must(db->history("k")).size() == 1);
  CHECK(must(db->put("z", "z")) == v + 1);
}

TEST_CASE("preconditions see data in the memtable and in level-0 and level-2 tables",
          "[db][conditional]") {
  auto db =
      must(DB::open("/db", test::tiny_compacting_options(memory_file_system(), Retention::kAll)));
  const Version kept = must(db->put("kept", "v"));
  must(db->put("gone", "v"));
  must(db->del("gone"));
  auto check_state = [&] {
    CHECK(is_conflict(write_put_if(*db, "kept", "x", kept + 1)));
    CHECK(is_conflict(write_put_if(*db, "kept", "x", 0)));
    CHECK(is_conflict(write_put_if(*db, "gone", "x", kept)));
    WriteBatch holds;
    holds.expect_version("kept", kept);
    holds.expect_missing("gone");
    holds.expect_missing("never");
    holds.expect_exists("kept");
    holds.put("probe", "p");
    must(db->write(holds));
  };
  {
    INFO("in the memtable");
    check_state();
  }
  must(db->flush());
  {
    INFO("in a level-0 table");
    const Stats st = db->stats();
    CHECK(st.memtable_bytes < 4096);
    REQUIRE(st.tables[0] + st.tables[1] + st.tables[2] > 0);
    check_state();
  }
  must(db->compact());
  INFO("in level 2");
  const Stats st = db->stats();
  CHECK(st.tables[0] == 0);
  CHECK(st.tables[1] == 0);
  REQUIRE(st.tables[2] > 0);
  check_state();
}

TEST_CASE("preconditions work on binary keys", "[db][conditional]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  const std::string key(
      "\x00\xff"
      "k\n",
      4);
  const std::string prefix("\x00\xff", 2);  // sorts right before key
  const Version v = must(write_put_if(*db, key, "a", 0));
  must(db->put(prefix, "p"));
  must(db->flush());
  CHECK(must(write_put_if(*db, key, "b", v)) > v);
  CHECK(conflict_text(write_put_if(*db, key, "c", v)).starts_with("key '\\x00\\xffk\\x0a' "));
  CHECK(is_conflict(write_put_if(*db, prefix, "q", 0)));
  CHECK(must(db->get(key)) == "b");
}

TEST_CASE("a precondition on a key longer than kMaxKeySize is refused", "[db][conditional]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  const std::string too_long(kMaxKeySize + 1, 'k');
  for (const int which : {0, 1, 2}) {
    WriteBatch batch;
    batch.put("a", "1");
    batch.expect_missing("a");
    if (which == 0) batch.expect_version(too_long, 3);
    if (which == 1) batch.expect_missing(too_long);
    if (which == 2) batch.expect_exists(too_long);
    const auto r = db->write(batch);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message() ==
          "write batch precondition 1: key of 65537 bytes exceeds kMaxKeySize (65536)");
  }
  CHECK(db->last_version() == 0);  // nothing committed
  // A key of exactly the limit is a key like any other.
  WriteBatch batch;
  batch.put("a", "1");
  batch.expect_missing(std::string(kMaxKeySize, 'k'));
  CHECK(must(db->write(batch)) == 1);
}

TEST_CASE("get_versioned shows the tombstone version but a precondition sees version 0",
          "[db][conditional]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  must(db->put("k", "a"));
  const Version deleted = must(db->del("k"));
  const auto entry = must(db->get_versioned("k"));
  REQUIRE(entry.has_value());
  CHECK(entry->deleted);
  CHECK(entry->version == deleted);
  // Passing the tombstone's version along is a conflict: a deleted key is at 0.
  CHECK(conflict_text(write_put_if(*db, "k", "b", entry->version)) ==
        "key 'k' expected version " + std::to_string(deleted) + ", found 0 (missing)");
  must(write_put_if(*db, "k", "b", 0));
}

TEST_CASE("a read-modify-write loop retries on Conflict until its update applies",
          "[db][conditional]") {
  auto db = must(DB::open("/db", Options{.file_system = memory_file_system()}));
  must(db->put("counter", "0"));
  int attempts = 0;
  // Reads, lets a rival write land in between (twice), and retries.
  auto increment = [&]() -> Version {
    for (;;) {
      ++attempts;
      const auto seen = must(db->get_versioned("counter"));
      const Version expected = seen && !seen->deleted ? seen->version : 0;
      const int value = seen && !seen->deleted ? std::stoi(seen->value) : 0;
      if (attempts <= 2) must(db->put("counter", std::to_string(value + 10)));  // the rival
      const auto r = write_put_if(*db, "counter", std::to_string(value + 1), expected);
      if (r.is_ok()) return *r;
      REQUIRE(is_conflict(r));
    }
  };
  const Version v = increment();
  CHECK(attempts == 3);
  CHECK(must(db->get("counter")) == "21");
  CHECK(must(db->get_versioned("counter"))->version == v);
}

TEST_CASE("a conditional batch survives reopening like any other", "[db][conditional]") {
  auto fs = memory_file_system();
  Version v = 0;
  {
    auto db = must(DB::open("/db", Options{.file_system = fs}));
    must(db->put("k", "a"));
    v = must(write_put_if(*db, "k", "b", 1));
    must(db->close());
  }
  auto db = must(DB::open("/db", Options{.file_system = fs}));
  CHECK(must(db->get("k")) == "b");
  CHECK(db->last_version() == v);
  CHECK(must(write_put_if(*db, "k", "c", v)) == v + 1);
}
