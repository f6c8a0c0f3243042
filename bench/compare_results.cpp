// sand_compare_results: turns the CSV that bench/compare.sh collects into the
// sanddb-vs-peers ratio tables (aligned text on stdout, Markdown in
// DIR/ratios.md) and the gnuplot data and scripts for the charts.
//
// Input: DIR/results.csv, sand_bench's CSV rows (report.cpp's columns), each
// prefixed by compare.sh with `repeat` (1..R) and `set` (which sand_bench
// invocation: "main", "fillsync-t2", "sweep-1024B", "sanddb-only", ...), and
// optionally DIR/meta.txt ("Key: value" lines: command, date, machine).
//
// Invariants:
// - One (set, repeat, engine) is one sand_bench invocation, whose rows are in
//   the order they ran; a row after that invocation's `compact` row is
//   labelled "<workload>@compacted".
// - Ops/s cells are the median over repeats. A ratio is computed per repeat
//   (that repeat's sanddb ops/s over the same repeat's peer ops/s) and shown
//   as min/median/max over the repeats; "best peer" is the faster peer in
//   that repeat. Medians of an even count average the middle two.
// - The peers are the LSM engines, RocksDB and LevelDB: "best peer", the
//   targets and the memory ratio use them only. LMDB, when it ran, is the
//   B+tree read reference: its columns ("lmdb ops/s", "sanddb/lmdb", and its
//   memory) come after all the others, so every other column keeps its
//   place, and it is never a target.
// - A row whose message starts with "n/a" measured nothing (LMDB's compact):
//   its cell reads "n/a" and it enters no ratio.
// - Sets named "sweep-*" make one table per value size; "sanddb-only" makes
//   a table without peers; every other set goes to the suite table.
//
// Thread-safety: a single-threaded program.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "text_cat.hpp"

namespace {

using sand_bench::cat;

using Row = std::vector<std::string>;

const std::vector<std::string> kEngineOrder = {"sanddb", "rocksdb", "leveldb", "lmdb"};
constexpr std::string_view kSand = "sanddb";
// Engines shown for reference only, after the peers' columns: not peers.
const std::vector<std::string> kReferences = {"lmdb"};

bool is_reference(const std::string& engine) {
  return std::find(kReferences.begin(), kReferences.end(), engine) != kReferences.end();
}

// Comma-separated fields; a quoted field may hold commas, newlines and ""
// (one quote), as report.cpp writes them.
std::vector<Row> parse_csv(std::string_view text) {
  std::vector<Row> rows;
  Row row;
  std::string field;
  bool quoted = false;
  bool pending = false;  // the current line has content
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
      continue;
    }
    if (c == '"') {
      quoted = pending = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      pending = true;
    } else if (c == '\n') {
      if (pending || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      field.clear();
      row.clear();
      pending = false;
    } else if (c != '\r') {
      field += c;
      pending = true;
    }
  }
  if (pending || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string format(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// "0.91/1.02/1.10" (min/median/max) or "1.02" for one repeat; "-" for none.
std::string spread(std::vector<double> v) {
  if (v.empty()) return "-";
  if (v.size() == 1) return format("%.2f", v[0]);
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return format("%.2f/%.2f/%.2f", *lo, median(v), *hi);
}

std::string ops_cell(double ops) { return ops >= 100 ? format("%.0f", ops) : format("%.3g", ops); }

std::string mib_cell(double bytes) { return format("%.1f", bytes / 1048576.0); }

// One table row: a workload (in a phase, at a thread count) on every engine.
struct Line {
  std::string label;
  std::string workload;                              // sand_bench's name
  std::map<std::string, std::map<int, double>> ops;  // engine -> repeat -> ops/s
  std::set<std::string> not_applicable;              // engines whose row said "n/a"
  std::optional<double> median_ops(const std::string& engine) const {
    const auto it = ops.find(engine);
    if (it == ops.end() || it->second.empty()) return std::nullopt;
    std::vector<double> v;
    for (const auto& [repeat, value] : it->second) v.push_back(value);
    return median(v);
  }
};

struct Table {
  std::string key;  // "suite", "sweep-<value_size>", "sanddb-only"
  std::string title;
  bool sweep = false;
  bool sand_only = false;
  std::uint64_t value_size = 0;
  std::vector<Line> lines;  // first-appearance order
  Line& line(const std::string& label, const std::string& workload) {
    for (auto& l : lines) {
      if (l.label == label) return l;
    }
    lines.push_back(Line{label, workload, {}, {}});
    return lines.back();
  }
};

// Peak RSS of one set of invocations: engine -> repeat -> (anon, file) bytes,
// the largest any of the invocation's workloads saw.
struct Memory {
  std::string set;
  std::map<std::string, std::map<int, std::pair<double, double>>> peaks;
};

// Issue 7's target for the median sanddb/best-peer ratio, if it sets one.
std::optional<double> target(const Table& t, const Line& l) {
  const std::string base = l.label.substr(0, l.label.find('@'));
  if (t.sweep) {
    if (base == "fillrandom") return 1.0;
    if (base == "readrandom" && t.value_size >= 1024) return 1.0;
    return std::nullopt;
  }
  for (const char* w : {"fillseq", "fillrandom", "overwrite", "fillbatch", "fillsync t4"}) {
    if (base == w) return 1.5;
  }
  for (const char* r : {"readrandom", "readmissing", "readseq", "readreverse", "seekrandom"}) {
    if (base == r) return 1.0;
  }
  return std::nullopt;
}

// A grid of cells printed either aligned (text) or as a Markdown table.
struct Grid {
  std::vector<std::string> header;
  std::vector<bool> right;  // right-aligned (numbers)
  std::vector<Row> rows;

  std::string text() const {
    std::vector<std::size_t> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
      width[c] = header[c].size();
      for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
    }
    std::string out;
    const auto emit = [&](const Row& r) {
      std::string line;
      for (std::size_t c = 0; c < r.size(); ++c) {
        const std::string pad(width[c] - r[c].size(), ' ');
        line += c == 0 ? "" : "  ";
        line += right[c] ? pad + r[c] : r[c] + pad;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    };
    emit(header);
    std::string rule;
    for (std::size_t c = 0; c < width.size(); ++c) {
      rule += c == 0 ? "" : "  ";
      rule += std::string(width[c], '-');
    }
    out += rule + "\n";
    for (const auto& r : rows) emit(r);
    return out;
  }

  std::string markdown() const {
    std::string out = "|";
    for (const auto& h : header) out += " " + h + " |";
    out += "\n|";
    for (std::size_t c = 0; c < header.size(); ++c) out += right[c] ? "---:|" : "---|";
    out += "\n";
    for (const auto& r : rows) {
      out += "|";
      for (const auto& cell : r) out += " " + cell + " |";
      out += "\n";
    }
    return out;
  }
};

class Results {
 public:
  // Returns false (after printing why) when the CSV lacks a needed column.
  bool load(const std::vector<Row>& rows);

  std::vector<std::string> engines() const;  // in kEngineOrder, as present
  // sanddb and the peers, as present: the engines before the references.
  std::vector<std::string> compared() const;
  std::vector<std::string> peers() const;       // the LSM peers, as present
  std::vector<std::string> references() const;  // kReferences, as present
  int repeats() const { return static_cast<int>(repeats_.size()); }
  const std::vector<Table>& tables() const { return tables_; }
  const std::vector<Memory>& memory() const { return memory_; }
  const std::map<std::string, std::string>& versions() const { return versions_; }

  Grid ratio_grid(const Table& t) const;
  Grid sand_only_grid(const Table& t) const;
  Grid memory_grid() const;

 private:
  Table& table_for(const std::string& set, std::uint64_t value_size, std::uint64_t num,
                   std::uint64_t key_size);
  std::vector<double> ratios(const Line& l, const std::vector<std::string>& against) const;

  std::vector<Table> tables_;
  std::vector<Memory> memory_;
  std::set<std::string> engines_;
  std::set<int> repeats_;
  std::map<std::string, std::string> versions_;
};

Table& Results::table_for(const std::string& set, std::uint64_t value_size, std::uint64_t num,
                          std::uint64_t key_size) {
  Table t;
  if (set.rfind("sweep", 0) == 0) {
    t.key = cat("sweep-", value_size);
    t.sweep = true;
    t.title = format(
        "Value size %llu B: %llu keys of %llu B", static_cast<unsigned long long>(value_size),
        static_cast<unsigned long long>(num), static_cast<unsigned long long>(key_size));
  } else if (set == "sanddb-only") {
    t.key = set;
    t.sand_only = true;
    t.title =
        format("sanddb-only workloads: %llu keys of %llu B, %llu-B values",
               static_cast<unsigned long long>(num), static_cast<unsigned long long>(key_size),
               static_cast<unsigned long long>(value_size));
  } else {
    t.key = "suite";
    t.title = format(
        "Suite: %llu keys of %llu B, %llu-B values", static_cast<unsigned long long>(num),
        static_cast<unsigned long long>(key_size), static_cast<unsigned long long>(value_size));
  }
  t.value_size = value_size;
  for (auto& existing : tables_) {
    if (existing.key == t.key) return existing;
  }
  tables_.push_back(std::move(t));
  return tables_.back();
}

bool Results::load(const std::vector<Row>& rows) {
  if (rows.empty()) {
    std::fprintf(stderr, "sand_compare_results: no rows\n");
    return false;
  }
  const Row& header = rows[0];
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  for (const char* need :
       {"repeat", "set", "engine", "engine_version", "workload", "num", "key_size", "value_size",
        "threads", "ops_per_sec", "peak_anon_rss_bytes", "peak_file_rss_bytes"}) {
    if (col.count(need) == 0) {
      std::fprintf(stderr, "sand_compare_results: the CSV has no '%s' column\n", need);
      return false;
    }
  }
  const bool has_message = col.count("message") > 0;
  // (set, repeat, engine) -> the invocation has run its `compact`.
  std::map<std::tuple<std::string, int, std::string>, bool> compacted;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (r.size() != header.size()) {
      std::fprintf(stderr, "sand_compare_results: CSV row %zu has %zu fields, not %zu: skipped\n",
                   i + 1, r.size(), header.size());
      continue;
    }
    if (r[0] == header[0]) continue;  // a repeated header line
    const auto get = [&](const char* name) -> const std::string& { return r[col[name]]; };
    try {
      const std::string& set = get("set");
      const std::string& engine = get("engine");
      const std::string& workload = get("workload");
      const int repeat = std::stoi(get("repeat"));
      const int threads = std::stoi(get("threads"));
      const double ops = std::stod(get("ops_per_sec"));
      engines_.insert(engine);
      repeats_.insert(repeat);
      versions_.emplace(engine, get("engine_version"));

      bool& after_compact = compacted[{set, repeat, engine}];
      std::string label = workload;
      if (workload == "fillsync" || threads > 1) label += cat(" t", threads);
      if (after_compact && workload != "compact") label += "@compacted";
      if (workload == "compact") after_compact = true;

      Table& t = table_for(set, std::stoull(get("value_size")), std::stoull(get("num")),
                           std::stoull(get("key_size")));
      Line& line = t.line(label, workload);
      if (has_message && get("message").rfind("n/a", 0) == 0) {
        line.not_applicable.insert(engine);
      } else {
        line.ops[engine][repeat] = ops;
      }

      Memory* m = nullptr;
      for (auto& existing : memory_) {
        if (existing.set == set) m = &existing;
      }
      if (m == nullptr) {
        memory_.push_back(Memory{set, {}});
        m = &memory_.back();
      }
      auto& peak = m->peaks[engine][repeat];
      peak.first = std::max(peak.first, std::stod(get("peak_anon_rss_bytes")));
      peak.second = std::max(peak.second, std::stod(get("peak_file_rss_bytes")));
    } catch (const std::exception&) {  // std::stoi and friends: not a number
      std::fprintf(stderr, "sand_compare_results: CSV row %zu has a malformed number\n", i + 1);
      return false;
    }
  }
  return true;
}

std::vector<std::string> Results::engines() const {
  std::vector<std::string> out;
  for (const auto& e : kEngineOrder) {
    if (engines_.count(e) > 0) out.push_back(e);
  }
  return out;
}

std::vector<std::string> Results::compared() const {
  std::vector<std::string> out;
  for (const auto& e : engines()) {
    if (!is_reference(e)) out.push_back(e);
  }
  return out;
}

std::vector<std::string> Results::peers() const {
  std::vector<std::string> out;
  for (const auto& e : compared()) {
    if (e != kSand) out.push_back(e);
  }
  return out;
}

std::vector<std::string> Results::references() const {
  std::vector<std::string> out;
  for (const auto& e : engines()) {
    if (is_reference(e)) out.push_back(e);
  }
  return out;
}

// Per repeat: sanddb over the fastest of `against` in that repeat (a repeat
// counts only when every engine of `against` that ran this line has it).
std::vector<double> Results::ratios(const Line& l, const std::vector<std::string>& against) const {
  std::vector<double> out;
  const auto sand = l.ops.find(std::string(kSand));
  if (sand == l.ops.end()) return out;
  for (const auto& [repeat, sand_ops] : sand->second) {
    double best = -1;
    bool complete = true;
    bool any = false;
    for (const auto& peer : against) {
      const auto p = l.ops.find(peer);
      if (p == l.ops.end()) continue;
      const auto v = p->second.find(repeat);
      if (v == p->second.end()) {
        complete = false;
        break;
      }
      any = true;
      best = std::max(best, v->second);
    }
    if (complete && any && best > 0) out.push_back(sand_ops / best);
  }
  return out;
}

Grid Results::ratio_grid(const Table& t) const {
  Grid g;
  const auto compared = this->compared();
  const auto peers = this->peers();
  const auto references = this->references();
  g.header.push_back("workload");
  for (const auto& e : compared) g.header.push_back(e + " ops/s");
  for (const auto& p : peers) g.header.push_back("sanddb/" + p);
  if (peers.size() > 1) g.header.push_back("sanddb/best peer");
  if (!peers.empty()) {
    g.header.push_back("target");
    g.header.push_back("met");
  }
  for (const auto& e : references) {
    g.header.push_back(e + " ops/s");
    g.header.push_back("sanddb/" + e);
  }
  g.right.assign(g.header.size(), true);
  g.right[0] = false;
  for (const auto& l : t.lines) {
    const auto ops = [&l](const std::string& e) -> std::string {
      const auto m = l.median_ops(e);
      return m ? ops_cell(*m) : l.not_applicable.count(e) > 0 ? "n/a" : "-";
    };
    Row r = {l.label};
    for (const auto& e : compared) r.push_back(ops(e));
    for (const auto& p : peers) r.push_back(spread(ratios(l, {p})));
    const std::vector<double> best = ratios(l, peers);
    if (peers.size() > 1) r.push_back(spread(best));
    if (!peers.empty()) {
      const auto goal = target(t, l);
      r.push_back(goal ? format(">=%.1f", *goal) : "");
      r.push_back(!goal || best.empty() ? "" : median(best) >= *goal ? "yes" : "NO");
    }
    for (const auto& e : references) {
      r.push_back(ops(e));
      const std::vector<double> ratio = ratios(l, {e});
      r.push_back(ratio.empty() && l.not_applicable.count(e) > 0 ? "n/a" : spread(ratio));
    }
    g.rows.push_back(std::move(r));
  }
  return g;
}

Grid Results::sand_only_grid(const Table& t) const {
  Grid g;
  g.header = {"workload", "sanddb ops/s", "runs"};
  g.right = {false, true, true};
  for (const auto& l : t.lines) {
    const auto m = l.median_ops(std::string(kSand));
    const auto it = l.ops.find(std::string(kSand));
    g.rows.push_back({l.label, m ? ops_cell(*m) : "-",
                      std::to_string(it == l.ops.end() ? 0 : it->second.size())});
  }
  return g;
}

Grid Results::memory_grid() const {
  Grid g;
  const auto engines = this->compared();
  const auto peers = this->peers();
  const auto references = this->references();
  g.header.push_back("invocation");
  for (const auto& e : engines) g.header.push_back(e + " anon MiB");
  if (!peers.empty()) g.header.push_back("sanddb/lower peer anon");
  for (const auto& e : engines) g.header.push_back(e + " file MiB");
  for (const auto& e : references) {
    g.header.push_back(e + " anon MiB");
    g.header.push_back(e + " file MiB");
  }
  g.right.assign(g.header.size(), true);
  g.right[0] = false;
  for (const auto& m : memory_) {
    if (m.set == "sanddb-only") continue;
    Row r = {m.set};
    const auto median_of = [&](const std::string& e, bool anon) -> std::optional<double> {
      const auto it = m.peaks.find(e);
      if (it == m.peaks.end()) return std::nullopt;
      std::vector<double> v;
      for (const auto& [repeat, peak] : it->second) v.push_back(anon ? peak.first : peak.second);
      return median(v);
    };
    for (const auto& e : engines) {
      const auto v = median_of(e, true);
      r.push_back(v ? mib_cell(*v) : "-");
    }
    if (!peers.empty()) {
      // Per repeat: sanddb's anonymous peak over the smaller peer's.
      std::vector<double> ratio;
      const auto sand = m.peaks.find(std::string(kSand));
      if (sand != m.peaks.end()) {
        for (const auto& [repeat, peak] : sand->second) {
          double lower = -1;
          for (const auto& p : peers) {
            const auto it = m.peaks.find(p);
            if (it == m.peaks.end() || it->second.count(repeat) == 0) continue;
            const double v = it->second.at(repeat).first;
            lower = lower < 0 ? v : std::min(lower, v);
          }
          if (lower > 0) ratio.push_back(peak.first / lower);
        }
      }
      r.push_back(spread(ratio));
    }
    for (const auto& e : engines) {
      const auto v = median_of(e, false);
      r.push_back(v ? mib_cell(*v) : "-");
    }
    for (const auto& e : references) {
      for (const bool anon : {true, false}) {
        const auto v = median_of(e, anon);
        r.push_back(v ? mib_cell(*v) : "-");
      }
    }
    g.rows.push_back(std::move(r));
  }
  return g;
}

std::string slug(const std::string& s) {
  std::string out;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += ok ? c : '_';
  }
  return out;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.flush();
  if (!out) {
    std::fprintf(stderr, "sand_compare_results: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

// gnuplot picks pngcairo when it has it (Debian's gnuplot-nox does), else png.
// Labels such as "readrandom@compacted" must not be read as enhanced text.
std::string gnuplot_preamble(const std::string& png, int width, int height) {
  return format(
             "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
             "  set terminal pngcairo noenhanced size %d,%d font \",10\"\n"
             "} else {\n"
             "  set terminal png noenhanced size %d,%d\n"
             "}\n",
             width, height, width, height) +
         "set output \"" + png + "\"\nset datafile missing \"?\"\nset grid ytics\n";
}

// Grouped bars of median ops/s per workload, one bar per engine, log y.
// `compact` is left out: its ops/s is 1/seconds, not comparable. The PNG's
// name goes to *png; returns false (after printing why) if a file fails.
bool write_bar_chart(const std::string& dir, const Results& res, const Table& t, std::string* png) {
  const std::string base = "ops_" + slug(t.key);
  *png = base + ".png";
  const auto engines = res.engines();
  std::string dat = "# workload";
  for (const auto& e : engines) dat += " " + e;
  dat += "\n";
  for (const auto& l : t.lines) {
    if (l.workload == "compact") continue;
    dat += "\"" + l.label + "\"";
    for (const auto& e : engines) {
      const auto m = l.median_ops(e);
      dat += cat(" ", m ? format("%.1f", *m) : std::string("?"));
    }
    dat += "\n";
  }
  std::string gp = gnuplot_preamble(*png, 1400, 650);
  gp += cat("set title \"", t.title, ": ops/s, median of ", res.repeats(), " run(s)\"\n");
  gp +=
      "set style data histograms\nset style histogram clustered gap 1\n"
      "set style fill solid 0.85 border -1\nset logscale y\nset ylabel \"ops/s (log scale)\"\n"
      "set xtics rotate by 40 right nomirror\nset key top right\nset bmargin 9\n";
  gp += "plot ";
  for (std::size_t i = 0; i < engines.size(); ++i) {
    gp += i == 0 ? cat("\"", base, ".dat\" using 2:xtic(1)") : cat(", \"\" using ", i + 2);
    gp += " title \"" + engines[i] + "\"";
  }
  gp += "\n";
  return write_file(dir + "/" + base + ".dat", dat) && write_file(dir + "/" + base + ".gp", gp);
}

// One line chart per workload of the sweep: ops/s against value size, one
// line per engine, both axes log.
bool write_sweep_charts(const std::string& dir, const Results& res,
                        std::vector<std::string>* pngs) {
  std::vector<const Table*> sweeps;
  for (const auto& t : res.tables()) {
    if (t.sweep) sweeps.push_back(&t);
  }
  if (sweeps.empty()) return true;
  std::sort(sweeps.begin(), sweeps.end(),
            [](const Table* a, const Table* b) { return a->value_size < b->value_size; });
  std::vector<std::string> labels;
  for (const auto* t : sweeps) {
    for (const auto& l : t->lines) {
      if (std::find(labels.begin(), labels.end(), l.label) == labels.end()) {
        labels.push_back(l.label);
      }
    }
  }
  const auto engines = res.engines();
  for (const auto& label : labels) {
    const std::string base = "sweep_" + slug(label);
    std::string dat = "# value_size";
    for (const auto& e : engines) dat += " " + e;
    dat += "\n";
    for (const auto* t : sweeps) {
      dat += std::to_string(t->value_size);
      const Line* line = nullptr;
      for (const auto& l : t->lines) {
        if (l.label == label) line = &l;
      }
      for (const auto& e : engines) {
        const auto m = line ? line->median_ops(e) : std::nullopt;
        dat += cat(" ", m ? format("%.1f", *m) : std::string("?"));
      }
      dat += "\n";
    }
    std::string gp = gnuplot_preamble(base + ".png", 900, 550);
    gp += cat("set title \"", label, ": ops/s by value size, median of ", res.repeats(),
              " run(s)\"\n");
    gp +=
        "set logscale x 2\nset logscale y\nset xlabel \"value size (bytes)\"\n"
        "set ylabel \"ops/s (log scale)\"\nset key outside right top\nset xtics (";
    for (std::size_t i = 0; i < sweeps.size(); ++i) {
      gp += cat(i == 0 ? "" : ", ", sweeps[i]->value_size);
    }
    // Room either side so the first and last ticks show.
    gp += format(")\nset xrange [%g:%g]\nplot ", sweeps.front()->value_size * 0.8,
                 sweeps.back()->value_size * 1.25);
    for (std::size_t i = 0; i < engines.size(); ++i) {
      gp += i == 0 ? "\"" + base + ".dat\"" : ", \"\"";
      gp += cat(" using 1:", i + 2, " with linespoints lw 2 pt 7 title \"", engines[i], "\"");
    }
    gp += "\n";
    if (!write_file(dir + "/" + base + ".dat", dat) || !write_file(dir + "/" + base + ".gp", gp)) {
      return false;
    }
    pngs->push_back(base + ".png");
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> read_meta(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> meta;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    meta.emplace_back(line.substr(0, colon), line.substr(colon + 2));
  }
  return meta;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "sand_compare_results: ratio tables and chart data from bench/compare.sh's results.csv"};
  std::string dir;
  bool charts = false;
  app.add_option("--dir", dir, "Directory with results.csv (and meta.txt); outputs go there")
      ->required();
  app.add_flag("--charts", charts, "Link the PNG charts (which gnuplot will draw) in ratios.md");
  CLI11_PARSE(app, argc, argv);

  std::ifstream in(dir + "/results.csv", std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "sand_compare_results: cannot read %s/results.csv\n", dir.c_str());
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  Results res;
  if (!res.load(parse_csv(text.str()))) return 1;
  if (res.tables().empty()) {
    std::fprintf(stderr, "sand_compare_results: %s/results.csv has no results\n", dir.c_str());
    return 1;
  }

  auto meta = read_meta(dir + "/meta.txt");
  std::string versions;
  for (const auto& e : res.engines()) {
    versions += (versions.empty() ? "" : ", ") + e + " " + res.versions().at(e);
  }
  meta.emplace_back("Engines", versions);
  meta.emplace_back("Repeats", std::to_string(res.repeats()));

  const bool lmdb = !res.references().empty();
  std::string how =
      "ops/s: median over repeats. sanddb/<peer>: each repeat's sanddb ops/s over the same "
      "repeat's peer ops/s, min/median/max over repeats (>1: sanddb faster); best peer: the "
      "faster peer in that repeat. target/met: issue 7's goal for the median sanddb/best-peer "
      "ratio. @compacted: after a full compaction (compact: one full compaction, ops/s = 1/s). "
      "tN: N threads. readwhilewriting: one reader's gets while one writer puts.";
  if (lmdb) {
    how +=
        " lmdb: LMDB, a B+tree, the read reference, not a peer: sanddb/lmdb is the same "
        "ratio against it, in no best peer and no target; it has no compaction (compact: "
        "n/a), so its @compacted rows read the same database as before.";
  }
  std::string out_text;
  std::string md = lmdb ? "## sanddb vs RocksDB and LevelDB (LMDB for reference)\n\n"
                        : "## sanddb vs RocksDB and LevelDB\n\n";
  for (const auto& [key, value] : meta) {
    out_text += key + ": " + value + "\n";
    md += "- " + key + ": " + (key == "Command" ? "`" + value + "`" : value) + "\n";
  }
  out_text += "\n";
  md += "\n" + how + "\n";

  std::vector<std::string> sweep_pngs;
  if (!write_sweep_charts(dir, res, &sweep_pngs)) return 1;
  const Table* last_sweep = nullptr;
  for (const auto& t : res.tables()) {
    if (t.sweep) last_sweep = &t;
  }
  for (const auto& t : res.tables()) {
    const Grid g = t.sand_only ? res.sand_only_grid(t) : res.ratio_grid(t);
    out_text += t.title + "\n" + g.text() + "\n";
    md += "\n### " + t.title + "\n\n" + g.markdown();
    if (!t.sweep && !t.sand_only) {
      std::string png;
      if (!write_bar_chart(dir, res, t, &png)) return 1;
      if (charts) md += "\n![" + t.title + "](" + png + ")\n";
    }
    if (charts && &t == last_sweep) {
      for (const auto& png : sweep_pngs) md += "\n![" + png + "](" + png + ")\n";
    }
  }
  const Grid mem = res.memory_grid();
  const std::string mem_title =
      "Peak RSS per invocation (MiB, median over repeats; anon: heap, file: mapped files; "
      "target: sanddb/lower peer anon <= 1.1)";
  out_text += mem_title + "\n" + mem.text() + "\n" + how + "\n";
  md += "\n### " + mem_title + "\n\n" + mem.markdown();

  std::fputs(out_text.c_str(), stdout);
  if (!write_file(dir + "/ratios.md", md)) return 1;
  std::printf("Wrote %s/ratios.md and the chart data (%s/*.dat, *.gp)\n", dir.c_str(), dir.c_str());
  return 0;
}
