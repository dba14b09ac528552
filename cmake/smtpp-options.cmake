# Every option of the project, declared once.
include(GNUInstallDirs)
if(NOT DEFINED SMTPP_IS_TOP_LEVEL)
  set(SMTPP_IS_TOP_LEVEL ${PROJECT_IS_TOP_LEVEL})
endif()

option(SMTPP_BUILD_TESTS      "Build the Catch2 tests"                          ${SMTPP_IS_TOP_LEVEL})
option(SMTPP_BUILD_EXAMPLES   "Build the example hosts"                         ${SMTPP_IS_TOP_LEVEL})
option(SMTPP_BUILD_BENCHMARKS "Build the Google Benchmark suite"                OFF)
option(SMTPP_BUILD_FUZZERS    "Build the fuzz targets (libFuzzer when available, else a corpus replayer)" OFF)
option(SMTPP_SANITIZE         "Build tests, fuzzers and examples with ASan+UBSan" OFF)
option(SMTPP_NO_EXCEPTIONS    "Build the project's own targets with -fno-exceptions -fno-rtti" OFF)
option(SMTPP_WERROR           "Treat warnings as errors in the project's own targets" ${SMTPP_IS_TOP_LEVEL})
option(SMTPP_INSTALL          "Generate the install and package-config rules"  ${SMTPP_IS_TOP_LEVEL})
