# Install rules, the CMake package (find_package(sand) -> sand::sand), the
# pkg-config file (sand.pc) and the Debian package (cpack -G DEB).
#
# Installed layout (prefix-relative; libdir as GNUInstallDirs chooses):
#   include/sand/*.hpp, include/sand/c.h     the public API
#   <libdir>/libsand.a or libsand.so.*        the library
#   bin/sand                                  the tool (when built)
#   <libdir>/cmake/sand/                      sandConfig*.cmake, sandTargets*.cmake
#   <libdir>/pkgconfig/sand.pc
#   share/doc/sanddb/                         README.md, LICENSE
include(CMakePackageConfigHelpers)

set(SAND_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/sand)

install(TARGETS sand EXPORT sandTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/sand
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
if(TARGET sand_cli)
  install(TARGETS sand_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT sandTargets NAMESPACE sand:: FILE sandTargets.cmake DESTINATION ${SAND_CMAKE_DIR})
# A static libsand needs its dependencies at the consumer's link; a shared one
# does not (sandConfig.cmake looks them up only for a static build).
if(BUILD_SHARED_LIBS)
  set(SAND_CONFIG_STATIC OFF)
else()
  set(SAND_CONFIG_STATIC ON)
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/sandConfig.cmake.in
  ${PROJECT_BINARY_DIR}/sandConfig.cmake INSTALL_DESTINATION ${SAND_CMAKE_DIR})
# 0.x: a minor release may break the API, so only the same minor matches.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sandConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/sandConfig.cmake
  ${PROJECT_BINARY_DIR}/sandConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindLZ4.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindXXHash.cmake
  DESTINATION ${SAND_CMAKE_DIR})

# sand.pc finds its prefix relative to itself, so an installed tree can be
# moved (cmake --install --prefix, a staged DESTDIR) without editing it.
file(RELATIVE_PATH SAND_PC_PREFIX_FROM_PCDIR
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" SAND_PC_PREFIX_FROM_PCDIR "${SAND_PC_PREFIX_FROM_PCDIR}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/sand.pc.in ${PROJECT_BINARY_DIR}/sand.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/sand.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

# cpack -G DEB (from a build configured with -DCMAKE_INSTALL_PREFIX=/usr):
# one package with the library, headers, tool and package files. Its
# run-time dependencies (liblz4-1, libxxhash0, libstdc++6, libc6) come from
# dpkg-shlibdeps, so they match what the binaries really load.
set(CPACK_PACKAGE_NAME sanddb)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The sanddb authors")
set(CPACK_PACKAGE_CONTACT "The sanddb authors <sanddb@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
  "sanddb is an embedded, persistent, append-only key-value store in which every\n committed write batch gets a new version: read the latest state, the state\n as of any retained version, or a key's history. This package holds the\n library (C++ and C API), its headers, the `sand` tool, and the CMake and\n pkg-config files.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
set(CPACK_GENERATOR DEB)
include(CPack)
