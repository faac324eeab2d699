#!/usr/bin/env bash
# The main job: set up, build, run the whole suite against the bundled reference peers,
# print the summary and where the reports are (reports/latest/: index.html, junit.xml with
# one testsuite per profile, and one folder per profile with its own reports).
# Setup and build are quiet when they work (setup's own "setup: ..." lines are shown); a step
# that fails prints which one, its exit status and the end of its output, and the job stops.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { # name command... : runs the command with its output kept aside
  local name=$1; shift
  local log; log=$(mktemp "${TMPDIR:-/tmp}/m2m-harness-$name.XXXXXX.log")
  local rc=0
  "$@" >"$log" 2>&1 </dev/null || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "run-main: step '$name' failed (exit status $rc): $*"
    echo "run-main: the last 60 lines of its output (all of it: $log):"
    tail -n 60 "$log" | sed 's/^/  | /'
    exit "$rc"
  fi
  grep -E '^(setup|build-dir):' "$log" || true
  rm -f "$log"
}
step setup bash tools/setup/install-deps.sh
step meson-setup bash tools/setup/build-dir.sh build
step ninja ninja -C build
export SIM_DEVICE=$PWD/build/tools/sim-device/sim-device
export REF_IN_CSE=$PWD/build/tools/ref-in-cse/ref-in-cse
# Role in-cse: the harness is the IN-CSE; the IUT is the bundled field device, as an
# ASN-CSE on Mcc (PSK, X.509, raw public keys, remote enrolment, separate responses), as an
# AE on Mca to the IN-CSE (PSK, raw public keys), and as an AE on Mca to a field-domain
# registrar.
# Role field: the harness is the field node; the IUT is the bundled reference IN-CSE (PSK,
# X.509, as enrolment target fetching credentials from the harness MEF, with its own MEF the
# harness enrols with, with XML content, with the legacy option numbers, with separate
# responses).
# Each profile runs every test of its role in testcases/; a test whose PICS the profile does
# not claim is skipped with the reason. One run over all profiles, one job pool: most of a
# test is waiting on protocol timers, so the default -j (a slot for every test that waits,
# beside 4 CPU-bound ones per core) overlaps the waits, and the tests that took longest last
# time (reports/latest) start first.
profiles=()
for profile in sim-device-asn sim-device-asn-cert sim-device-asn-rpk sim-device-enrol sim-device-asn-separate sim-device-ae sim-device-ae-rpk sim-device-ae-mn \
               ref-in-cse ref-in-cse-cert ref-in-cse-enrol ref-in-cse-mef ref-in-cse-xml ref-in-cse-legacy \
               ref-in-cse-separate; do
  [ -f fixtures/profiles/$profile.xml ] && profiles+=(--profile fixtures/profiles/$profile.xml)
done
durations=()
[ -e reports/latest ] && durations=(--durations reports/latest)
exec build/harness/m2m-harness run -q "${profiles[@]}" "${durations[@]}" --report-dir reports testcases
