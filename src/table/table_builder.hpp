// TableBuilder: writes one immutable table file (spec/sstable.md) from
// entries given in increasing internal-key order.
//
// Layout: data blocks, filter block, index block, properties block, footer.
// Nothing is written twice and nothing is seeked: the file is append-only.
// The builder neither syncs nor closes the file; the caller does (flush and
// compaction order their fsyncs around the manifest). After the first append
// error every call is a no-op and status() keeps that error.
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sand/file_system.hpp"
#include "sand/status.hpp"
#include "table/block_builder.hpp"
#include "table/bloom.hpp"
#include "table/format.hpp"
#include "table/properties.hpp"
#include "table/table_options.hpp"

namespace sand::table {

class TableBuilder {
 public:
  // `file` is not owned and must outlive the builder; it must be empty (block
  // offsets count from the builder's first byte).
  TableBuilder(const TableOptions& options, WritableFile* file);
  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;

  // REQUIRES: finish() not called; internal_key is a valid internal key
  // (parse_internal_key succeeds) sorting after every key added before; a
  // delete's value is empty.
  void add(std::string_view internal_key, std::string_view value);

  // The first append error, if any.
  Status status() const { return status_; }

  // Writes the last data block, the filter, index and properties blocks and
  // the footer. Returns status(). REQUIRES: called at most once.
  Status finish();

  // Bytes written so far (the file's size once finish() succeeded).
  std::uint64_t file_size() const { return offset_; }
  // Entries added so far; complete after finish().
  const TableProperties& properties() const { return props_; }

 private:
  void flush_data_block();
  // Appends `raw` as a block (compressed per `compression`) plus trailer.
  BlockHandle write_block(std::string_view raw, Compression compression);
  void append(std::string_view bytes);

  const TableOptions options_;
  WritableFile* const file_;  // not owned
  std::uint64_t offset_ = 0;
  Status status_;
  bool finished_ = false;
  bool has_value_refs_ = false;       // written as format version 2 if so
  bool has_compressed_refs_ = false;  // written as format version 3 if so

  BlockBuilder data_block_;
  BlockBuilder index_block_;
  std::optional<BloomBuilder> bloom_;
  std::string last_key_;    // the last internal key added
  std::string compressed_;  // scratch for compress_block
  TableProperties props_;
};

}  // namespace sand::table
