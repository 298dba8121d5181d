#!/usr/bin/env bash
# The whole test suite, as CI runs it: the regular build's tests, the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, and bounded libFuzzer runs of every parser.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== tests (build/)"
scripts/build.sh
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== tests under ASan+UBSan (build-asan/)"
BUILD_DIR=build-asan scripts/build.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDRVSEC_SANITIZE=ON -DDRVSEC_BENCH=OFF \
  -DDRVSEC_PREBUILT_FIXTURES="$PWD/build/fixtures" \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

echo "== bounded fuzzing (build-fuzz/)"
BUILD_DIR=build-fuzz scripts/build.sh -DDRVSEC_FUZZ=ON -DDRVSEC_TESTS=OFF -DDRVSEC_BENCH=OFF \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14
fuzz/run.sh build-fuzz "${FUZZ_SECONDS:-30}"
