// WriteBatchAccess: decoding and limit checks for batch reps.
#include "wal/write_batch_codec.hpp"

#include <lz4.h>

#include <algorithm>
#include <vector>

#include "util/coding.hpp"
#include "util/lz4_block.hpp"
#include "wal/log_format.hpp"

namespace sand {
namespace {

constexpr std::size_t kCountOffset = 8;

using OpFn = std::function<void(EntryKind, std::string_view, std::string_view)>;
using StoredOpFn = std::function<void(const BatchOp&)>;

std::string op_name(std::uint32_t index) {
  return "write batch operation " + std::to_string(index);
}

// "" if `key` and a value of `value_size` bytes are within the limits, else
// which one is not.
std::string size_error(std::string_view key, std::uint64_t value_size) {
  if (key.size() > kMaxKeySize) {
    return "key of " + std::to_string(key.size()) + " bytes exceeds kMaxKeySize (" +
           std::to_string(kMaxKeySize) + ")";
  }
  if (value_size > kMaxValueSize) {
    return "value of " + std::to_string(value_size) + " bytes exceeds kMaxValueSize (" +
           std::to_string(kMaxValueSize) + ")";
  }
  return "";
}

// Walks every operation of `rep`, calling `fn` if it is set. Returns "" when
// the rep is well formed, else what is wrong with it. With `check_sizes`, an
// operation over the key or value limit is malformed too (no writer accepts
// one, so a stored one is damage). A compressed put's block is not
// decompressed here (for_each does that).
std::string walk(std::string_view rep, const StoredOpFn* fn, bool check_sizes) {
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
    if (kind_byte > static_cast<std::uint8_t>(EntryKind::kPut) && kind_byte != kCompressedPutKind) {
      return op_name(i) + ": unknown kind " + std::to_string(kind_byte);
    }
    BatchOp op;
    op.kind = kind_byte == static_cast<std::uint8_t>(EntryKind::kDelete) ? EntryKind::kDelete
                                                                         : EntryKind::kPut;
    if (!util::get_length_prefixed(&in, &op.key)) return op_name(i) + ": truncated key";
    if (kind_byte == kCompressedPutKind) {
      if (!util::get_varint64(&in, &op.raw_size)) return op_name(i) + ": truncated raw size";
      if (op.raw_size == 0) return op_name(i) + ": compressed value of raw size 0";
    }
    if (op.kind == EntryKind::kPut && !util::get_length_prefixed(&in, &op.value)) {
      return op_name(i) + ": truncated value";
    }
    if (check_sizes) {
      const std::string bad_size =
          size_error(op.key, op.compressed() ? std::max<std::uint64_t>(op.raw_size, op.value.size())
                                             : op.value.size());
      if (!bad_size.empty()) return op_name(i) + ": " + bad_size;
    }
    if (fn != nullptr) (*fn)(op);
  }
  if (!in.empty()) {
    return "write batch has " + std::to_string(in.size()) + " trailing bytes after its " +
           std::to_string(count) + " operations";
  }
  return "";
}

// Decompresses a compressed put's block into *out. "" or what is wrong.
std::string decompress(const BatchOp& op, std::string* out) {
  if (util::decompress_lz4_block(op.value, op.raw_size, out)) return "";
  return util::lz4_block_error(op.value.size(), op.raw_size);
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
  const StoredOpFn check = [&](const BatchOp& op) {
    if (error.empty()) {
      const std::string bad_size = size_error(op.key, op.value.size());
      if (!bad_size.empty()) {
        error =
            op_name(index) + (op.kind == EntryKind::kPut ? " (put): " : " (delete): ") + bad_size;
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
    const std::string bad_size = size_error(b.conditions_[i].key, 0);
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
  // Validate the whole rep, compressed values included, before the first
  // callback, so a caller never applies half of a damaged batch.
  const std::string what = walk(rep, nullptr, /*check_sizes=*/true);
  if (!what.empty()) return Status::corruption(file, record_offset, what);
  std::vector<std::string> raw;  // the compressed puts' values, in order
  std::string bad;
  std::uint32_t index = 0;
  const StoredOpFn inflate = [&](const BatchOp& op) {
    if (op.compressed() && bad.empty()) {
      raw.emplace_back();
      const std::string why = decompress(op, &raw.back());
      if (!why.empty()) bad = op_name(index) + ": " + why;
    }
    ++index;
  };
  walk(rep, &inflate, /*check_sizes=*/false);
  if (!bad.empty()) return Status::corruption(file, record_offset, bad);
  std::size_t next_raw = 0;
  const StoredOpFn call = [&](const BatchOp& op) {
    fn(op.kind, op.key, op.compressed() ? std::string_view(raw[next_raw++]) : op.value);
  };
  walk(rep, &call, /*check_sizes=*/false);
  return Status::ok();
}

Status WriteBatchAccess::for_each_stored(std::string_view rep, std::string_view file,
                                         std::uint64_t record_offset, const StoredOpFn& fn) {
  const std::string what = walk(rep, nullptr, /*check_sizes=*/true);
  if (!what.empty()) return Status::corruption(file, record_offset, what);
  walk(rep, &fn, /*check_sizes=*/false);
  return Status::ok();
}

bool WriteBatchAccess::compress_values(std::string_view rep, std::size_t threshold,
                                       std::string* out) {
  // One pass: the rep is copied over to *out (from the first value worth
  // compressing on) in runs between the puts that get compressed. The rep
  // was built by WriteBatch itself, so it decodes and its puts are plain.
  // A local buffer, not a thread_local one: a thread_local with a
  // destructor makes libsand.so need ld-linux.so (its TLS helper), which
  // the install check refuses. One allocation per compressed batch.
  std::string block;
  std::size_t copied = 0;  // rep bytes before this are in *out already
  bool any = false;
  const StoredOpFn compress = [&](const BatchOp& op) {
    if (op.kind != EntryKind::kPut || op.value.size() < threshold) return;
    const int raw = static_cast<int>(op.value.size());
    block.resize(static_cast<std::size_t>(LZ4_compressBound(raw)));
    const int n = LZ4_compress_fast(op.value.data(), block.data(), raw,
                                    static_cast<int>(block.size()), kValueLz4Acceleration);
    // Kept only when it saves an eighth: below that, the reads' decompression
    // costs more than the bytes save.
    if (n <= 0 || static_cast<std::size_t>(n) > op.value.size() - op.value.size() / 8) return;
    // The operation starts at its kind byte, before the key's length.
    const auto key_at = static_cast<std::size_t>(op.key.data() - rep.data());
    const std::size_t op_start = key_at - 1 - util::varint_length(op.key.size());
    if (!any) out->clear();
    any = true;
    out->append(rep.substr(copied, op_start - copied));
    out->push_back(static_cast<char>(kCompressedPutKind));
    util::put_length_prefixed(out, op.key);
    util::put_varint64(out, op.value.size());
    util::put_length_prefixed(out, std::string_view(block.data(), static_cast<std::size_t>(n)));
    copied = static_cast<std::size_t>(op.value.data() - rep.data()) + op.value.size();
  };
  walk(rep, &compress, /*check_sizes=*/false);
  if (any) out->append(rep.substr(copied));
  return any;
}

}  // namespace sand
