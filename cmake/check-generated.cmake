# ctest helper: runs a generator and fails when its output differs from a committed file.
# Usage: cmake -DGEN=<program> -DFILE=<committed file> [-DEMULATOR=<runner>] -P check-generated.cmake
# EMULATOR is CMAKE_CROSSCOMPILING_EMULATOR (qemu, wine) when cross-compiling.
execute_process(COMMAND ${EMULATOR} ${GEN} OUTPUT_VARIABLE generated RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${GEN} failed with ${rc}")
endif()
# A Windows program under wine writes CRLF in text mode: compare lines, not line ends.
string(REPLACE "\r\n" "\n" generated "${generated}")
file(READ ${FILE} committed)
if(NOT generated STREQUAL committed)
  message(FATAL_ERROR "${FILE} is out of date: regenerate it with `${GEN} > ${FILE}`")
endif()
