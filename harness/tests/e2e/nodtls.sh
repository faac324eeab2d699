#!/usr/bin/env bash
# A peer that offers no DTLS at all, in both roles: the no-DTLS switches of the reference
# peers (tools/ref-in-cse --fault no-dtls-rst|no-dtls-silent: the coaps port answers every
# datagram with a CoAP RST, or drops it, plain CoAP served as usual; tools/sim-device the same
# faults: the device sends its registration as plain CoAP to the harness's coaps port).
# Usage: nodtls.sh CASE, CASE one of rst, silent (role in-cse: the suite against sim-device),
# field-rst, field-silent (role field: testcases/field against ref-in-cse), field-dead (the
# IN-CSE's coaps port is held until the readiness probe has found it, then closed: every
# handshake meets an ICMP port unreachable, which the reasons name with its real delay).
# Asserted: every test's verdict and a part of its reason are the row of
# harness/tests/e2e/expected/no-dtls-CASE.tsv (a test the file does not list must be skipped
# under every profile); and, whatever the file says: no test covering an SAE requirement
# passes, no test whose covers lacks an SAE requirement fails, the tests of SAE-mandatory
# requirements (R-SAE-01, R-SAE-02) fail, naming TS-0003 §6.1.2.2.1, and every negative SAE
# test is inconclusive with what was seen.
# Needs HARNESS, SIM_DEVICE, REF_IN_CSE, SRC in the environment (meson test sets them).
set -uo pipefail
case_name=$1
: "${HARNESS:?}" "${SIM_DEVICE:?}" "${REF_IN_CSE:?}" "${SRC:?}"
export SIM_DEVICE REF_IN_CSE
. "$(dirname "$0")/lib.sh"
expected=$SRC/harness/tests/e2e/expected/no-dtls-$case_name.tsv
[ -f "$expected" ] || { echo "no expected verdicts $expected"; exit 2; }
case $case_name in
  rst|silent) export SIM_DEVICE_ARGS=--fault=no-dtls-$case_name; dir=$SRC/testcases
              profiles="sim-device-asn sim-device-ae sim-device-asn-cert";;
  field-rst|field-silent) export REF_IN_CSE_ARGS=--fault=no-dtls-${case_name#field-}; dir=$SRC/testcases/field
              profiles="ref-in-cse ref-in-cse-ae ref-in-cse-cert";;
  field-dead) export REF_IN_CSE_ARGS=--fault=coaps-dies-after-probe; dir=$SRC/testcases/field
              profiles="ref-in-cse ref-in-cse-ae ref-in-cse-cert";;
  *) echo "unknown case $case_name"; exit 2;;
esac

row() { awk -F'\t' -v id="$1" '!/^#/ && $1 == id { print $2 "\t" $3; f = 1; exit } END { if (!f) exit 1 }' "$expected"; }
# pass|failure|inconc|error|skipped: inconclusive apart from error (JUnit error type)
verdict2() {
  local v; v=$(verdict_of "$1")
  if [ "$v" = error ] && [ "$(xp "string(//testcase[@name='$1']/error/@type)" "$(junit)")" = inconclusive ]; then echo inconc
  else echo "$v"; fi
}
covers_of() { xp 'string(/testcase/@covers)' "$(ls "$SRC"/testcases/*/"$1".xml)"; }

declare -A ran
# The profiles in one run, one job pool (their tests wait out the same timers at once).
run_profiles "$profiles" ${E2E_JOBS:+-j "$E2E_JOBS"} "$dir"
expect_eq "exit status" 1 "$rc"
for prof in $profiles; do
  report_sub=$prof; load_verdicts   # here, not in the $(verdict_of) subshells
  expect_eq "failing tests under $prof" yes "$([ "$(xp 'count(//testcase[failure or error])' "$(junit)")" -gt 0 ] && echo yes || echo no)"
  for id in $(xp '//testcase/@name' "$(junit)" | sed 's/ name="\([^"]*\)"/\1 /g'); do
    v=$(verdict2 "$id")
    [ "$v" = skipped ] && continue
    ran[$id]=1
    msg=$(message_of "$id")
    cov=$(covers_of "$id")
    case " $cov " in
      *" R-SAE-01 "*|*" R-SAE-02 "*)
        [ "$v" = failure ] && ok "$id ($prof): SAE-mandatory, fails" || fail "$id ($prof): SAE-mandatory, expected failure, got $v ($msg)"
        expect_contains "$id names the clause" "$msg" "TS-0003 §6.1.2.2.1";;
      *" R-SAE-"*) [ "$v" != pass ] && ok "$id ($prof): an SAE test does not pass ($v)" || fail "$id ($prof): an SAE test passed against a peer without DTLS";;
      *) [ "$v" != failure ] && ok "$id ($prof): not an SAE test, no failure ($v)" || fail "$id ($prof): failed without covering an SAE requirement: $msg";;
    esac
    if r=$(row "$id"); then
      want=${r%%	*}; why=${r#*	}
      [ "$v" = "$want" ] && ok "$id ($prof): $v" || { fail "$id ($prof): expected $want, got $v ($msg)"; evidence "$id"; }
      [ -z "$why" ] || expect_contains "$id ($prof) reason" "$msg" "$why"
    else
      fail "$id ($prof): ran ($v: $msg) but $expected has no row for it"
    fi
  done
  check_counts
done
for id in $(awk -F'\t' '!/^#/ && NF { print $1 }' "$expected"); do
  [ -n "${ran[$id]:-}" ] || fail "$expected lists $id, which ran under none of: $profiles"
done
finish
