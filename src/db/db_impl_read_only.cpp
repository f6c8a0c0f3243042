// Read-only handles: reading a database that another process may be writing
// (spec/README.md "Read-only opens"; the catching up is db/follower.hpp).
//
// A read-only handle never takes LOCK, never writes, renames or deletes a
// file, and runs no background thread. Its views come from the Follower;
// refresh() publishes a new one.
#include "db/db_impl.hpp"
#include "db/filenames.hpp"
#include "db/memtable_override.hpp"

namespace sand {

Status DB::Impl::open_read_only() {
  SAND_RETURN_IF_ERROR(validate_options(options_));
  if (path_.empty()) return Status::invalid_argument("database path is empty");
  read_only_ = true;
  if (!fs_->exists(join_path(path_, kManifestName))) {
    return Status::not_found(path_ + ": no database (no MANIFEST)");
  }
  {
    MutexLock lock(refresh_mu_);
    follower_ = std::make_unique<Follower>(
        fs_, path_, options_.point_in_time_recovery, memtable_index_for(options_),
        [this](const manifest::TableMeta& meta) { return open_table(meta); });
  }
  return refresh();
}

Status DB::Impl::refresh() {
  if (!read_only_) return Status::ok();  // a writer's views are always current
  MutexLock lock(refresh_mu_);
  {
    MutexLock state_lock(state_mu_);
    if (closed_) return Status::read_only(path_ + ": database is closed");
  }
  SAND_ASSIGN_OR_RETURN(Follower::Picture picture, follower_->refresh());

  // The mark goes first: a reader that sees the new view also sees the mark
  // its tables were cut with (an old view checked against the new mark only
  // refuses more). The view carries its own last version, which reads use
  // (db_impl_read.cpp); last_version_ goes last, so a version a reader saw (e.g.
  // in a snapshot) is never newer than the view it takes afterwards.
  low_water_mark_.store(picture.low_water_mark);
  ReadView base;
  base.mem = std::move(picture.mem);
  base.frozen = std::move(picture.frozen);
  base.last_version = picture.last_version;
  base.values = std::make_shared<value::ValueFiles>(std::move(picture.values));
  {
    MutexLock state_lock(state_mu_);
    versions_.publish_followed(base.with_tables(std::move(picture.tables)));
  }
  last_version_.store(picture.last_version, std::memory_order_release);
  version_waiters_.published();
  followed_manifest_bytes_.store(picture.manifest_bytes);
  return Status::ok();
}

}  // namespace sand
