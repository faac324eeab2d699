#!/bin/bash
# The documentation of each closed vocabulary is generated from its table in the code, so it
# cannot drift from what the harness checks:
#   docs/events.md     <- m2m-harness doc events     (harness/flow/events.c)
#   docs/pics.md       <- m2m-harness doc pics       (harness/model/pics.c and testcases/)
#   docs/variables.md  <- m2m-harness doc variables  (harness/model/vars.c)
#   bash tools/docs/sync-docs.sh           rewrite them
#   bash tools/docs/sync-docs.sh --check   exit 1 with a diff when one is stale
# HARNESS names the harness binary (default build/harness/m2m-harness).
set -uo pipefail
cd "$(dirname "$0")/../.."
harness=${HARNESS:-build/harness/m2m-harness}
[ -x "$harness" ] || { echo "sync-docs: no harness binary at $harness (set HARNESS)"; exit 2; }
gen=$(mktemp -d); trap 'rm -rf "$gen"' EXIT
for v in events pics variables; do
  M2M_HARNESS_DATA_DIR=$PWD "$harness" doc "$v" > "$gen/$v.md" || { echo "sync-docs: doc $v failed"; exit 2; }
done
stale=0
for v in events pics variables; do
  if [ "${1:-}" = "--check" ]; then
    diff -u "docs/$v.md" "$gen/$v.md" || stale=1
  else
    cp "$gen/$v.md" "docs/$v.md"
  fi
done
if [ "${1:-}" = "--check" ]; then
  [ $stale = 0 ] && { echo "docs/events.md, docs/pics.md, docs/variables.md are current"; exit 0; }
  echo "docs are stale: run bash tools/docs/sync-docs.sh"; exit 1
fi
echo "docs/events.md, docs/pics.md, docs/variables.md regenerated"
