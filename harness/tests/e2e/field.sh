#!/usr/bin/env bash
# End-to-end checks of the harness in role field (it is the field node, the IUT an IN-CSE)
# against tools/ref-in-cse over real DTLS on 127.0.0.1. Usage: field.sh CASE
#   correct       every field test passes against the correct reference IN-CSE (PSK)
#   correct-cert  the same with X.509 credentials (fixtures/profiles/ref-in-cse-cert.xml)
#   fault-<name>  one row of tools/ref-in-cse/faults.tsv: exactly the listed tests fail
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
    case " $1 " in
      *" $id "*) [ "$v" = failure ] && ok "$id fails under $case_name" || fail "$id: expected failure under $case_name, got $v ($(message_of "$id"))";;
      *) if [ "$v" = skipped ]; then skip_justified "$id"
         else [ "$v" = pass ] && ok "$id passes" || fail "$id: expected pass under $case_name, got $v ($(message_of "$id"))"; fi;;
    esac
  done
  check_counts
}

case $case_name in
correct)
  run -j "$E2E_JOBS" "$SRC/testcases/field"
  expect_eq "exit status" 0 "$rc"
  expect_failing ""
  # The harness was the DTLS client (R-SAE-04): its handshakes are side=client, none server.
  tl=$work/reports/latest/timelines/TC_SEC_IN_SAE_PSK_001.txt
  grep -q ' sae.done .*side=client.*suite=TLS_PSK_WITH_AES_128_CCM_8' "$tl" \
    && ok "TC_SEC_IN_SAE_PSK_001: client-side handshake with TLS_PSK_WITH_AES_128_CCM_8" \
    || fail "TC_SEC_IN_SAE_PSK_001: no sae.done side=client with the CCM_8 suite in $tl"
  ! grep -q 'side=server' "$work"/reports/latest/timelines/*.txt \
    && ok "no server-side handshake in the field role" || fail "a server-side handshake in the field role"
  # An IN-CSE with no plain CoAP port at all passes the plain-Mcc test too (silence), and
  # nothing it did not send is taken for an answer.
  REF_IN_CSE_ARGS=--coap-port=0 run "$SRC/testcases/field/TC_SEC_IN_ORDER_001.xml"
  expect_eq "TC_SEC_IN_ORDER_001 with nothing on the plain port" pass "$(verdict_of TC_SEC_IN_ORDER_001)"
  ! grep -q ' msg.rx .*secure=false' "$work/reports/latest/timelines/TC_SEC_IN_ORDER_001.txt" \
    && ok "no plain CoAP answer in the timeline" || fail "a plain CoAP answer from an IN-CSE with no plain port"
  # The in-cse profile skips the field tests with the reason (they are not its role).
  profile=$SRC/fixtures/profiles/sim-device-asn.xml
  run --allow-empty "$SRC/testcases/field/TC_SEC_IN_SAE_PSK_001.xml"
  expect_eq "field test under an in-cse profile" skipped "$(verdict_of TC_SEC_IN_SAE_PSK_001)"
  expect_contains "skip reason" "$(message_of TC_SEC_IN_SAE_PSK_001)" "field"
  ;;
correct-cert)
  profile=$SRC/fixtures/profiles/ref-in-cse-cert.xml
  run -j "$E2E_JOBS" "$SRC/testcases/field"
  expect_eq "exit status" 0 "$rc"
  expect_failing ""
  grep -q ' sae.done .*side=client.*suite=TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8.*ctype=x509' "$work/reports/latest/timelines/TC_SEC_IN_SAE_CERT_001.txt" \
    && ok "TC_SEC_IN_SAE_CERT_001: X.509 handshake with TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8" \
    || fail "TC_SEC_IN_SAE_CERT_001: no client-side X.509 sae.done with the ECDHE-ECDSA CCM_8 suite"
  ;;
fault-*)
  fault=${case_name#fault-}
  row=$(awk -F'\t' -v f="$fault" '$1 == f {print $3}' "$tsv")
  prof=$(awk -F'\t' -v f="$fault" '$1 == f {print $2}' "$tsv")
  [ -n "$row" ] || { echo "no row for fault $fault in $tsv"; exit 1; }
  profile=$SRC/fixtures/profiles/$prof.xml
  export REF_IN_CSE_ARGS=--fault=$fault
  run -j "$E2E_JOBS" "$SRC/testcases/field"
  expect_eq "exit status" 1 "$rc"
  expect_failing "$row"
  ;;
*)
  echo "unknown case $case_name"; exit 2;;
esac
finish
