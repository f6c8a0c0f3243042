// ValueFiles: reference -> file -> checked bytes.
#include "value/value_files.hpp"

namespace sand::value {

Status ValueFiles::read(std::string_view ref_bytes, std::string* out) const {
  const std::optional<ValueRef> ref = decode_value_ref(ref_bytes);
  if (!ref) {
    return Status::corruption("malformed value reference (" + std::to_string(ref_bytes.size()) +
                              " bytes)");
  }
  const auto it = files_.find(ref->file);
  if (it == files_.end()) {
    return Status::corruption("a value reference names file " + std::to_string(ref->file) +
                              ", which is not a live value file");
  }
  return it->second->read(*ref, out);
}

}  // namespace sand::value
