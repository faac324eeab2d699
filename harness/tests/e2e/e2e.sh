#!/usr/bin/env bash
# End-to-end checks of m2m-harness against tools/sim-device. Usage: e2e.sh CASE
# Needs HARNESS, SIM_DEVICE, SRC in the environment (meson test sets them).
set -uo pipefail
case_name=$1
: "${HARNESS:?}" "${SIM_DEVICE:?}" "${SRC:?}"
export SIM_DEVICE
unset SIM_DEVICE_ARGS M2M_HARNESS_SELFTEST_CRASH M2M_HARNESS_SELFTEST_FLAKY
. "$(dirname "$0")/lib.sh"

case $case_name in
fault-*)
  # One row of tools/sim-device/faults.tsv: exactly the listed tests fail, all others pass.
  fault=${case_name#fault-}
  row=$(awk -F'\t' -v f="$fault" '$1 == f {print $3}' "$SRC/tools/sim-device/faults.tsv")
  # column 5: the tests the fault leaves inconclusive (it breaks only a step that sets their stage)
  inc=$(awk -F'\t' -v f="$fault" '$1 == f {print $5}' "$SRC/tools/sim-device/faults.tsv")
  prof=$(awk -F'\t' -v f="$fault" '$1 == f {print $2}' "$SRC/tools/sim-device/faults.tsv")
  [ -n "$row" ] || { echo "no row for fault $fault in faults.tsv"; exit 1; }
  profile=$SRC/fixtures/profiles/$prof.xml
  export SIM_DEVICE_ARGS=--fault=$fault
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  expect_eq "exit status" 1 "$rc"
  for id in $(xp '//testcase/@name' "$(junit)" | sed 's/ name="\([^"]*\)"/\1 /g'); do
    v=$(verdict_of "$id")
    case " $row " in
      *" $id "*) [ "$v" = failure ] && ok "$id fails under $fault" || { fail "$id: expected failure under $fault, got $v ($(message_of "$id"))"; evidence "$id"; };;
      *) case " $inc " in *" $id "*)
           [ "$v" = error ] && [ "$(xp "string(//testcase[@name='$id']/error/@type)" "$(junit)")" = inconclusive ] \
             && ok "$id inconclusive under $fault: $(message_of "$id")" || { fail "$id: expected inconc under $fault, got $v ($(message_of "$id"))"; evidence "$id"; }
           continue;; esac
         [ "$v" = pass ] || [ "$v" = skipped ] && ok "$id unaffected ($v)" || { fail "$id: expected pass under $fault, got $v ($(message_of "$id"))"; evidence "$id"; };;
    esac
  done
  check_counts
  ;;
peer-*)
  # An independent peer (fixtures/profiles/<peer>.xml): the run passes; each known failure
  # the profile lists is an xfail with its reason, every other applicable test passes,
  # and the oneM2M tests skip because the peer is not a oneM2M device.
  profile=$SRC/fixtures/profiles/${case_name#peer-}.xml
  bin=$(grep -o 'coap-client-[a-z]*' "$profile" | head -1)
  [ -z "$bin" ] || command -v "$bin" >/dev/null || { echo "$bin not installed (libcoap3-bin)"; exit 1; }
  # A peer started with the harness's host name (the URI carries it, for SNI) sends to the
  # first address the name resolves to; the harness listens on the profile's one address.
  # Where they differ (Debian's /etc/hosts: localhost is ::1 first, the profile says
  # 127.0.0.1) nothing would answer: the test cannot run here, it says why.
  host=$(xp 'string(//harness/@host)' "$profile")
  if [ -n "$host" ] && grep -q "://$host[:/]" "$profile"; then
    first=$(getent ahosts "$host" | awk 'NR == 1 {print $1}')
    addr=$(xp 'string(//harness/@address)' "$profile")
    if [ "$first" != "$addr" ]; then
      echo "SKIP: the peer is started with the name $host, which resolves first to ${first:-nothing} here, but the harness listens on $addr only (the profile's <harness address>)"
      exit 77
    fi
  fi
  ! grep -q tools/peers/node "$profile" || [ -d "$SRC/tools/peers/node/node_modules" ] \
    || { echo "tools/peers/node/node_modules missing: run tools/setup/install-deps.sh"; exit 1; }
  # an npm peer is named after its package: a node_modules from before it was added lacks it
  case ${case_name#peer-} in node-*) [ -d "$SRC/tools/peers/node/node_modules/${case_name#peer-}" ] \
    || { echo "npm package ${case_name#peer-} missing: run tools/setup/install-deps.sh"; exit 1; };; esac
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  expect_eq "exit status" 0 "$rc"
  known=$(grep -o 'known-failure test="[A-Z0-9_]*"' "$profile" | sed 's/.*="\(.*\)"/\1/')
  for id in $(xp '//testcase/@name' "$(junit)" | sed 's/ name="\([^"]*\)"/\1 /g'); do
    v=$(verdict_of "$id")
    pv=$(xp "string(//testcase[@name='$id']/properties/property[@name='verdict']/@value)" "$(junit)")
    case " $known " in
      *" $id "*) expect_eq "$id is a known failure" xfail "$pv";;
      *) if [ "$v" = skipped ]; then [ -n "$(message_of "$id")" ] && ok "$id skipped: $(message_of "$id")" || fail "$id skipped without a reason"
         else expect_eq "$id" pass "$v"; fi;;
    esac
  done
  n=$(cat "$work"/reports/latest/timelines/*.txt | grep -c ' sae.done ')
  [ "$n" -gt 0 ] && ok "$n handshake(s) completed with the peer" || fail "no handshake completed with the peer"
  # A raw-public-key peer: its handshakes were RPK (RFC 7250) and bound the pinned identity.
  case $case_name in *-rpk)
    grep -h ' sae.done ' "$work"/reports/latest/timelines/TC_SEC_SAE_RPK_001.txt | grep -q 'ctype=rpk.*bound_id=/asn-cse-1' \
      && ok "TC_SEC_SAE_RPK_001: raw-key handshake bound /asn-cse-1" || fail "TC_SEC_SAE_RPK_001: no sae.done with ctype=rpk and bound_id=/asn-cse-1";;
  esac
  check_counts
  ;;
mca-warn)
  # An AE on Mca to a field-domain registrar (R-SAE-03): SAE strongly recommended, so an AE
  # without it gets warn — the run passes — and one with it passes plainly.
  profile=$SRC/fixtures/profiles/sim-device-ae-mn.xml
  run "$SRC/testcases/sae/TC_SEC_SAE_MCA_001.xml"
  expect_eq "exit status" 0 "$rc"
  expect_eq "with SAE" "" "$(xp "string(//testcase[@name='TC_SEC_SAE_MCA_001']/properties/property[@name='verdict']/@value)" "$(junit)")"
  export SIM_DEVICE_ARGS=--fault=no-sae
  run "$SRC/testcases/sae/TC_SEC_SAE_MCA_001.xml"
  expect_eq "exit status without SAE (warn passes)" 0 "$rc"
  expect_eq "verdict property" warn "$(xp "string(//testcase[@name='TC_SEC_SAE_MCA_001']/properties/property[@name='verdict']/@value)" "$(junit)")"
  expect_contains "console" "$out" "WARN"
  # ... and in the reports, with its reason
  expect_contains "results.json" "$(cat "$work/reports/latest/results.json")" '"verdict": "warn"'
  expect_contains "report.html" "$(cat "$work/reports/latest/report.html")" "strongly recommends SAE"
  check_counts
  ;;
ae)
  # The simulator as an AE on Mca (R-SAE-02): correct passes, plain traffic first fails.
  profile=$SRC/fixtures/profiles/sim-device-ae.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  expect_eq "exit status" 0 "$rc"
  expect_eq "TC_SEC_SAE_PSK_AE_001" pass "$(verdict_of TC_SEC_SAE_PSK_AE_001)"
  # SAE is mandatory between a field AE and the IN-CSE: the ordering rule applies to it
  expect_eq "TC_SEC_ORDER_001 (AE toward the IN-CSE)" pass "$(verdict_of TC_SEC_ORDER_001)"
  expect_eq "TC_SEC_REG_AE_001" pass "$(verdict_of TC_SEC_REG_AE_001)"
  expect_eq "CSE-only test skipped" skipped "$(verdict_of TC_SEC_BIND_002)"
  export SIM_DEVICE_ARGS=--fault=register-before-sae
  run "$SRC/testcases/sae/TC_SEC_SAE_PSK_AE_001.xml"
  expect_eq "exit status with the fault" 1 "$rc"
  expect_eq "TC_SEC_SAE_PSK_AE_001 with the fault" failure "$(verdict_of TC_SEC_SAE_PSK_AE_001)"
  grep -q " msg.rx .*secure=false.*op=create.*ty=2" "$work/reports/latest/timelines/TC_SEC_SAE_PSK_AE_001.txt" \
    && ok "the plain AE registration is in the timeline" || fail "no plain AE registration in the timeline"
  # the harness as the IN-CSE refuses it (4107, TS-0004 §7.3.2.1): the AE is not registered
  # outside its association, and the failure is the plain primitive, in every report
  grep -q " msg.tx .*secure=false.*rsc=4107" "$work/reports/latest/timelines/TC_SEC_SAE_PSK_AE_001.txt" \
    && ok "the plain AE registration answered 4107" || fail "no 4107 answer to the plain AE registration"
  expect_contains "failure message" "$(message_of TC_SEC_SAE_PSK_AE_001)" "msg.rx[secure=false]"
  expect_contains "results.json" "$(cat "$work/reports/latest/results.json")" '"verdict": "fail"'
  expect_contains "report.html" "$(cat "$work/reports/latest/report.html")" "msg.rx[secure=false]"
  check_counts
  ;;
ae-minimal)
  # An AE claiming only the minimal PICS of a PSK AE (its kind, SAE, SAE_PSK, the registrar):
  # at least 30 tests apply to it, and against the correct simulator every one of them passes.
  profile=$SRC/fixtures/profiles/sim-device-ae-minimal.xml
  listed=$("$HARNESS" list --profile "$profile" "$SRC/testcases" 2>&1)
  applies=$(echo "$listed" | awk '/^TC_/ {if (id != "" && !skip) print id; id = $1; skip = 0} /^ +skip:/ {skip = 1} END {if (id != "" && !skip) print id}')
  n=$(echo "$applies" | grep -c .)
  echo "  | $n tests apply to the minimal AE profile"
  [ "$n" -ge 30 ] && ok "$n tests apply to a minimal PSK AE (at least 30)" || fail "only $n tests apply to a minimal PSK AE (want at least 30)"
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  expect_eq "exit status" 0 "$rc"
  for id in $applies; do expect_eq "$id" pass "$(verdict_of "$id")"; done
  expect_eq "as many passes as tests that apply" "$n" "$(xp 'count(//testcase[not(failure) and not(error) and not(skipped)])' "$(junit)")"
  # the AE tests apply to it: a CSE-only test is skipped, naming the PICS item
  expect_eq "CSE-only test skipped" skipped "$(verdict_of TC_SEC_BIND_002)"
  expect_contains "reason" "$(message_of TC_SEC_BIND_002)" "IUT_ASN_CSE"
  check_counts
  ;;
ae-cert)
  # An AE with X.509 credentials (its AE-ID as a URI in subjectAltName, TS-0003 §8.1.2):
  # every test that applies passes, the certificate tests among them, bound to the AE-ID.
  profile=$SRC/fixtures/profiles/sim-device-ae-cert.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  expect_eq "exit status" 0 "$rc"
  for id in TC_SEC_SAE_CERT_001 TC_SEC_SAE_CERT_002 TC_SEC_SAE_CERT_003 TC_SEC_SAE_CERT_004 TC_SEC_REG_AE_001; do
    expect_eq "$id" pass "$(verdict_of "$id")"; done
  grep -q ' sae.done .*identity=uri://m2m-harness.test/Cae-1.*bound_id=Cae-1' "$work/reports/latest/timelines/TC_SEC_SAE_CERT_001.txt" \
    && ok "CERT_001: the handshake bound the AE-ID from the certificate's URI" || fail "CERT_001: no sae.done with the AE's URI identity bound to Cae-1"
  check_counts
  ;;
ae-rpk)
  # An AE with raw public keys (RFC 7250; the main job's sim-device-ae-rpk): every test that
  # applies passes, the raw-key tests among them, the AE-ID bound by the pinned key.
  profile=$SRC/fixtures/profiles/sim-device-ae-rpk.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  expect_eq "exit status" 0 "$rc"
  for id in TC_SEC_SAE_RPK_001 TC_SEC_SAE_RPK_002 TC_SEC_SAE_RPK_003 TC_SEC_REG_AE_001 TC_SEC_AE_REG_001; do
    expect_eq "$id" pass "$(verdict_of "$id")"; done
  grep -q ' sae.done .*ctype=rpk .*bound_id=Cae-1' "$work/reports/latest/timelines/TC_SEC_SAE_RPK_001.txt" \
    && ok "RPK_001: a raw-key handshake bound the AE-ID Cae-1" || fail "RPK_001: no sae.done with ctype=rpk bound to Cae-1"
  n=$(xp 'count(//testcase[not(failure) and not(error) and not(skipped)])' "$(junit)")
  [ "$n" -ge 30 ] && ok "$n tests pass for the raw-key AE" || fail "only $n tests pass for the raw-key AE"
  check_counts
  ;;
ae-back-to-back)
  # A correct AE that sends back to back (sim-device --back-to-back: its next CREATE leaves
  # right upon the answer, before it reads the close_notify that followed the answer): the
  # CREATE crosses the close in flight. It arrives after the close, so without the grace of one
  # measured round trip plus 50 ms it would be a record in the ended association
  # (sae.stale_record: TC_SEC_FLOW_006 fails); with it, it is sae.crossed_record and the test
  # passes. The crossing depends on the harness sending its close within the device's 10 ms of
  # work: up to three runs, every one passing, until one shows it.
  profile=$SRC/fixtures/profiles/sim-device-ae.xml
  export SIM_DEVICE_ARGS=--back-to-back
  crossed=
  for attempt in 1 2 3; do
    run "$SRC/testcases/flow/TC_SEC_FLOW_006.xml" "$SRC/testcases/flow/TC_SEC_AE_FLOW_001.xml"
    expect_eq "exit status (run $attempt)" 0 "$rc"
    expect_eq "TC_SEC_FLOW_006 (run $attempt)" pass "$(verdict_of TC_SEC_FLOW_006)"
    expect_eq "TC_SEC_AE_FLOW_001 (run $attempt)" pass "$(verdict_of TC_SEC_AE_FLOW_001)"
    tl=$work/reports/latest/timelines/TC_SEC_FLOW_006.txt
    grep -q ' sae.stale_record' "$tl" && fail "a stale record in run $attempt: $(grep ' sae.stale_record' "$tl")"
    line=$(grep ' sae.crossed_record' "$tl" | head -1)
    [ -n "$line" ] && { crossed=$line; break; }
    echo "  | run $attempt: the device's CREATE did not cross the close; again"
  done
  [ -n "$crossed" ] && ok "the CREATE crossed the close: $crossed" || fail "in three runs the device's CREATE never crossed the close"
  since=$(echo "$crossed" | sed -E 's/.* since_close_ms=([0-9.]+).*/\1/'); grace=$(echo "$crossed" | sed -E 's/.* grace_ms=([0-9.]+).*/\1/')
  awk -v s="$since" -v g="$grace" 'BEGIN { exit !(s > 0 && s <= g && g >= 50 && g <= 1050) }' \
    && ok "it arrived $since ms after the close (a stale record without the grace), within the grace of $grace ms" \
    || fail "since_close_ms=$since grace_ms=$grace: not after the close and within the grace"
  # the device then hand-shook and sent its next primitive in the new association
  awk '/ sae.crossed_record/ {c = 1} c && / sae.done/ {d = 1} d && / msg.rx .*secure=true/ {m = 1} END {exit !m}' "$tl" \
    && ok "after the crossing: a new handshake, then a primitive in it" || fail "no handshake then primitive after the crossing in $tl"
  check_counts
  ;;
ae-two-identities)
  # A device with two AEs, each with its own credential bound to its AE-ID (the profile's second
  # <psk ae-id>, sim-device --two-identities): the harness accepts both credentials and binds
  # each association to its identity; every test that applies passes, TC_SEC_RCV_007 with each
  # identity registered in its own association and nothing of one in the other's. (The fault
  # row mix-identities shows the same test failing when the second AE's request goes in the
  # first AE's association.)
  profile=$SRC/fixtures/profiles/sim-device-ae-two.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  expect_eq "exit status" 0 "$rc"
  expect_eq TC_SEC_RCV_007 pass "$(verdict_of TC_SEC_RCV_007)"
  tl=$work/reports/latest/timelines/TC_SEC_RCV_007.txt
  grep -q ' sae.done .*identity=ae-1@in.m2m-harness.test.*bound_id=Cae-1' "$tl" && grep -q ' sae.done .*identity=ae-2@in.m2m-harness.test.*bound_id=Cae-2' "$tl" \
    && ok "RCV_007: two associations, each bound to its AE's identity" || fail "RCV_007: no two sae.done bound to Cae-1 and Cae-2 in $tl"
  grep -q ' msg.rx .*bound_id=Cae-2 .*fr=Cae-2 ty=2' "$tl" && grep -q ' reg.done .*fr=Cae-2 aei=Cae-2' "$tl" \
    && ok "RCV_007: the second AE registered in its own association" || fail "RCV_007: no registration of Cae-2 in the association bound to it"
  grep -q ' msg.rx .*bound_id=Cae-2 .*fr=Cae-2 ty=3' "$tl" \
    && ok "RCV_007: the second AE's next request in its own association" || fail "RCV_007: no CREATE of Cae-2 in its association"
  # the loader refuses the PICS item without the second credential, with file:line
  sed 's|<psk identity="ae-2@[^>]*>||' "$profile" > "$work/one-credential.xml"
  out=$("$HARNESS" list --profile "$work/one-credential.xml" "$SRC/testcases" 2>&1); rc=$?
  expect_eq "exit status without the second credential" 2 "$rc"
  expect_contains "file:line" "$out" "one-credential.xml:"
  expect_contains "the reason" "$out" "IUT_SECOND_IDENTITY but <credentials> has no second <psk ae-id"
  check_counts
  ;;
ae-enrol)
  # Remote provisioning of an AE (TS-0003 §8.3: the Enrolee is an AE or a CSE): the AE enrols
  # with the harness as MEF, associates with the derived KeID/Kpsa (bound to its AE-ID) and
  # registers as an AE; every enrolment test that applies passes. Without the enrolment (the
  # fault skip-enrolment) the enrolment tests fail: they judge the AE too.
  profile=$SRC/fixtures/profiles/sim-device-ae-enrol.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases/enrolment"
  expect_eq "exit status" 0 "$rc"
  for id in TC_SEC_ENR_001 TC_SEC_ENR_002 TC_SEC_ENR_003 TC_SEC_ENR_004 TC_SEC_ENR_006 TC_SEC_ENR_007; do
    expect_eq "$id" pass "$(verdict_of "$id")"; done
  tl=$work/reports/latest/timelines/TC_SEC_ENR_002.txt
  grep -q ' sae.done .*bound_id=Cae-1' "$tl" && ok "ENR_002: the association is bound to the AE-ID" || fail "ENR_002: no sae.done bound to Cae-1"
  grep -q ' reg.done .*ty=2 ' "$tl" && ok "ENR_002: the AE registered (ty=2)" || fail "ENR_002: no AE registration"
  check_counts
  profile=$SRC/fixtures/profiles/sim-device-ae-enrol-expiry.xml
  run "$SRC/testcases/enrolment"
  expect_eq "exit status (expiry profile)" 0 "$rc"
  expect_eq TC_SEC_ENR_005 pass "$(verdict_of TC_SEC_ENR_005)"
  # the certificate-based RSPF: the AE's certificate names its AE-ID as a URI
  profile=$SRC/fixtures/profiles/sim-device-ae-enrol-cert.xml
  run "$SRC/testcases/enrolment"
  expect_eq "exit status (certificate-based RSPF)" 0 "$rc"
  expect_eq TC_SEC_ENR_008 pass "$(verdict_of TC_SEC_ENR_008)"
  grep -q ' prov.start .*identity=uri://m2m-harness.test/Cae-1' "$work/reports/latest/timelines/TC_SEC_ENR_008.txt" \
    && ok "ENR_008: the MEF handshake presented the AE-ID as a URI" || fail "ENR_008: no prov.start with the AE's URI identity"
  profile=$SRC/fixtures/profiles/sim-device-ae-enrol.xml
  export SIM_DEVICE_ARGS=--fault=skip-enrolment
  run "$SRC/testcases/enrolment"
  expect_eq "exit status with skip-enrolment" 1 "$rc"
  for id in TC_SEC_ENR_001 TC_SEC_ENR_002 TC_SEC_ENR_003; do expect_eq "$id with skip-enrolment" failure "$(verdict_of "$id")"; done
  check_counts
  ;;
separate)
  # Interop: a device that answers the registrar's requests separately (RFC 7252 §5.2.2) passes
  # every applicable test, and it really did answer separately: empty ACK, then the response in
  # a CON of its own that the harness ACKs; no device answer anywhere is piggybacked.
  profile=$SRC/fixtures/profiles/sim-device-asn-separate.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  expect_eq "exit status" 0 "$rc"
  check_counts
  tl=$work/reports/latest/timelines/TC_SEC_BIND_002.txt
  # The exchange by its ids (the device's own requests may come in between): the request's
  # Message ID is the empty ACK's, its token the separate response's, whose ID the harness ACKs.
  req=$(grep -n ' msg\.tx .*type=CON code=0\.01 .*no-such-resource' "$tl" | head -1)
  mid=$(echo "$req" | sed -E 's/.* mid=([0-9]+).*/\1/'); tok=$(echo "$req" | sed -E 's/.* token=([0-9a-f]+).*/\1/')
  eack=$(grep -n " msg\.rx .*type=ACK code=0\.00 mid=$mid\b" "$tl" | head -1)
  sep=$(grep -n " msg\.rx .*type=CON code=4\.04 mid=[0-9]* token=$tok\b" "$tl" | head -1)
  smid=$(echo "$sep" | sed -E 's/.* mid=([0-9]+).*/\1/')
  hack=$(grep -n " msg\.tx .*type=ACK code=0\.00 mid=$smid\b" "$tl" | head -1)
  order="${req%%:*} ${eack%%:*} ${sep%%:*} ${hack%%:*}"
  [ -n "$req" ] && [ -n "$eack" ] && [ -n "$sep" ] && [ -n "$hack" ] && [ "$(echo $order | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "$order " ] \
    && ok "TC_SEC_BIND_002: request, empty ACK (its mid), 4.04 in a CON (its token), the harness's ACK (lines $order)" \
    || fail "TC_SEC_BIND_002: no request / empty ACK / separate 4.04 / ACK sequence in $tl (lines '$order')"
  grep -q ' msg\.rx .*response=separate' "$tl" && ok "marked response=separate" || fail "no response=separate in $tl"
  n=$(cat "$work"/reports/latest/timelines/*.txt | grep -c ' msg\.rx .*response=piggybacked')
  expect_eq "device answers piggybacked, over all timelines" 0 "$n"
  ;;
pcap)
  # The harness's own capture, decoded by tshark (an independent oracle) with only the key
  # log the file embeds: the CoAP messages tshark sees are the timeline's msg.rx/msg.tx, in
  # order, with the same type, code and message id, and the From option's bytes are the
  # fr the harness decoded (tshark shows oneM2M options as unknown options).
  run --pcap "$SRC/testcases/sae/TC_SEC_SAE_PSK_001.xml"
  expect_eq "exit status" 0 "$rc"
  expect_contains "the run says it wrote captures" "$out" "captures/"
  cap=$work/reports/latest/captures/TC_SEC_SAE_PSK_001.pcapng
  tl=$work/reports/latest/timelines/TC_SEC_SAE_PSK_001.txt
  want=$(awk '$3 == "msg.rx" || $3 == "msg.tx" { t = ""; c = ""; m = ""
      for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "type") t = kv[2]; if (kv[1] == "code") c = kv[2]; if (kv[1] == "mid") m = kv[2] }
      split(c, cc, "."); print (t == "CON" ? 0 : t == "NON" ? 1 : t == "ACK" ? 2 : 3), cc[1] * 32 + cc[2], m }' "$tl")
  got=$(tshark -r "$cap" -Y coap -T fields -e coap.type -e coap.code -e coap.mid -E separator=' ' 2>/dev/null)
  [ -n "$want" ] && ok "the timeline has CoAP messages" || fail "no msg.rx/msg.tx in $tl"
  expect_eq "CoAP messages tshark decodes (type code mid)" "$want" "$got"
  fr=$(grep -o ' msg.rx .* fr=[^ ]*' "$tl" | head -1 | sed 's/.* fr=//')
  fr_hex=$(printf '%s' "$fr" | od -An -tx1 | tr -d ' \n')
  expect_contains "tshark's unknown options hold the From option" "$(tshark -r "$cap" -Y coap -T fields -e coap.opt.unknown 2>/dev/null)" "$fr_hex"
  expect_contains "packet comments keep the real ports" "$(tshark -r "$cap" -T fields -e frame.comment 2>/dev/null | head -1)" "127.0.0.1:"
  # Without the Decryption Secrets Block tshark sees no CoAP: the embedded keys do the work.
  editcap --discard-all-secrets "$cap" "$work/nodsb.pcapng" && [ -s "$work/nodsb.pcapng" ] \
    && ok "editcap wrote the capture without its secrets" || fail "editcap --discard-all-secrets failed (wireshark-common)"
  expect_eq "CoAP messages without the key log" 0 "$(tshark -r "$work/nodsb.pcapng" -Y coap 2>/dev/null | wc -l)"
  run "$SRC/testcases/sae/TC_SEC_SAE_PSK_001.xml"
  [ -e "$work/reports/latest/captures" ] && fail "captures written without --pcap" || ok "no captures without --pcap"
  ;;
results-json)
  # results.json from a real run validates against the schema in the tree (ajv, pinned in
  # tools/node), carries the audit trail, and a damaged copy does not validate.
  validate() { node "$SRC/tools/node/validate-json.js" "$SRC/harness/report/results.schema.json" "$1"; }
  [ -d "$SRC/tools/node/node_modules/ajv" ] || { echo "tools/node/node_modules missing: run tools/setup/install-deps.sh"; exit 1; }
  export SIM_DEVICE_ARGS=--fault=register-before-sae
  run ${E2E_JOBS:+-j "$E2E_JOBS"} --seed 4242 "$SRC/testcases"
  expect_eq "exit status" 1 "$rc"
  j=$work/reports/latest/results.json
  validate "$j" && ok "results.json valid" || fail "results.json does not validate"
  q() { node -e "const d=require(process.argv[1]); console.log(String($1))" "$j"; }
  expect_eq "seed recorded" 4242 "$(q 'd.run.seed')"
  expect_eq "content format recorded" "10001 10001,50" "$(q 'd.profile_applied.content_format+" "+d.profile_applied.accept_formats')"
  expect_eq "profile checksum" "$(sha256sum < "$profile" | cut -d' ' -f1)" "$(q 'd.run.profile.sha256')"
  expect_eq "environment recorded" "--fault=register-before-sae" "$(q 'd.run.environment.SIM_DEVICE_ARGS')"
  expect_eq "TC_SEC_ORDER_001 verdict" fail "$(q 'd.tests.find(t=>t.id==="TC_SEC_ORDER_001").verdict')"
  expect_eq "its timeline has its plain registration" true "$(q 'd.tests.find(t=>t.id==="TC_SEC_ORDER_001").timeline.some(e=>e.name==="msg.rx"&&e.attrs.secure==="false")')"
  expect_eq "every skip in the skipped list with its reason" "$(q 'd.tests.filter(t=>t.verdict==="skip").length')" "$(q 'd.skipped.filter(s=>s.reason.length>0).length')"
  expect_eq "counts" "$(q 'd.tests.length')" "$(q 'd.summary.total')"
  grep -q "m2m-harness-test-psk-1" "$j" && fail "the PSK key is in results.json" || ok "no PSK key in results.json"
  expect_eq "audit trail in junit.xml" "$(q 'd.run.suite.sha256')" "$(xp "string(//testsuite[1]/properties/property[@name='suite_sha256']/@value)" "$(junit)")"
  node -e "const fs=require('fs');const d=JSON.parse(fs.readFileSync(process.argv[1]));d.tests[0].verdict='bogus';fs.writeFileSync(process.argv[2],JSON.stringify(d))" "$j" "$work/bad.json"
  validate "$work/bad.json" >/dev/null 2>&1 && fail "a damaged results.json validates" || ok "a damaged results.json is refused"
  ;;
html)
  # report.html from a failing run: well-formed (XHTML), self-contained, a chart per test
  # run, the violation marked, the audit trail and the skipped tests with their reasons.
  export SIM_DEVICE_ARGS=--fault=register-before-sae
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  h=$work/reports/latest/report.html
  xmllint --noout "$h" && ok "report.html is well-formed" || fail "report.html is not well-formed XML"
  grep -qE '(src|href)="https?:' "$h" && fail "report.html loads something from the network" || ok "nothing from the network"
  ran=$(xp 'count(//testcase[not(skipped)])' "$(junit)")
  expect_eq "one chart per test run" "$ran" "$(grep -o '<svg ' "$h" | wc -l)"
  expect_contains "violation marked" "$(cat "$h")" 'class="row bad"'
  expect_contains "audit: profile checksum" "$(cat "$h")" "$(sha256sum < "$profile" | cut -d' ' -f1)"
  expect_contains "skip reasons" "$(cat "$h")" "IUT does not claim PICS item"
  # the other role's tests are not in the plan: counted, not listed as skips
  nfield=$(ls "$SRC"/testcases/field/*.xml | wc -l)
  expect_contains "other role counted" "$(cat "$h")" "$nfield test(s) of the other role (field) were not run"
  expect_eq "other role not listed" 0 "$(grep -c 'test is for role' "$h")"
  expect_eq "other role not in junit.xml" 0 "$(xp "count(//testcase[starts-with(@classname,'field.')])" "$(junit)")"
  expect_eq "other role property" "$nfield" "$(xp "string(//testsuite[1]/properties/property[@name='other_role_tests']/@value)" "$(junit)")"
  expect_contains "filters" "$(cat "$h")" 'id="f-verdict"'
  ;;
html-browser)
  # The reports in a real browser: Debian's headless Chromium, driven over the DevTools
  # protocol by tools/node/html-check.js. A run over two profiles with passes, failures,
  # inconclusive and skipped tests in each (the filters have rows to hide) and a test of the
  # other role: the index and each profile's page load without console errors, exceptions or
  # failed loads; the filters show exactly the matching rows and hide the others; every
  # sequence chart renders; the index links every profile's page, and every link leads to a
  # file that loads. Then damaged copies prove the check can fail: a script that throws, a
  # filter that hides nothing, charts that do not render, an index that misses a profile.
  command -v chromium >/dev/null \
    || { echo "FAIL: chromium not installed (Debian package chromium, the browser this test runs): run tools/setup/install-deps.sh"; exit 1; }
  [ -f "$SRC/tools/node/node_modules/ws/package.json" ] \
    || { echo "FAIL: npm package ws missing in tools/node/node_modules (the DevTools protocol client): run tools/setup/install-deps.sh"; exit 1; }
  has() { # what line: html-check printed the line (its whole output is in the log above)
    grep -qF -- "$2" <<<"$hc" && ok "$1: $2" || fail "$1: html-check printed no line '$2'"
  }
  export SIM_DEVICE_ARGS=--fault=wrong-fr
  profiles=(sim-device-asn sim-device-asn-cert)
  out=$("$HARNESS" run --profile "$SRC/fixtures/profiles/${profiles[0]}.xml" --profile "$SRC/fixtures/profiles/${profiles[1]}.xml" \
          --report-dir "$work/reports" "$SRC"/testcases/sae/TC_SEC_SAE_PSK_001.xml "$SRC"/testcases/sae/TC_SEC_SAE_CERT_001.xml \
          "$SRC"/testcases/binding/TC_SEC_BIND_001.xml "$SRC"/testcases/access/TC_SEC_ACP_001.xml \
          "$SRC"/testcases/ordering/TC_SEC_ORDER_001.xml "$SRC"/testcases/field/TC_SEC_IN_REG_001.xml 2>&1); rc=$?
  echo "$out" | sed 's/^/  | /'
  expect_eq "exit status" 1 "$rc"
  top=$(readlink -f "$work/reports/latest")
  for p in "${profiles[@]}"; do
    j=$top/$p/junit.xml
    for k in failure error skipped; do
      n=$(xp "count(//testcase[$k])" "$j")
      [ "${n:-0}" -gt 0 ] && ok "$p: $n test(s) with $k" || fail "$p: no test with $k: the filters would have little to hide"
    done
    n=$(xp 'count(//testcase[not(failure or error or skipped)])' "$j")
    [ "${n:-0}" -gt 0 ] && ok "$p: $n passed" || fail "$p: no test passed"
  done
  hc=$(cd "$top" && node "$SRC/tools/node/html-check.js" --timeout 60 index.html 2>&1); hrc=$?
  echo "$hc" | sed 's/^/  browser | /'
  expect_eq "html-check exit status" 0 "$hrc"
  has "index" "ok: index.html: 2 profile folder(s) with a report.html, each linked"
  has "index" "ok: index.html: loads without console errors, exceptions or failed loads"
  has "index" "ok: junit.xml: loads without"
  for p in "${profiles[@]}"; do
    has "$p" "ok: $p/report.html: loads without console errors, exceptions or failed loads"
    has "$p" "ok: $p/report.html: filter verdict=fail:"
    has "$p" "ok: $p/report.html: filter verdict=all: 5 of 5 rows shown again"
    has "$p" "ok: $p/report.html: the filters hid rows for"
    has "$p" "ok: $p/report.html: every in-page link has its target"
    charts=$(grep -o '<svg ' "$top/$p/report.html" | wc -l)
    has "$p" "ok: $p/report.html: $charts of $charts sequence chart(s) render"
    has "$p" "ok: $p/results.json: loads without"
  done
  # The damaged copies: each damage must change the page (else the check below proves nothing).
  d=$work/damaged
  cp -r "$top" "$d"
  damage() { # name sed-expression: a copy of the first profile's page, changed
    sed "$2" "$d/${profiles[0]}/report.html" > "$d/${profiles[0]}/$1.html"
    cmp -s "$d/${profiles[0]}/report.html" "$d/${profiles[0]}/$1.html" && fail "damage $1: '$2' changed nothing in report.html"
  }
  damage throws 's/function m2mFilter(){/function m2mFilter(){m2mNoSuchFunction();/'
  damage nofilter "s/e.classList.toggle('hidden',!ok)/void ok/"
  damage nochart 's/svg.msc{/svg.msc{display:none;/'
  sed -i "\\|${profiles[1]}/report.html|d" "$d/index.html"
  hc=$(cd "$d" && node "$SRC/tools/node/html-check.js" --timeout 60 index.html "${profiles[0]}/throws.html" \
         "${profiles[0]}/nofilter.html" "${profiles[0]}/nochart.html" 2>&1); hrc=$?
  echo "$hc" | sed 's/^/  damaged | /'
  expect_eq "html-check exit status on damaged pages" 1 "$hrc"
  has "a script that throws" "FAIL: ${profiles[0]}/throws.html: "
  has "a script that throws" "uncaught exception: ReferenceError: m2mNoSuchFunction is not defined"
  has "a filter that hides nothing" "FAIL: ${profiles[0]}/nofilter.html: the filters hid rows for 0 choice(s)"
  has "charts that do not render" "FAIL: ${profiles[0]}/nochart.html: 0 of "
  has "an index that misses a profile" "FAIL: index.html: 2 profile folder(s) with a report.html; not linked: ${profiles[1]}"
  ;;
bundle-replay)
  # A failing test's bundle replays it: same verdict, from the bundle alone, with the
  # fault switch the bundle recorded (not the caller's environment).
  export SIM_DEVICE_ARGS=--fault=register-before-sae
  run --pcap --seed 99 "$SRC/testcases/ordering/TC_SEC_ORDER_001.xml"
  expect_eq "exit status" 1 "$rc"
  b=$work/reports/latest/bundles/TC_SEC_ORDER_001
  for f in replay.sh profile.xml TC_SEC_ORDER_001.xml bundle.json TC_SEC_ORDER_001.pcapng TC_SEC_ORDER_001.timeline.txt; do
    [ -s "$b/$f" ] && ok "bundle has $f" || fail "bundle lacks $f"
  done
  expect_contains "bundle records the fault switch" "$(cat "$b/replay.sh")" "--fault=register-before-sae"
  unset SIM_DEVICE_ARGS
  mkdir "$work/elsewhere" && cp -r "$b" "$work/elsewhere/"
  rout=$(cd / && REPLAY_REPORTS="$work/replay" sh "$work/elsewhere/TC_SEC_ORDER_001/replay.sh" 2>&1); rrc=$?
  echo "$rout" | sed 's/^/  replay | /'
  expect_eq "replay exit status" 1 "$rrc"
  expect_eq "replayed verdict" failure "$(xp "count(//testcase[@name='TC_SEC_ORDER_001']/failure)" "$work/replay/latest/junit.xml" | sed 's/^1$/failure/')"
  expect_eq "replayed seed" 99 "$(xp "string(//testsuite[1]/properties/property[@name='seed']/@value)" "$work/replay/latest/junit.xml")"
  ;;
console)
  # Quiet prints only what did not pass and the summary with the paths; the normal run one
  # line per test; no progress line and no colour when stdout is not a terminal.
  run --quiet "$SRC/testcases/sae/TC_SEC_SAE_PSK_001.xml" "$SRC/testcases/sae/TC_SEC_SAE_PSK_AE_001.xml"
  expect_eq "exit status" 0 "$rc"
  case "$out" in *"TC_SEC_SAE_PSK_001 ("*) fail "quiet printed a passing test";; *) ok "quiet: no line for a pass";; esac
  expect_contains "summary paths" "$out" "/results.json"
  expect_contains "summary paths" "$out" "/report.html"
  run "$SRC/testcases/sae/TC_SEC_SAE_PSK_001.xml"
  expect_contains "normal: a line per test" "$out" "PASS    in-cse.sae       TC_SEC_SAE_PSK_001"
  case "$out" in *$'\r'*|*$'\033'*) fail "progress or colour without a terminal";; *) ok "no control sequences in a log";; esac
  ;;
enrol)
  # Remote provisioning (docs/mef.md): a device with only KpmID/Kpm enrols with the
  # harness as MEF, associates with the derived KeID/Kpsa and registers; the whole suite
  # passes (what the profile's PICS do not claim is skipped).
  profile=$SRC/fixtures/profiles/sim-device-enrol.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  expect_eq "exit status" 0 "$rc"
  for id in TC_SEC_ENR_001 TC_SEC_ENR_002 TC_SEC_ENR_003 TC_SEC_ENR_004 TC_SEC_ENR_006 TC_SEC_ENR_007; do
    expect_eq "$id" pass "$(verdict_of "$id")"; done
  check_counts
  # R-ENR-08: the dropped session's KeID is never presented; the second enrolment's is.
  tl=$work/reports/latest/timelines/TC_SEC_ENR_004.txt
  grep -q ' prov.fail .*reason="interrupted.*enrolment=1' "$tl" && ok "ENR_004: the MEF dropped enrolment 1" || fail "ENR_004: no interrupted enrolment 1"
  k2=$(grep ' prov.done .*enrolment=2' "$tl" | grep -o 'keid=[0-9a-f]*' | head -1)
  [ -n "$k2" ] && grep -q " sae.done .*identity=${k2#keid=}" "$tl" && ok "ENR_004: SAE with the KeID of enrolment 2" || fail "ENR_004: no SAE with enrolment 2's KeID"
  # R-FLOW-05: the reboot reuses the KeID, the provider change presents a new one.
  tl=$work/reports/latest/timelines/TC_SEC_ENR_006.txt
  [ "$(grep ' sae.done .*side=server' "$tl" | grep -o 'identity=[0-9a-f]*' | sort -u | wc -l)" = 1 ] \
    && ok "ENR_006: the same KeID before and after the reboot" || fail "ENR_006: the KeID changed over a plain reboot"
  tl=$work/reports/latest/timelines/TC_SEC_ENR_007.txt
  [ "$(grep ' sae.done .*side=server' "$tl" | grep -o 'identity=[0-9a-f]*' | sort -u | wc -l)" = 2 ] \
    && ok "ENR_007: a new KeID after the change of service provider" || fail "ENR_007: no new KeID after the provider change"
  # R-ENR-05 with a short Enrolment Expiry (4 s): enrolment 2 after prov.expire, nothing refused.
  profile=$SRC/fixtures/profiles/sim-device-enrol-expiry.xml
  run "$SRC/testcases/enrolment"
  expect_eq "exit status (expiry profile)" 0 "$rc"
  expect_eq TC_SEC_ENR_005 pass "$(verdict_of TC_SEC_ENR_005)"
  tl=$work/reports/latest/timelines/TC_SEC_ENR_005.txt
  grep -q ' prov.expire .*lifetime=4s' "$tl" && ok "ENR_005: prov.expire after 4s" || fail "ENR_005: no prov.expire lifetime=4s"
  # R-ENR-06: the certificate-based RSPF, then the same KeID/Kpsa SAE.
  profile=$SRC/fixtures/profiles/sim-device-enrol-cert.xml
  run "$SRC/testcases/enrolment"
  expect_eq "exit status (certificate-based RSPF)" 0 "$rc"
  expect_eq TC_SEC_ENR_008 pass "$(verdict_of TC_SEC_ENR_008)"
  tl=$work/reports/latest/timelines/TC_SEC_ENR_008.txt
  grep -q ' prov.start .*rspf=cert.*suite=TLS_ECDHE_ECDSA' "$tl" && ok "ENR_008: certificate MEF handshake (ECDHE_ECDSA)" || fail "ENR_008: no ECDHE_ECDSA MEF handshake"
  # The usage-constrained key (§10.3.7, SUID 22 and the target's FQDN) instead of Kpsa.
  profile=$SRC/fixtures/profiles/sim-device-enrol-usage.xml
  run "$SRC/testcases/enrolment/TC_SEC_ENR_002.xml"
  expect_eq "TC_SEC_ENR_002 (usage-constrained key)" pass "$(verdict_of TC_SEC_ENR_002)"
  grep -q ' prov.done .*derive=usage-constrained' "$work/reports/latest/timelines/TC_SEC_ENR_002.txt" \
    && ok "ENR_002: the MEF derived the usage-constrained key" || fail "ENR_002: no prov.done derive=usage-constrained"
  profile=$SRC/fixtures/profiles/sim-device-enrol.xml
  run "$SRC/testcases/enrolment/TC_SEC_ENR_002.xml"
  tl=$work/reports/latest/timelines/TC_SEC_ENR_002.txt
  keid=$(grep -o ' prov.done .*keid=[0-9a-f]\{32\}@mef.m2m-harness.test' "$tl" | grep -o '[0-9a-f]\{32\}@mef.m2m-harness.test')
  [ -n "$keid" ] && ok "prov.done names the KeID $keid" || fail "no KeID (32 lower-case hex @MEF-FQDN) in prov.done"
  grep -q " sae.done .*identity=$keid .*bound_id=/asn-cse-1" "$tl" && ok "SAE with that KeID, bound to /asn-cse-1" \
    || fail "sae.done does not carry identity=$keid bound_id=/asn-cse-1"
  [ "$(grep -n ' prov.done ' "$tl" | cut -d: -f1)" -lt "$(grep -n ' sae.done ' "$tl" | cut -d: -f1)" ] \
    && ok "prov.done before sae.done" || fail "sae.done is not after prov.done"
  grep -q "m2m-harness-test-kpm-1" -r "$work/reports/latest/" && fail "Kpm appears in the report" || ok "Kpm not in reports (profile.xml redacted)"
  ;;
correct)
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  expect_eq "exit status" 0 "$rc"
  expect_eq "TC_SEC_SAE_PSK_001" pass "$(verdict_of TC_SEC_SAE_PSK_001)"
  expect_eq "TC_SEC_ORDER_001" pass "$(verdict_of TC_SEC_ORDER_001)"
  check_counts
  tl=$work/reports/latest/timelines/TC_SEC_SAE_PSK_001.txt
  [ -s "$tl" ] && ok "timeline file written" || fail "no timeline file $tl"
  for ev in net.up prov.done sae.start sae.done msg.rx msg.tx reg.done; do
    grep -q " $ev " "$tl" && ok "timeline has $ev" || fail "timeline lacks $ev"
  done
  grep -q "suite=TLS_PSK_WITH_AES_128_CCM_8" "$tl" && ok "CCM_8 negotiated" || fail "suite is not TLS_PSK_WITH_AES_128_CCM_8"
  # A <wait> is a silence window: after the device gave up its handshake with an unknown
  # identity and exited, nothing more can come from it, so the wait ends there.
  expect_contains "TC_SEC_SAE_PSK_006: the wait ends with the IUT's process" \
    "$(xp "string(//testcase[@name='TC_SEC_SAE_PSK_006']/system-out)" "$(junit)")" "the IUT's process ended: nothing more can come, the wait ends"
  grep -q "m2m-harness-test-psk-1" -r "$work/reports/latest/" && fail "PSK key appears in the report" || ok "PSK key not in reports (profile.xml redacted)"
  ;;
plain-refused-4107)
  # The evidence behind TC_SEC_ORDER_001's failure: the plain registration is in the
  # timeline and the harness refused it with 4107 (TS-0004 §7.3.2.1).
  export SIM_DEVICE_ARGS=--fault=register-before-sae
  run "$SRC/testcases/ordering"
  expect_eq "exit status" 1 "$rc"
  expect_eq "TC_SEC_ORDER_001" failure "$(verdict_of TC_SEC_ORDER_001)"
  expect_contains "failure message" "$(message_of TC_SEC_ORDER_001)" "msg.rx[secure=false]"
  grep -q "msg.tx .*secure=false.*rsc=4107" "$work/reports/latest/timelines/TC_SEC_ORDER_001.txt" \
    && ok "plain registration answered 4107" || fail "no 4107 answer on plain CoAP in the timeline"
  check_counts
  ;;
crash)
  export M2M_HARNESS_SELFTEST_CRASH=TC_SELFTEST_CRASH_001
  run --allow-empty "$selftest/TC_SELFTEST_CRASH_001.xml" "$selftest/TC_SELFTEST_WAIT_001.xml"
  expect_eq "exit status" 1 "$rc"
  expect_eq "crashed test" error "$(verdict_of TC_SELFTEST_CRASH_001)"
  # the self-test's SIGSEGV; under AddressSanitizer with abort_on_error=1 (the sanitizer
  # stage) ASan catches it first and aborts: SIGABRT
  sig=11; case "${ASAN_OPTIONS:-}" in *abort_on_error=1*) sig=6;; esac
  expect_contains "error message" "$(message_of TC_SELFTEST_CRASH_001)" "signal $sig"
  expect_eq "error type" crash "$(xp "string(//testcase[@name='TC_SELFTEST_CRASH_001']/error/@type)" "$(junit)")"
  expect_eq "next test still ran" pass "$(verdict_of TC_SELFTEST_WAIT_001)"
  check_counts
  ;;
hang)
  start=$(date +%s)
  run "$selftest/TC_SELFTEST_HANG_001.xml" "$selftest/TC_SELFTEST_WAIT_001.xml"
  took=$(( $(date +%s) - start ))
  expect_eq "exit status" 1 "$rc"
  expect_eq "hung test" error "$(verdict_of TC_SELFTEST_HANG_001)"
  expect_contains "error message" "$(message_of TC_SELFTEST_HANG_001)" "deadline of 2 s"
  expect_eq "next test still ran" pass "$(verdict_of TC_SELFTEST_WAIT_001)"
  [ "$took" -lt 20 ] && ok "run ended in ${took}s (deadline enforced)" || fail "run took ${took}s"
  check_counts
  ;;
bad-input)
  mkdir -p "$work/bad"
  printf '<?xml version="1.0"?>\n<testcase id="TC_BAD_001" role="in-cse" area="x">\n  <title>t</title>\n  <steps>\n    <wait for="1s">\n  </steps>\n</testcase>\n' > "$work/bad/TC_BAD_001.xml"
  run "$work/bad"
  expect_eq "exit status (malformed XML)" 2 "$rc"
  expect_contains "message" "$out" "TC_BAD_001.xml:6"
  [ -e "$work/reports/latest" ] && fail "a report was written for bad input" || ok "no report for bad input"
  rm -f "$work/bad/TC_BAD_001.xml"
  printf '<?xml version="1.0"?>\n<testcase id="TC_BAD_002" role="in-cse" area="x" covers="R-FLOW-03">\n  <title>t</title>\n  <requirement>r</requirement>\n  <reference>x</reference>\n  <steps>\n    <await event="sae.done[identity=${NO_SUCH_VAR}]" within="1s"/>\n  </steps>\n</testcase>\n' > "$work/bad/TC_BAD_002.xml"
  run "$work/bad"
  expect_eq "exit status (unknown variable)" 2 "$rc"
  expect_contains "message" "$out" "TC_BAD_002.xml:7"
  expect_contains "message" "$out" "NO_SUCH_VAR"
  out=$("$HARNESS" run --profile "$work/missing.xml" "$SRC/testcases" 2>&1); rc=$?
  expect_eq "exit status (missing profile)" 2 "$rc"
  expect_contains "message" "$out" "missing.xml"
  out=$("$HARNESS" run "$SRC/testcases" 2>&1); rc=$?
  expect_eq "exit status (no --profile)" 2 "$rc"
  # a fixed listen port that is taken: exit 2 before any test, naming the profile and port
  node -e 'const d = require("dgram").createSocket("udp4"); d.bind(0, "127.0.0.1", () => console.log(d.address().port)); setTimeout(() => d.close(), 20000)' > "$work/port" &
  holder=$!
  for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
  busy=$(cat "$work/port")
  sed "s|coaps-port=\"0\">|coaps-port=\"$busy\">|" "$profile" > "$work/busy.xml"
  out=$("$HARNESS" run --profile "$work/busy.xml" --report-dir "$work/reports" "$SRC/testcases" 2>&1); rc=$?
  kill $holder 2>/dev/null
  expect_eq "exit status (port in use)" 2 "$rc"
  expect_contains "message" "$out" "coaps-port=\"$busy\""
  expect_contains "message" "$out" "Address already in use"
  ;;
control)
  # Driving the IUT: a readiness probe that never succeeds, and an operator prompt with no
  # terminal attached, both make the test inconclusive with the reason (never a pass).
  sed 's|<control>|<control ready-timeout="1s">|; s|</start>|</start><ready>false</ready>|' "$profile" > "$work/notready.xml"
  out=$("$HARNESS" run --profile "$work/notready.xml" --report-dir "$work/reports" "$SRC/testcases/sae/TC_SEC_SAE_PSK_001.xml" 2>&1 </dev/null); rc=$?
  expect_eq "exit status (never ready)" 1 "$rc"
  expect_eq "error type" inconclusive "$(xp "string(//testcase[@name='TC_SEC_SAE_PSK_001']/error/@type)" "$(junit)")"
  expect_contains "reason" "$(message_of TC_SEC_SAE_PSK_001)" "did not become ready"
  sed 's|<control>|<control ready-timeout="2s">|; s|</start>|</start><ready>true</ready>|' "$profile" > "$work/ready.xml"
  out=$("$HARNESS" run --profile "$work/ready.xml" --report-dir "$work/reports" "$SRC/testcases/sae/TC_SEC_SAE_PSK_001.xml" 2>&1 </dev/null); rc=$?
  expect_eq "exit status (ready at once)" 0 "$rc"
  sed 's|<start timeout="5s">.*</start>|<trigger name="start" prompt="Power on the device"/>|' "$profile" > "$work/prompt.xml"
  grep -q 'prompt="Power' "$work/prompt.xml" || fail "test setup: no prompt in the profile"
  out=$("$HARNESS" run --profile "$work/prompt.xml" --report-dir "$work/reports" "$SRC/testcases/sae/TC_SEC_SAE_PSK_001.xml" 2>&1 </dev/null); rc=$?
  expect_eq "exit status (operator needed, none there)" 1 "$rc"
  expect_contains "reason" "$(message_of TC_SEC_SAE_PSK_001)" "needs an operator"
  check_counts
  ;;
unreachable)
  # The start command runs, but the device never reaches the harness.
  sed 's|"\$SIM_DEVICE" .*</start>|sleep 30</start>|; s|step-timeout="5s"|step-timeout="1s"|' "$profile" > "$work/unreachable.xml"
  grep -q "sleep 30" "$work/unreachable.xml" || fail "test setup: could not rewrite the start command"
  out=$("$HARNESS" run --profile "$work/unreachable.xml" --report-dir "$work/reports" "$SRC/testcases/sae/TC_SEC_SAE_PSK_001.xml" 2>&1); rc=$?
  echo "$out" | sed 's/^/  | /'
  expect_eq "exit status" 1 "$rc"
  expect_eq "verdict" error "$(verdict_of TC_SEC_SAE_PSK_001)"
  expect_eq "error type" inconclusive "$(xp "string(//testcase[@name='TC_SEC_SAE_PSK_001']/error/@type)" "$(junit)")"
  expect_contains "reason" "$(message_of TC_SEC_SAE_PSK_001)" "IUT unreachable"
  check_counts
  ;;
empty)
  run --filter 'TC_NOTHING_*' "$SRC/testcases"
  expect_eq "exit status (nothing executed)" 1 "$rc"
  expect_contains "message" "$out" "no test was executed"
  run --allow-empty --filter 'TC_NOTHING_*' "$SRC/testcases"
  expect_eq "exit status with --allow-empty" 0 "$rc"
  expect_eq "empty junit is valid" 0 "$(xp 'string(/testsuites/@tests)' "$(junit)")"
  ;;
interrupt)
  "$HARNESS" run --profile "$profile" --report-dir "$work/reports" \
    "$selftest/TC_SELFTEST_WAIT_001.xml" "$selftest/TC_SELFTEST_HANG_001.xml" > "$work/out.txt" 2>&1 &
  pid=$!
  for _ in $(seq 50); do  # wait until the hang test runs (bounded: 5 s)
    [ -f "$work/reports/latest/junit.xml" ] && grep -q TC_SELFTEST_WAIT_001 "$work/reports/latest/junit.xml" && break
    sleep 0.1
  done
  kill -INT $pid
  wait $pid; rc=$?
  sed 's/^/  | /' "$work/out.txt"
  expect_eq "exit status" 1 "$rc"
  expect_eq "interrupted test" error "$(verdict_of TC_SELFTEST_HANG_001)"
  expect_contains "message" "$(message_of TC_SELFTEST_HANG_001)" "interrupted"
  expect_eq "earlier test kept" pass "$(verdict_of TC_SELFTEST_WAIT_001)"
  check_counts
  ;;
docs)
  # The documentation's test-case and fault tables (docs/testcases.md, docs/selftest.md) are
  # generated from the data meson test runs on, each in exactly one place.
  out=$(HARNESS="$HARNESS" bash "$SRC/tools/docs/sync-readme.sh" --check 2>&1); rc=$?
  echo "$out" | tail -3 | sed 's/^/  | /'
  expect_eq "generated tables in sync (else run tools/docs/sync-readme.sh)" 0 "$rc"
  for t in testcases faults-sim-device faults-ref-in-cse; do
    expect_contains "the tables checked" "$out" " $t "
  done
  grep -qx '<!-- BEGIN testcases -->' "$SRC/docs/testcases.md" && ok "the test table is in docs/testcases.md" || fail "docs/testcases.md lacks the test table"
  grep -qx '<!-- BEGIN faults-sim-device -->' "$SRC/docs/selftest.md" && ok "the fault tables are in docs/selftest.md" || fail "docs/selftest.md lacks the sim-device fault table"
  # docs/events.md, pics.md, variables.md are generated from the tables the loader checks.
  out=$(HARNESS="$HARNESS" bash "$SRC/tools/docs/sync-docs.sh" --check 2>&1); rc=$?
  echo "$out" | tail -3 | sed 's/^/  | /'
  expect_eq "docs/events.md, pics.md, variables.md current (else run tools/docs/sync-docs.sh)" 0 "$rc"
  # Every relative link of README.md and docs/*.md leads to a file (and a heading) that exists.
  out=$(python3 "$SRC/tools/docs/check-links.py" 2>&1); rc=$?
  echo "$out" | tail -5 | sed 's/^/  | /'
  expect_eq "relative links of the documentation resolve (tools/docs/check-links.py)" 0 "$rc"
  # ... and the link check can fail: a page with a dead link and a dead anchor
  mkdir -p "$work/links/docs"
  printf '# T\n[a](missing.md) [b](#t) [c](#nowhere)\n' > "$work/links/docs/t.md"
  out=$(python3 "$SRC/tools/docs/check-links.py" "$work/links/docs/t.md" 2>&1); rc=$?
  expect_eq "a dead link fails the check" 1 "$rc"
  expect_contains "dead file named" "$out" "link to missing.md: no such file"
  expect_contains "dead anchor named" "$out" "link to #nowhere"
  # The README stays one page that points into docs/, and nothing points outside the tree.
  n=$(wc -l < "$SRC/README.md")
  [ "$n" -le 150 ] && ok "README.md is $n lines" || fail "README.md is $n lines (at most 150: the rest belongs in docs/)"
  out=$(cd "$SRC" && grep -rnE --exclude-dir=node_modules '\.\./shared|[Ii]ssue [0-9]+' README.md docs harness tools testcases fixtures)
  [ -z "$out" ] && ok "no file points outside the tree or at a tracker number" || fail "pointers outside the tree: $out"
  # and the check notices a stale one: every event of the table is in docs/events.md
  for e in sae.done msg.rx.malformed prov.fetch net.rebind; do
    grep -q "^### \`$e\`\$" "$SRC/docs/events.md" && ok "docs/events.md documents $e" || fail "docs/events.md lacks $e"
  done
  out=$("$HARNESS" doc events 2>&1); rc=$?
  expect_eq "doc events exit" 0 "$rc"
  expect_contains "doc events" "$out" "| \`secure\` | true\|false |"
  out=$("$HARNESS" doc pics "$SRC/testcases" 2>&1); rc=$?
  expect_eq "doc pics exit" 0 "$rc"
  expect_contains "doc pics: the tests an item decides" "$out" "| \`SAE_RPK\` | "
  expect_contains "doc pics: the tests an item decides" "$out" "TC_SEC_SAE_RPK_001 TC_SEC_SAE_RPK_002 TC_SEC_SAE_RPK_003 |"
  out=$("$HARNESS" doc variables 2>&1); rc=$?
  expect_contains "doc variables" "$out" "| \`\${IUT_AE_ID}\` | \`<iut><ae-id>\` |"
  out=$("$HARNESS" doc frobs 2>&1); rc=$?
  expect_eq "doc of an unknown vocabulary exit" 2 "$rc"
  ;;
vocabulary)
  # The closed vocabularies: a misspelled event, attribute, closed value, PICS item (profile
  # and test case) or variable (test case and profile command) makes validate and run exit 2
  # with file:line and the nearest valid name, before anything runs.
  mkdir -p "$work/v"
  tc() { # file-name, the <requires> line, steps, order rules
    printf '<?xml version="1.0"?>\n<testcase id="%s" role="in-cse" area="x" covers="R-FLOW-03">\n  <title>t</title>\n  <requirement>r</requirement>\n  <reference>x</reference>\n%s\n  <steps>\n%s\n  </steps>\n  <order>\n%s\n  </order>\n</testcase>\n' \
      "$1" "$2" "$3" "$4" > "$work/v/$1.xml"
  }
  refused() { # what, expected file:line, needle, validate arguments...
    local what=$1 at=$2 needle=$3; shift 3
    out=$("$HARNESS" validate "$@" 2>&1); rc=$?
    expect_eq "validate exit ($what)" 2 "$rc"
    expect_contains "validate: $what" "$out" "$at: error:"
    expect_contains "validate: $what" "$out" "$needle"
  }
  req='  <requires pics="IUT_ASN_CSE SAE"/>'
  wait='    <wait for="1s"/>'
  tc TC_V_001 "$req" "$wait" '    <never event="msg.rxx[secure=false]"/>'
  refused "misspelled event" "TC_V_001.xml:11" "unknown event 'msg.rxx': the harness records no such event; did you mean 'msg.rx'?" "$work/v/TC_V_001.xml"
  tc TC_V_002 "$req" '    <await event="sae.doen" within="1s"/>' '    <never event="msg.rx[secure=false]"/>'
  refused "misspelled event in await" "TC_V_002.xml:8" "did you mean 'sae.done'?" "$work/v/TC_V_002.xml"
  tc TC_V_003 "$req" "$wait" '    <never event="msg.rx[secur=false]"/>'
  refused "misspelled attribute" "TC_V_003.xml:11" "event msg.rx has no attribute 'secur'; did you mean 'secure'?" "$work/v/TC_V_003.xml"
  tc TC_V_004 "$req" "$wait" '    <never event="msg.rx[secure=flase]"/>'
  refused "value outside a closed set" "TC_V_004.xml:11" "msg.rx's attribute secure takes only true|false, not 'flase'; did you mean 'false'?" "$work/v/TC_V_004.xml"
  tc TC_V_005 '  <requires pics="IUT_ASN_CSE SAE_PKS"/>' "$wait" '    <never event="msg.rx[secure=false]"/>'
  refused "misspelled PICS item in a test case" "TC_V_005.xml:6" "unknown PICS item 'SAE_PKS'; did you mean 'SAE_PSK'?" "$work/v/TC_V_005.xml"
  tc TC_V_006 "$req" '    <send op="retrieve" to="${IUT_CSE_IDD}"/>' '    <never event="msg.rx[secure=false]"/>'
  refused "misspelled variable in a test case" "TC_V_006.xml:8" "unknown variable \${IUT_CSE_IDD}; did you mean \${IUT_CSE_ID}?" "$work/v/TC_V_006.xml"
  refused "misspelled variable in a test case, with a profile" "TC_V_006.xml:8" "did you mean \${IUT_CSE_ID}?" --profile "$profile" "$work/v/TC_V_006.xml"
  sed 's/SAE_PSK/SAE_PKS/' "$profile" > "$work/pks.xml"
  line=$(grep -n '<pics>' "$work/pks.xml" | cut -d: -f1)
  refused "misspelled PICS item in a profile" "pks.xml:$line" "unknown PICS item 'SAE_PKS'; did you mean 'SAE_PSK'?" --profile "$work/pks.xml"
  sed 's/\${HARNESS_COAP_PORT}/${HARNESS_COAP_PORTS}/' "$profile" > "$work/ports.xml"
  line=$(grep -n '<start' "$work/ports.xml" | cut -d: -f1)
  refused "misspelled variable in the start command" "ports.xml:$line" "<start>: unknown variable \${HARNESS_COAP_PORTS}; did you mean \${HARNESS_COAP_PORT}?" --profile "$work/ports.xml"
  sed 's/--kind asn-cse/--kind asn-cse --ae ${IUT_AE_ID}/' "$profile" > "$work/noae.xml"
  refused "a variable whose element the profile lacks" "noae.xml:$line" "\${IUT_AE_ID} needs <iut><ae-id> in the profile, which has none" --profile "$work/noae.xml"
  # inside the vocabulary but unable to fail (or to hold): validate shows each falsifiable
  tc TC_V_007 "$req" "$wait" '    <never event="msg.rx[secure=true,secure=false]"/>'
  refused "a rule no event can violate" "TC_V_007.xml:11" "'never msg.rx[secure=true,secure=false]' cannot fail: no event the harness records can match" "$work/v/TC_V_007.xml"
  tc TC_V_008 "$req" "$wait" '    <before first="sae.done" then="sae.*"/>'
  refused "a rule no timeline satisfies" "TC_V_008.xml:11" "'sae.done before sae.*' can never hold" "$work/v/TC_V_008.xml"
  tc TC_V_009 "$req" '    <check><expect within="1s">
      <message rqi="x"/>
      <message rqi="x" rsc="4103" verdict="fail" reason="refused"/>
    </expect></check>' '    <never event="msg.rx[secure=false]"/>'
  refused "a failing alternative an earlier one always takes" "TC_V_009.xml:10" "the alternative msg.rx[rqi=x,rsc=4103] can never be taken: the alternative msg.rx[rqi=x] at line 9" "$work/v/TC_V_009.xml"
  # run refuses the same input before any test, with no report
  out=$("$HARNESS" run --profile "$profile" --report-dir "$work/reports" "$work/v/TC_V_001.xml" 2>&1); rc=$?
  expect_eq "run exit (misspelled event)" 2 "$rc"
  expect_contains "run" "$out" "did you mean 'msg.rx'?"
  [ -e "$work/reports/latest" ] && fail "a report was written for bad input" || ok "no report for bad input"
  # the suite itself is inside every vocabulary, and every bundled profile too
  out=$("$HARNESS" validate "$SRC/testcases" 2>&1); rc=$?
  expect_eq "validate testcases/ exit" 0 "$rc"
  for p in "$SRC"/fixtures/profiles/*.xml; do
    out=$("$HARNESS" validate --profile "$p" "$SRC/testcases" 2>&1); rc=$?
    [ "$rc" = 0 ] && ok "$(basename "$p") and the suite validate" || fail "$(basename "$p"): $out"
  done
  ;;
man)
  # The man page renders without a warning, and names every command of --help and every
  # option of each command's --help in that command's section, so it cannot rot silently.
  page=$SRC/docs/m2m-harness.1
  out=$(groff -man -Tutf8 -ww -z "$page" 2>&1); rc=$?
  expect_eq "groff -man -ww exit" 0 "$rc"
  [ -z "$out" ] && ok "groff: no warnings" || fail "groff warns: $out"
  out=$(MANWIDTH=80 man -l "$page" 2>&1); rc=$?
  expect_eq "man -l exit" 0 "$rc"
  echo "$out" | grep -qE '^ +m2m-harness +- +conformance +test +harness' && ok "man -l renders the NAME line" \
    || fail "man -l: no NAME line in $(echo "$out" | head -5)"
  ver=$("$HARNESS" --version | awk '{print $2}')
  grep -q "^\.TH M2M-HARNESS 1 .*\"m2m-harness $ver\"" "$page" && ok "the page is of version $ver" \
    || fail "the .TH line does not name m2m-harness $ver (the harness's --version)"
  cmds=$("$HARNESS" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
  [ "$(echo "$cmds" | wc -w)" -ge 6 ] && ok "--help lists $(echo $cmds)" || fail "no commands parsed from --help: $cmds"
  section() { # the roff text from ".SS $1" to the next .SS or .SH
    awk -v s="$1" '/^\.S[SH] / { on = ($0 == ".SS " s); next } on' "$page"; }
  for c in $cmds; do
    awk '/^\.SH COMMANDS/ { on = 1; next } /^\.SH / { on = 0 } on' "$page" | grep -qx "\.B $c" \
      && ok "man page describes the command $c" || fail "man page: no entry for the command $c under COMMANDS"
    opts=$("$HARNESS" "$c" --help 2>&1 | grep -E '^usage:|^       m2m-harness|^ +(-[a-z], )?--[a-z]' \
      | grep -oE '(^|[ [])--?[a-z][a-z-]*' | sed 's/^[ [[]*//' | sort -u | grep -vx -- '--help\|-h')
    for o in $opts; do
      r=$(printf '%s' "$o" | sed 's/-/\\\\-/g')   # --jobs is written \-\-jobs in roff
      section "$c" | grep -q -- "$r\\>" && ok "$c $o in the man page" || fail "man page: $c's section lacks $o (from '$c --help')"
    done
  done
  section "all commands" | grep -q -- '\\-\\-help' && ok "--help in the man page" || fail "man page lacks --help"
  # meson installs it as m2m-harness(1)
  build=$(dirname "$(dirname "$HARNESS")")
  inst=$(meson introspect --installed "$build" 2>&1)
  expect_contains "meson installs the man page" "$inst" "share/man/man1/m2m-harness.1"
  ;;
cli)
  for c in run list validate; do
    out=$("$HARNESS" $c --help 2>&1); rc=$?
    expect_eq "$c --help exit" 0 "$rc"
    expect_contains "$c --help" "$out" "usage: m2m-harness $c"
  done
  out=$("$HARNESS" frobnicate 2>&1); rc=$?
  expect_eq "unknown command exit" 2 "$rc"
  out=$("$HARNESS" list --profile "$profile" "$SRC/testcases" 2>&1); rc=$?
  expect_eq "list exit" 0 "$rc"
  expect_contains "list" "$out" "TC_SEC_ORDER_001"
  expect_contains "list" "$out" "R-FLOW-03"
  out=$("$HARNESS" validate --profile "$profile" "$SRC/testcases" 2>&1); rc=$?
  expect_eq "validate exit" 0 "$rc"
  ;;
certify|certify-broken|shards|parallel|profiles|known-failures|flaky|coverage|explain|ipv6)
  . "$SRC/harness/tests/e2e/fleet.sh";;
*)
  echo "unknown case $case_name"; exit 2;;
esac

finish
