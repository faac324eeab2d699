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

# The bundled profile $1 rewritten to release $2, named $1-r$2 (its report folder in a run over
# several profiles); prints the new file's path.
rewrite() { # base-profile release
  local f=$work/$1-r$2.xml
  sed -e "s/release=\"3\"/release=\"$2\"/" -e "s/<profile name=\"$1\"/<profile name=\"$1-r$2\"/" \
    "$SRC/fixtures/profiles/$1.xml" > "$f"
  grep -q "release=\"$2\"" "$f" && grep -q "name=\"$1-r$2\"" "$f" || fail "$1: no release=\"3\" or name to rewrite"
  echo "$f"
}

# The results of profile $1 under release $2 in the pooled run: nothing failed, the capture's
# release values.
check_release() { # base-profile release [another release the captures must fail]
  report_sub=$1-r$2
  local passed
  passed=$(xp 'count(//testcase[not(failure) and not(error) and not(skipped)])' "$(junit)")
  local failed
  failed=$(xp 'count(//testcase[failure or error])' "$(junit)")
  expect_eq "$1 under release $2: tests that failed or were inconclusive" 0 "${failed:-x}"
  [ "${passed:-0}" -ge 20 ] && ok "$1 under release $2: $passed tests passed" || fail "$1 under release $2: only ${passed:-0} tests passed"
  # shellcheck disable=SC2086
  if python3 "$check" ${3:+--also-wrong "$3"} "$2" "$(report)/captures" $own_rvi > "$work/cap.txt"; then
    ok "$1 under release $2: $(grep '^judged' "$work/cap.txt" | tr '\n' ' ')"
  else
    fail "$1 under release $2: the capture's release values are wrong"; sed 's/^/  : /' "$work/cap.txt" | head -20
  fi
}

case $case_name in
values)
  # One run over the four profiles (one job pool), then each profile's results and captures.
  args=()
  for pr in "ref-in-cse 2a" "ref-in-cse 1" "sim-device-asn 2a" "sim-device-ae 1"; do
    # shellcheck disable=SC2086
    args+=(--profile "$(rewrite $pr)")
  done
  out=$("$HARNESS" run "${args[@]}" --report-dir "$work/reports" ${E2E_JOBS:+-j "$E2E_JOBS"} --pcap "$SRC/testcases" 2>&1)
  rc=$?
  echo "$out" | sed 's/^/  | /'
  expect_eq "the run over the four profiles: exit status" 0 "$rc"
  # The check can fail: the same captures judged as Release 3 must show every rvi wrong.
  check_release ref-in-cse 2a 3
  tl=$(report)/timelines/TC_SEC_IN_REG_003.txt
  grep -q ' msg.rx .*rsc=4105 rqi=reg-2' "$tl" && ok "Release 2a: a second remoteCSE is refused with 4105 CONFLICT" \
    || fail "no msg.rx rsc=4105 rqi=reg-2 in $tl"
  check_release ref-in-cse 1
  load_verdicts
  expect_eq "TC_SEC_IN_BIND_008 under Release 1" skipped "$(verdict_of TC_SEC_IN_BIND_008)"
  expect_contains "its skip reason" "$(message_of TC_SEC_IN_BIND_008)" "serves Release 1"
  check_release sim-device-asn 2a
  check_release sim-device-ae 1
  ;;
*)
  echo "unknown case $case_name"; exit 2;;
esac
finish
