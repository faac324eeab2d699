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
echo "== role in-cse: the harness as IN-CSE, IUT = tools/sim-device (ASN-CSE)"
build/harness/m2m-harness run --profile fixtures/profiles/sim-device-asn.xml --report-dir reports testcases || rc=$?
echo "reports: $PWD/reports/latest/ (junit.xml, timelines/, logs/, profile.xml)"
exit $rc
