# Cross build for i686-linux-gnu with Debian's cross compiler; tests run under qemu-user
# (ctest adds CMAKE_CROSSCOMPILING_EMULATOR to every test that runs a target).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86)
# Debian's cross g++ unless the caller chose a compiler (clang++ with
# -DCMAKE_CXX_COMPILER_TARGET=i686-linux-gnu uses the same headers and libraries).
if(NOT CMAKE_CXX_COMPILER)
  set(CMAKE_CXX_COMPILER i686-linux-gnu-g++)
endif()
if(NOT CMAKE_C_COMPILER)
  set(CMAKE_C_COMPILER i686-linux-gnu-gcc)
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-i386 -L /usr/i686-linux-gnu)
# Headers and CMake packages (Catch2 is header-only) come from the host.
set(CMAKE_FIND_ROOT_PATH /usr/i686-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
