#!/usr/bin/env bash
# Verdict stability: runs the main job (tools/run-main.sh) N times in a row (default 20) and
# compares every test's verdict per profile across the runs. Prints each run's wall time and
# result, then every test@profile whose verdict was not the same in all runs (a flaky
# verdict), with the verdicts seen. Exit status 1 when any verdict changed, else 0. A long
# run (N x ~10 s on 2 cores), not part of the test suite.
#   bash tools/bench/repeat-main.sh [N]
set -uo pipefail
cd "$(dirname "$0")/../.."
n=${1:-20}
case $n in ''|*[!0-9]*) echo "repeat-main: N must be a number, not '$n'"; exit 2;; esac
all=$(mktemp); trap 'rm -f "$all"' EXIT
for i in $(seq 1 "$n"); do
  s=$(date +%s%N)
  bash tools/run-main.sh >/dev/null 2>&1; rc=$?
  e=$(date +%s%N)
  j=$(readlink -f reports/latest)/junit.xml
  [ -f "$j" ] || { echo "run $i: no $j (exit $rc)"; exit 1; }
  # one line per executed test: run suite.name verdict
  xmllint --xpath '//testsuite' "$j" 2>/dev/null | awk -v run="$i" '
    /<testsuite / { match($0, /name="[^"]*"/); suite = substr($0, RSTART + 6, RLENGTH - 7) }
    /<testcase / { match($0, /name="[^"]*"/); name = substr($0, RSTART + 6, RLENGTH - 7); v = "pass"; open = 1 }
    open && /<failure/ { v = "failure" }
    open && /<error/ { v = "error" }
    open && /<skipped/ { v = "skipped" }
    open && (/<\/testcase>/ || /<testcase [^>]*\/>/) { print run, name "@" suite, v; open = 0 }' >> "$all"
  printf 'run %2d: %6.2f s, exit %d\n' "$i" "$(awk -v a="$s" -v b="$e" 'BEGIN {print (b - a) / 1e9}')" "$rc"
done
flaky=$(awk '{ seen[$2] = seen[$2] " " $3; if (!($2 in first)) first[$2] = $3; else if (first[$2] != $3) bad[$2] = 1 }
             END { for (k in bad) print k ":" seen[k] }' "$all" | sort)
tests=$(awk '{print $2}' "$all" | sort -u | wc -l)
if [ -n "$flaky" ]; then
  echo "flaky verdicts ($(echo "$flaky" | wc -l) of $tests tests@profiles per run):"; echo "$flaky" | sed 's/^/  /'; exit 1
fi
echo "no flaky verdict: $tests tests@profiles per run (skips included), the same verdicts in all $n runs"
