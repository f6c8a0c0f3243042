// Fuzz target block_decoder: table blocks (spec/sstable.md "Block contents").
// Input byte 0 picks the mode:
//   even: the rest is a block's bytes -> Block::parse, forward and backward
//         iteration, seeks. Only Corruption may come back; every yielded key
//         is an internal key; when both directions read cleanly, backward is
//         the reverse of forward; when keys are ordered, seek lands on the
//         first key >= its target.
//   odd:  the rest describes entries (restart interval, then key/value
//         pieces) -> BlockBuilder -> Block: the block must read back exactly.
// Deterministic, no output on success, no file I/O.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "table/block.hpp"
#include "table/block_builder.hpp"
#include "util/internal_key.hpp"

namespace {

using namespace sand;
using sand::fuzz::check;
using sand::fuzz::expect_corruption_or_ok;

constexpr std::size_t kMaxInput = 128 << 10;
constexpr int kMaxEntries = 4096;

using Entries = std::vector<std::pair<std::string, std::string>>;

Status read_all(InternalIterator& it, bool forward, Entries* out) {
  for (int n = 0; it.valid() && n < kMaxEntries; ++n) {
    ParsedKey pk;
    check(parse_internal_key(it.key(), &pk), "block iterator yielded a non-internal key");
    out->emplace_back(std::string(it.key()), std::string(it.value()));
    if (forward) {
      it.next();
    } else {
      it.prev();
    }
  }
  return it.status();
}

bool ordered(const Entries& e) {
  for (std::size_t i = 1; i < e.size(); ++i) {
    if (compare_internal_keys(e[i - 1].first, e[i].first) >= 0) return false;
  }
  return true;
}

// Checks a parsed block; `expected` is set when the block was built here.
void exercise(const table::Block& block, const Entries* expected, std::string_view probe) {
  Entries fwd, bwd;
  auto it = block.new_iterator();
  it->seek_to_first();
  const Status fs = read_all(*it, true, &fwd);
  it->seek_to_last();
  const Status bs = read_all(*it, false, &bwd);
  expect_corruption_or_ok(fs, "block forward");
  expect_corruption_or_ok(bs, "block backward");
  if (expected != nullptr) {
    check(fs.is_ok() && bs.is_ok(), "built block reads with an error", fs.to_string());
    check(fwd == *expected, "built block reads back different entries");
  }
  const bool complete = fs.is_ok() && bs.is_ok() && fwd.size() < kMaxEntries;
  if (complete) {
    std::reverse(bwd.begin(), bwd.end());
    check(bwd == fwd, "backward iteration is not the reverse of forward");
  }
  const bool sorted = complete && ordered(fwd);
  std::vector<std::string> targets;
  for (std::size_t i = 0; i < fwd.size() && targets.size() < 32; i += fwd.size() / 16 + 1) {
    targets.push_back(fwd[i].first);
  }
  for (std::size_t i = 0; i + 1 < probe.size() && targets.size() < 64; i += 5) {
    targets.push_back(
        seek_key(probe.substr(i, probe[i] & 3), static_cast<std::uint8_t>(probe[i + 1])));
  }
  for (const std::string& target : targets) {
    it->seek(target);
    Entries rest;
    const Status s = read_all(*it, true, &rest);
    expect_corruption_or_ok(s, "block seek");
    if (!sorted || !s.is_ok()) continue;
    const auto first = std::find_if(fwd.begin(), fwd.end(), [&](const auto& e) {
      return compare_internal_keys(e.first, target) >= 0;
    });
    check(rest.size() == static_cast<std::size_t>(fwd.end() - first) &&
              std::equal(rest.begin(), rest.end(), first),
          "seek did not land on the first key >= target");
  }
}

void built_mode(sand::fuzz::Bytes& in) {
  const int restart_interval = 1 + in.u8() % 16;
  std::map<std::string, std::string, decltype([](const std::string& a, const std::string& b) {
             return compare_internal_keys(a, b) < 0;
           })>
      sorted;
  while (!in.empty() && sorted.size() < 512) {
    const std::string user(in.take(in.u8() % 24));
    const Version v = in.u16();
    const auto kind = (in.u8() & 1) ? EntryKind::kPut : EntryKind::kDelete;
    std::string key;
    append_internal_key(&key, user, v, kind);
    sorted[key] = kind == EntryKind::kPut ? std::string(in.take(in.u8() % 40)) : std::string();
  }
  table::BlockBuilder builder(restart_interval);
  Entries expected;
  for (const auto& [k, v] : sorted) {
    builder.add(k, v);
    expected.emplace_back(k, v);
  }
  const std::string bytes(builder.finish());
  auto block = table::Block::parse(bytes, nullptr, "built.blk", 0, EntryKind::kValueRef);
  check(block.is_ok(), "built block does not parse", block.status().to_string());
  exercise(*block, &expected, "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > kMaxInput) return 0;
  sand::fuzz::Bytes in(data + 1, size - 1);
  if (data[0] & 1) {
    built_mode(in);
    return 0;
  }
  // A heap copy of exactly the block's size, so ASan sees any overread.
  auto owned = std::make_shared<const std::string>(sand::fuzz::as_view(data + 1, size - 1));
  auto block = table::Block::parse(*owned, owned, "000005.sst", 4096, EntryKind::kValueRef);
  expect_corruption_or_ok(block.status(), "Block::parse");
  if (block.is_ok()) exercise(*block, nullptr, std::string_view(*owned).substr(0, 64));
  return 0;
}
