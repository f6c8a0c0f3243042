// check_database (sand/check.hpp) on databases whose separated values are
// stored LZ4-compressed (spec/values.md sections 1 and 5, spec/wal.md kind
// 3): such a database checks clean; a reference whose stored bytes match
// their checksum but do not decompress to its raw_size is a problem on the
// value file, naming the entry; a WAL batch whose compressed put's block
// does not decompress (its record checksums recomputed, so the framing is
// good) is a decode problem at the record. compressed_value_problem, the
// checker's decompression test, is checked on its own too.
#include <lz4.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "check/checker.hpp"
#include "check_report_util.hpp"
#include "db/filenames.hpp"
#include "manifest/manifest_log.hpp"
#include "sand/check.hpp"
#include "sand/db.hpp"
#include "support/db_helpers.hpp"
#include "support/table_builder_helpers.hpp"
#include "table/format.hpp"
#include "table/table.hpp"
#include "table/table_builder.hpp"
#include "util/coding.hpp"
#include "value/value_ref.hpp"
#include "wal/log_format.hpp"
#include "wal/record_reader.hpp"
#include "wal/write_batch_codec.hpp"

using namespace sand;
using sand::test::describe;
using sand::test::file_named;
using sand::test::must;
using sand::test::one_problem;
using sand::test::read_all;
using sand::test::write_all;

namespace {

constexpr const char* kDir = "/db";
constexpr std::size_t kBigSize = 4096;    // compressed: >= 2048 and compressible
constexpr std::size_t kPlainSize = 1500;  // separated (threshold 1024), too small to compress

std::string key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%03d", i);
  return buf;
}

// `size` bytes that LZ4 shrinks well, different for every i.
std::string value_of(int i, std::size_t size) {
  std::string v = "value-" + std::to_string(i) + "-";
  while (v.size() < size) v += static_cast<char>('a' + (i + v.size() / 64) % 26);
  return v;
}

Options compressed_options(std::shared_ptr<FileSystem> fs) {
  Options o;
  o.value_separation_threshold = 1024;
  o.compression = Compression::kLz4;
  o.l0_trigger = 100;  // no compaction: the tables and value files stay as flushed
  o.l0_stop = 200;
  o.file_system = std::move(fs);
  return o;
}

// One flush of 6 compressed values, 2 separated plain ones, a short value
// and a delete (a value file of WAL format version 3 and a table of format
// version 3), then unflushed compressed writes in the live WAL.
std::map<std::string, std::string> build_database() {
  auto fs = memory_file_system();
  {
    auto db = must(DB::open(kDir, compressed_options(fs)));
    for (int i = 0; i < 6; ++i) must(db->put(key(i), value_of(i, kBigSize)));
    for (int i = 6; i < 8; ++i) must(db->put(key(i), value_of(i, kPlainSize)));
    must(db->put(key(8), "short"));
    must(db->del(key(9)));
    must(db->flush());
    WriteBatch batch;
    batch.put(key(20), value_of(20, kBigSize));
    batch.put(key(21), "short");
    must(db->write(batch));
    must(db->put(key(22), value_of(22, kBigSize)));
    must(db->close());
  }
  std::map<std::string, std::string> out;
  for (const std::string& name : must(fs->list_dir(kDir))) {
    out[name] = read_all(*fs, join_path(kDir, name));
  }
  return out;
}

const std::map<std::string, std::string>& pristine_files() {
  static const std::map<std::string, std::string> files = build_database();
  return files;
}

struct Fixture {
  Fixture() {
    must(fs->create_dir(kDir));
    for (const auto& [name, bytes] : pristine_files()) write_all(*fs, join_path(kDir, name), bytes);
    state = must(manifest::replay(*fs, kDir));
  }
  std::string path(std::string_view name) const { return join_path(kDir, name); }
  CheckReport check() const { return must(check_database(kDir, Options{.file_system = fs})); }
  // The newest WAL: the live one, holding the unflushed writes.
  std::uint64_t live_wal() const {
    std::uint64_t newest = 0;
    for (const std::string& name : must(fs->list_dir(kDir))) {
      const auto parsed = parse_file_name(name);
      if (parsed && parsed->type == FileType::kWal) newest = std::max(newest, parsed->number);
    }
    REQUIRE(newest >= state.wal_number);
    return newest;
  }

  std::shared_ptr<FileSystem> fs = memory_file_system();
  manifest::State state;
};

std::uint32_t header_version(std::string_view log) {
  REQUIRE(log.size() >= wal::kFileHeaderSize);
  return util::decode_fixed32(log.data() + 8);
}

// `rep` re-encoded operation by operation, the LZ4 block of its first
// compressed put without its last byte (so it no longer decompresses).
// Sets *damaged when there was one.
std::string with_truncated_block(std::string_view rep, bool* damaged) {
  std::string out(rep.substr(0, kWriteBatchHeaderSize));
  *damaged = false;
  must(WriteBatchAccess::for_each_stored(rep, "rep", 0, [&](const BatchOp& op) {
    out.push_back(static_cast<char>(op.compressed() ? kCompressedPutKind
                                                    : static_cast<std::uint8_t>(op.kind)));
    util::put_length_prefixed(&out, op.key);
    if (op.compressed()) util::put_varint64(&out, op.raw_size);
    if (op.kind != EntryKind::kPut) return;
    std::string_view value = op.value;
    if (op.compressed() && !*damaged) {
      value.remove_suffix(1);
      *damaged = true;
    }
    util::put_length_prefixed(&out, value);
  }));
  return out;
}

// `log` (a WAL of id `log_id`) with the first record holding a compressed
// put rewritten by with_truncated_block and framed again with correct
// checksums. *offset receives that record's offset.
std::string damage_first_compressed_put(std::string_view log, std::uint64_t log_id,
                                        std::uint64_t* offset) {
  wal::RecordReader reader = must(wal::RecordReader::open(log, "wal", wal::LogKind::kWal, false));
  std::string out(log.substr(0, wal::kFileHeaderSize));
  bool done = false;
  for (;;) {
    const std::optional<wal::LogRecord> record = must(reader.next());
    if (!record) break;
    std::string payload(record->payload);
    if (!done && !payload.empty()) {
      bool damaged = false;
      std::string changed = with_truncated_block(payload, &damaged);
      if (damaged) {
        payload = std::move(changed);
        *offset = out.size();
        done = true;
      }
    }
    std::string header(wal::kRecordHeaderSize, '\0');
    wal::encode_record_header(header.data(), log_id, payload);
    out += header;
    out += payload;
  }
  REQUIRE(done);
  REQUIRE(reader.valid_end() == log.size());
  return out;
}

}  // namespace

TEST_CASE("compressed values: compressed_value_problem accepts a good block and names a bad one",
          "[check][values][lz4]") {
  const std::string raw = value_of(1, kBigSize);
  std::string block(static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(raw.size()))),
                    '\0');
  const int n = LZ4_compress_default(raw.data(), block.data(), static_cast<int>(raw.size()),
                                     static_cast<int>(block.size()));
  REQUIRE(n > 0);
  block.resize(static_cast<std::size_t>(n));
  REQUIRE(block.size() < raw.size());
  const std::string size = std::to_string(block.size());
  std::string scratch;

  CHECK(checker::compressed_value_problem(block, raw.size(), &scratch).empty());
  CHECK(scratch == raw);
  // The block holds more bytes than the raw size claims, or fewer.
  CHECK(checker::compressed_value_problem(block, raw.size() - 1, &scratch) ==
        "compressed value of " + size + " bytes does not decompress to its 4095 bytes");
  CHECK(checker::compressed_value_problem(block, raw.size() + 1, &scratch) ==
        "compressed value of " + size + " bytes does not decompress to its 4097 bytes");
  // A block cut short, and bytes that are no LZ4 block at all.
  const std::string_view cut = std::string_view(block).substr(0, block.size() - 1);
  CHECK(checker::compressed_value_problem(cut, raw.size(), &scratch) ==
        "compressed value of " + std::to_string(cut.size()) +
            " bytes does not decompress to its 4096 bytes");
  CHECK(checker::compressed_value_problem(std::string(16, '\xff'), raw.size(), &scratch) ==
        "compressed value of 16 bytes does not decompress to its 4096 bytes");
  CHECK(checker::compressed_value_problem("", 1, &scratch) ==
        "compressed value of 0 bytes does not decompress to its 1 bytes");
}

TEST_CASE("compressed values: a database whose separated values are compressed checks clean",
          "[check][values][lz4]") {
  Fixture db;
  REQUIRE(db.state.tables.size() == 1);
  REQUIRE(db.state.value_files.size() == 1);
  const auto& [table_number, meta] = *db.state.tables.begin();
  const std::string table_name = table_file_name(table_number);
  // What this test is about: a table of references to compressed values,
  // and WALs written with compressed puts.
  const std::string table_bytes = read_all(*db.fs, db.path(table_name));
  CHECK(must(table::decode_footer(table_bytes, table_name)).format_version ==
        table::kFormatVersionCompressedRefs);
  const std::uint64_t value_file = db.state.value_files.begin()->first;
  CHECK(header_version(read_all(*db.fs, db.path(wal_file_name(value_file)))) ==
        wal::kWalCompressedFormatVersion);
  CHECK(header_version(read_all(*db.fs, db.path(wal_file_name(db.live_wal())))) ==
        wal::kWalCompressedFormatVersion);
  // The tally counts the stored (compressed) bytes: less than the 6 raw
  // values and the 2 plain ones.
  REQUIRE(meta.value_refs.size() == 1);
  CHECK(meta.value_refs[0].bytes > 2 * kPlainSize);
  CHECK(meta.value_refs[0].bytes < 6 * kBigSize + 2 * kPlainSize);

  const CheckReport r = db.check();
  INFO(describe(r));
  CHECK(r.ok());
  CHECK(r.problems.empty());
  const CheckedFile& table = file_named(r, table_name);
  CHECK(table.outcome == CheckedFile::Outcome::kOk);
  CHECK(table.entries == 10);
  const CheckedFile& kept = file_named(r, wal_file_name(value_file));
  CHECK(kept.outcome == CheckedFile::Outcome::kOk);
  CHECK(kept.entries == 10);
  const CheckedFile& live = file_named(r, wal_file_name(db.live_wal()));
  CHECK(live.outcome == CheckedFile::Outcome::kOk);
  CHECK(live.units == 2);
  CHECK(live.entries == 3);
}

TEST_CASE(
    "compressed values: a reference whose block does not decompress to its raw_size is a problem "
    "on the value file",
    "[check][values][lz4]") {
  Fixture db;
  const auto& [table_number, meta] = *db.state.tables.begin();
  const std::string table_name = table_file_name(table_number);
  const std::string original = read_all(*db.fs, db.path(table_name));

  // The table rebuilt entry by entry, the compressed reference of key(2)
  // claiming one byte more than its block holds: its bytes still match its
  // checksum, so only decompressing them tells. (4096 and 4097 are both
  // 2-byte varints: the entry keeps its size.)
  std::shared_ptr<table::Table> opened = must(table::Table::open(
      std::make_unique<test::StringReadableFile>(original), table_name, table_number, nullptr));
  test::StringSinkFile sink;
  table::TableBuilder builder(table::TableOptions{}, &sink);
  std::optional<value::ValueRef> changed;
  std::string changed_key;
  std::unique_ptr<InternalIterator> it = opened->new_iterator();
  for (it->seek_to_first(); it->valid(); it->next()) {
    ParsedKey parsed;
    REQUIRE(parse_internal_key(it->key(), &parsed));
    std::string value(it->value());
    if (parsed.kind == EntryKind::kValueRef && parsed.user_key == key(2)) {
      value::ValueRef ref = *value::decode_value_ref(value);
      REQUIRE(ref.raw_size == kBigSize);
      ++ref.raw_size;
      value.clear();
      value::encode_value_ref(ref, &value);
      REQUIRE(value.size() == it->value().size());
      changed = ref;
      changed_key = checker::describe_key(it->key());
    }
    builder.add(it->key(), value);
  }
  must(it->status());
  must(builder.finish());
  REQUIRE(changed);
  write_all(*db.fs, db.path(table_name), sink.contents());
  manifest::State s = db.state;
  s.tables[table_number].file_size = sink.contents().size();
  must(must(manifest::ManifestLog::create(*db.fs, kDir, s))->close());

  const CheckReport r = db.check();
  const std::string value_file = wal_file_name(changed->file);
  CHECK(one_problem(r, value_file, changed->offset) ==
        "compressed value of " + std::to_string(changed->size) +
            " bytes does not decompress to its 4097 bytes (entry " + changed_key + " of " +
            table_name + ")");
  // The table itself is sound: the reference is well formed and the tally
  // counts its stored size.
  CHECK(file_named(r, table_name).outcome == CheckedFile::Outcome::kOk);
}

TEST_CASE(
    "compressed values: a WAL batch whose compressed block does not decompress is a problem at "
    "its record",
    "[check][values][lz4]") {
  Fixture db;
  const std::uint64_t number = db.live_wal();
  const std::string name = wal_file_name(number);
  const std::string original = read_all(*db.fs, db.path(name));
  std::uint64_t offset = 0;
  const std::string damaged = damage_first_compressed_put(original, number, &offset);
  write_all(*db.fs, db.path(name), damaged);

  const CheckReport r = db.check();
  const std::string what = one_problem(r, name, offset);
  // Operation 0 of the batch {key(20) compressed, key(21) short}.
  CHECK(what.starts_with("write batch operation 0: compressed value of "));
  CHECK(what.ends_with(" bytes does not decompress to its 4096 bytes"));
  // The batch after it is still read: the framing is good.
  CHECK(file_named(r, name).units == 1);
}
