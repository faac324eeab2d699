#!/usr/bin/env bash
# End-to-end checks of the harness in role field (it is the field node, the IUT an IN-CSE)
# against tools/ref-in-cse over real DTLS on 127.0.0.1. Usage: field.sh CASE
#   correct       every field test passes against the correct reference IN-CSE (PSK)
#   correct-cert  the same with X.509 credentials (fixtures/profiles/ref-in-cse-cert.xml)
#   correct-mef   the enrolment tests against ref-in-cse with its own MEF (ref-in-cse-mef.xml)
#   correct-mef-cert  the same with the certificate-based RSPF (ref-in-cse-mef-cert.xml)
#   xml           the whole suite with XML content (fixtures/profiles/ref-in-cse-xml.xml)
#   legacy        the whole suite with legacy option numbers (ref-in-cse-legacy.xml)
#   separate      the whole suite against separate responses (ref-in-cse-separate.xml)
#   json50        the whole suite against an IN-CSE that takes only application/json (50) and
#                 drops 10001 silently (ref-in-cse-json50.xml), and the default profile against it
#   correct-ae    the whole suite with the harness as a field AE on Mca (ref-in-cse-ae.xml),
#                 and the service-subscription test once more under Release 2
#   iut-fate      what the report says when the IUT dies after the harness's request (a
#                 robustness test fails, any other is inconc; both name the request, the
#                 time, the exit status and the error line, not the trailer after it)
#   fault-<name>  one row of tools/ref-in-cse/faults.tsv: exactly the listed tests fail, under
#                 each profile of the row (a listed test may skip under one of them, for a
#                 PICS item that profile lacks, but must fail under another)
# Needs HARNESS, REF_IN_CSE, SRC in the environment (meson test sets them).
set -uo pipefail
case_name=$1
: "${HARNESS:?}" "${REF_IN_CSE:?}" "${SRC:?}"
export REF_IN_CSE
unset REF_IN_CSE_ARGS
. "$(dirname "$0")/lib.sh"
profile=$SRC/fixtures/profiles/ref-in-cse.xml
tsv=$SRC/tools/ref-in-cse/faults.tsv

# Every test of testcases/field ran or was skipped for a PICS item the profile does not
# claim (PSK tests under the certificate profile and back); those in $1 failed, every
# other one passed.
# A skip is right only for a test that requires a PICS item the profile does not claim.
skip_justified() {
  local pics req it missing=""
  pics=$(xp 'string(//pics)' "$profile")
  req=$(xp 'string(//requires/@pics)' "$SRC/testcases/field/$1.xml")
  # legacy numbering: a test of requests without rvi is not applicable (no rvi option at all)
  case $(message_of "$1") in *"no number for rvi"*)
    [ "$(xp 'string(//coap/@options)' "$profile")" = legacy ] && { ok "$1 skipped: legacy numbering has no rvi"; return; };;
  esac
  for it in $req; do case " $pics " in *" $it "*) ;; *) missing="$missing $it";; esac; done
  [ -n "$missing" ] && ok "$1 skipped: the profile lacks$missing ($(message_of "$1"))" \
    || fail "$1 skipped although the profile claims its PICS ($req): $(message_of "$1")"
}

expect_failing() {
  local ids n
  ids=$(xp '//testcase/@name' "$(junit)" | sed 's/ name="\([^"]*\)"/\1 /g')
  n=$(ls "$SRC"/testcases/field/*.xml | wc -l)
  expect_eq "field tests run" "$n" "$(echo $ids | wc -w)"
  for id in $ids; do
    v=$(verdict_of "$id")
    case " ${2:-} " in *" $id "*)   # the fault breaks only a step that sets this test's stage
      if [ "$v" = skipped ]; then skip_justified "$id"
      elif [ "$v" = error ] && [ "$(xp "string(//testcase[@name='$id']/error/@type)" "$(junit)")" = inconclusive ]; then ok "$id inconclusive under $case_name"
      else fail "$id: expected inconc under $case_name, got $v ($(message_of "$id"))"; evidence "$id"; fi
      continue;; esac
    case " $1 " in
      *" $id "*) if [ "$v" = skipped ] && [ -n "${several_profiles:-}" ]; then skip_justified "$id"
         else [ "$v" = failure ] && ok "$id fails under $case_name" || { fail "$id: expected failure under $case_name, got $v ($(message_of "$id"))"; evidence "$id"; }; fi;;
      *) if [ "$v" = skipped ]; then skip_justified "$id"
         else [ "$v" = pass ] && ok "$id passes" || { fail "$id: expected pass under $case_name, got $v ($(message_of "$id"))"; evidence "$id"; }; fi;;
    esac
  done
  check_counts
}

case $case_name in
correct)
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases/field"
  expect_eq "exit status" 0 "$rc"
  expect_failing ""
  # The harness was the DTLS client (R-SAE-04): its handshakes are side=client, none server.
  tl=$work/reports/latest/timelines/TC_SEC_IN_SAE_PSK_001.txt
  grep -q ' sae.done .*side=client.*suite=TLS_PSK_WITH_AES_128_CCM_8' "$tl" \
    && ok "TC_SEC_IN_SAE_PSK_001: client-side handshake with TLS_PSK_WITH_AES_128_CCM_8" \
    || fail "TC_SEC_IN_SAE_PSK_001: no sae.done side=client with the CCM_8 suite in $tl"
  # The harness serves as DTLS server only the IN-CSE's reverse association (SA2), and only
  # in the tests that ask for it (TC_SEC_IN_BIND_011 answers the first request in it).
  srv=$(grep -l 'side=server' "$work"/reports/latest/timelines/*.txt | xargs -n1 basename 2>/dev/null | tr '\n' ' ')
  expect_eq "timelines with a server-side handshake" "TC_SEC_IN_BIND_011.txt TC_SEC_IN_SAE_SA2_001.txt " "$srv"
  # An IN-CSE with no plain CoAP port at all passes the plain-Mcc test too (silence), and
  # nothing it did not send is taken for an answer.
  REF_IN_CSE_ARGS=--coap-port=0 run "$SRC/testcases/field/TC_SEC_IN_ORDER_001.xml"
  expect_eq "TC_SEC_IN_ORDER_001 with nothing on the plain port" pass "$(verdict_of TC_SEC_IN_ORDER_001)"
  ! grep -q ' msg.rx .*secure=false' "$work/reports/latest/timelines/TC_SEC_IN_ORDER_001.txt" \
    && ok "no plain CoAP answer in the timeline" || fail "a plain CoAP answer from an IN-CSE with no plain port"
  # An IN-CSE that dies before it is ready (its port taken by another process between the
  # harness's pick and its bind): started again on new ports, on the timeline; one that
  # always dies is inconclusive with its status and last output, long before ready-timeout.
  sed "s|<start timeout=\"5s\">|<start timeout=\"5s\">[ -e $work/started ] \|\| { touch $work/started; echo 'port taken'; exit 1; }; |" \
    "$SRC/fixtures/profiles/ref-in-cse.xml" > "$work/once.xml"
  profile=$work/once.xml
  run "$SRC/testcases/field/TC_SEC_IN_SAE_PSK_001.xml"
  expect_eq "IUT that died once before ready: verdict" pass "$(verdict_of TC_SEC_IN_SAE_PSK_001)"
  expect_eq "iut.restart events" 1 "$(grep -c ' iut.restart .*exited with status 1' "$work/reports/latest/timelines/TC_SEC_IN_SAE_PSK_001.txt")"
  sed "s|<start timeout=\"5s\">|<start timeout=\"5s\">echo 'cannot start'; exit 3; |" \
    "$SRC/fixtures/profiles/ref-in-cse.xml" > "$work/dies.xml"
  profile=$work/dies.xml
  t0=$(date +%s)
  run "$SRC/testcases/field/TC_SEC_IN_SAE_PSK_001.xml"
  took=$(( $(date +%s) - t0 ))
  expect_eq "IUT that always dies: verdict" error "$(verdict_of TC_SEC_IN_SAE_PSK_001)"
  expect_contains "its reason" "$(message_of TC_SEC_IN_SAE_PSK_001)" "exited with status 3 before it became ready; its output says: cannot start"
  expect_eq "iut.restart events" 2 "$(grep -c ' iut.restart ' "$work/reports/latest/timelines/TC_SEC_IN_SAE_PSK_001.txt")"
  [ "$took" -lt 10 ] && ok "gave up in ${took}s, not after the 15 s ready-timeout" || fail "gave up after ${took}s"
  # A readiness probe that succeeds while the IUT dies (what another test's IN-CSE on a
  # clashing port would answer) is not taken for ready: started again, one iut.restart.
  sed -e "s|<start timeout=\"5s\">|<start timeout=\"5s\">[ -e $work/started2 ] \|\| { touch $work/started2; sleep 0.2; exit 2; }; |" \
      -e "s|<ready>|<ready>[ -e $work/probed ] \|\| { touch $work/probed; sleep 0.6; exit 0; }; |" \
    "$SRC/fixtures/profiles/ref-in-cse.xml" > "$work/clash.xml"
  profile=$work/clash.xml
  t0=$(date +%s)
  run "$SRC/testcases/field/TC_SEC_IN_SAE_PSK_001.xml"
  took=$(( $(date +%s) - t0 ))
  [ "$took" -lt 8 ] && ok "probe's end seen in ${took}s, not at the 15 s ready-timeout" || fail "took ${took}s"
  expect_eq "IUT that died while its probe succeeded: verdict" pass "$(verdict_of TC_SEC_IN_SAE_PSK_001)"
  expect_eq "iut.restart events" 1 "$(grep -c ' iut.restart .*exited with status 2' "$work/reports/latest/timelines/TC_SEC_IN_SAE_PSK_001.txt")"
  # A start command that launches the IUT and ends with status 0 (a power-on script) is not
  # the IUT ending: the test runs, and what it left in the background is stopped after it.
  sed -e "s|\(<start timeout=\"5s\">.*\)</start>|\1 \&amp; echo launched</start>|" \
    "$SRC/fixtures/profiles/ref-in-cse.xml" > "$work/launcher.xml"
  profile=$work/launcher.xml
  run "$SRC/testcases/field/TC_SEC_IN_REG_001.xml"
  expect_eq "IUT from a launcher start command: verdict" pass "$(verdict_of TC_SEC_IN_REG_001)"
  expect_eq "launcher's end, then ready" "exit ready" "$(grep -o -E ' iut\.(exit status="exited with status 0"|ready ready=true)' \
    "$work/reports/latest/timelines/TC_SEC_IN_REG_001.txt" | sed 's/ iut\.\([a-z]*\).*/\1/' | tr '\n' ' ' | sed 's/ $//')"
  if ! command -v pgrep >/dev/null; then fail "pgrep not installed (procps): cannot check that no IUT was left running"
  elif pgrep -f -- "--profile [^ ]*launcher.xml" >/dev/null; then fail "the launched IUT was left running"
  else ok "no IUT left running after the test"; fi
  # An in-cse profile leaves the field tests out of its plan: counted, not listed as skips.
  profile=$SRC/fixtures/profiles/sim-device-asn.xml
  run --allow-empty "$SRC/testcases/field/TC_SEC_IN_SAE_PSK_001.xml"
  expect_eq "field test under an in-cse profile: not in the plan" missing "$(verdict_of TC_SEC_IN_SAE_PSK_001)"
  expect_eq "counted as the other role (results.json)" 1 "$(tr -d ' \n' < "$work/reports/latest/results.json" | grep -o '"other_role":[0-9]*' | cut -d: -f2)"
  expect_contains "the summary says so" "$out" "1 test of the other role (field) not run"
  ;;
correct-cert)
  profile=$SRC/fixtures/profiles/ref-in-cse-cert.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases/field"
  expect_eq "exit status" 0 "$rc"
  expect_failing ""
  grep -q ' sae.done .*side=client.*suite=TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8.*ctype=x509' "$work/reports/latest/timelines/TC_SEC_IN_SAE_CERT_001.txt" \
    && ok "TC_SEC_IN_SAE_CERT_001: X.509 handshake with TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8" \
    || fail "TC_SEC_IN_SAE_CERT_001: no client-side X.509 sae.done with the ECDHE-ECDSA CCM_8 suite"
  ;;
xml)
  # The whole field suite with <coap serialization="xml"> (TS-0004 §8.4, TS-0008 §6.2.2.2):
  # every applicable test passes; the harness's content goes out as XML (10014), it asks for
  # XML back, and the IN-CSE's answers are XML: no JSON (10001) except the 5207 refusal of an
  # Accept the IN-CSE cannot serve (TC_SEC_IN_BIND_004 asks for CBOR on purpose).
  profile=$SRC/fixtures/profiles/ref-in-cse-xml.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases/field"
  expect_eq "exit status" 0 "$rc"
  expect_failing ""
  tl=$work/reports/latest/timelines/TC_SEC_IN_REG_001.txt
  grep -q 'msg.tx .*op=create .*ty=16 .*<m2m:csr xmlns:m2m=\\"http://www.onem2m.org/xml/protocols\\">.*cf=10014 accept=10014' "$tl" \
    && ok "the registration goes out as m2m:csr in XML (cf 10014, Accept 10014)" || fail "no XML registration with Accept 10014 in $tl"
  grep -q 'msg.rx .*rsc=2001 .*<m2m:csr .*cf=10014' "$tl" \
    && ok "the IN-CSE answers the registration in XML" || fail "the 2001 answer is not XML (cf 10014) in $tl"
  json=$(grep 'cf=10001' "$work"/reports/latest/timelines/*.txt | grep -v ' rsc=5207 ')
  [ -z "$json" ] && ok "no JSON content (cf 10001) in any timeline but the 5207 refusal" || fail "JSON content (cf 10001): $json"
  ;;
legacy)
  # The whole field suite with <coap options="legacy"> (oneM2M options 256..270): the
  # ref-in-cse reads the same numbering from the profile. Only the test of a request
  # without rvi skips (TC_SEC_IN_BIND_008: the legacy numbering has no rvi number); its
  # other half, the request without rqi (TC_SEC_IN_BIND_006), runs and passes.
  profile=$SRC/fixtures/profiles/ref-in-cse-legacy.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases/field"
  expect_eq "exit status" 0 "$rc"
  expect_failing ""
  expect_eq TC_SEC_IN_BIND_008 skipped "$(verdict_of TC_SEC_IN_BIND_008)"
  expect_eq TC_SEC_IN_BIND_006 pass "$(verdict_of TC_SEC_IN_BIND_006)"
  ;;
separate)
  # The whole field suite against an IN-CSE that answers every CON separately (RFC 7252
  # §5.2.2: an empty ACK, then the response in a CON of its own): every applicable test
  # passes, and the harness ACKs each separate response. The timeline shows it happened, so
  # a --separate-responses that did nothing would fail here.
  profile=$SRC/fixtures/profiles/ref-in-cse-separate.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases/field"
  expect_eq "exit status" 0 "$rc"
  expect_failing ""
  # The registration and the three messages after it: the IN-CSE's empty ACK of its Message
  # ID, the response in a CON with a new Message ID and its token, the harness's ACK of that.
  tl=$work/reports/latest/timelines/TC_SEC_IN_REG_001.txt
  brief() { awk '{ printf "%s", $3; for (i = 4; i <= NF; i++) if ($i ~ /^(type|code|mid|token|rqi|response)=/) printf " %s", $i; print "" }'; }
  req=$(grep -m1 ' msg\.tx .*type=CON code=0\.02 .*rqi=reg-1 ' "$tl" | brief)
  got=$(grep -m1 -A3 ' msg\.tx .*type=CON code=0\.02 .*rqi=reg-1 ' "$tl" | tail -n +2 | brief)
  mid=$(echo "$req" | grep -o 'mid=[0-9]*'); tok=$(echo "$req" | grep -o 'token=[0-9a-f]*')
  rsp_mid=$(echo "$got" | sed -n 2p | grep -o 'mid=[0-9]*')
  expect_eq "after the registration ($req)" "msg.rx type=ACK code=0.00 $mid
msg.rx type=CON code=2.01 $rsp_mid $tok rqi=reg-1 response=separate
msg.tx type=ACK code=0.00 $rsp_mid" "$got"
  [ -n "$rsp_mid" ] && [ "$rsp_mid" != "$mid" ] && ok "the separate response has a Message ID of its own ($rsp_mid)" \
    || fail "the separate response's Message ID '$rsp_mid' is not new (request $mid)"
  # ... and so did every other answer from the IN-CSE (the harness's own answers, in SA2, stay piggybacked)
  piggy=$(grep -l ' msg\.rx .*response=piggybacked' "$work"/reports/latest/timelines/*.txt | xargs -n1 basename 2>/dev/null | tr '\n' ' ')
  expect_eq "timelines with a piggybacked response from the IN-CSE" "" "$piggy"
  ;;
json50)
  # An IN-CSE that takes content only as application/json (ref-in-cse --content-formats=50,
  # as Mobius on the legacy numbering) and drops any other Content-Format without an answer.
  # With <coap content-format="json"> the whole field suite passes exactly where it passes
  # against ref-in-cse.xml, the harness's content goes out as 50 and comes back as 50.
  # both profiles in one run, one job pool
  run_profiles "ref-in-cse ref-in-cse-json50" ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases/field"
  expect_eq "exit status" 0 "$rc"
  passes() { names_of '//testcase[not(failure or error or skipped)]/@name' | xargs -n1 | sort | xargs; }
  # but TC_SEC_IN_BIND_014, whose content is XML (10014): it requires SER_XML, not claimed here
  report_sub=ref-in-cse; load_verdicts
  want=$(passes | xargs -n1 | grep -vx TC_SEC_IN_BIND_014 | xargs)
  report_sub=ref-in-cse-json50; profile=$SRC/fixtures/profiles/ref-in-cse-json50.xml; load_verdicts
  expect_failing ""
  expect_eq "the tests that pass against ref-in-cse.xml" "$want" "$(passes)"
  tl=$(report)/timelines/TC_SEC_IN_REG_001.txt
  grep -q ' msg\.tx .*op=create .*ty=16 .*m2m:csr.*cf=50' "$tl" && ok "the registration goes out with Content-Format 50" \
    || fail "no registration sent with cf=50 in $tl"
  grep -q ' msg\.rx .*rsc=2001 .*m2m:csr.*cf=50' "$tl" && ok "the IN-CSE answers it in 50" || fail "the 2001 answer is not cf=50 in $tl"
  sent=$(grep -h ' msg\.tx .*cf=' "$(report)"/timelines/*.txt | grep -v ' cf=50')
  [ -z "$sent" ] && ok "every content the harness sent was 50" || fail "content sent in another format: $sent"
  expect_eq "results.json: content_format" 50 \
    "$(node -e 'console.log(require(process.argv[1]).profile_applied.content_format)' "$(report)/results.json")"
  grep -l 'problems=.*Content-Format' "$(report)"/timelines/*.txt >/dev/null \
    && fail "a Content-Format the profile accepts reported as a problem" || ok "no Content-Format problem reported"
  report_sub=
  # ... and a profile that does not accept 50 reports the IN-CSE's answers as problems.
  sed 's|content-format="json"|content-format="json" accept-formats="onem2m-json"|' \
    "$SRC/fixtures/profiles/ref-in-cse-json50.xml" > "$work/json50-strict.xml"
  profile=$work/json50-strict.xml
  run "$SRC/testcases/field/TC_SEC_IN_REG_001.xml"
  grep -q ' msg\.rx .*rsc=2001 .*problems="Content-Format 50 is not one the profile accepts (10001)' \
    "$work/reports/latest/timelines/TC_SEC_IN_REG_001.txt" && ok "50 outside accept-formats is reported on its msg.rx" \
    || fail "no problem reported for an answer in 50 under accept-formats=\"onem2m-json\""
  # The default profile (10001) meets silence from it: the registration test cannot pass.
  profile=$SRC/fixtures/profiles/ref-in-cse.xml
  REF_IN_CSE_ARGS=--content-formats=50 run "$SRC/testcases/field/TC_SEC_IN_REG_006.xml"
  v=$(verdict_of TC_SEC_IN_REG_006)
  [ "$v" != pass ] && ok "TC_SEC_IN_REG_006 in 10001 against --content-formats=50: $v, not pass" \
    || fail "TC_SEC_IN_REG_006 passed although the IN-CSE dropped every request in 10001"
  grep -q ' msg\.tx .*rqi=nocred-1.*cf=10001' "$work/reports/latest/timelines/TC_SEC_IN_REG_006.txt" \
    && ! grep -q ' msg\.rx .*rqi=nocred-1' "$work/reports/latest/timelines/TC_SEC_IN_REG_006.txt" \
    && ok "its CREATE went out in 10001 and nothing came back" || fail "expected a 10001 CREATE and no answer to it"
  # Silence is evidence of nothing by itself: the test says it cannot tell a refusal from a
  # format the IN-CSE does not take, and the plain-Mcc test does not take the silence for a
  # refusal (the registration in the same format inside the association met silence too).
  expect_eq "TC_SEC_IN_REG_006 in 10001 against --content-formats=50" error "$v"
  expect_contains "its reason" "$(message_of TC_SEC_IN_REG_006)" "it answered no request with Content-Format 10001 in this test: cannot tell a refusal from a format it does not take"
  REF_IN_CSE_ARGS=--content-formats=50 run "$SRC/testcases/field/TC_SEC_IN_ORDER_001.xml"
  expect_eq "TC_SEC_IN_ORDER_001 in 10001 against --content-formats=50" error "$(verdict_of TC_SEC_IN_ORDER_001)"
  expect_contains "its reason" "$(message_of TC_SEC_IN_ORDER_001)" "cannot tell a refusal from a format it does not take"
  # Speaking 50 to an IN-CSE that serves plain-CoAP Mcc primitives: the fault is seen.
  profile=$SRC/fixtures/profiles/ref-in-cse-json50.xml
  REF_IN_CSE_ARGS=--fault=plain-coap run "$SRC/testcases/field/TC_SEC_IN_REG_006.xml"
  expect_eq "TC_SEC_IN_REG_006 in 50 against plain-coap" failure "$(verdict_of TC_SEC_IN_REG_006)"
  expect_contains "its reason" "$(message_of TC_SEC_IN_REG_006)" "a remoteCSE CREATE without a credential was not refused with 4107"
  ;;
correct-ae)
  # R-SAE-02, R-RCV-01, R-REG-06 (role C): the harness registers as a field AE on Mca. The
  # tests that need it to be a field CSE skip (CFG_REGISTREE_CSE), the AE tests pass.
  profile=$SRC/fixtures/profiles/ref-in-cse-ae.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases/field"
  expect_eq "exit status" 0 "$rc"
  expect_failing ""
  for id in TC_SEC_IN_SAE_AE_001 TC_SEC_IN_RCV_001 TC_SEC_IN_RCV_004 TC_SEC_IN_RCV_006 TC_SEC_IN_REG_007; do
    expect_eq "$id under the AE profile" pass "$(verdict_of "$id")"
  done
  expect_eq "TC_SEC_IN_REG_001 under the AE profile" skipped "$(verdict_of TC_SEC_IN_REG_001)"
  expect_contains "its skip reason" "$(message_of TC_SEC_IN_REG_001)" "CFG_REGISTREE_CSE"
  tl=$work/reports/latest/timelines/TC_SEC_IN_SAE_AE_001.txt
  grep -q ' msg.rx .*secure=false.*rsc=4107' "$tl" && ok "the plain AE CREATE was refused with 4107" \
    || fail "no plain msg.rx with rsc=4107 in $tl"
  grep -q ' sae.done .*side=client.*identity=field-ae-1@in.m2m-harness.test' "$tl" \
    && ok "the AE's association uses its own PSK identity" || fail "no client sae.done with field-ae-1@in.m2m-harness.test in $tl"
  grep -q ' msg.rx .*rsc=4126 rqi=ae-denied' "$work/reports/latest/timelines/TC_SEC_IN_REG_007.txt" \
    && ok "Release 3: the App-ID outside the subscription gets 4126" || fail "no rsc=4126 for rqi=ae-denied"
  # The same IN-CSE under Release 2 answers 4107 (the profile's release decides the expected code).
  sed 's/release="3"/release="2"/' "$SRC/fixtures/profiles/ref-in-cse-ae.xml" > "$work/ref-in-cse-ae-r2.xml"
  profile=$work/ref-in-cse-ae-r2.xml
  run "$SRC/testcases/field/TC_SEC_IN_REG_007.xml"
  expect_eq "TC_SEC_IN_REG_007 under Release 2" pass "$(verdict_of TC_SEC_IN_REG_007)"
  grep -q ' msg.rx .*rsc=4107 rqi=ae-denied' "$work/reports/latest/timelines/TC_SEC_IN_REG_007.txt" \
    && ok "Release 2: the App-ID outside the subscription gets 4107" || fail "no rsc=4107 for rqi=ae-denied under Release 2"
  ;;
correct-enrol)
  # R-ENR-07: the harness enrols with its own MEF, the IN-CSE fetches the credential.
  profile=$SRC/fixtures/profiles/ref-in-cse-enrol.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases/field"
  expect_eq "exit status" 0 "$rc"
  expect_eq TC_SEC_IN_ENR_001 pass "$(verdict_of TC_SEC_IN_ENR_001)"
  tl=$work/reports/latest/timelines/TC_SEC_IN_ENR_001.txt
  keid=$(grep ' prov.done ' "$tl" | grep -o 'keid=[0-9a-f]*@[a-z0-9.-]*' | head -1)
  grep -q " prov.fetch .*target=/in-cse ${keid} suid=22 status=true" "$tl" && ok "fetchCredentials for ${keid#keid=}, SUID 22" \
    || fail "no prov.fetch target=/in-cse ${keid} suid=22 status=true"
  grep -q " sae.done .*side=client.*identity=${keid#keid=}" "$tl" && ok "SAE with that KeID" || fail "no client sae.done with ${keid#keid=}"
  grep -q "m2m-harness-test-target-psk-1" -r "$work/reports/latest/" && fail "the target's PSK appears in the report" || ok "target PSK redacted"
  ;;
correct-mef)
  # Role C of R-ENR-01..05/08: the IN-CSE has its own MEF (<mef at="iut">); the harness enrols with it.
  profile=$SRC/fixtures/profiles/ref-in-cse-mef.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases/field"
  expect_eq "exit status" 0 "$rc"
  expect_failing ""
  tl=$work/reports/latest/timelines/TC_SEC_IN_ENR_002.txt
  keid=$(grep ' prov.done .*side=client' "$tl" | grep -o 'keid=[0-9a-f]\{32\}@mef.m2m-harness.test' | head -1)
  [ -n "$keid" ] && ok "KeID ${keid#keid=}: 32 hex digits @ MEF-FQDN" || fail "no prov.done side=client with a KeID in $tl"
  grep -q " sae.done .*side=client.*identity=${keid#keid=}" "$tl" && ok "SAE with that KeID" || fail "no client sae.done with ${keid#keid=}"
  grep -q "m2m-harness-test-kpm-1" -r "$work/reports/latest/" && fail "Kpm appears in the report" || ok "Kpm redacted"
  ;;
correct-mef-cert)
  # R-ENR-06 role C: the bootstrap handshake with the IUT's MEF uses certificates (§8.3.2.2).
  profile=$SRC/fixtures/profiles/ref-in-cse-mef-cert.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases/field"
  expect_eq "exit status" 0 "$rc"
  expect_failing ""
  expect_eq TC_SEC_IN_ENR_009 pass "$(verdict_of TC_SEC_IN_ENR_009)"
  tl=$work/reports/latest/timelines/TC_SEC_IN_ENR_009.txt
  keid=$(grep ' prov.done .*side=client.*rspf=cert' "$tl" | grep -o 'keid=[0-9a-f]\{32\}@mef.m2m-harness.test' | head -1)
  [ -n "$keid" ] && ok "certificate enrolment: KeID ${keid#keid=}" || fail "no prov.done side=client rspf=cert with a KeID in $tl"
  grep -q ' prov.done .*side=client.*mef_cert=dns:mef.m2m-harness.test' "$tl" && ok "the MEF's certificate names the MEF-FQDN in SAN" \
    || fail "no prov.done with mef_cert=dns:mef.m2m-harness.test"
  grep -q " sae.done .*side=client.*identity=${keid#keid=}.*bound_id=/asn-cse-1" "$tl" && ok "SAE with that KeID" || fail "no client sae.done with ${keid#keid=}"
  ;;
fault-*)
  fault=${case_name#fault-}
  row=$(awk -F'\t' -v f="$fault" '$1 == f {print $3}' "$tsv")
  inc=$(awk -F'\t' -v f="$fault" '$1 == f {print $5}' "$tsv")
  profs=$(awk -F'\t' -v f="$fault" '$1 == f {print $2}' "$tsv")
  [ -n "$row" ] || { echo "no row for fault $fault in $tsv"; exit 1; }
  [ "$(echo $profs | wc -w)" -gt 1 ] && several_profiles=1
  export REF_IN_CSE_ARGS=--fault=$fault
  failed=""
  for prof in $profs; do
    profile=$SRC/fixtures/profiles/$prof.xml
    run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases/field"
    expect_eq "exit status under $prof" 1 "$rc"
    expect_failing "$row" "$inc"
    for id in $row; do [ "$(verdict_of "$id")" = failure ] && failed="$failed $id"; done
  done
  for id in $row; do
    case " $failed " in *" $id "*) ;; *) fail "$id is listed for $fault but failed under none of: $profs";; esac
  done
  ;;
iut-fate)
  # died FAULT TEST VERDICT REQUEST OP: the test against an IN-CSE that dies on a request
  # (ref-in-cse --fault=FAULT) has VERDICT and says what it died on, with its exit status and
  # its error line (not the trailer line after it), never "unreachable".
  died() {
    REF_IN_CSE_ARGS=--fault=$1 run "$SRC/testcases/field/$2.xml"
    expect_eq "$2 against an IN-CSE that dies ($1)" "$3" "$(verdict_of "$2")"
    local m; m=$(message_of "$2")
    expect_contains "the exit status" "$m" "the IUT's process exited with status 70"
    expect_contains "the request it died on" "$m" "ms after the harness's request $4"
    expect_contains "its error line" "$m" "its error lines: ref-in-cse: fatal error: $5"
    case $m in *"ref-in-cse 0.1"*) fail "the trailer line after the error is quoted: $m";; *) ok "the trailer line is not quoted";; esac
    case $m in *unreachable*) fail "called unreachable: $m";; *) ok "not called unreachable";; esac
  }
  # a request without rqi: the robustness test fails
  died exit-on-missing-rqi TC_SEC_IN_BIND_006 failure \
    "RETRIEVE to /in-cse/in-name rqi=(none), over the security association" retrieve
  # the first request: a registration test is inconc (not its requirement)
  died exit-on-first-request TC_SEC_IN_REG_003 error "CREATE ty=16 to /in-cse/in-name rqi=reg-1" create
  ;;
*)
  echo "unknown case $case_name"; exit 2;;
esac
finish
