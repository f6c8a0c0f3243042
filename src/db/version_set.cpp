// VersionSet: manifest edits and the read view, changed together.
#include "db/version_set.hpp"

#include <algorithm>

#include "db/filenames.hpp"

namespace sand {

VersionSet::VersionSet(std::shared_ptr<FileSystem> fs, std::string dir,
                       std::uint64_t manifest_rollover_size, MemTableIndex memtable_index)
    : fs_(std::move(fs)),
      dir_(std::move(dir)),
      rollover_size_(manifest_rollover_size),
      memtable_index_(memtable_index) {
  auto empty = std::make_shared<ReadView>();
  empty->mem = std::make_shared<MemTable>(memtable_index_);
  view_ = std::move(empty);
}

void VersionSet::recover(manifest::State state) {
  MutexLock lock(mu_);
  state_ = std::move(state);
  active_wal_ = state_.wal_number;
  value_files_.clear();
  for (const auto& [number, meta] : state_.value_files) {
    value_files_[number] = value_file(meta);
    value_files_[number]->set_size(meta.size);
  }
}

std::shared_ptr<value::ValueFile> VersionSet::value_file(const manifest::ValueFileMeta& meta) {
  if (auto it = value_files_.find(meta.number); it != value_files_.end()) return it->second;
  return std::make_shared<value::ValueFile>(fs_, join_path(dir_, value_file_name(meta)),
                                            meta.number);
}

std::shared_ptr<value::ValueFile> VersionSet::wal_value_file(std::uint64_t number) {
  return value_file(
      manifest::ValueFileMeta{.number = number, .kind = manifest::ValueFileKind::kWal});
}

std::shared_ptr<const value::ValueFiles> VersionSet::values_for_view() const {
  return std::make_shared<value::ValueFiles>(value_files_);
}

std::vector<ValueFileUsage> VersionSet::value_file_usage() const {
  MutexLock lock(mu_);
  std::vector<ValueFileUsage> usage;
  const std::map<std::uint64_t, std::uint64_t> referenced = state_.referenced_value_bytes();
  for (const auto& [number, meta] : state_.value_files) {
    const auto it = referenced.find(number);
    usage.push_back({.number = number,
                     .value_bytes = meta.value_bytes,
                     .referenced = it == referenced.end() ? 0 : it->second});
  }
  return usage;
}

std::uint64_t VersionSet::new_file_number() {
  MutexLock lock(mu_);
  return state_.next_file_number++;
}

Status VersionSet::log_and_apply(manifest::Edit edit, ViewChange change) {
  MutexLock lock(mu_);
  edit.next_file_number = state_.next_file_number;
  if (edit.last_version && *edit.last_version <= state_.last_version) edit.last_version.reset();
  if (edit.low_water_mark && *edit.low_water_mark <= state_.low_water_mark) {
    edit.low_water_mark.reset();
  }
  if (change.drop_oldest_frozen) {
    // The oldest WAL still needed: the next frozen memtable's, else the
    // active memtable's.
    edit.wal_number = frozen_.size() > 1 ? frozen_[1].wal_number : active_wal_;
  }
  manifest::State next = state_;
  SAND_RETURN_IF_ERROR(next.apply(edit, kManifestName, 0));
  // Value files no table references any more leave in the same edit.
  bool values_changed = !edit.added_value_files.empty();
  for (const auto& [number, bytes] : next.referenced_value_bytes()) {
    if (bytes == 0) edit.removed_value_files.push_back(number);
  }
  if (!edit.removed_value_files.empty()) {
    values_changed = true;
    next = state_;
    SAND_RETURN_IF_ERROR(next.apply(edit, kManifestName, 0));
  }
  SAND_RETURN_IF_ERROR(write_edit(edit, next));
  state_ = std::move(next);
  for (const std::uint64_t number : edit.removed_value_files) {
    if (auto it = value_files_.find(number); it != value_files_.end()) {
      it->second->obsolete.store(true);  // deleted once the last reader lets go
      value_files_.erase(it);
    }
  }
  for (const manifest::ValueFileMeta& f : edit.added_value_files) {
    value_files_[f.number] = value_file(f);
    value_files_[f.number]->set_size(f.size);
  }
  // The first edit after recover() names the WAL the new memtable writes to.
  if (edit.wal_number && !change.drop_oldest_frozen) {
    active_wal_ = *edit.wal_number;
    if (active_wal_ != 0) {
      value_files_[active_wal_] = wal_value_file(active_wal_);
      values_changed = true;
    }
  }
  if (change.added.empty() && change.removed.empty() && !change.drop_oldest_frozen &&
      !values_changed) {
    return Status::ok();  // counters only: the view stays
  }

  const std::shared_ptr<const ReadView> old = current();
  std::vector<TableRef> tables = old->all_tables();
  std::erase_if(tables, [&](const TableRef& t) {
    if (std::find(change.removed.begin(), change.removed.end(), t->meta.number) ==
        change.removed.end()) {
      return false;
    }
    t->obsolete.store(true);  // deleted once the last reader lets go
    return true;
  });
  for (auto& t : change.added) tables.push_back(std::move(t));
  ReadView base = *old;
  if (change.drop_oldest_frozen) {
    // Its WAL stays readable only as a value file this edit added.
    const std::uint64_t flushed_wal = frozen_.front().wal_number;
    if (!state_.value_files.contains(flushed_wal)) value_files_.erase(flushed_wal);
    frozen_.pop_front();
    base.frozen.pop_back();  // the view lists them newest first
  }
  base.values = values_for_view();
  publish(base.with_tables(std::move(tables)));
  return Status::ok();
}

Status VersionSet::write_edit(const manifest::Edit& edit, manifest::State& next) {
  if (log_ && log_->size() < rollover_size_) return log_->append(edit);
  // Recovery, or a log past its rollover size: the whole state as one
  // snapshot record in a new MANIFEST (tmp + rename). It draws the new log's
  // id from next.next_file_number.
  SAND_ASSIGN_OR_RETURN(auto fresh, manifest::ManifestLog::create(*fs_, dir_, next));
  std::swap(log_, fresh);
  // The new log is durable and current; the old one is garbage now, so an
  // error closing it changes nothing.
  if (fresh) fresh->close().ignore();
  return Status::ok();
}

void VersionSet::freeze_active(std::uint64_t new_wal) {
  MutexLock lock(mu_);
  auto view = std::make_shared<ReadView>(*current());
  frozen_.push_back(Frozen{view->mem, active_wal_});
  view->frozen.insert(view->frozen.begin(), view->mem);
  view->mem = std::make_shared<MemTable>(memtable_index_);
  active_wal_ = new_wal;
  value_files_[new_wal] = wal_value_file(new_wal);
  view->values = values_for_view();
  publish(std::move(view));
}

std::optional<VersionSet::Frozen> VersionSet::oldest_frozen() const {
  MutexLock lock(mu_);
  if (frozen_.empty()) return std::nullopt;
  return frozen_.front();
}

std::size_t VersionSet::frozen_count() const {
  MutexLock lock(mu_);
  return frozen_.size();
}

std::shared_ptr<const ReadView> VersionSet::current() const {
  MutexLock lock(view_mu_);
  return view_;
}

void VersionSet::publish(std::shared_ptr<const ReadView> view) {
  MutexLock lock(view_mu_);
  view_ = std::move(view);
}

void VersionSet::publish_followed(std::shared_ptr<const ReadView> view) {
  MutexLock lock(mu_);  // ordered with any other change, as every publish is
  publish(std::move(view));
}

VersionSet::Pinned VersionSet::pin() const {
  MutexLock lock(mu_);  // the state, view and frozen queue change together under it
  Pinned p{.state = state_, .view = current(), .sealed_wals = {}, .active_wal = active_wal_};
  for (const Frozen& f : frozen_) p.sealed_wals.push_back(f.wal_number);
  return p;
}

Version VersionSet::low_water_mark() const {
  MutexLock lock(mu_);
  return state_.low_water_mark;
}

std::uint64_t VersionSet::oldest_needed_wal() const {
  MutexLock lock(mu_);
  return state_.wal_number;
}

std::uint64_t VersionSet::manifest_bytes() const {
  MutexLock lock(mu_);
  return log_ ? log_->size() : 0;
}

Status VersionSet::close() {
  MutexLock lock(mu_);
  if (!log_) return Status::ok();
  Status s = log_->close();
  log_.reset();
  return s;
}

}  // namespace sand
