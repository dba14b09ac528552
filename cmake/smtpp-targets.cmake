# The command that runs a target's binary in tests that launch it through sh or cmake -P
# (ctest adds CMAKE_CROSSCOMPILING_EMULATOR only to a test whose command is a target).
string(REPLACE ";" " " SMTPP_EMULATOR_SH "${CMAKE_CROSSCOMPILING_EMULATOR}")

# Flags for the project's own targets only (never global, never for consumers).
function(smtpp_target_defaults target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
      -Wsign-conversion -Wold-style-cast -Wnon-virtual-dtor)
    if(SMTPP_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(SMTPP_NO_EXCEPTIONS)
      target_compile_options(${target} PRIVATE -fno-exceptions -fno-rtti)
      target_compile_definitions(${target} PRIVATE CATCH_CONFIG_DISABLE_EXCEPTIONS)
    endif()
    if(SMTPP_SANITIZE)
      target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all
        -fno-omit-frame-pointer)
      target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    endif()
  endif()
endfunction()
