// WriteBatchAccess: decoding and limit checks for batch reps.
#include "wal/write_batch_codec.hpp"

#include "util/coding.hpp"
#include "wal/log_format.hpp"

namespace sand {
namespace {

constexpr std::size_t kCountOffset = 8;

using OpFn = std::function<void(EntryKind, std::string_view, std::string_view)>;

std::string op_name(std::uint32_t index) {
  return "write batch operation " + std::to_string(index);
}

// "" if `key` and `value` are within the limits, else which one is not.
std::string size_error(std::string_view key, std::string_view value) {
  if (key.size() > kMaxKeySize) {
    return "key of " + std::to_string(key.size()) + " bytes exceeds kMaxKeySize (" +
           std::to_string(kMaxKeySize) + ")";
  }
  if (value.size() > kMaxValueSize) {
    return "value of " + std::to_string(value.size()) + " bytes exceeds kMaxValueSize (" +
           std::to_string(kMaxValueSize) + ")";
  }
  return "";
}

// Walks every operation of `rep`, calling `fn` if it is set. Returns "" when
// the rep is well formed, else what is wrong with it. With `check_sizes`, an
// operation over the key or value limit is malformed too (no writer accepts
// one, so a stored one is damage).
std::string walk(std::string_view rep, const OpFn* fn, bool check_sizes) {
  if (rep.size() < kWriteBatchHeaderSize) {
    return "write batch of " + std::to_string(rep.size()) + " bytes is shorter than its " +
           std::to_string(kWriteBatchHeaderSize) + "-byte header";
  }
  const std::uint32_t count = util::decode_fixed32(rep.data() + kCountOffset);
  std::string_view in = rep.substr(kWriteBatchHeaderSize);
  for (std::uint32_t i = 0; i < count; ++i) {
    if (in.empty()) {
      return "write batch holds " + std::to_string(i) + " operations but its count is " +
             std::to_string(count);
    }
    const auto kind_byte = static_cast<std::uint8_t>(in[0]);
    in.remove_prefix(1);
    if (kind_byte > static_cast<std::uint8_t>(EntryKind::kPut)) {
      return op_name(i) + ": unknown kind " + std::to_string(kind_byte);
    }
    const auto kind = static_cast<EntryKind>(kind_byte);
    std::string_view key;
    std::string_view value;
    if (!util::get_length_prefixed(&in, &key)) return op_name(i) + ": truncated key";
    if (kind == EntryKind::kPut && !util::get_length_prefixed(&in, &value)) {
      return op_name(i) + ": truncated value";
    }
    if (check_sizes) {
      const std::string bad_size = size_error(key, value);
      if (!bad_size.empty()) return op_name(i) + ": " + bad_size;
    }
    if (fn != nullptr) (*fn)(kind, key, value);
  }
  if (!in.empty()) {
    return "write batch has " + std::to_string(in.size()) + " trailing bytes after its " +
           std::to_string(count) + " operations";
  }
  return "";
}

}  // namespace

const std::string& WriteBatchAccess::rep(const WriteBatch& b) { return b.rep_; }

const std::vector<WriteBatchAccess::Condition>& WriteBatchAccess::conditions(const WriteBatch& b) {
  return b.conditions_;
}

void WriteBatchAccess::set_version(std::string* rep, Version v) {
  util::encode_fixed64(rep->data(), v);
}

Version WriteBatchAccess::version(std::string_view rep) { return util::decode_fixed64(rep.data()); }

std::uint32_t WriteBatchAccess::count(std::string_view rep) {
  return util::decode_fixed32(rep.data() + kCountOffset);
}

Status WriteBatchAccess::check_limits(const WriteBatch& b) {
  std::string error;
  std::uint32_t index = 0;
  const OpFn check = [&](EntryKind kind, std::string_view key, std::string_view value) {
    if (error.empty()) {
      const std::string bad_size = size_error(key, value);
      if (!bad_size.empty()) {
        error = op_name(index) + (kind == EntryKind::kPut ? " (put): " : " (delete): ") + bad_size;
      }
    }
    ++index;
  };
  // The rep was built by WriteBatch itself, so it always decodes.
  const std::string malformed = walk(b.rep_, &check, /*check_sizes=*/false);
  if (!malformed.empty()) return Status::invalid_argument(malformed);
  if (!error.empty()) return Status::invalid_argument(error);
  // A precondition names a key like an operation does: no stored key can
  // be longer, so such a condition is a caller's mistake, not "version 0".
  for (std::size_t i = 0; i < b.conditions_.size(); ++i) {
    const std::string bad_size = size_error(b.conditions_[i].key, {});
    if (!bad_size.empty()) {
      return Status::invalid_argument("write batch precondition " + std::to_string(i) + ": " +
                                      bad_size);
    }
  }
  // Several maximal values fit the per-op limits but not one WAL record.
  if (b.rep_.size() > wal::kMaxRecordPayload) {
    return Status::invalid_argument("write batch of " + std::to_string(b.rep_.size()) +
                                    " bytes exceeds the 1 GiB WAL record limit (" +
                                    std::to_string(wal::kMaxRecordPayload) + ")");
  }
  return Status::ok();
}

Status WriteBatchAccess::for_each(std::string_view rep, std::string_view file,
                                  std::uint64_t record_offset, const OpFn& fn) {
  // Validate the whole rep before the first callback, so a caller never
  // applies half of a damaged batch.
  const std::string what = walk(rep, nullptr, /*check_sizes=*/true);
  if (!what.empty()) return Status::corruption(file, record_offset, what);
  walk(rep, &fn, /*check_sizes=*/false);
  return Status::ok();
}

}  // namespace sand
