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
  }
}

Result<Edit> Edit::decode(std::string_view payload, std::string_view file, std::uint64_t offset) {
  Edit e;
  std::string_view in = payload;
  while (!in.empty()) {
    std::uint32_t tag = 0;
    if (!util::get_varint32(&in, &tag)) {
      return Status::corruption(file, offset, "truncated manifest edit tag");
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
        auto t = std::find_if(e.added.rbegin(), e.added.rend(),
                              [&](const TableMeta& m) { return m.number == number; });
        if (t == e.added.rend()) {
          return Status::corruption(file, offset,
                                    "run given for table " + std::to_string(number) +
                                        " that this edit does not add");
        }
        if (t->run != 0 || run == 0) {
          return Status::corruption(file, offset,
                                    "table " + std::to_string(number) + ": bad or repeated run");
        }
        t->run = run;
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
