#!/usr/bin/env bash
# End-to-end checks of the oneM2M CoAP binding's serializations (TS-0008 §6.2.2.2,
# TS-0004 §8.4) against tools/sim-device. Usage: binding.sh CASE
# Needs HARNESS, SIM_DEVICE, SRC in the environment (meson test sets them).
set -uo pipefail
case_name=$1
: "${HARNESS:?}" "${SIM_DEVICE:?}" "${SRC:?}"
export SIM_DEVICE
unset SIM_DEVICE_ARGS
. "$SRC/harness/tests/e2e/lib.sh"

case $case_name in
xml)
  # The whole suite with <coap serialization="xml">: every applicable test passes, and the
  # oneM2M content both ways really is vnd.onem2m-res+xml (10014), never JSON (10001).
  profile=$SRC/fixtures/profiles/sim-device-asn-xml.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  expect_eq "exit status" 0 "$rc"
  for id in $(xp '//testcase/@name' "$(junit)" | sed 's/ name="\([^"]*\)"/\1 /g'); do
    v=$(verdict_of "$id")
    [ "$v" = pass ] || [ "$v" = skipped ] && ok "$id $v" || fail "$id: expected pass, got $v ($(message_of "$id"))"
  done
  check_counts
  tl=$work/reports/latest/timelines/TC_SEC_REG_001.txt
  expect_eq "TC_SEC_REG_001" pass "$(verdict_of TC_SEC_REG_001)"
  grep -q 'msg.rx .*op=create .*ty=16 .*pc="<?xml[^ ]* [^ ]* [^ ]*<m2m:csr xmlns:m2m=\\"http://www.onem2m.org/xml/protocols\\">.*cf=10014' "$tl" \
    && ok "the device's registration is m2m:csr in XML, cf 10014" || fail "no XML (cf 10014) registration from the device in $tl"
  grep -q 'msg.tx .*rsc=2001 .*<m2m:csr .*cf=10014' "$tl" \
    && ok "the registrar answers the XML registration in XML" || fail "the 2001 answer to the XML registration is not XML (cf 10014) in $tl"
  grep -q 'msg.rx .*op=retrieve .*accept=10014' "$tl" \
    && ok "the device's RETRIEVE accepts 10014" || fail "no RETRIEVE with Accept 10014 in $tl"
  grep -q 'msg.tx .*rsc=2000 .*<m2m:cb .*cf=10014' "$tl" \
    && ok "the CSEBase comes back as m2m:cb in XML" || fail "the 2000 answer to the RETRIEVE is not an XML m2m:cb in $tl"
  # JSON only where the harness asked for it: a response whose request (same rqi) had Accept
  # 10001 (TC_SEC_BIND_004 reads a container in both formats)
  json=""
  for f in "$work"/reports/latest/timelines/*.txt; do
    while read -r line; do
      rqi=$(sed -n 's/.* rqi=\([^ ]*\).*/\1/p' <<< "$line")
      if [ -z "$rqi" ] || ! grep -q " msg.tx .* rqi=$rqi .*accept=10001" "$f" || ! grep -q ' msg.rx ' <<< "$line"; then
        json="$json ${f##*/}"
      fi
    done < <(grep 'cf=10001' "$f")
  done
  [ -z "$json" ] && ok "no JSON content (cf 10001) in any timeline but answers to a request with Accept 10001" \
    || fail "JSON content (cf 10001) not asked for in:$json"
  grep -q ' msg.rx .*rqi=bind-accept-json .*cf=10001' "$work"/reports/latest/timelines/TC_SEC_BIND_004.txt \
    && ok "a RETRIEVE with Accept 10001 is answered in JSON" || fail "no JSON answer to TC_SEC_BIND_004's Accept 10001"
  ;;
*) echo "unknown case $case_name"; exit 2;;
esac
finish
