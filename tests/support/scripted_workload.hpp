// ScriptedWorkload: a write workload whose batch for each version is a pure
// function of the version, so a process that only reads can compute the
// exact state the writer produced at any version and check what it sees.
// Test-only.
//
// Batch v holds 1-3 operations over 400 keys ("k0000".."k0399"); about one
// operation in eleven is a delete; values name their version and grow to
// ~100 bytes so tables fill quickly, and the values of every 17th version
// are ~2 KiB (compressible: a writer that separates values and compresses
// with LZ4 writes them as compressed puts, spec/wal.md kind 3).
//
// Thread-safety: pure functions; a ScriptedState is a plain value.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "sand/options.hpp"
#include "sand/write_batch.hpp"

namespace sand::test {

struct ScriptedOp {
  std::string key{};
  bool del = false;
  std::string value{};
};

inline ScriptedOp scripted_op(Version v, int j) {
  char key[8];
  std::snprintf(key, sizeof key, "k%04d", static_cast<int>((v * 7919 + j * 104729) % 400));
  ScriptedOp op{.key = key};
  op.del = (v + static_cast<Version>(j)) % 11 == 0;
  if (!op.del) {
    const std::size_t pad = v % 17 == 0 ? 2100 : static_cast<std::size_t>(v % 5) * 20;
    op.value = "v" + std::to_string(v) + "." + std::to_string(j) + std::string(pad, 'x');
  }
  return op;
}

inline int scripted_op_count(Version v) { return 1 + static_cast<int>(v % 3); }

inline WriteBatch scripted_batch(Version v) {
  WriteBatch b;
  for (int j = 0; j < scripted_op_count(v); ++j) {
    const ScriptedOp op = scripted_op(v, j);
    if (op.del) {
      b.del(op.key);
    } else {
      b.put(op.key, op.value);
    }
  }
  return b;
}

// The state after versions 1..version() of the script.
class ScriptedState {
 public:
  // Applies batches version()+1 .. v.
  void advance_to(Version v) {
    for (; version_ < v;) {
      ++version_;
      for (int j = 0; j < scripted_op_count(version_); ++j) {
        ScriptedOp op = scripted_op(version_, j);
        if (op.del) {
          live_.erase(op.key);
        } else {
          live_[op.key] = std::move(op.value);
        }
      }
    }
  }
  Version version() const { return version_; }
  const std::map<std::string, std::string>& live() const { return live_; }

 private:
  Version version_ = 0;
  std::map<std::string, std::string> live_;
};

}  // namespace sand::test
