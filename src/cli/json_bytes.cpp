// Bytes as JSON (json_bytes.hpp, spec/json.md).
#include "cli/json_bytes.hpp"

#include <cstdint>

#include "cli/hex_digits.hpp"

namespace sand::cli {

bool is_valid_utf8(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto lead = static_cast<std::uint8_t>(bytes[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    // The sequence length and the range its second byte must be in: this is
    // what excludes overlong forms (E0 80..9F, F0 80..8F), surrogates
    // (ED A0..BF) and code points above U+10FFFF (F4 90..BF, F5..FF).
    std::size_t length = 0;
    std::uint8_t second_min = 0x80;
    std::uint8_t second_max = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead == 0xe0) second_min = 0xa0;
      if (lead == 0xed) second_max = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead == 0xf0) second_min = 0x90;
      if (lead == 0xf4) second_max = 0x8f;
    } else {
      return false;  // a continuation byte, C0/C1 (overlong) or F5..FF
    }
    if (bytes.size() - i < length) return false;
    const auto second = static_cast<std::uint8_t>(bytes[i + 1]);
    if (second < second_min || second > second_max) return false;
    for (std::size_t k = 2; k < length; ++k) {
      const auto next = static_cast<std::uint8_t>(bytes[i + k]);
      if (next < 0x80 || next > 0xbf) return false;
    }
    i += length;
  }
  return true;
}

Json bytes_to_json(std::string_view bytes) {
  if (is_valid_utf8(bytes)) return Json(std::string(bytes));
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char c : bytes) append_hex(hex, static_cast<std::uint8_t>(c));
  Json object = Json::object();
  object["hex"] = std::move(hex);
  return object;
}

Result<std::string> bytes_from_json(const Json& value, std::string_view what) {
  if (value.is_string()) return value.get<std::string>();
  const std::string name(what);
  if (!value.is_object() || value.size() != 1 || !value.contains("hex") ||
      !value["hex"].is_string()) {
    return Status::invalid_argument(name + ": expected a string or {\"hex\": \"...\"}, got " +
                                    value.dump());
  }
  const std::string& hex = value["hex"].get_ref<const std::string&>();
  if (hex.size() % 2 != 0) {
    return Status::invalid_argument(name + ": hex has an odd number of digits (" +
                                    std::to_string(hex.size()) + ")");
  }
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_value(hex[i]);
    const int low = hex_value(hex[i + 1]);
    if (high < 0 || low < 0) {
      return Status::invalid_argument(name + ": hex has a non-hex digit at position " +
                                      std::to_string(high < 0 ? i : i + 1));
    }
    bytes += static_cast<char>(high << 4 | low);
  }
  return bytes;
}

}  // namespace sand::cli
