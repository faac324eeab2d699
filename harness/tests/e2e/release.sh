#!/usr/bin/env bash
# End-to-end checks of the release values on the wire: whatever the profile's release, every
# rvi and srv the harness and both reference peers write comes from that release, read back
# from the harness's captures by tshark (capture_release.py). Usage: release.sh CASE
#   values   the field suite against tools/ref-in-cse and the device suite against
#            tools/sim-device (an ASN-CSE and an AE), each under Release 2a and under
#            Release 1: every test that applies passes; every oneM2M request and response
#            carries rvi = that release (none under Release 1); every srv is [that release]
#            (none under Release 1); the codes that changed with Release 3 follow the
#            release (4105, not 4117, for a second registration under Release 2a); and the
#            capture check fails when asked for another release (it can fail).
# Needs HARNESS, SIM_DEVICE, REF_IN_CSE, SRC in the environment (meson test sets them).
set -uo pipefail
case_name=$1
: "${HARNESS:?}" "${SIM_DEVICE:?}" "${REF_IN_CSE:?}" "${SRC:?}"
export SIM_DEVICE REF_IN_CSE
unset SIM_DEVICE_ARGS REF_IN_CSE_ARGS
. "$(dirname "$0")/lib.sh"
check=$SRC/harness/tests/e2e/capture_release.py
# Tests that write rvi themselves (a request without rvi, an rvi the IUT does not serve):
# their captures carry other values on purpose.
own_rvi=$(grep -l 'rvi="' "$SRC"/testcases/*/*.xml | xargs -n1 basename | sed 's/\.xml$//' | tr '\n' ' ')

# One run of the whole suite with captures under the profile $1 rewritten to release $2;
# asserts that nothing failed and the capture's release values.
run_release() { # base-profile release testcases-dir [another release the captures must fail]
  sed "s/release=\"3\"/release=\"$2\"/" "$SRC/fixtures/profiles/$1.xml" > "$work/$1-r$2.xml"
  grep -q "release=\"$2\"" "$work/$1-r$2.xml" || { fail "$1: no release=\"3\" to rewrite"; return; }
  profile=$work/$1-r$2.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} --pcap "$3"
  expect_eq "$1 under release $2: exit status" 0 "$rc"
  local passed
  passed=$(xp 'count(//testcase[not(failure) and not(error) and not(skipped)])' "$(junit)")
  [ "${passed:-0}" -ge 20 ] && ok "$1 under release $2: $passed tests passed" || fail "$1 under release $2: only ${passed:-0} tests passed"
  # shellcheck disable=SC2086
  if python3 "$check" ${4:+--also-wrong "$4"} "$2" "$work/reports/latest/captures" $own_rvi > "$work/cap.txt"; then
    ok "$1 under release $2: $(grep '^judged' "$work/cap.txt" | tr '\n' ' ')"
  else
    fail "$1 under release $2: the capture's release values are wrong"; sed 's/^/  : /' "$work/cap.txt" | head -20
  fi
}

case $case_name in
values)
  # The check can fail: the same captures judged as Release 3 must show every rvi wrong.
  run_release ref-in-cse 2a "$SRC/testcases/field" 3
  tl=$work/reports/latest/timelines/TC_SEC_IN_REG_003.txt
  grep -q ' msg.rx .*rsc=4105 rqi=reg-2' "$tl" && ok "Release 2a: a second remoteCSE is refused with 4105 CONFLICT" \
    || fail "no msg.rx rsc=4105 rqi=reg-2 in $tl"
  run_release ref-in-cse 1 "$SRC/testcases/field"
  expect_eq "TC_SEC_IN_BIND_008 under Release 1" skipped "$(verdict_of TC_SEC_IN_BIND_008)"
  expect_contains "its skip reason" "$(message_of TC_SEC_IN_BIND_008)" "serves Release 1"
  run_release sim-device-asn 2a "$SRC/testcases"
  run_release sim-device-ae 1 "$SRC/testcases"
  ;;
*)
  echo "unknown case $case_name"; exit 2;;
esac
finish
