// The whole public API of sanddb in one include.
#pragma once

#include "sand/db.hpp"
#include "sand/file_system.hpp"
#include "sand/options.hpp"
#include "sand/status.hpp"
#include "sand/write_batch.hpp"
