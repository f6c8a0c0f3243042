// WAL replay into a memtable.
#include "db/wal_replay.hpp"

#include <string>

#include "db/filenames.hpp"
#include "value/value_ref.hpp"
#include "wal/log_format.hpp"
#include "wal/write_batch_codec.hpp"

namespace sand {

Result<std::uint64_t> insert_batch(MemTable& mem, std::string_view rep, Version v,
                                   std::string_view file, std::uint64_t wal_number,
                                   std::uint64_t offset, std::size_t separation_threshold) {
  std::uint64_t bytes = 0;
  if (separation_threshold == 0) {
    // Every value inline: a compressed put is added decompressed.
    SAND_RETURN_IF_ERROR(WriteBatchAccess::for_each(
        rep, file, offset, [&](EntryKind kind, std::string_view key, std::string_view value) {
          bytes += key.size() + value.size();
          mem.add(v, kind, key, value);
        }));
    return bytes;
  }
  const std::uint64_t payload_offset = offset + wal::kRecordHeaderSize;
  std::string ref;
  SAND_RETURN_IF_ERROR(WriteBatchAccess::for_each_stored(rep, file, offset, [&](const BatchOp& op) {
    bytes += op.key.size() + (op.compressed() ? op.raw_size : op.value.size());
    // A compressed put is referenced whatever its size: the writer
    // compressed it because it was large, and it is in the WAL already.
    if (op.kind == EntryKind::kPut &&
        (op.compressed() || op.value.size() >= separation_threshold)) {
      // `op.value` views `rep`, which is the record's payload: its place in
      // the file follows from its place in the payload.
      const auto in_payload = static_cast<std::uint64_t>(op.value.data() - rep.data());
      ref.clear();
      value::encode_value_ref(value::ValueRef{.file = wal_number,
                                              .offset = payload_offset + in_payload,
                                              .size = op.value.size(),
                                              .checksum = value::value_checksum(op.value),
                                              .raw_size = op.raw_size},
                              &ref);
      mem.add(v, EntryKind::kValueRef, op.key, ref);
      return;
    }
    mem.add(v, op.kind, op.key, op.value);
  }));
  return bytes;
}

Result<WalReplay> replay_wal_into(MemTable& mem, std::string_view bytes, std::uint64_t from,
                                  std::uint64_t number, bool point_in_time, Version after,
                                  std::size_t separation_threshold) {
  const std::string name = wal_file_name(number);
  WalReplay out;
  auto add = [&](std::string_view rep, std::uint64_t offset) -> Status {
    const Version v = WriteBatchAccess::version(rep);
    SAND_RETURN_IF_ERROR(
        insert_batch(mem, rep, v, name, number, offset, separation_threshold).status());
    if (out.first_version == 0) {
      out.first_version = v;
      out.first_offset = offset;
    }
    out.last_version = v;
    return Status::ok();
  };
  SAND_ASSIGN_OR_RETURN(
      out.stats, from == 0
                     ? wal::replay(bytes, name, number, point_in_time, add, after)
                     : wal::replay_from(bytes, from, name, number, point_in_time, add, after));
  return out;
}

}  // namespace sand
