// exercise_table(): what both table fuzz targets do with a candidate table
// file: open it, read every entry forward and backward, seek, run bounded
// scans and point lookups, and check that only Corruption ever comes back and
// that no iterator yields a key that is not an internal key.
//
// With `trusted` (the bytes are a table the builder wrote, unmodified) it also
// checks the answers: forward order strictly increasing, backward = reverse
// of forward, every key found by seek and by get(), the bloom filter never
// denying a stored key. Damaged tables whose checksums still match (the
// mutator can recompute them) may answer wrongly but must not crash.
//
// Header-only; thread-safety: none needed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "table/block_cache.hpp"
#include "table/table.hpp"
#include "util/internal_key.hpp"

namespace sand::fuzz {

// Caps that keep each input's work bounded.
inline constexpr int kMaxScanEntries = 4096;
inline constexpr int kMaxLookups = 48;

struct TableEntry {
  std::string key;  // internal key
  std::string value;
};

inline void check_iter_key(std::string_view key) {
  ParsedKey pk;
  check(parse_internal_key(key, &pk), "table iterator yielded a non-internal key");
}

// Reads up to kMaxScanEntries entries from the iterator's position in one
// direction. Returns the status.
inline Status collect(InternalIterator& it, bool forward, std::vector<TableEntry>* out) {
  for (int n = 0; it.valid() && n < kMaxScanEntries; ++n) {
    check_iter_key(it.key());
    out->push_back({std::string(it.key()), std::string(it.value())});
    if (forward) {
      it.next();
    } else {
      it.prev();
    }
  }
  return it.status();
}

inline void exercise_table(std::string bytes, bool trusted, std::string_view probe,
                           const std::shared_ptr<table::BlockCache>& cache) {
  auto opened = table::Table::open(std::make_unique<StringFile>(std::move(bytes)), "000009.sst", 9,
                                   cache);
  if (!opened.is_ok()) {
    check(!trusted, "a table the builder wrote does not open", opened.status().to_string());
    expect_corruption_or_ok(opened.status(), "Table::open");
    return;
  }
  const std::shared_ptr<table::Table>& t = *opened;

  std::vector<TableEntry> fwd, bwd;
  auto it = t->new_iterator();
  it->seek_to_first();
  const Status fs = collect(*it, true, &fwd);
  expect_corruption_or_ok(fs, "table forward scan");
  it = t->new_iterator();
  it->seek_to_last();
  const Status bs = collect(*it, false, &bwd);
  expect_corruption_or_ok(bs, "table backward scan");

  bool sorted = true;
  for (std::size_t i = 1; i < fwd.size(); ++i) {
    if (compare_internal_keys(fwd[i - 1].key, fwd[i].key) >= 0) sorted = false;
  }
  if (trusted) {
    check(fs.is_ok() && bs.is_ok(), "scan of a good table failed");
    check(sorted, "good table not in internal-key order");
    if (fwd.size() < static_cast<std::size_t>(kMaxScanEntries)) {
      check(bwd.size() == fwd.size(), "backward scan length differs");
      for (std::size_t i = 0; i < fwd.size(); ++i) {
        check(bwd[fwd.size() - 1 - i].key == fwd[i].key &&
                  bwd[fwd.size() - 1 - i].value == fwd[i].value,
              "backward scan is not the reverse of forward");
      }
    }
  }

  // Point lookups and seeks: keys the scan saw, plus keys made from the probe.
  std::vector<std::string> targets;
  const std::size_t step = fwd.size() / kMaxLookups + 1;
  for (std::size_t i = 0; i < fwd.size(); i += step) targets.push_back(fwd[i].key);
  for (std::size_t i = 0; i + 1 < probe.size() && targets.size() < 2 * kMaxLookups; i += 9) {
    const std::string_view user = probe.substr(i, probe[i] & 7);
    targets.push_back(seek_key(user, static_cast<std::uint8_t>(probe[i + 1])));
  }
  for (const std::string& target : targets) {
    const std::string_view user = user_key_of(target);
    const Version v = trailer_of(target) >> 8;
    auto got = t->get(user, v);
    expect_corruption_or_ok(got.status(), "Table::get");
    it = t->new_iterator();
    it->seek(target);
    if (it->valid()) {
      check_iter_key(it->key());
      check(!sorted || compare_internal_keys(it->key(), target) >= 0 || !trusted,
            "seek landed before its target");
    }
    // A bounded scan from there, then a step back.
    std::vector<TableEntry> window;
    expect_corruption_or_ok(collect(*it, true, &window), "bounded scan");
    if (trusted && (trailer_of(target) & 0xff) != kKindForSeek) {
      check(t->may_contain(user), "bloom filter denies a stored key");
      check(got.is_ok() && got->has_value(), "get misses a stored key", got.status().to_string());
      check((*got)->version == v, "get returned another version");
      check(it->valid() || !window.empty(), "seek misses a stored key");
      check(!window.empty() && window.front().key == target, "seek did not land on its key");
    }
  }
}

}  // namespace sand::fuzz
