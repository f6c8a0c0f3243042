// sand_bench: a db_bench-style driver that runs identical workloads with
// identical settings on sanddb, RocksDB, LevelDB or LMDB (--engine), so they
// can be compared honestly on one machine (engine.hpp: how each setting maps;
// LMDB, a B+tree, ignores the LSM ones).
//
// Workloads (--benchmarks, comma-separated, run in order; as in db_bench,
// each fill* starts on an empty database and every other workload uses the
// database the previous ones left):
//   fillseq           --num puts, keys in order
//   fillrandom        --num puts, random keys (with repeats, as db_bench)
//   overwrite         --num puts, random keys, over an existing fill
//   fillbatch         --num puts, random keys, --batch_size per write batch
//   fillsync          --num/1000 puts, random keys, each synced (per thread; as db_bench)
//   readrandom        --reads gets of random keys in [0, num)
//   readmissing       --reads gets of keys never written (key ++ ".")
//   readhot           --reads gets of random keys in the hottest 1%
//   readseq           one full forward scan per thread
//   readreverse       one full backward scan per thread
//   seekrandom        --reads seeks (fresh iterator each) + --seek_nexts nexts
//   seekprev          --reads seeks of written keys (fresh iterator each) +
//                     --seek_nexts prevs, each checked to land one key lower
//   multiget          --reads random keys per thread, --multiget_batch per
//                     batched read (sanddb multi_get, RocksDB MultiGet, LevelDB
//                     Gets under one snapshot, LMDB mdb_gets in one read
//                     transaction); ops are keys, so ops/s compares with
//                     readrandom (the same gets one by one)
//   putif             --reads optimistic increments of random keys' counters,
//                     retried on conflict (sanddb get_versioned + expect_version,
//                     RocksDB OptimisticTransactionDB; not LevelDB nor LMDB);
//                     checked by summing the counters
//   readwhilewriting  threads-1 readers (at least 1) doing readrandom while
//                     one writer does random puts; readers' numbers reported
//   compact           a full compaction, timed (list it before reads to
//                     measure "after a full compaction"); n/a on LMDB, which
//                     has none (a row of 0 ops whose message says so)
//   stats             prints the engine's own statistics
//   history           sanddb only: history() of random keys
//   getatversion      sanddb only: get at a random retained version
//   changes           sanddb only (--sand_retention=all): rounds of num/100
//                     puts (not timed), then a timed catch-up with changes()
//                     since before them; ops are changes read
//   forget            sanddb only: forget_before(last version), timed (with
//                     compact after it: the space retention gives back)
// Each prints one db_bench line ("fillrandom   :       1.234 micros/op
// 810372 ops/sec;   89.6 MB/s"), on sanddb followed by a line breaking down
// the workload's peak anonymous memory ("  memory at peak: anon 93.8 MiB =
// memtables 64.1 (reserved 66.0) + ..."; report.hpp); a summary table
// closes the run; --csv and --json append one row/object per workload.
//
// --fresh_fills=0 lets fills write into the database the previous workloads
// left instead.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "engine.hpp"
#include "process_stats.hpp"
#include "report.hpp"
#include "sand/options.hpp"
#include "workloads.hpp"

namespace {

using namespace sand_bench;

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool is_fill(const std::string& name) {
  return name == "fillseq" || name == "fillrandom" || name == "fillbatch" || name == "fillsync";
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sand_bench: db_bench-style workloads on sanddb, RocksDB, LevelDB or LMDB"};
  std::string engine_name = "sand";
  std::string benchmarks = "fillseq,fillrandom,overwrite,readrandom,readseq";
  BenchConfig config;
  std::int64_t reads = -1;
  std::string db_dir;
  bool use_existing_db = false;
  bool fresh_fills = true;
  EngineSettings settings;
  std::string compression = "lz4";
  std::string retention = "latest";
  std::string csv_path;
  std::string json_path;

  app.add_option("--engine", engine_name,
                 "sand, rocksdb, leveldb or lmdb (this build: " + join(built_engines()) + ")")
      ->check(CLI::IsMember({"sand", "rocksdb", "leveldb", "lmdb"}));
  app.add_option("--benchmarks", benchmarks,
                 "Comma-separated workloads, run in order: " + join(workload_names()))
      ->capture_default_str();
  app.add_option("--num", config.num, "Keys in the key space; puts per thread for fills")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--reads", reads, "Reads per thread (-1: --num)")->capture_default_str();
  app.add_option("--value_size", config.value_size, "Value bytes")->capture_default_str();
  app.add_option("--key_size", config.key_size, "Key bytes (zero-padded decimal)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--threads", config.threads, "Threads per workload")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--sync", config.sync, "Sync every write (0/1)")->capture_default_str();
  app.add_option("--db", db_dir, "Database directory (default /tmp/sand_bench-<engine>)");
  app.add_option("--use_existing_db", use_existing_db,
                 "Keep the database in --db instead of wiping it first (0/1)")
      ->capture_default_str();
  app.add_option("--fresh_fills", fresh_fills,
                 "Start each fillseq/fillrandom/fillbatch/fillsync on an empty database, as "
                 "db_bench does (0/1)")
      ->capture_default_str();
  app.add_option("--write_buffer_size", settings.write_buffer_size, "Memtable bytes")
      ->capture_default_str();
  app.add_option("--compression", compression,
                 "none or lz4 (LevelDB 1.23 has no LZ4: it runs with snappy, said in the header; "
                 "LMDB never compresses)")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "lz4"}));
  app.add_option("--bloom_bits", settings.bloom_bits, "Bloom filter bits per key (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  app.add_option("--cache_size", settings.cache_size, "Block cache bytes")->capture_default_str();
  app.add_option("--block_size", settings.block_size, "Table block bytes")
      ->capture_default_str()
      ->check(CLI::Range(256, 64 << 20));
  app.add_option("--batch_size", config.batch_size, "Puts per write batch in fillbatch")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--seek_nexts", config.seek_nexts,
                 "Nexts (prevs) after each seek in seekrandom (seekprev)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  app.add_option("--multiget_batch", config.multiget_batch, "Keys per batched read in multiget")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--duration", config.duration,
                 "Seconds readwhilewriting's readers run (0: --reads each)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--seed", config.seed, "Seed of keys and values")->capture_default_str();
  app.add_option("--histogram", config.time_every_op,
                 "Time every operation and print the latency histogram (0/1)")
      ->capture_default_str();
  app.add_option("--csv", csv_path, "Append one CSV row per workload to FILE");
  app.add_option("--json", json_path, "Append one JSON object (a line) per workload to FILE");
  app.add_option("--sand_retention", retention,
                 "sanddb only: latest (keep the newest version, like the peers) or all")
      ->capture_default_str()
      ->check(CLI::IsMember({"latest", "all"}));
  settings.sand_value_separation = sand::Options{}.value_separation_threshold;
  app.add_option("--sand_value_separation", settings.sand_value_separation,
                 "sanddb only: values of at least this many bytes are stored once, in the WAL "
                 "(Options::value_separation_threshold; 0 = off)")
      ->capture_default_str();
  std::string memtable = "btree";
  app.add_option("--sand_memtable", memtable,
                 "sanddb only: the memtable's index, btree (the default) or skiplist "
                 "(Options::memtable)")
      ->capture_default_str()
      ->check(CLI::IsMember({"btree", "skiplist"}));
  CLI11_PARSE(app, argc, argv);
  settings.sand_skiplist_memtable = memtable == "skiplist";

  config.reads = reads < 0 ? config.num : static_cast<std::uint64_t>(reads);
  settings.sync = config.sync;
  settings.compression =
      compression == "lz4" ? CompressionSetting::kLz4 : CompressionSetting::kNone;
  settings.sand_retention = retention == "all" ? SandRetention::kAll : SandRetention::kLatestOnly;
  if (config.key_size < 20 && config.num > std::pow(10.0, static_cast<double>(config.key_size))) {
    std::fprintf(stderr, "sand_bench: --num=%llu needs keys of more than %zu digits\n",
                 static_cast<unsigned long long>(config.num), config.key_size);
    return 1;
  }
  const std::vector<std::string> names = split(benchmarks);
  for (const auto& name : names) {
    bool known = false;
    for (const auto& w : workload_names()) known = known || w == name;
    if (!known) {
      std::fprintf(stderr, "sand_bench: unknown benchmark '%s' (known: %s)\n", name.c_str(),
                   join(workload_names()).c_str());
      return 1;
    }
    // Only runs with putif open RocksDB as a transaction DB (engine.hpp).
    if (name == "putif") settings.transactions = true;
  }

  std::unique_ptr<Engine> engine = make_engine(engine_name);
  if (engine == nullptr) {
    std::fprintf(stderr,
                 "sand_bench: engine '%s' is not in this build (it has: %s); install "
                 "its -dev package and re-run CMake\n",
                 engine_name.c_str(), join(built_engines()).c_str());
    return 1;
  }
  if (db_dir.empty()) db_dir = "/tmp/sand_bench-" + engine_name;
  const auto wipe = [&db_dir] {
    std::error_code ec;
    std::filesystem::remove_all(db_dir, ec);
    if (ec) {
      std::fprintf(stderr, "sand_bench: cannot remove %s: %s\n", db_dir.c_str(),
                   ec.message().c_str());
      std::exit(1);
    }
  };
  if (!use_existing_db) wipe();

  RssSampler sampler;
  // The engine outlives the sampler (declared before it), so the source
  // stays callable for the sampler's life.
  sampler.set_breakdown_source([&engine] { return engine->memory_breakdown(); });
  std::uint64_t io_base = dirtied_file_bytes();
  engine->open(db_dir, settings);

  RunInfo info;
  info.engine = engine->name();
  info.engine_version = engine->version();
  info.engine_notes = engine->notes();
  info.db_dir = db_dir;
  info.benchmarks = join(names);
  info.num = config.num;
  info.reads = config.reads;
  info.key_size = config.key_size;
  info.value_size = config.value_size;
  info.threads = config.threads;
  info.sync = config.sync;
  info.compression = compression;
  info.write_buffer_size = settings.write_buffer_size;
  info.bloom_bits = settings.bloom_bits;
  info.cache_size = settings.cache_size;
  info.block_size = settings.block_size;
  info.retention = engine_name == "sand" ? retention : "latest";
  info.seed = config.seed;
  info.histogram = config.time_every_op;
  print_header(info);

  Workloads workloads(*engine, config, !use_existing_db);
  std::uint64_t user_bytes = 0;  // since open: the write amplification denominator
  std::vector<WorkloadResult> results;
  for (const auto& name : names) {
    if (fresh_fills && is_fill(name)) {
      engine->close();
      wipe();
      engine->open(db_dir, settings);
      workloads.forget_keys();
      user_bytes = 0;
      io_base = dirtied_file_bytes();
    }
    sampler.reset_window();
    WorkloadResult r = workloads.run(name);
    if (name == "compact" && !engine->compacts()) {
      // Not a measurement: a row of 0 ops that says so, still written to the
      // CSV, so compare.sh labels the later rows "@compacted" like the others'.
      r = WorkloadResult{};
      r.name = name;
      r.message = "n/a: " + engine->name() + " has no compaction (compact is a no-op)";
    }
    if (r.kind == WorkloadResult::Kind::kInfo) {
      std::printf("%s :\n%s\n", name.c_str(), r.message.c_str());
      std::fflush(stdout);
      results.push_back(std::move(r));
      continue;
    }
    r.peak_memory = sampler.window_peaks();
    r.memory_at_peak = sampler.window_at_peak();
    user_bytes += r.user_bytes_written;
    if (r.kind == WorkloadResult::Kind::kRun) {
      r.write_amp = engine->write_amplification(user_bytes);
      if (user_bytes > 0) {
        r.io_write_amp =
            static_cast<double>(dirtied_file_bytes() - io_base) / static_cast<double>(user_bytes);
      }
      r.disk_bytes = directory_bytes(db_dir);
    }
    std::printf("%s\n", db_bench_line(r, config.time_every_op).c_str());
    if (r.memory_at_peak) std::printf("%s\n", memory_at_peak_line(*r.memory_at_peak).c_str());
    if (config.time_every_op && r.latency.count() > 0) {
      const char* per = r.name == "fillbatch" || r.name == "multiget" ? " (per batch)"
                        : r.name == "changes"                         ? " (per catch-up)"
                                                                      : "";
      std::printf("Microseconds per op%s:\n%s\n", per, r.latency.to_string().c_str());
    }
    std::fflush(stdout);
    if (!csv_path.empty() && !append_csv(csv_path, info, r)) return 1;
    if (!json_path.empty() && !append_json(json_path, info, r)) return 1;
    results.push_back(std::move(r));
  }

  print_summary(info, results, sampler.overall_peaks(), directory_bytes(db_dir));
  engine->close();
  return 0;
}
