#!/bin/bash -eu
# OSS-Fuzz build script for smtpp (projects/smtpp/build.sh in google/oss-fuzz). The
# library is header-only: every fuzz/fuzz_<t>.cpp is compiled with $CXX $CXXFLAGS and
# linked with $LIB_FUZZING_ENGINE; fuzz/oss-fuzz-build.sh also writes each target's
# <t>_seed_corpus.zip, <t>.options and the dictionary into $OUT.
bash "$SRC/smtpp/fuzz/oss-fuzz-build.sh"
