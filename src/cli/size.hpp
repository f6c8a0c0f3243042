// Size: the byte counts the `sand` flags take (--memtable-size,
// --block-size, --block-cache-size, --target-file-size,
// --value-separation-threshold), written as a whole
// number with an optional unit:
//   512 or 512B       bytes
//   4K, 4KiB          4 * 1024      (K M G T: powers of 1024)
//   64M, 64MiB        64 * 1024^2
//   1G, 1GiB          1024^3
//   1T, 1TiB          1024^4
//   4KB, 64MB, 1GB    powers of 1000 (as GNU coreutils: KB = 1000, K = KiB)
// The unit is case-insensitive (64mib = 64MiB, 4kb = 4KB) and may follow the
// number after spaces ("64 MiB"). No sign, no fraction, no other text.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "sand/status.hpp"

namespace sand::cli {

// Decodes the value of size flag `flag` (e.g. "--memtable-size"). Returns the
// bytes. Errors: InvalidArgument naming the flag, e.g. "--memtable-size:
// expected a byte count such as 4096, 64KiB or 1GiB, got '64 Mb/s'", or
// "--block-size: '99999999999GiB' is more than 2^64 - 1 bytes" on overflow.
Result<std::uint64_t> parse_size(std::string_view flag, std::string_view text);

}  // namespace sand::cli
