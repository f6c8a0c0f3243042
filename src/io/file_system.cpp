// FileSystem's default methods, shared by implementations that need nothing
// faster (the in-memory one, test wrappers); link_file's is also the POSIX
// one's fallback.
#include "sand/file_system.hpp"

namespace sand {

Result<std::unique_ptr<WritableFile>> FileSystem::new_log_file(const std::string& path) {
  return new_writable_file(path);
}

Result<std::string> FileSystem::read_file_from(const std::string& path, std::uint64_t offset) {
  SAND_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> file, open_readable_file(path));
  const std::string_view bytes = file->contents();
  if (offset >= bytes.size()) return std::string();
  return std::string(bytes.substr(offset));
}

Status FileSystem::link_file(const std::string& from, const std::string& to) {
  // A copy made durable, so a caller cannot tell it from a link of a synced
  // file (the directory entry still needs its sync_dir, as with a link).
  SAND_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> source, open_readable_file(from));
  SAND_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> copy, new_writable_file(to));
  SAND_RETURN_IF_ERROR(copy->append(source->contents()));
  SAND_RETURN_IF_ERROR(copy->sync());
  return copy->close();
}

}  // namespace sand
