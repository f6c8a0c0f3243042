// Table reader: round trips (with and without LZ4), get(at) semantics,
// bloom use, block cache use, and files from the FileSystem seam.
#include "table/table.hpp"

#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "table/format.hpp"
#include "table_test_util.hpp"

namespace sand::table {
namespace {

using testing::Entries;
using testing::ikey;
using testing::Model;

std::shared_ptr<Table> must_open(std::string bytes, std::shared_ptr<BlockCache> cache = nullptr,
                                 std::uint64_t number = 7) {
  Result<std::shared_ptr<Table>> t =
      testing::open_bytes(std::move(bytes), std::move(cache), number);
  REQUIRE(t.is_ok());
  return *t;
}

// The model's answer to get(user_key, at): the first entry of user_key with
// version <= at.
std::optional<Table::Found> model_get(const Model& m, const std::string& user_key, Version at) {
  auto it = m.lower_bound(seek_key(user_key, std::min(at, kMaxVersion)));
  if (it == m.end()) return std::nullopt;
  ParsedKey p;
  if (!parse_internal_key(it->first, &p) || p.user_key != user_key) return std::nullopt;
  return Table::Found{p.version, p.kind, it->second};
}

bool same(const std::optional<Table::Found>& a, const std::optional<Table::Found>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->version == b->version && a->kind == b->kind && a->value == b->value);
}

Model versioned_model() {
  Model m;
  m[ikey("a", 1)] = "a1";
  m[ikey("k", 9)] = "k9";
  m[ikey("k", 7, EntryKind::kDelete)] = "";
  m[ikey("k", 4)] = "k4";
  m[ikey("k", 2)] = "k2";
  m[ikey("z", 5, EntryKind::kDelete)] = "";
  return m;
}

TEST_CASE("get returns the newest version at or below at", "[table]") {
  for (Compression c : {Compression::kNone, Compression::kLz4}) {
    for (std::size_t block_size : {1, 4096}) {
      auto t = must_open(testing::build_table(
          versioned_model(), {.block_size = block_size, .restart_interval = 2, .compression = c}));
      auto get = [&](std::string_view k, Version at) {
        Result<std::optional<Table::Found>> r = t->get(k, at);
        REQUIRE(r.is_ok());
        return *r;
      };
      CHECK_FALSE(get("k", 1).has_value());
      CHECK(get("k", 2)->value == "k2");
      CHECK(get("k", 3)->version == 2);
      CHECK(get("k", 6)->value == "k4");
      auto tomb = get("k", 7);
      REQUIRE(tomb.has_value());
      CHECK(tomb->kind == EntryKind::kDelete);
      CHECK(tomb->version == 7);
      CHECK(tomb->value.empty());
      CHECK(get("k", 8)->kind == EntryKind::kDelete);
      CHECK(get("k", 9)->value == "k9");
      CHECK(get("k", ~Version{0})->value == "k9");  // above kMaxVersion
      CHECK(get("a", 100)->value == "a1");
      CHECK_FALSE(get("a", 0).has_value());
      CHECK(get("z", 5)->kind == EntryKind::kDelete);
      CHECK_FALSE(get("j", 100).has_value());
      CHECK_FALSE(get("zz", 100).has_value());
      CHECK_FALSE(get("", 100).has_value());
    }
  }
}

TEST_CASE("table round trip against a map", "[table]") {
  rc::prop("scans and gets equal the model", [] {
    Model m;
    const auto tuples =
        *rc::gen::container<std::vector<std::tuple<std::string, std::uint8_t, bool>>>(
            rc::gen::tuple(rc::gen::container<std::string>(rc::gen::elementOf(std::string("abc"))),
                           rc::gen::arbitrary<std::uint8_t>(), rc::gen::arbitrary<bool>()));
    const bool compressible = *rc::gen::arbitrary<bool>();
    std::uint64_t seed = 0;
    for (const auto& [user, version, put] : tuples) {
      const std::size_t len = *rc::gen::inRange<std::size_t>(0, 300);
      m[ikey(user, version, put ? EntryKind::kPut : EntryKind::kDelete)] =
          !put           ? ""
          : compressible ? testing::compressible_value(len, version)
                         : testing::incompressible_value(len, ++seed);
    }
    const TableOptions options{
        .block_size = *rc::gen::element<std::size_t>(1, 64, 512, 4096),
        .restart_interval = *rc::gen::element(1, 2, 16),
        .compression = *rc::gen::element(Compression::kNone, Compression::kLz4),
        .bloom_bits_per_key = *rc::gen::element(0, 10)};
    const bool with_cache = *rc::gen::arbitrary<bool>();
    auto cache = with_cache ? std::make_shared<BlockCache>(1 << 20) : nullptr;
    Result<std::shared_ptr<Table>> t = testing::open_bytes(testing::build_table(m, options), cache);
    RC_ASSERT(t.is_ok());
    auto it = (*t)->new_iterator();
    RC_ASSERT(testing::scan_all(it.get()) == Entries(m.begin(), m.end()));
    RC_ASSERT(testing::scan_all_backward(it.get()) == Entries(m.rbegin(), m.rend()));
    for (int i = 0; i < 20; ++i) {
      const std::string user =
          *rc::gen::container<std::string>(rc::gen::elementOf(std::string("abc")));
      const Version at = *rc::gen::inRange<Version>(0, 300);
      Result<std::optional<Table::Found>> got = (*t)->get(user, at);
      RC_ASSERT(got.is_ok());
      RC_ASSERT(same(*got, model_get(m, user, at)));
      const std::string target = seek_key(user, at);
      it->seek(target);
      auto want = m.lower_bound(target);
      RC_ASSERT(it->valid() == (want != m.end()));
      if (it->valid()) RC_ASSERT(std::string(it->key()) == want->first);
    }
    RC_ASSERT(it->status().is_ok());
  });
}

TEST_CASE("get_batch answers each key as get does", "[table]") {
  rc::prop("a batch of sorted distinct keys at one version equals the model", [] {
    Model m;
    const auto tuples =
        *rc::gen::container<std::vector<std::tuple<std::string, std::uint8_t, bool>>>(
            rc::gen::tuple(rc::gen::container<std::string>(rc::gen::elementOf(std::string("abcd"))),
                           rc::gen::inRange<std::uint8_t>(1, 40), rc::gen::arbitrary<bool>()));
    for (const auto& [user, version, put] : tuples) {
      m[ikey(user, version, put ? EntryKind::kPut : EntryKind::kDelete)] =
          put ? testing::compressible_value(*rc::gen::inRange<std::size_t>(0, 200), version) : "";
    }
    const TableOptions options{
        .block_size = *rc::gen::element<std::size_t>(1, 64, 512, 4096),
        .restart_interval = *rc::gen::element(1, 2, 16),
        .compression = *rc::gen::element(Compression::kNone, Compression::kLz4),
        .bloom_bits_per_key = *rc::gen::element(0, 10)};
    auto cache = *rc::gen::arbitrary<bool>() ? std::make_shared<BlockCache>(1 << 20) : nullptr;
    Result<std::shared_ptr<Table>> t = testing::open_bytes(testing::build_table(m, options), cache);
    RC_ASSERT(t.is_ok());
    // Written keys and absent ones, sorted and distinct.
    auto users = *rc::gen::container<std::set<std::string>>(
        rc::gen::container<std::string>(rc::gen::elementOf(std::string("abcde"))));
    const std::vector<std::string> owned(users.begin(), users.end());
    const std::vector<std::string_view> keys(owned.begin(), owned.end());
    const Version at = *rc::gen::inRange<Version>(0, 45);
    const auto value = *rc::gen::element(Table::Value::kCopy, Table::Value::kSkip);
    std::vector<std::optional<Table::Found>> out(keys.size());
    RC_ASSERT((*t)->get_batch(keys, at, out, value).is_ok());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      auto want = model_get(m, owned[i], at);
      if (want && value == Table::Value::kSkip) want->value.clear();
      RC_ASSERT(same(out[i], want));
    }
  });
}

TEST_CASE("iterator steps across block boundaries both ways", "[table]") {
  Model m;
  for (int i = 0; i < 200; ++i) m[ikey("key" + std::to_string(1000 + i), 1)] = "v";
  auto t = must_open(testing::build_table(m, {.block_size = 100}));
  REQUIRE(t->properties().data_blocks > 10);
  auto it = t->new_iterator();
  it->seek(ikey("key1050", 1));
  REQUIRE(it->valid());
  for (int i = 0; i < 30; ++i) it->next();
  CHECK(it->key() == ikey("key1080", 1));
  for (int i = 0; i < 60; ++i) it->prev();
  CHECK(it->key() == ikey("key1020", 1));
  it->seek_to_first();
  it->prev();
  CHECK_FALSE(it->valid());
  it->seek_to_last();
  CHECK(it->key() == ikey("key1199", 1));
  it->next();
  CHECK_FALSE(it->valid());
  it->seek(ikey("key9", 1));
  CHECK_FALSE(it->valid());
  CHECK(it->status().is_ok());
}

TEST_CASE("LZ4 shrinks compressible tables and leaves noise raw", "[table]") {
  Model text, noise;
  for (int i = 0; i < 300; ++i) {
    text[ikey("key" + std::to_string(1000 + i), 1)] = testing::compressible_value(200, i);
    noise[ikey("key" + std::to_string(1000 + i), 1)] = testing::incompressible_value(200, i);
  }
  const std::string text_raw = testing::build_table(text, {.compression = Compression::kNone});
  const std::string text_lz4 = testing::build_table(text, {.compression = Compression::kLz4});
  CHECK(text_lz4.size() < text_raw.size() / 2);
  const std::string noise_raw = testing::build_table(noise, {.compression = Compression::kNone});
  const std::string noise_lz4 = testing::build_table(noise, {.compression = Compression::kLz4});
  // Data blocks stay raw; only the tiny index may still shrink.
  CHECK(noise_lz4.size() <= noise_raw.size());
  CHECK(noise_lz4.size() > noise_raw.size() * 9 / 10);
  for (const std::string* file : {&text_lz4, &noise_lz4}) {
    auto t = must_open(*file);
    auto it = t->new_iterator();
    CHECK(testing::scan_all(it.get()) == Entries((file == &text_lz4 ? text : noise).begin(),
                                                 (file == &text_lz4 ? text : noise).end()));
    CHECK(t->properties().compression == Compression::kLz4);
  }
}

TEST_CASE("compressed blocks go through the cache, raw blocks do not", "[table]") {
  Model m;
  for (int i = 0; i < 300; ++i) {
    m[ikey("key" + std::to_string(1000 + i), 1)] = testing::compressible_value(100, i);
  }
  auto cache = std::make_shared<BlockCache>(1 << 20);
  auto raw = must_open(testing::build_table(m, {.compression = Compression::kNone}), cache, 1);
  auto raw_it = raw->new_iterator();
  CHECK(testing::scan_all(raw_it.get()).size() == 300);
  CHECK(cache.get()->usage() == 0);

  const std::string lz4_file = testing::build_table(m, {.compression = Compression::kLz4});
  auto lz4 = must_open(lz4_file, cache, 2);
  auto lz4_it = lz4->new_iterator();
  CHECK(testing::scan_all(lz4_it.get()).size() == 300);
  const std::size_t usage = cache->usage();
  CHECK(usage > 0);

  // A second reader of the same file number shares the cached blocks.
  auto again = must_open(lz4_file, cache, 2);
  Result<std::optional<Table::Found>> g = again->get("key1150", 1);
  REQUIRE(g.is_ok());
  REQUIRE(g->has_value());
  CHECK((*g)->value == testing::compressible_value(100, 150));
  CHECK(cache->usage() == usage);
}

TEST_CASE("an iterator that skips the cache reads every entry and caches nothing", "[table]") {
  Model m;
  for (int i = 0; i < 300; ++i) {
    m[ikey("key" + std::to_string(1000 + i), 1)] = testing::compressible_value(100, i);
  }
  auto cache = std::make_shared<BlockCache>(1 << 20);
  const std::string file = testing::build_table(m, {.compression = Compression::kLz4});
  auto t = must_open(file, cache, 1);
  auto skip = t->new_iterator(CacheFill::kSkip);
  const auto entries = testing::scan_all(skip.get());
  CHECK(entries.size() == 300);
  CHECK(entries.front().second == testing::compressible_value(100, 0));
  CHECK(cache->usage() == 0);
  // Backwards too (blocks loaded by stepping left).
  skip->seek_to_last();
  int n = 0;
  for (; skip->valid(); skip->prev()) ++n;
  CHECK(n == 300);
  CHECK(skip->status().is_ok());
  CHECK(cache->usage() == 0);

  // A filling reader caches them; the skipping one then uses those hits.
  auto fill = t->new_iterator();
  CHECK(testing::scan_all(fill.get()).size() == 300);
  const std::size_t usage = cache->usage();
  CHECK(usage > 0);
  auto again = t->new_iterator(CacheFill::kSkip);
  CHECK(testing::scan_all(again.get()) == entries);
  CHECK(cache->usage() == usage);
}

TEST_CASE("a tiny cache still returns right values", "[table]") {
  Model m;
  for (int i = 0; i < 300; ++i) {
    m[ikey("key" + std::to_string(1000 + i), 1)] = testing::compressible_value(100, i);
  }
  auto cache = std::make_shared<BlockCache>(1, 0);  // caches nothing
  auto t = must_open(testing::build_table(m, {.compression = Compression::kLz4}), cache);
  auto it = t->new_iterator();
  CHECK(testing::scan_all(it.get()) == Entries(m.begin(), m.end()));
  CHECK(cache->usage() == 0);
}

TEST_CASE("may_contain uses the bloom filter", "[table]") {
  Model m;
  for (int i = 0; i < 1000; ++i) m[ikey("present" + std::to_string(i), 1)] = "v";
  auto t = must_open(testing::build_table(m, {.bloom_bits_per_key = 10}));
  int absent_hits = 0;
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(t->may_contain("present" + std::to_string(i)));
    if (t->may_contain("absent" + std::to_string(i))) ++absent_hits;
  }
  CHECK(absent_hits < 30);
  auto unfiltered = must_open(testing::build_table(m, {.bloom_bits_per_key = 0}));
  CHECK(unfiltered->may_contain("absent"));
}

TEST_CASE("an iterator keeps its table alive", "[table]") {
  Model m{{ikey("k", 1), "v"}};
  auto t = must_open(testing::build_table(m, {}));
  auto it = t->new_iterator();
  std::weak_ptr<Table> weak = t;
  t.reset();
  CHECK_FALSE(weak.expired());
  it->seek_to_first();
  REQUIRE(it->valid());
  CHECK(it->value() == "v");
  it.reset();
  CHECK(weak.expired());
}

TEST_CASE("table accessors report the file", "[table]") {
  Model m{{ikey("k", 1), "v"}};
  const std::string file = testing::build_table(m, {});
  auto t = must_open(file, nullptr, 7);
  CHECK(t->file_size() == file.size());
  CHECK(t->file_name() == "000007.sst");
  CHECK(t->file_number() == 7);
}

TEST_CASE("concurrent gets and scans on one table agree", "[table]") {
  Model m;
  for (int i = 0; i < 2000; ++i) {
    m[ikey("key" + std::to_string(10000 + i), 1)] = testing::compressible_value(60, i);
  }
  auto cache = std::make_shared<BlockCache>(16 << 10, 2);  // small: constant eviction
  auto t = must_open(testing::build_table(m, {.block_size = 512}), cache);
  // Catch2 assertions are not thread-safe: threads only count failures.
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < 4; ++th) {
    threads.emplace_back([&, th] {
      for (int i = th; i < 2000; i += 3) {
        const std::string user = "key" + std::to_string(10000 + i);
        Result<std::optional<Table::Found>> g = t->get(user, 5);
        if (!g.is_ok() || !g->has_value() || (*g)->value != testing::compressible_value(60, i)) {
          ++failures;
        }
      }
      auto it = t->new_iterator();
      if (testing::scan_all(it.get()).size() != m.size()) ++failures;
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
}

TEST_CASE("tables round trip through the memory file system", "[table]") {
  std::shared_ptr<FileSystem> fs = memory_file_system();
  REQUIRE(fs->create_dir("/db").is_ok());
  Model m = versioned_model();
  {
    Result<std::unique_ptr<WritableFile>> w = fs->new_writable_file("/db/000012.sst");
    REQUIRE(w.is_ok());
    TableBuilder b({}, w->get());
    for (const auto& [k, v] : m) b.add(k, v);
    REQUIRE(b.finish().is_ok());
    REQUIRE((*w)->sync().is_ok());
    REQUIRE((*w)->close().is_ok());
  }
  Result<std::unique_ptr<ReadableFile>> r = fs->open_readable_file("/db/000012.sst");
  REQUIRE(r.is_ok());
  Result<std::shared_ptr<Table>> t =
      Table::open(std::move(r).value(), "/db/000012.sst", 12, nullptr);
  REQUIRE(t.is_ok());
  auto it = (*t)->new_iterator();
  CHECK(testing::scan_all(it.get()) == Entries(m.begin(), m.end()));
}

}  // namespace
}  // namespace sand::table
