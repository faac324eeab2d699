#!/usr/bin/env bash
# The field suite (testcases/field, the harness as the field node and DTLS client) against an
# independent DTLS server: libcoap's coap-server-openssl / coap-server-gnutls (Debian package
# libcoap3-bin) with PSK or with the test PKI. Usage: field-peer.sh PROFILE (a file of
# fixtures/profiles/). Every test's verdict is the one harness/tests/e2e/expected/PROFILE.tsv
# gives, exactly: its expected failures are the peer's own, each with its reason; a test the
# file does not list takes the "*" row (the oneM2M-level tests skip: the peer is not a CSE).
# Needs HARNESS, SRC in the environment (meson test sets them).
set -uo pipefail
case_name=$1
: "${HARNESS:?}" "${SRC:?}"
. "$(dirname "$0")/lib.sh"
profile=$SRC/fixtures/profiles/$case_name.xml
expected=$SRC/harness/tests/e2e/expected/$case_name.tsv
[ -f "$profile" ] && [ -f "$expected" ] || { echo "no profile or expected verdicts for $case_name"; exit 2; }
bin=$(grep -o 'coap-server-[a-z]*' "$profile" | head -1)
command -v "$bin" >/dev/null || { echo "$bin not installed (libcoap3-bin)"; exit 1; }
command -v ss >/dev/null || { echo "ss not installed (iproute2): the profile's readiness check needs it"; exit 1; }

row() { # test id -> "verdict<TAB>reason" from the expected file, the "*" row by default
  awk -F'\t' -v id="$1" '!/^#/ && $1 == id { print $2 "\t" $3; f = 1; exit }
    END { if (!f) exit 1 }' "$expected" ||
    awk -F'\t' '!/^#/ && $1 == "*" { print $2 "\t" $3; exit }' "$expected"
}

run -j 2 "$SRC/testcases/field"
ids=$(xp '//testcase/@name' "$(junit)" | sed 's/ name="\([^"]*\)"/\1 /g')
expect_eq "field tests run" "$(ls "$SRC"/testcases/field/*.xml | wc -l)" "$(echo $ids | wc -w)"
# Every listed id is a test that exists (a stale row fails here, not silently).
for id in $(awk -F'\t' '!/^#/ && $1 != "*" && NF { print $1 }' "$expected"); do
  [ -f "$SRC/testcases/field/$id.xml" ] || fail "$expected lists $id, which is no field test"
done
nfail=0
for id in $ids; do
  r=$(row "$id"); want=${r%%	*}; why=${r#*	}
  v=$(verdict_of "$id")
  case $want in
    skipped) [ "$v" = skipped ] && expect_contains "$id skipped" "$(message_of "$id")" "$why" \
               || fail "$id: expected skipped ($why), got $v ($(message_of "$id"))";;
    failure) nfail=$((nfail + 1))
             [ "$v" = failure ] && ok "$id fails as expected: $why" \
               || fail "$id: expected failure ($why), got $v ($(message_of "$id"))";;
    pass)    [ "$v" = pass ] && ok "$id passes ($why)" || fail "$id: expected pass, got $v ($(message_of "$id"))";;
    *)       fail "$id: bad verdict '$want' in $expected";;
  esac
done
expect_eq "exit status" "$([ "$nfail" -gt 0 ] && echo 1 || echo 0)" "$rc"
# The peer really was the DTLS server: handshakes completed, all with the harness as client.
n=$(cat "$work"/reports/latest/timelines/*.txt | grep -c ' sae.done .*side=client')
[ "$n" -gt 0 ] && ok "$n client-side handshake(s) completed with $bin" || fail "no handshake completed with $bin"
! grep -q 'side=server' "$work"/reports/latest/timelines/*.txt \
  && ok "no server-side handshake in the field role" || fail "a server-side handshake in the field role"
check_counts
finish
