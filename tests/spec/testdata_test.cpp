// The test vectors in spec/testdata/ (spec/testdata/README.md):
//  1. the code still writes those directories byte for byte (formats cannot
//     drift silently);
//  2. the committed files, decoded with the low-level readers exactly as the
//     spec describes (manifest -> tables + WALs), give the expected logical
//     contents in <name>.json;
//  3. a read-only DB opened on a copy of them answers get(key, at) like
//     those entries, and a DB opened for writing answers history() with them;
//  4. each directory still holds the case it is there for (runs split over
//     tables, no filter, restart interval 4, a rolled-over manifest, a torn
//     WAL tail).
// The damaged files of spec/testdata/bad/ are checked by bad_files_test.cpp.
// Set SAND_UPDATE_TESTDATA=1 to rewrite the vectors after a deliberate format
// change (which must come with a format version bump and a spec update).
#include <lz4.h>
#include <xxhash.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "cli/json_bytes.hpp"
#include "db/filenames.hpp"
#include "manifest/manifest_log.hpp"
#include "sand/sand.hpp"
#include "spec/spec_testdata.hpp"
#include "support/db_helpers.hpp"
#include "table/block.hpp"
#include "table/format.hpp"
#include "table/table.hpp"
#include "util/coding.hpp"
#include "util/internal_key.hpp"
#include "wal/log_format.hpp"
#include "wal/record_reader.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

using namespace sand;
using sand::test::must;
using namespace sand::spec_testdata;
using sand::cli::bytes_to_json;
using sand::cli::Json;

namespace {

struct Entry {
  std::string key;
  Version version;
  EntryKind kind;
  std::string value;
};

// plain: no compression; several versions of a key, tombstones, a batch; one
// table plus writes still in the WAL.
void write_plain(const std::string& dir) {
  auto db = must(DB::open(dir, Options{.compression = Compression::kNone}));
  must(db->put("apple", "red"));      // 1
  must(db->put("banana", "yellow"));  // 2
  must(db->put("apple", "green"));    // 3
  must(db->del("banana"));            // 4
  WriteBatch b;                       // 5
  b.put("cherry", "dark red");
  b.put("date", "brown");
  b.del("apple");
  must(db->write(b));
  must(db->flush());
  must(db->put("elderberry", "purple"));  // 6
  must(db->put("apple", "golden"));       // 7
  must(db->del("cherry"));                // 8
  must(db->close());
}

// lz4: compressible values over several blocks, two tables and a WAL.
void write_lz4(const std::string& dir) {
  // Separation off (the default separates from 1 KiB): inline LZ4 blocks,
  // and WALs of format version 2.
  auto db = must(DB::open(dir, Options{.value_separation_threshold = 0,
                                       .block_size = 1024,
                                       .compression = Compression::kLz4}));
  for (int i = 0; i < 40; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "key%03d", i);
    must(db->put(key, std::string(100, static_cast<char>('a' + i % 26))));
  }
  must(db->flush());
  for (int i = 0; i < 40; i += 3) {
    char key[16];
    std::snprintf(key, sizeof key, "key%03d", i);
    if (i % 2 == 0) {
      must(db->del(key));
    } else {
      must(db->put(key, std::string(150, 'z')));
    }
  }
  must(db->flush());
  must(db->put("key999", "in the wal"));
  must(db->close());
}

std::string numbered(const char* prefix, int i) {
  char key[32];
  std::snprintf(key, sizeof key, "%s%03d", prefix, i);
  return key;
}

// A value that says which write made it, padded to `size` bytes.
std::string tagged_value(const std::string& tag, std::size_t size) {
  std::string v = tag;
  v.resize(size, '.');
  return v;
}

// Waits until the background compactions of this handle reach `n` (a
// level-0 merge starts on its own once l0_trigger tables exist). Nothing else
// happens meanwhile, so the file numbers the merge takes are always the same.
void wait_for_compactions(DB& db, std::uint64_t n) {
  for (int i = 0; i < 6000 && db.stats().compactions < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(db.stats().compactions == n);
}

// runs: sorted runs split over several tables (target_file_size 4096). A
// level-2 run of 2 tables (compact()), a level-1 run of 2 tables (level-0
// merge at l0_trigger 2; some keys have a put and a tombstone in it, in one
// table), a level-0 table and three batches in the WAL; newer levels overwrite
// and delete keys of older ones.
void write_runs(const std::string& dir) {
  auto db = must(DB::open(dir, Options{.block_size = 512,
                                       .compression = Compression::kNone,
                                       .l0_trigger = 2,
                                       .target_file_size = 4096}));
  for (int i = 0; i < 100; ++i) {  // versions 1..100
    must(db->put(numbered("run", i), tagged_value("l2 " + numbered("v", i), 40)));
  }
  must(db->compact());  // level 2: 2 tables
  REQUIRE(db->stats().compactions == 1);
  for (int i = 0; i < 100; i += 2) {  // versions 101..150
    must(db->put(numbered("run", i), tagged_value("l1a " + numbered("v", i), 60)));
  }
  must(db->flush());
  for (int i = 0; i < 100; ++i) {  // versions 151..197
    if (i % 5 == 0) {
      must(db->del(numbered("run", i)));
    } else if (i % 3 == 1) {
      must(db->put(numbered("run", i), tagged_value("l1b " + numbered("v", i), 60)));
    }
  }
  must(db->flush());  // second level-0 table: the merge into level 1 starts
  wait_for_compactions(*db, 2);
  must(db->put("run005", "l0"));    // 198
  must(db->del("run001"));          // 199
  must(db->put("run050", "l0"));    // 200
  must(db->put("zzz", "l0 only"));  // 201
  must(db->flush());                // level 0: 1 table
  must(db->put("run007", "wal"));   // 202
  must(db->del("run008"));          // 203
  WriteBatch b;                     // 204
  b.put("run009", "wal batch");
  b.put("aaa", "wal only");
  must(db->write(b));
  must(db->close());
}

// nofilter: tables written with bloom_bits_per_key 0 (footer's filter handle
// null), two tables and a WAL.
void write_nofilter(const std::string& dir) {
  auto db =
      must(DB::open(dir, Options{.compression = Compression::kNone, .bloom_bits_per_key = 0}));
  must(db->put("fig", "purple"));   // 1
  must(db->put("grape", "green"));  // 2
  must(db->put("kiwi", ""));        // 3: an empty value
  must(db->del("grape"));           // 4
  must(db->flush());
  must(db->put("fig", "dried"));     // 5
  must(db->put("lemon", "yellow"));  // 6
  must(db->flush());
  must(db->put("mango", "orange"));  // 7
  must(db->close());
}

// restart4: block_restart_interval 4 and 256-byte blocks: data blocks of
// several restart points, keys that share prefixes between them, and an
// index of several entries.
void write_restart4(const std::string& dir) {
  auto db = must(DB::open(
      dir,
      Options{.block_size = 256, .block_restart_interval = 4, .compression = Compression::kNone}));
  for (int i = 0; i < 40; ++i) {  // versions 1..40
    must(db->put(numbered("user:", i), "name " + numbered("", i)));
  }
  for (int i = 0; i < 40; i += 6) {  // versions 41..47
    must(db->del(numbered("user:", i)));
  }
  for (int i = 3; i < 40; i += 9) {  // versions 48..52
    must(db->put(numbered("user:", i), "renamed " + numbered("", i)));
  }
  must(db->flush());
  must(db->put("user:999", "in the wal"));  // 53
  must(db->close());
}

// manifest_rollover: manifest_rollover_size 256, so MANIFEST was rewritten
// (log id 18) as one snapshot record holding level-0 and level-1 tables
// with their runs (tag 8) by an edit long after open, and then three more
// edits (two flushes, a level-0 merge with removals) were appended to it.
void write_manifest_rollover(const std::string& dir) {
  auto db = must(DB::open(
      dir,
      Options{.compression = Compression::kNone, .l0_trigger = 2, .manifest_rollover_size = 256}));
  int version = 0;
  auto flush_some = [&](int n) {
    for (int i = 0; i < n; ++i) {
      ++version;
      must(db->put(numbered("m", version % 7), "value " + std::to_string(version)));
    }
    must(db->flush());
  };
  flush_some(3);
  flush_some(3);  // the level-0 merge starts
  wait_for_compactions(*db, 1);
  flush_some(3);
  flush_some(3);  // the level-0 merge starts
  wait_for_compactions(*db, 2);
  flush_some(2);                 // this edit no longer fits: MANIFEST is rolled over
  flush_some(2);                 // appended, and the level-0 merge starts
  wait_for_compactions(*db, 3);  // its edit is appended
  flush_some(2);                 // appended
  must(db->put("m999", "in the wal"));
  must(db->close());
}

// torn_wal: the live WAL's last record was cut short (as a crash in the
// middle of its append leaves it): the file ends 5 bytes into that record's
// payload. Its batch (version 7) is not part of the contents.
void write_torn_wal(const std::string& dir) {
  auto db = must(DB::open(dir, Options{.compression = Compression::kNone}));
  must(db->put("north", "cold"));  // 1
  must(db->put("south", "warm"));  // 2
  must(db->del("north"));          // 3
  must(db->flush());
  must(db->put("east", "sunrise"));  // 4: WAL
  must(db->put("west", "sunset"));   // 5
  WriteBatch b;                      // 6
  b.put("north", "back");
  b.del("south");
  must(db->write(b));
  must(db->put("up", "torn away"));  // 7: the record cut short below
  must(db->close());
  std::string wal_name;
  for (const auto& e : fsys::directory_iterator(dir)) {
    const auto parsed = parse_file_name(e.path().filename().string());
    if (parsed && parsed->type == FileType::kWal) wal_name = e.path().string();
  }
  REQUIRE(!wal_name.empty());
  // The last record: 12-byte header, then version, count, kind, "up", "torn
  // away" (8 + 4 + 1 + 3 + 10 = 26 payload bytes). Keep its header and 5
  // payload bytes.
  const auto size = fsys::file_size(wal_name);
  fsys::resize_file(wal_name, size - 26 + 5);
}

// A value of `n` bytes: `word` repeated, so a hex dump shows what it is.
std::string repeated(std::string_view word, std::size_t n) {
  std::string v;
  while (v.size() < n) v += word;
  v.resize(n);
  return v;
}

// values: key-value separation (value_separation_threshold 64): values of 64
// bytes or more are referenced in their WAL record. A flush leaves a level-0
// table whose value references point into WAL 000002.wal, which stays as a
// value file (manifest tags 9 and 10); later writes, one large, are in the
// live WAL, where a WAL always holds values whole.
void write_values(const std::string& dir) {
  auto db = must(
      DB::open(dir, Options{.value_separation_threshold = 64, .compression = Compression::kNone}));
  must(db->put("note", "short"));                      // 1: inline (5 bytes)
  must(db->put("photo", repeated("photo-v2 ", 100)));  // 2: by reference
  must(db->put("doc", repeated("doc-v3 ", 64)));       // 3: by reference (exactly 64)
  WriteBatch b;                                        // 4
  b.put("photo", repeated("photo-v4 ", 90));
  b.del("doc");
  b.put("edge", repeated("e", 63));  // one byte under the threshold: inline
  must(db->write(b));
  must(db->flush());
  must(db->put("doc", repeated("doc-v5 ", 120)));  // 5: in the live WAL
  must(db->close());
}

// Compaction moves a live value out of a partly dead value file into a value
// log (spec/values.md section 4): b's value leaves the WAL that also held
// a's forgotten first value.
void write_value_log(const std::string& dir) {
  auto db = must(
      DB::open(dir, Options{.value_separation_threshold = 64, .compression = Compression::kNone}));
  must(db->put("a", repeated("a-v1 ", 80)));  // 1: by reference
  must(db->put("b", repeated("b-v2 ", 70)));  // 2: by reference
  must(db->flush());
  must(db->put("a", repeated("a-v3 ", 90)));  // 3: by reference, in a second WAL
  must(db->flush());
  must(db->put("tick", "x"));  // 4: inline
  // a@1 is forgotten (a@3 is a's newest version below the mark), so the
  // first WAL keeps only b's 70 bytes of its 150 and compact() moves them.
  must(db->forget_before(4));
  must(db->compact());
  must(db->close());
}

// A value of `n` bytes LZ4 cannot shrink: a fixed linear congruential
// sequence, so the vector is deterministic.
std::string incompressible(std::size_t n) {
  std::string v(n, '\0');
  std::uint32_t x = 12345;
  for (char& c : v) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return v;
}

// values_lz4: key-value separation with LZ4 (threshold 64): values of 2048
// bytes or more that LZ4 shrinks by an eighth are written as compressed puts
// (WAL format version 3) and referenced compressed (table format version 3,
// value_ref raw_size); a large value LZ4 cannot shrink and one under 2048
// bytes are referenced as they are.
void write_values_lz4(const std::string& dir) {
  auto db = must(
      DB::open(dir, Options{.value_separation_threshold = 64, .compression = Compression::kLz4}));
  must(db->put("note", "short"));                     // 1: inline
  must(db->put("page", repeated("page-v2 ", 3000)));  // 2: compressed, by reference
  must(db->put("blob", incompressible(2100)));        // 3: by reference, stored whole
  must(db->put("mid", repeated("mid-v4 ", 1000)));    // 4: under 2048: stored whole
  must(db->flush());
  must(db->put("page", repeated("page-v5 ", 2800)));  // 5: compressed, in the live WAL
  must(db->close());
}

const std::map<std::string, void (*)(const std::string&)> kGenerators = {
    {"db_values", write_values},
    {"db_value_log", write_value_log},
    {"db_values_lz4", write_values_lz4},
    {"db_plain", write_plain},
    {"db_lz4", write_lz4},
    {"db_runs", write_runs},
    {"db_nofilter", write_nofilter},
    {"db_restart4", write_restart4},
    {"db_manifest_rollover", write_manifest_rollover},
    {"db_torn_wal", write_torn_wal},
};

// The value a value reference names, read as spec/values.md says: the
// reference's four fields (and raw_size, if any), the live value file it
// names, its bytes at the offset, which must hash (XXH3-64) to the checksum,
// then, with a raw_size, the LZ4 block decompressed to exactly raw_size.
std::string referenced_value(const std::string& dir, const manifest::State& state,
                             std::string_view ref) {
  std::uint64_t file = 0, offset = 0, size = 0, checksum = 0, raw_size = 0;
  REQUIRE(util::get_varint64(&ref, &file));
  REQUIRE(util::get_varint64(&ref, &offset));
  REQUIRE(util::get_varint64(&ref, &size));
  REQUIRE(util::get_fixed64(&ref, &checksum));
  if (!ref.empty()) {
    REQUIRE(util::get_varint64(&ref, &raw_size));
    REQUIRE(raw_size > 0);
  }
  REQUIRE(ref.empty());
  REQUIRE(state.value_files.contains(file));
  const std::string bytes =
      read_file(fsys::path(dir) / value_file_name(state.value_files.at(file)));
  REQUIRE(offset + size <= bytes.size());
  const std::string value = bytes.substr(offset, size);
  CHECK(XXH3_64bits(value.data(), value.size()) == checksum);
  if (raw_size == 0) return value;
  std::string raw(raw_size, '\0');
  CHECK(LZ4_decompress_safe(value.data(), raw.data(), static_cast<int>(value.size()),
                            static_cast<int>(raw_size)) == static_cast<int>(raw_size));
  return raw;
}

// Decodes a database directory the way spec/README.md "Reading a database"
// says, with no DB object: manifest, then every live table and WAL.
std::pair<Version, std::vector<Entry>> decode_directory(const std::string& dir) {
  auto fs = posix_file_system();
  manifest::State state = must(manifest::replay(*fs, dir));
  std::vector<Entry> entries;
  for (const auto& [number, meta] : state.tables) {
    const std::string name = table_file_name(number);
    auto table = must(table::Table::open(must(fs->open_readable_file(join_path(dir, name))), name,
                                         number, nullptr));
    auto it = table->new_iterator();
    for (it->seek_to_first(); it->valid(); it->next()) {
      ParsedKey k;
      REQUIRE(parse_internal_key(it->key(), &k));
      if (k.kind == EntryKind::kValueRef) {
        entries.push_back({std::string(k.user_key), k.version, EntryKind::kPut,
                           referenced_value(dir, state, it->value())});
        continue;
      }
      entries.push_back({std::string(k.user_key), k.version, k.kind, std::string(it->value())});
    }
    REQUIRE(it->status().is_ok());
  }
  Version last = state.last_version;
  for (const auto& e : fsys::directory_iterator(dir)) {
    const auto parsed = parse_file_name(e.path().filename().string());
    if (!parsed || parsed->type != FileType::kWal || parsed->number < state.wal_number) continue;
    const std::string contents = read_file(e.path());
    must(wal::replay(contents, e.path().filename().string(), parsed->number, false,
                     [&](std::string_view rep, std::uint64_t offset) {
                       const Version v = WriteBatchAccess::version(rep);
                       last = std::max(last, v);
                       return WriteBatchAccess::for_each(
                           rep, "wal", offset,
                           [&](EntryKind kind, std::string_view key, std::string_view value) {
                             // A later op on the same key in a batch replaces.
                             std::erase_if(entries, [&](const Entry& x) {
                               return x.key == key && x.version == v;
                             });
                             entries.push_back({std::string(key), v, kind, std::string(value)});
                           });
                     }));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.key != b.key ? a.key < b.key : a.version > b.version;
  });
  return {last, entries};
}

// The logical contents as <name>.json holds them (spec/testdata/README.md):
// keys and values as spec/json.md says (a string, or {"hex": ...}).
Json to_json(Version last, const std::vector<Entry>& entries) {
  Json list = Json::array();
  for (const Entry& e : entries) {
    Json entry = Json::object();
    entry["key"] = bytes_to_json(e.key);
    entry["version"] = e.version;
    entry["kind"] = e.kind == EntryKind::kPut ? "put" : "delete";
    if (e.kind == EntryKind::kPut) entry["value"] = bytes_to_json(e.value);
    list.push_back(std::move(entry));
  }
  Json doc = Json::object();
  doc["last_version"] = last;
  doc["entries"] = std::move(list);
  return doc;
}

// The layout the vectors are written in, for people and diffs: one compact
// entry per line. Deterministic (members in insertion order); files are
// compared as JSON values, so the layout is not part of the format.
std::string json_text(const Json& doc) {
  std::string out = "{\n  \"last_version\": " + doc["last_version"].dump() + ",\n";
  out += "  \"entries\": [";
  const Json& entries = doc["entries"];
  for (std::size_t i = 0; i < entries.size(); ++i) {
    out += i == 0 ? "\n    " : ",\n    ";
    out += entries[i].dump();
  }
  return out + (entries.empty() ? "]\n}\n" : "\n  ]\n}\n");
}

}  // namespace

TEST_CASE("spec test vectors: the code writes the committed directories byte for byte", "[spec]") {
  const bool update = updating();
  for (const auto& [name, generate] : kGenerators) {
    INFO(name);
    sand::test::TempDir tmp;
    const std::string dir = tmp.path() + "/" + name;
    generate(dir);
    if (update) {
      fsys::remove_all(kTestdata / name);
      copy_dir(dir, kTestdata / name);
      const auto [last, entries] = decode_directory(dir);
      std::ofstream(kTestdata / (name + ".json")) << json_text(to_json(last, entries));
    }
    const auto want = dir_files(kTestdata / name);
    const auto got = dir_files(dir);
    REQUIRE(got.size() == want.size());
    for (const auto& [file, bytes] : want) {
      INFO(file);
      REQUIRE(got.contains(file));
      CHECK(got.at(file) == bytes);
    }
  }
}

TEST_CASE("spec test vectors: committed files decode to the expected contents", "[spec]") {
  for (const auto& [name, generate] : kGenerators) {
    INFO(name);
    sand::test::TempDir tmp;
    copy_dir(kTestdata / name, tmp.path());  // never touch the committed files
    // Not a structured binding: a lambda below captures `entries`.
    const auto decoded = decode_directory(tmp.path());
    const auto last = decoded.first;
    const auto& entries = decoded.second;
    // As JSON values (nlohmann::json: member order does not matter).
    const std::string committed = read_file(kTestdata / (name + ".json"));
    REQUIRE(nlohmann::json::accept(committed));
    CHECK(nlohmann::json(to_json(last, entries)) == nlohmann::json::parse(committed));

    {
      // A reader that changes nothing: point reads at every version that
      // matters (each entry's, the one before it, the last; absent keys).
      auto ro = must(DB::open_read_only(tmp.path()));
      CHECK(ro->last_version() == last);
      auto model = [&](const std::string& key, Version at) -> std::optional<std::string> {
        for (const Entry& e : entries) {  // key ascending, version descending
          if (e.key != key || e.version > at) continue;
          if (e.kind == EntryKind::kDelete) return std::nullopt;
          return e.value;
        }
        return std::nullopt;
      };
      std::vector<std::string> keys = {"", "~absent", "zzzz"};
      for (const Entry& e : entries) keys.push_back(e.key), keys.push_back(e.key + "+");
      for (const std::string& key : keys) {
        std::vector<Version> ats = {0, last};
        for (const Entry& e : entries) {
          if (e.key == key) ats.insert(ats.end(), {e.version, e.version - 1});
        }
        for (const Version at : ats) {
          // A forgotten version is refused (db_value_log forgot below 4).
          if (at < ro->low_water_mark()) continue;
          INFO(key << " at " << at);
          CHECK(must(ro->get(key, at)) == model(key, at));
        }
      }
    }

    auto db = must(DB::open(tmp.path()));
    CHECK(db->last_version() == last);
    std::map<std::string, std::vector<HistoryEntry>> want;
    for (const Entry& e : entries) {
      want[e.key].push_back(
          {.version = e.version, .deleted = e.kind == EntryKind::kDelete, .value = e.value});
    }
    for (const auto& [key, history] : want) {
      INFO(key);
      CHECK(must(db->history(key)) == history);
    }
  }
}

namespace {

// The live tables of a database directory, opened.
std::vector<std::shared_ptr<table::Table>> open_tables(const std::string& dir,
                                                       const manifest::State& state) {
  auto fs = posix_file_system();
  std::vector<std::shared_ptr<table::Table>> tables;
  for (const auto& [number, meta] : state.tables) {
    const std::string name = table_file_name(number);
    tables.push_back(must(table::Table::open(must(fs->open_readable_file(join_path(dir, name))),
                                             name, number, nullptr)));
  }
  return tables;
}

}  // namespace

// Each vector must really hold the case it is there for; a change to the
// writer or the generators that loses it fails here, not silently.
TEST_CASE("spec test vectors: each database holds the case it is named for", "[spec]") {
  auto fs = posix_file_system();
  auto state_of = [&](const std::string& name) {
    return must(manifest::replay(*fs, (kTestdata / name).string()));
  };

  SECTION("db_runs: a level-2 run and a level-1 run, each of 2 tables") {
    const manifest::State state = state_of("db_runs");
    std::map<int, int> per_level;
    std::map<std::uint64_t, int> per_run;
    for (const auto& [number, meta] : state.tables) {
      ++per_level[meta.level];
      if (meta.level == 1) ++per_run[meta.run];
    }
    CHECK(per_level[0] == 1);
    CHECK(per_level[1] == 2);
    CHECK(per_level[2] == 2);
    REQUIRE(per_run.size() == 1);
    CHECK(per_run.begin()->first != 0);
    CHECK(per_run.begin()->second == 2);
  }

  SECTION("db_values: a table references values in a WAL kept as a value file") {
    const std::string dir = (kTestdata / "db_values").string();
    const manifest::State state = state_of("db_values");
    REQUIRE(state.value_files.size() == 1);
    const auto& [file, meta] = *state.value_files.begin();
    CHECK(meta.kind == manifest::ValueFileKind::kWal);
    CHECK(file < state.wal_number);
    CHECK(meta.size == fsys::file_size(fsys::path(dir) / wal_file_name(file)));
    REQUIRE(state.tables.size() == 1);
    const manifest::TableMeta& table = state.tables.begin()->second;
    REQUIRE(table.value_refs.size() == 1);
    CHECK(table.value_refs[0].file == file);
    // photo v2 (100) + doc v3 (64) + photo v4 (90); "edge" (63) is inline.
    CHECK(table.value_refs[0].bytes == 100 + 64 + 90);
    const std::string name = table_file_name(table.number);
    const std::string bytes = read_file(fsys::path(dir) / name);
    CHECK(must(table::decode_footer(bytes, name)).format_version == table::kFormatVersionRefs);
    CHECK(read_file(fsys::path(dir) / "MANIFEST").substr(8, 1) == "\x04");
  }

  SECTION("db_values_lz4: separated values are stored and referenced compressed") {
    const std::string dir = (kTestdata / "db_values_lz4").string();
    const manifest::State state = state_of("db_values_lz4");
    REQUIRE(state.value_files.size() == 1);
    const auto& [file, meta] = *state.value_files.begin();
    CHECK(meta.kind == manifest::ValueFileKind::kWal);
    // Both WALs may hold compressed puts: format version 3 (wal.md).
    for (const std::uint64_t wal : {file, state.wal_number}) {
      CHECK(read_file(fsys::path(dir) / wal_file_name(wal)).substr(0, 16) ==
            wal::log_header_prefix(wal::LogKind::kWal, wal::kWalCompressedFormatVersion));
    }
    REQUIRE(state.tables.size() == 1);
    const manifest::TableMeta& table = state.tables.begin()->second;
    const std::string name = table_file_name(table.number);
    const std::string bytes = read_file(fsys::path(dir) / name);
    CHECK(must(table::decode_footer(bytes, name)).format_version ==
          table::kFormatVersionCompressedRefs);
    // The references: page@2 compressed (raw 3000), blob@3 and mid@4 whole.
    auto t =
        must(table::Table::open(must(posix_file_system()->open_readable_file(join_path(dir, name))),
                                name, table.number, nullptr));
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> refs;  // key -> size, raw
    auto it = t->new_iterator();
    for (it->seek_to_first(); it->valid(); it->next()) {
      ParsedKey k;
      REQUIRE(parse_internal_key(it->key(), &k));
      if (k.kind != EntryKind::kValueRef) continue;
      std::string_view ref = it->value();
      std::uint64_t f = 0, offset = 0, size = 0, checksum = 0, raw = 0;
      REQUIRE(util::get_varint64(&ref, &f));
      REQUIRE(util::get_varint64(&ref, &offset));
      REQUIRE(util::get_varint64(&ref, &size));
      REQUIRE(util::get_fixed64(&ref, &checksum));
      if (!ref.empty()) REQUIRE(util::get_varint64(&ref, &raw));
      refs[std::string(k.user_key)] = {size, raw};
    }
    REQUIRE(refs.size() == 3);
    CHECK(refs["page"].second == 3000);
    CHECK(refs["page"].first < 3000 - 3000 / 8);
    CHECK(refs["blob"] == std::pair<std::uint64_t, std::uint64_t>{2100, 0});
    CHECK(refs["mid"] == std::pair<std::uint64_t, std::uint64_t>{1000, 0});
    REQUIRE(table.value_refs.size() == 1);
    CHECK(table.value_refs[0].bytes == refs["page"].first + 2100 + 1000);
  }

  SECTION("db_value_log: a value log holds the value moved out of a partly dead WAL") {
    const std::string dir = (kTestdata / "db_value_log").string();
    const manifest::State state = state_of("db_value_log");
    REQUIRE(state.value_files.size() == 2);
    const manifest::ValueFileMeta& wal = state.value_files.begin()->second;
    const manifest::ValueFileMeta& log = state.value_files.rbegin()->second;
    CHECK(wal.kind == manifest::ValueFileKind::kWal);
    CHECK(wal.value_bytes == 90);  // a@3
    CHECK(log.kind == manifest::ValueFileKind::kValueLog);
    CHECK(log.value_bytes == 70);  // b@2, moved
    const std::string bytes = read_file(fsys::path(dir) / value_log_file_name(log.number));
    CHECK(bytes.size() == log.size);
    // spec/values.md section 3: the header, then one record whose payload
    // is the value.
    CHECK(bytes.substr(0, 8) == std::string("SANDVAL\0", 8));
    CHECK(bytes.substr(8, 4) == std::string("\x01\x00\x00\x00", 4));
    CHECK(bytes.size() == 28 + 12 + 70);
    CHECK(bytes.substr(40) == repeated("b-v2 ", 70));
  }

  SECTION("db_nofilter: no table has a filter block") {
    const std::string dir = (kTestdata / "db_nofilter").string();
    const manifest::State state = state_of("db_nofilter");
    CHECK(state.tables.size() == 2);
    for (const auto& [number, meta] : state.tables) {
      const std::string bytes = read_file(fsys::path(dir) / table_file_name(number));
      const table::Footer footer = must(table::decode_footer(bytes, table_file_name(number)));
      CHECK(footer.filter.is_null());
    }
    for (const auto& t : open_tables(dir, state)) CHECK(t->may_contain("not a key"));
  }

  SECTION("db_restart4: data blocks restart every 4 entries") {
    const std::string dir = (kTestdata / "db_restart4").string();
    const manifest::State state = state_of("db_restart4");
    REQUIRE(state.tables.size() == 1);
    const std::string name = table_file_name(state.tables.begin()->first);
    const std::string bytes = read_file(fsys::path(dir) / name);
    const table::Footer footer = must(table::decode_footer(bytes, name));
    const std::string_view region = std::string_view(bytes).substr(0, bytes.size() - 64);
    const table::BlockContents index_bytes =
        must(table::read_block(region, name, footer.index, true));
    const table::Block index = must(table::Block::parse(index_bytes.data, nullptr, name,
                                                        footer.index.offset, EntryKind::kValueRef));
    int blocks = 0;
    std::uint64_t shared_entries = 0;
    auto it = index.new_iterator();
    for (it->seek_to_first(); it->valid(); it->next()) {
      ++blocks;
      table::BlockHandle handle;
      std::string_view v = it->value();
      REQUIRE(table::decode_block_handle(&v, &handle));
      const table::BlockContents data = must(table::read_block(region, name, handle, true));
      const table::Block block =
          must(table::Block::parse(data.data, nullptr, name, handle.offset, EntryKind::kValueRef));
      // Walk the entries by hand (sstable.md section 3): entry i is a
      // restart entry (whole key, listed in the restart array) iff i % 4 == 0.
      const std::string_view c = data.data;
      const std::uint32_t restarts = util::decode_fixed32(c.data() + c.size() - 4);
      const std::size_t entries_end = c.size() - 4 * (std::size_t{restarts} + 1);
      std::vector<std::uint32_t> starts;
      std::string_view rest = c.substr(0, entries_end);
      while (!rest.empty()) {
        starts.push_back(static_cast<std::uint32_t>(entries_end - rest.size()));
        std::uint32_t shared = 0, unshared = 0, value_size = 0;
        REQUIRE(util::get_varint32(&rest, &shared));
        REQUIRE(util::get_varint32(&rest, &unshared));
        REQUIRE(util::get_varint32(&rest, &value_size));
        REQUIRE(rest.size() >= std::size_t{unshared} + value_size);
        rest.remove_prefix(std::size_t{unshared} + value_size);
        CHECK((shared == 0) == (starts.size() % 4 == 1));
        if (shared > 0) ++shared_entries;
      }
      INFO("block at " << handle.offset << ": " << starts.size() << " entries");
      CHECK(block.num_restarts() == restarts);
      REQUIRE(restarts == (starts.size() + 3) / 4);
      for (std::uint32_t r = 0; r < restarts; ++r) {
        CHECK(util::decode_fixed32(c.data() + entries_end + 4 * r) == starts[4 * r]);
      }
    }
    REQUIRE(it->status().is_ok());
    CHECK(index.num_restarts() == static_cast<std::uint32_t>(blocks));  // interval 1
    CHECK(blocks >= 3);
    CHECK(shared_entries >= 10);
  }

  SECTION("db_manifest_rollover: a snapshot with tables, then appended edits") {
    const std::string bytes = read_file(kTestdata / "db_manifest_rollover" / "MANIFEST");
    auto reader = must(wal::RecordReader::open(bytes, "MANIFEST", wal::LogKind::kManifest, false));
    std::vector<manifest::Edit> edits;
    while (auto rec = must(reader.next())) {
      edits.push_back(must(manifest::Edit::decode(rec->payload, "MANIFEST", rec->offset)));
    }
    CHECK_FALSE(reader.torn_tail());
    REQUIRE(edits.size() >= 2);
    CHECK(edits[0].snapshot);
    bool has_level1_run = false;
    for (const auto& t : edits[0].added) has_level1_run |= t.level == 1 && t.run != 0;
    CHECK(has_level1_run);
    // The file was written long after open: its log id is above the numbers
    // of tables it names.
    CHECK(reader.log_id() > edits[0].added.front().number);
    bool has_removal = false;
    for (std::size_t i = 1; i < edits.size(); ++i) {
      CHECK_FALSE(edits[i].snapshot);
      has_removal |= !edits[i].removed.empty();
    }
    CHECK(has_removal);
  }

  SECTION("db_torn_wal: the live WAL ends in a record cut short") {
    const std::string dir = (kTestdata / "db_torn_wal").string();
    const manifest::State state = state_of("db_torn_wal");
    const std::string name = wal_file_name(state.wal_number);
    const std::string bytes = read_file(fsys::path(dir) / name);
    std::uint64_t last_record = 0;
    const wal::ReplayStats stats = must(wal::replay(bytes, name, state.wal_number, false,
                                                    [&](std::string_view, std::uint64_t offset) {
                                                      last_record = offset;
                                                      return Status::ok();
                                                    }));
    CHECK(stats.torn_tail);
    CHECK(stats.records == 3);
    CHECK(stats.valid_end == 146);
    CHECK(bytes.size() == 163);  // the cut record's 12-byte header and 5 bytes
    CHECK(last_record < stats.valid_end);
  }
}
