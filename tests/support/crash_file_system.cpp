// CrashFileSystem: every call asks for admission in intercept(), so the
// crash point is one counter compared with one limit.
#include "support/crash_file_system.hpp"

namespace sand::test {
namespace {

Status crash_error(const std::string& what) { return Status::io_error(what + ": simulated crash"); }

}  // namespace

Status CrashFileSystem::intercept(const FsCall& call, const Forward& forward) {
  if (mutates(call.op)) {
    SAND_RETURN_IF_ERROR(admit_mutation(call.path));
  } else if (crashed_.load()) {
    return crash_error(call.path);  // a dead process reads nothing either
  }
  return forward();
}

Status CrashFileSystem::admit_mutation(const std::string& what) {
  // Compare-and-swap makes "check the limit, then count" one step, so with
  // several threads exactly `limit_` ops get through.
  std::uint64_t n = ops_.load();
  do {
    if (crashed_.load() || n >= limit_.load()) {
      crashed_.store(true);
      return crash_error(what);
    }
  } while (!ops_.compare_exchange_weak(n, n + 1));
  return Status::ok();
}

}  // namespace sand::test
