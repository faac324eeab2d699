#!/usr/bin/env bash
# Robustness of the harness in role field: it is the DTLS client and registree,
# the IUT a hostile IN-CSE (tools/ref-in-cse --hostile=NAME, tools/ref-in-cse/hostile_in.c).
# For each switch the relevant field tests run and this checks: the harness never dies of a
# signal (exit 0 or 1), writes a complete, schema-valid report, gives each test the right
# verdict (a response RFC 7252 says to reject fails the test that got it, with the reason;
# one it says to ignore does not) and records the evidence (msg.rx.malformed with bytes and
# reason, rejected=, net.rx.ignored, sae.fail). Usage: hostile_field.sh hostile-field
# Needs HARNESS, REF_IN_CSE, SRC in the environment (meson test sets them).
set -uo pipefail
case_name=$1
: "${HARNESS:?}" "${REF_IN_CSE:?}" "${SRC:?}"
export REF_IN_CSE
unset REF_IN_CSE_ARGS
. "$(dirname "$0")/lib.sh"
profile=$SRC/fixtures/profiles/ref-in-cse.xml
[ "$case_name" = hostile-field ] || { echo "unknown case $case_name"; exit 2; }

# The tests each switch runs (shell patterns for -f).
declare -A tests=(
  [coap-malformed]="TC_SEC_IN_SAE_PSK_001 TC_SEC_IN_REG_001" [coap-truncated]=TC_SEC_IN_SAE_PSK_001
  [coap-bad-elective]=TC_SEC_IN_SAE_PSK_001 [coap-unknown-critical]=TC_SEC_IN_SAE_PSK_001
  [missing-rsc]="TC_SEC_IN_SAE_PSK_001 TC_SEC_IN_BIND_002" [missing-rqi]=TC_SEC_IN_SAE_PSK_001
  [token-mismatch]=TC_SEC_IN_SAE_PSK_001 [duplicates]=TC_SEC_IN_REG_001 [oversized]=TC_SEC_IN_ORDER_001
  [dtls-garbage]=TC_SEC_IN_SAE_PSK_001 [bad-server-hello]=TC_SEC_IN_SAE_PSK_001 [hvr-loop]=TC_SEC_IN_SAE_PSK_001
  [alert]=TC_SEC_IN_SAE_PSK_001 [silence]=TC_SEC_IN_SAE_PSK_001
)
switches="coap-truncated coap-unknown-critical missing-rqi token-mismatch dtls-garbage silence
          coap-malformed coap-bad-elective missing-rsc duplicates oversized bad-server-hello hvr-loop alert"

# Every switch its own run and report folder, then its checks; 2 x E2E_JOBS (default 6) switches at once
# (each mostly waits on timers), their outputs printed in order at the end.
run_switch() {
  local sw=$1 f=() t
  for t in ${tests[$sw]}; do f+=(-f "$t"); done
  local t0; t0=$(date +%s%N)
  REF_IN_CSE_ARGS=--hostile=$sw "$HARNESS" run --profile "$profile" --report-dir "$work/$sw" "${f[@]}" \
    "$SRC/testcases/field" > "$work/$sw.out" 2>&1
  echo $? > "$work/$sw.rc"
  echo $(( ($(date +%s%N) - t0) / 1000000 )) > "$work/$sw.ms"
}

# The report of switch $cur, read once (one python3 and one xmllint per switch: on 2 busy
# cores, lib.sh's one xmllint per question took longer than the runs): the suite counts
# against the children, results.json, and each test's verdict and message.
cur=
junit() { echo "$work/$cur/latest/junit.xml"; }
read_report() {
  python3 - "$work/$cur/latest" > "$work/$cur.sum" 2>&1 <<'PY'
import json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
r = ET.parse(d + "/junit.xml").getroot()
cases = r.findall(".//testcase")
n = {k: sum(1 for c in cases if c.find(k) is not None) for k in ("failure", "error")}
ok = r.get("tests") == str(len(cases)) and all(r.get(k + "s") == str(v) for k, v in n.items())
print("counts", "ok" if ok else "bad: tests=%s failures=%s errors=%s, %d cases %s" % (
    r.get("tests"), r.get("failures"), r.get("errors"), len(cases), n))
try:
    json.load(open(d + "/results.json")); print("json ok")
except Exception as e:
    print("json bad:", e)
for c in cases:
    v, m = "pass", ""
    for k in ("failure", "error", "skipped"):
        e = c.find(k)
        if e is not None: v, m = k, e.get("message", "")
    print("V\t%s\t%s\t%s" % (c.get("name"), v, m.replace("\t", " ").replace("\n", " ")))
PY
}
verdict_of() { awk -F'\t' -v id="$1" '$1 == "V" && $2 == id {print $3; f = 1} END {if (!f) print "missing"}' "$work/$cur.sum"; }
message_of() { awk -F'\t' -v id="$1" '$1 == "V" && $2 == id {print $4}' "$work/$cur.sum"; }
check_counts() {
  read_report
  grep -qx 'counts ok' "$work/$cur.sum" && ok "$cur: junit.xml counts equal its test cases" \
    || fail "$cur: junit.xml counts: $(head -1 "$work/$cur.sum")"
  grep -qx 'json ok' "$work/$cur.sum" && ok "$cur: results.json parses" || fail "$cur: results.json: $(grep '^json' "$work/$cur.sum")"
  xmllint --noout --schema "$SRC/harness/report/junit.xsd" "$(junit)" 2>/dev/null && ok "$cur: junit.xml valid against junit.xsd" \
    || fail "$cur: junit.xml does not validate against junit.xsd"
}
tl() { echo "$work/$cur/latest/timelines/$1.txt"; }
has_event() { # what test regex
  if grep -Eq -- "$3" "$(tl "$2")"; then ok "$cur: $1"; else fail "$cur: $1: no line of $(tl "$2") matches /$3/"; fi
}
count_events() { grep -Ec -- "$2" "$(tl "$1")"; }
expect_verdict() { # test verdict [message substring]
  expect_eq "$cur: verdict of $1" "$2" "$(verdict_of "$1")"
  [ -z "${3:-}" ] || expect_contains "$cur: $1's message" "$(message_of "$1")" "$3"
}
switch_done() { # the run's exit, a complete report, the IUT did its part, within the time
  local rc t; rc=$(cat "$work/$cur.rc")
  case $rc in 0|1) ok "$cur: exit status $rc";; *) fail "$cur: exit status $rc (a signal or an internal error)"; sed 's/^/  | /' "$work/$cur.out";; esac
  check_counts
  [ -s "$work/$cur/latest/report.html" ] && ok "$cur: report.html written" || fail "$cur: report.html missing"
  for t in ${tests[$cur]}; do
    [ -s "$(tl "$t")" ] && ok "$cur: timeline of $t" || fail "$cur: timeline $(tl "$t") missing"
    grep -q "hostile $cur:" "$work/$cur/latest/logs/$t.iut.log" 2>/dev/null && ok "$cur: the IN-CSE was hostile in $t" \
      || fail "$cur: the IN-CSE log of $t does not say it acted"
  done
  echo "  ($cur: $(cat "$work/$cur.ms") ms)"
}

dtls_case() { # verdict message-substring sae.fail-regex
  switch_done
  expect_verdict TC_SEC_IN_SAE_PSK_001 "$1" "$2"
  has_event "sae.fail with the reason" TC_SEC_IN_SAE_PSK_001 "sae\.fail .*side=client .*$3"
  local ms; ms=$(cat "$work/$cur.ms")
  [ "$ms" -lt 15000 ] && ok "$cur: the run ended in $ms ms" || fail "$cur: the run took $ms ms"
}

checks() { # the checks of switch $cur
case $cur in
# Six CoAP format errors as ACKs of the request, then the right answer: each recorded with
# its bytes and reason, none answered (an ACK is rejected by ignoring it, RFC 7252 §4.2),
# and the answer that follows is taken: the tests pass.
coap-malformed)
  switch_done
  expect_verdict TC_SEC_IN_SAE_PSK_001 pass
  expect_verdict TC_SEC_IN_REG_001 pass
  for r in 'extended option delta of option at offset 4 runs past the end' 'option delta nibble 15' \
           'option length nibble 15 at offset 4 is reserved' 'option value of 10 bytes at offset 5 runs past the end' \
           'token of 8 bytes at offset 4 runs past the end' 'token length 9 at offset 0 is reserved'; do
    has_event "malformed '$r'" TC_SEC_IN_SAE_PSK_001 "msg\.rx\.malformed .*secure=true fatal=true reason=\"@[0-9]+: $r.*bytes=6[089]45"
  done
  expect_eq "$cur: malformed events in REG_001 (6 per response, 4 responses)" 24 "$(count_events TC_SEC_IN_REG_001 'msg\.rx\.malformed .*fatal=true')"
  expect_eq "$cur: no RST for a malformed ACK" 0 "$(count_events TC_SEC_IN_SAE_PSK_001 'msg\.tx .*type=RST')"
  ;;

# The only answer cut inside its token: recorded, nothing taken, the test fails naming it.
coap-truncated)
  switch_done
  expect_verdict TC_SEC_IN_SAE_PSK_001 failure "malformed msg.rx.malformed"
  expect_contains "$cur: the reason" "$(message_of TC_SEC_IN_SAE_PSK_001)" "token of 4 bytes at offset 4 runs past the end"
  has_event "truncated answer recorded" TC_SEC_IN_SAE_PSK_001 'msg\.rx\.malformed .*secure=true fatal=true reason="@4: token of 4 bytes.*bytes='
  ;;

# An elective option of a bad length is ignored (RFC 7252 §5.4.1, §5.10): noted, answer taken.
coap-bad-elective)
  switch_done
  expect_verdict TC_SEC_IN_SAE_PSK_001 pass
  has_event "non-fatal malformed with the reason" TC_SEC_IN_SAE_PSK_001 'msg\.rx\.malformed .*fatal=false reason="@[0-9]+: option Content-Format \(12\) at offset [0-9]+ has length 3 outside 0\.\.2" bytes='
  ;;

# An unrecognized critical option in a piggybacked response: the response is rejected
# (RFC 7252 §5.4.1), so it answers nothing and the test fails naming the option.
coap-unknown-critical)
  switch_done
  expect_verdict TC_SEC_IN_SAE_PSK_001 failure "unrecognized critical option 65001"
  has_event "response marked rejected" TC_SEC_IN_SAE_PSK_001 'msg\.rx .*rejected="unrecognized critical option 65001 in a response'
  ;;

# Responses without the oneM2M-RSC option: the tests fail on their own reasons, with the defect recorded.
missing-rsc)
  switch_done
  expect_verdict TC_SEC_IN_SAE_PSK_001 failure "the CSEBase was not served inside the association"
  expect_verdict TC_SEC_IN_BIND_002 failure "no oneM2M-RSC option"
  has_event "defect recorded" TC_SEC_IN_SAE_PSK_001 'msg\.rx .*problems="response without rsc'
  ;;

# A response without rqi answers no request of the test: it fails naming the defect.
missing-rqi)
  switch_done
  expect_verdict TC_SEC_IN_SAE_PSK_001 failure "response without rqi"
  has_event "defect recorded" TC_SEC_IN_SAE_PSK_001 'msg\.rx .*problems="response without rqi'
  ;;

# An ACK and a CON whose tokens match no request, with the right rqi: not answers (RFC
# 7252 §5.3.2); the CON is reset (§4.2); the test fails naming why.
token-mismatch)
  switch_done
  expect_verdict TC_SEC_IN_SAE_PSK_001 failure "its token matches no request sent"
  expect_eq "$cur: both marked rejected" 2 "$(count_events TC_SEC_IN_SAE_PSK_001 'msg\.rx .*rejected="its token matches no request.* rqi=cb-1 ')"
  has_event "the CON response reset" TC_SEC_IN_SAE_PSK_001 'msg\.tx .*type=RST code=0\.00'
  ;;

# The same answer three times: the first is taken, the copies recorded as identical (the
# registration's: the test goes on, so they are read before it ends).
duplicates)
  switch_done
  expect_verdict TC_SEC_IN_REG_001 pass
  expect_eq "$cur: copies recorded identical" 2 "$(count_events TC_SEC_IN_REG_001 'msg\.rx .*type=ACK .*dup=identical.* rqi=reg-1 ')"
  expect_eq "$cur: no copy rejected" 0 "$(count_events TC_SEC_IN_REG_001 'rejected=')"
  ;;

# A 9000-byte plain answer (4107): recorded whole, not cut to a buffer; the test passes.
oversized)
  switch_done
  expect_verdict TC_SEC_IN_ORDER_001 pass
  len=$(grep -o 'msg\.rx .*secure=false .*rsc=4107 .*pc=A*' "$(tl TC_SEC_IN_ORDER_001)" | head -1 | sed 's/.*pc=//' | tr -d '\n' | wc -c)
  expect_eq "$cur: payload length in the evidence" 9000 "$len"
  ;;

# The handshake itself hostile: the association step fails with the reason, within its
# window (dtls-total 4 s + 2 s), with sae.fail in the timeline.
# Not DTLS records: each named (net.rx.ignored), the handshake ends at dtls-total.
dtls-garbage)
  dtls_case failure "not a DTLS record" 'reason="The operation timed out"'
  n=$(count_events TC_SEC_IN_SAE_PSK_001 'net\.rx\.ignored .*side=client reason="(not a DTLS record|DTLS record at offset 0 claims 16383).*" bytes=')
  [ "$n" -ge 4 ] && ok "$cur: $n datagrams named (4 per ClientHello)" || fail "$cur: expected >= 4 net.rx.ignored side=client, got $n"
  ;;
bad-server-hello)
  dtls_case failure "did not accept the association" 'stage=handshake reason='
  ;;
hvr-loop)
  dtls_case failure "did not accept the association" 'stage=handshake reason='
  ;;
alert)
  dtls_case failure "fatal alert" 'alert='
  ;;
# Silence: no datagram ever came from the IUT whose readiness probe said it was up. The test
# covers SAE being mandatory on Mcc (<check without-dtls="fail">): an IN-CSE that answers no
# handshake on its coaps port fails it, saying it cannot tell a refusal from an IUT without
# DTLS; the handshake's end is still recorded at dtls-total.
silence)
  dtls_case failure "no datagram from the IUT within 6 s: cannot tell a refusal from an IUT that does not speak DTLS" 'reason="The operation timed out"'
  ;;
esac
}

for sw in $switches; do
  while [ "$(jobs -rp | wc -l)" -ge "${HOSTILE_JOBS:-$(( ${E2E_JOBS:-6} * 2 ))}" ]; do wait -n; done
  ( run_switch "$sw"; cur=$sw; checks ) > "$work/$sw.checks" 2>&1 &
done
wait
for sw in $switches; do cat "$work/$sw.checks"; done
failures=$(cat "$work"/*.checks | grep -c '^FAIL')

finish
