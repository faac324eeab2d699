#!/usr/bin/env bash
# The main job: set up, build, run the whole suite against the bundled reference peers,
# print the summary and where the reports are (reports/latest/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup/install-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
export SIM_DEVICE=$PWD/build/tools/sim-device/sim-device
rc=0
runs=()
# Role in-cse: the harness is the IN-CSE; the IUT is the bundled field device, as an
# ASN-CSE on Mcc (PSK, then X.509), as an AE on Mca to the IN-CSE, and as an AE on Mca to
# a field-domain registrar. (Role field arrives with the reference IN-CSE.)
for profile in sim-device-asn sim-device-asn-cert sim-device-ae sim-device-ae-mn; do
  echo "== role in-cse, profile $profile"
  build/harness/m2m-harness run --profile fixtures/profiles/$profile.xml --report-dir reports testcases || rc=$?
  runs+=("$profile: $PWD/reports/$(readlink reports/latest)")
done
echo
echo "reports (junit.xml, results.json, report.html, timelines/, logs/, bundles/ of failing tests, profile.xml in each):"
for r in "${runs[@]}"; do echo "  $r"; done
exit $rc
