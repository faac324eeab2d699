# Shared by the e2e scripts (source it): a scratch dir, assertions on verdicts and reports,
# and run() for the harness against the profile in $profile. Needs HARNESS, SIM_DEVICE, SRC.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
profile=$SRC/fixtures/profiles/sim-device-asn.xml
selftest=$SRC/harness/tests/data/selftest
# Whole-suite runs take the harness's default -j (every test that waits at once: most of a
# test is waiting on timers), or -j "$E2E_JOBS" when it is set.
E2E_JOBS=${E2E_JOBS:-}
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok()   { echo "ok: $*"; }
expect_eq() { # what expected actual
  if [ "$2" = "$3" ]; then ok "$1 = $3"; else fail "$1: expected '$2', got '$3'"; fi
}
expect_contains() { # what haystack needle (an empty needle is refused: it is in every text)
  if [ -z "$3" ]; then fail "$1: the expected text is empty: the check would prove nothing"; return; fi
  case "$2" in *"$3"*) ok "$1 contains '$3'";; *) fail "$1: expected to contain '$3'; got: $2";; esac
}
xp() { xmllint --xpath "$1" "$2" 2>/dev/null; }
# The report the helpers read: reports/latest, or its folder of one profile (report_sub) after
# a run over several profiles (run_profiles).
report_sub=""
report() { echo "$work/reports/latest${report_sub:+/$report_sub}"; }
junit() { echo "$(report)/junit.xml"; }
# Verdicts of the latest report, read with four xmllint calls per report rather than four
# per test (a fault row asks for all ~95).
declare -A _verdict=()
_verdict_of_report=""
names_of() { xp "$1" "$(junit)" | sed 's/ name="\([^"]*\)"/\1 /g'; }
load_verdicts() {
  local key id k
  key="$(readlink -f "$(junit)") $(stat -c %Y.%s "$(junit)" 2>/dev/null)"
  [ "$key" = "$_verdict_of_report" ] && return
  _verdict=()
  for id in $(names_of '//testcase/@name'); do
    [ -n "${_verdict[$id]:-}" ] && _verdict[$id]=missing || _verdict[$id]=pass   # twice: not one test
  done
  for k in failure error skipped; do
    for id in $(names_of "//testcase[$k]/@name"); do [ "${_verdict[$id]}" = missing ] || _verdict[$id]=$k; done
  done
  _verdict_of_report=$key
}
verdict_of() { # test id -> pass|failure|error|skipped|missing
  load_verdicts
  echo "${_verdict[$1]:-missing}"
}
# The evidence of an unexpected verdict, for the CI log (the scratch dir is gone after): the
# last lines of the test's timeline.
evidence() { # test id
  local t; t="$(report)/timelines/$1.txt"
  [ -f "$t" ] || return 0
  echo "  evidence: the last 30 events of $1's timeline"
  tail -n 30 "$t" | cut -c1-400 | sed 's/^/  : /'
}
message_of() { xp "string(//testcase[@name='$1']/*[self::failure or self::error or self::skipped]/@message)" "$(junit)"; }
check_counts() { # the suite counts equal the children
  local j; j=$(junit)
  expect_eq "testsuites tests = testcase count" "$(xp 'count(//testcase)' "$j")" "$(xp 'string(/testsuites/@tests)' "$j")"
  expect_eq "testsuites failures" "$(xp 'count(//testcase/failure)' "$j")" "$(xp 'string(/testsuites/@failures)' "$j")"
  expect_eq "testsuites errors" "$(xp 'count(//testcase/error)' "$j")" "$(xp 'string(/testsuites/@errors)' "$j")"
  if xmllint --noout --schema "$SRC/harness/report/junit.xsd" "$j" 2>/dev/null; then ok "junit.xml valid against junit.xsd"
  else fail "junit.xml does not validate against junit.xsd"; fi
}
run() { # args... ; sets rc and out
  out=$("$HARNESS" run --profile "$profile" --report-dir "$work/reports" "$@" 2>&1)
  rc=$?
  echo "$out" | sed 's/^/  | /'
  [ -f "$(junit)" ] && load_verdicts   # here, not in the $(verdict_of) subshells, so it is kept
}

run_profiles() { # "profile names" args... : one run over those bundled profiles, one job pool;
  # sets rc and out; the helpers then read the profile that report_sub names
  local names=$1 p args=(); shift
  for p in $names; do args+=(--profile "$SRC/fixtures/profiles/$p.xml"); done
  out=$("$HARNESS" run "${args[@]}" --report-dir "$work/reports" "$@" 2>&1)
  rc=$?
  echo "$out" | sed 's/^/  | /'
}

finish() { # the last line of every e2e script: exit status from the checks
  if [ "$failures" -ne 0 ]; then echo "$case_name: $failures check(s) failed"; exit 1; fi
  echo "$case_name: all checks passed"
}
