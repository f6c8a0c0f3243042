// Thread-safety annotations: lock rules the compiler checks.
//
// With clang and -Wthread-safety (CMake option SAND_THREAD_SAFETY, on by
// default) these expand to clang's capability attributes, and a read or
// write of a SAND_GUARDED_BY field without its mutex, a call to a
// SAND_REQUIRES function without the lock, or a lock still held (or never
// taken) at the end of a scope is a compile error in CI. With other compilers
// they expand to nothing. Reference:
// https://clang.llvm.org/docs/ThreadSafetyAnalysis.html
//
// Use them with the annotated Mutex, MutexLock, UniqueLock and CondVar of
// util/mutex.hpp: std::mutex and std::lock_guard carry no annotations in
// libstdc++, so the analysis cannot see them. What goes where:
//   field read or written only under mu_        SAND_GUARDED_BY(mu_)
//   pointer whose pointee is guarded by mu_     SAND_PT_GUARDED_BY(mu_)
//   private helper called with mu_ held         SAND_REQUIRES(mu_)
//   public entry point that takes mu_ itself    SAND_EXCLUDES(mu_)
// The analysis is intraprocedural: it checks each function body against the
// annotations of the functions it calls, nothing more. It does not know about
// aliasing (`a.mu` and `b.mu` are different mutexes even if a and b are the
// same object) and it checks a lambda body as a function of its own (see
// util/mutex.hpp for waiting on a condition). SAND_ACQUIRED_BEFORE/AFTER
// document lock order; clang checks them only with -Wthread-safety-beta.
// Thread-safety: macros only.
#pragma once

#if defined(__clang__)
#define SAND_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define SAND_THREAD_ANNOTATION_(x)
#endif

// On a class: its objects are capabilities (mutexes); `name` appears in
// diagnostics ("requires holding mutex 'mu_'").
#define SAND_CAPABILITY(name) SAND_THREAD_ANNOTATION_(capability(name))
// On a class: an RAII object that holds a capability for its lifetime.
#define SAND_SCOPED_CAPABILITY SAND_THREAD_ANNOTATION_(scoped_lockable)

// On a field: reading needs the capability held (shared or exclusive),
// writing needs it held exclusively.
#define SAND_GUARDED_BY(x) SAND_THREAD_ANNOTATION_(guarded_by(x))
// On a pointer field: the same rule for the object it points to (the pointer
// itself is not guarded).
#define SAND_PT_GUARDED_BY(x) SAND_THREAD_ANNOTATION_(pt_guarded_by(x))

// On a function: the caller must hold the capabilities (exclusively / at
// least shared) on entry, and still holds them on exit.
#define SAND_REQUIRES(...) SAND_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define SAND_REQUIRES_SHARED(...) \
  SAND_THREAD_ANNOTATION_(requires_shared_capability(__VA_ARGS__))
// On a function: the caller must not hold the capabilities (the function
// takes them). Checked where a caller visibly holds one.
#define SAND_EXCLUDES(...) SAND_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))

// On a function: it acquires / releases the capabilities (none named: `this`,
// for a mutex class's own lock()/unlock() or a scoped lock's methods).
#define SAND_ACQUIRE(...) SAND_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define SAND_RELEASE(...) SAND_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
// On a function returning bool (or a pointer): it acquired the capabilities
// when it returns `result` (SAND_TRY_ACQUIRE(true, mu_)).
#define SAND_TRY_ACQUIRE(...) SAND_THREAD_ANNOTATION_(try_acquire_capability(__VA_ARGS__))
// On a function: from here on the analysis assumes the caller holds `x`. A
// promise the compiler cannot check: Mutex::assert_held() checks it at run
// time in builds without NDEBUG.
#define SAND_ASSERT_CAPABILITY(x) SAND_THREAD_ANNOTATION_(assert_capability(x))
// On a function returning a reference to a capability: which one it is.
#define SAND_RETURN_CAPABILITY(x) SAND_THREAD_ANNOTATION_(lock_returned(x))

// On a mutex field: the lock order (checked only with -Wthread-safety-beta).
#define SAND_ACQUIRED_BEFORE(...) SAND_THREAD_ANNOTATION_(acquired_before(__VA_ARGS__))
#define SAND_ACQUIRED_AFTER(...) SAND_THREAD_ANNOTATION_(acquired_after(__VA_ARGS__))

// On a function: its body is not analysed. The escape hatch for code the
// analysis cannot follow; every use says why in a comment.
#define SAND_NO_THREAD_SAFETY_ANALYSIS SAND_THREAD_ANNOTATION_(no_thread_safety_analysis)
