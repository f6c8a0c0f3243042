// ValueFiles: reference -> file -> checked bytes.
#include "value/value_files.hpp"

namespace sand::value {

namespace {

Status not_live(std::uint64_t file) {
  return Status::corruption("a value reference names file " + std::to_string(file) +
                            ", which is not a live value file");
}

}  // namespace

Status ValueFiles::read(std::string_view ref_bytes, std::string* out) const {
  return read(ref_bytes, out, nullptr);
}

Status ValueFiles::read(std::string_view ref_bytes, std::string* out, ReadAhead* ahead) const {
  const std::optional<ValueRef> ref = decode_value_ref(ref_bytes);
  if (!ref) {
    return Status::corruption("malformed value reference (" + std::to_string(ref_bytes.size()) +
                              " bytes)");
  }
  const auto it = files_.find(ref->file);
  if (it == files_.end()) return not_live(ref->file);
  // Read first: the hint uses the mapping the read made sure of.
  Status s = it->second->read(*ref, out);
  if (s.is_ok() && ahead != nullptr) {
    if (const auto range = ahead->on_read(ref->file, ref->offset, ref->size)) {
      it->second->will_need(range->first, range->second);
    }
  }
  return s;
}

Status ValueFiles::read_stored(const ValueRef& ref, std::string* out) const {
  const auto it = files_.find(ref.file);
  if (it == files_.end()) return not_live(ref.file);
  return it->second->read_stored(ref, out);
}

}  // namespace sand::value
