#!/usr/bin/env bash
# Robustness end-to-end checks. Usage: robustness.sh CASE
#   hostile    the harness (role in-cse) against each sim-device --hostile switch: it records
#              what arrived as evidence, answers as RFC 7252 says, gives the right verdict,
#              does not crash and writes a complete report
#   key-files  credential files from people: unreadable/missing/empty → exit 2 naming the
#              file before any test; a world-readable private key → a warning naming it
#   secrets    after full runs, with and without --pcap, no file of the report and no console
#              line holds the PSK or the private key; captures only with --pcap, said so
# Needs HARNESS, SIM_DEVICE, SRC in the environment (meson test sets them).
set -uo pipefail
case_name=$1
: "${HARNESS:?}" "${SIM_DEVICE:?}" "${SRC:?}"
export SIM_DEVICE
unset SIM_DEVICE_ARGS M2M_HARNESS_SELFTEST_CRASH M2M_HARNESS_SELFTEST_FLAKY SSLKEYLOGFILE GNUTLS_KEYLOGFILE
. "$(dirname "$0")/lib.sh"

tc=TC_SEC_ORDER_001   # short, and its order rules see plain traffic before the association
tl() { echo "$work/reports/latest/timelines/$tc.txt"; }
has_event() { # what regex: at least one timeline line matches
  if grep -Eq -- "$2" "$(tl)"; then ok "$1"; else fail "$1: no timeline line matches /$2/ in $(tl)"; fi
}
count_events() { grep -Ec -- "$1" "$(tl)"; }
report_complete() { # junit valid with counts, results.json parses, report.html and timeline there
  check_counts
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/reports/latest/results.json" 2>/dev/null \
    && ok "results.json parses" || fail "results.json missing or not JSON"
  [ -s "$work/reports/latest/report.html" ] && ok "report.html written" || fail "report.html missing"
  [ -s "$(tl)" ] && ok "timeline written" || fail "timeline $(tl) missing"
}
hostile() { # switch expected-exit expected-verdict
  echo "--- hostile $1"
  export SIM_DEVICE_ARGS=--hostile=$1
  run "$SRC/testcases/ordering/$tc.xml"
  unset SIM_DEVICE_ARGS
  expect_eq "$1: exit status" "$2" "$rc"
  expect_eq "$1: verdict of $tc" "$3" "$(verdict_of $tc)"
  grep -q "hostile $1: sent" "$work/reports/latest/logs/$tc.iut.log" 2>/dev/null \
    && ok "$1: the device sent its input" || fail "$1: the device log does not say it sent its input"
  report_complete
}

case $case_name in
hostile)
  # malformed CoAP in the association: each format error recorded with bytes and reason,
  # each CON rejected with RST (RFC 7252 §4.2), then the device registers normally
  hostile coap-malformed 0 pass
  for r in 'extended option delta of option at offset 4 runs past the end' 'option delta nibble 15' \
           'option length nibble 15 at offset 4 is reserved' 'option value of 10 bytes at offset 5 runs past the end' \
           'token of 8 bytes at offset 4 runs past the end' 'token length 9 at offset 0 is reserved'; do
    has_event "coap-malformed: malformed event '$r'" "msg\.rx\.malformed .*secure=true fatal=true reason=\"@[0-9]+: $r.*bytes=4[089]017a0"
  done
  expect_eq "coap-malformed: RSTs for the 6 CONs" 6 "$(count_events 'msg\.tx .*type=RST .*mid=3123[2-7]')"
  # the same outside any association, on the plain port
  hostile coap-plain-malformed 0 pass
  expect_eq "coap-plain-malformed: malformed events" 6 "$(count_events 'msg\.rx\.malformed .*secure=false fatal=true reason=.*bytes=')"
  # a bad elective option is recorded, then ignored: the request is answered (RFC 7252 §5.4.1)
  hostile coap-bad-elective 0 pass
  has_event "coap-bad-elective: malformed (non-fatal) with reason" 'msg\.rx\.malformed .*fatal=false reason="@21: option Content-Format \(12\) at offset 21 has length 3 outside 0..2" bytes='
  has_event "coap-bad-elective: request still answered 2.05" 'msg\.tx .*type=ACK code=2\.05 mid=31488 rsc=2000'
  # an unknown critical option in a CON: 4.02 Bad Option (RFC 7252 §5.4.1), not an answer
  hostile coap-unknown-critical 0 pass
  has_event "coap-unknown-critical: recorded" 'msg\.rx .*mid=31489 .*problems="unknown critical option 65001'
  has_event "coap-unknown-critical: answered 4.02" 'msg\.tx .*type=ACK code=4\.02 mid=31489'
  # a plain 9000-byte request before the association: recorded whole (not cut to a buffer),
  # refused with 4107, and the order rule "nothing plain on Mcc" fails the test
  hostile oversized 1 failure
  n=$(grep -o 'mid=31744 .*pc=A*' "$(tl)" | head -1 | sed 's/.*pc=//' | tr -d '\n' | wc -c)
  expect_eq "oversized: payload length in the evidence" 9000 "$n"
  has_event "oversized: refused with 4107" 'msg\.tx .*mid=31744 rsc=4107'
  expect_contains "oversized: failure names the rule" "$(message_of $tc)" "never msg.rx[secure=false]"
  # a CON three times with one message id: each copy answered with the same response
  hostile duplicates 0 pass
  expect_eq "duplicates: copies received" 3 "$(count_events 'msg\.rx .*type=CON code=0\.01 mid=32000 ')"
  expect_eq "duplicates: same answer to each" 3 "$(count_events 'msg\.tx .*type=ACK code=2\.05 mid=32000 rsc=2000 rqi=hostile-7d00')"
  # a request without rqi: refused 4000 BAD_REQUEST (TS-0004 §7.3.2.1)
  hostile missing-rqi 0 pass
  has_event "missing-rqi: recorded" 'msg\.rx .*mid=32256 .*problems="request without rqi'
  has_event "missing-rqi: refused 4000" 'msg\.tx .*mid=32256 rsc=4000'
  # a request without rvi is a Release-1 request: a Release-3 registrar answers 4001
  # RELEASE_VERSION_NOT_SUPPORTED, not 4000 (TS-0004 §7.3.2.1)
  hostile missing-rvi 0 pass
  has_event "missing-rvi: recorded" 'msg\.rx .*mid=32256 .*problems="request without rvi'
  has_event "missing-rvi: refused 4001" 'msg\.tx .*mid=32256 rsc=4001'
  # DTLS garbage and out-of-order handshake records from a peer without an association
  hostile dtls-garbage 0 pass
  expect_eq "dtls-garbage: each datagram recorded" 4 "$(count_events 'net\.rx\.ignored .*port=coaps reason="not a DTLS ClientHello')"
  hostile dtls-out-of-order 0 pass
  expect_eq "dtls-out-of-order: each record recorded" 3 "$(count_events 'net\.rx\.ignored .*port=coaps reason="not a DTLS ClientHello')"
  # a ClientHello with no suite in common: the handshake fails with the reason, the device's
  # own association from another port still works
  hostile no-shared-suite 0 pass
  has_event "no-shared-suite: sae.fail with the reason" 'sae\.fail .*reason="No supported cipher suites'
  expect_eq "no-shared-suite: one association up" 1 "$(count_events ' sae\.done ')"
  # a flood of ClientHellos: each answered statelessly (cookie), none kept, the device served
  hostile hello-flood 0 pass
  n=$(count_events 'sae\.start .*cookie=requested')
  [ "$n" -ge 200 ] && ok "hello-flood: $n ClientHellos recorded" || fail "hello-flood: expected >= 200 sae.start cookie=requested, got $n"
  expect_eq "hello-flood: one association up" 1 "$(count_events ' sae\.done ')"
  ;;
key-files)
  # A copy of the X.509 profile and its credentials, private keys 0600 as they should be.
  mkdir -p "$work/prof" "$work/certs"
  cp "$SRC"/fixtures/certs/* "$work/certs/"
  chmod 600 "$work"/certs/*.key
  cp "$SRC/fixtures/profiles/sim-device-asn-cert.xml" "$work/prof/cert.xml"
  profile=$work/prof/cert.xml
  t=$SRC/testcases/sae/TC_SEC_SAE_CERT_001.xml
  run "$t"
  expect_eq "exit status (keys 0600)" 0 "$rc"
  case $out in *world-readable*) fail "a warning with every key 0600: $out";; *) ok "no warning with keys 0600";; esac
  chmod 644 "$work/certs/in-cse.key"
  run "$t"
  expect_eq "exit status (world-readable key: a warning only)" 0 "$rc"
  expect_contains "warning" "$out" "warning: private key file $work/certs/in-cse.key is world-readable (mode 0644)"
  expect_eq "warnings (only that file)" 1 "$(echo "$out" | grep -c 'world-readable')"
  # unreadable, empty, missing: exit 2 naming the file, no report (root reads any file, so a
  # folder stands for "unreadable": access(2) says yes to it)
  for how in folder empty missing; do
    rm -rf "$work/reports" "$work/certs/in-cse.key"
    case $how in folder) mkdir "$work/certs/in-cse.key";; empty) : > "$work/certs/in-cse.key";; esac
    run "$t"
    expect_eq "exit status ($how key file)" 2 "$rc"
    expect_contains "message ($how)" "$out" "certs/in-cse.key"
    expect_contains "message ($how)" "$out" "nothing was run"
    [ -e "$work/reports/latest" ] && fail "a report was written with a $how key file" || ok "no report with a $how key file"
  done
  rm -rf "$work/certs/in-cse.key"
  ;;
secrets)
  # The secrets of both credential kinds: the PSK (as text, hex and base64) and the private
  # key (each base64 line of its PEM body, and the DER in hex).
  psk=$(sed -n 's/.*<psk [^>]*key="\([^"]*\)".*/\1/p' "$profile" | head -1)
  [ -n "$psk" ] || { fail "test setup: no PSK in $profile"; finish; }
  key=$SRC/fixtures/certs/in-cse.key
  hex() { od -An -v -tx1 | tr -d ' \n'; }   # coreutils: the same lower-case hex as xxd -p
  needles=("$psk" "$(printf %s "$psk" | hex)" "$(printf %s "$psk" | base64)")
  while read -r l; do [ ${#l} -ge 16 ] && needles+=("$l"); done < <(sed -n '/BEGIN/,/END/p' "$key" | grep -v -- -----)
  needles+=("$(sed -n '/BEGIN/,/END/p' "$key" | grep -v -- ----- | base64 -d | hex | cut -c20-84)")
  [ ${#needles[@]} -ge 6 ] || { fail "test setup: too few needles from $key"; finish; }
  # A needle that came out empty or short (a tool missing, a file changed) would match
  # everything or nothing by chance: the test refuses to run on it.
  for i in "${!needles[@]}"; do
    [ ${#needles[$i]} -ge 8 ] || { fail "test setup: needle $i is '${needles[$i]}' (fewer than 8 characters): the check would prove nothing"; finish; }
  done
  expect_eq "needle: the PSK in hex" "$(printf %s "$psk" | wc -c)" "$(( ${#needles[1]} / 2 ))"
  expect_eq "needle: the key's DER in hex" 65 "${#needles[${#needles[@]}-1]}"
  no_secrets() { # what: neither the console nor any file of the report holds a needle
    local hits=""
    for nd in "${needles[@]}"; do
      printf '%s' "$out" | grep -qaiF -- "$nd" && hits="$hits console:$nd"
      f=$(grep -rlaiF -- "$nd" "$work/reports/latest/" 2>/dev/null | head -1)
      [ -n "$f" ] && hits="$hits $f:$nd"
    done
    [ -z "$hits" ] && ok "$1: no secret in $(find "$work/reports/latest/" -type f | wc -l) report files or the console" \
      || fail "$1: secret material found:$hits"
  }
  # Full run, PSK, a fault so that failing tests write their bundles too; a key-log variable
  # in the environment must not make anything write secrets (only --pcap does).
  export SSLKEYLOGFILE=$work/sslkeys GNUTLS_KEYLOGFILE=$work/gnutlskeys SIM_DEVICE_ARGS=--fault=wrong-fr
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  unset SSLKEYLOGFILE GNUTLS_KEYLOGFILE SIM_DEVICE_ARGS
  expect_eq "exit status (fault: some tests fail)" 1 "$rc"
  [ -d "$work/reports/latest/bundles" ] && ok "bundles written" || fail "test setup: no bundles written"
  no_secrets "PSK, no capture"
  [ -e "$work/reports/latest/captures" ] && fail "captures written without --pcap" || ok "no captures without --pcap"
  [ -e "$work/sslkeys" ] || [ -e "$work/gnutlskeys" ] && fail "a key log was written without being asked" || ok "no key log from the environment"
  grep -rlaE 'CLIENT_RANDOM|_TRAFFIC_SECRET' "$work/reports/latest/" >/dev/null && fail "key log lines in the report without --pcap" \
    || ok "no key log lines in the report without --pcap"
  # Full run with captures: the secrets of the sessions are embedded and the console says so,
  # but the long-term PSK is not.
  run ${E2E_JOBS:+-j "$E2E_JOBS"} --pcap "$SRC/testcases"
  expect_eq "exit status (--pcap)" 0 "$rc"
  grep -rlaE 'CLIENT_RANDOM' "$work/reports/latest/captures/" >/dev/null && ok "captures embed the session keys" \
    || fail "no session keys in captures/ with --pcap"
  expect_contains "console says captures hold secrets" "$out" "treat them as secrets"
  no_secrets "PSK, --pcap"
  # A real device's start command handed its key (${PSK_KEY}, ${PSK_KEY_HEX}) that echoes it:
  # its output, the reasons quoting it and the bundles hold it redacted, also when the start
  # fails with the key in its error line.
  sed 's|<start timeout="5s">|<start timeout="5s">echo "device key ${PSK_KEY} hex ${PSK_KEY_HEX}" >\&amp;2; |' \
    "$SRC/fixtures/profiles/sim-device-asn.xml" > "$work/withkey.xml"
  grep -q 'PSK_KEY_HEX' "$work/withkey.xml" || fail "test setup: no \${PSK_KEY} in the start command"
  profile=$work/withkey.xml
  SIM_DEVICE_ARGS=--fault=wrong-fr run -f "TC_SEC_SAE_PSK_00[12]" "$SRC/testcases"
  expect_eq "exit status (key in the start command, a fault)" 1 "$rc"
  grep -qF 'device key <redacted> hex <redacted>' "$work"/reports/latest/logs/TC_SEC_SAE_PSK_001.iut.log \
    && ok "the IUT's output holds the key it was given, redacted" || fail "the IUT's log lacks 'device key <redacted> hex <redacted>'"
  no_secrets "PSK in the start command"
  sed 's|<start timeout="5s">|<start timeout="5s">echo "error: cannot use key ${PSK_KEY}" >\&amp;2; exit 3; |' \
    "$SRC/fixtures/profiles/sim-device-asn.xml" > "$work/failkey.xml"
  profile=$work/failkey.xml
  run -f TC_SEC_SAE_PSK_001 "$SRC/testcases"
  expect_contains "a start that fails shows its error line" "$(message_of TC_SEC_SAE_PSK_001)" "error: cannot use key <redacted>"
  no_secrets "PSK in a failing start command"
  # Full run with X.509 credentials, with captures.
  profile=$SRC/fixtures/profiles/sim-device-asn-cert.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} --pcap "$SRC/testcases"
  expect_eq "exit status (X.509, --pcap)" 0 "$rc"
  no_secrets "X.509, --pcap"
  ;;
*)
  echo "unknown case $case_name"; exit 2;;
esac

finish
