#!/usr/bin/env bash
# Every test of m2m-harness, stage by stage, each stage's duration printed:
#   setup, build + unit tests, end-to-end suite, sanitizer build (ASan+UBSan: unit tests and
#   the meson suite e2e-sanitize: every e2e test but the fault-matrix rows), fuzzing
#   (FUZZ_SECONDS per target, default 30).
# Ends with the plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
JOBS=${JOBS:-2}
# End-to-end tests mostly wait on protocol timers (a whole-suite run uses about half a core per
# test on average), so that stage runs half as many again as there are jobs.
E2E_PROCS=${E2E_PROCS:-$(( JOBS + (JOBS + 1) / 2 ))}
stages=()
total_ok=0
total_fail=0
overall=0

# CPU time (user + system, in clock ticks) of this shell's children that have been waited for
# (fields 16 and 17 of /proc/PID/stat: cutime, cstime).
child_cpu() { awk '{ print $16 + $17 }' "/proc/$$/stat"; }

stage() { # name command...
  local name=$1; shift
  local t0; t0=$(date +%s)
  echo "=== stage: $name"
  # the CPU the stage's processes used (user + system), from the shell's child times
  local c0 c1; c0=$(child_cpu)
  "$@"
  local rc=$?
  c1=$(child_cpu)
  local dt=$(( $(date +%s) - t0 ))
  local cpu=$(( (c1 - c0) / $(getconf CLK_TCK) ))
  stages+=("$(printf '%-34s %5ds  %s  (CPU %ds)' "$name" "$dt" "$([ $rc = 0 ] && echo ok || echo FAILED)" "$cpu")")
  echo "=== stage: $name: $([ $rc = 0 ] && echo ok || echo FAILED) in ${dt}s, CPU ${cpu}s"
  [ $rc = 0 ] || overall=1
  return 0
}

# meson test, counting its results into the totals
mtest() { # builddir args...
  local dir=$1; shift
  local log; log=$(mktemp)
  meson test -C "$dir" --num-processes "${PROCS:-$JOBS}" --print-errorlogs "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local okn failn
  okn=$(awk '/^Ok:/{print $2}' "$log" | tail -1)
  failn=$(awk '/^(Fail|Unexpected Pass|Timeout):/{s+=$NF} END{print s+0}' "$log")
  total_ok=$((total_ok + ${okn:-0}))
  total_fail=$((total_fail + ${failn:-0}))
  rm -f "$log"
  [ "$rc" = 0 ] || [ "${failn:-0}" -gt 0 ] || total_fail=$((total_fail + 1))
  return "$rc"
}

# The default build with gcc ($CC when set), whatever `cc` points at; the same sources with
# clang in build-clang (both must build warning-free: -Werror).
build_default() { bash tools/setup/build-dir.sh build && ninja -C build; }
unit_tests() { mtest build --suite unit; }
build_clang_and_unit() { CC=clang bash tools/setup/build-dir.sh build-clang && ninja -C build-clang && mtest build-clang --suite unit; }
e2e_tests() { PROCS=$E2E_PROCS mtest build --suite e2e; }
sanitizers() {
  bash tools/setup/build-dir.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug &&
  ninja -C build-asan &&
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    mtest build-asan --suite unit &&
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    mtest build-asan --suite e2e-sanitize
}
fuzzing() {
  CC=clang bash tools/setup/build-dir.sh build-fuzz -Dfuzzing=true && ninja -C build-fuzz || return 1
  local rc=0
  for f in build-fuzz/harness/fuzz/fuzz_*; do
    [ -f "$f" ] && [ -x "$f" ] || continue
    local t; t=$(basename "$f"); t=${t#fuzz_}
    local corpus; corpus=$(mktemp -d)
    cp -r harness/fuzz/corpus/"$t"/. "$corpus"/ 2>/dev/null
    if "$f" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -artifact_prefix="build-fuzz/crash-$t-" "$corpus" > "build-fuzz/fuzz_$t.log" 2>&1; then
      echo "fuzz_$t: $(grep -E 'stat::number_of_executed_units' "build-fuzz/fuzz_$t.log" | awk '{print $2}') executions, no crash"
      total_ok=$((total_ok + 1))
    else
      echo "fuzz_$t: FAILED (see build-fuzz/fuzz_$t.log)"; tail -30 "build-fuzz/fuzz_$t.log"
      total_fail=$((total_fail + 1)); rc=1
    fi
    rm -rf "$corpus"
  done
  return $rc
}

stage "setup" bash tools/setup/install-deps.sh
build_and_unit() { build_default && unit_tests; }
stage "build + unit tests" build_and_unit
stage "build + unit tests (clang)" build_clang_and_unit
stage "end-to-end (in-cse suite)" e2e_tests
stage "sanitizers (ASan+UBSan)" sanitizers
stage "fuzzing (${FUZZ_SECONDS}s per target)" fuzzing

echo
echo "stage durations:"
for s in "${stages[@]}"; do echo "  $s"; done
echo
echo "${total_ok} passed, ${total_fail} failed"
exit $overall
