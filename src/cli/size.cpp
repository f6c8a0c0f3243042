// Decoding of byte counts with units (see size.hpp).
#include "cli/size.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <string>
#include <system_error>

#include "cli/escape.hpp"

namespace sand::cli {
namespace {

struct Unit {
  std::string_view name;  // lowercase: the input is compared case-insensitively
  std::uint64_t bytes;
};

constexpr std::uint64_t kKi = 1024;
constexpr std::uint64_t kMi = kKi * 1024;
constexpr std::uint64_t kGi = kMi * 1024;
constexpr std::uint64_t kTi = kGi * 1024;
constexpr std::uint64_t kK = 1000;
constexpr std::uint64_t kM = kK * 1000;
constexpr std::uint64_t kG = kM * 1000;
constexpr std::uint64_t kT = kG * 1000;
constexpr std::array kUnits = {
    Unit{"", 1},    Unit{"b", 1},                      //
    Unit{"k", kKi}, Unit{"kib", kKi}, Unit{"kb", kK},  //
    Unit{"m", kMi}, Unit{"mib", kMi}, Unit{"mb", kM},  //
    Unit{"g", kGi}, Unit{"gib", kGi}, Unit{"gb", kG},  //
    Unit{"t", kTi}, Unit{"tib", kTi}, Unit{"tb", kT},  //
};

bool equals_lowercase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char folded = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    if (folded != lower[i]) return false;
  }
  return true;
}

}  // namespace

Result<std::uint64_t> parse_size(std::string_view flag, std::string_view text) {
  const auto bad = [&] {
    return Status::invalid_argument(std::string(flag) +
                                    ": expected a byte count such as 4096, 64KiB or 1GiB, got '" +
                                    escape_value(text) + "'");
  };
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return bad();
  std::string_view unit = text.substr(digits);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  const Unit* found = nullptr;
  for (const Unit& u : kUnits) {
    if (equals_lowercase(unit, u.name)) found = &u;
  }
  if (found == nullptr) return bad();
  const auto too_large = [&] {
    return Status::invalid_argument(std::string(flag) + ": '" + escape_value(text) +
                                    "' is more than 2^64 - 1 bytes");
  };
  std::uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits, n);
  if (ec == std::errc::result_out_of_range) return too_large();
  if (ec != std::errc() || ptr != text.data() + digits) return bad();
  if (n > std::numeric_limits<std::uint64_t>::max() / found->bytes) return too_large();
  return n * found->bytes;
}

}  // namespace sand::cli
