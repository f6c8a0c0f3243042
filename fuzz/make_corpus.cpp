// make_corpus: writes the seed corpora of every fuzz target from files the
// engine itself writes (WALs, manifests, tables, blocks, archives), all in
// memory_file_system(), then saved as small files under
//   <out>/<target>/<name>
// Usage: fuzz_make_corpus <fuzz/corpus dir>. Seeds stay under 4 KiB each.
// Deterministic: rerunning rewrites identical bytes.
// Thread-safety: single-threaded program.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "db/filenames.hpp"
#include "fuzz_support.hpp"
#include "manifest/edit.hpp"
#include "manifest/manifest_log.hpp"
#include "manifest/state.hpp"
#include "sand/sand.hpp"
#include "table/block_builder.hpp"
#include "table/format.hpp"
#include "table_fixture.hpp"
#include "util/coding.hpp"
#include "value/value_ref.hpp"
#include "wal/wal_file.hpp"
#include "wal/write_batch_codec.hpp"

namespace {

using namespace sand;
using sand::fuzz::check;
namespace stdfs = std::filesystem;

stdfs::path g_out;

void save(const std::string& target, const std::string& name, std::string_view bytes) {
  check(bytes.size() < 4096, "seed too large", target + "/" + name);
  const stdfs::path dir = g_out / target;
  stdfs::create_directories(dir);
  std::ofstream f(dir / name, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  check(static_cast<bool>(f), "write seed", target + "/" + name);
}

std::string read(FileSystem& fs, const std::string& path) {
  auto f = fs.open_readable_file(path);
  check(f.is_ok(), "read", path);
  return std::string((*f)->contents());
}

std::string batch_rep(int first, int n, bool with_delete, Version v) {
  WriteBatch b;
  for (int i = 0; i < n; ++i) b.put("key" + std::to_string(first + i), "value" + std::to_string(i));
  if (with_delete) b.del("key" + std::to_string(first));
  std::string rep = WriteBatchAccess::rep(b);
  WriteBatchAccess::set_version(&rep, v);
  return rep;
}

void wal_seeds() {
  auto fs = memory_file_system();
  check(fs->create_dir("w").is_ok(), "mkdir");
  const auto write_wal = [&](const std::string& name, int records, bool seal) {
    auto w = wal::create_wal(*fs, name, 7);
    check(w.is_ok(), "create_wal", w.status().to_string());
    for (int i = 0; i < records; ++i) {
      check((*w)->add_record(batch_rep(i * 3, 1 + i % 3, i % 2 == 1, 10 + i)).is_ok(), "add");
    }
    if (seal) check(wal::append_seal(**w).is_ok(), "seal");
    check((*w)->close().is_ok(), "close");
    return read(*fs, name);
  };
  save("wal_reader", "header_only", write_wal("w/a", 0, false));
  save("wal_reader", "one_record", write_wal("w/b", 1, false));
  const std::string five = write_wal("w/c", 5, false);
  save("wal_reader", "five_records", five);
  save("wal_reader", "sealed", write_wal("w/d", 3, true));
  save("wal_reader", "torn_tail", five.substr(0, five.size() - 7));
  std::string damaged = five;
  damaged[60] = static_cast<char>(damaged[60] ^ 0x40);  // inside record 1
  save("wal_reader", "damaged_middle", damaged);
  save("wal_reader", "short_header", five.substr(0, 20));

  // Version 3: compressed puts (operation kind 3), as a writer that
  // separates and compresses values writes them.
  std::string big;
  for (int i = 0; big.size() < 2100; ++i)
    big += "compressible value " + std::to_string(i % 5) + " ";
  WriteBatch b;
  b.put("big", big);
  b.del("gone");
  b.put("small", "s");
  std::string rep = WriteBatchAccess::rep(b);
  WriteBatchAccess::set_version(&rep, 10);
  std::string compressed;
  check(WriteBatchAccess::compress_values(rep, kMinCompressedValueSize, &compressed),
        "compress_values");
  WriteBatch b2;
  b2.put("second", big.substr(0, 2048));
  std::string rep2 = WriteBatchAccess::rep(b2);
  WriteBatchAccess::set_version(&rep2, 13);
  std::string compressed2;
  check(WriteBatchAccess::compress_values(rep2, kMinCompressedValueSize, &compressed2),
        "compress_values");
  const auto write_v3 = [&](const std::string& name, const std::vector<std::string>& reps) {
    auto w = wal::create_wal(*fs, name, 7, /*compressed_puts=*/true);
    check(w.is_ok(), "create_wal", w.status().to_string());
    for (const std::string& r : reps) check((*w)->add_record(r).is_ok(), "add");
    check((*w)->close().is_ok(), "close");
    return read(*fs, name);
  };
  // A compressed batch, a plain one, another compressed one.
  save("wal_reader", "compressed_puts",
       write_v3("w/e", {compressed, batch_rep(0, 2, true, 12), compressed2}));
  // A checksummed record whose block claims one byte more than it holds:
  // replay passes it on, for_each refuses it.
  std::string wrong_raw = compressed;
  const std::size_t raw_at = wrong_raw.find(std::string("\x03\x03"
                                                        "big",
                                                        5)) +
                             5;
  std::uint64_t raw_size = 0;
  std::string_view raw_view = std::string_view(wrong_raw).substr(raw_at);
  check(util::get_varint64(&raw_view, &raw_size) && raw_size == big.size(), "raw size");
  std::string bumped;
  util::put_varint64(&bumped, raw_size + 1);
  check(bumped.size() == static_cast<std::size_t>(util::varint_length(raw_size)), "same length");
  wrong_raw.replace(raw_at, bumped.size(), bumped);
  save("wal_reader", "compressed_bad_raw_size", write_v3("w/f", {wrong_raw}));
  // The payloads alone: the input is also decoded as one batch payload.
  save("wal_reader", "payload_compressed", compressed);
  save("wal_reader", "payload_bad_raw_size", wrong_raw);
}

void manifest_seeds() {
  auto fs = memory_file_system();
  check(fs->create_dir("db").is_ok(), "mkdir");
  manifest::State state;
  state.last_version = 5;
  state.wal_number = 3;
  manifest::TableMeta t{.number = 4,
                        .level = 0,
                        .file_size = 1000,
                        .entries = 10,
                        .tombstones = 1,
                        .min_version = 1,
                        .max_version = 5,
                        .smallest_key = "a",
                        .largest_key = "m"};
  state.tables[4] = t;
  state.next_file_number = 6;
  auto log = manifest::ManifestLog::create(*fs, "db", state);
  check(log.is_ok(), "ManifestLog::create", log.status().to_string());
  save("manifest_reader", "snapshot_only", read(*fs, "db/MANIFEST"));
  manifest::Edit e;
  e.next_file_number = 9;
  e.last_version = 9;
  e.wal_number = 8;
  e.added.push_back({.number = 7,
                     .level = 1,
                     .file_size = 500,
                     .entries = 4,
                     .tombstones = 0,
                     .min_version = 6,
                     .max_version = 9,
                     .smallest_key = "b",
                     .largest_key = "z",
                     .run = 2});
  e.removed.push_back(4);
  check((*log)->append(e).is_ok(), "append");
  manifest::Edit mark;
  mark.low_water_mark = 7;
  check((*log)->append(mark).is_ok(), "append");
  check((*log)->close().is_ok(), "close");
  const std::string full = read(*fs, "db/MANIFEST");
  save("manifest_reader", "three_records", full);
  save("manifest_reader", "torn_tail", full.substr(0, full.size() - 3));
  std::string payload;
  e.encode(&payload);
  save("manifest_reader", "raw_edit", payload);
}

void table_seeds() {
  int n = 0;
  for (int config = 0; config < 4; ++config) {
    table::TableOptions o;
    o.compression = (config & 1) ? Compression::kLz4 : Compression::kNone;
    o.bloom_bits_per_key = (config & 2) ? 10 : 0;
    o.block_size = 256;
    o.restart_interval = 4;
    const std::string t = sand::fuzz::build_table(o, 24, static_cast<std::uint32_t>(config));
    save("sstable_reader", "table_" + std::to_string(n++), t);
  }
  table::TableOptions tiny;
  save("sstable_reader", "one_entry", sand::fuzz::build_table(tiny, 1, 1));

  // Mutator seeds: config, count, seed, then a few edits.
  const std::string m[] = {
      std::string("\x00\x10\x01", 3),
      std::string("\x03\x30\x02", 3),
      std::string("\x07\x30\x02\x01\x05\x00\x22", 7),  // fix checksums, xor in data
      std::string("\x07\x20\x03\x03\x01\x00\x00", 7),  // xor in the index
      std::string("\x06\x20\x04\x22\x09\x00\x80", 7),  // insert in the filter
      std::string("\x05\x20\x05\x14\x02\x00\x07", 7),  // set a properties byte
      std::string("\x01\x40\x06\x06\x00\x00\x02", 7),  // trailer damage
      std::string("\x25\x60\x07\x45\x08\x00\x00", 7),  // truncate in the footer
  };
  for (std::size_t i = 0; i < std::size(m); ++i)
    save("sstable_mutator", "m" + std::to_string(i), m[i]);
}

void block_seeds() {
  for (int interval : {1, 4, 16}) {
    table::BlockBuilder b(interval);
    for (int i = 0; i < 20; ++i) {
      std::string k;
      append_internal_key(&k, "user" + std::to_string(100 + i), 50 - i,
                          i % 5 == 0 ? EntryKind::kDelete : EntryKind::kPut);
      b.add(k, i % 5 == 0 ? "" : "v" + std::to_string(i));
    }
    save("block_decoder", "raw_restart" + std::to_string(interval),
         std::string(1, '\0') + std::string(b.finish()));
  }
  table::BlockBuilder empty(16);
  save("block_decoder", "raw_empty", std::string(1, '\0') + std::string(empty.finish()));
  save("block_decoder", "built",
       std::string("\x01\x03\x02"
                   "ab\x05\x00\x01\x03"
                   "xyz\x01q\x09\x00\x00",
                   17));
}

void lz4_block_seeds() {
  // Stored LZ4 blocks (mode 2 = type 1) of real block contents, and the
  // same contents for the round-trip mode (1).
  table::BlockBuilder b(16);
  for (int i = 0; i < 40; ++i) {
    std::string k;
    append_internal_key(&k, "user" + std::to_string(1000 + i), 7, EntryKind::kPut);
    b.add(k, "value-value-value");
  }
  const std::string raw(b.finish());
  std::string scratch;
  std::string_view stored;
  check(table::compress_block(raw, Compression::kLz4, &scratch, &stored) == Compression::kLz4,
        "lz4 seed does not compress");
  save("lz4_block", "stored_lz4", std::string(1, '\x02') + std::string(stored));
  save("lz4_block", "stored_none", std::string(1, '\x00') + raw.substr(0, 200));
  save("lz4_block", "round_trip", std::string(1, '\x01') + raw);
  save("lz4_block", "zeros", std::string(1, '\x01') + std::string(3000, '\0'));
}

void coding_seeds() {
  std::string s;
  s.push_back(0);
  util::put_varint32(&s, 300);
  s.push_back(1);
  util::put_varint64(&s, ~std::uint64_t{0});
  s.push_back(2);
  util::put_fixed32(&s, 0xdeadbeef);
  s.push_back(3);
  util::put_fixed64(&s, 0x0123456789abcdefULL);
  s.push_back(4);
  util::put_length_prefixed(&s, "hello");
  save("coding", "all_kinds", s);
  save("coding", "overlong",
       std::string("\x00\xff\xff\xff\xff\x7f\x01\x80\x80\x80\x80\x80\x80\x80\x80\x80\x02", 17));
}

void db_ops_seeds() {
  // Option byte, then ops (see db_ops_fuzzer.cpp): put k v, get, del, batch,
  // snapshot, flush, get-at, scan, history, compact, reopen, forget_before.
  save("db_ops", "basic",
       std::string("\x00\x00\x01\x10\x03\x01\x01\x02\x03\x02\x04\x01\x02\x05\x00\x06\x01", 17));
  save("db_ops", "flush_compact",
       std::string("\x01\x00\x01\x80\x00\x02\x80\x00\x03\x80\x09\x00\x04\x80\x09\x0a\x03\x01\x05"
                   "\x0f\x01\x03\x02",
                   23));
  save("db_ops", "reopen_history",
       std::string(
           "\x02\x00\x05\x20\x07\x01\x05\x00\x05\x21\x0b\x06\x05\x0c\x02\x06\x05\x04\x05\x01", 20));
  save("db_ops", "latest_only",
       std::string("\x04\x00\x01\x01\x00\x01\x02\x04\x01\x00\x05\x00\x0c\x01", 14));
  std::string big(1, '\x03');
  for (int i = 0; i < 60; ++i) {
    const char op[] = {static_cast<char>(i % 13), static_cast<char>(i * 7),
                       static_cast<char>(i * 13), static_cast<char>(i * 3), static_cast<char>(i)};
    big.append(op, sizeof(op));
  }
  save("db_ops", "mixed", big);
}

// The archive of a database as export_archive writes it.
std::string export_db(const DB& db, std::size_t chunk_size) {
  std::ostringstream out;
  auto r = export_archive(db, out, {.chunk_size = chunk_size});
  check(r.is_ok(), "export_archive", r.status().to_string());
  return out.str();
}

void archive_seeds() {
  auto fs = memory_file_system();
  const auto open = [&](const std::string& dir, Retention retention) {
    auto db = DB::open(dir, Options{.retention = retention, .file_system = fs});
    check(db.is_ok(), "DB::open", db.status().to_string());
    return std::move(*db);
  };
  const auto must = [](const Result<Version>& v) {
    check(v.is_ok(), "write", v.status().to_string());
  };

  // spec/archive.md section 8, written and exported the same way: this seed
  // is spec/testdata/archive_small.sandx byte for byte.
  {
    auto db = open("/dbs/small", Retention::kAll);
    must(db->put("apple", "red"));
    must(db->put("apple", "green"));
    must(db->put("banana", ""));
    must(db->put(std::string("\x00\xff", 2), "binary"));
    must(db->del("apple"));
    for (const char* v : {"1", "2", "3"}) must(db->put("cherry", v));
    check(db->forget_before(8).is_ok(), "forget_before");
    must(db->put("apple", "again"));
    must(db->del("banana"));
    must(db->put("date", "d"));
    must(db->del("date"));
    must(db->del("elder"));
    save("archive_reader", "archive_small", export_db(*db, 48));
  }
  {
    auto db = open("/dbs/empty", Retention::kAll);
    save("archive_reader", "empty", export_db(*db, 256));
  }
  // Keys sharing long prefixes, several versions each, tombstones, a mark in
  // the middle and a flush, so history spans a table and the memtable.
  std::string many;
  {
    auto db = open("/dbs/many", Retention::kAll);
    for (int round = 0; round < 4; ++round) {
      for (int i = 0; i < 8; ++i) {
        const std::string key = "user/" + std::to_string(100 + i * 7);
        if ((i + round) % 5 == 4) {
          must(db->del(key));
        } else {
          must(db->put(key, std::string(static_cast<std::size_t>(i * round), 'v') + "r" +
                                std::to_string(round)));
        }
      }
      if (round == 1) check(db->flush().is_ok(), "flush");
      if (round == 2) check(db->forget_before(db->last_version() - 3).is_ok(), "forget_before");
    }
    many = export_db(*db, 64);
    save("archive_reader", "many_versions", many);
    save("archive_reader", "one_entry_per_chunk", export_db(*db, 1));
  }
  // Compressible values, enough for several 256-byte blocks.
  {
    auto db = open("/dbs/values", Retention::kLatestOnly);
    for (int i = 0; i < 24; ++i) {
      must(db->put("k" + std::to_string(i), std::string(60, static_cast<char>('a' + i % 26))));
    }
    must(db->del("k3"));
    save("archive_reader", "latest_only", export_db(*db, 4096));
  }
  // Many small entries with incompressible values: under 4 KiB of archive
  // but more than one 4096-byte table (the harness's target_file_size, and
  // tables spend more bytes per entry than archives), so the run is cut.
  {
    auto db = open("/dbs/tables", Retention::kAll);
    std::uint32_t x = 12345;
    for (int i = 0; i < 260; ++i) {
      std::string value(6, '\0');
      for (char& c : value) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>(x >> 24);
      }
      const std::string key = "k" + std::to_string(1000 + i);
      must(db->put(key, value));
      if (i % 10 == 9) must(db->del(key));
    }
    save("archive_reader", "two_tables", export_db(*db, 1024));
  }
  save("archive_reader", "truncated", many.substr(0, many.size() - 40));
  std::string damaged = many;
  damaged[100] = static_cast<char>(damaged[100] ^ 0x04);  // inside chunk 1's entries
  save("archive_reader", "damaged_entry", damaged);
}

// value_file_fuzzer.cpp's input: flags, S - body size, cut, count, then the
// references (raw: a mode byte (length << 1), then the bytes), then the body.
std::string value_file_input(std::uint8_t flags, std::int8_t delta, std::uint8_t cut,
                             const std::vector<std::string>& raw_refs, std::string_view synth,
                             int synth_count, std::string_view body) {
  std::string in;
  in.push_back(static_cast<char>(flags));
  in.push_back(static_cast<char>(delta));
  in.push_back(static_cast<char>(cut));
  in.push_back(static_cast<char>(raw_refs.size() + static_cast<std::size_t>(synth_count)));
  for (const std::string& r : raw_refs) {
    check(r.size() <= 48, "raw value ref too long");
    in.push_back(static_cast<char>(r.size() << 1));
    in += r;
  }
  in += synth;
  in += body;
  return in;
}

std::string value_ref_bytes(std::uint64_t file, std::uint64_t offset, std::uint64_t size,
                            std::uint64_t checksum, std::uint64_t raw_size = 0) {
  std::string out;
  value::encode_value_ref(
      {.file = file, .offset = offset, .size = size, .checksum = checksum, .raw_size = raw_size},
      &out);
  return out;
}

// `value`'s LZ4 block as the writer stores a compressed put's value.
std::string writer_block(const std::string& value) {
  WriteBatch b;
  b.put("k", value);
  std::string out;
  check(WriteBatchAccess::compress_values(WriteBatchAccess::rep(b), 0, &out), "compressible");
  std::string block;
  check(WriteBatchAccess::for_each_stored(out, "seed", 0,
                                          [&](const BatchOp& op) {
                                            check(op.compressed(), "compressed put");
                                            block.assign(op.value);
                                          })
            .is_ok(),
        "for_each_stored");
  return block;
}

// A reference into `body` at [offset, offset + size), its checksum taken of
// the bytes that are there (fewer when it reaches past the end).
std::string ref_into(std::string_view body, std::uint64_t offset, std::uint64_t size) {
  const std::string_view there = offset < body.size() ? body.substr(offset, size) : "";
  return value_ref_bytes(7, offset, size, value::value_checksum(there));
}

void put_u16(std::string* dst, std::uint16_t v) {
  dst->push_back(static_cast<char>(v & 0xff));
  dst->push_back(static_cast<char>(v >> 8));
}

// A WAL kept as a value file whose values are compressed puts (LZ4 blocks
// that references with a raw_size name).
void value_file_compressed_seeds() {
  auto fs = memory_file_system();
  std::vector<std::string> values;
  {
    auto db = DB::open("/vc", Options{.value_separation_threshold = 64,
                                      .compression = Compression::kLz4,
                                      .file_system = fs});
    check(db.is_ok(), "DB::open", db.status().to_string());
    for (int i = 0; i < 2; ++i) {
      std::string v;
      while (v.size() < static_cast<std::size_t>(2100 + 900 * i)) {
        v += "lz4 value " + std::to_string(i) + ":" + std::to_string(v.size() % 9) + " ";
      }
      check((*db)->put("key" + std::to_string(i), v).is_ok(), "put");
      values.push_back(v);
    }
    check((*db)->put("plain", std::string(100, 'p')).is_ok(), "put");
    check((*db)->flush().is_ok(), "flush");
    check((*db)->close().is_ok(), "close");
  }
  auto state = manifest::replay(*fs, "/vc");
  check(state.is_ok() && state->value_files.size() == 1, "one value file");
  const std::string body = read(*fs, "/vc/" + wal_file_name(state->value_files.begin()->first));
  // References as the table holds them: the block, its checksum, raw_size.
  std::vector<std::string> refs;
  std::vector<std::size_t> at;
  std::vector<std::string> blocks;
  for (const std::string& v : values) {
    const std::string block = writer_block(v);
    const std::size_t pos = body.find(block);
    check(pos != std::string::npos, "block not in its value file");
    at.push_back(pos);
    blocks.push_back(block);
    refs.push_back(value_ref_bytes(7, pos, block.size(), value::value_checksum(block), v.size()));
  }
  save("value_file", "compressed", value_file_input(0, 0, 0, refs, "", 0, body));
  // raw_size one off either way, and the block read as an uncompressed value.
  const std::vector<std::string> off = {
      value_ref_bytes(7, at[0], blocks[0].size(), value::value_checksum(blocks[0]),
                      values[0].size() + 1),
      value_ref_bytes(7, at[0], blocks[0].size(), value::value_checksum(blocks[0]),
                      values[0].size() - 1),
      value_ref_bytes(7, at[1], blocks[1].size(), value::value_checksum(blocks[1])), refs[1]};
  save("value_file", "compressed_wrong_raw_size", value_file_input(2, 0, 0, off, "", 0, body));
  std::string flipped = body;
  flipped[at[1] + blocks[1].size() / 2] ^= 0x10;
  save("value_file", "compressed_damaged", value_file_input(0, 0, 0, refs, "", 0, flipped));
  // Synthesized: file 7 at the first block with the right checksum and
  // raw_size modes 1..5 (D, D + 1, D - 1, u16, u24 from the input).
  std::string synth;
  for (const std::uint8_t raw_mode : {1, 2, 3, 4, 5}) {
    synth.push_back(static_cast<char>(0x01 | (raw_mode << 5)));
    put_u16(&synth, static_cast<std::uint16_t>(at[0]));
    put_u16(&synth, static_cast<std::uint16_t>(blocks[0].size()));
    if (raw_mode == 4) put_u16(&synth, static_cast<std::uint16_t>(values[0].size()));
    if (raw_mode == 5) {
      put_u16(&synth, static_cast<std::uint16_t>(values[0].size()));
      synth.push_back('\0');
    }
  }
  save("value_file", "compressed_synthesized", value_file_input(1 | 4, 0, 200, {}, synth, 5, body));
  // Modes 6 and 7 (too large to decompress to; over 256 MiB) on the second.
  std::string synth2;
  for (const std::uint8_t raw_mode : {6, 7}) {
    synth2.push_back(static_cast<char>(0x01 | (raw_mode << 5)));
    put_u16(&synth2, static_cast<std::uint16_t>(at[1]));
    put_u16(&synth2, static_cast<std::uint16_t>(blocks[1].size()));
  }
  save("value_file", "compressed_synthesized_limits",
       value_file_input(0, 0, 0, {refs[1]}, synth2, 2, body));
}

void value_file_seeds() {
  // A WAL the engine kept as a value file, with three separated values.
  auto fs = memory_file_system();
  std::vector<std::string> values;
  {
    auto db = DB::open("/vf", Options{.value_separation_threshold = 64, .file_system = fs});
    check(db.is_ok(), "DB::open", db.status().to_string());
    for (int i = 0; i < 3; ++i) {
      std::string v = "value" + std::to_string(i) + ":";
      while (v.size() < static_cast<std::size_t>(100 + 300 * i))
        v.push_back(static_cast<char>('a' + v.size() * 7 % 26));
      check((*db)->put("key" + std::to_string(i), v).is_ok(), "put");
      values.push_back(v);
    }
    check((*db)->put("small", "inline").is_ok(), "put");
    check((*db)->flush().is_ok(), "flush");
    check((*db)->close().is_ok(), "close");
  }
  auto state = manifest::replay(*fs, "/vf");
  check(state.is_ok() && state->value_files.size() == 1, "one value file");
  const std::string body = read(*fs, "/vf/" + wal_file_name(state->value_files.begin()->first));
  std::vector<std::string> valid;
  for (const std::string& v : values) {
    const std::size_t at = body.find(v);
    check(at != std::string::npos, "value not in its value file");
    valid.push_back(value_ref_bytes(7, at, v.size(), value::value_checksum(v)));
  }
  const std::uint64_t n = body.size();
  save("value_file", "values", value_file_input(0, 0, 0, valid, "", 0, body));
  // The last 20 bytes exactly; one past the end; size 0 at the end and one past it.
  const std::vector<std::string> edges = {ref_into(body, n - 20, 20), ref_into(body, n - 19, 20),
                                          ref_into(body, n, 0), ref_into(body, n + 1, 0)};
  save("value_file", "edges", value_file_input(0, 0, 0, edges, "", 0, body));
  // S one byte short of the file: the last reference is past S.
  save("value_file", "set_size_short",
       value_file_input(1, -1, 0, {valid[0], edges[0], edges[2]}, "", 0, body));
  std::string wrong = valid[1];
  wrong.back() = static_cast<char>(wrong.back() ^ 0x01);
  std::string flipped = body;
  const std::size_t inside = body.find(values[2]) + 10;
  flipped[inside] = static_cast<char>(flipped[inside] ^ 0x20);
  save("value_file", "wrong_checksum", value_file_input(0, 0, 0, {wrong, valid[0]}, "", 0, body));
  save("value_file", "damaged_value", value_file_input(0, 0, 0, valid, "", 0, flipped));
  // The file grows between two rounds of reads; mapped first.
  save("value_file", "grows",
       value_file_input(2 | 4, 0, 128, {valid[0], valid[2], edges[0]}, "", 0, body));
  // Malformed: truncated, a byte left over after a raw_size, an 11-byte varint, file 0, size
  // over 256 MiB, offset + size = 2^64; then synthesized references to the
  // missing file 9, file 5 outside the set, and file 7 (checksum right,
  // flipped, and from the input).
  std::string over = valid[0];
  over.insert(0, "\x87\x80\x80\x80\x80\x80\x80\x80\x80\x80", 10);
  over.erase(10, 1);
  const std::vector<std::string> malformed = {valid[0].substr(0, valid[0].size() - 1),
                                              valid[0] + std::string("\x05"
                                                                     "x",
                                                                     2),
                                              over,
                                              value_ref_bytes(0, 0, 1, 0),
                                              value_ref_bytes(7, 0, 268435457, 0),
                                              value_ref_bytes(7, ~std::uint64_t{0} - 4, 5, 0)};
  std::string synth;
  // Mode bytes: file 9, file 5, file 7 with the right checksum, with it
  // flipped; each at offset 16, size 64 (u16 each).
  for (const std::uint8_t mode : {0x03, 0x05, 0x01, 0x11}) {
    synth.push_back(static_cast<char>(mode));
    util::put_fixed32(&synth, 0x00400010);
  }
  // File 7 with a checksum from the input.
  std::string from_input(1, '\x19');
  util::put_fixed32(&from_input, 0x00400010);
  util::put_fixed32(&from_input, 0xdeadbeef);
  // Only five references fit (count % 6): two seeds.
  save("value_file", "malformed",
       value_file_input(0, 0, 0, {malformed.begin(), malformed.begin() + 5}, "", 0, body));
  save("value_file", "synthesized", value_file_input(8 | 2, 0, 0, {malformed[5]}, synth, 4, body));
  save("value_file", "checksum_from_input", value_file_input(0, 0, 0, {}, from_input, 1, body));
  value_file_compressed_seeds();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <fuzz/corpus dir>\n", argv[0]);
    return 1;
  }
  g_out = argv[1];
  wal_seeds();
  manifest_seeds();
  table_seeds();
  block_seeds();
  lz4_block_seeds();
  coding_seeds();
  db_ops_seeds();
  archive_seeds();
  value_file_seeds();
  return 0;
}
