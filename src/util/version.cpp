// sand::version(): the version this library was built as, from the headers it
// was compiled with.
#include "sand/version.hpp"

namespace sand {

#define SAND_STRINGIFY_INNER_(x) #x
#define SAND_STRINGIFY_(x) SAND_STRINGIFY_INNER_(x)

std::string_view version() {
  return SAND_STRINGIFY_(SAND_VERSION_MAJOR) "." SAND_STRINGIFY_(
      SAND_VERSION_MINOR) "." SAND_STRINGIFY_(SAND_VERSION_PATCH);
}

}  // namespace sand
