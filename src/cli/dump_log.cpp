// Header, record and end records of a log file dump (spec/dump.md section 3).
#include "cli/dump_log.hpp"

#include <string>

#include "util/coding.hpp"
#include "wal/log_format.hpp"

namespace sand::cli {

std::optional<Json> log_header_record(std::string_view contents, const wal::RecordReader& reader,
                                      const DumpSink& sink) {
  // A reader that accepted a header stands just past it.
  if (reader.valid_end() < wal::kFileHeaderSize) return std::nullopt;
  const char* h = contents.data();
  return Json{{"record", "header"},
              {"magic", sink.bytes(contents.substr(0, wal::kHeaderVersionOffset))},
              {"format_version", util::decode_fixed32(h + wal::kHeaderVersionOffset)},
              {"prefix_crc", util::decode_fixed32(h + wal::kHeaderCrcOffset)},
              {"log_id", util::decode_fixed64(h + wal::kHeaderLogIdOffset)},
              {"log_id_crc", util::decode_fixed32(h + wal::kHeaderLogIdCrcOffset)}};
}

Json log_record(std::string_view type, std::string_view contents, std::uint64_t offset) {
  // Record header: uint32 header_crc, uint32 length, uint32 payload_crc.
  const char* h = contents.data() + offset;
  return Json{{"record", std::string(type)},
              {"offset", offset},
              {"header_crc", util::decode_fixed32(h)},
              {"length", wal::record_length(h)},
              {"payload_crc", util::decode_fixed32(h + 8)}};
}

Json log_end_record(std::uint64_t file_size, std::uint64_t valid_end, bool torn_tail) {
  return Json{{"record", "end"},
              {"file_size", file_size},
              {"valid_end", valid_end},
              {"torn_tail", torn_tail}};
}

}  // namespace sand::cli
