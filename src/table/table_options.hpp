// TableOptions: how a TableBuilder lays out a table. A plain aggregate;
// the DB layer fills it from sand::Options.
#pragma once

#include <cstddef>

#include "sand/options.hpp"

namespace sand::table {

struct TableOptions {
  // A data block is closed once its uncompressed size reaches this. Default:
  // 4 KiB.
  std::size_t block_size = 4096;
  // Entries between restart points in data blocks (>= 1). Default: 16.
  int restart_interval = 16;
  // Data and index blocks are stored LZ4-compressed when that saves >= 1/8.
  // Default: kLz4.
  Compression compression = Compression::kLz4;
  // Bloom filter bits per distinct user key; 0 (or less) = no filter.
  // Default: 10 (about 1% false positives).
  int bloom_bits_per_key = 10;
};

}  // namespace sand::table
