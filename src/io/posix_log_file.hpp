// The POSIX log file: a WritableFile for the WAL that appends with memcpy
// into a shared mapping of a preallocated file instead of one write(2) per
// append (FileSystem::new_log_file).
//
// Why: a WAL append is one record per write group, usually one small put.
// Through write(2) each costs a syscall and ext4's per-write page locking,
// which profiles showed to be half of fillseq's time; a copy into a mapped
// page of the page cache costs a page fault per 4 KiB instead. The pages are
// the kernel's, so a killed process still loses nothing it appended
// (doc/design.md section 3), and fdatasync(2) writes back pages dirtied through
// a mapping like any others (Linux).
//
// While appends fill one window, another thread populates the next
// (madvise MADV_POPULATE_WRITE): the kernel's share of an append, finding,
// zeroing and dirtying fresh page-cache pages, moves off the writer's
// thread. Measured with 4 KiB values (fillrandom, value separation on): a
// page fault or a pwrite(2) per 4 KiB was most of the writer's time; with
// the pages populated ahead, fills of 1 KiB and 4 KiB values are 20-30%
// faster (small ones unchanged).
//
// An append of kWriteThroughMin (8 KiB) or more is written by pwrite(2)
// instead (see kWriteThroughMin).
//
// Each time the appends cross into a new window, that other thread also
// starts the write-back of the windows behind (sync_file_range(2),
// SYNC_FILE_RANGE_WRITE, which does not wait for the disk). Otherwise the
// kernel writes nothing back until the dirty limits or sync(): the WAL
// writer's fdatasync when it seals a full 64 MiB WAL then wrote all of it,
// 40-60 ms during which every write waited. With the write-back started
// window by window, that sync finds little left to do: fills with 1-16 KiB
// values, separated, became 1.4-1.9x as fast (same-run A/B). The bytes
// written are the same, and a write-back error still reaches the next
// sync(): fdatasync reports every one since the last.
//
// The file grows by windows of kWindowSize bytes, each fallocate(2)d before
// it is mapped or written, so a full disk is an IOError from append() and never a
// SIGBUS on a page fault. Bytes past size() are zeros until close(), which
// trims the file to size(); a crash leaves the zeros, which the log reader
// rules read as a torn tail (spec/wal.md rule R4).
//
// Thread-safety: one thread at a time, like every WritableFile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "sand/file_system.hpp"

namespace sand::io {

// Bytes added to a log file (and mapped) at a time. Small enough that the
// zeros a crash leaves cost little to read, large enough that the
// fallocate + mmap per window is noise next to the appends that fill it.
inline constexpr std::uint64_t kWindowSize = std::uint64_t{1} << 20;

// Appends at least this large go to the file by pwrite(2) instead of through
// the mapping, and do not make another thread populate pages ahead: with
// 16 KiB values the populate, not the writer, set the pace (~600 MB/s of
// page-cache work), and the writer doing that work itself through pwrite
// was 10% faster (fillrandom 25.4 vs 28 us per put). At 4 KiB the mapping
// with pages populated ahead is 25% faster than pwrite. Both paths write the
// same page-cache pages (Linux keeps a shared mapping coherent with
// write(2)).
inline constexpr std::size_t kWriteThroughMin = 8192;

// Creates (or truncates) `path` as a log file. Errors: IOError naming it.
Result<std::unique_ptr<WritableFile>> create_posix_log_file(const std::string& path);

}  // namespace sand::io
