// Tests for tests/support/forwarding_file_system: that FsOp names every
// method of include/sand/file_system.hpp and CompleteFileSystem every default
// one (read from the sources, so a method added there fails here first);
// that the base, and each FileSystem double of tests/support, lets every op
// through its hook as itself; and what intercept() can make of a call.
#include "support/forwarding_file_system.hpp"

#include <catch2/catch.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "sand/sand.hpp"
#include "support/crash_file_system.hpp"
#include "support/crash_model.hpp"
#include "support/db_helpers.hpp"
#include "support/fault_file_system.hpp"
#include "support/fs_op_coverage.hpp"
#include "support/fsync_audit.hpp"
#include "support/hook_file_system.hpp"

using namespace sand;
using sand::test::check_every_op_reaches;
using sand::test::Forward;
using sand::test::ForwardingFileSystem;
using sand::test::FsCall;
using sand::test::FsOp;
using sand::test::kFsOpCount;
using sand::test::must;

namespace {

// --- Reading the interface from the sources ----------------------------------

std::string read_source(const std::string& relative) {
  std::ifstream in(std::string(SAND_SOURCE_DIR) + "/" + relative);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `text` without // comments, every run of whitespace one space.
std::string flatten(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "//") == 0) {
      i = text.find('\n', i);
      if (i == std::string::npos) break;
    }
    const bool space = std::isspace(static_cast<unsigned char>(text[i])) != 0;
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : text[i];
  }
  return out;
}

// The declarations (split at ';') in the body of the class whose head
// (e.g. "class SAND_EXPORT FileSystem {") `flat` contains once.
std::vector<std::string> class_declarations(const std::string& flat, const std::string& head) {
  const std::size_t begin = flat.find(head);
  REQUIRE(begin != std::string::npos);
  const std::size_t end = flat.find("};", begin);  // these classes have no inline bodies
  REQUIRE(end != std::string::npos);
  std::vector<std::string> out;
  std::stringstream body(flat.substr(begin + head.size(), end - begin - head.size()));
  for (std::string decl; std::getline(body, decl, ';');) out.push_back(decl);
  return out;
}

// The name declared by `decl`: the identifier right before its first '('.
std::string declared_name(const std::string& decl) {
  std::size_t end = decl.find('(');
  while (end > 0 && decl[end - 1] == ' ') --end;
  std::size_t begin = end;
  while (begin > 0 && (std::isalnum(static_cast<unsigned char>(decl[begin - 1])) != 0 ||
                       decl[begin - 1] == '_' || decl[begin - 1] == '~')) {
    --begin;
  }
  return decl.substr(begin, end - begin);
}

bool is_pure(const std::string& decl) {
  return decl.size() >= 3 && decl.compare(decl.size() - 3, 3, "= 0") == 0;
}

struct Methods {
  std::set<std::string> all;        // every virtual method but the destructor
  std::set<std::string> defaulted;  // those with a default body
};

// The virtual methods a class of include/sand/file_system.hpp declares.
Methods interface_methods(const std::string& head) {
  Methods m;
  const std::string flat = flatten(read_source("include/sand/file_system.hpp"));
  for (std::string decl : class_declarations(flat, head)) {
    while (!decl.empty() && decl.back() == ' ') decl.pop_back();
    if (decl.find("virtual ") == std::string::npos) continue;
    const std::string name = declared_name(decl);
    if (name.starts_with("~")) continue;
    m.all.insert(name);
    if (!is_pure(decl)) m.defaulted.insert(name);
  }
  return m;
}

std::set<std::string> op_names(bool file_ops) {
  std::set<std::string> out;
  for (std::size_t i = 0; i < kFsOpCount; ++i) {
    const auto op = static_cast<FsOp>(i);
    if (sand::test::is_file_op(op) == file_ops) out.emplace(sand::test::fs_op_name(op));
  }
  return out;
}

}  // namespace

TEST_CASE("FsOp names every FileSystem and WritableFile method of file_system.hpp",
          "[io][forwarding]") {
  INFO(
      "a method was added to or removed from include/sand/file_system.hpp: give it an FsOp, "
      "forward it in ForwardingFileSystem, and a step in check_every_op_reaches");
  CHECK(interface_methods("class SAND_EXPORT FileSystem {").all == op_names(false));
  // size() reports the handle's own count; it is no call a double could fail.
  std::set<std::string> file_methods = interface_methods("class SAND_EXPORT WritableFile {").all;
  CHECK(file_methods.erase("size") == 1);
  CHECK(file_methods == op_names(true));
}

TEST_CASE("CompleteFileSystem makes every default FileSystem method pure again",
          "[io][forwarding]") {
  const std::string flat = flatten(read_source("tests/support/forwarding_file_system.hpp"));
  std::set<std::string> pure;
  for (std::string decl :
       class_declarations(flat, "class CompleteFileSystem : public FileSystem {")) {
    while (!decl.empty() && decl.back() == ' ') decl.pop_back();
    if (decl.find(" override") != std::string::npos && is_pure(decl)) {
      pure.insert(declared_name(decl));
    }
  }
  INFO(
      "a FileSystem method with a default body must be declared '= 0' in CompleteFileSystem, "
      "or a double can fall back to the default unnoticed");
  CHECK(interface_methods("class SAND_EXPORT FileSystem {").defaulted == pure);
  // WritableFile has no such class: each of its methods must stay pure.
  CHECK(interface_methods("class SAND_EXPORT WritableFile {").defaulted.empty());
}

TEST_CASE("ForwardingFileSystem passes every op to the wrapped one as itself", "[io][forwarding]") {
  auto below = std::make_shared<ForwardingFileSystem>(memory_file_system());
  auto fs = std::make_shared<ForwardingFileSystem>(below);
  check_every_op_reaches(*fs, {fs.get(), below.get()}, "/cov");
}

namespace {

// Fails the calls of one op with EIO, or answers them OK without forwarding.
class Refusing final : public ForwardingFileSystem {
 public:
  Refusing(std::shared_ptr<FileSystem> base, FsOp op, bool answer_ok)
      : ForwardingFileSystem(std::move(base)), op_(op), answer_ok_(answer_ok) {}

  std::vector<std::string> seen;  // "op path" of every call, in order

 private:
  Status intercept(const FsCall& call, const Forward& forward) override {
    seen.push_back(std::string(sand::test::fs_op_name(call.op)) + " " + call.path);
    if (call.op != op_) return forward();
    return answer_ok_ ? Status::ok() : Status::io_error(call.path, EIO);
  }

  const FsOp op_;
  const bool answer_ok_;
};

}  // namespace

TEST_CASE("intercept() fails a call without reaching the wrapped file system", "[io][forwarding]") {
  auto below = std::make_shared<ForwardingFileSystem>(memory_file_system());
  must(below->create_dir("/d"));

  SECTION("a Status call") {
    auto fs = std::make_shared<Refusing>(below, FsOp::kSyncDir, false);
    const Status s = fs->sync_dir("/d");
    CHECK(s.code() == Code::kIOError);
    CHECK(s.message() == "/d: " + std::string(std::strerror(EIO)));
    CHECK(below->calls(FsOp::kSyncDir) == 0);
  }
  SECTION("a call that returns a file") {
    auto fs = std::make_shared<Refusing>(below, FsOp::kNewLogFile, false);
    CHECK(fs->new_log_file("/d/w").status().code() == Code::kIOError);
    CHECK(below->calls(FsOp::kNewLogFile) == 0);
    CHECK_FALSE(below->exists("/d/w"));
  }
  SECTION("exists() answers false") {
    must(below->create_dir("/d/sub"));
    auto fs = std::make_shared<Refusing>(below, FsOp::kExists, false);
    CHECK_FALSE(fs->exists("/d/sub"));
    CHECK(below->calls(FsOp::kExists) == 0);
  }
  SECTION("a file's append") {
    auto fs = std::make_shared<Refusing>(below, FsOp::kAppend, false);
    auto file = must(fs->new_writable_file("/d/f"));
    CHECK(file->append("abc").code() == Code::kIOError);
    CHECK(file->size() == 0);
    CHECK(file->close().is_ok());
    CHECK(fs->seen ==
          std::vector<std::string>{"new_writable_file /d/f", "append /d/f", "close /d/f"});
  }
}

TEST_CASE("intercept() answering OK without forwarding", "[io][forwarding]") {
  auto below = std::make_shared<ForwardingFileSystem>(memory_file_system());
  must(below->create_dir("/d"));

  SECTION("is a silent success for a Status call (an fsync that lies)") {
    auto fs = std::make_shared<Refusing>(below, FsOp::kSync, true);
    auto file = must(fs->new_writable_file("/d/f"));
    CHECK(file->sync().is_ok());
    CHECK(below->calls(FsOp::kSync) == 0);
  }
  SECTION("is an IOError for a call that returns a value") {
    auto fs = std::make_shared<Refusing>(below, FsOp::kListDir, true);
    const Status s = fs->list_dir("/d").status();
    CHECK(s.code() == Code::kIOError);
    CHECK(s.message() == "/d: list_dir answered without reaching the file system");
  }
}

TEST_CASE("a file keeps the ForwardingFileSystem that handed it out alive", "[io][forwarding]") {
  auto below = std::make_shared<ForwardingFileSystem>(memory_file_system());
  must(below->create_dir("/d"));
  auto fs = std::make_shared<Refusing>(below, FsOp::kRemoveFile, false);
  std::unique_ptr<WritableFile> file = must(fs->new_writable_file("/d/f"));
  const std::weak_ptr<Refusing> weak = fs;
  fs.reset();
  REQUIRE_FALSE(weak.expired());
  CHECK(file->append("x").is_ok());
  CHECK(file->close().is_ok());
  CHECK(weak.lock()->seen.back() == "close /d/f");
  file.reset();
  CHECK(weak.expired());
}

// Each double of tests/support; the doubles defined in test files are checked
// there (group_commit_test, io_error_test, manifest_log_test). Every one
// wraps `below`, which shows what got through.
TEST_CASE("every FileSystem double of tests/support lets every op through its hook",
          "[io][forwarding]") {
  auto below = std::make_shared<ForwardingFileSystem>(memory_file_system());
  // Calls of mutating ops that got through, as the doubles count them.
  const auto mutating_calls = [&](bool file_ops) {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < kFsOpCount; ++i) {
      const auto op = static_cast<FsOp>(i);
      if (sand::test::mutates(op) && (file_ops || !sand::test::is_file_op(op))) {
        n += below->calls(op);
      }
    }
    return n;
  };

  SECTION("CrashFileSystem") {
    auto fs = std::make_shared<sand::test::CrashFileSystem>(below);
    check_every_op_reaches(*fs, {fs.get(), below.get()}, "/cov");
    CHECK(fs->ops() == mutating_calls(true));
  }
  SECTION("FaultFileSystem (the model is the bottom: CompleteFileSystem)") {
    auto fs = std::make_shared<sand::test::FaultFileSystem>();
    check_every_op_reaches(*fs, {fs.get()}, "/cov");
    std::uint64_t mutating = 0;
    for (std::size_t i = 0; i < kFsOpCount; ++i) {
      const auto op = static_cast<FsOp>(i);
      if (sand::test::mutates(op)) mutating += fs->calls(op);
    }
    CHECK(fs->ops() == mutating);
  }
  SECTION("HookFileSystem") {
    auto fs = std::make_shared<sand::test::HookFileSystem>(below);
    int reads = 0, lists = 0;
    fs->before_read = [&](const std::string&) {
      ++reads;
      return Status::ok();
    };
    fs->before_list = [&](const std::string&) { ++lists; };
    check_every_op_reaches(*fs, {fs.get(), below.get()}, "/cov");
    CHECK(fs->mutations.load() == static_cast<int>(mutating_calls(false)));
    CHECK(reads == 2);
    CHECK(lists == 1);
  }
  SECTION("ManifestBytesFileSystem") {
    auto fs = std::make_shared<sand::test::fsync_audit::ManifestBytesFileSystem>(below);
    check_every_op_reaches(*fs, {fs.get(), below.get()}, "/cov");
  }
  SECTION("GateFileSystem") {
    auto fs = std::make_shared<sand::test::GateFileSystem>(below);
    check_every_op_reaches(*fs, {fs.get(), below.get()}, "/cov");
  }
}
