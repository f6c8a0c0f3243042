// The public DB, Iterator and Snapshot entry points: argument checks and
// forwarding to DB::Impl.
#include "sand/db.hpp"

#include "db/change_feed.hpp"
#include "db/db_impl.hpp"
#include "db/iterator_state.hpp"

namespace sand {

DB::DB(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DB::~DB() = default;

Result<std::unique_ptr<DB>> DB::open(const std::string& path, Options options) {
  auto impl = std::make_unique<Impl>(path, std::move(options));
  SAND_RETURN_IF_ERROR(impl->open());
  return std::unique_ptr<DB>(new DB(std::move(impl)));  // private constructor
}

Result<std::unique_ptr<DB>> DB::open_read_only(const std::string& path, Options options) {
  auto impl = std::make_unique<Impl>(path, std::move(options));
  SAND_RETURN_IF_ERROR(impl->open_read_only());
  return std::unique_ptr<DB>(new DB(std::move(impl)));
}

Status DB::refresh() { return impl_->refresh(); }

Result<Version> DB::put(std::string_view key, std::string_view value, WriteOptions options) {
  WriteBatch batch;
  batch.put(key, value);
  return impl_->write(batch, options);
}

Result<Version> DB::del(std::string_view key, WriteOptions options) {
  WriteBatch batch;
  batch.del(key);
  return impl_->write(batch, options);
}

Result<Version> DB::write(const WriteBatch& batch, WriteOptions options) {
  return impl_->write(batch, options);
}

Result<std::optional<std::string>> DB::get(std::string_view key) const {
  return impl_->get(key, std::nullopt);
}

Result<std::optional<std::string>> DB::get(std::string_view key, Version at) const {
  return impl_->get(key, at);
}

Result<std::optional<HistoryEntry>> DB::get_versioned(std::string_view key) const {
  return impl_->get_versioned(key, std::nullopt);
}

Result<std::optional<HistoryEntry>> DB::get_versioned(std::string_view key, Version at) const {
  return impl_->get_versioned(key, at);
}

Result<std::vector<std::optional<std::string>>> DB::multi_get(
    std::span<const std::string_view> keys) const {
  return impl_->multi_get(keys, std::nullopt);
}

Result<std::vector<std::optional<std::string>>> DB::multi_get(
    std::span<const std::string_view> keys, Version at) const {
  return impl_->multi_get(keys, at);
}

Result<ChangeIterator> DB::changes(const ChangeOptions& options) const {
  return impl_->changes(options);
}

Result<Version> DB::wait_for_version(Version v, std::chrono::milliseconds timeout) const {
  return impl_->wait_for_version(v, timeout);
}

Result<std::vector<HistoryEntry>> DB::history(std::string_view key) const {
  return impl_->history(key);
}

Result<Iterator> DB::scan(const ScanOptions& options) const { return impl_->scan(options); }

Snapshot DB::snapshot() const { return impl_->snapshot(); }

Status DB::flush() { return impl_->flush(); }
Result<Version> DB::checkpoint(const std::string& dir) { return impl_->checkpoint(dir); }
Status DB::compact() { return impl_->compact(); }
Status DB::forget_before(Version v) { return impl_->forget_before(v); }
Version DB::low_water_mark() const { return impl_->effective_mark(); }
Status DB::close() { return impl_->close(); }
Version DB::last_version() const { return impl_->last_version(); }
Stats DB::stats() const { return impl_->stats(); }

Iterator::Iterator(std::unique_ptr<detail::IteratorState> state) : state_(std::move(state)) {}
Iterator::Iterator(Iterator&&) noexcept = default;
Iterator& Iterator::operator=(Iterator&&) noexcept = default;
Iterator::~Iterator() = default;

// A new iterator positions at its first key on first use (valid(), next(),
// status()...), not in DB::scan(), so one that starts with a seek positions
// once.
bool Iterator::valid() const {
  if (!state_) return false;
  state_->position_if_needed();
  return state_->valid;
}
void Iterator::next() {
  state_->position_if_needed();
  state_->next();
}
void Iterator::prev() {
  state_->position_if_needed();
  state_->prev();
}
void Iterator::seek(std::string_view key) { state_->seek(key); }
void Iterator::seek_for_prev(std::string_view key) { state_->seek_for_prev(key); }
void Iterator::seek_to_first() { state_->seek_to_first(); }
void Iterator::seek_to_last() { state_->seek_to_last(); }
std::string_view Iterator::key() const {
  state_->position_if_needed();
  return state_->key;
}
std::string_view Iterator::value() const {
  state_->position_if_needed();
  return state_->current_value();
}
Version Iterator::version() const {
  state_->position_if_needed();
  return state_->version;
}
Status Iterator::status() const {
  if (!state_) return Status::ok();
  state_->position_if_needed();
  return state_->status;
}

}  // namespace sand

namespace sand {

ChangeIterator::ChangeIterator(std::unique_ptr<detail::ChangeFeedState> state)
    : state_(std::move(state)) {}
ChangeIterator::ChangeIterator(ChangeIterator&&) noexcept = default;
ChangeIterator& ChangeIterator::operator=(ChangeIterator&&) noexcept = default;
ChangeIterator::~ChangeIterator() = default;

bool ChangeIterator::valid() const { return state_ && state_->valid(); }
void ChangeIterator::next() { state_->next(); }
const ChangeBatch& ChangeIterator::batch() const { return state_->batch(); }
Version ChangeIterator::until() const { return state_ ? state_->until() : 0; }
Status ChangeIterator::status() const { return state_ ? state_->status() : Status::ok(); }

}  // namespace sand
