// Structure checks of the dumps against facts that do not come from the dump
// itself: the worked examples of spec/sstable.md, wal.md and manifest.md
// (their byte tables), and what each database vector was built to hold
// (spec/testdata/README.md): restarts every 4 entries, null filter handles,
// a torn WAL tail at offset 146.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "dump_test_util.hpp"
#include "support/temp_dir.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

namespace {

using namespace sand::test::dump;

// Writes `bytes` as `name` in `dir` and returns its dump.
std::vector<Json> dump_bytes(const sand::test::TempDir& dir, const std::string& name,
                             const std::string& bytes, DumpTarget target) {
  const fsys::path path = fsys::path(dir.path()) / name;
  {
    std::ofstream f(path, std::ios::binary);
    f << bytes;
  }
  const DumpRun run = run_dump(target, path);
  INFO(run.status.to_string());
  REQUIRE(run.status.is_ok());
  return parse_lines(run.out);
}

std::vector<Json> dump_ok(DumpTarget target, const fsys::path& path) {
  const DumpRun run = run_dump(target, path);
  INFO(path.string() << ": " << run.status.to_string());
  REQUIRE(run.status.is_ok());
  return parse_lines(run.out);
}

Json handle(std::uint64_t offset, std::uint64_t size) {
  return Json{{"offset", offset}, {"size", size}};
}

}  // namespace

TEST_CASE("dump sst: the worked example of spec/sstable.md section 11", "[cli][dump]") {
  sand::test::TempDir dir;
  const std::vector<Json> d = dump_bytes(
      dir, "000001.sst", bytes_of_hex_file(kTestdata / "sstable_small.hex"), DumpTarget::kTable);
  const Json footer = records_of(d, "footer").at(0);
  CHECK(footer.at("offset") == 123);
  CHECK(footer.at("file_size") == 187);
  CHECK(footer.at("filter") == handle(59, 9));
  CHECK(footer.at("index") == handle(73, 24));
  CHECK(footer.at("properties") == handle(102, 16));
  CHECK(footer.at("format_version") == 1);
  CHECK(footer.at("footer_crc") == 0x20d7d209);
  CHECK(footer.at("magic") == "SANDSST1");

  const Json props = records_of(d, "properties").at(0);
  CHECK(props.at("crc") == 0xc024acb1);
  CHECK(props.at("entries") == 3);
  CHECK(props.at("tombstones") == 1);
  CHECK(props.at("raw_key_bytes") == 33);
  CHECK(props.at("raw_value_bytes") == 7);
  CHECK(props.at("smallest_user_key") == "ant");
  CHECK(props.at("largest_user_key") == "bee");
  CHECK(props.at("compression") == "none");

  const Json filter = records_of(d, "filter").at(0);
  CHECK(filter.at("handle") == handle(59, 9));
  CHECK(filter.at("crc") == 0x353304e6);
  CHECK(filter.at("bit_bytes") == 8);
  CHECK(filter.at("bits") == 64);
  CHECK(filter.at("k") == 7);

  const Json index = records_of(d, "index").at(0);
  CHECK(index.at("crc") == 0xc6816022);
  const std::vector<Json> index_entries = records_of(d, "index_entry");
  REQUIRE(index_entries.size() == 1);
  CHECK(index_entries[0].at("key") == "bee");
  CHECK(index_entries[0].at("version") == 2);
  CHECK(index_entries[0].at("handle") == handle(0, 54));

  const std::vector<Json> blocks = records_of(d, "block");
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].at("handle") == handle(0, 54));
  CHECK(blocks[0].at("type") == "none");
  CHECK(blocks[0].at("crc") == 0x27ca1c92);
  CHECK(blocks[0].at("contents_size") == 54);
  CHECK(blocks[0].at("restarts") == Json::array({0}));
  // The byte table: entries at 0, 17 and 31; the third shares "bee".
  const std::vector<Json> entries = records_of(d, "entry");
  REQUIRE(entries.size() == 3);
  const std::uint64_t offsets[] = {0, 17, 31}, shared[] = {0, 0, 3}, unshared[] = {11, 11, 8};
  const char* keys[] = {"ant", "bee", "bee"};
  const std::uint64_t versions[] = {1, 3, 2};
  const char* kinds[] = {"put", "delete", "put"};
  const char* values[] = {"red", "", "buzz"};
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("entry " << i);
    CHECK(entries[i].at("offset") == offsets[i]);
    CHECK(entries[i].at("shared") == shared[i]);
    CHECK(entries[i].at("unshared") == unshared[i]);
    CHECK(entries[i].at("key") == keys[i]);
    CHECK(entries[i].at("version") == versions[i]);
    CHECK(entries[i].at("kind") == kinds[i]);
    CHECK(entries[i].at("value") == values[i]);
  }
}

TEST_CASE("dump wal: the worked example of spec/wal.md section 6", "[cli][dump]") {
  sand::test::TempDir dir;
  const std::vector<Json> d = dump_bytes(
      dir, "000001.wal", bytes_of_hex_file(kTestdata / "wal_small.hex"), DumpTarget::kWal);
  const Json header = records_of(d, "header").at(0);
  CHECK(header.at("magic") == std::string("SANDWAL\0", 8));
  CHECK(header.at("format_version") == 2);
  CHECK(header.at("prefix_crc") == 0x82574b93);
  CHECK(header.at("log_id") == 1);
  CHECK(header.at("log_id_crc") == 0x41de7501);
  const std::vector<Json> batches = records_of(d, "batch");
  REQUIRE(batches.size() == 2);
  CHECK(batches[0].at("offset") == 28);
  CHECK(batches[0].at("header_crc") == 0xbae3b242);
  CHECK(batches[0].at("length") == 19);
  CHECK(batches[0].at("version") == 1);
  CHECK(batches[1].at("offset") == 59);
  CHECK(batches[1].at("version") == 2);
  CHECK(batches[1].at("count") == 2);
  const std::vector<Json> ops = records_of(d, "operation");
  REQUIRE(ops.size() == 3);
  CHECK(ops[0] == Json{{"record", "operation"},
                       {"batch", 28},
                       {"index", 0},
                       {"version", 1},
                       {"kind", "put"},
                       {"key", "k1"},
                       {"value", "v1"}});
  CHECK(ops[1] == Json{{"record", "operation"},
                       {"batch", 59},
                       {"index", 0},
                       {"version", 2},
                       {"kind", "delete"},
                       {"key", "k1"}});
  CHECK(ops[2].at("key") == "k2");
  CHECK(ops[2].at("value") == "v2");
  CHECK(records_of(d, "seal").empty());
  CHECK(d.back() ==
        Json{{"record", "end"}, {"file_size", 94}, {"valid_end", 94}, {"torn_tail", false}});
}

TEST_CASE("dump manifest: the worked example of spec/manifest.md section 6", "[cli][dump]") {
  sand::test::TempDir dir;
  const std::vector<Json> d = dump_bytes(
      dir, "MANIFEST", bytes_of_hex_file(kTestdata / "manifest_small.hex"), DumpTarget::kManifest);
  const Json header = records_of(d, "header").at(0);
  CHECK(header.at("prefix_crc") == 0xf779e21b);  // format version 4
  CHECK(header.at("log_id") == 2);
  CHECK(header.at("log_id_crc") == 0x340b2778);
  const std::vector<Json> edits = records_of(d, "edit");
  REQUIRE(edits.size() == 2);
  CHECK(edits[0].at("offset") == 28);
  CHECK(edits[0].at("header_crc") == 0x394a4ec4);
  CHECK(edits[0].at("length") == 9);
  CHECK(edits[0].at("payload_crc") == 0x8bc0aa8a);
  CHECK(edits[0].at("snapshot") == true);
  CHECK(edits[0].at("next_file_number") == 3);
  CHECK(edits[0].at("last_version") == 0);
  CHECK(edits[0].at("wal_number") == 1);
  CHECK(edits[0].at("low_water_mark") == 0);
  CHECK(edits[0].at("added").empty());
  CHECK(edits[1].at("offset") == 49);
  CHECK(edits[1].at("length") == 21);
  CHECK(edits[1].at("snapshot") == false);
  CHECK(edits[1].at("next_file_number") == 5);
  CHECK(edits[1].at("low_water_mark").is_null());
  CHECK(edits[1].at("added") == Json::array({Json{{"number", 3},
                                                  {"level", 0},
                                                  {"file_size", 1234},
                                                  {"entries", 3},
                                                  {"tombstones", 1},
                                                  {"min_version", 1},
                                                  {"max_version", 2},
                                                  {"smallest_key", "k1"},
                                                  {"largest_key", "k2"},
                                                  {"run", 0}}}));
  CHECK(d.back().at("valid_end") == 82);
}

TEST_CASE("dump sst: db_restart4 has 5 data blocks with a restart every 4 entries", "[cli][dump]") {
  const std::vector<Json> d = dump_ok(DumpTarget::kTable, kTestdata / "db_restart4" / "000005.sst");
  const std::vector<Json> blocks = records_of(d, "block");
  REQUIRE(blocks.size() == 5);
  const std::vector<Json> entries = records_of(d, "entry");
  CHECK(entries.size() == 52);
  bool some_shared = false;
  for (const Json& block : blocks) {
    INFO("block " << block.at("block"));
    std::vector<Json> mine;
    for (const Json& e : entries) {
      if (e.at("block") == block.at("block")) mine.push_back(e);
    }
    Json restarts = Json::array();
    for (std::size_t i = 0; i < mine.size(); ++i) {
      // The key is stored as `shared` bytes of the previous key plus
      // `unshared` bytes: the user key and its 8-byte trailer.
      const std::string key = mine[i].at("key");
      CHECK(mine[i].at("shared").get<std::size_t>() + mine[i].at("unshared").get<std::size_t>() ==
            key.size() + 8);
      if (i % 4 == 0) {
        restarts.push_back(mine[i].at("offset"));
        CHECK(mine[i].at("shared") == 0);
      } else if (mine[i].at("shared") != 0) {
        some_shared = true;
      }
    }
    CHECK(block.at("restarts") == restarts);
    CHECK(block.at("num_restarts") == restarts.size());
  }
  CHECK(some_shared);
  CHECK(records_of(d, "properties").at(0).at("data_blocks") == 5);
  CHECK(records_of(d, "index_entry").size() == 5);
}

TEST_CASE("dump sst: db_nofilter's tables have a null filter handle", "[cli][dump]") {
  for (const char* name : {"000005.sst", "000007.sst"}) {
    INFO(name);
    const std::vector<Json> d = dump_ok(DumpTarget::kTable, kTestdata / "db_nofilter" / name);
    CHECK(records_of(d, "footer").at(0).at("filter").is_null());
    CHECK(records_of(d, "filter").at(0) == Json{{"record", "filter"}, {"handle", nullptr}});
  }
  // A table with a filter says so.
  const std::vector<Json> d = dump_ok(DumpTarget::kTable, kTestdata / "db_runs" / "000013.sst");
  CHECK(records_of(d, "footer").at(0).at("filter").is_object());
}

TEST_CASE("dump wal: db_torn_wal has 3 records, then a torn tail at offset 146", "[cli][dump]") {
  const std::vector<Json> d = dump_ok(DumpTarget::kWal, kTestdata / "db_torn_wal" / "000004.wal");
  const std::vector<Json> batches = records_of(d, "batch");
  REQUIRE(batches.size() == 3);
  CHECK(batches.back().at("version") == 6);
  CHECK(records_of(d, "seal").empty());
  const Json end = d.back();
  CHECK(end.at("record") == "end");
  CHECK(end.at("valid_end") == 146);
  CHECK(end.at("torn_tail") == true);
  // The tear is 5 bytes into a 26-byte payload: 146 + 12 + 5.
  CHECK(end.at("file_size") == 163);
}

TEST_CASE("dump db: db_runs lists its levels and runs in read order", "[cli][dump]") {
  const std::vector<Json> d = dump_ok(DumpTarget::kDb, kTestdata / "db_runs");
  std::vector<std::uint64_t> tables;
  for (const Json& t : records_of(d, "table")) tables.push_back(t.at("number"));
  // spec/testdata/README.md: level 0 is 16; run 12 of level 1 is 13 + 14;
  // level 2 is 6 + 7.
  CHECK(tables == std::vector<std::uint64_t>{16, 13, 14, 6, 7});
  const std::vector<Json> runs = records_of(d, "run");
  REQUIRE(runs.size() == 3);
  CHECK(runs[1].at("run") == 12);
  const std::vector<Json> wals = records_of(d, "wal");
  REQUIRE(wals.size() == 1);
  CHECK(wals[0].at("file") == "000015.wal");
  CHECK(wals[0].at("records") == 3);
}

TEST_CASE("dump wal: a sealed WAL ends with its seal record", "[cli][dump]") {
  // Written by the engine's own WAL writer: one batch, then the seal.
  sand::test::TempDir dir;
  const std::string path = dir.path() + "/000007.wal";
  auto fs = sand::posix_file_system();
  sand::Result<std::unique_ptr<sand::wal::RecordWriter>> wal = sand::wal::create_wal(*fs, path, 7);
  REQUIRE(wal.is_ok());
  sand::WriteBatch batch;
  batch.put("k", std::string("\xff\x00", 2));
  batch.del("gone");
  std::string rep = sand::WriteBatchAccess::rep(batch);
  sand::WriteBatchAccess::set_version(&rep, 9);
  REQUIRE((*wal)->add_record(rep).is_ok());
  REQUIRE(sand::wal::append_seal(**wal).is_ok());
  REQUIRE((*wal)->close().is_ok());

  const std::vector<Json> d = dump_ok(DumpTarget::kWal, path);
  REQUIRE(d.size() == 6);  // header, batch, 2 operations, seal, end
  CHECK(d[0].at("log_id") == 7);
  const std::uint64_t seal_offset = 28 + 12 + rep.size();
  CHECK(d[1].at("offset") == 28);
  CHECK(d[1].at("length") == rep.size());
  // A value that is not UTF-8 is written as {"hex": ...} (spec/json.md).
  CHECK(d[2].at("value") == Json{{"hex", "ff00"}});
  CHECK(d[3].at("kind") == "delete");
  CHECK_FALSE(d[3].contains("value"));
  CHECK(d[4].at("record") == "seal");
  CHECK(d[4].at("offset") == seal_offset);
  CHECK(d[4].at("length") == 0);
  CHECK(d[5] == Json{{"record", "end"},
                     {"file_size", seal_offset + 12},
                     {"valid_end", seal_offset + 12},
                     {"torn_tail", false}});
}

TEST_CASE("dump: text lines escape bytes and indent nested records", "[cli][dump]") {
  const DumpRun run = run_dump(DumpTarget::kWal, kTestdata / "db_torn_wal" / "000004.wal", false);
  REQUIRE(run.status.is_ok());
  CHECK(run.out.starts_with("header magic=SANDWAL\\x00 format_version=2 "));
  CHECK(run.out.find("\n  operation batch=103 index=1 version=6 kind=delete key=south\n") !=
        std::string::npos);
  CHECK(run.out.ends_with("end file_size=163 valid_end=146 torn_tail=true\n"));
}
