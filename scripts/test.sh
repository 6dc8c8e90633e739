#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run):
#   1. Release build + every GoogleTest under ctest;
#   2. clang-14 Debug build with AddressSanitizer + UndefinedBehaviorSanitizer
#      + libFuzzer instrumentation: every GoogleTest again under the sanitizers,
#      then every fuzz target briefly on its seed corpus;
#   3. end-to-end tests (pytest) that run the real kgate binary.
# Set KGATE_FUZZ_SECONDS to change the per-target fuzzing time (default 15).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${KGATE_FUZZ_SECONDS:-15}

step() { printf '\n=== %s ===\n' "$*"; }

step "release build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$JOBS"
step "unit tests (release)"
ctest --test-dir build --output-on-failure -j"$JOBS"

# One clang-14 build serves both: every object has ASan + UBSan and libFuzzer
# coverage instrumentation; unit tests link gtest_main, fuzz targets libFuzzer.
step "sanitizer + fuzz build (clang-14, ASan + UBSan + libFuzzer)"
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKGATE_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$JOBS"
step "unit tests (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-fuzz --output-on-failure -j"$JOBS"

step "fuzzing, ${FUZZ_SECONDS}s per target"
for bin in build-fuzz/fuzz/*_fuzzer; do
  name=$(basename "$bin")
  corpus=$(mktemp -d)
  [ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$corpus/"
  echo "--- $name"
  rc=0
  "$bin" "$corpus" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 >"$corpus.log" 2>&1 || rc=$?
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|DONE|ERROR|SUMMARY" "$corpus.log" || true
  if [ "$rc" -ne 0 ]; then tail -60 "$corpus.log"; exit "$rc"; fi
  rm -rf "$corpus" "$corpus.log"
done

step "end-to-end tests"
KGATE_BIN="$PWD/build/kgate" .venv/bin/python -m pytest -q tests/e2e
