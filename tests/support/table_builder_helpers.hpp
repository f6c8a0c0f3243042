// Test-only helpers for the db/ iterator tests: internal-key builders, an
// in-memory InternalIterator over a sorted vector (with an optional injected
// failure), and small real tables built in memory with table::TableBuilder and
// wrapped as the LiveTable a sorted run holds. Nothing here touches the disk.
// Thread-safety: plain values and one-thread-at-a-time iterators.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/read_view.hpp"
#include "sand/file_system.hpp"
#include "sand/status.hpp"
#include "table/block_cache.hpp"
#include "table/table.hpp"
#include "support/internal_keys.hpp"
#include "table/table_builder.hpp"
#include "util/internal_iterator.hpp"
#include "util/internal_key.hpp"

namespace sand::test {

using InternalMap = std::map<std::string, std::string, InternalKeyLess>;
using KVs = std::vector<std::pair<std::string, std::string>>;

// "user@version" (with "/del" for a tombstone), or the raw bytes if `ikey` is
// not a valid internal key: readable failure messages.
inline std::string show_key(std::string_view ikey) {
  ParsedKey p;
  if (!parse_internal_key(ikey, &p)) return "<bad:" + std::string(ikey) + ">";
  return std::string(p.user_key) + "@" + std::to_string(p.version) +
         (p.kind == EntryKind::kDelete ? "/del" : "");
}

// Every (key, value) from seek_to_first to the end, or from seek_to_last to
// the front.
inline KVs scan_forward(InternalIterator& it) {
  KVs out;
  for (it.seek_to_first(); it.valid(); it.next()) out.emplace_back(it.key(), it.value());
  return out;
}
inline KVs scan_backward(InternalIterator& it) {
  KVs out;
  for (it.seek_to_last(); it.valid(); it.prev()) out.emplace_back(it.key(), it.value());
  return out;
}

// An InternalIterator over a copy of `entries` (sorted here by internal key).
// With `fail_at` set, positioning on entry number `fail_at` (in sorted order)
// makes the iterator !valid() with `error` in status() from then on, as a
// table iterator meeting a corrupt block does. `seeks` counts seek calls.
class VectorIterator final : public InternalIterator {
 public:
  static constexpr std::size_t kNoFailure = static_cast<std::size_t>(-1);

  explicit VectorIterator(KVs entries, std::size_t fail_at = kNoFailure,
                          Status error = Status::corruption("fake.sst: offset 0: injected"))
      : entries_(std::move(entries)), fail_at_(fail_at), error_(std::move(error)) {
    std::sort(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      return compare_internal_keys(a.first, b.first) < 0;
    });
  }

  bool valid() const override { return status_.is_ok() && pos_ < entries_.size(); }
  void seek_to_first() override { move_to(0); }
  void seek_to_last() override { move_to(entries_.empty() ? kEnd : entries_.size() - 1); }
  void seek(std::string_view target) override {
    ++seeks_;
    const auto it = std::lower_bound(
        entries_.begin(), entries_.end(), target,
        [](const auto& e, std::string_view t) { return compare_internal_keys(e.first, t) < 0; });
    move_to(static_cast<std::size_t>(it - entries_.begin()));
  }
  void next() override { move_to(pos_ + 1); }
  void prev() override { move_to(pos_ == 0 ? kEnd : pos_ - 1); }
  std::string_view key() const override { return entries_[pos_].first; }
  std::string_view value() const override { return entries_[pos_].second; }
  Status status() const override { return status_; }

  int seeks() const { return seeks_; }

 private:
  static constexpr std::size_t kEnd = static_cast<std::size_t>(-1);

  void move_to(std::size_t pos) {
    if (!status_.is_ok()) return;  // an error is sticky, as in the real iterators
    pos_ = pos >= entries_.size() ? kEnd : pos;
    if (pos_ != kEnd && pos_ == fail_at_) status_ = error_;
  }

  KVs entries_;
  std::size_t fail_at_;
  Status error_;
  Status status_;
  std::size_t pos_ = kEnd;
  int seeks_ = 0;
};

// One step of a model test: move the iterator under test and a cursor over
// the sorted model the same way.
struct IterOp {
  enum Kind { kSeekToFirst, kSeekToLast, kSeek, kNext, kPrev } kind;
  std::string target{};  // kSeek only: an internal key
};

// The step a random property case draws as `code` in [0, 8): seek_to_first,
// seek_to_last, a seek to the newest entry of `user_key` at or below
// `version` (seek_key) or to exactly (user_key, version), and next or prev
// (next twice as likely, so scans make progress).
inline IterOp iter_op_from(int code, const std::string& user_key, Version version) {
  switch (code) {
    case 0:
      return {IterOp::kSeekToFirst};
    case 1:
      return {IterOp::kSeekToLast};
    case 2:
      return {IterOp::kSeek, seek_key(user_key, version)};
    case 3:
      return {IterOp::kSeek, ikey(user_key, version)};
    case 4:
    case 5:
      return {IterOp::kNext};
    default:
      return {IterOp::kPrev};
  }
}

inline std::string describe(const IterOp& op) {
  switch (op.kind) {
    case IterOp::kSeekToFirst:
      return "seek_to_first";
    case IterOp::kSeekToLast:
      return "seek_to_last";
    case IterOp::kSeek:
      return "seek(" + show_key(op.target) + ")";
    case IterOp::kNext:
      return "next";
    case IterOp::kPrev:
      return "prev";
  }
  return "?";
}

// Applies `ops` to `it` and to a cursor over `model` (sorted by internal key,
// keys distinct); next/prev are skipped while the model cursor is not valid
// (they require valid()). Returns "" if every step agrees on valid(), key()
// and value() and status() stays OK, else what differed first.
inline std::string replay_against_model(InternalIterator& it, const KVs& model,
                                        const std::vector<IterOp>& ops) {
  std::size_t pos = model.size();  // == size(): not valid
  std::string trace;
  for (const IterOp& op : ops) {
    const bool valid = pos < model.size();
    switch (op.kind) {
      case IterOp::kSeekToFirst:
        it.seek_to_first();
        pos = 0;
        break;
      case IterOp::kSeekToLast:
        it.seek_to_last();
        pos = model.empty() ? 0 : model.size() - 1;
        break;
      case IterOp::kSeek:
        it.seek(op.target);
        pos = static_cast<std::size_t>(
            std::lower_bound(model.begin(), model.end(), std::string_view(op.target),
                             [](const auto& e, std::string_view t) {
                               return compare_internal_keys(e.first, t) < 0;
                             }) -
            model.begin());
        break;
      case IterOp::kNext:
        if (!valid) continue;
        it.next();
        ++pos;
        break;
      case IterOp::kPrev:
        if (!valid) continue;
        it.prev();
        pos = pos == 0 ? model.size() : pos - 1;
        break;
    }
    trace += describe(op) + " ";
    const bool want_valid = pos < model.size();
    if (it.valid() != want_valid) {
      return "after " + trace + ": valid() = " + (it.valid() ? "true" : "false") + ", want " +
             (want_valid ? show_key(model[pos].first) : "end") +
             (it.valid() ? " (at " + show_key(it.key()) + ")" : "");
    }
    if (want_valid && (it.key() != model[pos].first || it.value() != model[pos].second)) {
      return "after " + trace + ": at " + show_key(it.key()) + ", want " +
             show_key(model[pos].first);
    }
    if (!it.status().is_ok()) return "after " + trace + ": " + it.status().to_string();
  }
  return "";
}

// A WritableFile appending to a std::string.
class StringSinkFile final : public WritableFile {
 public:
  Status append(std::string_view data) override {
    contents_.append(data);
    return Status::ok();
  }
  Status sync() override { return Status::ok(); }
  Status close() override { return Status::ok(); }
  std::uint64_t size() const override { return contents_.size(); }
  std::string& contents() { return contents_; }

 private:
  std::string contents_;
};

// A ReadableFile over owned bytes.
class StringReadableFile final : public ReadableFile {
 public:
  explicit StringReadableFile(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string_view contents() const override { return bytes_; }

 private:
  std::string bytes_;
};

// The bytes of a table holding `entries` (any order; sorted here), plus its
// properties. REQUIRES: entries non-empty, internal keys distinct.
inline std::string build_table_bytes(const InternalMap& entries, const table::TableOptions& options,
                                     table::TableProperties* props) {
  StringSinkFile sink;
  table::TableBuilder builder(options, &sink);
  for (const auto& [k, v] : entries) builder.add(k, v);
  if (!builder.finish().is_ok()) return "";
  *props = builder.properties();
  return std::move(sink.contents());
}

// A level-1 LiveTable numbered `number` holding `entries`, its metadata taken
// from the table's properties as a flush or compaction records it.
// `corrupt_offset`, when set, flips one byte of the file before opening (a
// data block's byte: open still succeeds; reading that block fails).
// Returns null if building or opening fails.
inline TableRef make_live_table(std::uint64_t number, const InternalMap& entries,
                                const table::TableOptions& options,
                                std::shared_ptr<table::BlockCache> cache = nullptr,
                                std::int64_t corrupt_offset = -1) {
  table::TableProperties props;
  std::string bytes = build_table_bytes(entries, options, &props);
  if (bytes.empty()) return nullptr;
  if (corrupt_offset >= 0) bytes[static_cast<std::size_t>(corrupt_offset)] ^= 0x5a;
  const std::string name = std::to_string(number) + ".sst";
  Result<std::shared_ptr<table::Table>> t = table::Table::open(
      std::make_unique<StringReadableFile>(std::move(bytes)), name, number, std::move(cache));
  if (!t.is_ok()) return nullptr;
  manifest::TableMeta meta{.number = number,
                           .level = 1,
                           .file_size = (*t)->file_size(),
                           .entries = props.entries,
                           .tombstones = props.tombstones,
                           .min_version = props.min_version,
                           .max_version = props.max_version,
                           .smallest_key = props.smallest_user_key,
                           .largest_key = props.largest_user_key,
                           .run = 1};
  // No file system: the table lives in memory and is never marked obsolete,
  // so ~LiveTable never removes a file.
  return std::make_shared<const LiveTable>(std::move(meta), std::move(*t), nullptr, name);
}

}  // namespace sand::test
