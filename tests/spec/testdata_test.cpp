// The test vectors in spec/testdata/ (spec/testdata/README.md):
//  1. the code still writes those directories byte for byte (formats cannot
//     drift silently);
//  2. the committed files, decoded with the low-level readers exactly as the
//     spec describes (manifest -> tables + WALs), give the expected logical
//     contents in <name>.json;
//  3. a DB opened on a copy of them answers history() with the same entries.
// Set SAND_UPDATE_TESTDATA=1 to rewrite the vectors after a deliberate format
// change (which must come with a format version bump and a spec update).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "db/filenames.hpp"
#include "manifest/manifest_log.hpp"
#include "sand/sand.hpp"
#include "support/db_helpers.hpp"
#include "table/table.hpp"
#include "util/internal_key.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

using namespace sand;
using sand::test::must;
namespace fsys = std::filesystem;

namespace {

const fsys::path kTestdata = fsys::path(SAND_SOURCE_DIR) / "spec" / "testdata";

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
  must(db->put("apple", "red"));       // 1
  must(db->put("banana", "yellow"));   // 2
  must(db->put("apple", "green"));     // 3
  must(db->del("banana"));             // 4
  WriteBatch b;                        // 5
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
  auto db = must(DB::open(dir, Options{.block_size = 1024, .compression = Compression::kLz4}));
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

const std::map<std::string, void (*)(const std::string&)> kGenerators = {
    {"db_plain", write_plain},
    {"db_lz4", write_lz4},
};

std::string read_file(const fsys::path& p) {
  std::ifstream f(p, std::ios::binary);
  REQUIRE(f);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

std::map<std::string, std::string> dir_files(const fsys::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fsys::directory_iterator(dir)) {
    files[e.path().filename().string()] = read_file(e.path());
  }
  return files;
}

void copy_dir(const fsys::path& from, const fsys::path& to) {
  fsys::create_directories(to);
  for (const auto& e : fsys::directory_iterator(from)) {
    fsys::copy_file(e.path(), to / e.path().filename(), fsys::copy_options::overwrite_existing);
  }
}

// Decodes a database directory the way spec/README.md "Reading a database"
// says, with no DB object: manifest, then every live table and WAL.
std::pair<Version, std::vector<Entry>> decode_directory(const std::string& dir) {
  auto fs = posix_file_system();
  manifest::State state = must(manifest::replay(*fs, dir));
  std::vector<Entry> entries;
  for (const auto& [number, meta] : state.tables) {
    const std::string name = table_file_name(number);
    auto table = must(table::Table::open(must(fs->open_readable_file(join_path(dir, name))),
                                         name, number, nullptr));
    auto it = table->new_iterator();
    for (it->seek_to_first(); it->valid(); it->next()) {
      ParsedKey k;
      REQUIRE(parse_internal_key(it->key(), &k));
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

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Canonical JSON: one entry per line, key ascending, version descending.
std::string to_json(Version last, const std::vector<Entry>& entries) {
  std::ostringstream o;
  o << "{\n  \"last_version\": " << last << ",\n  \"entries\": [\n";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    o << "    {\"key\": " << json_string(e.key) << ", \"version\": " << e.version
      << ", \"kind\": \"" << (e.kind == EntryKind::kPut ? "put" : "delete") << "\"";
    if (e.kind == EntryKind::kPut) o << ", \"value\": " << json_string(e.value);
    o << "}" << (i + 1 < entries.size() ? "," : "") << "\n";
  }
  o << "  ]\n}\n";
  return o.str();
}

}  // namespace

TEST_CASE("spec test vectors: the code writes the committed directories byte for byte",
          "[spec]") {
  const bool update = std::getenv("SAND_UPDATE_TESTDATA") != nullptr;
  for (const auto& [name, generate] : kGenerators) {
    INFO(name);
    sand::test::TempDir tmp;
    const std::string dir = tmp.path() + "/" + name;
    generate(dir);
    if (update) {
      fsys::remove_all(kTestdata / name);
      copy_dir(dir, kTestdata / name);
      const auto [last, entries] = decode_directory(dir);
      std::ofstream(kTestdata / (name + ".json")) << to_json(last, entries);
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
    const auto [last, entries] = decode_directory(tmp.path());
    CHECK(to_json(last, entries) == read_file(kTestdata / (name + ".json")));

    auto db = must(DB::open(tmp.path()));
    CHECK(db->last_version() == last);
    std::map<std::string, std::vector<HistoryEntry>> want;
    for (const Entry& e : entries) {
      want[e.key].push_back({.version = e.version,
                             .deleted = e.kind == EntryKind::kDelete,
                             .value = e.value});
    }
    for (const auto& [key, history] : want) {
      INFO(key);
      CHECK(must(db->history(key)) == history);
    }
  }
}
