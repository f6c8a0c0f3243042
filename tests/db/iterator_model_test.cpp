// A RapidCheck model of sand::Iterator's moves (include/sand/db.hpp): random
// puts, deletes, flushes, compactions and forget_before over a small pool of
// awkward keys ("", "\0", "\xff", prefix pairs such as "a"/"ab"), on a
// database small enough that background flushes and compactions run too;
// then scans with random bounds, prefix, direction and read version (the
// latest or any retained older one), each followed by a random walk of
// next/prev/seeks compared step by step (valid, key, value, version) with a
// sorted list of the live keys built from the full history. Whatever the
// layout of versions over memtables and levels, every step must agree.
#include <rapidcheck.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sand/sand.hpp"
#include "support/db_helpers.hpp"

using namespace sand;

namespace {

// ---- The model: every version of every key ----

using Versions = std::map<Version, std::optional<std::string>>;  // nullopt: a tombstone
using History = std::map<std::string, Versions>;

// A live key as the iterator must show it.
struct Entry {
  std::string key, value;
  Version version = 0;
};

// The keys of the pool, chosen so that bounds and prefixes meet their edge
// cases: the empty key, zero bytes, 0xff bytes (a prefix of 0xff has no
// successor), and keys that are prefixes of others.
const std::vector<std::string>& key_pool() {
  static const std::vector<std::string> pool = {std::string(),
                                                std::string(1, '\0'),
                                                std::string(2, '\0'),
                                                "a",
                                                "ab",
                                                "abc",
                                                "a\xff",
                                                "b",
                                                "b\xff",
                                                "b\xff\xff",
                                                "c",
                                                "\xff",
                                                "\xff\xff",
                                                std::string("\xff\0", 2)};
  return pool;
}

// Seek targets and bounds: the pool plus keys between and around it.
const std::vector<std::string>& target_pool() {
  static const std::vector<std::string> pool = [] {
    std::vector<std::string> p = key_pool();
    for (const char* k : {"aa", "abd", "\x01", "bb", "b\xff\x01", "zz", "\xff\xff\xff"}) {
      p.emplace_back(k);
    }
    p.emplace_back(std::string("\0\x01", 2));
    return p;
  }();
  return pool;
}

const std::vector<std::string>& prefix_pool() {
  static const std::vector<std::string> pool = {
      "", "a", "ab", "b\xff", "\xff", "\xff\xff", std::string(1, '\0'), "x"};
  return pool;
}

// ---- Generated input ----

struct Put {
  std::string key, value;
};
struct Del {
  std::string key;
};
struct Flush {};
struct Compact {};
struct ForgetBefore {
  std::uint32_t pick;  // the mark becomes pick % (last + 1)
};
using Write = std::variant<Put, Del, Flush, Compact, ForgetBefore>;

enum class MoveKind { kNext, kPrev, kSeek, kSeekForPrev, kSeekToFirst, kSeekToLast };
struct Move {
  MoveKind kind = MoveKind::kNext;
  std::string target;  // for the two seeks
};

struct Walk {
  std::optional<std::string> from, to, prefix;
  bool reverse = false;
  bool latest = true;      // else read at a retained version picked by `pick`
  std::uint32_t pick = 0;  // at = mark + pick % (last - mark + 1)
  std::vector<Move> moves;
};

// Half the writes go to three hot keys, so that some keys gather many
// versions: stepping back from a key must get past all its newer ones.
rc::Gen<std::string> gen_key() {
  static const std::vector<std::string> hot = {"a", "ab", "\xff"};
  return rc::gen::oneOf(rc::gen::elementOf(key_pool()), rc::gen::elementOf(hot));
}

rc::Gen<std::string> gen_value() {
  // Long values now and then, so that memtables fill and tables get several
  // blocks.
  return rc::gen::map(rc::gen::resize(100, rc::gen::inRange(0, 300)), [](int n) {
    return std::string(static_cast<std::size_t>(n % 7 == 0 ? n : n % 12), 'v') + std::to_string(n);
  });
}

rc::Gen<Write> gen_write() {
  using rc::gen::construct;
  return rc::gen::weightedOneOf<Write>({
      {30, construct<Write>(construct<Put>(gen_key(), gen_value()))},
      {12, construct<Write>(construct<Del>(gen_key()))},
      {6, construct<Write>(construct<Flush>())},
      {1, construct<Write>(construct<Compact>())},
      {1, construct<Write>(construct<ForgetBefore>(rc::gen::arbitrary<std::uint32_t>()))},
  });
}

// Absent half of the time, so that most scans keep some keys to walk over.
rc::Gen<std::optional<std::string>> gen_optional(rc::Gen<std::string> gen) {
  return rc::gen::map(rc::gen::pair(rc::gen::arbitrary<bool>(), std::move(gen)),
                      [](const std::pair<bool, std::string>& p) {
                        return p.first ? std::optional<std::string>(p.second) : std::nullopt;
                      });
}

rc::Gen<Move> gen_move() {
  return rc::gen::map(
      rc::gen::pair(rc::gen::weightedElement<MoveKind>({{6, MoveKind::kNext},
                                                        {5, MoveKind::kPrev},
                                                        {3, MoveKind::kSeek},
                                                        {3, MoveKind::kSeekForPrev},
                                                        {1, MoveKind::kSeekToFirst},
                                                        {1, MoveKind::kSeekToLast}}),
                    rc::gen::elementOf(target_pool())),
      [](const std::pair<MoveKind, std::string>& p) {
        return Move{p.first, p.second};
      });
}

rc::Gen<Walk> gen_walk() {
  return rc::gen::apply(
      [](std::optional<std::string> from, std::optional<std::string> to,
         std::optional<std::string> prefix, bool reverse, bool latest, std::uint32_t pick,
         std::vector<Move> moves) {
        return Walk{.from = std::move(from),
                    .to = std::move(to),
                    .prefix = std::move(prefix),
                    .reverse = reverse,
                    .latest = latest,
                    .pick = pick,
                    .moves = std::move(moves)};
      },
      gen_optional(rc::gen::elementOf(target_pool())),
      gen_optional(rc::gen::elementOf(target_pool())),
      gen_optional(rc::gen::elementOf(prefix_pool())), rc::gen::arbitrary<bool>(),
      rc::gen::arbitrary<bool>(), rc::gen::arbitrary<std::uint32_t>(),
      rc::gen::mapcat(rc::gen::inRange<std::size_t>(1, 31), [](std::size_t n) {
        return rc::gen::container<std::vector<Move>>(n, gen_move());
      }));
}

// ---- Words for failure reports ----

std::string show_key(std::string_view k) {
  std::ostringstream out;
  out << '"';
  for (const char c : k) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f && c != '"' && c != '\\') {
      out << c;
    } else {
      static const char* hex = "0123456789abcdef";
      out << "\\x" << hex[b >> 4] << hex[b & 0xf];
    }
  }
  out << '"';
  return out.str();
}

std::string show_optional(const std::optional<std::string>& k) {
  return k ? show_key(*k) : "(none)";
}

std::string show_move(const Move& m) {
  switch (m.kind) {
    case MoveKind::kNext:
      return "next";
    case MoveKind::kPrev:
      return "prev";
    case MoveKind::kSeek:
      return "seek(" + show_key(m.target) + ")";
    case MoveKind::kSeekForPrev:
      return "seek_for_prev(" + show_key(m.target) + ")";
    case MoveKind::kSeekToFirst:
      return "seek_to_first";
    case MoveKind::kSeekToLast:
      return "seek_to_last";
  }
  return "?";
}

std::string show_entry(const Entry& e) {
  return show_key(e.key) + "=" + show_key(e.value.substr(0, 16)) + "@" + std::to_string(e.version);
}

// ---- The model of one scan ----

bool in_scan(const std::string& key, const Walk& w) {
  if (w.from && key < *w.from) return false;
  if (w.to && key >= *w.to) return false;
  return !w.prefix || key.starts_with(*w.prefix);
}

// The live keys of the scan at `at`, ascending.
std::vector<Entry> live_entries(const History& history, Version at, const Walk& w) {
  std::vector<Entry> out;
  for (const auto& [key, versions] : history) {
    if (!in_scan(key, w)) continue;
    auto newest = versions.upper_bound(at);
    if (newest == versions.begin()) continue;
    --newest;
    if (newest->second) out.push_back({key, *newest->second, newest->first});
  }
  return out;
}

// Where the model iterator is: an index into the ascending entries, or not
// valid.
class ModelCursor {
 public:
  ModelCursor(const std::vector<Entry>& entries, bool reverse)
      : entries_(entries), reverse_(reverse) {}

  const Entry* current() const { return pos_ ? &entries_[*pos_] : nullptr; }

  void apply(const Move& m) {
    switch (m.kind) {
      case MoveKind::kNext:
        step(/*ascending=*/!reverse_);
        break;
      case MoveKind::kPrev:
        step(/*ascending=*/reverse_);
        break;
      case MoveKind::kSeek:
        at_index(first_not_below(m.target));
        break;
      case MoveKind::kSeekForPrev: {
        const std::size_t above = first_above(m.target);
        at_index(above == 0 ? entries_.size() : above - 1);
        break;
      }
      case MoveKind::kSeekToFirst:
        at_index(0);
        break;
      case MoveKind::kSeekToLast:
        at_index(entries_.empty() ? 0 : entries_.size() - 1);
        break;
    }
  }

  void start() { apply(Move{reverse_ ? MoveKind::kSeekToLast : MoveKind::kSeekToFirst, {}}); }

 private:
  // A not-valid iterator stays so (next and prev require valid()).
  void step(bool ascending) {
    if (!pos_) return;
    if (ascending) {
      at_index(*pos_ + 1);
    } else if (*pos_ == 0) {
      pos_.reset();
    } else {
      at_index(*pos_ - 1);
    }
  }

  void at_index(std::size_t i) {
    pos_ = i < entries_.size() ? std::optional<std::size_t>(i) : std::nullopt;
  }

  std::size_t first_not_below(const std::string& k) const {
    return static_cast<std::size_t>(
        std::partition_point(entries_.begin(), entries_.end(),
                             [&](const Entry& e) { return e.key < k; }) -
        entries_.begin());
  }

  std::size_t first_above(const std::string& k) const {
    return static_cast<std::size_t>(
        std::partition_point(entries_.begin(), entries_.end(),
                             [&](const Entry& e) { return e.key <= k; }) -
        entries_.begin());
  }

  const std::vector<Entry>& entries_;
  const bool reverse_;
  std::optional<std::size_t> pos_;
};

void move_iterator(Iterator& it, const Move& m) {
  switch (m.kind) {
    case MoveKind::kNext:
      if (it.valid()) it.next();
      break;
    case MoveKind::kPrev:
      if (it.valid()) it.prev();
      break;
    case MoveKind::kSeek:
      it.seek(m.target);
      break;
    case MoveKind::kSeekForPrev:
      it.seek_for_prev(m.target);
      break;
    case MoveKind::kSeekToFirst:
      it.seek_to_first();
      break;
    case MoveKind::kSeekToLast:
      it.seek_to_last();
      break;
  }
}

// "" when the iterator shows what the model does, else the difference.
std::string compare(const Iterator& it, const Entry* want) {
  if (!it.status().is_ok()) return "status " + it.status().to_string();
  if (!it.valid()) return want ? "not valid, want " + show_entry(*want) : "";
  const Entry got{std::string(it.key()), std::string(it.value()), it.version()};
  if (!want) return "at " + show_entry(got) + ", want not valid";
  if (got.key != want->key || got.value != want->value || got.version != want->version) {
    return "at " + show_entry(got) + ", want " + show_entry(*want);
  }
  return "";
}

void check_walk(const DB& db, const History& history, Version last, Version mark, const Walk& w) {
  const ScanOptions options{
      .from = w.from,
      .to = w.to,
      .at = w.latest ? std::nullopt : std::optional<Version>(mark + w.pick % (last - mark + 1)),
      .reverse = w.reverse,
      .prefix = w.prefix};
  const Version at = options.at.value_or(last);
  std::string trace = "scan from " + show_optional(w.from) + " to " + show_optional(w.to) +
                      " prefix " + show_optional(w.prefix) + " at " + std::to_string(at) +
                      (w.reverse ? " reverse" : "") + ":";
  auto scanned = db.scan(options);
  if (w.from && w.to && *w.from > *w.to) {
    if (scanned.status().code() != Code::kInvalidArgument) {
      RC_FAIL(trace + " want InvalidArgument, got " + scanned.status().to_string());
    }
    return;
  }
  if (!scanned.is_ok()) RC_FAIL(trace + " " + scanned.status().to_string());
  Iterator it = std::move(scanned).value();

  const std::vector<Entry> entries = live_entries(history, at, w);
  ModelCursor model(entries, w.reverse);
  model.start();
  std::string diff = compare(it, model.current());
  if (!diff.empty()) RC_FAIL(trace + " start: " + diff);
  for (const Move& m : w.moves) {
    trace += " " + show_move(m);
    move_iterator(it, m);
    model.apply(m);
    diff = compare(it, model.current());
    if (!diff.empty()) RC_FAIL(trace + ": " + diff);
  }
}

// Applies the writes to the database and the model; returns the mark.
Version apply_writes(DB& db, const std::vector<Write>& writes, History* history) {
  Version mark = 0;
  for (const Write& w : writes) {
    if (const auto* put = std::get_if<Put>(&w)) {
      auto v = db.put(put->key, put->value);
      if (!v.is_ok()) RC_FAIL("put: " + v.status().to_string());
      (*history)[put->key][*v] = put->value;
    } else if (const auto* del = std::get_if<Del>(&w)) {
      auto v = db.del(del->key);
      if (!v.is_ok()) RC_FAIL("del: " + v.status().to_string());
      (*history)[del->key][*v] = std::nullopt;
    } else if (std::holds_alternative<Flush>(w)) {
      const Status s = db.flush();
      if (!s.is_ok()) RC_FAIL("flush: " + s.to_string());
    } else if (std::holds_alternative<Compact>(w)) {
      const Status s = db.compact();
      if (!s.is_ok()) RC_FAIL("compact: " + s.to_string());
    } else {
      const Version v = std::get<ForgetBefore>(w).pick % (db.last_version() + 1);
      const Status s = db.forget_before(v);
      if (!s.is_ok()) RC_FAIL("forget_before: " + s.to_string());
      mark = std::max(mark, v);
    }
  }
  return mark;
}

bool user_set_max_success() {
  const char* params = std::getenv("RC_PARAMS");
  return params != nullptr &&
         std::string_view(params).find("max_success") != std::string_view::npos;
}

}  // namespace

TEST_CASE("iterator walks agree with a sorted model of the live keys", "[db][iterator][model]") {
  // 300 histories (RapidCheck's default is 100): a case takes about a
  // millisecond. RC_PARAMS="max_success=N" still decides when set.
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  if (!user_set_max_success()) params.maxSuccess = 300;
  rc::detail::TestMetadata metadata;
  metadata.id = "iterator_model";
  metadata.description = "random histories then random walks";
  const rc::detail::TestResult result = rc::detail::checkTestable(
      [] {
        const auto writes = *rc::gen::container<std::vector<Write>>(gen_write());
        auto opened = DB::open(
            "/db", sand::test::tiny_compacting_options(memory_file_system(), Retention::kAll));
        if (!opened.is_ok()) RC_FAIL("open: " + opened.status().to_string());
        std::unique_ptr<DB> db = std::move(opened).value();
        History history;
        const Version mark = apply_writes(*db, writes, &history);
        // Several walks per history: building the database costs more than a walk.
        for (int i = 0; i < 4; ++i) {
          check_walk(*db, history, db->last_version(), mark, *gen_walk());
        }
      },
      metadata, params);
  std::ostringstream message;
  rc::detail::printResultMessage(result, message);
  INFO(message.str());
  REQUIRE(result.is<rc::detail::SuccessResult>());
}
