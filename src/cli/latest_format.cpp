// Latest-value formats (cli/latest_format.hpp): a writer per format over a
// scan, a record reader per format, and the batching import loop.
#include "cli/latest_format.hpp"

#include <memory>
#include <string>
#include <utility>

#include "cli/escape.hpp"
#include "cli/json_bytes.hpp"
#include "sand/options.hpp"
#include "sand/write_batch.hpp"

namespace sand::cli {
namespace {

Status line_error(std::uint64_t line, std::string_view what) {
  std::string message = "line " + std::to_string(line) + ": ";
  message += what;
  return Status::invalid_argument(std::move(message));
}

// ---- Writing ----

// RFC 4180: quoted only when it must be.
void write_csv_field(std::ostream& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out << field;
    return;
  }
  out << '"';
  for (const char c : field) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

void write_record(std::ostream& out, LatestFormat format, std::string_view key,
                  std::string_view value) {
  switch (format) {
    case LatestFormat::kJsonLines: {
      Json record = Json::object();
      record["key"] = bytes_to_json(key);
      record["value"] = bytes_to_json(value);
      out << record.dump() << '\n';  // bytes_to_json makes only valid UTF-8
      return;
    }
    case LatestFormat::kTsv:
      out << escape_key(key) << '\t' << escape_value(value) << '\n';
      return;
    case LatestFormat::kCsv:
      write_csv_field(out, key);
      out << ',';
      write_csv_field(out, value);
      out << "\r\n";
      return;
  }
}

// ---- Reading ----

struct Record {
  std::string key;
  std::string value;
  std::uint64_t line = 0;  // where it starts, 1-based
};

// Yields the records of one input, in order.
class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // The next record into *record: true, or false at the end of the input.
  // Errors: InvalidArgument "line N: ..."; IOError if the stream failed.
  virtual Result<bool> next(Record* record) = 0;
};

// jsonl and tsv: one record per line.
class LineSource final : public RecordSource {
 public:
  LineSource(std::istream& in, LatestFormat format) : in_(in), format_(format) {}

  Result<bool> next(Record* record) override {
    if (!std::getline(in_, line_)) {
      if (in_.bad()) return Status::io_error("input: read failed");
      return false;
    }
    record->line = ++number_;
    if (line_.empty()) return line_error(number_, "empty line");
    const Status parsed =
        format_ == LatestFormat::kJsonLines ? parse_json_line(record) : parse_tsv_line(record);
    if (!parsed.is_ok()) return parsed;
    return true;
  }

 private:
  Status parse_json_line(Record* record) const {
    const Json object = Json::parse(line_, nullptr, /*allow_exceptions=*/false);
    if (object.is_discarded()) return line_error(number_, "not valid JSON");
    if (!object.is_object()) {
      return line_error(number_, R"(expected an object {"key": ..., "value": ...})");
    }
    for (const auto& item : object.items()) {
      if (item.key() != "key" && item.key() != "value") {
        return line_error(number_,
                          "unexpected member " + Json(item.key()).dump() + " (only key and value)");
      }
    }
    for (const char* name : {"key", "value"}) {
      const auto member = object.find(name);
      if (member == object.end()) {
        return line_error(number_, std::string("missing member \"") + name + "\"");
      }
      Result<std::string> bytes = bytes_from_json(*member, name);
      if (!bytes.is_ok()) return line_error(number_, bytes.status().message());
      (std::string_view(name) == "key" ? record->key : record->value) = std::move(bytes).value();
    }
    return Status::ok();
  }

  Status parse_tsv_line(Record* record) const {
    std::string_view text = line_;
    if (text.ends_with('\r')) text.remove_suffix(1);  // a CRLF line end
    const std::size_t tab = text.find('\t');
    if (tab == std::string_view::npos || text.find('\t', tab + 1) != std::string_view::npos) {
      std::size_t fields = 1;
      for (const char c : text) fields += c == '\t';
      return line_error(
          number_, "expected 2 tab-separated fields (key, value), found " + std::to_string(fields));
    }
    Result<std::string> key = unescape(text.substr(0, tab));
    if (!key.is_ok()) return line_error(number_, "key: " + key.status().message());
    Result<std::string> value = unescape(text.substr(tab + 1));
    if (!value.is_ok()) return line_error(number_, "value: " + value.status().message());
    record->key = std::move(key).value();
    record->value = std::move(value).value();
    return Status::ok();
  }

  std::istream& in_;
  const LatestFormat format_;
  std::string line_;
  std::uint64_t number_ = 0;
};

// csv: RFC 4180 records, which may span lines inside quotes.
class CsvSource final : public RecordSource {
 public:
  explicit CsvSource(std::istream& in) : in_(*in.rdbuf()) {}

  Result<bool> next(Record* record) override {
    if (!header_read_) {
      header_read_ = true;
      Result<bool> header = read_record(record);
      if (!header.is_ok()) return header;
      if (!*header || record->key != "key" || record->value != "value") {
        return line_error(1, "expected the header line key,value");
      }
    }
    return read_record(record);
  }

 private:
  using Traits = std::istream::traits_type;
  static constexpr int kEnd = Traits::eof();

  int peek() { return in_.sgetc(); }
  int take() { return in_.sbumpc(); }

  Result<bool> read_record(Record* record) {
    if (peek() == kEnd) return false;
    record->line = line_;
    std::size_t fields = 0;
    for (;;) {
      std::string& field = fields == 0 ? record->key : record->value;
      std::string extra;  // a third or later field, kept only to be counted
      std::string& into = fields < 2 ? field : extra;
      into.clear();
      const Status read = peek() == '"' ? read_quoted(&into) : read_unquoted(&into);
      if (!read.is_ok()) return read;
      ++fields;
      const int c = take();
      if (c == ',') continue;
      if (c == '\r' && take() != '\n') {
        return line_error(line_, "a CR outside quotes must be followed by LF");
      }
      if (c != kEnd) ++line_;
      break;
    }
    if (fields != 2) {
      return line_error(record->line, "expected 2 comma-separated fields (key, value), found " +
                                          std::to_string(fields));
    }
    return true;
  }

  Status read_quoted(std::string* field) {
    const std::uint64_t opened = line_;
    take();  // the opening quote
    for (;;) {
      const int c = take();
      if (c == kEnd) {
        return line_error(opened, "a quoted field is not closed before the end of the input");
      }
      if (c == '"') {
        if (peek() != '"') break;
        take();  // "" stands for one quote
      } else if (c == '\n') {
        ++line_;
      }
      field->push_back(Traits::to_char_type(c));
    }
    const int after = peek();
    if (after != ',' && after != '\r' && after != '\n' && after != kEnd) {
      return line_error(line_, "text after the closing quote of a field");
    }
    return Status::ok();
  }

  Status read_unquoted(std::string* field) {
    for (;;) {
      const int c = peek();
      if (c == ',' || c == '\r' || c == '\n' || c == kEnd) return Status::ok();
      if (c == '"') {
        return line_error(line_,
                          "a quote inside an unquoted field (quote the field and double the "
                          "quote)");
      }
      field->push_back(Traits::to_char_type(take()));
    }
  }

  std::streambuf& in_;
  std::uint64_t line_ = 1;
  bool header_read_ = false;
};

std::unique_ptr<RecordSource> make_source(LatestFormat format, std::istream& in) {
  if (format == LatestFormat::kCsv) return std::make_unique<CsvSource>(in);
  return std::make_unique<LineSource>(in, format);
}

Status check_limits(const Record& record) {
  if (record.key.size() > kMaxKeySize) {
    return line_error(record.line, "key of " + std::to_string(record.key.size()) +
                                       " bytes is over the limit of " +
                                       std::to_string(kMaxKeySize));
  }
  if (record.value.size() > kMaxValueSize) {
    return line_error(record.line, "value of " + std::to_string(record.value.size()) +
                                       " bytes is over the limit of " +
                                       std::to_string(kMaxValueSize));
  }
  return Status::ok();
}

}  // namespace

Result<LatestFormat> parse_latest_format(std::string_view name) {
  if (name == "jsonl") return LatestFormat::kJsonLines;
  if (name == "tsv") return LatestFormat::kTsv;
  if (name == "csv") return LatestFormat::kCsv;
  std::string message = "--format: unknown format '";
  message += escape_key(name);
  message += "' (expected jsonl, tsv or csv)";
  return Status::invalid_argument(std::move(message));
}

Result<std::uint64_t> write_latest(const DB& db, LatestFormat format, std::ostream& out,
                                   Progress* progress) {
  Result<Iterator> it = db.scan();
  if (!it.is_ok()) return it.status();
  if (format == LatestFormat::kCsv) out << "key,value\r\n";
  std::uint64_t records = 0, bytes = 0;
  for (; it->valid(); it->next()) {
    write_record(out, format, it->key(), it->value());
    if (!out) return Status::io_error("output: write failed");
    ++records;
    bytes += it->key().size() + it->value().size();
    if (progress != nullptr) progress->update(records, bytes);
  }
  SAND_RETURN_IF_ERROR(it->status());
  out.flush();
  if (!out) return Status::io_error("output: write failed");
  return records;
}

Result<std::uint64_t> read_latest(DB& db, LatestFormat format, std::istream& in,
                                  Progress* progress) {
  const std::unique_ptr<RecordSource> source = make_source(format, in);
  WriteBatch batch;
  std::uint64_t records = 0, bytes = 0;
  auto write_batch = [&]() -> Status {
    if (batch.empty()) return Status::ok();
    Result<Version> written = db.write(batch);
    batch.clear();
    return written.is_ok() ? Status::ok() : written.status();
  };
  Record record;
  for (;;) {
    Result<bool> more = source->next(&record);
    if (more.is_ok() && !*more) break;
    if (Status bad = more.is_ok() ? check_limits(record) : more.status(); !bad.is_ok()) {
      // Everything before the bad record is kept, whatever the batch size.
      SAND_RETURN_IF_ERROR(write_batch());
      return bad;
    }
    batch.put(record.key, record.value);
    ++records;
    bytes += record.key.size() + record.value.size();
    if (batch.count() >= kImportBatchRecords || batch.byte_size() >= kImportBatchBytes) {
      SAND_RETURN_IF_ERROR(write_batch());
    }
    if (progress != nullptr) progress->update(records, bytes);
  }
  SAND_RETURN_IF_ERROR(write_batch());
  return records;
}

}  // namespace sand::cli
