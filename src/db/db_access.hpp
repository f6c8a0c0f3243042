// DbAccess: the door from a public DB to its DB::Impl, for engine components
// beside src/db that need more than the public API (src/archive/ reads a
// whole view). DB befriends it (include/sand/db.hpp); nothing outside src/
// includes this header.
// Thread-safety: as DB::Impl's methods.
#pragma once

#include "db/db_impl.hpp"
#include "sand/db.hpp"

namespace sand::detail {

struct DbAccess {
  static const DB::Impl& impl(const DB& db) { return *db.impl_; }
};

}  // namespace sand::detail
