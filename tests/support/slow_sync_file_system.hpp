// SlowSyncFileSystem: forwards to a FileSystem, but every WritableFile::sync()
// takes 2 ms, like a real disk, so writers that arrive during one queue
// behind it and commit as one group (group commit tests, conditional-write
// races). Test-only.
#pragma once

#include <chrono>
#include <thread>

#include "support/forwarding_file_system.hpp"

namespace sand::test {

class SlowSyncFileSystem final : public ForwardingFileSystem {
 public:
  using ForwardingFileSystem::ForwardingFileSystem;

 private:
  Status intercept(const FsCall& call, const Forward& forward) override {
    if (call.op == FsOp::kSync) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return forward();
  }
};

}  // namespace sand::test
