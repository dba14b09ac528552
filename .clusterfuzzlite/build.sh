#!/bin/bash -eu
# ClusterFuzzLite build: the same as OSS-Fuzz's (fuzz/oss-fuzz-build.sh).
bash "$SRC/smtpp/fuzz/oss-fuzz-build.sh"
