// Fuzz target coding: the byte coding of spec/encoding.md (util/coding.hpp).
// Decodes the input as a stream of varint32 / varint64 / fixed32 / fixed64 /
// length-prefixed fields chosen by a selector byte, and checks:
//   - decoders never read past the input and consume nothing on failure;
//   - every decoded value re-encodes and decodes to itself, with
//     varint_length() matching the encoder and encode_varint64 matching
//     put_varint64;
//   - a varint32 that decodes also decodes as the same varint64;
//   - a canonical encoding (what the encoder writes) is what was consumed,
//     whenever the input's varint was canonical.
// Deterministic, no output on success, no file I/O.
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "util/coding.hpp"

namespace {

using namespace sand;
using sand::fuzz::check;

void round_trip64(std::uint64_t v) {
  std::string enc;
  util::put_varint64(&enc, v);
  check(enc.size() == static_cast<std::size_t>(util::varint_length(v)), "varint_length");
  char buf[util::kMaxVarint64Bytes];
  const char* end = util::encode_varint64(buf, v);
  check(std::string_view(buf, static_cast<std::size_t>(end - buf)) == enc,
        "encode_varint64 differs from put_varint64");
  std::string_view in = enc;
  std::uint64_t back = 0;
  check(util::get_varint64(&in, &back) && back == v && in.empty(), "varint64 round trip");
  std::string fixed;
  util::put_fixed64(&fixed, v);
  std::string_view fin = fixed;
  check(util::get_fixed64(&fin, &back) && back == v && fin.empty(), "fixed64 round trip");
  check(util::decode_fixed64(fixed.data()) == v, "decode_fixed64");
}

void round_trip32(std::uint32_t v) {
  std::string enc;
  util::put_varint32(&enc, v);
  std::string_view in = enc;
  std::uint32_t back = 0;
  check(util::get_varint32(&in, &back) && back == v && in.empty(), "varint32 round trip");
  std::string fixed;
  util::put_fixed32(&fixed, v);
  std::string_view fin = fixed;
  check(util::get_fixed32(&fin, &back) && back == v && fin.empty(), "fixed32 round trip");
  round_trip64(v);
}

// Whether the varint occupying `used` is the shortest form.
bool canonical(std::string_view used) {
  return used.size() == 1 || static_cast<unsigned char>(used.back()) != 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (64 << 10)) return 0;
  const std::string bytes(sand::fuzz::as_view(data, size));
  std::string_view in = bytes;
  for (int steps = 0; !in.empty() && steps < 4096; ++steps) {
    const unsigned char selector = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    const std::string_view before = in;
    bool ok = false;
    switch (selector % 5) {
      case 0: {
        std::uint32_t v = 0;
        ok = util::get_varint32(&in, &v);
        if (ok) {
          const std::string_view used = before.substr(0, before.size() - in.size());
          check(used.size() <= util::kMaxVarint32Bytes, "varint32 too long");
          std::string_view again = before;
          std::uint64_t wide = 0;
          check(util::get_varint64(&again, &wide) && wide == v && again.size() == in.size(),
                "varint32 and varint64 disagree");
          std::string enc;
          util::put_varint32(&enc, v);
          if (canonical(used)) check(enc == used, "canonical varint32 re-encodes differently");
          round_trip32(v);
        }
        break;
      }
      case 1: {
        std::uint64_t v = 0;
        ok = util::get_varint64(&in, &v);
        if (ok) {
          const std::string_view used = before.substr(0, before.size() - in.size());
          check(used.size() <= util::kMaxVarint64Bytes, "varint64 too long");
          std::string enc;
          util::put_varint64(&enc, v);
          if (canonical(used)) check(enc == used, "canonical varint64 re-encodes differently");
          round_trip64(v);
        }
        break;
      }
      case 2: {
        std::uint32_t v = 0;
        ok = util::get_fixed32(&in, &v);
        if (ok) check(v == util::decode_fixed32(before.data()), "fixed32 decoders disagree");
        if (ok) round_trip32(v);
        break;
      }
      case 3: {
        std::uint64_t v = 0;
        ok = util::get_fixed64(&in, &v);
        if (ok) check(v == util::decode_fixed64(before.data()), "fixed64 decoders disagree");
        if (ok) round_trip64(v);
        break;
      }
      default: {
        std::string_view got;
        ok = util::get_length_prefixed(&in, &got);
        if (ok) {
          check(got.data() >= before.data() && got.data() + got.size() == in.data(),
                "length-prefixed view misplaced");
          std::string enc;
          util::put_length_prefixed(&enc, got);
          std::string_view again = enc;
          std::string_view back;
          check(util::get_length_prefixed(&again, &back) && back == got && again.empty(),
                "length-prefixed round trip");
        }
        break;
      }
    }
    if (!ok) {
      // Failure consumes nothing useful: skip one byte and go on.
      in = before;
      if (in.empty()) break;
      in.remove_prefix(1);
    }
  }
  return 0;
}
