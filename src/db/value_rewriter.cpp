// ValueRewriter: due values copied into value logs (value_rewriter.hpp).
#include "db/value_rewriter.hpp"

#include "db/filenames.hpp"
#include "value/value_ref.hpp"

namespace sand {

ValueRewriter::ValueRewriter(FileSystem& fs, std::string dir, std::set<std::uint64_t> due,
                             std::shared_ptr<const value::ValueFiles> source,
                             std::uint64_t target_size,
                             std::function<std::uint64_t()> next_file_number)
    : fs_(fs),
      dir_(std::move(dir)),
      due_(std::move(due)),
      source_(std::move(source)),
      target_size_(target_size),
      next_file_number_(std::move(next_file_number)) {}

Result<bool> ValueRewriter::rewrite(std::string_view ref_bytes, std::string* moved) {
  if (due_.empty()) return false;
  const std::optional<value::ValueRef> ref = value::decode_value_ref(ref_bytes);
  if (!ref) return Status::corruption(dir_ + ": compaction input: malformed value reference");
  if (!due_.contains(ref->file)) return false;
  // The stored bytes move as they are: a compressed value stays compressed.
  SAND_RETURN_IF_ERROR(source_->read_stored(*ref, &buf_));
  if (log_ && log_->size() >= target_size_) {
    SAND_ASSIGN_OR_RETURN(manifest::ValueFileMeta meta, log_->finish());
    written_.push_back(meta);
    log_.reset();
  }
  if (!log_) {
    const std::uint64_t number = next_file_number_();
    SAND_ASSIGN_OR_RETURN(log_, value::ValueLogWriter::create(
                                    fs_, join_path(dir_, value_log_file_name(number)), number));
  }
  SAND_ASSIGN_OR_RETURN(value::ValueRef copy, log_->add(buf_));
  copy.raw_size = ref->raw_size;
  moved->clear();
  value::encode_value_ref(copy, moved);
  bytes_moved_ += copy.size;
  return true;
}

Result<std::vector<manifest::ValueFileMeta>> ValueRewriter::finish() {
  if (log_) {
    SAND_ASSIGN_OR_RETURN(manifest::ValueFileMeta meta, log_->finish());
    written_.push_back(meta);
    log_.reset();
  }
  return written_;
}

}  // namespace sand
