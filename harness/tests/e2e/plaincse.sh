#!/usr/bin/env bash
# An IN-CSE without DTLS, as the open-source CSEs are: role field against tools/ref-in-cse
# --plain-only (oneM2M over plain CoAP on one port, a field CSE registered there, strict about
# mandatory attributes, 4.00 for a second after binding), with the profiles that say so
# (<transport dtls="no">).
# Usage: plaincse.sh CASE, CASE one of
#   rst, silent   fixtures/profiles/ref-in-cse-plain.xml (a ClientHello answered with a CoAP RST,
#                 plain-mcc="accepts") or ref-in-cse-plain-silent.xml (silence, plain Mcc
#                 undeclared). Asserted:
#                 - a regular run: every test that runs has its row in
#                   harness/tests/e2e/expected/plain-cse-CASE.tsv (verdict, a part of the reason):
#                   the plain-Mcc tests fail on their own rule, no SAE test passes, the
#                   SAE-mandatory ones fail naming TS-0003 §6.1.2.2.1; the readiness probe waited
#                   out the peer's second of 4.00 (iut.ready after 1 s, the first request served);
#                 - --certify: the run ends non-green with the SAE rule, and refuses --plain-coap;
#                 - --plain-coap: the reports mark the run as not certifying (console, JUnit
#                   property run_mode, results.json transport, report.html); every access-control
#                   test reaches the expect of its last check (its step record in results.json),
#                   none ends inconc, error or skipped; the remoteCSE registration tests run where
#                   the profile says plain-mcc="accepts" and skip, naming the setting, elsewhere.
#   ae            ref-in-cse-plain-ae.xml: the same IN-CSE (RST) with the harness as a field AE on
#                 Mca (CFG_REGISTREE_AE), expected/plain-cse-ae.tsv; the same assertions but the
#                 plain-CoAP run mode's (its access-control tests act as a field CSE).
#   certify-no-sae  ref-in-cse.xml without the SAE items, against the correct ref-in-cse on fixed
#                 ports: the one test that applies passes, and --certify still ends non-green.
# Needs HARNESS, SIM_DEVICE, REF_IN_CSE, SRC in the environment (meson test sets them).
set -uo pipefail
case_name=$1
: "${HARNESS:?}" "${REF_IN_CSE:?}" "${SRC:?}"
export REF_IN_CSE
. "$(dirname "$0")/lib.sh"
dir=$SRC/testcases/field
covers_of() { xp 'string(/testcase/@covers)' "$dir/$1.xml"; }
verdict2() { # pass|failure|inconc|error|skipped
  local v; v=$(verdict_of "$1")
  if [ "$v" = error ] && [ "$(xp "string(//testcase[@name='$1']/error/@type)" "$(junit)")" = inconclusive ]; then echo inconc
  else echo "$v"; fi
}
results() { echo "$work/reports/latest/results.json"; }
# the line of the last check's last <expect> that runs in the plain-CoAP run mode, in a test
# case file (its step record names that line)
last_check_expect() {
  awk '/<check[ >]/ { c = 1; l = "" } /<\/check>/ { c = 0; if (l) last = l }
       c && /<expect[ >]/ && !/mode="secure"/ { l = NR } END { print last }' "$1"
}

case $case_name in
rst) profile=$SRC/fixtures/profiles/ref-in-cse-plain.xml; accepts=1; plainrun=1;;
silent) profile=$SRC/fixtures/profiles/ref-in-cse-plain-silent.xml; accepts=0; plainrun=1;;
ae) profile=$SRC/fixtures/profiles/ref-in-cse-plain-ae.xml; accepts=1; plainrun=0;;
certify-no-sae)
  read -r p1 p2 < <(python3 -c 'import socket
s=[socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
  sed -e 's/ SAE SAE_PSK IUT_OPENS_SA2//' -e "s/coap-port=\"0\" coaps-port=\"0\"/coap-port=\"$p1\" coaps-port=\"$p2\"/" \
      -e 's/name="ref-in-cse"/name="ref-in-cse-no-sae"/' "$SRC/fixtures/profiles/ref-in-cse.xml" > "$work/no-sae.xml"
  profile=$work/no-sae.xml
  run --certify "$dir"
  expect_eq "exit status" 1 "$rc"
  ran=$(xp 'count(//testcase[not(skipped)])' "$(junit)")
  passed=$(xp 'count(//testcase[not(skipped) and not(failure) and not(error)])' "$(junit)")
  [ "$ran" -ge 1 ] && ok "$ran test(s) ran" || fail "no test ran: the case proves nothing"
  expect_eq "every test that ran passed" "$ran" "$passed"
  expect_contains "console: not green, the rule" "$out" "certification run NOT PASSED: the IUT claims no SAE (PICS SAE): SAE is mandatory on Mcc between a field-domain node and the IN-CSE (TS-0003 §6.1.2.2.1)"
  check_counts
  finish
  exit;;
*) echo "unknown case $case_name"; exit 2;;
esac
expected=$SRC/harness/tests/e2e/expected/plain-cse-$case_name.tsv
row() { awk -F'\t' -v id="$1" '!/^#/ && $1 == id { print $2 "\t" $3; f = 1; exit } END { if (!f) exit 1 }' "$expected"; }

# 1. A regular run: the expected verdicts.
run ${E2E_JOBS:+-j "$E2E_JOBS"} "$dir"
expect_eq "exit status" 1 "$rc"
declare -A ran
for id in $(xp '//testcase/@name' "$(junit)" | sed 's/ name="\([^"]*\)"/\1 /g'); do
  v=$(verdict2 "$id")
  [ "$v" = skipped ] && continue
  ran[$id]=1
  msg=$(message_of "$id")
  case " $(covers_of "$id") " in
    *" R-SAE-01 "*|*" R-SAE-02 "*)
      [ "$v" = failure ] && ok "$id: SAE-mandatory, fails" || fail "$id: SAE-mandatory, expected failure, got $v ($msg)"
      expect_contains "$id names the clause" "$msg" "TS-0003 §6.1.2.2.1";;
    *" R-SAE-"*) [ "$v" != pass ] && ok "$id: an SAE test does not pass ($v)" || fail "$id: an SAE test passed against an IN-CSE without DTLS";;
  esac
  if r=$(row "$id"); then
    want=${r%%	*}; why=${r#*	}
    [ "$v" = "$want" ] && ok "$id: $v" || { fail "$id: expected $want, got $v ($msg)"; evidence "$id"; }
    [ -z "$why" ] || expect_contains "$id reason" "$msg" "$why"
  else
    fail "$id: ran ($v: $msg) but $expected has no row for it"
  fi
done
for id in $(awk -F'\t' '!/^#/ && NF { print $1 }' "$expected"); do
  [ -n "${ran[$id]:-}" ] || fail "$expected lists $id, which did not run"
done
# the readiness probe asked the CSE until it served: ready after the peer's second of 4.00,
# and the first request was served (2001), not answered 4.00
first=$(awk -F'\t' '!/^#/ && NF { print $1; exit }' "$expected")
python3 - "$(results)" "$first" <<'PY' && ok "readiness: iut.ready after the not-ready second, the first request served" || fail "readiness probe"
import json, sys
t = [x for x in json.load(open(sys.argv[1]))["tests"] if x["id"] == sys.argv[2]][0]["timeline"]
ready = [e for e in t if e["name"] == "iut.ready"][0]
first = [e for e in t if e["name"] == "msg.rx"][0]
print("  iut.ready at %.3f s, first answer code %s rsc %s" % (ready["t"], first["attrs"].get("code"), first["attrs"].get("rsc")))
sys.exit(0 if ready["attrs"]["ready"] == "true" and ready["t"] >= 1.0 and first["attrs"].get("rsc") == "2001" else 1)
PY
check_counts

# 2. --certify: never green without SAE toward the IN-CSE; the plain-CoAP run mode refused.
run --certify "$dir"
expect_eq "certify: exit status" 1 "$rc"
expect_contains "certify: not green, the rule" "$out" "certification run NOT PASSED: the IUT offers no DTLS (<transport dtls=\"no\">): SAE is mandatory on Mcc between a field-domain node and the IN-CSE (TS-0003 §6.1.2.2.1)"
out=$("$HARNESS" run --certify --plain-coap --profile "$profile" --report-dir "$work/refused" "$dir" 2>&1); rc=$?
expect_eq "certify --plain-coap: exit status" 2 "$rc"
expect_contains "certify --plain-coap: why" "$out" "--certify refuses the plain-CoAP run mode (--plain-coap)"

# 3. The plain-CoAP run mode.
[ "$plainrun" = 1 ] || { finish; exit; }
run --plain-coap ${E2E_JOBS:+-j "$E2E_JOBS"} "$dir"
expect_contains "console: not certifying" "$out" "plain-CoAP run mode: this run is NOT CERTIFYING"
expect_eq "JUnit property run_mode" "plain-coap (not certifying)" "$(xp "string(//testsuite[1]/properties/property[@name='run_mode']/@value)" "$(junit)")"
expect_eq "results.json transport" "plain-coap false" "$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["profile_applied"]["transport"]; print(t["run_mode"], str(t["certifying"]).lower())' "$(results)")"
expect_contains "report.html: not certifying" "$(cat "$work/reports/latest/report.html")" "Plain-CoAP run mode: this run is not certifying."
nacp=0
for f in "$dir"/TC_SEC_IN_ACP_*.xml; do
  id=$(basename "$f" .xml); nacp=$((nacp + 1))
  v=$(verdict2 "$id")
  case $v in pass|failure) ok "$id: $v in the plain-CoAP run mode";; *) fail "$id: $v in the plain-CoAP run mode: $(message_of "$id")";; esac
  line=$(last_check_expect "$f")
  python3 - "$(results)" "$id" "$line" <<'PY' && ok "$id reached its last check (line $line)" || fail "$id: no step record of its last check (line $line)"
import json, sys
t = [x for x in json.load(open(sys.argv[1]))["tests"] if x["id"] == sys.argv[2]][0]
want = "line %s: expect " % sys.argv[3]
sys.exit(0 if any(s.strip().startswith(want) and ("matched" in s or "FAILED" in s) for s in t["steps"]) else 1)
PY
done
[ "$nacp" -ge 12 ] && ok "$nacp access-control tests" || fail "only $nacp access-control tests found"
for f in "$dir"/TC_SEC_IN_REG_*.xml; do
  id=$(basename "$f" .xml)
  grep -q 'CFG_REGISTREE_CSE' "$f" || continue
  v=$(verdict2 "$id")
  if [ "$accepts" = 1 ]; then
    [ "$v" != skipped ] && ok "$id runs where plain Mcc is accepted ($v)" || fail "$id skipped: $(message_of "$id")"
  else
    expect_eq "$id" skipped "$v"
    expect_contains "$id skip names the setting" "$(message_of "$id")" "<transport plain-mcc=\"accepts\">; here plain-mcc is undeclared"
  fi
done
check_counts
finish
