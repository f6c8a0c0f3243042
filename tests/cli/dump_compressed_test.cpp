// `sand dump` of files holding LZ4-compressed separated values (spec/dump.md
// sections 2 and 4): a table's reference to a compressed value shows its
// raw_size (and a reference to a plain value keeps its four members), with
// the entry's value the stored reference and the footer's format_version 3;
// a WAL's compressed put is an operation of kind compressed_put with its
// raw_size and its LZ4 block as stored; a WAL whose compressed block does not
// decompress (its record checksums good) is refused at that batch, printing
// none of its operations.
#include <lz4.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "db/filenames.hpp"
#include "dump_test_util.hpp"
#include "manifest/manifest_log.hpp"
#include "sand/db.hpp"
#include "support/db_helpers.hpp"
#include "support/temp_dir.hpp"
#include "table/format.hpp"
#include "util/coding.hpp"
#include "value/value_ref.hpp"
#include "wal/log_format.hpp"
#include "wal/record_reader.hpp"
#include "wal/write_batch_codec.hpp"

namespace {

using namespace sand::test::dump;
using sand::test::must;

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

sand::Options compressed_options() {
  sand::Options o;
  o.value_separation_threshold = 1024;
  o.compression = sand::Compression::kLz4;
  return o;
}

std::string read_bytes(const fsys::path& p) {
  std::ifstream f(p, std::ios::binary);
  REQUIRE(f);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void write_bytes(const fsys::path& p, std::string_view bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  REQUIRE(f);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(f);
}

std::string bytes_of(const Json& value) {
  sand::Result<std::string> bytes = sand::cli::bytes_from_json(value, "bytes");
  REQUIRE(bytes.is_ok());
  return *bytes;
}

// `block` decompressed as an LZ4 block of `raw_size` bytes; nullopt if it is
// not one.
std::optional<std::string> decompress(std::string_view block, std::size_t raw_size) {
  std::string raw(raw_size, '\0');
  const int n = LZ4_decompress_safe(block.data(), raw.data(), static_cast<int>(block.size()),
                                    static_cast<int>(raw_size));
  if (n < 0 || static_cast<std::size_t>(n) != raw_size) return std::nullopt;
  return raw;
}

// The newest WAL of `dir`.
fsys::path newest_wal(const std::string& dir) {
  std::uint64_t newest = 0;
  for (const auto& e : fsys::directory_iterator(dir)) {
    const auto parsed = sand::parse_file_name(e.path().filename().string());
    if (parsed && parsed->type == sand::FileType::kWal) newest = std::max(newest, parsed->number);
  }
  REQUIRE(newest != 0);
  return fsys::path(dir) / sand::wal_file_name(newest);
}

// Every operation of every batch record of the WAL `bytes` as stored, in
// file order, with the offset of its record: walked with the engine's
// reader and codec, not with the dump.
struct StoredOp {
  std::uint64_t batch = 0;
  std::uint8_t kind = 0;  // the kind byte: 0, 1 or 3
  std::string key, value;
  std::uint64_t raw_size = 0;
};
std::vector<StoredOp> stored_ops(std::string_view bytes) {
  sand::wal::RecordReader reader =
      must(sand::wal::RecordReader::open(bytes, "wal", sand::wal::LogKind::kWal, false));
  std::vector<StoredOp> out;
  for (;;) {
    const std::optional<sand::wal::LogRecord> record = must(reader.next());
    if (!record) break;
    if (record->payload.empty()) continue;  // the seal
    must(sand::WriteBatchAccess::for_each_stored(
        record->payload, "wal", record->offset, [&](const sand::BatchOp& op) {
          out.push_back(StoredOp{.batch = record->offset,
                                 .kind = op.compressed() ? sand::kCompressedPutKind
                                                         : static_cast<std::uint8_t>(op.kind),
                                 .key = std::string(op.key),
                                 .value = std::string(op.value),
                                 .raw_size = op.raw_size});
        }));
  }
  return out;
}

// `log` (a WAL of id `log_id`) with the LZ4 block of its first compressed
// put cut by one byte (so it no longer decompresses), that batch re-encoded
// and its record framed again with correct checksums. *offset receives the
// record's offset.
std::string damage_first_compressed_put(std::string_view log, std::uint64_t log_id,
                                        std::uint64_t* offset) {
  sand::wal::RecordReader reader =
      must(sand::wal::RecordReader::open(log, "wal", sand::wal::LogKind::kWal, false));
  std::string out(log.substr(0, sand::wal::kFileHeaderSize));
  bool done = false;
  for (;;) {
    const std::optional<sand::wal::LogRecord> record = must(reader.next());
    if (!record) break;
    std::string payload(record->payload);
    if (!done && !payload.empty()) {
      std::string changed(payload.substr(0, sand::kWriteBatchHeaderSize));
      bool damaged = false;
      must(sand::WriteBatchAccess::for_each_stored(payload, "wal", 0, [&](const sand::BatchOp& op) {
        changed.push_back(static_cast<char>(op.compressed() ? sand::kCompressedPutKind
                                                            : static_cast<std::uint8_t>(op.kind)));
        sand::util::put_length_prefixed(&changed, op.key);
        if (op.compressed()) sand::util::put_varint64(&changed, op.raw_size);
        if (op.kind != sand::EntryKind::kPut) return;
        std::string_view value = op.value;
        if (op.compressed() && !damaged) {
          value.remove_suffix(1);
          damaged = true;
        }
        sand::util::put_length_prefixed(&changed, value);
      }));
      if (damaged) {
        payload = std::move(changed);
        *offset = out.size();
        done = true;
      }
    }
    std::string header(sand::wal::kRecordHeaderSize, '\0');
    sand::wal::encode_record_header(header.data(), log_id, payload);
    out += header;
    out += payload;
  }
  REQUIRE(done);
  REQUIRE(reader.valid_end() == log.size());
  return out;
}

}  // namespace

TEST_CASE("dump sst: a reference to a compressed value shows its raw_size and the stored block",
          "[cli][dump][values][lz4]") {
  sand::test::TempDir dir;
  {
    auto db = must(sand::DB::open(dir.path(), compressed_options()));
    for (int i = 0; i < 4; ++i) must(db->put(key(i), value_of(i, kBigSize)));
    must(db->put(key(4), value_of(4, kPlainSize)));
    must(db->put(key(5), "short"));
    must(db->flush());
    must(db->close());
  }
  auto fs = sand::posix_file_system();
  const sand::manifest::State state = must(sand::manifest::replay(*fs, dir.path()));
  REQUIRE(state.tables.size() == 1);
  REQUIRE(state.value_files.size() == 1);
  const auto& [value_file, value_meta] = *state.value_files.begin();
  const std::string stored_file =
      read_bytes(fsys::path(dir.path()) / sand::value_file_name(value_meta));
  const fsys::path table =
      fsys::path(dir.path()) / sand::table_file_name(state.tables.begin()->first);

  const DumpRun run = run_dump(DumpTarget::kTable, table);
  INFO(run.out);
  REQUIRE(run.status.is_ok());
  const std::vector<Json> lines = parse_lines(run.out);
  const std::vector<Json> footer = records_of(lines, "footer");
  REQUIRE(footer.size() == 1);
  CHECK(footer[0].at("format_version") == sand::table::kFormatVersionCompressedRefs);

  const std::vector<Json> entries = records_of(lines, "entry");
  REQUIRE(entries.size() == 6);
  for (int i = 0; i < 6; ++i) {
    const Json& e = entries[static_cast<std::size_t>(i)];
    INFO(e.dump());
    REQUIRE(e.at("key") == key(i));
    if (i == 5) {  // below the threshold: stored in the table
      CHECK(e.at("kind") == "put");
      CHECK(e.at("value") == "short");
      CHECK_FALSE(e.contains("ref"));
      continue;
    }
    REQUIRE(e.at("kind") == "value_ref");
    const Json& ref = e.at("ref");
    // The entry's value is the stored reference; the dump decodes it whole.
    const std::optional<sand::value::ValueRef> decoded =
        sand::value::decode_value_ref(bytes_of(e.at("value")));
    REQUIRE(decoded);
    CHECK(ref.at("file") == decoded->file);
    CHECK(ref.at("file") == value_file);
    CHECK(ref.at("offset") == decoded->offset);
    CHECK(ref.at("size") == decoded->size);
    CHECK(ref.at("checksum") == decoded->checksum);
    const auto offset = ref.at("offset").get<std::uint64_t>();
    const auto size = ref.at("size").get<std::uint64_t>();
    REQUIRE(offset + size <= stored_file.size());
    const std::string stored = stored_file.substr(offset, size);
    CHECK(sand::value::value_checksum(stored) == ref.at("checksum").get<std::uint64_t>());
    if (i == 4) {  // separated but not compressed: the four members of before
      CHECK(ref.size() == 4);
      CHECK_FALSE(ref.contains("raw_size"));
      CHECK(decoded->raw_size == 0);
      CHECK(stored == value_of(4, kPlainSize));
      continue;
    }
    // Compressed: a fifth member, and the stored bytes are the LZ4 block.
    CHECK(ref.size() == 5);
    CHECK(ref.at("raw_size") == kBigSize);
    CHECK(decoded->raw_size == kBigSize);
    CHECK(size < kBigSize);
    CHECK(decompress(stored, kBigSize) == value_of(i, kBigSize));
  }

  // Text form: the ref's members in order, raw_size last.
  const DumpRun text = run_dump(DumpTarget::kTable, table, false);
  REQUIRE(text.status.is_ok());
  CHECK(text.out.find(" raw_size=4096}") != std::string::npos);
}

TEST_CASE("dump wal: a compressed put is an operation of kind compressed_put with its raw_size",
          "[cli][dump][values][lz4]") {
  sand::test::TempDir dir;
  {
    auto db = must(sand::DB::open(dir.path(), compressed_options()));
    sand::WriteBatch batch;
    batch.put(key(0), value_of(0, kBigSize));
    batch.put(key(1), "short");
    batch.del(key(2));
    must(db->write(batch));
    must(db->put(key(3), value_of(3, kPlainSize)));
    must(db->close());  // not flushed: the values are in the WAL only
  }
  const fsys::path wal = newest_wal(dir.path());
  const std::string bytes = read_bytes(wal);
  const std::vector<StoredOp> stored = stored_ops(bytes);
  REQUIRE(stored.size() == 4);
  REQUIRE(stored[0].kind == sand::kCompressedPutKind);

  const DumpRun run = run_dump(DumpTarget::kWal, wal);
  INFO(run.out);
  REQUIRE(run.status.is_ok());
  const std::vector<Json> lines = parse_lines(run.out);
  REQUIRE(lines.front().at("record") == "header");
  CHECK(lines.front().at("format_version") == sand::wal::kWalCompressedFormatVersion);
  const std::vector<Json> ops = records_of(lines, "operation");
  REQUIRE(ops.size() == stored.size());
  const char* const kinds[] = {"compressed_put", "put", "delete", "put"};
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Json& op = ops[i];
    INFO(op.dump());
    CHECK(op.at("batch") == stored[i].batch);
    CHECK(op.at("key") == key(static_cast<int>(i)));
    CHECK(op.at("kind") == kinds[i]);
    if (op.at("kind") == "delete") {
      CHECK_FALSE(op.contains("value"));
    } else {
      CHECK(bytes_of(op.at("value")) == stored[i].value);
    }
    CHECK(op.contains("raw_size") == (i == 0));
  }
  // The compressed put: its raw size, and its value as stored (the block,
  // not the value it decompresses to).
  const Json& compressed = ops[0];
  CHECK(compressed.at("raw_size") == kBigSize);
  const std::string block = bytes_of(compressed.at("value"));
  CHECK(block.size() < kBigSize);
  CHECK(bytes.find(block) != std::string::npos);
  CHECK(decompress(block, kBigSize) == value_of(0, kBigSize));
  // Members in the order of spec/dump.md section 4.
  std::vector<std::string> members;
  for (const auto& [name, member] : compressed.items()) members.push_back(name);
  CHECK(members == std::vector<std::string>{"record", "batch", "index", "version", "kind", "key",
                                            "raw_size", "value"});
  CHECK(bytes_of(ops[3].at("value")) == value_of(3, kPlainSize));

  const DumpRun text = run_dump(DumpTarget::kWal, wal, false);
  REQUIRE(text.status.is_ok());
  CHECK(text.out.find(" kind=compressed_put key=key000 raw_size=4096 value=") != std::string::npos);
}

TEST_CASE("dump wal: a batch whose compressed block does not decompress is refused",
          "[cli][dump][values][lz4]") {
  sand::test::TempDir dir;
  {
    auto db = must(sand::DB::open(dir.path(), compressed_options()));
    must(db->put(key(9), "before"));
    sand::WriteBatch batch;
    batch.put(key(0), value_of(0, kBigSize));
    batch.put(key(1), "short");
    must(db->write(batch));
    must(db->close());
  }
  const fsys::path wal = newest_wal(dir.path());
  const std::uint64_t number = *sand::number_in_path(wal.string(), sand::FileType::kWal);
  std::uint64_t offset = 0;
  const std::string damaged = damage_first_compressed_put(read_bytes(wal), number, &offset);
  write_bytes(wal, damaged);
  // The framing is good: only decoding the batch finds the damage.
  const std::vector<StoredOp> stored = stored_ops(damaged);
  REQUIRE(stored.size() == 3);
  REQUIRE(stored[1].batch == offset);
  REQUIRE(stored[1].kind == sand::kCompressedPutKind);
  REQUIRE_FALSE(decompress(stored[1].value, kBigSize));

  const DumpRun run = run_dump(DumpTarget::kWal, wal);
  INFO(run.out);
  CHECK(run.status.code() == sand::Code::kCorruption);
  CHECK(run.status.message() == wal.string() + ": offset " + std::to_string(offset) +
                                    ": write batch operation 0: compressed value of " +
                                    std::to_string(stored[1].value.size()) +
                                    " bytes does not decompress to its 4096 bytes");
  // Everything before the bad batch, and nothing of it.
  const std::vector<Json> lines = parse_lines(run.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].at("record") == "header");
  CHECK(lines[1].at("record") == "batch");
  CHECK(lines[1].at("offset") == stored[0].batch);
  CHECK(lines[2].at("record") == "operation");
  CHECK(lines[2].at("key") == key(9));
}
