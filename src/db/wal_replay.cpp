// WAL replay into a memtable.
#include "db/wal_replay.hpp"

#include <string>

#include "db/filenames.hpp"
#include "wal/write_batch_codec.hpp"

namespace sand {

Result<std::uint64_t> insert_batch(MemTable& mem, std::string_view rep, Version v,
                                   std::string_view file, std::uint64_t offset) {
  std::uint64_t bytes = 0;
  SAND_RETURN_IF_ERROR(WriteBatchAccess::for_each(
      rep, file, offset, [&](EntryKind kind, std::string_view key, std::string_view value) {
        mem.add(v, kind, key, value);
        bytes += key.size() + value.size();
      }));
  return bytes;
}

Result<WalReplay> replay_wal_into(MemTable& mem, std::string_view bytes, std::uint64_t from,
                                  std::uint64_t number, bool point_in_time, Version after) {
  const std::string name = wal_file_name(number);
  WalReplay out;
  auto add = [&](std::string_view rep, std::uint64_t offset) -> Status {
    const Version v = WriteBatchAccess::version(rep);
    SAND_RETURN_IF_ERROR(insert_batch(mem, rep, v, name, offset).status());
    out.last_version = v;
    return Status::ok();
  };
  SAND_ASSIGN_OR_RETURN(out.stats,
                        from == 0 ? wal::replay(bytes, name, number, point_in_time, add, after)
                                  : wal::replay_from(bytes, from, name, number, point_in_time,
                                                     add, after));
  return out;
}

}  // namespace sand
