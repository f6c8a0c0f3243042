// The C API's archives: sand_export_archive and sand_import_archive over
// sand::export_archive / sand::import_archive, with files for streams (C has
// no iostreams).
#include <cerrno>
#include <cstdio>
#include <fstream>

#include "capi/c_internal.hpp"
#include "sand/archive.hpp"

using sand::capi::guard;

extern "C" {

sand_code_t sand_export_archive(const sand_db_t* db, const char* path, uint64_t* entries,
                                char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    if (entries != nullptr) *entries = 0;
    SAND_C_REQUIRE(db, "sand_export_archive");
    SAND_C_REQUIRE(path, "sand_export_archive");
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return sand::Status::io_error(path, errno);
    sand::Result<sand::ArchiveSummary> summary = sand::export_archive(*db->db, out, {.name = path});
    out.close();
    sand::Status status = summary.status();
    if (status.is_ok() && !out)
      status = sand::Status::io_error(std::string(path) + ": write failed");
    if (!status.is_ok()) {
      std::remove(path);  // no partial archive under its name
      return status;
    }
    if (entries != nullptr) *entries = summary->entries;
    return sand::Status::ok();
  });
}

sand_code_t sand_import_archive(const char* dir, const char* path, const sand_options_t* options,
                                uint64_t* entries, char** errmsg) {
  return guard(errmsg, [&]() -> sand::Status {
    if (entries != nullptr) *entries = 0;
    SAND_C_REQUIRE(dir, "sand_import_archive");
    SAND_C_REQUIRE(path, "sand_import_archive");
    std::ifstream in(path, std::ios::binary);
    if (!in) return sand::Status::io_error(path, errno);
    SAND_ASSIGN_OR_RETURN(
        const sand::ArchiveSummary summary,
        sand::import_archive(dir, in, options != nullptr ? options->options : sand::Options{},
                             {.name = path}));
    if (entries != nullptr) *entries = summary.entries;
    return sand::Status::ok();
  });
}

}  // extern "C"
