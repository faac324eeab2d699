#!/usr/bin/env bash
# Attach mode end to end: the reference IN-CSE (tools/ref-in-cse) started ONCE per
# configuration, outside the harness (with the arguments the start command of its profile in
# fixtures/profiles gives it, on free ports), and the harness in role field attached to each:
# fixtures/profiles/ref-in-cse-attached.xml for the PSK one, for the others a profile that
# extends the bundled one with those ports and no start command. Usage: attach.sh CASE
#   suite   validate lists what cannot run; a leftover is made on purpose (--keep-resources);
#           the whole IN-CSE suite then runs twice in a row, all six attached profiles in one
#           pooled run, against the same running peers: every IN-CSE test that needs neither a
#           restart nor a trigger passes both times (the count and the tests left out, with
#           their reasons, are the ones docs/running.md#attach-mode gives); the first run meets
#           the leftover (4117), deletes it and retries, logged; every test deletes what it
#           created; names carry each run's id; a --certify run of an attached profile lists
#           what stays unproven; a peer that starts late is waited for, one that never answers
#           makes every test inconclusive. The peers are stopped at the end.
# Needs HARNESS, REF_IN_CSE, SRC in the environment (meson test sets them).
set -uo pipefail
case_name=$1
: "${HARNESS:?}" "${REF_IN_CSE:?}" "${SRC:?}"
. "$(dirname "$0")/lib.sh"

# The IN-CSE tests that run and pass against the attached reference IN-CSEs (each test under
# at least one of the six profiles), and under the PSK profile alone: docs/running.md says so.
ATTACHED_PASS=67
PSK_PASS=49

free_udp_ports() { # n -> n free UDP ports on 127.0.0.1
  python3 -c 'import socket,sys
ss=[socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(int(sys.argv[1]))]
[s.bind(("127.0.0.1", 0)) for s in ss]
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}
peers=""
peer_pid=""
start_peer() { # delay args...: the reference IN-CSE, as a profile's start command runs it
  local delay=$1; shift
  ( [ "$delay" != 0 ] && sleep "$delay"; exec "$REF_IN_CSE" "$@" ) >>"$work/peer.log" 2>&1 &
  peer_pid=$!
  peers="$peers $peer_pid"
}
stop_peers() { local p; for p in $peers; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; peers=""; }
trap 'stop_peers; rm -rf "$work"' EXIT
attached_profile() { # coap coaps [ready-timeout] -> a copy of the attached profile on those ports
  sed -e "s/coap-port=\"25683\"/coap-port=\"$1\"/" -e "s/coaps-port=\"25684\"/coaps-port=\"$2\"/" \
      -e "s/ready-timeout=\"15s\"/ready-timeout=\"${3:-15s}\"/" \
    "$SRC/fixtures/profiles/ref-in-cse-attached.xml" > "$work/attached-$2.xml"
  echo "$work/attached-$2.xml"
}
fix=$SRC/fixtures/profiles
certs=$SRC/fixtures/certs
# base coap coaps mef -> a profile in $work that extends fixtures/profiles/<base>.xml with
# those ports, its <mef> (if any) on that port, and <control> without start command
extended_profile() {
  local base=$1 out=$work/$1-attached.xml mef
  mef=$(awk '/^ *<mef /,/\/>/' "$fix/$base.xml" | tr '\n' ' ' \
        | sed -e "s|<mef |<mef port=\"$4\" |" -e "s|\"\.\./certs/|\"$(realpath --relative-to="$work" "$certs")/|g")
  cat > "$out" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<profile name="$base-attached" role="field" extends="$(realpath --relative-to="$work" "$fix/$base.xml")">
  <iut kind="in-cse" release="3" address="127.0.0.1" host="in-cse.m2m-harness.test" sp-id="//m2m-harness.test" coap-port="$2" coaps-port="$3">
    <cse-id>/in-cse</cse-id>
    <cse-base>in-name</cse-base>
  </iut>
  $mef
  <control ready-timeout="15s"/>
</profile>
XML
  echo "$out"
}
count() { xp "count(//testcase[$1])" "$(junit)"; }
all_timelines() { cat "$work"/reports/latest/timelines/*.txt "$work"/reports/latest/*/timelines/*.txt 2>/dev/null; }
timelines() { echo "$work/reports/latest/timelines"; }

# The documented list: "| TC_... | reason |" rows between the attach-table markers, and the
# count in the line "**N of the M IN-CSE tests run and pass**".
doc=$SRC/docs/running.md
doc_rows() { awk '/<!-- attach-table: begin -->/ { on = 1; next } /<!-- attach-table: end -->/ { on = 0 } on && /^\| TC_/' "$doc"; }

case $case_name in
suite)
  # The six configurations of the reference IN-CSE, each started once with the arguments of
  # its profile's start command.
  profiles=()
  read -r c1 s1 <<<"$(free_udp_ports 2)"
  psk=$(attached_profile "$c1" "$s1")
  start_peer 0 --profile "$fix/ref-in-cse.xml" --coap-port "$c1" --coaps-port "$s1"
  pid0=$peer_pid
  profiles+=("$psk")
  read -r c s m <<<"$(free_udp_ports 3)"
  profiles+=("$(extended_profile ref-in-cse-cert "$c" "$s" "$m")")
  start_peer 0 --profile "$fix/ref-in-cse-cert.xml" --coap-port "$c" --coaps-port "$s" \
    --cert "$certs/in-cse.crt" --key "$certs/in-cse.key" --trust "$certs/test-ca.crt"
  read -r c s m <<<"$(free_udp_ports 3)"
  profiles+=("$(extended_profile ref-in-cse-ae "$c" "$s" "$m")")
  start_peer 0 --profile "$fix/ref-in-cse-ae.xml" --coap-port "$c" --coaps-port "$s"
  read -r c s m <<<"$(free_udp_ports 3)"
  mefp=$(extended_profile ref-in-cse-mef "$c" "$s" "$m")
  profiles+=("$mefp")
  start_peer 0 --profile "$fix/ref-in-cse-mef.xml" --coap-port "$c" --coaps-port "$s" --mef-port "$m"
  read -r c s m <<<"$(free_udp_ports 3)"
  profiles+=("$(extended_profile ref-in-cse-mef-cert "$c" "$s" "$m")")
  start_peer 0 --profile "$fix/ref-in-cse-mef-cert.xml" --coap-port "$c" --coaps-port "$s" --mef-port "$m" \
    --mef-cert "$certs/mef.crt" --mef-key "$certs/mef.key" --mef-trust "$certs/test-ca.crt"
  read -r c s m <<<"$(free_udp_ports 3)"
  profiles+=("$(extended_profile ref-in-cse-enrol "$c" "$s" "$m")")
  start_peer 0 --profile "$fix/ref-in-cse-enrol.xml" --coap-port "$c" --coaps-port "$s" --mef-port "$m"
  started=$peers
  total=$(ls "$SRC"/testcases/field/*.xml | wc -l)
  # validate names what an attached profile cannot run, before any run
  out=$("$HARNESS" validate --profile "$psk" "$SRC/testcases" 2>&1); rc=$?
  echo "$out" | sed 's/^/  | /'
  expect_eq "validate exit" 0 "$rc"
  expect_contains "validate" "$out" "attach mode: 0 of the $total test(s) of role field need a restart or a trigger"
  out=$("$HARNESS" validate --profile "$mefp" "$SRC/testcases" 2>&1)
  expect_contains "validate (MEF)" "$out" "TC_SEC_IN_ENR_008: needs trigger 'change-service-provider' (line"
  # A leftover on purpose: a test that keeps what it created (remoteCSE asn-cse-1, policies
  # and containers below it), as an interrupted run would leave it.
  profile=$psk
  run --keep-resources "$SRC/testcases/field/TC_SEC_IN_ACP_001.xml"
  expect_eq "kept run: exit" 0 "$rc"
  expect_contains "kept run: the readiness check" "$out" "is ready (RETRIEVE of its CSEBase: 2000"
  expect_eq "kept run: no cleanup" 0 "$(all_timelines | grep -c ' attach.cleanup ')"
  grep -qE 'msg.tx .*\\"rn\\":\\"cnt-a-[0-9a-f]{8}\\"' "$(timelines)/TC_SEC_IN_ACP_001.txt" \
    && ok "a container's name carries the run's id" || fail "no cnt-a-<run id> sent in TC_SEC_IN_ACP_001"
  kept_name=$(grep -oE '\\"rn\\":\\"cnt-a-[0-9a-f]{8}\\"' "$(timelines)/TC_SEC_IN_ACP_001.txt" | head -1)
  # Twice in a row: the whole IN-CSE suite, the six profiles in one pooled run, against the
  # same running peers.
  pargs=()
  for p in "${profiles[@]}"; do pargs+=(--profile "$p"); done
  names=""
  for pass in 1 2; do
    out=$("$HARNESS" run "${pargs[@]}" --report-dir "$work/reports" ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases/field" 2>&1)
    rc=$?
    echo "$out" | sed 's/^/  | /'
    expect_eq "run $pass: exit" 0 "$rc"
    expect_eq "run $pass: readiness checks" 6 "$(echo "$out" | grep -c 'is ready (RETRIEVE of its CSEBase: 2000')"
    expect_eq "run $pass: failures and errors" 0 "$(count 'failure or error')"
    passed=$(xp '//testcase[not(failure or error or skipped)]/@name' "$(junit)" | sed 's/ name="\([^@"]*\)@[^"]*"/\1\n/g' | sort -u | sed '/^$/d')
    expect_eq "run $pass: IN-CSE tests that pass under an attached profile" "$ATTACHED_PASS" "$(echo "$passed" | wc -l)"
    expect_eq "run $pass: tests that pass under the PSK profile" "$PSK_PASS" \
      "$(xp 'count(//testcase[not(failure or error or skipped) and substring-after(@name, "@") = "ref-in-cse-attached"])' "$(junit)")"
    # the tests that run under no attached profile are the documented ones, each for the
    # documented reason (the skip message under one of the profiles), and each skip names it
    left=$(ls "$SRC"/testcases/field/*.xml | xargs -n1 basename | sed 's/\.xml$//' | grep -vxF "$passed" | sort)
    expect_eq "run $pass: tests not run = docs/running.md's table" "$(doc_rows | cut -d'|' -f2 | tr -d ' ' | sort)" "$left"
    while IFS='|' read -r _ id why _; do
      id=$(echo "$id" | tr -d ' '); why=$(echo "$why" | sed 's/^ *//; s/ *$//')
      msgs=$(xp "//testcase[starts-with(@name, '$id@')]/skipped/@message" "$(junit)")
      expect_contains "run $pass: $id skipped, saying" "$msgs" "$why"
    done <<<"$(doc_rows)"
    for id in $(names_of '//testcase[skipped]/@name'); do
      m=$(xp "string(//testcase[@name='$id']/skipped/@message)" "$(junit)")
      case $m in "needs a restart"*|"needs trigger"*|*"PICS item"*) ;; *) fail "run $pass: $id skipped for another reason: $m";; esac
    done
    expect_contains "docs/running.md's count" "$(cat "$doc")" "**$ATTACHED_PASS of the $total IN-CSE tests run and pass**"
    # what each test created is deleted at its end, none left
    expect_eq "run $pass: cleanups that left something" "" "$(all_timelines | grep ' attach.cleanup ' | grep -v 'outcome=deleted')"
    n=$(all_timelines | grep -c ' attach.cleanup .*outcome=deleted')
    [ "$n" -ge 40 ] && ok "run $pass: $n resources deleted at the ends of tests" || fail "run $pass: only $n cleanup deletions"
    leftovers=$(all_timelines | grep ' attach.leftover ')
    pskdir=$work/reports/latest/ref-in-cse-attached
    if [ "$pass" = 1 ]; then
      # the kept remoteCSE: refused 4117, deleted by name, the registration sent again
      expect_eq "run 1: leftovers met" 1 "$(echo "$leftovers" | grep -c .)"
      expect_contains "run 1: the leftover" "$leftovers" "path=/in-cse/in-name/asn-cse-1 fr=/asn-cse-1 ty=16 rsc=4117"
      expect_contains "run 1: the leftover" "$leftovers" "outcome=retried"
      id=$(grep -l ' attach.leftover ' "$pskdir"/timelines/*.txt | head -1 | xargs basename | sed 's/\.txt$//')
      expect_contains "run 1: $id's output says so" "$(xp "string(//testcase[@name='$id@ref-in-cse-attached']/system-out)" "$(junit)")" \
        "is left over from an earlier run; deleted it (2002), sending the CREATE once more"
    else
      expect_eq "run 2: leftovers met (run 1 cleaned up after itself)" "" "$leftovers"
    fi
    expect_contains "run $pass: cleanup in a test's output" \
      "$(xp "string(//testcase[@name='TC_SEC_IN_REG_001@ref-in-cse-attached']/system-out)" "$(junit)")" "cleanup: DELETE /in-cse/"
    names="$names $(grep -ohE '\\"rn\\":\\"cnt-a-[0-9a-f]{8}\\"' "$pskdir/timelines/TC_SEC_IN_ACP_001.txt" | head -1)"
  done
  set -- $names
  [ -n "${1:-}" ] && [ "${1:-}" != "${2:-}" ] && [ "$1" != "$kept_name" ] && [ "${2:-}" != "$kept_name" ] \
    && ok "each run named its container its own way: $kept_name $names" || fail "names not unique per run: $kept_name $names"
  alive=0
  for p in $started; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
  expect_eq "peer processes that served every run, still the same" 6 "$alive"
  expect_eq "peer starts" 6 "$(grep -c 'listening on coaps' "$work/peer.log")"
  # --certify accepts attach mode; with a test that needs a trigger the profile lacks, it says
  # which requirement stays unproven. (A suite of two: a registration test, and a copy of it
  # that also reboots the IUT and covers a requirement nothing else here covers.)
  mkdir -p "$work/suite/field"
  cp "$SRC/testcases/field/TC_SEC_IN_REG_001.xml" "$work/suite/field/"
  sed -e 's/TC_SEC_IN_REG_001/TC_SEC_IN_REG_901/' -e 's/covers="R-REG-07"/covers="R-FLOW-01"/' \
      -e 's|<trigger name="start"/>|<trigger name="start"/><trigger name="reboot"/>|' \
    "$SRC/testcases/field/TC_SEC_IN_REG_001.xml" > "$work/suite/field/TC_SEC_IN_REG_901.xml"
  profile=$psk
  out=$("$HARNESS" validate --profile "$profile" "$work/suite" 2>&1)
  expect_contains "validate names the test and the trigger it needs" "$out" "TC_SEC_IN_REG_901: needs trigger 'reboot' (line"
  expect_contains "validate" "$out" "attach mode: 1 of the 2 test(s) of role field need a restart or a trigger"
  run --certify "$work/suite"
  expect_eq "certify attached: exit" 0 "$rc"
  expect_eq "certify attached: TC_SEC_IN_REG_001" pass "$(verdict_of TC_SEC_IN_REG_001)"
  expect_eq "certify attached: TC_SEC_IN_REG_901" skipped "$(verdict_of TC_SEC_IN_REG_901)"
  expect_contains "certify attached" "$out" "attach mode: 1 test(s) not run: they need a restart or a trigger"
  expect_contains "certify attached" "$out" "unproven: R-FLOW-01 (not run: TC_SEC_IN_REG_901)"
  expect_contains "unproven.txt" "$(cat "$work/reports/latest/unproven.txt")" "R-FLOW-01	TC_SEC_IN_REG_901"
  expect_contains "skipped.txt" "$(cat "$work/reports/latest/skipped.txt")" "TC_SEC_IN_REG_901	needs trigger 'reboot'"
  stop_peers
  # A peer that starts 1.5 s after the run: the readiness check waits for it.
  read -r coap coaps <<<"$(free_udp_ports 2)"
  profile=$(attached_profile "$coap" "$coaps")
  start_peer 1.5 --profile "$fix/ref-in-cse.xml" --coap-port "$coap" --coaps-port "$coaps"
  run "$SRC/testcases/field/TC_SEC_IN_REG_001.xml"
  expect_eq "late peer: exit" 0 "$rc"
  tries=$(echo "$out" | sed -n 's/.*CSEBase: 2000; \([0-9]*\) attempt(s).*/\1/p')
  [ "${tries:-0}" -gt 1 ] && ok "late peer: ready after $tries attempts" || fail "late peer: attempts '$tries'"
  # Without SAE the check is a plain RETRIEVE: the IN-CSE refuses it with 4107 (a CSE-ID
  # outside an association), which shows it serves.
  sed 's/<pics>IUT_IN_CSE SAE SAE_PSK /<pics>IUT_IN_CSE /' "$profile" > "$work/plain.xml"
  profile=$work/plain.xml
  run "$SRC/testcases/field/TC_SEC_IN_RCV_003.xml"
  expect_eq "plain readiness: exit" 0 "$rc"
  expect_contains "plain readiness" "$out" "is ready (RETRIEVE of its CSEBase: it refused the RETRIEVE with 4107 (security association required)"
  stop_peers
  # Nobody there: every test inconclusive, saying so, after the ready-timeout (no test ran).
  read -r coap coaps <<<"$(free_udp_ports 2)"
  profile=$(attached_profile "$coap" "$coaps" 2s)
  run "$SRC/testcases/field/TC_SEC_IN_REG_001.xml" "$SRC/testcases/field/TC_SEC_IN_SAE_PSK_001.xml"
  expect_eq "no peer: exit" 1 "$rc"
  for id in TC_SEC_IN_REG_001 TC_SEC_IN_SAE_PSK_001; do
    expect_eq "no peer: $id" error "$(verdict_of "$id")"
    expect_contains "no peer: $id" "$(message_of "$id")" "attach mode: the running IUT was not ready"
  done
  ;;
*) echo "unknown case $case_name"; exit 2;;
esac
finish
