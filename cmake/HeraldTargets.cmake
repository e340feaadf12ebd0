# herald_warnings(target): our code builds with -Wall -Wextra -Wpedantic, and with
# -Werror under HERALD_WERROR (on in every preset, so in dev and CI; off by default so
# that any build type of a release tarball compiles with any compiler). Third-party
# headers come in as system headers, so their warnings never fail our build.
function(herald_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
    -Wno-missing-field-initializers)
  if(HERALD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  # GCC 12 at -O2 reports a false -Wmismatched-new-delete inside Asio's awaitable frame
  # allocator (its operator new/delete are a matched pair) in every coroutine.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
  endif()
  # GCC 12 at -O3 (CMAKE_BUILD_TYPE=Release) reports a false -Wrestrict inside
  # std::string's operator+ (GCC bug 105329, fixed in 13): `"a" + std::string(b)`.
  # Only there: the presets' -O2 builds keep the warning.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE $<$<CONFIG:Release>:-Wno-restrict>)
  endif()
endfunction()
