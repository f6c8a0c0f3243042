/// @file
/// The version of sanddb: of these headers at compile time (the macros) and of
/// the library linked at run time (sand::version()).
///
/// Versions follow semantic versioning. While the major version is 0, a minor
/// release may change the C++ API and ABI; the shared library's SONAME
/// (`libsand.so.0.MINOR`) changes with it, so a program never runs against a
/// library it was not built for. File formats are versioned separately, in
/// each file's header (spec/README.md): every release reads every format
/// version it has ever written.
///
/// @par Thread-safety
/// Constants and a pure function.
#pragma once

#include <string_view>

#include "sand/export.hpp"

/// Major version of the headers (incompatible API changes).
#define SAND_VERSION_MAJOR 0
/// Minor version of the headers (while MAJOR is 0: may change the API).
#define SAND_VERSION_MINOR 6
/// Patch version of the headers (fixes only).
#define SAND_VERSION_PATCH 0

namespace sand {

/// The version of the library linked at run time, as "MAJOR.MINOR.PATCH".
///
/// For example "0.4.0". Compare with the #SAND_VERSION_MAJOR,
/// #SAND_VERSION_MINOR and #SAND_VERSION_PATCH macros to detect a program
/// built against other headers.
/// @return A view that is valid for the life of the program.
SAND_EXPORT std::string_view version();

}  // namespace sand
