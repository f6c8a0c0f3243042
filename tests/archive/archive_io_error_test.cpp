// An import that meets an I/O error at any step (creating, appending to,
// syncing or closing a table or the MANIFEST, syncing the directory, the
// renames, the lock) fails with that IOError and leaves nothing: no database
// under the target name and no file in its temporary directory. Each run
// fails the n-th mutating file system call, for every n up to a clean run.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "archive/archive_test_support.hpp"
#include "sand/sand.hpp"
#include "support/db_helpers.hpp"
#include "support/forwarding_file_system.hpp"

using namespace sand;
using sand::test::must;

namespace {

// Fails the `fail_at`-th mutating call (0-based) with EIO; removals always
// go through, so the clean-up can be checked.
class FailNthFileSystem final : public sand::test::ForwardingFileSystem {
 public:
  FailNthFileSystem(std::shared_ptr<FileSystem> base, int fail_at)
      : ForwardingFileSystem(std::move(base)), fail_at_(fail_at) {}
  int mutations() const { return seen_; }

 private:
  Status intercept(const sand::test::FsCall& call, const sand::test::Forward& forward) override {
    if (sand::test::mutates(call.op) && call.op != sand::test::FsOp::kRemoveFile) {
      if (seen_++ == fail_at_) {
        return Status::io_error(call.path + ": injected (" +
                                std::string(sand::test::fs_op_name(call.op)) + ")");
      }
    }
    return forward();
  }
  const int fail_at_;
  int seen_ = 0;
};

// An archive of a few hundred entries, cut into several tables at 4 KiB.
std::string source_archive() {
  auto db = must(DB::open("/src", Options{.file_system = memory_file_system()}));
  for (int i = 0; i < 400; ++i) {
    must(db->put("key" + std::to_string(i % 97), std::string(i % 60, 'v')));
  }
  return must(sand::test::export_to_string(*db));
}

}  // namespace

TEST_CASE("an I/O error at any step of an import leaves nothing behind", "[archive][io]") {
  const std::string archive = source_archive();
  std::shared_ptr<FileSystem> memory;
  int n = 0;
  for (;; ++n) {
    memory = memory_file_system();
    auto fs = std::make_shared<FailNthFileSystem>(memory, n);
    std::istringstream in(archive);
    const Result<ArchiveSummary> r =
        import_archive("/dbs/db", in, Options{.target_file_size = 4096, .file_system = fs});
    if (r.is_ok()) break;  // n is past the last mutating call
    INFO("failing mutating call " << n << ": " << r.status().to_string());
    CHECK(r.status().code() == Code::kIOError);
    CHECK(r.status().message().find("injected") != std::string::npos);
    const auto left = memory->list_dir("/dbs/db.import-tmp");
    CHECK((!left.is_ok() || left->empty()));
    if (r.status().message() == "/dbs: injected (sync_dir)") {
      // The last step, after the rename: the database is complete (as a
      // checkpoint's is), only its name may not survive a power loss.
      CHECK(memory->exists("/dbs/db/MANIFEST"));
    } else {
      CHECK_FALSE(memory->exists("/dbs/db"));
    }
    REQUIRE(n < 10000);
  }
  CHECK(n > 10);  // several tables, each created, appended, synced and closed
  auto db = must(DB::open("/dbs/db", Options{.create_if_missing = false, .file_system = memory}));
  CHECK(must(db->get("key5")).has_value());
}
