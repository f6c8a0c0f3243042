// Manifest edit encoding and decoding (spec/manifest.md "Edit payload").
#include "manifest/edit.hpp"

#include <algorithm>

#include "util/coding.hpp"

namespace sand::manifest {
namespace {

void put_tag(std::string* dst, Tag tag) {
  util::put_varint32(dst, static_cast<std::uint32_t>(tag));
}

void put_scalar(std::string* dst, Tag tag, const std::optional<std::uint64_t>& v) {
  if (!v) return;
  put_tag(dst, tag);
  util::put_varint64(dst, *v);
}

bool get_table(std::string_view* in, TableMeta* t, std::uint32_t* level) {
  return util::get_varint32(in, level) && util::get_varint64(in, &t->number) &&
         util::get_varint64(in, &t->file_size) && util::get_varint64(in, &t->entries) &&
         util::get_varint64(in, &t->tombstones) && util::get_varint64(in, &t->min_version) &&
         util::get_varint64(in, &t->max_version);
}

bool get_key(std::string_view* in, std::string* key) {
  std::string_view bytes;
  if (!util::get_length_prefixed(in, &bytes)) return false;
  key->assign(bytes);
  return true;
}

}  // namespace

void Edit::encode(std::string* dst) const {
  if (snapshot) put_tag(dst, Tag::kSnapshot);
  put_scalar(dst, Tag::kNextFileNumber, next_file_number);
  put_scalar(dst, Tag::kLastVersion, last_version);
  put_scalar(dst, Tag::kWalNumber, wal_number);
  put_scalar(dst, Tag::kLowWaterMark, low_water_mark);
  for (std::uint64_t number : removed_value_files) {
    put_tag(dst, Tag::kRemoveValueFile);
    util::put_varint64(dst, number);
  }
  for (const ValueFileMeta& f : added_value_files) {
    put_tag(dst, Tag::kAddValueFile);
    util::put_varint64(dst, f.number);
    util::put_varint32(dst, static_cast<std::uint32_t>(f.kind));
    util::put_varint64(dst, f.size);
    util::put_varint64(dst, f.value_bytes);
  }
  for (std::uint64_t number : removed) {
    put_tag(dst, Tag::kRemoveTable);
    util::put_varint64(dst, number);
  }
  for (const TableMeta& t : added) {
    put_tag(dst, Tag::kAddTable);
    util::put_varint32(dst, static_cast<std::uint32_t>(t.level));
    util::put_varint64(dst, t.number);
    util::put_varint64(dst, t.file_size);
    util::put_varint64(dst, t.entries);
    util::put_varint64(dst, t.tombstones);
    util::put_varint64(dst, t.min_version);
    util::put_varint64(dst, t.max_version);
    util::put_length_prefixed(dst, t.smallest_key);
    util::put_length_prefixed(dst, t.largest_key);
    if (t.run != 0) {
      put_tag(dst, Tag::kTableRun);
      util::put_varint64(dst, t.number);
      util::put_varint64(dst, t.run);
    }
    if (!t.value_refs.empty()) {
      put_tag(dst, Tag::kTableValueRefs);
      util::put_varint64(dst, t.number);
      util::put_varint64(dst, t.value_refs.size());
      for (const ValueRefTally& r : t.value_refs) {
        util::put_varint64(dst, r.file);
        util::put_varint64(dst, r.bytes);
      }
    }
  }
}

Result<Edit> Edit::decode(std::string_view payload, std::string_view file, std::uint64_t offset,
                          std::uint32_t format_version) {
  Edit e;
  std::string_view in = payload;
  // The table a tag 8 or 9 refers to: one added earlier in this edit.
  auto added_table = [&](std::uint64_t number) -> TableMeta* {
    auto t = std::find_if(e.added.rbegin(), e.added.rend(),
                          [&](const TableMeta& m) { return m.number == number; });
    return t == e.added.rend() ? nullptr : &*t;
  };
  while (!in.empty()) {
    std::uint32_t tag = 0;
    if (!util::get_varint32(&in, &tag)) {
      return Status::corruption(file, offset, "truncated manifest edit tag");
    }
    if (format_version < kManifestFormatV3 &&
        tag >= static_cast<std::uint32_t>(Tag::kTableValueRefs) &&
        tag <= static_cast<std::uint32_t>(Tag::kRemoveValueFile)) {
      return Status::corruption(file, offset,
                                "unknown manifest edit tag " + std::to_string(tag) +
                                    " (value-file tags need manifest format version 3)");
    }
    const std::string field = "manifest edit field (tag " + std::to_string(tag) + ")";
    auto get_scalar = [&](std::optional<std::uint64_t>* v) -> Status {
      if (v->has_value()) return Status::corruption(file, offset, field + " appears twice");
      std::uint64_t x = 0;
      if (!util::get_varint64(&in, &x)) {
        return Status::corruption(file, offset, "truncated " + field);
      }
      *v = x;
      return Status::ok();
    };
    switch (static_cast<Tag>(tag)) {
      case Tag::kNextFileNumber:
        SAND_RETURN_IF_ERROR(get_scalar(&e.next_file_number));
        break;
      case Tag::kLastVersion:
        SAND_RETURN_IF_ERROR(get_scalar(&e.last_version));
        break;
      case Tag::kWalNumber:
        SAND_RETURN_IF_ERROR(get_scalar(&e.wal_number));
        break;
      case Tag::kLowWaterMark:
        SAND_RETURN_IF_ERROR(get_scalar(&e.low_water_mark));
        break;
      case Tag::kAddTable: {
        TableMeta t;
        std::uint32_t level = 0;
        if (!get_table(&in, &t, &level) || !get_key(&in, &t.smallest_key) ||
            !get_key(&in, &t.largest_key)) {
          return Status::corruption(file, offset, "truncated " + field);
        }
        if (level > kMaxLevel) {
          return Status::corruption(file, offset,
                                    "table " + std::to_string(t.number) + ": level " +
                                        std::to_string(level) + " is above " +
                                        std::to_string(kMaxLevel));
        }
        t.level = static_cast<int>(level);
        e.added.push_back(std::move(t));
        break;
      }
      case Tag::kRemoveTable: {
        std::uint64_t number = 0;
        if (!util::get_varint64(&in, &number)) {
          return Status::corruption(file, offset, "truncated " + field);
        }
        e.removed.push_back(number);
        break;
      }
      case Tag::kTableRun: {
        std::uint64_t number = 0, run = 0;
        if (!util::get_varint64(&in, &number) || !util::get_varint64(&in, &run)) {
          return Status::corruption(file, offset, "truncated " + field);
        }
        TableMeta* t = added_table(number);
        if (t == nullptr) {
          return Status::corruption(
              file, offset,
              "run given for table " + std::to_string(number) + " that this edit does not add");
        }
        if (t->run != 0 || run == 0) {
          return Status::corruption(file, offset,
                                    "table " + std::to_string(number) + ": bad or repeated run");
        }
        t->run = run;
        break;
      }
      case Tag::kTableValueRefs: {
        std::uint64_t number = 0, count = 0;
        if (!util::get_varint64(&in, &number) || !util::get_varint64(&in, &count)) {
          return Status::corruption(file, offset, "truncated " + field);
        }
        TableMeta* t = added_table(number);
        if (t == nullptr) {
          return Status::corruption(file, offset,
                                    "value references given for table " + std::to_string(number) +
                                        " that this edit does not add");
        }
        if (!t->value_refs.empty() || count == 0) {
          return Status::corruption(
              file, offset,
              "table " + std::to_string(number) + ": empty or repeated value references");
        }
        // Each pair takes at least 2 bytes: a count beyond that is a lie
        // that must not size an allocation.
        if (count > in.size() / 2) return Status::corruption(file, offset, "truncated " + field);
        for (std::uint64_t i = 0; i < count; ++i) {
          ValueRefTally r;
          if (!util::get_varint64(&in, &r.file) || !util::get_varint64(&in, &r.bytes)) {
            return Status::corruption(file, offset, "truncated " + field);
          }
          if (r.bytes == 0 || (!t->value_refs.empty() && r.file <= t->value_refs.back().file)) {
            return Status::corruption(file, offset,
                                      "table " + std::to_string(number) +
                                          ": value references not in ascending file order or of "
                                          "0 bytes");
          }
          t->value_refs.push_back(r);
        }
        break;
      }
      case Tag::kAddValueFile: {
        ValueFileMeta f;
        std::uint32_t kind = 0;
        if (!util::get_varint64(&in, &f.number) || !util::get_varint32(&in, &kind) ||
            !util::get_varint64(&in, &f.size)) {
          return Status::corruption(file, offset, "truncated " + field);
        }
        f.value_bytes = f.size;  // version 3: not recorded
        if (format_version >= kManifestFormatVersion && !util::get_varint64(&in, &f.value_bytes)) {
          return Status::corruption(file, offset, "truncated " + field);
        }
        const std::string name = "value file " + std::to_string(f.number);
        const std::uint32_t max_kind = format_version >= kManifestFormatVersion
                                           ? static_cast<std::uint32_t>(ValueFileKind::kValueLog)
                                           : static_cast<std::uint32_t>(ValueFileKind::kWal);
        if (kind > max_kind) {
          return Status::corruption(file, offset, name + ": unknown kind " + std::to_string(kind));
        }
        if (f.value_bytes > f.size) {
          return Status::corruption(file, offset,
                                    name + ": value_bytes " + std::to_string(f.value_bytes) +
                                        " above its size " + std::to_string(f.size));
        }
        f.kind = static_cast<ValueFileKind>(kind);
        e.added_value_files.push_back(f);
        break;
      }
      case Tag::kRemoveValueFile: {
        std::uint64_t number = 0;
        if (!util::get_varint64(&in, &number)) {
          return Status::corruption(file, offset, "truncated " + field);
        }
        e.removed_value_files.push_back(number);
        break;
      }
      case Tag::kSnapshot:
        if (e.snapshot) return Status::corruption(file, offset, field + " appears twice");
        e.snapshot = true;
        break;
      default:
        return Status::corruption(file, offset, "unknown manifest edit tag " + std::to_string(tag));
    }
  }
  return e;
}

}  // namespace sand::manifest
