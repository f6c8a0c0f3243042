/**
 * @file c.h
 * @brief The C API of sanddb: the whole public API for C (C11) and for any
 * language that calls C.
 *
 * It mirrors the C++ API (sand/db.hpp and its neighbours) through opaque
 * handles: no C++ type, exception or `bool` crosses it. It can be included
 * from C++ too (the declarations have C linkage).
 *
 * @par Errors
 * Every function that can fail returns a ::sand_code_t (::SAND_OK on success)
 * and takes, last, a `char** errmsg` out parameter that may be NULL. When
 * `errmsg` is not NULL, the function first sets `*errmsg` to NULL (any earlier
 * value is overwritten, not freed), and on an error stores a malloc'd,
 * NUL-terminated "Kind: message" string there, e.g.
 * "Corruption: /db/000012.sst: offset 4096: block checksum mismatch"; free it
 * with sand_free(). `*errmsg` stays NULL on an error only if memory for the
 * message itself ran out. A NULL handle or a NULL required pointer is
 * ::SAND_INVALID_ARGUMENT with a message naming the function and the argument,
 * never a crash. On an error every out parameter other than `errmsg` is set to
 * NULL or 0 (when it is not NULL itself). No C++ exception ever leaves this
 * API: an out-of-memory condition is ::SAND_OUT_OF_MEMORY, any other failure
 * of the implementation ::SAND_INTERNAL.
 *
 * Functions that cannot fail return no code: destroy functions and setters of
 * plain numbers ignore a NULL handle; accessors return 0 or NULL for a NULL
 * handle or an index out of range.
 *
 * @par Bytes
 * Keys and values are byte ranges (`const char*` plus `size_t` length) and may
 * hold NUL bytes. A pointer may be NULL only when its length is 0 (the empty
 * key or value). Paths are NUL-terminated strings.
 *
 * @par Ownership
 * Each handle type has its creating functions (sand_open() and
 * sand_open_read_only(), sand_options_create(), sand_scan(), ...) and exactly
 * one releasing function, named in its description (sand_db_free(),
 * sand_options_destroy(), sand_iterator_destroy(), ...). Buffers the library
 * allocates for the caller (error messages, values from sand_get()) are
 * released with sand_free(). Pointers into a result object (a history entry,
 * a check finding, an iterator's key) are owned by that object and stay valid
 * as long as its description says, at most until it is released. The library
 * keeps no pointer to the caller's memory after a call returns: keys, values
 * and paths are copied.
 *
 * @par Enums
 * The enums are int-sized. In C++ they are declared with `int` as their
 * underlying type, so every value a C caller may pass (an int) is one the
 * library can receive; values outside an enum's list are refused with
 * ::SAND_INVALID_ARGUMENT (or named "Unknown" by sand_code_name()).
 *
 * @par Thread-safety
 * As in C++: a ::sand_db_t may be used from many threads at once, every
 * function included (sand_close() too), except sand_db_free(), which must be
 * the last call on the handle. Iterators, write batches, option objects and
 * result objects are used from one thread at a time. A ::sand_snapshot_t is
 * read-only after creation and may be shared. Iterators and snapshots may
 * outlive the database handle they came from.
 *
 * @par Example
 * @code
 * char* err = NULL;
 * sand_db_t* db = NULL;
 * if (sand_open("/tmp/db", NULL, &db, &err) != SAND_OK) {
 *   fprintf(stderr, "open: %s\n", err);
 *   sand_free(err);
 *   return 1;
 * }
 * uint64_t version = 0;
 * if (sand_put(db, NULL, "k", 1, "v", 1, &version, &err) != SAND_OK) {
 *   fprintf(stderr, "put: %s\n", err);
 *   sand_free(err);
 * }
 * int found = 0;
 * char* value = NULL;
 * size_t len = 0;
 * if (sand_get(db, "k", 1, &found, &value, &len, NULL) == SAND_OK && found) {
 *   printf("k = %s\n", value);  // the value is followed by a NUL byte
 * }
 * sand_free(value);
 * if (sand_close(db, &err) != SAND_OK) {
 *   fprintf(stderr, "close: %s\n", err);
 *   sand_free(err);
 * }
 * sand_db_free(db);
 * @endcode
 */
#ifndef SAND_C_H_
#define SAND_C_H_

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
/** Gives a declaration default visibility: part of the library's ABI (the
 *  library is built with hidden visibility). */
#define SAND_C_EXPORT __attribute__((visibility("default")))
#else
/** Gives a declaration default visibility: part of the library's ABI (empty
 *  on compilers without visibility attributes). */
#define SAND_C_EXPORT
#endif

/** Major version of this header; equals SAND_VERSION_MAJOR of sand/version.hpp. */
#define SAND_C_VERSION_MAJOR 0
/** Minor version of this header; equals SAND_VERSION_MINOR of sand/version.hpp. */
#define SAND_C_VERSION_MINOR 6
/** Patch version of this header; equals SAND_VERSION_PATCH of sand/version.hpp. */
#define SAND_C_VERSION_PATCH 0

/** The offset of a check finding about a file as a whole (missing, wrong
 *  size, metadata that disagrees) rather than about the bytes at one place. */
#define SAND_CHECK_WHOLE_FILE UINT64_MAX

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Errors, memory, version                                                  */
/* ------------------------------------------------------------------------ */

/** The kinds of error. The first seven mirror sand::Code. */
/* One brace for two branches, which clang-format cannot lay out: */
/* clang-format off */
#ifdef __cplusplus
typedef enum sand_code : int {  /* see "Enums" above */
#else
typedef enum sand_code {
#endif
  /** Success. */
  SAND_OK = 0,
  /** A bad argument: a NULL handle, a key too long, a version below the
   *  retention mark, an empty batch, options out of range... */
  SAND_INVALID_ARGUMENT = 1,
  /** Opening a missing database without create_if_missing (never a missing
   *  key: sand_get() reports that through its `found` out parameter). */
  SAND_NOT_FOUND = 2,
  /** Bytes on disk fail a check; the message names the file and offset. */
  SAND_CORRUPTION = 3,
  /** The operating system refused; the message names the path and reason. */
  SAND_IO_ERROR = 4,
  /** Another process holds the database open for writing. */
  SAND_BUSY = 5,
  /** Writes refused: a read-only open, a closed handle, or an earlier
   *  write or sync failure (reads go on; reopening recovers). */
  SAND_READ_ONLY = 6,
  /** Memory ran out inside the call; nothing was committed unless the
   *  function says otherwise. */
  SAND_OUT_OF_MEMORY = 7,
  /** An unexpected failure inside the library (a bug); the message says
   *  what was caught. */
  SAND_INTERNAL = 8,
  /** A write's precondition failed (the key's version was not the one
   *  expected); nothing was committed. The message names the key, the
   *  expected and the actual version. */
  SAND_CONFLICT = 9
} sand_code_t;
/* clang-format on */

/**
 * A stable name for `code`: "OK", "InvalidArgument", "NotFound",
 * "Corruption", "IOError", "Busy", "ReadOnly", "OutOfMemory", "Internal",
 * "Conflict", or
 * "Unknown" for any other value.
 * @param code The code to name.
 * @return A static string; never NULL, never freed.
 */
SAND_C_EXPORT const char* sand_code_name(sand_code_t code);

/**
 * Frees a buffer this library allocated for the caller: an error message or a
 * value from sand_get() / sand_get_at(), sand_get_versioned() /
 * sand_get_versioned_at() or sand_multi_get() / sand_multi_get_at(). Does
 * nothing for NULL.
 * @param ptr The buffer, or NULL.
 */
SAND_C_EXPORT void sand_free(void* ptr);

/**
 * The version of the library linked at run time, "MAJOR.MINOR.PATCH" (e.g.
 * "0.4.0"). Compare it with the SAND_C_VERSION_* macros to detect a program
 * built against other headers.
 * @return A static string; never NULL, never freed.
 */
SAND_C_EXPORT const char* sand_version(void);

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

/** How table blocks are compressed (sand::Compression). */
/* One brace for two branches, which clang-format cannot lay out: */
/* clang-format off */
#ifdef __cplusplus
typedef enum sand_compression : int {  /* see "Enums" above */
#else
typedef enum sand_compression {
#endif
  /** Blocks are stored as they are. */
  SAND_COMPRESSION_NONE = 0,
  /** LZ4; a block is stored compressed only when that saves 1/8 of it. */
  SAND_COMPRESSION_LZ4 = 1
} sand_compression_t;
/* clang-format on */

/** Which old versions compaction may drop (sand::Retention). */
/* One brace for two branches, which clang-format cannot lay out: */
/* clang-format off */
#ifdef __cplusplus
typedef enum sand_retention : int {  /* see "Enums" above */
#else
typedef enum sand_retention {
#endif
  /** Keep every version until sand_forget_before() moves the mark. */
  SAND_RETENTION_ALL = 0,
  /** Keep only what the newest state and live snapshots need. */
  SAND_RETENTION_LATEST = 1
} sand_retention_t;
/* clang-format on */

/** The ordered index of a memtable (sand::MemTableIndex). Both give the same
 *  answers and nothing on disk depends on the choice. */
/* One brace for two branches, which clang-format cannot lay out: */
/* clang-format off */
#ifdef __cplusplus
typedef enum sand_memtable_index : int {  /* see "Enums" above */
#else
typedef enum sand_memtable_index {
#endif
  /** A B+tree of wide nodes: the default, and the faster. */
  SAND_MEMTABLE_BTREE = 0,
  /** A skiplist, as in LevelDB: kept for comparison. */
  SAND_MEMTABLE_SKIPLIST = 1
} sand_memtable_index_t;
/* clang-format on */

/**
 * How a database is opened (sand::Options). Created by sand_options_create()
 * with the C++ defaults, released by sand_options_destroy(). sand_open() and
 * sand_check() copy what they need, so the object may be changed or destroyed
 * right after (an in-memory file system is shared, see
 * sand_options_set_in_memory()). Numbers are checked by sand_open(), which
 * fails with ::SAND_INVALID_ARGUMENT naming the field.
 */
typedef struct sand_options sand_options_t;

/**
 * Creates options holding every default of sand::Options.
 * @return The options, to release with sand_options_destroy(); NULL if memory
 * ran out.
 */
SAND_C_EXPORT sand_options_t* sand_options_create(void);

/**
 * Releases options. Databases opened with them are not affected.
 * @param opts The options, or NULL (no-op).
 */
SAND_C_EXPORT void sand_options_destroy(sand_options_t* opts);

/**
 * Create the directory and an empty database if none exists. Default: 1.
 * @param opts The options; NULL: no-op.
 * @param value Nonzero for yes.
 */
SAND_C_EXPORT void sand_options_set_create_if_missing(sand_options_t* opts, int value);

/**
 * Fail with ::SAND_INVALID_ARGUMENT if a database already exists. Default: 0.
 * @param opts The options; NULL: no-op.
 * @param value Nonzero for yes.
 */
SAND_C_EXPORT void sand_options_set_error_if_exists(sand_options_t* opts, int value);

/**
 * Bytes of entries after which a memtable is frozen and flushed to a table
 * (at least 4096). Default: 64 MiB.
 * @param opts The options; NULL: no-op.
 * @param value Bytes.
 */
SAND_C_EXPORT void sand_options_set_memtable_size(sand_options_t* opts, size_t value);

/**
 * The memtable's ordered index. Both give the same answers and nothing on
 * disk depends on it, so a database may be reopened with either.
 * Default: ::SAND_MEMTABLE_BTREE.
 * @param opts The options.
 * @param value One of ::sand_memtable_index_t.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT for NULL options or an unknown
 * value (the options are then unchanged).
 */
SAND_C_EXPORT sand_code_t sand_options_set_memtable(sand_options_t* opts,
                                                    sand_memtable_index_t value, char** errmsg);

/**
 * Key-value separation: values of at least this many bytes are stored once,
 * in their WAL record, and tables hold a reference to them, so flushes and
 * compactions stop copying them (spec/values.md); with LZ4 compression, those
 * of at least 2 KiB are stored compressed. 0 keeps every value inline;
 * otherwise at least 64 (and at most 256 MiB): sand_open() fails with
 * ::SAND_INVALID_ARGUMENT for other values. Default: 1024.
 * @param opts The options; NULL: no-op.
 * @param value Bytes; 0: off.
 */
SAND_C_EXPORT void sand_options_set_value_separation_threshold(sand_options_t* opts, size_t value);

/**
 * Target size of an uncompressed table data block (256 to 64 MiB).
 * Default: 4 KiB.
 * @param opts The options; NULL: no-op.
 * @param value Bytes.
 */
SAND_C_EXPORT void sand_options_set_block_size(sand_options_t* opts, size_t value);

/**
 * Keys between restart points inside a block (1 to 1024). Default: 16.
 * @param opts The options; NULL: no-op.
 * @param value Keys.
 */
SAND_C_EXPORT void sand_options_set_block_restart_interval(sand_options_t* opts, int value);

/**
 * Block compression. Default: ::SAND_COMPRESSION_LZ4.
 * @param opts The options.
 * @param value One of ::sand_compression_t.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT for NULL options or an unknown
 * value (the options are then unchanged).
 */
SAND_C_EXPORT sand_code_t sand_options_set_compression(sand_options_t* opts,
                                                       sand_compression_t value, char** errmsg);

/**
 * Bloom filter bits per key (0 to 64; 0 = no filter). Default: 10 (~1% false
 * positives).
 * @param opts The options; NULL: no-op.
 * @param value Bits per key.
 */
SAND_C_EXPORT void sand_options_set_bloom_bits_per_key(sand_options_t* opts, int value);

/**
 * Bytes of decompressed blocks kept in memory. Default: 32 MiB.
 * @param opts The options; NULL: no-op.
 * @param value Bytes.
 */
SAND_C_EXPORT void sand_options_set_block_cache_size(sand_options_t* opts, size_t value);

/**
 * Whether writes fsync by default (write options can override). Default: 0: a
 * write survives a process crash, not a power loss.
 * @param opts The options; NULL: no-op.
 * @param value Nonzero for yes.
 */
SAND_C_EXPORT void sand_options_set_sync(sand_options_t* opts, int value);

/**
 * Version retention policy. Default: ::SAND_RETENTION_ALL.
 * @param opts The options.
 * @param value One of ::sand_retention_t.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT for NULL options or an unknown
 * value (the options are then unchanged).
 */
SAND_C_EXPORT sand_code_t sand_options_set_retention(sand_options_t* opts, sand_retention_t value,
                                                     char** errmsg);

/**
 * Level-0 tables that trigger merging level 0 into a new level-1 sorted run
 * (at least 1). Default: 4.
 * @param opts The options; NULL: no-op.
 * @param value Tables.
 */
SAND_C_EXPORT void sand_options_set_l0_trigger(sand_options_t* opts, int value);

/**
 * Level-0 tables at which writes stall until a compaction makes room (above
 * l0_trigger). Default: 12.
 * @param opts The options; NULL: no-op.
 * @param value Tables.
 */
SAND_C_EXPORT void sand_options_set_l0_stop(sand_options_t* opts, int value);

/**
 * Level-1 sorted runs that trigger merging levels 1 and 2 into level 2 (at
 * least 1). Default: 4.
 * @param opts The options; NULL: no-op.
 * @param value Runs.
 */
SAND_C_EXPORT void sand_options_set_l1_trigger(sand_options_t* opts, int value);

/**
 * Size at which compaction output files are cut (at least 4096). Default:
 * 64 MiB.
 * @param opts The options; NULL: no-op.
 * @param value Bytes.
 */
SAND_C_EXPORT void sand_options_set_target_file_size(sand_options_t* opts, size_t value);

/**
 * Frozen memtables that may wait for flush while a new one takes writes (at
 * least 1). Default: 1.
 * @param opts The options; NULL: no-op.
 * @param value Memtables.
 */
SAND_C_EXPORT void sand_options_set_max_frozen_memtables(sand_options_t* opts, int value);

/**
 * Bytes of memtables (the active one and the frozen ones waiting for flush)
 * at which writes stall while a flush is pending. 0 = the default,
 * max_frozen_memtables * memtable_size + memtable_size / 4; otherwise at
 * least memtable_size: sand_open() fails with ::SAND_INVALID_ARGUMENT for
 * other values. Default: 0.
 * @param opts The options; NULL: no-op.
 * @param value Bytes; 0: the default.
 */
SAND_C_EXPORT void sand_options_set_memtable_budget(sand_options_t* opts, size_t value);

/**
 * Manifest size past which it is rewritten as one snapshot record. Default:
 * 4 MiB.
 * @param opts The options; NULL: no-op.
 * @param value Bytes.
 */
SAND_C_EXPORT void sand_options_set_manifest_rollover_size(sand_options_t* opts, size_t value);

/**
 * On a damaged WAL record in the middle of the log: 0 fails the open with
 * ::SAND_CORRUPTION; nonzero recovers to the last good record before the
 * damage and drops everything after it. Default: 0.
 * @param opts The options; NULL: no-op.
 * @param value Nonzero for point-in-time recovery.
 */
SAND_C_EXPORT void sand_options_set_point_in_time_recovery(sand_options_t* opts, int value);

/**
 * Keeps the database's files in memory instead of on disk (for tests and
 * ephemeral stores). Nonzero gives these options an empty in-memory file
 * system unless they already have one; every database opened and every check
 * run with these options then shares it: data written through one handle is
 * found by a later sand_open() with the same options. The files live while the
 * options or any database opened with them exist. Zero goes back to the real
 * file system (and drops the options' reference to the in-memory one).
 * Default: 0.
 * @param opts The options.
 * @param value Nonzero for in-memory.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT for NULL options;
 * ::SAND_OUT_OF_MEMORY.
 */
SAND_C_EXPORT sand_code_t sand_options_set_in_memory(sand_options_t* opts, int value,
                                                     char** errmsg);

/** The durability of one write (sand::SyncMode). */
/* One brace for two branches, which clang-format cannot lay out: */
/* clang-format off */
#ifdef __cplusplus
typedef enum sand_sync_mode : int {  /* see "Enums" above */
#else
typedef enum sand_sync_mode {
#endif
  /** Use the database's sync option (sand_options_set_sync()). */
  SAND_SYNC_DEFAULT = 0,
  /** Return once the write's WAL record is fdatasync'd: it
   * survives power loss. */
  SAND_SYNC_SYNC = 1,
  /** Return once the write is in the page cache: it survives a
   * process crash. */
  SAND_SYNC_NOSYNC = 2
} sand_sync_mode_t;
/* clang-format on */

/**
 * How one write behaves (sand::WriteOptions). Write functions accept NULL for
 * the defaults. Created by sand_write_options_create(), released by
 * sand_write_options_destroy().
 */
typedef struct sand_write_options sand_write_options_t;

/**
 * Creates write options holding the defaults (::SAND_SYNC_DEFAULT).
 * @return The write options, to release with sand_write_options_destroy();
 * NULL if memory ran out.
 */
SAND_C_EXPORT sand_write_options_t* sand_write_options_create(void);

/**
 * Releases write options.
 * @param wopts The write options, or NULL (no-op).
 */
SAND_C_EXPORT void sand_write_options_destroy(sand_write_options_t* wopts);

/**
 * Sets the durability of the writes made with these options. Default:
 * ::SAND_SYNC_DEFAULT.
 * @param wopts The write options.
 * @param mode One of ::sand_sync_mode_t.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT for NULL write options or an
 * unknown mode (they are then unchanged).
 */
SAND_C_EXPORT sand_code_t sand_write_options_set_sync(sand_write_options_t* wopts,
                                                      sand_sync_mode_t mode, char** errmsg);

/* ------------------------------------------------------------------------ */
/* Opening and closing                                                      */
/* ------------------------------------------------------------------------ */

/**
 * An open database. Created by sand_open() or sand_open_read_only(); closed
 * by sand_close() (which reports errors) and released by sand_db_free().
 */
typedef struct sand_db sand_db_t;

/**
 * Opens (or, with create_if_missing, creates) the database in directory
 * `path`, recovering from its manifest and WALs, and holds its LOCK until
 * closed (sand::DB::open).
 * @param path The directory (NUL-terminated).
 * @param opts The options, or NULL for the defaults (which create a missing
 * database).
 * @param db Receives the handle, to release with sand_db_free(); NULL on
 * error.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_NOT_FOUND (missing, and create_if_missing is 0);
 * ::SAND_INVALID_ARGUMENT (exists and error_if_exists; bad options; NULL
 * path or db); ::SAND_BUSY (another handle or process has it open for
 * writing); ::SAND_CORRUPTION; ::SAND_IO_ERROR; ::SAND_OUT_OF_MEMORY.
 */
SAND_C_EXPORT sand_code_t sand_open(const char* path, const sand_options_t* opts, sand_db_t** db,
                                    char** errmsg);

/**
 * Opens the database in `path` read-only, alongside a writer that may hold it
 * open (sand::DB::open_read_only). It never takes the LOCK, never writes and
 * starts no thread; it sees the state as of its last sand_refresh(). Writes,
 * sand_flush(), sand_compact() and sand_forget_before() return
 * ::SAND_READ_ONLY. Options used: in-memory, block_cache_size, retention and
 * point_in_time_recovery; the rest are checked and ignored.
 * @param path The directory (NUL-terminated).
 * @param opts The options, or NULL for the defaults.
 * @param db Receives the handle, to release with sand_db_free(); NULL on
 * error.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_NOT_FOUND (no database); ::SAND_INVALID_ARGUMENT;
 * ::SAND_CORRUPTION; ::SAND_IO_ERROR; ::SAND_BUSY (retry later);
 * ::SAND_OUT_OF_MEMORY.
 */
SAND_C_EXPORT sand_code_t sand_open_read_only(const char* path, const sand_options_t* opts,
                                              sand_db_t** db, char** errmsg);

/**
 * Read-only handles: catches up with the writer (new manifest records, new
 * tables, new WAL records); later reads see the new state. On a writable
 * handle this does nothing and returns ::SAND_OK.
 * @param db The database.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_READ_ONLY (a read-only handle after sand_close());
 * ::SAND_CORRUPTION;
 * ::SAND_IO_ERROR; ::SAND_BUSY (the writer kept retiring the files being
 * opened: retry later); ::SAND_INVALID_ARGUMENT for a NULL db.
 */
SAND_C_EXPORT sand_code_t sand_refresh(sand_db_t* db, char** errmsg);

/**
 * Closes the database: stops background work after the flush or compaction in
 * progress, syncs the WAL and releases the LOCK. Does not flush the memtable
 * (the WAL holds its writes). The handle stays allocated: later writes on it
 * return ::SAND_READ_ONLY, and it must still be released with sand_db_free().
 * Calling it again returns ::SAND_OK.
 * @param db The database.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK, or the error met while closing (e.g. ::SAND_IO_ERROR
 * when the final sync failed); ::SAND_INVALID_ARGUMENT for a NULL db.
 */
SAND_C_EXPORT sand_code_t sand_close(sand_db_t* db, char** errmsg);

/**
 * Releases a handle, first closing it if sand_close() was not called (errors
 * are then ignored: call sand_close() to see them). Never deletes a file of
 * the database. Iterators and snapshots created from it remain usable until
 * they are destroyed.
 * @param db The database, or NULL (no-op). Must not be in use by another
 * thread.
 */
SAND_C_EXPORT void sand_db_free(sand_db_t* db);

/* ------------------------------------------------------------------------ */
/* Writes                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * Operations committed together under one version (sand::WriteBatch): all
 * become visible at once. When a batch names a key twice the later operation
 * wins. Created by sand_write_batch_create(), released by
 * sand_write_batch_destroy().
 */
typedef struct sand_write_batch sand_write_batch_t;

/**
 * Sets `key` to `value` in a new version.
 * @param db The database.
 * @param wopts The write options, or NULL for the defaults.
 * @param key The key's bytes (NULL only if `keylen` is 0).
 * @param keylen The key's length (at most 64 KiB).
 * @param value The value's bytes (NULL only if `valuelen` is 0).
 * @param valuelen The value's length (at most 256 MiB).
 * @param version Receives the version the write committed at (1, 2, 3, ...),
 * or NULL; 0 on error.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (size limits, NULL arguments);
 * ::SAND_READ_ONLY (read-only or closed handle, or after a background error);
 * ::SAND_IO_ERROR (the WAL write or sync failed: the write did not happen);
 * ::SAND_OUT_OF_MEMORY.
 */
SAND_C_EXPORT sand_code_t sand_put(sand_db_t* db, const sand_write_options_t* wopts,
                                   const char* key, size_t keylen, const char* value,
                                   size_t valuelen, uint64_t* version, char** errmsg);

/**
 * Deletes `key` in a new version (writes a tombstone, even if the key is
 * absent).
 * @param db The database.
 * @param wopts The write options, or NULL for the defaults.
 * @param key The key's bytes (NULL only if `keylen` is 0).
 * @param keylen The key's length.
 * @param version Receives the version the delete committed at, or NULL; 0 on
 * error.
 * @param errmsg Receives the error message, or NULL.
 * @return As sand_put().
 */
SAND_C_EXPORT sand_code_t sand_del(sand_db_t* db, const sand_write_options_t* wopts,
                                   const char* key, size_t keylen, uint64_t* version,
                                   char** errmsg);

/**
 * Commits every operation of `batch` atomically under one new version. The
 * batch is not changed (sand_write_batch_clear() empties it for reuse).
 * @param db The database.
 * @param wopts The write options, or NULL for the defaults.
 * @param batch The operations.
 * @param version Receives the version the batch committed at, or NULL; 0 on
 * error.
 * @param errmsg Receives the error message, or NULL.
 * @return As sand_put(); also ::SAND_INVALID_ARGUMENT for an empty batch or
 * one that an append failed to grow (see sand_write_batch_put());
 * ::SAND_CONFLICT when a precondition of the batch fails
 * (sand_write_batch_expect_version()): nothing was committed.
 */
SAND_C_EXPORT sand_code_t sand_write(sand_db_t* db, const sand_write_options_t* wopts,
                                     const sand_write_batch_t* batch, uint64_t* version,
                                     char** errmsg);

/**
 * Creates an empty write batch.
 * @return The batch, to release with sand_write_batch_destroy(); NULL if
 * memory ran out.
 */
SAND_C_EXPORT sand_write_batch_t* sand_write_batch_create(void);

/**
 * Releases a write batch.
 * @param batch The batch, or NULL (no-op).
 */
SAND_C_EXPORT void sand_write_batch_destroy(sand_write_batch_t* batch);

/**
 * Appends "set key to value" (the bytes are copied). Size limits are checked
 * when the batch is written.
 * @param batch The batch.
 * @param key The key's bytes (NULL only if `keylen` is 0).
 * @param keylen The key's length.
 * @param value The value's bytes (NULL only if `valuelen` is 0).
 * @param valuelen The value's length.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (NULL arguments);
 * ::SAND_OUT_OF_MEMORY (the batch may then hold part of the operation:
 * sand_write() refuses it until sand_write_batch_clear()).
 */
SAND_C_EXPORT sand_code_t sand_write_batch_put(sand_write_batch_t* batch, const char* key,
                                               size_t keylen, const char* value, size_t valuelen,
                                               char** errmsg);

/**
 * Appends "delete key" (a tombstone).
 * @param batch The batch.
 * @param key The key's bytes (NULL only if `keylen` is 0).
 * @param keylen The key's length.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (NULL arguments);
 * ::SAND_OUT_OF_MEMORY (as for sand_write_batch_put()).
 */
SAND_C_EXPORT sand_code_t sand_write_batch_del(sand_write_batch_t* batch, const char* key,
                                               size_t keylen, char** errmsg);

/**
 * Removes every operation and every precondition from the batch.
 * @param batch The batch, or NULL (no-op).
 */
SAND_C_EXPORT void sand_write_batch_clear(sand_write_batch_t* batch);

/**
 * The number of operations in the batch.
 * @param batch The batch.
 * @return The count; 0 for NULL.
 */
SAND_C_EXPORT uint32_t sand_write_batch_count(const sand_write_batch_t* batch);

/**
 * Adds a precondition (sand::WriteBatch::expect_version): sand_write() commits
 * the batch only if the version of `key` is `version` when the batch takes its
 * place in the write queue; otherwise it commits nothing and returns
 * ::SAND_CONFLICT, with a message naming the key, the expected and the actual
 * version. The version of a key is the version of its newest put, or 0 if it
 * was never written or its newest entry is a deletion (it does not exist).
 * Read it with sand_get_versioned(). Preconditions are not counted by
 * sand_write_batch_count() and are not written to the log.
 * @param batch The batch.
 * @param key The key's bytes (NULL only if `keylen` is 0); copied.
 * @param keylen The key's length.
 * @param version The expected version; 0: the key must not exist.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (NULL arguments);
 * ::SAND_OUT_OF_MEMORY (the batch is then unchanged).
 */
SAND_C_EXPORT sand_code_t sand_write_batch_expect_version(sand_write_batch_t* batch,
                                                          const char* key, size_t keylen,
                                                          uint64_t version, char** errmsg);

/**
 * Adds the precondition "`key` does not exist" (never written, or its newest
 * entry is a deletion): sand_write_batch_expect_version() with version 0.
 * @param batch The batch.
 * @param key The key's bytes (NULL only if `keylen` is 0); copied.
 * @param keylen The key's length.
 * @param errmsg Receives the error message, or NULL.
 * @return As sand_write_batch_expect_version().
 */
SAND_C_EXPORT sand_code_t sand_write_batch_expect_missing(sand_write_batch_t* batch,
                                                          const char* key, size_t keylen,
                                                          char** errmsg);

/**
 * Adds the precondition "`key` exists" (its newest entry is a put, at any
 * version); see sand_write_batch_expect_version().
 * @param batch The batch.
 * @param key The key's bytes (NULL only if `keylen` is 0); copied.
 * @param keylen The key's length.
 * @param errmsg Receives the error message, or NULL.
 * @return As sand_write_batch_expect_version().
 */
SAND_C_EXPORT sand_code_t sand_write_batch_expect_exists(sand_write_batch_t* batch, const char* key,
                                                         size_t keylen, char** errmsg);

/**
 * The number of preconditions in the batch.
 * @param batch The batch.
 * @return The count; 0 for NULL.
 */
SAND_C_EXPORT size_t sand_write_batch_precondition_count(const sand_write_batch_t* batch);

/* ------------------------------------------------------------------------ */
/* Point reads and history                                                  */
/* ------------------------------------------------------------------------ */

/**
 * The latest value of `key`. A missing or deleted key is not an error: it is
 * ::SAND_OK with `*found` = 0.
 * @param db The database.
 * @param key The key's bytes (NULL only if `keylen` is 0).
 * @param keylen The key's length.
 * @param found Receives 1 if the key has a value, else 0.
 * @param value Receives the value in a malloc'd buffer of `*valuelen` bytes
 * plus a NUL byte after them (so a text value can be printed directly); free
 * it with sand_free(). NULL when not found or on error.
 * @param valuelen Receives the value's length; 0 when not found or on error.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_CORRUPTION; ::SAND_IO_ERROR;
 * ::SAND_INVALID_ARGUMENT (NULL arguments); ::SAND_OUT_OF_MEMORY.
 */
SAND_C_EXPORT sand_code_t sand_get(sand_db_t* db, const char* key, size_t keylen, int* found,
                                   char** value, size_t* valuelen, char** errmsg);

/**
 * The value of `key` as of version `at` (after the batch that got `at`
 * committed). To read at a snapshot, pass sand_snapshot_version().
 * @param db The database.
 * @param at The version to read at (0: before any write, nothing is found).
 * @param key The key's bytes (NULL only if `keylen` is 0).
 * @param keylen The key's length.
 * @param found Receives 1 if the key had a value at `at`, else 0.
 * @param value Receives the value as for sand_get(); free it with
 * sand_free().
 * @param valuelen Receives the value's length.
 * @param errmsg Receives the error message, or NULL.
 * @return As sand_get(); also ::SAND_INVALID_ARGUMENT when `at` is newer than
 * sand_last_version(), or older than sand_low_water_mark() and not the
 * version of a live snapshot.
 */
SAND_C_EXPORT sand_code_t sand_get_at(sand_db_t* db, uint64_t at, const char* key, size_t keylen,
                                      int* found, char** value, size_t* valuelen, char** errmsg);

/**
 * The newest retained entry of `key` (a put or a deletion) and the version
 * that wrote it (sand::DB::get_versioned): exactly the first entry of
 * sand_get_history(), so a deletion shows only while it hides an older
 * retained put. Use the version with sand_write_batch_expect_version() for a
 * read-modify-write. A key with no entry is not an error: ::SAND_OK with
 * `*found` = 0.
 * @param db The database.
 * @param key The key's bytes (NULL only if `keylen` is 0).
 * @param keylen The key's length.
 * @param found Receives 1 if the key has an entry, else 0.
 * @param version Receives the version that wrote the entry; 0 when not found
 * or on error.
 * @param deleted Receives 1 if the entry is a deletion, else 0.
 * @param value Receives the value as for sand_get() (a malloc'd buffer of
 * `*valuelen` bytes plus a NUL byte; free it with sand_free()); NULL when not
 * found, for a deletion, or on error.
 * @param valuelen Receives the value's length; 0 when not found, for a
 * deletion, or on error.
 * @param errmsg Receives the error message, or NULL.
 * @return As sand_get().
 */
SAND_C_EXPORT sand_code_t sand_get_versioned(sand_db_t* db, const char* key, size_t keylen,
                                             int* found, uint64_t* version, int* deleted,
                                             char** value, size_t* valuelen, char** errmsg);

/**
 * The newest retained entry of `key` at or below version `at`: the first
 * entry of sand_get_history() with a version <= `at` (see
 * sand_get_versioned()).
 * @param db The database.
 * @param at The version to read at (as for sand_get_at()).
 * @param key The key's bytes (NULL only if `keylen` is 0).
 * @param keylen The key's length.
 * @param found Receives 1 if the key has such an entry, else 0.
 * @param version Receives the version that wrote the entry.
 * @param deleted Receives 1 if the entry is a deletion, else 0.
 * @param value Receives the value as for sand_get_versioned(); free it with
 * sand_free().
 * @param valuelen Receives the value's length.
 * @param errmsg Receives the error message, or NULL.
 * @return As sand_get_at().
 */
SAND_C_EXPORT sand_code_t sand_get_versioned_at(sand_db_t* db, uint64_t at, const char* key,
                                                size_t keylen, int* found, uint64_t* version,
                                                int* deleted, char** value, size_t* valuelen,
                                                char** errmsg);

/**
 * The latest values of `n` keys, all read at one version
 * (sand::DB::multi_get): the same answers as sand_get() of each key at that
 * one version. Entry i of each output array answers `keys[i]`; a key may
 * appear more than once.
 *
 * Ownership: every found value is its own malloc'd buffer (its bytes plus a
 * NUL byte); the caller frees each with sand_free(). Since sand_free(NULL)
 * does nothing, one loop over all `n` entries frees them all. On an error no
 * buffer is left allocated: every `values[i]` is NULL.
 * @param db The database.
 * @param n The number of keys (0: nothing is read; the arrays may then be
 * NULL).
 * @param keys `n` pointers to the keys' bytes (`keys[i]` NULL only if
 * `keylens[i]` is 0).
 * @param keylens `n` key lengths.
 * @param found Receives `n` flags: 1 if the key has a value, else 0.
 * @param values Receives `n` values, NULL for a key without a value (and for
 * every key on error).
 * @param valuelens Receives `n` value lengths (0 when not found).
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (a key longer than 64 KiB, NULL
 * arguments); ::SAND_CORRUPTION; ::SAND_IO_ERROR; ::SAND_OUT_OF_MEMORY. The
 * first error fails the whole call.
 */
SAND_C_EXPORT sand_code_t sand_multi_get(sand_db_t* db, size_t n, const char* const* keys,
                                         const size_t* keylens, int* found, char** values,
                                         size_t* valuelens, char** errmsg);

/**
 * The values of `n` keys as of version `at` (see sand_multi_get(), which
 * says who frees what).
 * @param db The database.
 * @param at The version to read at (as for sand_get_at()).
 * @param n The number of keys.
 * @param keys `n` pointers to the keys' bytes.
 * @param keylens `n` key lengths.
 * @param found Receives `n` flags: 1 if the key had a value at `at`, else 0.
 * @param values Receives `n` values (free each with sand_free()).
 * @param valuelens Receives `n` value lengths.
 * @param errmsg Receives the error message, or NULL.
 * @return As sand_multi_get(); also ::SAND_INVALID_ARGUMENT when `at` is
 * refused as for sand_get_at().
 */
SAND_C_EXPORT sand_code_t sand_multi_get_at(sand_db_t* db, uint64_t at, size_t n,
                                            const char* const* keys, const size_t* keylens,
                                            int* found, char** values, size_t* valuelens,
                                            char** errmsg);

/**
 * The retained history of a key, newest first, as sand_get_history() returns it.
 * Read it with sand_history_count() and sand_history_at(); release it with
 * sand_history_destroy().
 */
typedef struct sand_history sand_history_t;

/** One retained version of a key. Owned by its ::sand_history_t. */
typedef struct sand_history_entry {
  /** The version that wrote this entry. */
  uint64_t version;
  /** 1 for a tombstone (the key was deleted at `version`), else 0. */
  int deleted;
  /** The value's bytes, followed by a NUL byte; "" (not NULL) for a
   *  tombstone. Valid until the history is destroyed. */
  const char* value;
  /** The value's length; 0 for a tombstone. */
  size_t value_len;
} sand_history_entry_t;

/**
 * The retained history of `key` (sand::DB::history): every version at or
 * above the low-water mark M plus the newest one below M, tombstones included
 * (except those hiding nothing), newest first. A key never written has an
 * empty history.
 * @param db The database.
 * @param key The key's bytes (NULL only if `keylen` is 0).
 * @param keylen The key's length.
 * @param history Receives the history, to release with
 * sand_history_destroy(); NULL on error.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_CORRUPTION; ::SAND_IO_ERROR;
 * ::SAND_INVALID_ARGUMENT (NULL arguments); ::SAND_OUT_OF_MEMORY.
 */
SAND_C_EXPORT sand_code_t sand_get_history(sand_db_t* db, const char* key, size_t keylen,
                                           sand_history_t** history, char** errmsg);

/**
 * The number of entries in a history.
 * @param history The history.
 * @return The count; 0 for NULL.
 */
SAND_C_EXPORT size_t sand_history_count(const sand_history_t* history);

/**
 * One entry of a history; entry 0 is the newest. Entries may gain fields at
 * their end in later versions: read them through this pointer only, never as
 * an array.
 * @param history The history.
 * @param index The entry's position, below sand_history_count().
 * @return The entry, valid until the history is destroyed; NULL for a NULL
 * history or an index out of range.
 */
SAND_C_EXPORT const sand_history_entry_t* sand_history_at(const sand_history_t* history,
                                                          size_t index);

/**
 * Releases a history and every entry and value in it.
 * @param history The history, or NULL (no-op).
 */
SAND_C_EXPORT void sand_history_destroy(sand_history_t* history);

/* ------------------------------------------------------------------------ */
/* Scans                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * What a scan covers (sand::ScanOptions): keys with from <= key < to that start
 * with a prefix, as of a version, in either direction. Every bound is optional. Created by
 * sand_scan_options_create(), released by sand_scan_options_destroy();
 * sand_scan() copies what it needs.
 */
typedef struct sand_scan_options sand_scan_options_t;

/**
 * Creates scan options covering every key at the latest version, ascending.
 * @return The scan options, to release with sand_scan_options_destroy(); NULL
 * if memory ran out.
 */
SAND_C_EXPORT sand_scan_options_t* sand_scan_options_create(void);

/**
 * Releases scan options.
 * @param sopts The scan options, or NULL (no-op).
 */
SAND_C_EXPORT void sand_scan_options_destroy(sand_scan_options_t* sopts);

/**
 * Sets the inclusive lower bound (the bytes are copied). Default: none (from
 * the first key).
 * @param sopts The scan options.
 * @param key The bound's bytes (NULL only if `keylen` is 0).
 * @param keylen The bound's length.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (NULL arguments);
 * ::SAND_OUT_OF_MEMORY (the options are then unchanged).
 */
SAND_C_EXPORT sand_code_t sand_scan_options_set_from(sand_scan_options_t* sopts, const char* key,
                                                     size_t keylen, char** errmsg);

/**
 * Sets the exclusive upper bound (the bytes are copied). Default: none (to
 * past the last key). An empty upper bound covers no key.
 * @param sopts The scan options.
 * @param key The bound's bytes (NULL only if `keylen` is 0).
 * @param keylen The bound's length.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (NULL arguments);
 * ::SAND_OUT_OF_MEMORY (the options are then unchanged).
 */
SAND_C_EXPORT sand_code_t sand_scan_options_set_to(sand_scan_options_t* sopts, const char* key,
                                                   size_t keylen, char** errmsg);

/**
 * Sets the version to read at (as for sand_get_at()). Default: none (the
 * latest version when sand_scan() is called).
 * @param sopts The scan options; NULL: no-op.
 * @param at The version.
 */
SAND_C_EXPORT void sand_scan_options_set_at(sand_scan_options_t* sopts, uint64_t at);

/**
 * Sets the direction. Default: 0 (ascending keys).
 * @param sopts The scan options; NULL: no-op.
 * @param reverse Nonzero for descending keys.
 */
SAND_C_EXPORT void sand_scan_options_set_reverse(sand_scan_options_t* sopts, int reverse);

/**
 * Removes the lower bound (the scan starts at the first key).
 * @param sopts The scan options; NULL: no-op.
 */
SAND_C_EXPORT void sand_scan_options_clear_from(sand_scan_options_t* sopts);

/**
 * Removes the upper bound (the scan goes past the last key).
 * @param sopts The scan options; NULL: no-op.
 */
SAND_C_EXPORT void sand_scan_options_clear_to(sand_scan_options_t* sopts);

/**
 * Removes the version (the scan reads the latest one).
 * @param sopts The scan options; NULL: no-op.
 */
SAND_C_EXPORT void sand_scan_options_clear_at(sand_scan_options_t* sopts);

/**
 * Limits the scan to keys that start with `prefix` (the bytes are copied),
 * together with the from and to bounds. Default: none (every key). An empty
 * prefix is every key.
 * @param sopts The scan options.
 * @param prefix The prefix's bytes (NULL only if `prefixlen` is 0).
 * @param prefixlen The prefix's length.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (NULL arguments);
 * ::SAND_OUT_OF_MEMORY (the options are then unchanged).
 */
SAND_C_EXPORT sand_code_t sand_scan_options_set_prefix(sand_scan_options_t* sopts,
                                                       const char* prefix, size_t prefixlen,
                                                       char** errmsg);

/**
 * Removes the prefix (the scan covers every key within its bounds).
 * @param sopts The scan options; NULL: no-op.
 */
SAND_C_EXPORT void sand_scan_options_clear_prefix(sand_scan_options_t* sopts);

/**
 * The live keys of a scan, one at a time (sand::Iterator). It reads one fixed
 * version: writes after sand_scan() returned never show. It keeps the files it
 * reads alive, and may outlive its database handle. Released by
 * sand_iterator_destroy().
 *
 * A typical loop:
 * @code
 * for (; sand_iterator_valid(it); sand_iterator_next(it)) {
 *   size_t klen, vlen;
 *   const char* k = sand_iterator_key(it, &klen);
 *   const char* v = sand_iterator_value(it, &vlen);
 * }
 * code = sand_iterator_status(it, &err);  // did the scan end early?
 * sand_iterator_destroy(it);
 * @endcode
 */
typedef struct sand_iterator sand_iterator_t;

/**
 * Starts a scan, positioned at its first key (if any).
 * @param db The database.
 * @param sopts The scan options, or NULL for every key at the latest version,
 * ascending.
 * @param iterator Receives the iterator, to release with
 * sand_iterator_destroy(); NULL on error.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (the version is refused as for
 * sand_get_at(), from > to, NULL arguments); ::SAND_CORRUPTION;
 * ::SAND_IO_ERROR; ::SAND_OUT_OF_MEMORY. Errors met while iterating are
 * reported by sand_iterator_status().
 */
SAND_C_EXPORT sand_code_t sand_scan(sand_db_t* db, const sand_scan_options_t* sopts,
                                    sand_iterator_t** iterator, char** errmsg);

/**
 * Whether the iterator is at an entry: 0 at the end, after an error, or for
 * NULL.
 * @param iterator The iterator.
 * @return 1 or 0.
 */
SAND_C_EXPORT int sand_iterator_valid(const sand_iterator_t* iterator);

/**
 * Moves to the next key in the scan's direction. Does nothing when the
 * iterator is not valid (or NULL). An error met on the way makes the iterator
 * invalid; sand_iterator_status() then reports it.
 * @param iterator The iterator.
 */
SAND_C_EXPORT void sand_iterator_next(sand_iterator_t* iterator);

/**
 * Moves to the previous key in the scan's direction (the next one against
 * it): in an ascending scan, the largest key below the current one. Does
 * nothing when the iterator is not valid (or NULL); errors as for
 * sand_iterator_next().
 * @param iterator The iterator.
 */
SAND_C_EXPORT void sand_iterator_prev(sand_iterator_t* iterator);

/**
 * Moves to the first key >= `key` within the scan's bounds (from, to,
 * prefix); not valid if there is none. Seeks name keys in ascending byte
 * order whatever the scan's direction, may follow any other call (also at
 * the end), and use each table's index rather than a walk from the first
 * key. An error (a NULL `key` with a nonzero `keylen` included) makes the
 * iterator invalid for good; sand_iterator_status() then reports it. Does
 * nothing for a NULL iterator or one that failed.
 * @param iterator The iterator.
 * @param key The key's bytes (NULL only if `keylen` is 0).
 * @param keylen The key's length.
 */
SAND_C_EXPORT void sand_iterator_seek(sand_iterator_t* iterator, const char* key, size_t keylen);

/**
 * Moves to the last key <= `key` within the scan's bounds; not valid if there
 * is none. Otherwise as sand_iterator_seek().
 * @param iterator The iterator.
 * @param key The key's bytes (NULL only if `keylen` is 0).
 * @param keylen The key's length.
 */
SAND_C_EXPORT void sand_iterator_seek_for_prev(sand_iterator_t* iterator, const char* key,
                                               size_t keylen);

/**
 * Moves to the smallest key within the scan's bounds (the first of an
 * ascending scan, the last of a descending one); not valid if there is none.
 * Errors as for sand_iterator_seek().
 * @param iterator The iterator.
 */
SAND_C_EXPORT void sand_iterator_seek_to_first(sand_iterator_t* iterator);

/**
 * Moves to the largest key within the scan's bounds; not valid if there is
 * none. Errors as for sand_iterator_seek().
 * @param iterator The iterator.
 */
SAND_C_EXPORT void sand_iterator_seek_to_last(sand_iterator_t* iterator);

/**
 * The current key.
 * @param iterator The iterator.
 * @param len Receives the key's length (0 when not valid), or NULL.
 * @return The key's bytes (not NUL-terminated), valid until the iterator
 * moves (sand_iterator_next(), sand_iterator_prev(), a seek) or is destroyed;
 * NULL when not valid.
 */
SAND_C_EXPORT const char* sand_iterator_key(const sand_iterator_t* iterator, size_t* len);

/**
 * The current value.
 * @param iterator The iterator.
 * @param len Receives the value's length (0 when not valid), or NULL.
 * @return The value's bytes (not NUL-terminated), valid until the iterator
 * moves (sand_iterator_next(), sand_iterator_prev(), a seek) or is destroyed;
 * NULL when not valid.
 */
SAND_C_EXPORT const char* sand_iterator_value(const sand_iterator_t* iterator, size_t* len);

/**
 * The version that wrote the current key's value.
 * @param iterator The iterator.
 * @return The version; 0 when not valid.
 */
SAND_C_EXPORT uint64_t sand_iterator_version(const sand_iterator_t* iterator);

/**
 * Whether the scan ended early: check it once sand_iterator_valid() turns 0.
 * @param iterator The iterator.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK (the scan is complete so far); the error that ended it
 * (e.g. ::SAND_CORRUPTION naming a file and offset, ::SAND_OUT_OF_MEMORY);
 * ::SAND_INVALID_ARGUMENT for a NULL iterator.
 */
SAND_C_EXPORT sand_code_t sand_iterator_status(const sand_iterator_t* iterator, char** errmsg);

/**
 * Releases an iterator and the files it kept alive.
 * @param iterator The iterator, or NULL (no-op).
 */
SAND_C_EXPORT void sand_iterator_destroy(sand_iterator_t* iterator);

/* ------------------------------------------------------------------------ */
/* Change feed and waiting for versions                                     */
/* ------------------------------------------------------------------------ */

/**
 * What a change feed covers (sand::ChangeOptions): the writes with versions
 * in (since, until] to keys with from <= key < to that start with a prefix.
 * Every bound but `since` is optional. Created by
 * sand_change_options_create(), released by sand_change_options_destroy();
 * sand_changes() copies what it needs.
 */
typedef struct sand_change_options sand_change_options_t;

/**
 * Creates change options covering every write to every key, from the first
 * version to the last one committed when sand_changes() is called.
 * @return The change options, to release with sand_change_options_destroy();
 * NULL if memory ran out.
 */
SAND_C_EXPORT sand_change_options_t* sand_change_options_create(void);

/**
 * Releases change options.
 * @param copts The change options, or NULL (no-op).
 */
SAND_C_EXPORT void sand_change_options_destroy(sand_change_options_t* copts);

/**
 * Sets the version the feed starts after: it shows the writes with versions
 * above `since`. It must not be below sand_low_water_mark(). Default: 0
 * (from the first write).
 * @param copts The change options; NULL: no-op.
 * @param since The version.
 */
SAND_C_EXPORT void sand_change_options_set_since(sand_change_options_t* copts, uint64_t since);

/**
 * Sets the last version the feed shows (inclusive). Default: none (the last
 * version committed when sand_changes() is called).
 * @param copts The change options; NULL: no-op.
 * @param until The version.
 */
SAND_C_EXPORT void sand_change_options_set_until(sand_change_options_t* copts, uint64_t until);

/**
 * Removes the last version (the feed ends at the last version committed when
 * sand_changes() is called).
 * @param copts The change options; NULL: no-op.
 */
SAND_C_EXPORT void sand_change_options_clear_until(sand_change_options_t* copts);

/**
 * Sets the inclusive lower key bound (the bytes are copied). Default: none.
 * @param copts The change options.
 * @param key The bound's bytes (NULL only if `keylen` is 0).
 * @param keylen The bound's length.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (NULL arguments);
 * ::SAND_OUT_OF_MEMORY (the options are then unchanged).
 */
SAND_C_EXPORT sand_code_t sand_change_options_set_from(sand_change_options_t* copts,
                                                       const char* key, size_t keylen,
                                                       char** errmsg);

/**
 * Sets the exclusive upper key bound (the bytes are copied). Default: none.
 * @param copts The change options.
 * @param key The bound's bytes (NULL only if `keylen` is 0).
 * @param keylen The bound's length.
 * @param errmsg Receives the error message, or NULL.
 * @return As sand_change_options_set_from().
 */
SAND_C_EXPORT sand_code_t sand_change_options_set_to(sand_change_options_t* copts, const char* key,
                                                     size_t keylen, char** errmsg);

/**
 * Limits the feed to keys that start with `prefix` (the bytes are copied).
 * Default: none (every key).
 * @param copts The change options.
 * @param prefix The prefix's bytes (NULL only if `prefixlen` is 0).
 * @param prefixlen The prefix's length.
 * @param errmsg Receives the error message, or NULL.
 * @return As sand_change_options_set_from().
 */
SAND_C_EXPORT sand_code_t sand_change_options_set_prefix(sand_change_options_t* copts,
                                                         const char* prefix, size_t prefixlen,
                                                         char** errmsg);

/**
 * Removes the lower key bound.
 * @param copts The change options; NULL: no-op.
 */
SAND_C_EXPORT void sand_change_options_clear_from(sand_change_options_t* copts);

/**
 * Removes the upper key bound.
 * @param copts The change options; NULL: no-op.
 */
SAND_C_EXPORT void sand_change_options_clear_to(sand_change_options_t* copts);

/**
 * Removes the prefix.
 * @param copts The change options; NULL: no-op.
 */
SAND_C_EXPORT void sand_change_options_clear_prefix(sand_change_options_t* copts);

/**
 * The change feed (sand::ChangeIterator): the committed batches of a range of
 * versions, one at a time in version order, each with its operations in key
 * order (one per key: the batch's last one). It keeps the files it reads
 * alive and may outlive its database handle. Released by
 * sand_change_iterator_destroy().
 *
 * A typical catch-up loop:
 * @code
 * for (; sand_change_iterator_valid(feed); sand_change_iterator_next(feed)) {
 *   uint64_t version = sand_change_iterator_version(feed);
 *   for (size_t i = 0; i < sand_change_iterator_count(feed); ++i) {
 *     size_t klen, vlen;
 *     const char* k = sand_change_iterator_key(feed, i, &klen);
 *     const char* v = sand_change_iterator_value(feed, i, &vlen);
 *     int deleted = sand_change_iterator_deleted(feed, i);
 *   }
 * }
 * code = sand_change_iterator_status(feed, &err);  // did the feed end early?
 * if (code == SAND_OK) seen = sand_change_iterator_until(feed);  // next since
 * sand_change_iterator_destroy(feed);
 * @endcode
 */
typedef struct sand_change_iterator sand_change_iterator_t;

/**
 * Starts a change feed (sand::DB::changes), positioned at its first batch
 * (if any). It shows the retained history by the rules of
 * sand_get_history(): every write at a version >= sand_low_water_mark(),
 * except a deletion that hides no older retained put.
 * @param db The database.
 * @param copts The change options, or NULL for every write to every key up to
 * the last committed version.
 * @param feed Receives the feed, to release with
 * sand_change_iterator_destroy(); NULL on error.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (`since` below the low-water
 * mark, `until` newer than sand_last_version() or below `since`, from > to,
 * NULL arguments); ::SAND_CORRUPTION; ::SAND_IO_ERROR; ::SAND_OUT_OF_MEMORY.
 * Errors met while reading the feed are reported by
 * sand_change_iterator_status().
 */
SAND_C_EXPORT sand_code_t sand_changes(sand_db_t* db, const sand_change_options_t* copts,
                                       sand_change_iterator_t** feed, char** errmsg);

/**
 * Whether the feed is at a batch: 0 at the end, after an error, or for NULL.
 * @param feed The feed.
 * @return 1 or 0.
 */
SAND_C_EXPORT int sand_change_iterator_valid(const sand_change_iterator_t* feed);

/**
 * Moves to the next batch (the next higher version with a change). Does
 * nothing when the feed is not valid (or NULL). An error met on the way makes
 * the feed invalid; sand_change_iterator_status() then reports it.
 * @param feed The feed.
 */
SAND_C_EXPORT void sand_change_iterator_next(sand_change_iterator_t* feed);

/**
 * The version the current batch committed at.
 * @param feed The feed.
 * @return The version; 0 when not valid.
 */
SAND_C_EXPORT uint64_t sand_change_iterator_version(const sand_change_iterator_t* feed);

/**
 * The number of operations in the current batch.
 * @param feed The feed.
 * @return The count; 0 when not valid.
 */
SAND_C_EXPORT size_t sand_change_iterator_count(const sand_change_iterator_t* feed);

/**
 * The key of one operation of the current batch.
 * @param feed The feed.
 * @param index The operation's position, below sand_change_iterator_count()
 * (operations come in ascending key order).
 * @param len Receives the key's length (0 when there is no such operation), or
 * NULL.
 * @return The key's bytes (not NUL-terminated), valid until
 * sand_change_iterator_next() or sand_change_iterator_destroy(); NULL when
 * not valid or for an index out of range.
 */
SAND_C_EXPORT const char* sand_change_iterator_key(const sand_change_iterator_t* feed, size_t index,
                                                   size_t* len);

/**
 * The value one operation of the current batch put.
 * @param feed The feed.
 * @param index The operation's position, below sand_change_iterator_count().
 * @param len Receives the value's length (0 for a deletion or when there is
 * no such operation), or NULL.
 * @return The value's bytes (not NUL-terminated; "" for a deletion), valid as
 * long as the key's; NULL when not valid or for an index out of range.
 */
SAND_C_EXPORT const char* sand_change_iterator_value(const sand_change_iterator_t* feed,
                                                     size_t index, size_t* len);

/**
 * Whether one operation of the current batch is a deletion.
 * @param feed The feed.
 * @param index The operation's position, below sand_change_iterator_count().
 * @return 1 for a deletion, 0 for a put, when not valid or for an index out of
 * range.
 */
SAND_C_EXPORT int sand_change_iterator_deleted(const sand_change_iterator_t* feed, size_t index);

/**
 * The last version the feed covers (the resolved `until`): once the feed is
 * done with ::SAND_OK from sand_change_iterator_status(), the next catch-up
 * starts with since = this version.
 * @param feed The feed.
 * @return The version; 0 for NULL.
 */
SAND_C_EXPORT uint64_t sand_change_iterator_until(const sand_change_iterator_t* feed);

/**
 * Whether the feed ended early: check it once sand_change_iterator_valid()
 * turns 0.
 * @param feed The feed.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK (the feed is complete so far); the error that ended it
 * (e.g. ::SAND_CORRUPTION naming a file and offset, ::SAND_OUT_OF_MEMORY);
 * ::SAND_INVALID_ARGUMENT for a NULL feed.
 */
SAND_C_EXPORT sand_code_t sand_change_iterator_status(const sand_change_iterator_t* feed,
                                                      char** errmsg);

/**
 * Releases a feed and the files it kept alive.
 * @param feed The feed, or NULL (no-op).
 */
SAND_C_EXPORT void sand_change_iterator_destroy(sand_change_iterator_t* feed);

/**
 * Waits until version `v` is committed (sand_last_version() >= `v`) or
 * `timeout_ms` milliseconds pass (sand::DB::wait_for_version). A read-only
 * handle refreshes itself while it waits (as sand_refresh() does), so a
 * follower process can tail a writer with sand_wait_for_version(seen + 1)
 * and sand_changes() since `seen`. Timing out is not an error: `*last` is then
 * below `v`.
 * @param db The database.
 * @param v The version to wait for.
 * @param timeout_ms The longest wait in milliseconds (0: just look); values
 * above 2^40 (about 34 years) wait that long.
 * @param last Receives sand_last_version() when the wait ended, or NULL; 0 on
 * error.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_READ_ONLY after sand_close() (which wakes
 * waiters); a read-only handle's refresh errors (as sand_refresh());
 * ::SAND_INVALID_ARGUMENT for a NULL db.
 */
SAND_C_EXPORT sand_code_t sand_wait_for_version(sand_db_t* db, uint64_t v, uint64_t timeout_ms,
                                                uint64_t* last, char** errmsg);

/* ------------------------------------------------------------------------ */
/* Snapshots, retention and maintenance                                     */
/* ------------------------------------------------------------------------ */

/**
 * A pinned version (sand::Snapshot): reads at it (sand_get_at() and scans with
 * sand_scan_options_set_at() given sand_snapshot_version()) stay allowed even
 * after sand_forget_before() moves the mark past it, and compaction keeps
 * what they need. Created by sand_snapshot_create(), released by
 * sand_snapshot_release(). May outlive its database handle. A read-only
 * handle's snapshots pin nothing in the writer.
 */
typedef struct sand_snapshot sand_snapshot_t;

/**
 * Pins the current version (sand_last_version()).
 * @param db The database.
 * @param snapshot Receives the snapshot, to release with
 * sand_snapshot_release(); NULL on error.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (NULL arguments);
 * ::SAND_OUT_OF_MEMORY.
 */
SAND_C_EXPORT sand_code_t sand_snapshot_create(sand_db_t* db, sand_snapshot_t** snapshot,
                                               char** errmsg);

/**
 * The version a snapshot pins.
 * @param snapshot The snapshot.
 * @return The version; 0 for NULL.
 */
SAND_C_EXPORT uint64_t sand_snapshot_version(const sand_snapshot_t* snapshot);

/**
 * Releases a snapshot: its version is no longer pinned, so reads at it below
 * the mark are refused from then on.
 * @param snapshot The snapshot, or NULL (no-op).
 */
SAND_C_EXPORT void sand_snapshot_release(sand_snapshot_t* snapshot);

/**
 * Raises the retention low-water mark M to `v` (never lowers it: a smaller
 * `v` is a no-op). From then on reads below M are refused (except at a live
 * snapshot's version) and sand_get_history() keeps only versions >= M plus the
 * newest one below M. Durable when it returns.
 * @param db The database.
 * @param v The new mark.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT if `v` > sand_last_version() or
 * db is NULL; ::SAND_READ_ONLY; ::SAND_IO_ERROR.
 */
SAND_C_EXPORT sand_code_t sand_forget_before(sand_db_t* db, uint64_t v, char** errmsg);

/**
 * The current low-water mark M (0: every version is readable).
 * @param db The database.
 * @return The mark; 0 for NULL.
 */
SAND_C_EXPORT uint64_t sand_low_water_mark(const sand_db_t* db);

/**
 * The newest committed version (0 before any write).
 * @param db The database.
 * @return The version; 0 for NULL.
 */
SAND_C_EXPORT uint64_t sand_last_version(const sand_db_t* db);

/**
 * Writes the memtable to a new level-0 table and waits until it is durable and
 * the manifest names it.
 * @param db The database.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_READ_ONLY; ::SAND_IO_ERROR;
 * ::SAND_INVALID_ARGUMENT for a NULL db.
 */
SAND_C_EXPORT sand_code_t sand_flush(sand_db_t* db, char** errmsg);

/**
 * Flushes the memtable, then merges every table into level 2, dropping what
 * retention allows, and waits for it.
 * @param db The database.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_READ_ONLY; ::SAND_IO_ERROR; ::SAND_CORRUPTION;
 * ::SAND_INVALID_ARGUMENT for a NULL db.
 */
SAND_C_EXPORT sand_code_t sand_compact(sand_db_t* db, char** errmsg);

/**
 * Writes a consistent copy of the database, as of one version, to the new
 * directory `dir` (sand::DB::checkpoint): every write committed before the
 * call and none committed after it returns. The copy is an ordinary database
 * (open it with sand_open()); its tables are hard links where the file system
 * allows (copies otherwise). A crash during the call leaves `dir` absent or
 * complete, and the database itself untouched. Missing parents of `dir` are
 * created.
 * @param db The database (opened with sand_open(), not read-only).
 * @param dir The new directory's path; must not exist.
 * @param version Receives the version the copy holds, or NULL; 0 on error.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT if `dir` is empty, exists or is
 * inside the database's directory (and for NULL arguments);
 * ::SAND_READ_ONLY (read-only or closed handle, or after a background error);
 * ::SAND_IO_ERROR.
 */
SAND_C_EXPORT sand_code_t sand_checkpoint(sand_db_t* db, const char* dir, uint64_t* version,
                                          char** errmsg);

/**
 * Writes the retained history of `db` (every version a history read lists,
 * tombstones included, with the last version and the retention mark), as of
 * the last version committed when the call starts, as an archive
 * (spec/archive.md; sand::export_archive) to the file `path`, created or
 * truncated. On an error the file is removed. Works on read-only handles.
 * Safe to call while other threads write.
 * @param db The database.
 * @param path The archive file to write.
 * @param entries Receives the number of entries written, or NULL; 0 on error.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_IO_ERROR (the file cannot be written: the
 * message names it); ::SAND_CORRUPTION (reading the database);
 * ::SAND_INVALID_ARGUMENT for NULL arguments.
 */
SAND_C_EXPORT sand_code_t sand_export_archive(const sand_db_t* db, const char* path,
                                              uint64_t* entries, char** errmsg);

/**
 * Creates a new database in `dir`, which must be absent or an empty
 * directory, from the archive file `path` (sand::import_archive): its tables
 * are written directly, and the new database answers every read like the
 * exported one; its next write gets the archive's last version + 1. All or
 * nothing: on any error `dir` is left as it was.
 * @param dir The new database's directory.
 * @param path The archive file to read.
 * @param options Table options (compression, block size, target file size,
 * ...), or NULL for the defaults.
 * @param entries Receives the number of entries read, or NULL; 0 on error.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (`dir` not empty, bad options,
 * NULL arguments); ::SAND_CORRUPTION (a damaged, truncated or unsupported
 * archive: the message names `path` and the byte offset); ::SAND_BUSY
 * (another import into `dir` is running); ::SAND_IO_ERROR.
 */
SAND_C_EXPORT sand_code_t sand_import_archive(const char* dir, const char* path,
                                              const sand_options_t* options, uint64_t* entries,
                                              char** errmsg);

/* ------------------------------------------------------------------------ */
/* Stats                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * Counters and shape of a database (sand::Stats), filled by sand_get_stats().
 * Later versions only append fields, so a program passes the size of the
 * struct it was compiled with.
 */
typedef struct sand_stats {
  /** Newest committed version. */
  uint64_t last_version;
  /** Retention low-water mark (see sand_forget_before()). */
  uint64_t low_water_mark;
  /** Bytes in the active memtable. */
  uint64_t memtable_bytes;
  /** Frozen memtables waiting to be flushed. */
  uint64_t immutable_memtables;
  /** Live tables per level (0, 1, 2). */
  uint64_t tables[3];
  /** Bytes of the live tables per level (0, 1, 2). */
  uint64_t table_bytes[3];
  /** Sorted runs in level 1. */
  uint64_t l1_runs;
  /** Bytes in the active WAL file. */
  uint64_t wal_bytes;
  /** Bytes of keys and values accepted by writes. */
  uint64_t user_bytes_written;
  /** Group commits (one WAL append each). */
  uint64_t write_groups;
  /** WAL fsyncs done for synced writes. */
  uint64_t wal_syncs;
  /** Memtable flushes done. */
  uint64_t flushes;
  /** Table bytes written by flushes. */
  uint64_t flush_bytes_written;
  /** Compactions done. */
  uint64_t compactions;
  /** Input table bytes read by compactions. */
  uint64_t compaction_bytes_read;
  /** Output table bytes written by compactions. */
  uint64_t compaction_bytes_written;
  /** (flush + compaction bytes written) / user bytes written; 0 before any
   *  write. */
  double write_amplification;
  /** Table bytes / bytes of level 2 (1.0: nothing above it); 0 while level 2
   *  is empty. */
  double space_amplification;
  /** Writes that waited for a flush or compaction. */
  uint64_t stalls;
  /** Total microseconds those writes waited. */
  uint64_t stall_micros;
  /** Snapshots not yet released. */
  uint64_t live_snapshots;
  /** Bytes in the MANIFEST file. */
  uint64_t manifest_bytes;
  /* Memory now (sand::Stats has the details): heap bytes of what the
   * current view holds. */
  /** Arena bytes used by the active memtable and the frozen ones not yet
   *  flushed. */
  uint64_t memtables_used_bytes;
  /** Bytes of the arena blocks those memtables hold (>= used; the rest is
   *  arena slack). */
  uint64_t memtables_reserved_bytes;
  /** Heap bytes of the open table readers: decoded indexes and other
   *  per-table data (filters read in place from the mapped file are not
   *  counted). */
  uint64_t table_index_filter_bytes;
  /** Bytes charged in the block cache now. */
  uint64_t block_cache_bytes;
  /** The block cache's capacity in bytes. */
  uint64_t block_cache_capacity;
  /** Heap bytes the write path keeps between write groups (WAL framing
   *  buffer, reused batch copies); 0 on a read-only handle. */
  uint64_t wal_buffer_bytes;
} sand_stats_t;

/**
 * Fills `stats` with the database's counters: the first `stats_size` bytes of
 * it, as far as this library knows the fields; bytes past the fields it knows
 * are zeroed.
 * @param db The database.
 * @param stats The struct to fill.
 * @param stats_size `sizeof(sand_stats_t)` as the caller was compiled.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK; ::SAND_INVALID_ARGUMENT (NULL arguments);
 * ::SAND_OUT_OF_MEMORY.
 */
SAND_C_EXPORT sand_code_t sand_get_stats(const sand_db_t* db, sand_stats_t* stats,
                                         size_t stats_size, char** errmsg);

/* ------------------------------------------------------------------------ */
/* Checking a database                                                      */
/* ------------------------------------------------------------------------ */

/** The type of a checked file (sand::CheckFileType). */
/* One brace for two branches, which clang-format cannot lay out: */
/* clang-format off */
#ifdef __cplusplus
typedef enum sand_check_file_type : int {  /* see "Enums" above */
#else
typedef enum sand_check_file_type {
#endif
  /** The MANIFEST. */
  SAND_CHECK_MANIFEST = 0,
  /** A table (.sst). */
  SAND_CHECK_TABLE = 1,
  /** A write-ahead log (.wal), live or kept as a value file. */
  SAND_CHECK_WAL = 2,
  /** A value log (`000021.val`): values compaction moved out of a mostly
   *  dead value file, spec/values.md section 3.2. Counted in the
   *  ::SAND_CHECK_WAL totals: sand_check_report_totals() returns NULL for
   *  this type. */
  SAND_CHECK_VALUE_LOG = 3
} sand_check_file_type_t;
/* clang-format on */

/** What checking one file found (sand::CheckedFile::Outcome). */
/* One brace for two branches, which clang-format cannot lay out: */
/* clang-format off */
#ifdef __cplusplus
typedef enum sand_check_outcome : int {  /* see "Enums" above */
#else
typedef enum sand_check_outcome {
#endif
  /** Every check passed. */
  SAND_CHECK_FILE_OK = 0,
  /** At least one problem names this file. */
  SAND_CHECK_FILE_BAD = 1,
  /** Deleted by a writer while being checked (not a problem). */
  SAND_CHECK_FILE_SKIPPED = 2
} sand_check_outcome_t;
/* clang-format on */

/** What was checked in one file (sand::CheckedFile). Owned by its report. */
typedef struct sand_check_file {
  /** The file's name inside the database directory, e.g. "000012.sst"
   *  (NUL-terminated). */
  const char* name;
  /** The file's type. */
  sand_check_file_type_t type;
  /** The outcome. */
  sand_check_outcome_t outcome;
  /** The file's size (0 if missing or skipped). */
  uint64_t bytes;
  /** Tables: data blocks that passed. MANIFEST and WALs: records that
   *  passed. */
  uint64_t units;
  /** Tables: entries in the blocks that passed. WALs: operations in the
   *  batches that passed. MANIFEST: live tables in the final state. */
  uint64_t entries;
} sand_check_file_t;

/** One problem or note (sand::CheckProblem, sand::CheckNote). Owned by its
 *  report. */
typedef struct sand_check_finding {
  /** The file's name inside the database directory (NUL-terminated). */
  const char* file;
  /** Where in the file (a block's or record's start), or
   *  ::SAND_CHECK_WHOLE_FILE. */
  uint64_t offset;
  /** What is wrong or worth knowing, e.g. "block checksum mismatch"
   *  (NUL-terminated). */
  const char* what;
} sand_check_finding_t;

/** Sums over the checked files of one type, skipped files excluded
 *  (sand::CheckTotals). Owned by its report. */
typedef struct sand_check_totals {
  /** Files checked. */
  uint64_t files;
  /** Their bytes. */
  uint64_t bytes;
  /** Blocks (tables) or records (MANIFEST, WALs) that passed. */
  uint64_t units;
  /** Entries (tables), operations (WALs) or live tables (MANIFEST). */
  uint64_t entries;
} sand_check_totals_t;

/**
 * What sand_check() found (sand::CheckReport). Read it with the
 * sand_check_report_* functions; every pointer they return stays valid until
 * sand_check_report_destroy(). Returned structs may gain fields at their end
 * in later versions: read them through the returned pointers only, never as
 * arrays.
 */
typedef struct sand_check_report sand_check_report_t;

/**
 * Verifies every checksum and structure of the database in directory `path`
 * without opening it for writing (sand::check_database; `sand check`). It
 * never takes the LOCK or writes, so it may run next to a writer. Damage is
 * reported in the report, not as an error code.
 * @param path The directory (NUL-terminated).
 * @param opts The options, or NULL; only sand_options_set_in_memory() matters.
 * @param report Receives the report, to release with
 * sand_check_report_destroy(); NULL on error.
 * @param errmsg Receives the error message, or NULL.
 * @return ::SAND_OK whether or not problems were found;
 * ::SAND_NOT_FOUND (`path` does not exist or holds no database file);
 * ::SAND_IO_ERROR (the directory cannot be listed); ::SAND_INVALID_ARGUMENT
 * (NULL arguments); ::SAND_OUT_OF_MEMORY.
 */
SAND_C_EXPORT sand_code_t sand_check(const char* path, const sand_options_t* opts,
                                     sand_check_report_t** report, char** errmsg);

/**
 * Whether the check found no problem (notes do not count).
 * @param report The report.
 * @return 1 if clean, 0 if there are problems or `report` is NULL.
 */
SAND_C_EXPORT int sand_check_report_ok(const sand_check_report_t* report);

/**
 * The number of files checked.
 * @param report The report.
 * @return The count; 0 for NULL.
 */
SAND_C_EXPORT size_t sand_check_report_file_count(const sand_check_report_t* report);

/**
 * One checked file, in check order: MANIFEST, tables by number, WALs by
 * number.
 * @param report The report.
 * @param index The file's position, below sand_check_report_file_count().
 * @return The file; NULL for a NULL report or an index out of range.
 */
SAND_C_EXPORT const sand_check_file_t* sand_check_report_file(const sand_check_report_t* report,
                                                              size_t index);

/**
 * The number of problems found (damage a normal open or read would reject).
 * @param report The report.
 * @return The count; 0 for NULL.
 */
SAND_C_EXPORT size_t sand_check_report_problem_count(const sand_check_report_t* report);

/**
 * One problem, in the order found.
 * @param report The report.
 * @param index The problem's position, below
 * sand_check_report_problem_count().
 * @return The problem; NULL for a NULL report or an index out of range.
 */
SAND_C_EXPORT const sand_check_finding_t* sand_check_report_problem(
    const sand_check_report_t* report, size_t index);

/**
 * The number of notes: findings a healthy database may have (a torn tail of
 * the newest WAL, orphan files).
 * @param report The report.
 * @return The count; 0 for NULL.
 */
SAND_C_EXPORT size_t sand_check_report_note_count(const sand_check_report_t* report);

/**
 * One note.
 * @param report The report.
 * @param index The note's position, below sand_check_report_note_count().
 * @return The note; NULL for a NULL report or an index out of range.
 */
SAND_C_EXPORT const sand_check_finding_t* sand_check_report_note(const sand_check_report_t* report,
                                                                 size_t index);

/**
 * The totals over the checked files of one type.
 * @param report The report.
 * @param type The file type.
 * @return The totals; NULL for a NULL report or an unknown type.
 */
SAND_C_EXPORT const sand_check_totals_t* sand_check_report_totals(const sand_check_report_t* report,
                                                                  sand_check_file_type_t type);

/**
 * Releases a report and every string and struct in it.
 * @param report The report, or NULL (no-op).
 */
SAND_C_EXPORT void sand_check_report_destroy(sand_check_report_t* report);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SAND_C_H_ */
