#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run):
#   1. Release build of kgate, the product the end-to-end tests run;
#   2. clang-14 Debug build with AddressSanitizer + UndefinedBehaviorSanitizer
#      + libFuzzer instrumentation: every GoogleTest under the sanitizers,
#      then every fuzz target briefly on its seed corpus;
#   3. end-to-end tests (pytest) that run the Release kgate binary.
# CI must finish in 30 minutes on 2 cores, and the two builds take most of it,
# so the GoogleTests are built and run once, under the sanitizers (which also
# catch the undefined behaviour an optimizer could turn into a bug). Set
# KGATE_RELEASE_UNIT_TESTS=1 to build and run them in Release as well; the
# corruption sweeps visit every sampled offset only there (tests/sweep_sampling.h).
# Set KGATE_FUZZ_SECONDS to change the per-target fuzzing time (default 15);
# targets run JOBS at a time. Each step prints the time it started at, so a CI
# log shows where the minutes go.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${KGATE_FUZZ_SECONDS:-15}

step() { printf '\n=== %s === (at %dm%02ds)\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }

RELEASE_TESTS=OFF
if [ "${KGATE_RELEASE_UNIT_TESTS:-0}" = 1 ]; then RELEASE_TESTS=ON; fi

step "release build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKGATE_BUILD_BENCH=OFF -DKGATE_BUILD_TESTS="$RELEASE_TESTS" >/dev/null
cmake --build build -j"$JOBS"
if [ "$RELEASE_TESTS" = ON ]; then
  step "unit tests (release)"
  ctest --test-dir build --output-on-failure -j"$JOBS"
fi

# One clang-14 build serves both: every object has ASan + UBSan and libFuzzer
# coverage instrumentation; unit tests link gtest_main, fuzz targets libFuzzer.
step "sanitizer + fuzz build (clang-14, ASan + UBSan + libFuzzer)"
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKGATE_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$JOBS"
step "unit tests (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-fuzz --output-on-failure -j"$JOBS"

step "fuzzing, ${FUZZ_SECONDS}s per target, ${JOBS} at a time"
fuzz_out=$(mktemp -d)
run_fuzzer() {  # <binary>: fuzzes from a copy of its seed corpus; leaves <name>.log and <name>.rc
  local name corpus rc=0
  name=$(basename "$1")
  corpus=$(mktemp -d)
  [ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$corpus/"
  "$1" "$corpus" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$fuzz_out/$name-" >"$fuzz_out/$name.log" 2>&1 || rc=$?
  rm -rf "$corpus"
  echo "$rc" >"$fuzz_out/$name.rc"
}
for bin in build-fuzz/fuzz/*_fuzzer; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  run_fuzzer "$bin" &
done
wait
fuzz_rc=0
for bin in build-fuzz/fuzz/*_fuzzer; do
  name=$(basename "$bin")
  rc=$(cat "$fuzz_out/$name.rc" 2>/dev/null || echo 1)
  echo "--- $name"
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|DONE|ERROR|SUMMARY" "$fuzz_out/$name.log" || true
  if [ "$rc" -ne 0 ]; then
    tail -60 "$fuzz_out/$name.log"
    ls "$fuzz_out" | grep -E "^$name-" || true
    if [ "$fuzz_rc" -eq 0 ]; then fuzz_rc=$rc; fi
  fi
done
if [ "$fuzz_rc" -ne 0 ]; then echo "fuzzing found a failure; artifacts in $fuzz_out"; exit "$fuzz_rc"; fi
rm -rf "$fuzz_out"

step "end-to-end tests"
KGATE_BIN="$PWD/build/kgate" .venv/bin/python -m pytest -q tests/e2e
step "done"
