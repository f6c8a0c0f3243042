// Corruption matrix support: file copies, damage, the read-back against the
// model, and case reporting. Every check says its first difference in words.
#include "support/corruption_matrix.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <sstream>

#include "support/db_helpers.hpp"

namespace sand::test {
namespace {

// True if `s` is a Corruption the caller tolerates (a damaged table refusing
// a read), counting it.
bool tolerated_error(const Status& s, const std::string& file, std::uint64_t* count) {
  if (file.empty() || s.code() != Code::kCorruption || !mentions(s, file)) return false;
  if (count != nullptr) ++*count;
  return true;
}

struct ScanEntry {
  std::string key;
  std::string value;
  Version version = 0;
};

// The live entries of `model` as of `at`, in key order.
std::vector<ScanEntry> model_scan(const VersionedModel& model, Version at) {
  std::vector<ScanEntry> out;
  for (const auto& [key, versions] : model.keys) {
    auto v = versions.upper_bound(at);
    if (v == versions.begin()) continue;
    --v;
    if (v->second) out.push_back({key, *v->second, v->first});
  }
  return out;
}

std::string check_scan(const DB& db, const VersionedModel& expected, Version at, bool reverse,
                       const std::string& tolerated_file, std::uint64_t* tolerated) {
  std::vector<ScanEntry> want = model_scan(expected, at);
  if (reverse) std::reverse(want.begin(), want.end());
  const std::string what = std::string(reverse ? "reverse " : "") + "scan at " + std::to_string(at);
  auto it = db.scan(ScanOptions{.at = at, .reverse = reverse});
  if (!it.is_ok()) {
    if (tolerated_error(it.status(), tolerated_file, tolerated)) return "";
    return what + ": " + show(it.status());
  }
  std::size_t i = 0;
  for (; it->valid(); it->next(), ++i) {
    if (i >= want.size()) {
      return what + ": extra entry " + std::string(it->key()) + "@" +
             std::to_string(it->version()) + "=" + show_value(std::string(it->value()));
    }
    const ScanEntry& w = want[i];
    if (it->key() != w.key || it->value() != w.value || it->version() != w.version) {
      return what + ": entry " + std::to_string(i) + " is " + std::string(it->key()) + "@" +
             std::to_string(it->version()) + "=" + show_value(std::string(it->value())) +
             ", want " + w.key + "@" + std::to_string(w.version) + "=" + show_value(w.value);
    }
  }
  const Status s = it->status();
  if (!s.is_ok()) {
    if (tolerated_error(s, tolerated_file, tolerated)) return "";
    return what + ": ended after " + std::to_string(i) + " entries with " + show(s);
  }
  if (i != want.size()) {
    return what + ": " + std::to_string(i) + " entries, want " + std::to_string(want.size());
  }
  return "";
}

}  // namespace

DirFiles read_dir_files(FileSystem& fs, const std::string& dir) {
  DirFiles out;
  auto names = fs.list_dir(dir);
  REQUIRE(names.is_ok());
  for (const std::string& name : *names) {
    if (name == "LOCK") continue;
    out[name] = read_file(fs, dir + "/" + name);
  }
  return out;
}

std::shared_ptr<FileSystem> memory_fs_with(const std::string& dir, const DirFiles& files) {
  auto fs = memory_file_system();
  REQUIRE(fs->create_dir(dir).is_ok());
  for (const auto& [name, bytes] : files) {
    auto file = fs->new_writable_file(dir + "/" + name);
    REQUIRE(file.is_ok());
    REQUIRE((*file)->append(bytes).is_ok());
    REQUIRE((*file)->close().is_ok());
  }
  return fs;
}

std::string read_file(FileSystem& fs, const std::string& path) {
  auto file = fs.open_readable_file(path);
  if (!file.is_ok()) return "";
  return std::string((*file)->contents());
}

std::vector<std::string> names_with_suffix(FileSystem& fs, const std::string& dir,
                                           std::string_view suffix) {
  std::vector<std::string> out;
  auto names = fs.list_dir(dir);
  REQUIRE(names.is_ok());
  for (const std::string& name : *names) {
    if (name.ends_with(suffix)) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string flip_bit(std::string bytes, std::uint64_t offset, int bit) {
  REQUIRE(offset < bytes.size());
  bytes[offset] = static_cast<char>(bytes[offset] ^ (1 << (bit & 7)));
  return bytes;
}

std::string zero_range(std::string bytes, std::uint64_t offset, std::uint64_t length) {
  for (std::uint64_t i = offset; i < offset + length && i < bytes.size(); ++i) bytes[i] = '\0';
  return bytes;
}

std::string random_bytes(std::uint64_t seed, std::size_t n) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

std::optional<ByteRange> changed_range(std::string_view before, std::string_view after) {
  REQUIRE(before.size() == after.size());
  std::uint64_t begin = 0;
  while (begin < before.size() && before[begin] == after[begin]) ++begin;
  if (begin == before.size()) return std::nullopt;
  std::uint64_t end = before.size();
  while (end > begin && before[end - 1] == after[end - 1]) --end;
  return ByteRange{begin, end};
}

bool mentions(const Status& s, std::string_view file) {
  return s.message().find(file) != std::string::npos;
}

std::optional<std::uint64_t> offset_named(const Status& s, std::string_view file) {
  const std::string needle = std::string(file) + ": offset ";
  const std::string& msg = s.message();
  const auto at = msg.find(needle);
  if (at == std::string::npos) return std::nullopt;
  std::size_t i = at + needle.size();
  if (i >= msg.size() || msg[i] < '0' || msg[i] > '9') return std::nullopt;
  std::uint64_t n = 0;
  for (; i < msg.size() && msg[i] >= '0' && msg[i] <= '9'; ++i) {
    n = n * 10 + static_cast<std::uint64_t>(msg[i] - '0');
  }
  return n;
}

std::string show(const Status& s) { return s.to_string(); }

void apply_batch(VersionedModel* model, Version v, const ModelBatch& ops) {
  for (const auto& [key, value] : ops) model->keys[key][v] = value;
  model->last = std::max(model->last, v);
}

VersionedModel model_as_of(const VersionedModel& full, Version v) {
  VersionedModel out;
  for (const auto& [key, versions] : full.keys) {
    Versions& kept = out.keys[key];
    for (const auto& [version, value] : versions) {
      if (version <= v) kept.emplace(version, value);
    }
  }
  out.last = v;
  return out;
}

std::vector<std::string> all_keys(const VersionedModel& model,
                                  const std::vector<std::string>& extra) {
  std::set<std::string> keys(extra.begin(), extra.end());
  for (const auto& [key, versions] : model.keys) keys.insert(key);
  return {keys.begin(), keys.end()};
}

std::string check_reads(const DB& db, const VersionedModel& expected,
                        const std::vector<std::string>& keys, const std::string& tolerated_file,
                        std::uint64_t* tolerated) {
  const Version last = expected.last;
  if (db.last_version() != last) {
    return "last_version() " + std::to_string(db.last_version()) + ", want " + std::to_string(last);
  }
  std::set<Version> ats;
  for (const Version v : {last, last - 1, last / 2, last / 3, Version{1}}) {
    if (v >= 1 && v <= last) ats.insert(v);
  }
  for (const std::string& key : keys) {
    {
      auto r = db.get(key);
      const auto want = expected.get(key, last);
      if (!r.is_ok()) {
        if (!tolerated_error(r.status(), tolerated_file, tolerated)) {
          return "get(" + key + "): " + show(r.status()) + ", want " + show(want);
        }
      } else if (*r != want) {
        return "get(" + key + ") = " + show(*r) + ", want " + show(want);
      }
    }
    for (const Version at : ats) {
      auto r = db.get(key, at);
      const auto want = expected.get(key, at);
      if (!r.is_ok()) {
        if (tolerated_error(r.status(), tolerated_file, tolerated)) continue;
        return "get(" + key + ", " + std::to_string(at) + "): " + show(r.status()) + ", want " +
               show(want);
      }
      if (*r != want) {
        return "get(" + key + ", " + std::to_string(at) + ") = " + show(*r) + ", want " +
               show(want);
      }
    }
    auto h = db.history(key);
    const auto want = expected.history(key);
    if (!h.is_ok()) {
      if (tolerated_error(h.status(), tolerated_file, tolerated)) continue;
      return "history(" + key + "): " + show(h.status()) + ", want " + show(want);
    }
    if (*h != want)
      return "history(" + key + ") = " + show(*h) + ", want " + show(want);
  }
  if (last == 0) return "";
  for (const auto& [at, reverse] :
       std::vector<std::pair<Version, bool>>{{last, false}, {last, true}, {last / 2, false}}) {
    if (at == 0) continue;
    std::string diff = check_scan(db, expected, at, reverse, tolerated_file, tolerated);
    if (!diff.empty()) return diff;
  }
  return "";
}

std::string show(const CheckReport& report) {
  std::string out = std::to_string(report.problems.size()) + " problem(s), " +
                    std::to_string(report.notes.size()) + " note(s)";
  auto offset = [](std::uint64_t o) {
    return o == kWholeFile ? std::string("file") : "offset " + std::to_string(o);
  };
  for (const CheckProblem& p : report.problems) {
    out += "; problem " + p.file + " " + offset(p.offset) + ": " + p.what;
  }
  for (const CheckNote& n : report.notes) {
    out += "; note " + n.file + " " + offset(n.offset) + ": " + n.what;
  }
  return out;
}

bool has_problem_naming(const CheckReport& report, std::string_view file) {
  return std::any_of(report.problems.begin(), report.problems.end(),
                     [&](const CheckProblem& p) { return p.file == file; });
}

bool has_note_naming(const CheckReport& report, std::string_view file) {
  return std::any_of(report.notes.begin(), report.notes.end(),
                     [&](const CheckNote& n) { return n.file == file; });
}

bool matrix_verbose() {
  static const bool verbose = std::getenv("SAND_MATRIX_VERBOSE") != nullptr;
  return verbose;
}

void CaseLog::record(const std::string& label, const std::string& failure) {
  ++cases_;
  if (matrix_verbose())
    std::printf("  %s %s\n", failure.empty() ? "agrees   " : "DISAGREES", label.c_str());
  if (!failure.empty()) failures_.push_back(label + ": " + failure);
}

void CaseLog::note(const std::string& outcome) {
  ++outcomes_[outcome];
  if (matrix_verbose()) std::printf("            -> %s\n", outcome.c_str());
}

void CaseLog::finish() const {
  std::string summary = title_ + ": " + std::to_string(cases_) + " cases, " +
                        std::to_string(failures_.size()) + " disagree with the oracle";
  for (const auto& [outcome, n] : outcomes_) {
    summary += "; " + outcome + ": " + std::to_string(n);
  }
  // The list goes to stdout unwrapped (one line per case, easy to grep);
  // the summary through Catch.
  std::printf("%s\n", summary.c_str());
  for (const std::string& f : failures_) std::printf("  DISAGREES %s\n", f.c_str());
  std::fflush(stdout);
  WARN(summary);
  CHECK(failures_.empty());
}

Watchdog::Watchdog(std::chrono::seconds limit) : limit_(limit), thread_([this] { run(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Watchdog::arm(const std::string& label) {
  {
    std::lock_guard lock(mu_);
    deadline_ = std::chrono::steady_clock::now() + limit_;
    label_ = label;
  }
  cv_.notify_all();
}

void Watchdog::disarm() {
  std::lock_guard lock(mu_);
  deadline_.reset();
}

void Watchdog::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (!deadline_) {
      cv_.wait(lock);
      continue;
    }
    const auto deadline = *deadline_;
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && deadline_ == deadline &&
        std::chrono::steady_clock::now() >= deadline) {
      std::fprintf(stderr, "corruption matrix: case still running after %llds: %s\n",
                   static_cast<long long>(limit_.count()), label_.c_str());
      std::abort();
    }
  }
}

void check_undamaged(const std::string& dir, const DirFiles& files, const VersionedModel& model,
                     const std::vector<std::string>& keys) {
  auto fs = memory_fs_with(dir, files);
  const CheckReport report = must(check_database(dir, Options{.file_system = fs}));
  INFO(show(report));
  CHECK(report.problems.empty());
  CHECK(report.notes.empty());
  auto opened = must(DB::open(dir, Options{.file_system = fs}));
  CHECK(check_reads(*opened, model, keys) == "");
}

}  // namespace sand::test
