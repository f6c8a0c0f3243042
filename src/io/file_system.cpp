// FileSystem's default methods, shared by implementations that need nothing
// faster (the in-memory one, test wrappers).
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

}  // namespace sand
