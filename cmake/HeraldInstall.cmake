# Install and export: `cmake --install` puts the public headers (include/herald), the
# static libraries, HeraldConfig.cmake (targets Herald::redis, Herald::cache,
# Herald::realtime, Herald::gateway and the ones they build on) and herald.pc under
# the prefix. Components: `dev` (headers, libraries, CMake and pkg-config files) and
# `server` (the herald binary, its systemd unit and default config; src/app).
# Consumers: find_package(Herald CONFIG) (docs/library.md, examples/cache-service).
include(CMakePackageConfigHelpers)

# Build-tree name -> exported name (Herald::<name>), bottom-up.
set(herald_exported
  herald_redis_core:redis_core herald_asio:asio herald_redis:redis
  herald_cache_core:cache_core herald_cache:cache
  herald_protocol:protocol herald_realtime_core:realtime_core herald_realtime:realtime
  herald_access:access herald_socketio:socketio herald_http_head:http_head
  herald_proxy_core:proxy_core
  herald_proxy:proxy herald_gateway:gateway)
set(herald_install_targets)
foreach(pair ${herald_exported})
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 target)
  list(GET pair 1 name)
  if(TARGET ${target})
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
    list(APPEND herald_install_targets ${target})
  endif()
endforeach()

if(herald_install_targets)
  install(TARGETS ${herald_install_targets} EXPORT HeraldTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  # include/herald/app is the binary's configuration (not a library's API).
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/herald
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev PATTERN app EXCLUDE)
  set(herald_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/Herald)
  install(EXPORT HeraldTargets NAMESPACE Herald:: DESTINATION ${herald_cmake_dir} COMPONENT dev)
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/HeraldConfig.cmake.in
    ${PROJECT_BINARY_DIR}/HeraldConfig.cmake INSTALL_DESTINATION ${herald_cmake_dir})
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/HeraldConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/HeraldConfig.cmake
    ${PROJECT_BINARY_DIR}/HeraldConfigVersion.cmake
    DESTINATION ${herald_cmake_dir} COMPONENT dev)
  # pkg-config: the libraries in link order, their dependencies as Requires / Libs.
  configure_file(${PROJECT_SOURCE_DIR}/cmake/herald.pc.in ${PROJECT_BINARY_DIR}/herald.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/herald.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endif()
