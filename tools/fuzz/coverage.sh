#!/bin/bash
# Line coverage of harness code reached by each fuzz target's corpus (after a long run:
# build-fuzz/long/corpus-<target>, else the seed corpus harness/fuzz/corpus/<target>).
#   bash tools/fuzz/coverage.sh [target ...]
# Builds build-fuzzcov (clang, libFuzzer + source-based coverage), replays each corpus once
# (-runs=0) and prints, per target, the lines covered in the harness files the target
# reaches at all (files with no covered line — code linked but never called — are left out;
# the fuzz driver itself too). Uses llvm-profdata / llvm-cov (Debian package llvm).
set -u
cd "$(dirname "$0")/../.."
command -v llvm-cov >/dev/null && command -v llvm-profdata >/dev/null || { echo "coverage.sh: needs llvm-cov and llvm-profdata (apt-get install llvm)"; exit 2; }
if [ ! -f build-fuzzcov/build.ninja ]; then
  CC=clang meson setup build-fuzzcov -Dfuzzing=true -Dc_args="-fprofile-instr-generate -fcoverage-mapping" \
    -Dc_link_args="-fprofile-instr-generate" >/dev/null || exit 1
fi
ninja -C build-fuzzcov >/dev/null || exit 1
out=build-fuzzcov/cov; mkdir -p "$out"
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=($(ls build-fuzzcov/harness/fuzz/ | sed -n 's/^fuzz_\([a-z_]*\)$/\1/p'))
printf '%-16s %8s %8s %7s  %s\n' target lines covered cov% "files reached (covered/lines)"
for t in "${targets[@]}"; do
  corpus=build-fuzz/long/corpus-$t; [ -d "$corpus" ] || corpus=harness/fuzz/corpus/$t
  bin=build-fuzzcov/harness/fuzz/fuzz_$t
  rm -f "$out/$t".*.profraw
  LLVM_PROFILE_FILE="$out/$t.%p.profraw" "$bin" -runs=0 "$corpus" >"$out/$t.replay.log" 2>&1
  llvm-profdata merge -sparse "$out/$t".*.profraw -o "$out/$t.profdata" || continue
  llvm-cov report "$bin" -instr-profile="$out/$t.profdata" -ignore-filename-regex='harness/fuzz/' >"$out/$t.report.txt"
  # Columns of llvm-cov report: file, regions, missed, cover, functions, missed, executed, lines, missed, cover, ...
  awk -v t="$t" '$1 ~ /\.c$/ && $8 > 0 && $8 > $9 {
      n += $8; miss += $9; f = $1; sub(".*/harness/", "", f); files = files sprintf(" %s(%d/%d)", f, $8 - $9, $8) }
    END { printf "%-16s %8d %8d %6.1f%% %s\n", t, n, n - miss, n ? 100 * (n - miss) / n : 0, files }' "$out/$t.report.txt"
done
