// Fuzz target value_file: value references and checked reads from a value
// file (spec/values.md sections 1 and 2; src/value/).
//
// Input layout (every field 0 when the input runs out):
//   byte 0  flags: bit 0 set_size(S) on the file, bit 1 map_now() first,
//           bit 2 the file grows between two rounds of reads (the active
//           WAL's remap), bit 3 a live but missing value file 9 in the set
//   byte 1  S - body size, as int8 (S is clamped at 0)
//   byte 2  where the body is cut for the first round (bit 2): body * b / 256
//   byte 3  number of references, % 6
//   each reference: a mode byte m, then
//     m even: (m >> 1) % 49 raw bytes, an encoded reference as found on disk
//     m odd:  a reference built here: file (m >> 1) & 3 -> 7, 9, 5, 0;
//             offset u16, size u16 (both little-endian); checksum (m >> 3) & 3:
//             0, 1 XXH3-64 of the body's bytes there (as far as they reach),
//             2 that ^ 1, 3 a u32 from the input; raw_size (m >> 5) & 7
//             (a compressed value, spec/values.md section 1):
//             0 none; 1 D, 2 D + 1, 3 D - 1, where D is the length the
//             body's bytes there decompress to as one LZ4 block (1 if they
//             do not; D - 1 at least 1); 4 a u16 from the input, 5 a u24
//             from the input (0: none); 6 255 * size + 16 (more than any
//             block of that size decompresses to); 7 256 MiB + 1
//             (malformed). Modes 1..6 stay below 16 MiB, which bounds what
//             one reference makes the reader allocate.
//   the rest: the body of value file 7 (in memory_file_system()).
//
// Checks:
//  (a) decode_value_ref on every raw reference and on the input's first 48
//      bytes agrees with an independent decoder written from the spec
//      (LEB128 varints of at most 10 bytes, the 10th at most 01; file != 0;
//      size <= 256 MiB; offset + size < 2^64; after the checksum nothing, or
//      exactly one raw_size varint of 1..256 MiB and nothing after it); an
//      accepted reference re-encodes to exactly the same bytes when its
//      varints are the shortest form (spec/encoding.md lets readers accept
//      longer ones), and otherwise to a shorter encoding of the same
//      reference.
//  (b) ValueFiles::read of every reference, and ValueFile::read of it on a
//      fresh file object without set_size, give exactly the outcome the
//      spec predicts from the bytes: malformed or a file outside the set ->
//      Corruption; file 9 -> Corruption naming its path (missing);
//      file 7 -> Corruption "<path>: offset <offset>: ..." when the reference
//      reaches past S (when set) or past the file, or the bytes fail the
//      checksum; otherwise, without raw_size, OK with bytes equal to
//      body[offset, offset + size), whose length is size and whose XXH3-64
//      is the checksum; with raw_size, what LZ4_decompress_safe of those
//      bytes into raw_size bytes gives: exactly raw_size bytes -> OK with
//      those bytes, else Corruption "<path>: offset <offset>: compressed
//      value of <size> bytes does not decompress to its <raw_size> bytes".
//      ValueFile::read_stored and ValueFiles::read_stored fail the same way
//      for past the end and the checksum, else return the stored bytes, never
//      decompressed. Never a crash, never other bytes. The second round
//      (after the file grew) re-reads every reference against the grown file.
// Deterministic, no output on success, no real file I/O.
#include <lz4.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "fuzz_support.hpp"
#include "sand/file_system.hpp"
#include "sand/options.hpp"
#include "util/coding.hpp"
#include "value/value_file.hpp"
#include "value/value_files.hpp"
#include "value/value_ref.hpp"

namespace {

using namespace sand;
using sand::fuzz::check;
using sand::fuzz::fail;
using sand::value::ValueRef;

constexpr std::size_t kMaxInput = 64 << 10;
constexpr std::uint64_t kFile = 7;     // the value file the body is written to
constexpr std::uint64_t kMissing = 9;  // live in the set (flag bit 3), never written
const std::string kDir = "/v";
const std::string kPath = "/v/000007.wal";
const std::string kMissingPath = "/v/000009.wal";

std::uint64_t xxh3(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

// ---- (a) An independent decoder, from spec/values.md and encoding.md ----

struct Decoded {
  ValueRef ref;
  bool shortest = true;  // every varint in its shortest form
};

// One LEB128 varint64: at most 10 bytes, the 10th at most 0x01.
bool spec_varint(std::string_view* in, std::uint64_t* v, bool* shortest) {
  std::uint64_t result = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    if (i >= in->size()) return false;  // ends with the input
    const auto b = static_cast<std::uint8_t>((*in)[i]);
    if (i == 9 && b > 0x01) return false;
    result |= std::uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) {
      // Shortest: one byte, or a last byte that is not 0.
      if (i > 0 && b == 0) *shortest = false;
      in->remove_prefix(i + 1);
      *v = result;
      return true;
    }
  }
  return false;  // an 11th byte would be needed
}

std::optional<Decoded> spec_decode(std::string_view in) {
  Decoded d;
  if (!spec_varint(&in, &d.ref.file, &d.shortest) ||
      !spec_varint(&in, &d.ref.offset, &d.shortest) ||
      !spec_varint(&in, &d.ref.size, &d.shortest) || in.size() < 8) {
    return std::nullopt;
  }
  for (int i = 7; i >= 0; --i) {
    d.ref.checksum =
        (d.ref.checksum << 8) | static_cast<std::uint8_t>(in[static_cast<std::size_t>(i)]);
  }
  in.remove_prefix(8);
  // Optional raw_size: exactly one varint of 1..256 MiB, nothing after it.
  if (!in.empty()) {
    if (!spec_varint(&in, &d.ref.raw_size, &d.shortest) || !in.empty()) return std::nullopt;
    if (d.ref.raw_size == 0 || d.ref.raw_size > 268435456u) return std::nullopt;
  }
  if (d.ref.file == 0 || d.ref.size > 268435456u) return std::nullopt;
  // offset + size >= 2^64 is malformed.
  if (d.ref.offset > std::numeric_limits<std::uint64_t>::max() - d.ref.size) return std::nullopt;
  return d;
}

void check_decode(std::string_view bytes) {
  const std::optional<ValueRef> got = value::decode_value_ref(bytes);
  const std::optional<Decoded> want = spec_decode(bytes);
  check(got.has_value() == want.has_value(),
        got ? "decode_value_ref accepts what the spec rejects"
            : "decode_value_ref rejects what the spec accepts");
  if (!got) return;
  check(*got == want->ref, "decode_value_ref decodes other fields than the spec");
  check(got->compressed() == (got->raw_size != 0), "compressed() is not raw_size != 0");
  check(got->file != 0, "accepted file 0");
  check(got->size <= kMaxValueSize, "accepted a size above kMaxValueSize");
  check(got->offset <= std::numeric_limits<std::uint64_t>::max() - got->size,
        "accepted offset + size >= 2^64");
  check(bytes.size() <= value::kMaxValueRefSize, "accepted more than kMaxValueRefSize bytes");
  std::string again;
  value::encode_value_ref(*got, &again);
  check(again.size() <= value::kMaxValueRefSize, "encoding longer than kMaxValueRefSize");
  if (want->shortest) {
    check(again == bytes, "a shortest-form reference re-encodes to other bytes");
  } else {
    check(again.size() < bytes.size(), "a longer-form reference re-encodes no shorter");
  }
  check(value::decode_value_ref(again) == got, "re-encoded reference decodes differently");
}

// ---- (b) Reads ----

// LZ4 never turns a block of n bytes into more than 255 * n bytes (a match
// length byte adds at most 255); the slack covers a token's own 19.
std::uint64_t lz4_max_output(std::uint64_t block_size) { return 255 * block_size + 16; }

// The length `bytes` decompress to as one LZ4 block, or 0 when they do not
// (or would exceed 4 MiB, which no input here needs).
std::uint64_t decompressed_length(std::string_view bytes) {
  const std::uint64_t cap = std::min<std::uint64_t>(lz4_max_output(bytes.size()), 4u << 20);
  std::unique_ptr<char[]> buf(new char[cap]);
  const int n = LZ4_decompress_safe(bytes.data(), buf.get(), static_cast<int>(bytes.size()),
                                    static_cast<int>(cap));
  return n > 0 ? static_cast<std::uint64_t>(n) : 0;
}

// The spec's rule for a compressed value: `stored` is one LZ4 block that
// LZ4_decompress_safe decompresses to exactly raw_size bytes (into a buffer
// of raw_size bytes). nullopt when it does not.
std::optional<std::string> spec_decompress(std::string_view stored, std::uint64_t raw_size) {
  if (raw_size > lz4_max_output(stored.size())) return std::nullopt;  // cannot: no need to try
  std::string out(static_cast<std::size_t>(raw_size), '\0');
  const int n = LZ4_decompress_safe(stored.data(), out.data(), static_cast<int>(stored.size()),
                                    static_cast<int>(raw_size));
  if (n < 0 || static_cast<std::uint64_t>(n) != raw_size) return std::nullopt;
  return out;
}

// The references of one input: each as the bytes ValueFiles::read is given.
struct Input {
  std::uint8_t flags = 0;
  std::uint64_t set_size = 0;  // S, used when flags bit 0
  std::size_t cut = 0;         // the first round's body length (flags bit 2)
  std::vector<std::string> refs;
  std::string body;
};

Input parse(const std::uint8_t* data, std::size_t size) {
  sand::fuzz::Bytes in(data, size);
  Input out;
  out.flags = in.u8();
  const auto delta = static_cast<std::int8_t>(in.u8());
  const std::uint8_t cut = in.u8();
  const int n = in.u8() % 6;
  // The synthesized references need the body, which comes last: remember
  // their fields and build them afterwards.
  struct Synth {
    std::size_t index;
    std::uint64_t file, offset, size;
    int mode;
    std::uint32_t raw_checksum;
    int raw_mode;  // (m >> 5) & 7
    std::uint32_t raw_from_input;
  };
  std::vector<Synth> synth;
  for (int i = 0; i < n; ++i) {
    const std::uint8_t m = in.u8();
    if ((m & 1) == 0) {
      out.refs.emplace_back(in.take(static_cast<std::size_t>(m >> 1) % 49));
      continue;
    }
    static constexpr std::uint64_t kFiles[] = {kFile, kMissing, 5, 0};
    Synth s{.index = out.refs.size(),
            .file = kFiles[(m >> 1) & 3],
            .offset = in.u16(),
            .size = in.u16(),
            .mode = (m >> 3) & 3,
            .raw_checksum = 0,
            .raw_mode = (m >> 5) & 7,
            .raw_from_input = 0};
    if (s.mode == 3) s.raw_checksum = in.u32();
    if (s.raw_mode == 4) s.raw_from_input = in.u16();
    if (s.raw_mode == 5) {
      const std::uint32_t low = in.u16();
      s.raw_from_input = low | (std::uint32_t{in.u8()} << 16);
    }
    synth.push_back(s);
    out.refs.emplace_back();
  }
  out.body.assign(in.take(in.remaining()));
  for (const Synth& s : synth) {
    std::string_view range;
    if (s.offset < out.body.size()) range = std::string_view(out.body).substr(s.offset, s.size);
    std::uint64_t sum = s.mode == 3 ? s.raw_checksum : xxh3(range);
    if (s.mode == 2) sum ^= 1;
    std::uint64_t raw_size = 0;
    if (s.raw_mode >= 1 && s.raw_mode <= 3) {
      const std::uint64_t d = std::max<std::uint64_t>(decompressed_length(range), 1);
      raw_size = s.raw_mode == 1 ? d : s.raw_mode == 2 ? d + 1 : std::max<std::uint64_t>(d - 1, 1);
    } else if (s.raw_mode == 4 || s.raw_mode == 5) {
      raw_size = s.raw_from_input;
    } else if (s.raw_mode == 6) {
      raw_size = 255 * s.size + 16;
    } else if (s.raw_mode == 7) {
      raw_size = kMaxValueSize + 1;
    }
    value::encode_value_ref(ValueRef{.file = s.file,
                                     .offset = s.offset,
                                     .size = s.size,
                                     .checksum = sum,
                                     .raw_size = raw_size},
                            &out.refs[s.index]);
  }
  const std::int64_t wanted = static_cast<std::int64_t>(out.body.size()) + delta;
  out.set_size = wanted < 0 ? 0 : static_cast<std::uint64_t>(wanted);
  out.cut = out.body.size() * cut / 256;
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// Checks one read of `ref` against file 7 holding `file_bytes`, with size
// limit `limit` (UINT64_MAX: none). `stored`: a read_stored, which never
// decompresses.
void check_read_of_file(const ValueRef& ref, std::string_view file_bytes, std::uint64_t limit,
                        const Status& s, const std::string& out, const char* who,
                        bool stored = false) {
  const std::uint64_t end = ref.offset + ref.size;
  const std::string place = kPath + ": offset " + std::to_string(ref.offset) + ": ";
  const bool past_end = end > limit || end > file_bytes.size();
  if (past_end || xxh3(file_bytes.substr(ref.offset, ref.size)) != ref.checksum) {
    check(!s.is_ok(), who, "returned bytes for a reference past the end or failing its checksum");
    check(s.code() == Code::kCorruption && starts_with(s.message(), place), who, s.to_string());
    const bool says_end = s.message().find("past the end") != std::string::npos;
    check(says_end == past_end, who, "wrong kind of corruption: " + s.to_string());
    if (!past_end) {
      check(s.message() == place + "value of " + std::to_string(ref.size) +
                               " bytes does not match its checksum",
            who, "checksum corruption with another message: " + s.to_string());
    }
    return;
  }
  const std::string_view bytes = file_bytes.substr(ref.offset, ref.size);
  if (ref.compressed() && !stored) {
    const std::optional<std::string> want = spec_decompress(bytes, ref.raw_size);
    if (!want) {
      check(s.code() == Code::kCorruption && !s.is_ok(), who,
            "returned a value for a block that does not decompress to its raw_size: " +
                s.to_string());
      check(s.message() == place + "compressed value of " + std::to_string(ref.size) +
                               " bytes does not decompress to its " + std::to_string(ref.raw_size) +
                               " bytes",
            who, "wrong decompression corruption: " + s.to_string());
      return;
    }
    check(s.is_ok(), who, "refused a compressed value it should read: " + s.to_string());
    check(out.size() == ref.raw_size, who, "returned a value other than raw_size bytes long");
    check(out == *want, who, "returned other bytes than LZ4_decompress_safe");
    return;
  }
  check(s.is_ok(), who, "refused a reference it should read: " + s.to_string());
  check(out.size() == ref.size, who, "returned a value of the wrong length");
  check(xxh3(out) == ref.checksum, who, "returned bytes that fail the reference's checksum");
  check(out == bytes, who, "returned other bytes");
}

void check_read(const value::ValueFiles& files, const std::string& ref_bytes,
                std::string_view file_bytes, const Input& input, bool missing_live) {
  std::string out = "stale";
  const Status s = files.read(ref_bytes, &out);
  const std::optional<ValueRef> ref = value::decode_value_ref(ref_bytes);
  if (!ref) {
    check(s.code() == Code::kCorruption && !s.is_ok(), "malformed reference not Corruption",
          s.to_string());
    return;
  }
  if (ref->file == kMissing && missing_live) {
    // Missing, unless the reference is refused before the file is looked at
    // (nothing limits file 9's size, so it is not).
    check(s.code() == Code::kCorruption && !s.is_ok() && starts_with(s.message(), kMissingPath),
          "a reference into a missing value file", s.to_string());
    return;
  }
  if (ref->file != kFile) {
    check(s.code() == Code::kCorruption && !s.is_ok() &&
              s.message().find(std::to_string(ref->file)) != std::string::npos,
          "a reference to a file outside the set", s.to_string());
    return;
  }
  const std::uint64_t limit =
      (input.flags & 1) ? input.set_size : std::numeric_limits<std::uint64_t>::max();
  check_read_of_file(*ref, file_bytes, limit, s, out, "ValueFiles::read");
  std::string stored = "stale";
  const Status t = files.read_stored(*ref, &stored);
  check_read_of_file(*ref, file_bytes, limit, t, stored, "ValueFiles::read_stored", true);
}

// Writes `bytes` as the whole of `path`.
void write_file(FileSystem& fs, const std::string& path, std::string_view bytes) {
  auto f = fs.new_writable_file(path);
  check(f.is_ok(), "create", f.status().to_string());
  check((*f)->append(bytes).is_ok(), "append");
  check((*f)->close().is_ok(), "close");
}

void append_file(FileSystem& fs, const std::string& path, std::string_view bytes) {
  auto f = fs.reopen_writable_file(path);
  check(f.is_ok(), "reopen", f.status().to_string());
  check((*f)->append(bytes).is_ok(), "append");
  check((*f)->close().is_ok(), "close");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  check_decode(sand::fuzz::as_view(data, size < 48 ? size : 48));
  const Input input = parse(data, size);
  for (const std::string& r : input.refs) check_decode(r);

  auto fs = memory_file_system();
  check(fs->create_dir(kDir).is_ok(), "mkdir");
  const bool grow = (input.flags & 4) != 0;
  const bool missing_live = (input.flags & 8) != 0;
  const std::string_view body = input.body;
  const std::string_view first = grow ? body.substr(0, input.cut) : body;
  write_file(*fs, kPath, first);

  auto file = std::make_shared<value::ValueFile>(fs, kPath, kFile);
  if (input.flags & 1) file->set_size(input.set_size);
  value::ValueFiles::Map map{{kFile, file}};
  if (missing_live) {
    map.emplace(kMissing, std::make_shared<value::ValueFile>(fs, kMissingPath, kMissing));
  }
  if (input.flags & 2) {
    check(file->map_now().is_ok(), "map_now of a present file");
    if (missing_live) {
      const Status s = map.at(kMissing)->map_now();
      check(s.code() == Code::kNotFound && !s.is_ok(), "map_now of a missing file", s.to_string());
    }
  }
  const value::ValueFiles files(std::move(map));

  for (int round = 0; round < (grow ? 2 : 1); ++round) {
    if (round == 1) append_file(*fs, kPath, body.substr(first.size()));
    const std::string_view now = round == 0 ? first : body;
    for (const std::string& r : input.refs) {
      check_read(files, r, now, input, missing_live);
      // The same reference again: the mapping is now cached.
      check_read(files, r, now, input, missing_live);
      // ValueFile::read alone, on a fresh object without set_size.
      std::optional<ValueRef> ref = value::decode_value_ref(r);
      if (!ref || ref->file != kFile) continue;
      const value::ValueFile fresh(fs, kPath, kFile);
      std::string out;
      const Status s = fresh.read(*ref, &out);
      check_read_of_file(*ref, now, std::numeric_limits<std::uint64_t>::max(), s, out,
                         "ValueFile::read");
      const Status t = fresh.read_stored(*ref, &out);
      check_read_of_file(*ref, now, std::numeric_limits<std::uint64_t>::max(), t, out,
                         "ValueFile::read_stored", true);
    }
  }
  return 0;
}
