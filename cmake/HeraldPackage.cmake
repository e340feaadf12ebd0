# Debian packages by CPack (`cmake --preset package && cmake --build --preset package
# && (cd build/package && cpack)`; scripts/check-package.sh builds and checks them):
#   herald         the binary, its systemd unit, a commented default configuration
#                  (/etc/herald/herald.toml, a conffile)       <- component `server`
#   libherald-dev  headers, static libraries, CMake and pkg-config files <- `dev`
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME herald)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Herald")
set(CPACK_PACKAGE_CONTACT "Herald developers <herald@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "real-time gateway and cache layer")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # the binary without its debug info (RelWithDebInfo)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL server dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME herald)
set(CPACK_COMPONENT_SERVER_DESCRIPTION
  "Herald real-time gateway and cache\n WebSocket/SSE channels with history and recovery, an HTTP caching gateway\n in front of any app, a two-level cache kept coherent through Redis.")
set(CPACK_DEBIAN_SERVER_PACKAGE_SHLIBDEPS ON)  # the binary's shared libraries
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/conffiles)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libherald-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DESCRIPTION
  "Herald C++ libraries (development files)\n The async Redis client, the two-level cache, the real-time hub and the\n gateway as static libraries with headers, HeraldConfig.cmake and herald.pc.")
# What a consumer compiles and links against (the static libraries' dependencies).
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "libboost1.81-dev, libboost-json1.81-dev, libboost-url1.81-dev, libhiredis-dev, libssl-dev, libspdlog-dev, libfmt-dev, libxxhash-dev, pkg-config")
include(CPack)
