// WriteBatch: builds the rep that becomes the batch's WAL record payload
// (spec/wal.md "Batch payload"; layout in wal/write_batch_codec.hpp).
#include "sand/write_batch.hpp"

#include "util/coding.hpp"
#include "util/internal_key.hpp"
#include "wal/write_batch_codec.hpp"

namespace sand {
namespace {

constexpr std::size_t kCountOffset = 8;

void bump_count(std::string* rep) {
  const std::uint32_t n = util::decode_fixed32(rep->data() + kCountOffset);
  util::encode_fixed32(rep->data() + kCountOffset, n + 1);
}

}  // namespace

WriteBatch::WriteBatch() : rep_(kWriteBatchHeaderSize, '\0') {}

void WriteBatch::put(std::string_view key, std::string_view value) {
  bump_count(&rep_);
  rep_.push_back(static_cast<char>(EntryKind::kPut));
  util::put_length_prefixed(&rep_, key);
  util::put_length_prefixed(&rep_, value);
}

void WriteBatch::del(std::string_view key) {
  bump_count(&rep_);
  rep_.push_back(static_cast<char>(EntryKind::kDelete));
  util::put_length_prefixed(&rep_, key);
}

void WriteBatch::clear() {
  rep_.assign(kWriteBatchHeaderSize, '\0');
  conditions_.clear();
}

void WriteBatch::expect_version(std::string_view key, Version version) {
  conditions_.push_back(Condition{.key = std::string(key), .any_version = false, .version = version});
}

void WriteBatch::expect_exists(std::string_view key) {
  conditions_.push_back(Condition{.key = std::string(key), .any_version = true, .version = 0});
}

std::uint32_t WriteBatch::count() const { return util::decode_fixed32(rep_.data() + kCountOffset); }

}  // namespace sand
