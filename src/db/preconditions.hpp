// Write preconditions (WriteBatch::expect_version, expect_missing,
// expect_exists): which batches of one write group may commit.
//
// The leader of a group (DB::Impl::commit_group, db_impl_write.cpp) calls
// check_preconditions under write_mu_, before it assigns versions, so no
// other write can come between a batch's check and its commit. Each batch is
// checked against the committed state plus the batches of the same group
// that passed before it, in queue order: a passing batch's put gives its key
// the version that batch will commit at, its del gives 0. A failing batch
// changes nothing and takes no version, so the passing ones still commit at
// consecutive versions. Every precondition of a batch sees the state before
// that batch, never the batch's own operations.
//
// Pure logic over the batches and a lookup function; thread-compatible
// (`committed_version` is only called on the calling thread).
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sand/options.hpp"
#include "sand/status.hpp"
#include "sand/write_batch.hpp"

namespace sand {

// The version a precondition compares against in the committed state: the
// newest put's, 0 if the key's newest entry is a tombstone or there is none
// (DB::Impl::key_version). An error fails the batch that asked.
using CommittedVersionFn = std::function<Result<Version>(std::string_view key)>;

// One status per batch of `batches` (a group, in queue order): OK when every
// precondition holds (the batch commits); Conflict naming the first one that
// does not, e.g. "key 'k' expected version 4, found 7"; or the error
// `committed_version` returned. Passing batches are taken to commit at
// first_version, first_version + 1, ... in order. A group without
// preconditions costs one pass over the batches and no lookup; otherwise
// `committed_version` is called at most once per key (until it fails).
std::vector<Status> check_preconditions(std::span<const WriteBatch* const> batches,
                                        Version first_version,
                                        const CommittedVersionFn& committed_version);

// `key` for an error message: printable ASCII as is, every other byte and
// the backslash as `\xNN` (so the text is unambiguous); only the first 128
// bytes, followed by "... (N bytes)", for a longer key.
std::string printable_key(std::string_view key);

}  // namespace sand
