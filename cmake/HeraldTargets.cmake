# herald_warnings(target): our code builds with -Wall -Wextra -Werror (third-party
# headers come in as system headers, so their warnings do not fail our build).
function(herald_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wpedantic
    -Wno-missing-field-initializers)
  # GCC 12 at -O2 reports a false -Wmismatched-new-delete inside Asio's awaitable frame
  # allocator (its operator new/delete are a matched pair) in every coroutine.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
  endif()
endfunction()
