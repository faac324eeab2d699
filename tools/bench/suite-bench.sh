#!/usr/bin/env bash
# Suite benchmark: runs the main job (tools/run-main.sh) once and prints its wall time, the
# longest single test of that same run, their ratio, and the per-test overhead (CPU per test
# execution in the main job; and one test alone, end to end: process start, loading the
# suite, the test, the reports). Numbers are reported, never asserted (a test never asserts
# wall-clock time). The machine's load average is printed with them: on a shared machine
# the wall time follows the load.
#   bash tools/bench/suite-bench.sh        (or: ninja -C build bench-suite)
set -uo pipefail
cd "$(dirname "$0")/../.."
log=$(mktemp); trap 'rm -f "$log"' EXIT
load=$(cut -d' ' -f1-3 /proc/loadavg)
TIMEFORMAT='%R %U %S'
{ time bash tools/run-main.sh >"$log" 2>&1; } 2>"$log.time"; rc=$?
read -r wall user sys < "$log.time"; rm -f "$log.time"
[ "$rc" -eq 0 ] || { echo "suite-bench: the main job failed (exit $rc); its output:"; cat "$log"; }
run=$(readlink -f reports/latest)
j=$run/junit.xml
[ -f "$j" ] || { echo "suite-bench: no $j"; exit 1; }
# name time of every executed test (no <skipped>), longest first
rows=$(xmllint --xpath '//testcase[not(skipped)]' "$j" 2>/dev/null \
       | sed -n 's/.*<testcase name="\([^"]*\)".* time="\([0-9.]*\)".*/\2 \1/p' | sort -rn)
n=$(echo "$rows" | grep -c .)
read -r longest longest_name <<< "$(echo "$rows" | head -1)"
sum=$(echo "$rows" | awk '{s += $1} END {printf "%.1f", s}')
long=$(echo "$rows" | awk '$1 >= 2 {n++} END {print n + 0}')
profiles=$(xmllint --xpath 'count(/testsuites/testsuite)' "$j")
# One quick test alone, five times: the median wall time and the test's own time.
export SIM_DEVICE=$PWD/build/tools/sim-device/sim-device
one=$(for i in 1 2 3 4 5; do
        s=$(date +%s%N)
        build/harness/m2m-harness run -j 1 -q --profile fixtures/profiles/sim-device-asn.xml -f TC_SEC_SAE_PSK_001 \
          --report-dir "$log.d" testcases >/dev/null 2>&1
        e=$(date +%s%N)
        t=$(xmllint --xpath 'string(//testcase/@time)' "$log.d/latest/junit.xml")
        echo "$(( (e - s) / 1000000 )) $t"
      done | sort -n | sed -n 3p)
rm -rf "$log.d"
read -r one_ms one_test <<< "$one"
awk -v wall="$wall" -v user="$user" -v sys="$sys" -v load="$load" -v n="$n" -v profiles="$profiles" \
    -v longest="$longest" -v name="$longest_name" -v sum="$sum" -v long="$long" -v one_ms="$one_ms" \
    -v one_test="$one_test" 'BEGIN {
  printf "main job (tools/run-main.sh): %.2f s wall, %.2f s CPU (user %.2f + sys %.2f); load average before: %s\n", wall, user + sys, user, sys, load
  printf "  %d test executions over %d profiles, %d of them 2 s or longer; their times add up to %s s\n", n, profiles, long, sum
  printf "longest single test: %.2f s (%s)\n", longest, name
  printf "ratio main job / longest test: %.2f\n", wall / longest
  printf "per-test overhead: %.1f ms CPU per test execution in the main job; one test alone, end to end: %d ms (TC_SEC_SAE_PSK_001 against sim-device-asn, median of 5; the test itself %.0f ms)\n", (user + sys) * 1000 / n, one_ms, one_test * 1000
}'
echo "10 longest test executions:"
echo "$rows" | head -10 | awk '{printf "  %6.2f s  %s\n", $1, $2}'
exit "$rc"
