#!/bin/bash
# The documentation's tables that mirror data are generated from it, so they cannot drift:
#   - the test-case table   <- m2m-harness list --markdown testcases/   (docs/testcases.md)
#   - each fault table      <- tools/<peer>/faults.tsv, the rows meson test asserts (docs/selftest.md)
# Each table sits between "<!-- BEGIN name -->" and "<!-- END name -->" lines, in whichever of
# README.md and docs/*.md holds it; every table must be in exactly one place.
#   bash tools/docs/sync-readme.sh           rewrite the tables
#   bash tools/docs/sync-readme.sh --check   exit 1 with a diff when one is stale or misplaced
# HARNESS names the harness binary (default build/harness/m2m-harness).
set -uo pipefail
cd "$(dirname "$0")/../.."
harness=${HARNESS:-build/harness/m2m-harness}
[ -x "$harness" ] || { echo "sync-tables: no harness binary at $harness (set HARNESS)"; exit 2; }
gen=$(mktemp -d); trap 'rm -rf "$gen"' EXIT
mkdir "$gen/blocks" "$gen/out"

"$harness" list --markdown testcases > "$gen/blocks/testcases" || { echo "sync-tables: list --markdown failed"; exit 2; }
for tsv in tools/*/faults.tsv; do
  peer=$(basename "$(dirname "$tsv")")
  { echo "| fault | requirements it breaks | profile | tests that must fail (and no others) | why | tests left inconclusive (the fault breaks only a step that sets their stage) |"
    echo "|---|---|---|---|---|---|"
    awk -F'\t' '!/^#/ && NF >= 3 { gsub(/ +/, ", ", $3); gsub(/ +/, ", ", $5); gsub(/ +/, ", ", $6); printf "| `%s` | %s | %s | %s | %s | %s |\n", $1, $6, $2, $3, $4, $5 }' "$tsv"
  } > "$gen/blocks/faults-$peer"
done

# Every generated table is in exactly one file: a table nobody holds any more would stop
# being checked without a word.
misplaced=0
for b in "$gen"/blocks/*; do
  name=$(basename "$b")
  where=$(grep -lx -- "<!-- BEGIN $name -->" README.md docs/*.md)
  n=$(grep -hcx -- "<!-- BEGIN $name -->" README.md docs/*.md | awk '{ s += $1 } END { print s + 0 }')
  if [ "$n" -ne 1 ]; then
    echo "sync-tables: table '$name' is in $n places (${where//$'\n'/, }), not exactly one"; misplaced=1
  fi
done
[ $misplaced = 0 ] || exit 3

# In each file with a table, replace every BEGIN/END block with its generated content.
stale=0
for f in README.md docs/*.md; do
  grep -q '^<!-- BEGIN [a-z0-9-]* -->$' "$f" || continue
  mkdir -p "$gen/out/$(dirname "$f")"
  awk -v dir="$gen/blocks" -v file="$f" '
    /^<!-- BEGIN [a-z0-9-]+ -->$/ {
      name = $3; print; src = dir "/" name
      if ((getline line < src) > 0) { print line; while ((getline line < src) > 0) print line; skip = 1 }
      else { missing = missing " " name }
      next
    }
    /^<!-- END [a-z0-9-]+ -->$/ { skip = 0; print; next }
    !skip { print }
    END { if (missing != "") { print "sync-tables: " file ": no generator for block(s):" missing > "/dev/stderr"; exit 3 } }
  ' "$f" > "$gen/out/$f" || exit 2
  if [ "${1:-}" = "--check" ]; then
    diff -u "$f" "$gen/out/$f" || { echo "$f: generated tables are stale"; stale=1; }
  elif ! cmp -s "$f" "$gen/out/$f"; then
    cp "$gen/out/$f" "$f"; echo "$f: tables regenerated"
  fi
done

if [ "${1:-}" = "--check" ]; then
  if [ $stale = 0 ]; then echo "generated tables in sync: $(ls "$gen/blocks" | tr '\n' ' ')"; exit 0; fi
  echo "tables are stale: run bash tools/docs/sync-readme.sh"; exit 1
fi
echo "generated tables up to date"
