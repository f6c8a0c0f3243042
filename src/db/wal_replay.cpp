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
  const std::uint64_t payload_offset = offset + wal::kRecordHeaderSize;
  std::string ref;
  SAND_RETURN_IF_ERROR(WriteBatchAccess::for_each(
      rep, file, offset, [&](EntryKind kind, std::string_view key, std::string_view value) {
        bytes += key.size() + value.size();
        if (kind == EntryKind::kPut && separation_threshold != 0 &&
            value.size() >= separation_threshold) {
          // `value` views `rep`, which is the record's payload: its place in
          // the file follows from its place in the payload.
          const auto in_payload = static_cast<std::uint64_t>(value.data() - rep.data());
          ref.clear();
          value::encode_value_ref(value::ValueRef{.file = wal_number,
                                                  .offset = payload_offset + in_payload,
                                                  .size = value.size(),
                                                  .checksum = value::value_checksum(value)},
                                  &ref);
          mem.add(v, EntryKind::kValueRef, key, ref);
          return;
        }
        mem.add(v, kind, key, value);
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
