#!/bin/bash
# The README's tables that mirror data are generated from it, so they cannot drift:
#   - the test-case table   <- m2m-harness list --markdown testcases/
#   - each fault table      <- tools/<peer>/faults.tsv (the rows meson test asserts)
# Each table sits between "<!-- BEGIN name -->" and "<!-- END name -->" lines.
#   bash tools/docs/sync-readme.sh           rewrite README.md
#   bash tools/docs/sync-readme.sh --check   exit 1 with a diff when README.md is stale
# HARNESS names the harness binary (default build/harness/m2m-harness).
set -uo pipefail
cd "$(dirname "$0")/../.."
harness=${HARNESS:-build/harness/m2m-harness}
[ -x "$harness" ] || { echo "sync-readme: no harness binary at $harness (set HARNESS)"; exit 2; }
gen=$(mktemp -d); trap 'rm -rf "$gen"' EXIT

"$harness" list --markdown testcases > "$gen/testcases" || { echo "sync-readme: list --markdown failed"; exit 2; }
for tsv in tools/*/faults.tsv; do
  peer=$(basename "$(dirname "$tsv")")
  { echo "| fault | requirements it breaks | profile | tests that must fail (and no others) | why | tests left inconclusive (the fault breaks only a step that sets their stage) |"
    echo "|---|---|---|---|---|---|"
    awk -F'\t' '!/^#/ && NF >= 3 { gsub(/ +/, ", ", $3); gsub(/ +/, ", ", $5); gsub(/ +/, ", ", $6); printf "| `%s` | %s | %s | %s | %s | %s |\n", $1, $6, $2, $3, $4, $5 }' "$tsv"
  } > "$gen/faults-$peer"
done

# Replace every BEGIN/END block whose generated content exists; leave the rest untouched.
awk -v dir="$gen" '
  /^<!-- BEGIN [a-z0-9-]+ -->$/ {
    name = $3; print; file = dir "/" name
    if ((getline line < file) > 0) { print line; while ((getline line < file) > 0) print line; skip = 1 }
    else { missing = missing " " name }
    next
  }
  /^<!-- END [a-z0-9-]+ -->$/ { skip = 0; print; next }
  !skip { print }
  END { if (missing != "") { print "sync-readme: no generator for block(s):" missing > "/dev/stderr"; exit 3 } }
' README.md > "$gen/README.md" || exit 2

if [ "${1:-}" = "--check" ]; then
  if diff -u README.md "$gen/README.md"; then echo "README.md tables are in sync"; exit 0; fi
  echo "README.md is stale: run bash tools/docs/sync-readme.sh"; exit 1
fi
cp "$gen/README.md" README.md
echo "README.md tables regenerated"
