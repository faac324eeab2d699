#!/bin/bash
# Long fuzzing runs, outside the test command (which gives each target FUZZ_SECONDS, default 30).
#   bash tools/fuzz/run-long.sh [SECONDS per target, default 3600] [target ...]
# Builds build-fuzz (clang, -fsanitize=fuzzer,address,undefined) if needed, runs every target
# (or the ones named) one after the other on a scratch copy of its seed corpus, and prints per
# target: executions, edges covered in harness code (libFuzzer's "cov"; Debian's libxml2,
# jansson, GnuTLS and libcoap are not instrumented, so every counted edge is the harness's own)
# out of the instrumented edges loaded, and whether it crashed. Crash inputs land in
# build-fuzz/long/crash-<target>-*; add each to harness/fuzz/corpus/<target>/ with its fix.
set -u
cd "$(dirname "$0")/../.."
secs=${1:-3600}; shift || true
{ [ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzzing=true; } >/dev/null && ninja -C build-fuzz >/dev/null || exit 1
out=build-fuzz/long; mkdir -p "$out"
# Copies of the binaries, so a rebuild during a long run does not change what runs.
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=($(ls build-fuzz/harness/fuzz/ | sed -n 's/^fuzz_\([a-z_]*\)$/\1/p'))
printf '%-16s %12s %8s %8s %7s %s\n' target executions cov edges cov% result
rc=0
for t in "${targets[@]}"; do
  cp build-fuzz/harness/fuzz/fuzz_"$t" "$out/fuzz_$t.bin" || { echo "$t: no such target"; rc=1; continue; }
  corpus="$out/corpus-$t"; mkdir -p "$corpus"; cp -r harness/fuzz/corpus/"$t"/. "$corpus"/ 2>/dev/null
  log="$out/$t.log"
  if "$out/fuzz_$t.bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$out/crash-$t-" "$corpus" >"$log" 2>&1
  then result=clean; else result="CRASH (see $log)"; rc=1; fi
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  edges=$(sed -n 's/.*Loaded 1 modules *(\([0-9]*\) inline 8-bit counters).*/\1/p' "$log" | head -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  pct=$(awk -v c="${cov:-0}" -v e="${edges:-0}" 'BEGIN { if (e > 0) printf "%.1f", 100 * c / e; else print "?" }')
  printf '%-16s %12s %8s %8s %7s %s\n' "$t" "${execs:-?}" "${cov:-?}" "${edges:-?}" "$pct" "$result"
done
echo
echo "line coverage of harness code reached by the grown corpora (tools/fuzz/coverage.sh):"
bash tools/fuzz/coverage.sh "${targets[@]}" || rc=1
exit $rc
