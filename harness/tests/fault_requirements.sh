#!/usr/bin/env bash
# Every planted fault is caught where it should be: for each row of the reference peers' fault
# matrices (tools/sim-device/faults.tsv against the in-cse suite, tools/ref-in-cse/faults.tsv
# against testcases/field), column 6 names the requirements the fault breaks, judged from what
# the fault does; at least one of the tests that must fail (column 3) covers="" one of them.
# Also: each id is in testcases/schema/requirements.xml and applies to the suite's role, and
# each listed test exists in that suite. Reads data only (no IUT run).
# Usage: fault_requirements.sh [TSV...]   (default: both matrices; SRC names the tree)
set -uo pipefail
cd "${SRC:-$(dirname "$0")/../..}"
req=testcases/schema/requirements.xml
bad=0
err() { echo "$*"; bad=1; }

# requirement id -> roles ("D C", "D", "C")
declare -A roles
while read -r id r; do [ -n "$id" ] && roles[$id]=$r; done < <(
  xmllint --xpath '//requirement' "$req" 2>/dev/null |
    sed -n 's/.*<requirement id="\([^"]*\)" roles="\([^"]*\)".*/\1 \2/p')
[ ${#roles[@]} -gt 0 ] || { echo "$req: no requirement read"; exit 2; }

# test id -> covers, and test id -> role (in-cse or field)
declare -A covers trole
for f in $(find testcases -name 'TC_*.xml' | sort); do
  id=$(xmllint --xpath 'string(/testcase/@id)' "$f" 2>/dev/null)
  [ -n "$id" ] || continue
  covers[$id]=$(xmllint --xpath 'string(/testcase/@covers)' "$f" 2>/dev/null)
  trole[$id]=$(xmllint --xpath 'string(/testcase/@role)' "$f" 2>/dev/null)
done

# each matrix and the suite it is asserted against: the test role and the requirement role
suite_of() {
  case $1 in
    */sim-device/faults.tsv) echo "in-cse D";;
    */ref-in-cse/faults.tsv) echo "field C";;
    *) echo "";;
  esac
}

[ $# -gt 0 ] || set -- tools/sim-device/faults.tsv tools/ref-in-cse/faults.tsv
rows=0
for tsv in "$@"; do
  read -r srole rrole <<< "$(suite_of "$tsv")"
  [ -n "$srole" ] || { err "$tsv: not a known fault matrix (tools/sim-device or tools/ref-in-cse)"; continue; }
  n=0
  while IFS= read -r line; do
    n=$((n + 1))
    case $line in '#'*|'') continue;; esac
    # a tab is IFS whitespace (runs collapse): split on a non-blank separator, so an empty
    # column 5 stays a column
    IFS=$'\x1f' read -r -a col <<< "${line//$'\t'/$'\x1f'}"
    fault=${col[0]}; failing=${col[2]:-}; ids=${col[5]:-}
    at="$tsv:$n: fault $fault"
    rows=$((rows + 1))
    [ -n "$failing" ] || { err "$at: no test must fail (column 3 empty)"; continue; }
    [ -n "${ids// }" ] || { err "$at: column 6 names no requirement the fault breaks"; continue; }
    known=""
    for r in $ids; do
      if [ -z "${roles[$r]:-}" ]; then err "$at: $r is not in $req"
      elif [[ " ${roles[$r]} " != *" $rrole "* ]]; then err "$at: $r does not apply to role $rrole (roles ${roles[$r]})"
      else known="$known $r"; fi
    done
    caught=""
    for t in $failing; do
      if [ -z "${trole[$t]:-}" ]; then err "$at: failing test $t has no test case"; continue; fi
      [ "${trole[$t]}" = "$srole" ] || err "$at: failing test $t is a test of role ${trole[$t]}, not of the $srole suite"
      for r in $known; do [[ " ${covers[$t]} " == *" $r "* ]] && caught="$caught $t:$r"; done
    done
    [ -n "$known" ] && [ -z "$caught" ] && err "$at: none of its failing tests ($failing) covers$known"
  done < "$tsv"
done
[ $bad = 0 ] && echo "fault requirements: ok ($rows rows, each caught by a failing test that covers a requirement it breaks)"
exit $bad
