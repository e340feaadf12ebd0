# herald_warnings(target): our code builds with -Wall -Wextra -Werror (third-party
# headers come in as system headers, so their warnings do not fail our build).
function(herald_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wpedantic
    -Wno-missing-field-initializers)
endfunction()
