/// @file
/// SAND_EXPORT: marks the symbols of sanddb's public API.
///
/// The library is built with hidden visibility, so a shared libsand exports
/// only what the public headers declare with SAND_EXPORT: its internals can
/// change between patch releases without breaking a program, and they cannot
/// clash with the symbols of another library in the same process.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
/// Gives a declaration default visibility: part of the library's ABI.
///
/// With GCC and Clang it expands to `[[gnu::visibility("default")]]`; with
/// other compilers it expands to nothing.
#define SAND_EXPORT [[gnu::visibility("default")]]
#else
#define SAND_EXPORT
#endif
