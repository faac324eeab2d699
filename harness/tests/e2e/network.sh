#!/usr/bin/env bash
# Network end-to-end checks. Usage: network.sh CASE
#   repeat   the network suite (testcases/network: link control, loss with fixed seeds,
#            dropped DTLS state, delay and reorder, NAT rebinding) against the correct
#            simulator 5 times: every test passes
#            every time, verdicts are identical across runs, and the losses injected before
#            the handshake completes are the same datagram indices each run (loss depends on
#            seed, direction and index only, never on timing), as are the datagrams the
#            seed reorders in TC_SEC_NET_004; with the link raised after the device's
#            whole handshake budget, TC_SEC_NET_001 still passes (timers from link up)
#   netns    the SAE PSK tests and the network suite with the simulator in a network
#            namespace the harness creates (sim-device-asn-netns.xml): all pass, net.up is
#            controlled and first, <link state> drives the veth, nothing is left behind
#            (skips with 77 when not root, or when a namespace cannot be entered: a chroot)
# Needs HARNESS, SIM_DEVICE, SRC in the environment (meson test sets them).
set -uo pipefail
case_name=$1
: "${HARNESS:?}" "${SIM_DEVICE:?}" "${SRC:?}"
export SIM_DEVICE
unset SIM_DEVICE_ARGS M2M_HARNESS_SELFTEST_CRASH M2M_HARNESS_SELFTEST_FLAKY SSLKEYLOGFILE GNUTLS_KEYLOGFILE
. "$(dirname "$0")/lib.sh"

suite=$SRC/testcases/network
ids=$(ls "$suite" | sed -n 's/\.xml$//p' | sort)

# The reorderings before sae.done in TC_SEC_NET_004 (delay + reorder, seed 33): "dir index" pairs.
handshake_reorders() {
  awk '/ sae\.done /{exit} / net\.reorder /{for(i=1;i<=NF;i++) if($i ~ /^(dir|index)=/) printf "%s ", $i; print ""}' "$1"
}

# The losses before sae.done: "dir index" pairs, in order.
handshake_drops() {
  awk '/ sae\.done /{exit} / net\.drop .*reason=loss/{for(i=1;i<=NF;i++) if($i ~ /^(dir|index)=/) printf "%s ", $i; print ""}' "$1"
}

case "$case_name" in
repeat)
  first=""
  first_drops=""
  first_reorders=""
  for n in 1 2 3 4 5; do
    run -j 3 "$suite"
    verdicts=""
    for id in $ids; do verdicts="$verdicts $id=$(verdict_of "$id")"; done
    drops=$(handshake_drops "$work/reports/latest/timelines/TC_SEC_NET_001.txt")
    reorders=$(handshake_reorders "$work/reports/latest/timelines/TC_SEC_NET_004.txt")
    if [ "$n" = 1 ]; then
      first=$verdicts
      first_drops=$drops
      first_reorders=$reorders
      for id in $ids; do expect_eq "run 1: $id" pass "$(verdict_of "$id")"; done
      [ -n "$drops" ] && ok "run 1: the seed dropped handshake datagrams: $(echo $drops)" \
        || fail "run 1: the seed dropped no handshake datagram: the test proves no retransmission"
      [ -n "$reorders" ] && ok "run 1: the seed reordered handshake datagrams: $(echo $reorders)" \
        || fail "run 1: the seed reordered no handshake datagram"
      grep -q ' net\.rebind ' "$work/reports/latest/timelines/TC_SEC_NET_005.txt" \
        && grep -q ' sae\.done .*peer=127\.0\.0\.2:' "$work/reports/latest/timelines/TC_SEC_NET_005.txt" \
        && ok "run 1: TC_SEC_NET_005 re-established the association from the rebound address" \
        || fail "run 1: TC_SEC_NET_005 shows no new association from 127.0.0.2 after net.rebind"
    else
      expect_eq "run $n verdicts" "$first" "$verdicts"
      expect_eq "run $n handshake losses" "$first_drops" "$drops"
      expect_eq "run $n handshake reorderings" "$first_reorders" "$reorders"
    fi
  done
  # The device's handshake timers start when its link comes up, not when its process
  # starts (the link notices of iut/iutctl.h): TC_SEC_NET_001 with the link raised only after
  # the device's whole handshake budget (dtls-total) still gets its association, so how late
  # a loaded machine raises the link changes nothing. A device timing its handshake from
  # process start has given up by then.
  mkdir -p "$work/late"
  sed -e 's/<wait for="1s"\/>/<wait for="dtls-total+500ms"\/>/' -e 's/id="TC_SEC_NET_001"/id="TC_SEC_NET_101"/' \
    "$suite/TC_SEC_NET_001.xml" > "$work/late/TC_SEC_NET_101.xml"
  grep -q 'dtls-total+500ms' "$work/late/TC_SEC_NET_101.xml" || fail "the late-link copy of TC_SEC_NET_001 was not made"
  run -j 1 "$work/late"
  expect_eq "link raised after dtls-total: the handshake still completes" pass "$(verdict_of TC_SEC_NET_101)"
  if grep -q ' net\.drop dir=from-iut reason=down' "$work/reports/latest/timelines/TC_SEC_NET_101.txt"; then
    fail "the device sent while its link was down"; else ok "the device sent nothing while its link was down"; fi
  ;;
netns)
  # The IUT in a network namespace the harness creates (<control netns="true">, exec/netns.h):
  # the SAE PSK tests and the network suite pass there, net.up is the harness's own step
  # (no inferred=) before the first datagram, and no namespace or veth is left afterwards.
  if [ "$(id -u)" != 0 ]; then echo "SKIP: network namespaces need root"; exit 77; fi
  if ! ip netns add m2mh-probe-$$ 2>/dev/null; then echo "SKIP: ip netns add is not permitted here"; exit 77; fi
  # `ip netns exec` / `ip -n` enter a new mount namespace and remount /sys there, which a
  # plain chroot refuses although the namespace itself was made.
  if ! why=$(ip -n m2mh-probe-$$ link set lo up 2>&1 && ip netns exec m2mh-probe-$$ true 2>&1); then
    ip netns del m2mh-probe-$$
    echo "SKIP: cannot enter a network namespace here (ip -n / ip netns exec: $why)"; exit 77
  fi
  ip netns del m2mh-probe-$$
  profile=$SRC/fixtures/profiles/sim-device-asn-netns.xml
  run -j 2 -f 'TC_SEC_SAE_PSK_00*' -f 'TC_SEC_NET_*' "$SRC/testcases"
  expect_eq "exit status" 0 "$rc"
  ids="TC_SEC_SAE_PSK_001 TC_SEC_SAE_PSK_002 TC_SEC_SAE_PSK_007 $ids"
  for id in $ids; do expect_eq "$id in the namespace" pass "$(verdict_of "$id")"; done
  for id in $ids; do
    tl=$work/reports/latest/timelines/$id.txt
    # the harness's net.up: on the veth (link=), never inferred, before the first datagram
    first=$(awk '/ net\.up .*link=/{print "up"; exit} / (msg\.rx|sae\.start) /{print "datagram"; exit}' "$tl")
    expect_eq "$id: the controlled net.up comes first" up "$first"
    if grep -q ' net\.up .*inferred=' "$tl"; then fail "$id: a net.up was inferred"; else ok "$id: no inferred net.up"; fi
    grep -q ' sae\.done peer=10\.213\.' "$tl" && ok "$id: the IUT spoke from its namespace address" \
      || fail "$id: no sae.done from a 10.213. address"
  done
  # <link state="down"> before the start trigger keeps the veth down until <link state="up">
  # (TC_SEC_NET_001 waits 1 s between them): the veth's net.up follows the step, not start.
  for id in TC_SEC_NET_001 TC_SEC_NET_004; do
    tl=$work/reports/latest/timelines/$id.txt
    gap=$(awk '/ iut\.trigger name=start/{s=$1} / net\.up .*link=/{if (s != "") printf "%d", ($1 - s) * 1000; exit}' "$tl")
    if [ -n "$gap" ] && [ "$gap" -ge 900 ]; then ok "$id: veth raised by the link step, ${gap} ms after start"
    else fail "$id: veth net.up ${gap:-missing} ms after start, expected >= 900 (the <wait for=\"1s\"/> before <link state=\"up\"/>)"; fi
  done
  # m2mh<PID>: left behind when the test process that made it is gone (another harness run on
  # the same machine may hold its own namespaces meanwhile: those are alive)
  orphans() { grep -o 'm2mh[0-9]*' | sort -u | while read -r nm; do kill -0 "${nm#m2mh}" 2>/dev/null || echo "$nm"; done | wc -l; }
  expect_eq "namespaces left behind" 0 "$(ip netns list | orphans)"
  expect_eq "veth interfaces left behind" 0 "$(ip -o link show | grep ': m2mh' | orphans)"
  ;;
*) echo "unknown case $case_name"; exit 2 ;;
esac
finish
