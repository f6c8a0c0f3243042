/// @file
/// The whole public API of sanddb in one include.
///
/// @par Thread-safety
/// Per type (each header says it again): DB is safe to share between threads;
/// Iterator is used by one thread at a time; Snapshot may be copied and
/// shared; WriteBatch, Status, Result, Options and Stats are plain values;
/// FileSystem implementations are safe from many threads.
#pragma once

#include "sand/archive.hpp"
#include "sand/check.hpp"
#include "sand/db.hpp"
#include "sand/file_system.hpp"
#include "sand/options.hpp"
#include "sand/status.hpp"
#include "sand/version.hpp"
#include "sand/write_batch.hpp"
