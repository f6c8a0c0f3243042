// `sand dump sst` (spec/dump.md section 2).
#include "cli/dump_table.hpp"

#include <memory>
#include <string>
#include <vector>

#include "table/block.hpp"
#include "table/bloom.hpp"
#include "table/format.hpp"
#include "table/properties.hpp"
#include "table/table.hpp"
#include "util/coding.hpp"
#include "util/internal_key.hpp"
#include "value/value_ref.hpp"

namespace sand::cli {
namespace {

using table::BlockHandle;

// Table::open takes ownership of a file; this one only views `contents`,
// which the caller keeps alive for the whole dump.
class ViewFile final : public ReadableFile {
 public:
  explicit ViewFile(std::string_view contents) : contents_(contents) {}
  std::string_view contents() const override { return contents_; }

 private:
  std::string_view contents_;
};

const char* compression_name(std::uint8_t type) {
  // read_block and decode_properties refused every other value.
  return type == static_cast<std::uint8_t>(Compression::kLz4) ? "lz4" : "none";
}

Json handle_json(const BlockHandle& h) { return Json{{"offset", h.offset}, {"size", h.size}}; }

// A record `leading` followed by the members every stored block's record
// has: its handle, its 5-byte trailer (spec/sstable.md section 2) and the
// size of its contents.
// REQUIRES: read_block accepted `h` in `region`, so the trailer is there.
Json stored_block(Json leading, std::string_view region, const BlockHandle& h,
                  std::size_t contents_size) {
  const char* trailer = region.data() + h.offset + h.size;
  leading.update(Json{{"handle", handle_json(h)},
                      {"type", compression_name(static_cast<std::uint8_t>(trailer[0]))},
                      {"crc", util::decode_fixed32(trailer + 1)},
                      {"contents_size", contents_size}});
  return leading;
}

// Adds a section-3 block's restart array to its record.
void add_restarts(const table::Block& block, Json* record) {
  Json restarts = Json::array();
  for (std::uint32_t i = 0; i < block.num_restarts(); ++i) {
    restarts.push_back(block.restart_offset(i));
  }
  (*record)["num_restarts"] = block.num_restarts();
  (*record)["restarts"] = std::move(restarts);
}

// The members describing one stored entry of a section-3 block: where it is
// and how its key is shared, then the internal key split up.
std::string_view kind_name(EntryKind kind) {
  switch (kind) {
    case EntryKind::kDelete:
      return "delete";
    case EntryKind::kPut:
      return "put";
    case EntryKind::kValueRef:
      return "value_ref";
  }
  return "unknown";
}

Json entry_json(const table::BlockIterator& it, const ParsedKey& key, const DumpSink& sink) {
  const table::BlockIterator::EntryLayout layout = it.layout();
  return Json{{"offset", layout.offset},     {"shared", layout.shared},
              {"unshared", layout.unshared}, {"key", sink.bytes(key.user_key)},
              {"version", key.version},      {"kind", kind_name(key.kind)}};
}

Result<table::Block> parse_block(const table::BlockContents& contents, std::string_view name,
                                 const BlockHandle& h, EntryKind max_kind) {
  return table::Block::parse(contents.data, contents.owned, name, h.offset, max_kind);
}

void dump_footer(std::string_view contents, const table::Footer& footer, DumpSink& sink) {
  const std::uint64_t at = contents.size() - table::kFooterSize;
  const char* f = contents.data() + at;
  sink.emit(Json{{"record", "footer"},
                 {"offset", at},
                 {"file_size", contents.size()},
                 {"filter", footer.filter.is_null() ? Json() : handle_json(footer.filter)},
                 {"index", handle_json(footer.index)},
                 {"properties", handle_json(footer.properties)},
                 {"format_version", footer.format_version},
                 {"footer_crc", util::decode_fixed32(f + table::kFooterCrcPos)},
                 {"magic", sink.bytes(std::string_view(f + table::kFooterMagicPos, 8))}});
}

Status dump_properties(std::string_view region, std::string_view name, const BlockHandle& h,
                       DumpSink& sink) {
  SAND_ASSIGN_OR_RETURN(const table::BlockContents block, table::read_block(region, name, h, true));
  SAND_ASSIGN_OR_RETURN(const table::TableProperties p,
                        table::decode_properties(block.data, name, h.offset));
  Json record = stored_block(Json{{"record", "properties"}}, region, h, block.data.size());
  record["entries"] = p.entries;
  record["tombstones"] = p.tombstones;
  record["data_blocks"] = p.data_blocks;
  record["raw_key_bytes"] = p.raw_key_bytes;
  record["raw_value_bytes"] = p.raw_value_bytes;
  record["min_version"] = p.min_version;
  record["max_version"] = p.max_version;
  record["smallest_user_key"] = sink.bytes(p.smallest_user_key);
  record["largest_user_key"] = sink.bytes(p.largest_user_key);
  record["compression"] = compression_name(static_cast<std::uint8_t>(p.compression));
  sink.emit(record);
  return Status::ok();
}

Status dump_filter(std::string_view region, std::string_view name, const BlockHandle& h,
                   DumpSink& sink) {
  if (h.is_null()) {
    sink.emit(Json{{"record", "filter"}, {"handle", nullptr}});
    return Status::ok();
  }
  SAND_ASSIGN_OR_RETURN(const table::BlockContents block, table::read_block(region, name, h, true));
  SAND_RETURN_IF_ERROR(table::BloomReader::parse(block.data, name, h.offset).status());
  // parse() checked the layout: B >= 8 bytes of bits, then k.
  Json record = stored_block(Json{{"record", "filter"}}, region, h, block.data.size());
  record["bit_bytes"] = block.data.size() - 1;
  record["bits"] = 8 * (block.data.size() - 1);
  record["k"] = static_cast<unsigned char>(block.data.back());
  sink.emit(record);
  return Status::ok();
}

// Dumps the index block and returns its handles, in order.
Result<std::vector<BlockHandle>> dump_index(std::string_view region, std::string_view name,
                                            const BlockHandle& h, EntryKind max_kind,
                                            DumpSink& sink) {
  SAND_ASSIGN_OR_RETURN(const table::BlockContents contents,
                        table::read_block(region, name, h, true));
  SAND_ASSIGN_OR_RETURN(table::Block block, parse_block(contents, name, h, max_kind));
  Json record = stored_block(Json{{"record", "index"}}, region, h, contents.data.size());
  add_restarts(block, &record);
  sink.emit(record);
  std::vector<BlockHandle> handles;
  table::BlockIterator it(std::move(block));
  for (it.seek_to_first(); it.valid(); it.next()) {
    // The same checks and messages as Table::open's index load.
    ParsedKey key;
    if (!parse_internal_key(it.key(), &key)) {
      return Status::corruption(name, h.offset, "bad internal key in index");
    }
    std::string_view value = it.value();
    BlockHandle data;
    if (!table::decode_block_handle(&value, &data) || !value.empty()) {
      return Status::corruption(name, h.offset, "bad block handle in index");
    }
    Json entry = entry_json(it, key, sink);
    entry["handle"] = handle_json(data);
    Json line{{"record", "index_entry"}, {"position", handles.size()}};
    line.update(entry);
    sink.emit(line, 1);
    handles.push_back(data);
  }
  SAND_RETURN_IF_ERROR(it.status());
  return handles;
}

Status dump_data_block(std::string_view region, std::string_view name, std::size_t position,
                       const BlockHandle& h, EntryKind max_kind, DumpSink& sink) {
  SAND_ASSIGN_OR_RETURN(const table::BlockContents contents,
                        table::read_block(region, name, h, true));
  SAND_ASSIGN_OR_RETURN(table::Block block, parse_block(contents, name, h, max_kind));
  Json record =
      stored_block(Json{{"record", "block"}, {"block", position}}, region, h, contents.data.size());
  add_restarts(block, &record);
  sink.emit(record);
  table::BlockIterator it(std::move(block));
  for (it.seek_to_first(); it.valid(); it.next()) {
    ParsedKey key;
    if (!parse_internal_key(it.key(), &key)) {  // the iterator checks this too
      return Status::corruption(name, h.offset, "bad internal key in data block");
    }
    Json line{{"record", "entry"}, {"block", position}};
    line.update(entry_json(it, key, sink));
    line["value"] = sink.bytes(it.value());
    if (key.kind == EntryKind::kValueRef) {
      const std::optional<value::ValueRef> ref = value::decode_value_ref(it.value());
      if (!ref)
        return Status::corruption(name, h.offset, "malformed value reference in data block");
      line["ref"] = Json{{"file", ref->file},
                         {"offset", ref->offset},
                         {"size", ref->size},
                         {"checksum", ref->checksum}};
      // Only a reference to a compressed value has it (spec/dump.md
      // section 2), so the dumps of other tables keep their four members.
      if (ref->compressed()) line["ref"]["raw_size"] = ref->raw_size;
    }
    sink.emit(line, 1);
  }
  return it.status();
}

}  // namespace

Status dump_table(std::string_view contents, std::string_view file_name, DumpSink& sink) {
  SAND_ASSIGN_OR_RETURN(const table::Footer footer, table::decode_footer(contents, file_name));
  dump_footer(contents, footer, sink);
  const std::string_view region = contents.substr(0, contents.size() - table::kFooterSize);
  SAND_RETURN_IF_ERROR(dump_properties(region, file_name, footer.properties, sink));
  SAND_RETURN_IF_ERROR(dump_filter(region, file_name, footer.filter, sink));
  SAND_ASSIGN_OR_RETURN(
      const std::vector<BlockHandle> handles,
      dump_index(region, file_name, footer.index, table::max_kind_of(footer.format_version), sink));
  // The checks of an open the parts above do not repeat: index keys in
  // order, data block handles in order and in bounds, one per data block.
  SAND_RETURN_IF_ERROR(
      table::Table::open(std::make_unique<ViewFile>(contents), std::string(file_name), 0, nullptr)
          .status());
  for (std::size_t i = 0; i < handles.size(); ++i) {
    SAND_RETURN_IF_ERROR(dump_data_block(region, file_name, i, handles[i],
                                         table::max_kind_of(footer.format_version), sink));
  }
  return Status::ok();
}

}  // namespace sand::cli
