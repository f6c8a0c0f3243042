// TempDir: a fresh directory under the system temp dir, removed when the
// object is destroyed. Test-only.
#pragma once

#include <string>

namespace sand::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace sand::test
