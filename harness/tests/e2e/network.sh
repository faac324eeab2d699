#!/usr/bin/env bash
# Network end-to-end checks (issue 8). Usage: network.sh CASE
#   repeat   the network suite (testcases/network: link control, loss with fixed seeds,
#            dropped DTLS state) against the correct simulator 5 times: every test passes
#            every time, verdicts are identical across runs, and the losses injected before
#            the handshake completes are the same datagram indices each run (loss depends on
#            seed, direction and index only, never on timing)
# Needs HARNESS, SIM_DEVICE, SRC in the environment (meson test sets them).
set -uo pipefail
case_name=$1
: "${HARNESS:?}" "${SIM_DEVICE:?}" "${SRC:?}"
export SIM_DEVICE
unset SIM_DEVICE_ARGS M2M_HARNESS_SELFTEST_CRASH M2M_HARNESS_SELFTEST_FLAKY SSLKEYLOGFILE GNUTLS_KEYLOGFILE
. "$(dirname "$0")/lib.sh"

suite=$SRC/testcases/network
ids=$(ls "$suite" | sed -n 's/\.xml$//p' | sort)

# The losses before sae.done: "dir index" pairs, in order.
handshake_drops() {
  awk '/ sae\.done /{exit} / net\.drop .*reason=loss/{for(i=1;i<=NF;i++) if($i ~ /^(dir|index)=/) printf "%s ", $i; print ""}' "$1"
}

case "$case_name" in
repeat)
  first=""
  first_drops=""
  for n in 1 2 3 4 5; do
    run -j 3 "$suite"
    verdicts=""
    for id in $ids; do verdicts="$verdicts $id=$(verdict_of "$id")"; done
    drops=$(handshake_drops "$work/reports/latest/timelines/TC_SEC_NET_001.txt")
    if [ "$n" = 1 ]; then
      first=$verdicts
      first_drops=$drops
      for id in $ids; do expect_eq "run 1: $id" pass "$(verdict_of "$id")"; done
      [ -n "$drops" ] && ok "run 1: the seed dropped handshake datagrams: $(echo $drops)" \
        || fail "run 1: the seed dropped no handshake datagram: the test proves no retransmission"
    else
      expect_eq "run $n verdicts" "$first" "$verdicts"
      expect_eq "run $n handshake losses" "$first_drops" "$drops"
    fi
  done
  ;;
*) echo "unknown case $case_name"; exit 2 ;;
esac
finish
