# End-to-end cases of certification runs and CI fleets (certification, shards and merge, -j, known failures,
# flakiness, coverage, explain, IPv6). Sourced by e2e.sh, whose helpers (run, junit,
# verdict_of, message_of, check_counts, expect_eq, expect_contains, ok, fail, xp) it uses.

ids_verdicts() { # junit.xml -> "id verdict" per test, sorted
  local j=$1 id
  for id in $(xp '//testcase/@name' "$j" | sed 's/ name="\([^"]*\)"/\1 /g'); do
    local v=pass k
    for k in failure error skipped; do
      [ "$(xp "count(//testcase[@name='$id']/$k)" "$j")" = 1 ] && v=$k
    done
    echo "$id $v"
  done | sort
}
prop_of() { xp "string(//testcase[@name='$1']/properties/property[@name='$2']/@value)" "$(junit)"; }
console_ids() { echo "$1" | sed -n 's/^\[ *[0-9]*\/[0-9]*\] [A-Z]* *[^ ]* *\(TC_[A-Z0-9_]*\) .*/\1/p'; }

case $case_name in
certify)
  # A complete profile against the correct simulator: passes, is marked, keeps the profile
  # and lists the skipped tests with their reasons. Its known-failures list is not applied
  # (a listed test that passes is a plain pass, not xpass).
  sed 's|</profile>|  <known-failure test="TC_SEC_SAE_PSK_001">stale entry, ignored when certifying</known-failure>\n</profile>|' \
    "$profile" > "$work/cert.xml"
  profile=$work/cert.xml
  run --certify -j 4 "$SRC/testcases"
  expect_eq "exit status" 0 "$rc"
  expect_contains "console marks the run" "$out" "certification run: every applicable test"
  expect_contains "console names the skipped list" "$out" "skipped.txt"
  expect_eq "JUnit property run_mode" certification "$(xp "string(//testsuite[1]/properties/property[@name='run_mode']/@value)" "$(junit)")"
  expect_eq "known failure not applied" pass "$(verdict_of TC_SEC_SAE_PSK_001)"
  # the profile applied is exported, its PSK redacted (secrets stay out of reports)
  grep -q 'identity="asn-cse-1@in.m2m-harness.test"' "$work/reports/latest/profile.xml" && ok "profile applied exported" || fail "profile.xml is not the profile applied"
  grep -q 'key="REDACTED-not-written-to-reports"' "$work/reports/latest/profile.xml" && ok "PSK redacted in profile.xml" || fail "the PSK is not redacted in profile.xml"
  ! grep -rq "m2m-harness-test-psk-1" "$work/reports/latest/" && ok "no PSK anywhere in the report" || fail "the PSK appears in the report"
  sk=$work/reports/latest/skipped.txt
  expect_eq "skipped.txt lists every skipped test" "$(xp 'count(//testcase[skipped])' "$(junit)")" "$(grep -vc '^#' "$sk")"
  expect_contains "skipped.txt gives reasons" "$(cat "$sk")" "TC_SEC_SAE_MCA_001	IUT does not claim PICS item IUT_AE"
  check_counts
  ;;
certify-broken)
  # An incomplete and contradictory profile: exit 2 before anything runs, every problem named.
  sed -e 's/ release="3"//' -e 's|<pics>.*</pics>|<pics>IUT_ASN_CSE IUT_AE SAE</pics>|' \
      -e 's|--coaps-port ${HARNESS_COAPS_PORT}||' -e 's/dtls-total="4s"/dtls-total="100ms"/' "$profile" > "$work/broken.xml"
  out=$("$HARNESS" run --certify --profile "$work/broken.xml" --report-dir "$work/reports" "$SRC/testcases" 2>&1); rc=$?
  echo "$out" | sed 's/^/  | /'
  expect_eq "exit status" 2 "$rc"
  for want in 'release="..."> is not given' 'PICS claim IUT_AE but <iut kind="asn-cse">' 'PICS claim 2 kinds of IUT' \
              'none of SAE_PSK, SAE_CERT, SAE_RPK' 'does not hand ${HARNESS_COAPS_PORT}' 'dtls-retransmit> is not below dtls-total'; do
    expect_contains "problem named" "$out" "$want"
  done
  expect_contains "the profile file is named" "$out" "broken.xml: error: certification:"
  [ -e "$work/reports/latest" ] && fail "a report was written for a refused certification" || ok "nothing ran"
  run --certify --filter 'TC_SEC_SAE_*' "$SRC/testcases"
  expect_eq "exit status with --filter" 2 "$rc"
  expect_contains "message" "$out" "--filter is refused"
  out=$("$HARNESS" run --certify --profile "$work/missing.xml" "$SRC/testcases" 2>&1); rc=$?
  expect_eq "exit status without a profile file" 2 "$rc"
  ;;
shards)
  # Two shards merged equal one unsharded run: same tests, same verdicts, counts add up.
  export SIM_DEVICE_ARGS=--fault=register-before-sae
  run "$SRC/testcases"; full=$(readlink -f "$work/reports/latest")
  run --shard 1/2 "$SRC/testcases"; s1=$(readlink -f "$work/reports/latest")
  run --shard 2/2 "$SRC/testcases"; s2=$(readlink -f "$work/reports/latest")
  n1=$(xp 'string(/testsuites/@tests)' "$s1/junit.xml"); n2=$(xp 'string(/testsuites/@tests)' "$s2/junit.xml")
  nf=$(xp 'string(/testsuites/@tests)' "$full/junit.xml")
  expect_eq "shard sizes add up" "$nf" "$((n1 + n2))"
  [ $((n1 - n2)) -le 1 ] && [ $((n2 - n1)) -le 1 ] && ok "shards balanced ($n1, $n2)" || fail "shards unbalanced: $n1, $n2"
  expect_eq "shard property" "1/2" "$(xp "string(//testsuite[1]/properties/property[@name='shard']/@value)" "$s1/junit.xml")"
  out=$("$HARNESS" merge -o "$work/merged" "$s1" "$s2/junit.xml" 2>&1); rc=$?
  echo "$out" | sed 's/^/  | /'
  expect_eq "merge exit status (the fault makes tests fail)" 1 "$rc"
  m=$work/merged/junit.xml
  expect_eq "same tests, same verdicts" "$(ids_verdicts "$full/junit.xml")" "$(ids_verdicts "$m")"
  for a in tests failures errors skipped; do
    expect_eq "merged $a = unsharded $a" "$(xp "string(/testsuites/@$a)" "$full/junit.xml")" "$(xp "string(/testsuites/@$a)" "$m")"
  done
  expect_eq "plan order kept" "$(xp '//testcase/@name' "$full/junit.xml")" "$(xp '//testcase/@name' "$m")"
  mj=$work/merged/results.json
  [ -s "$mj" ] && ok "results.json merged too" || fail "no merged results.json"
  expect_eq "merged results.json: every test" "$nf" "$(grep -o '"verdict": "[a-z]*"' "$mj" | wc -l)"
  expect_eq "merged results.json: failures counted again" "$(xp 'string(/testsuites/@failures)' "$full/junit.xml")" \
    "$(tr -d ' \n' < "$mj" | grep -o '"summary":{[^}]*}' | grep -o '"fail":[0-9]*' | cut -d: -f2)"
  if [ -d "$SRC/tools/node/node_modules" ]; then
    node "$SRC/tools/node/validate-json.js" "$SRC/harness/report/results.schema.json" "$mj" >/dev/null 2>&1 \
      && ok "merged results.json valid against the schema" || fail "merged results.json does not validate"
  fi
  ln -sfn "$work/merged" "$work/reports/latest"; check_counts
  out=$("$HARNESS" merge -o "$work/again" "$s1" "$s1" 2>&1); rc=$?
  expect_eq "overlapping shards refused" 2 "$rc"
  expect_contains "message" "$out" "shards never overlap"
  printf '<?xml version="1.0"?>\n<testsuites>\n  <testsuite name="x">\n    <testcase classname="a"/>\n' > "$work/bad.xml"
  out=$("$HARNESS" merge -o "$work/again" "$work/bad.xml" 2>&1); rc=$?
  expect_eq "broken report refused" 2 "$rc"
  expect_contains "file:line" "$out" "bad.xml:5"
  run --shard 3/2 "$SRC/testcases"
  expect_eq "bad --shard" 2 "$rc"
  ;;
parallel)
  # The default -j (many at once, longest first) gives the verdicts of -j 1, console and
  # JUnit in plan order; a single real IUT's tests run one at a time whatever -j says.
  export SIM_DEVICE_ARGS=--fault=register-before-sae
  run -j 1 "$SRC/testcases"; one=$(readlink -f "$work/reports/latest"); out1=$out
  run "$SRC/testcases"; two=$(readlink -f "$work/reports/latest")
  expect_eq "same verdicts with the default -j" "$(ids_verdicts "$one/junit.xml")" "$(ids_verdicts "$two/junit.xml")"
  expect_eq "JUnit in plan order" "$(xp '//testcase/@name' "$one/junit.xml")" "$(xp '//testcase/@name' "$two/junit.xml")"
  expect_eq "console in plan order" "$(console_ids "$out1")" "$(console_ids "$out")"
  # Fixed listen ports (a device configured with them): every test binds the same port, so
  # two at once would find it taken (an error, not the -j 1 verdict). The pool keys such a
  # profile's tests on that address and port: -j 8 gives the verdicts of -j 1.
  sed 's/coaps-port="0">/coaps-port="45999">/' "$profile" > "$work/fixed.xml"
  run -j 1 -f 'TC_SEC_SAE_PSK_00[1-4]' -f 'TC_SEC_ORDER_*' "$SRC/testcases"; serial=$(readlink -f "$work/reports/latest")
  profile=$work/fixed.xml
  run -j 8 -f 'TC_SEC_SAE_PSK_00[1-4]' -f 'TC_SEC_ORDER_*' "$SRC/testcases"; fixed=$(readlink -f "$work/reports/latest")
  expect_eq "fixed ports, -j 8: the verdicts of -j 1" "$(ids_verdicts "$serial/junit.xml")" "$(ids_verdicts "$fixed/junit.xml")"
  expect_eq "fixed ports: exit status" 1 "$rc"
  ;;
profiles)
  # Several profiles in one run, one job pool: per profile its own report folder (the
  # verdicts of a run against that profile alone), one JUnit suite per profile with unique
  # names, index.html linking every profile's page, the other role's tests counted and not
  # listed, and merge joins the combined reports of two shards.
  ae=$SRC/fixtures/profiles/sim-device-ae.xml
  export SIM_DEVICE_ARGS=--fault=register-before-sae
  run -f 'TC_SEC_SAE_PSK_00[1-6]' -f 'TC_SEC_ORDER_*' -f 'TC_SEC_IN_SAE_PSK_001' "$SRC/testcases"; alone=$(readlink -f "$work/reports/latest")
  out=$("$HARNESS" run --profile "$profile" --profile "$ae" --report-dir "$work/reports" \
        -f 'TC_SEC_SAE_PSK_00[1-6]' -f 'TC_SEC_ORDER_*' -f 'TC_SEC_IN_SAE_PSK_001' "$SRC/testcases" 2>&1); rc=$?
  echo "$out" | sed 's/^/  | /'
  both=$(readlink -f "$work/reports/latest")
  expect_eq "exit status (a fault)" 1 "$rc"
  j=$both/junit.xml
  expect_eq "one testsuite per profile" "sim-device-asn sim-device-ae" "$(xp '/testsuites/testsuite/@name' "$j" | sed 's/ name="\([^"]*\)"/\1 /g' | xargs)"
  expect_eq "every test name once" "0" "$(xp 'count(//testcase[@name = following::testcase/@name])' "$j")"
  expect_eq "names carry the profile" "in-cse.sae" "$(xp "string(/testsuites/testsuite[2]/testcase[@name='TC_SEC_SAE_PSK_001@sim-device-ae']/@classname)" "$j")"
  expect_eq "root counts" "$(xp 'count(//testcase)' "$j")" "$(xp 'string(/testsuites/@tests)' "$j")"
  xmllint --noout --schema "$SRC/harness/report/junit.xsd" "$j" 2>/dev/null && ok "combined junit.xml valid" || fail "combined junit.xml invalid"
  expect_eq "per-profile report = a run against that profile alone" "$(ids_verdicts "$alone/junit.xml")" "$(ids_verdicts "$both/sim-device-asn/junit.xml")"
  expect_eq "other role counted, not listed" "1" "$(xp "string(/testsuites/testsuite[1]/properties/property[@name='other_role_tests']/@value)" "$j")"
  expect_eq "no skip for the role" "0" "$(grep -c 'test is for role' "$both/sim-device-asn/junit.xml")"
  xmllint --noout "$both/index.html" && ok "index.html is well-formed" || fail "index.html is not well-formed"
  expect_contains "index links the first profile" "$(cat "$both/index.html")" 'href="sim-device-asn/report.html"'
  expect_contains "index links the second profile" "$(cat "$both/index.html")" 'href="sim-device-ae/report.html"'
  expect_contains "console names the profile" "$out" "[sim-device-ae]"
  expect_contains "console summary per profile" "$out" "sim-device-ae "
  # each profile's reports complete (all but the last profile's are written while the other
  # profiles' tests still run)
  for pr in sim-device-asn sim-device-ae; do
    expect_eq "$pr: results.json has every test" "$(xp 'count(//testcase)' "$both/$pr/junit.xml")" \
      "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["tests"]))' "$both/$pr/results.json")"
    xmllint --noout "$both/$pr/report.html" && ok "$pr: report.html is well-formed" || fail "$pr: report.html is not well-formed"
  done
  # --durations reports/latest: the run before this one, read before this run's own folder
  # becomes latest
  ran=$(xp 'count(//testcase[not(skipped)])' "$j")
  out=$("$HARNESS" run --profile "$profile" --profile "$ae" --report-dir "$work/reports" --durations "$work/reports/latest" \
        -f 'TC_SEC_SAE_PSK_00[1-6]' -f 'TC_SEC_ORDER_*' -f 'TC_SEC_IN_SAE_PSK_001' "$SRC/testcases" 2>&1)
  expect_contains "durations of the run before" "$out" "start order: $ran recorded durations from $work/reports/latest"
  # merge: the combined reports of shard 1/2 and 2/2 give one suite per profile again
  for k in 1 2; do
    "$HARNESS" run --profile "$profile" --profile "$ae" --report-dir "$work/sh$k" --shard $k/2 --allow-empty \
      -f 'TC_SEC_SAE_PSK_00[1-6]' -f 'TC_SEC_ORDER_*' "$SRC/testcases" >/dev/null 2>&1
  done
  "$HARNESS" merge -o "$work/merged" "$work/sh1" "$work/sh2" >/dev/null 2>&1
  expect_eq "merged shards: suites" "sim-device-asn sim-device-ae" "$(xp '/testsuites/testsuite/@name' "$work/merged/junit.xml" | sed 's/ name="\([^"]*\)"/\1 /g' | xargs)"
  expect_eq "merged shards: every test" "$(xp 'count(//testcase)' "$j")" "$(xp 'count(//testcase)' "$work/merged/junit.xml")"
  unset SIM_DEVICE_ARGS
  ;;
known-failures)
  # Listed tests that fail are xfail (the run passes, reason and original verdict kept);
  # a listed test that passes is xpass (the run fails: the list is stale).
  export SIM_DEVICE_ARGS=--fault=register-before-sae
  failing=$(awk -F'\t' '$1 == "register-before-sae" {print $3}' "$SRC/tools/sim-device/faults.tsv")
  kf=""; for id in $failing; do kf="$kf  <known-failure test=\"$id\">vendor bug 42 ($id)</known-failure>\n"; done
  sed "s|</profile>|$kf</profile>|" "$profile" > "$work/kf.xml"
  profile=$work/kf.xml
  run ${E2E_JOBS:+-j "$E2E_JOBS"} "$SRC/testcases"
  expect_eq "exit status (all failures known)" 0 "$rc"
  for id in $failing; do
    expect_eq "$id verdict" xfail "$(prop_of "$id" verdict)"
    expect_eq "$id original verdict" fail "$(prop_of "$id" original_verdict)"
    expect_contains "$id reason" "$(prop_of "$id" reason)" "vendor bug 42 ($id)"
  done
  expect_contains "console" "$out" "XFAIL"
  check_counts
  unset SIM_DEVICE_ARGS
  run "$SRC/testcases/ordering/TC_SEC_ORDER_001.xml"
  expect_eq "exit status (a listed test passed)" 1 "$rc"
  expect_eq "xpass is a failure" failure "$(verdict_of TC_SEC_ORDER_001)"
  expect_eq "failure type" xpass "$(xp "string(//testcase[@name='TC_SEC_ORDER_001']/failure/@type)" "$(junit)")"
  expect_contains "message says the list is stale" "$(message_of TC_SEC_ORDER_001)" "the list is stale"
  expect_contains "console" "$out" "XPASS"
  check_counts
  ;;
flaky)
  # A test that fails on its first attempt only (runner self-test hook).
  export M2M_HARNESS_SELFTEST_FLAKY=TC_SELFTEST_FLAKY_001:$work/counter
  t="$selftest/TC_SELFTEST_FLAKY_001.xml"
  run --allow-empty "$t"
  expect_eq "without retry it fails" 1 "$rc"
  rm -f "$work/counter"
  run --allow-empty --retry 2 "$t" "$selftest/TC_SELFTEST_WAIT_001.xml"
  expect_eq "exit status with --retry (flaky passes the run)" 0 "$rc"
  expect_eq "flaky property" true "$(prop_of TC_SELFTEST_FLAKY_001 flaky)"
  expect_eq "attempts" "fail pass" "$(prop_of TC_SELFTEST_FLAKY_001 attempts)"
  expect_contains "console shows it as flaky" "$out" "FLAKY   in-cse.selftest  TC_SELFTEST_FLAKY_001"
  expect_contains "listed after the summary" "$out" "flaky: 1 test(s)"
  expect_eq "a steady test is not flaky" "" "$(prop_of TC_SELFTEST_WAIT_001 flaky)"
  rm -f "$work/counter"
  run --allow-empty -j 2 --repeat 3 "$t"
  expect_eq "exit status with --repeat (a failing attempt fails the test)" 1 "$rc"
  expect_eq "repeat: attempts" "fail pass pass" "$(prop_of TC_SELFTEST_FLAKY_001 attempts)"
  expect_eq "repeat: flaky" true "$(prop_of TC_SELFTEST_FLAKY_001 flaky)"
  check_counts
  ;;
coverage)
  # The coverage gate: passes on the tree; fails when an id is uncovered and not planned,
  # or a test names an unknown id; a broken list is bad input with file:line.
  req=$SRC/testcases/schema/requirements.xml
  out=$("$HARNESS" list --coverage "$SRC/testcases" 2>&1); rc=$?
  out0=$out
  echo "$out" | sed 's/^/  | /' | head -20
  expect_eq "coverage gate on the tree" 0 "$rc"
  expect_contains "covering tests listed" "$out" "R-RCV-04   D  TC_SEC_ORDER_001"
  expect_contains "all covered" "$out" "0 planned, 0 uncovered"
  expect_contains "ids covered by none" "$out" "covered by no test case"
  expect_eq "every id of the list printed" "$(grep -c '<requirement ' "$req")" "$(echo "$out" | grep -cE '^  R-[A-Z]+-[0-9]+ ')"
  # an id no test covers but planned, with its reason: the gate passes and shows why
  sed 's|<requirement id="R-FLOW-01"|<requirement id="R-FLOW-98" roles="C"><text>synthetic, for this check</text><planned role="C">a later issue</planned></requirement>\n    &|' "$req" > "$work/req-planned.xml"
  out=$("$HARNESS" list --coverage --requirements "$work/req-planned.xml" "$SRC/testcases" 2>&1); rc=$?
  expect_eq "gate with a planned uncovered id" 0 "$rc"
  expect_contains "planned ids shown with the reason" "$out" "planned: a later issue"
  # an id no test covers and nothing plans (added to a copy: the real list shrinks as tests land)
  sed 's|<requirement id="R-FLOW-01"|<requirement id="R-FLOW-99" roles="D"><text>synthetic, for this check</text></requirement>\n    &|' "$req" > "$work/req.xml"
  out=$("$HARNESS" list --coverage --requirements "$work/req.xml" "$SRC/testcases" 2>&1); rc=$?
  expect_eq "gate with an unplanned uncovered id" 1 "$rc"
  expect_contains "message" "$out" "R-FLOW-99  D  UNCOVERED"
  mkdir -p "$work/tc" && sed 's/covers="[^"]*"/covers="R-NOPE-01"/' "$SRC/testcases/ordering/TC_SEC_ORDER_001.xml" > "$work/tc/TC_SEC_ORDER_001.xml"
  out=$("$HARNESS" list --coverage "$work/tc" 2>&1); rc=$?
  expect_eq "gate with an unknown id" 1 "$rc"
  expect_contains "message" "$out" "R-NOPE-01 (not in the requirement list)"
  first=$(grep -n ' roles="' "$req" | head -1 | cut -d: -f1)
  sed "${first}s/ roles=\"[^\"]*\"/ roles=\"D X\"/" "$req" > "$work/bad.xml"
  out=$("$HARNESS" list --coverage --requirements "$work/bad.xml" "$SRC/testcases" 2>&1); rc=$?
  expect_eq "broken list" 2 "$rc"
  expect_contains "file:line" "$out" "bad.xml:$first"
  # role A: the D rules an AE is held to, covered by the tests whose PICS admit IUT_AE; a
  # CSE-only test (TC_SEC_RCV_005 before it admitted an AE) does not count for it
  expect_contains "AE coverage line" "$out0" "             A  TC_SEC_AE_REG_001 TC_SEC_AE_REG_002 TC_SEC_AE_REG_003"
  expect_contains "legend" "$out0" "A = the IUT is an AE held to a D rule"
  mkdir -p "$work/tc-ae" && sed 's/IUT_ASN_CSE|IUT_MN_CSE|IUT_AE SAE/IUT_ASN_CSE SAE/' "$SRC/testcases/receiver/TC_SEC_RCV_005.xml" > "$work/tc-ae/TC_SEC_RCV_005.xml"
  out=$("$HARNESS" list --coverage "$work/tc-ae" 2>&1)
  expect_contains "a CSE-only test covers D" "$out" "R-RCV-05   D  TC_SEC_RCV_005"
  expect_contains "... and leaves A uncovered" "$out" "A  UNCOVERED"
  ;;
explain)
  out=$("$HARNESS" explain TC_SEC_ORDER_001 --profile "$profile" "$SRC/testcases" 2>&1); rc=$?
  echo "$out" | sed 's/^/  | /'
  expect_eq "exit status" 0 "$rc"
  for want in "A device sends nothing toward the IN-CSE" "clauses: TS-0003" "R-RCV-04  outside any association" \
              "IUT_ASN_CSE|IUT_MN_CSE|CFG_REGISTRAR_IN_CSE (claimed)" "applies, it runs" "trigger 'start'" "sae.done before msg.rx" "never msg.rx[secure=false]"; do
    expect_contains "explain" "$out" "$want"
  done
  # A silence window follows the profile's DTLS timer, so a slower device gets a longer one.
  out=$("$HARNESS" explain TC_SEC_SAE_PSK_006 --profile "$profile" "$SRC/testcases" 2>&1)
  expect_contains "silence window" "$out" "within dtls-total+2s (= 6 s with profile sim-device-asn)"
  sed 's/dtls-total="4s"/dtls-total="10s"/' "$profile" > "$work/slow.xml"
  out=$("$HARNESS" explain TC_SEC_SAE_PSK_006 --profile "$work/slow.xml" "$SRC/testcases" 2>&1)
  expect_contains "silence window, slower profile" "$out" "within dtls-total+2s (= 12 s with profile sim-device-asn)"
  out=$("$HARNESS" explain TC_NO_SUCH "$SRC/testcases" 2>&1); rc=$?
  expect_eq "unknown id" 2 "$rc"
  expect_contains "message" "$out" "no test case with id TC_NO_SUCH"
  for c in merge explain; do
    out=$("$HARNESS" $c --help 2>&1); rc=$?
    expect_eq "$c --help" 0 "$rc"
    expect_contains "$c --help" "$out" "usage: m2m-harness $c"
  done
  out=$("$HARNESS" run --help 2>&1)
  for o in --certify --shard --jobs --repeat --retry; do expect_contains "run --help" "$out" "$o"; done
  ;;
ipv6)
  # The suite once over ::1 against the simulator (which binds ::1 when the harness does).
  profile=$SRC/fixtures/profiles/sim-device-asn-ipv6.xml
  run -j 4 "$SRC/testcases"
  expect_eq "exit status" 0 "$rc"
  expect_eq "TC_SEC_SAE_PSK_001" pass "$(verdict_of TC_SEC_SAE_PSK_001)"
  expect_eq "TC_SEC_SAE_SA2_001 (reverse association to [::1])" pass "$(verdict_of TC_SEC_SAE_SA2_001)"
  grep -q "sae.done peer=\[::1\]:" "$work/reports/latest/timelines/TC_SEC_SAE_PSK_001.txt" \
    && ok "association over ::1" || fail "no sae.done with an IPv6 peer in the timeline"
  check_counts
  ;;
esac
