// Properties record codec (spec/sstable.md "Properties block").
#include "table/properties.hpp"

#include "util/coding.hpp"

namespace sand::table {

std::string encode_properties(const TableProperties& props) {
  std::string out;
  for (std::uint64_t v : {props.entries, props.tombstones, props.data_blocks, props.raw_key_bytes,
                          props.raw_value_bytes, props.min_version, props.max_version}) {
    util::put_varint64(&out, v);
  }
  util::put_length_prefixed(&out, props.smallest_user_key);
  util::put_length_prefixed(&out, props.largest_user_key);
  out.push_back(static_cast<char>(props.compression));
  return out;
}

Result<TableProperties> decode_properties(std::string_view record, std::string_view file_name,
                                          std::uint64_t block_offset) {
  auto bad = [&](std::string_view what) {
    return Status::corruption(file_name, block_offset, "properties: " + std::string(what));
  };
  TableProperties props;
  std::string_view in = record;
  for (std::uint64_t* v :
       {&props.entries, &props.tombstones, &props.data_blocks, &props.raw_key_bytes,
        &props.raw_value_bytes, &props.min_version, &props.max_version}) {
    if (!util::get_varint64(&in, v)) return bad("truncated counter");
  }
  std::string_view smallest, largest;
  if (!util::get_length_prefixed(&in, &smallest) || !util::get_length_prefixed(&in, &largest)) {
    return bad("truncated user key");
  }
  props.smallest_user_key = smallest;
  props.largest_user_key = largest;
  if (in.empty()) return bad("missing compression byte");
  const auto compression = static_cast<unsigned char>(in[0]);
  in.remove_prefix(1);
  if (compression > static_cast<unsigned char>(Compression::kLz4)) {
    return bad("unknown compression " + std::to_string(compression));
  }
  props.compression = static_cast<Compression>(compression);
  if (!in.empty()) return bad(std::to_string(in.size()) + " trailing bytes");
  if (props.tombstones > props.entries) return bad("more tombstones than entries");
  if (props.min_version > props.max_version) return bad("min_version > max_version");
  return props;
}

}  // namespace sand::table
