#!/usr/bin/env bash
# Load benchmark of the IN-CSE side: how many DTLS-PSK associations per second the harness,
# as IN-CSE during one test, accepts from a fleet, against libcoap's own coap-server-gnutls
# measured the same way in the same run, and how much memory each holds. A long-run command
# (about a minute on an idle machine), never part of CI: its numbers are reported, not asserted.
#
#   bash tools/bench/load-bench.sh [-b BUILD_DIR] [-n "1000 10000"] [-k 32] [-r ROUNDS]
#
# For every session count N (default 1,000 and 10,000), K in flight (default 32):
#  - bare: a fresh `coap-server-gnutls` (Debian libcoap3-bin) on a free 127.0.0.1 port with a
#    PSK (-k, no identity hint), and build/tools/bench/load-bench against its DTLS port: each
#    session a new handshake from its own source port, one CoAP GET of /, close_notify;
#  - harness: `m2m-harness run` of tools/bench/load/TC_BENCH_LOAD_001.xml with the profile
#    tools/bench/load/load-profile.xml, whose start command is the same load client against
#    the harness's coaps port (one oneM2M RETRIEVE per session); the test waits until the
#    client is done. Afterwards every session must be in the test's timeline: the sae.done
#    events of timelines/TC_BENCH_LOAD_001.txt in the report are counted.
# Peak RSS is the server process's VmHWM: the client reads it when its last session is done
# ("load"); for the harness the test's process is also watched until it exits ("test", after
# the timeline files are written), the harness's main process until the run ends ("parent",
# its reports included), the sum of the resident memory of all the run's processes at one
# moment, the largest seen every 50 ms ("sum": the whole run), and GNU time gives the run's
# largest single process ("run") when /usr/bin/time exists. With -r R each measurement is
# taken R times and the best rate is shown (the machine may be shared). Prints a table and the
# ratios harness/bare at the largest N and harness@largest / harness@smallest, by rate and by
# the server's CPU time per session ("CPU us/s", from /proc/PID/stat over the client's run:
# what the rate would be with a core of its own, steadier than the rate on a shared machine).
set -uo pipefail
cd "$(dirname "$0")/../.."
build=build sessions="1000 10000" inflight=32 rounds=1
while getopts "b:n:k:r:h" o; do
    case $o in
        b) build=$OPTARG ;; n) sessions=$OPTARG ;; k) inflight=$OPTARG ;; r) rounds=$OPTARG ;;
        *) sed -n '2,27p' "$0"; exit 2 ;;
    esac
done
lb=$PWD/$build/tools/bench/load-bench
harness=$PWD/$build/harness/m2m-harness
for f in "$lb" "$harness"; do [ -x "$f" ] || { echo "load-bench.sh: no $f (build first: ninja -C $build)"; exit 2; }; done
command -v coap-server-gnutls >/dev/null || { echo "load-bench.sh: coap-server-gnutls not found (apt-get install libcoap3-bin)"; exit 2; }
work=$(mktemp -d /tmp/m2m-load-bench.XXXXXX)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
key=m2m-harness-load-psk identity=load-device@in.m2m-harness.test
gnutime=; [ -x /usr/bin/time ] && gnutime=/usr/bin/time

# A port P with P and P+1 free for UDP on 127.0.0.1 (coap-server-gnutls serves DTLS on P+1 and
# binds with SO_REUSEADDR, so a taken port would not make it fail).
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$(( (RANDOM % 20000) * 2 + 20000 ))
        if ! ss -Huln "( sport = :$p or sport = :$((p + 1)) )" 2>/dev/null | grep -q .; then echo "$p"; return 0; fi
    done
    return 1
}

field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<< "$2" | head -1; }

# bare N: one fresh server, one client run; prints the client's result line
run_bare() {
    local n=$1 port out=$work/bare.out
    port=$(free_port) || { echo "load-bench.sh: no free port"; exit 1; }
    coap-server-gnutls -A 127.0.0.1 -p "$port" -k "$key" -h "" -v 0 >/dev/null 2>&1 &
    server=$!
    sleep 0.3
    rm -f "$out"
    "$lb" --port $((port + 1)) --identity "$identity" --key "$key" --sessions "$n" --inflight "$inflight" \
          --server-pid "$server" --label bare --out "$out" >/dev/null
    kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; server=
    cat "$out" 2>/dev/null
}

# Sampling without forking (it runs every 50 ms beside the measured run): kb_of KEY PID sets
# REPLY to the kB of /proc/PID/status's KEY (0 when gone); tree PID sets TREE to PID and its
# descendants, from the parent pids in /proc/*/stat.
kb_of() {
    local k v rest
    REPLY=0
    { while read -r k v rest; do [ "$k" = "$1:" ] && { REPLY=$v; break; }; done < "/proc/$2/status"; } 2>/dev/null
}
tree() {
    local -A kids=()
    local f line rest pid ppid p queue=("$1")
    for f in /proc/[0-9]*/stat; do
        { read -r line < "$f"; } 2>/dev/null || continue
        pid=${line%% *}; rest=${line##*) }; rest=${rest#* }; ppid=${rest%% *}
        kids[$ppid]+=" $pid"
    done
    TREE=()
    while [ ${#queue[@]} -gt 0 ]; do
        p=${queue[0]}; queue=("${queue[@]:1}"); TREE+=("$p")
        queue+=(${kids[$p]:-})
    done
}

# harness N: one run of the benchmark's test; prints the client's line plus test_hwm_kb=,
# parent_hwm_kb=, sum_rss_kb=, run_maxrss_kb=, timeline_sessions= and verdict=
run_harness() {
    local n=$1 out=$work/harness.out rep=$work/reports-$n hwm=0 phwm=0 sum=0 tot v pid child top
    rm -rf "$out" "$rep"
    M2M_LOAD_BENCH=$lb M2M_LOAD_SESSIONS=$n M2M_LOAD_INFLIGHT=$inflight M2M_LOAD_OUT=$out \
        ${gnutime:+$gnutime -f "run_maxrss_kb=%M" -o "$work/time.out"} \
        "$harness" run -q -p tools/bench/load/load-profile.xml -o "$rep" tools/bench/load/TC_BENCH_LOAD_001.xml \
        >"$work/run.log" 2>&1 &
    pid=$!
    # Every 50 ms until the run ends: the test's own process (below the harness's main process)
    # and the main process itself (the parent, which writes the reports), each by its VmHWM;
    # and the whole run (the parent, the test's process and the IUT: the load client) by the
    # sum of their VmRSS at one moment, the largest sum seen.
    local comm
    while kill -0 "$pid" 2>/dev/null; do
        top=$pid
        { read -r comm < /proc/"$pid"/comm; } 2>/dev/null
        if [ "$comm" != m2m-harness ]; then   # below GNU time
            tree "$pid"; top=${TREE[1]:-}
        fi
        [ -n "$top" ] || { sleep 0.05; continue; }
        kb_of VmHWM "$top"; [ "$REPLY" -gt "$phwm" ] && phwm=$REPLY
        tree "$top"
        tot=0
        for child in "${TREE[@]}"; do
            kb_of VmRSS "$child"; tot=$((tot + REPLY))
            [ "$child" = "$top" ] && continue
            comm=; { read -r comm < /proc/"$child"/comm; } 2>/dev/null
            [ "$comm" = m2m-harness ] || continue
            kb_of VmHWM "$child"; [ "$REPLY" -gt "$hwm" ] && hwm=$REPLY
        done
        [ "$tot" -gt "$sum" ] && sum=$tot
        sleep 0.05
    done
    wait "$pid"
    local tl=$rep/latest/timelines/TC_BENCH_LOAD_001.txt
    local done_n=$(grep -c ' sae\.done ' "$tl" 2>/dev/null || echo 0)
    local verdict=$(sed -n 's/.*\b\(PASS\|FAIL\|ERROR\|INCONC\)\b.*TC_BENCH_LOAD_001.*/\1/p' "$work/run.log" | head -1)
    [ -n "$verdict" ] || verdict=$(grep -q "1 passed" "$work/run.log" && echo PASS || echo "?")
    echo "$(cat "$out" 2>/dev/null) test_hwm_kb=$hwm parent_hwm_kb=$phwm sum_rss_kb=$sum $(cat "$work/time.out" 2>/dev/null) timeline_sessions=$done_n verdict=$verdict"
}

# the best of R rounds (highest rate)
best() {
    local fn=$1 n=$2 line best_line= best_rate=-1 r
    for _ in $(seq 1 "$rounds"); do
        line=$($fn "$n")
        r=$(field rate "$line"); r=${r:-0}
        if awk -v a="$r" -v b="$best_rate" 'BEGIN { exit !(a > b) }'; then best_rate=$r; best_line=$line; fi
    done
    echo "$best_line"
}

mb() { [ -n "$1" ] && [ "$1" -ge 0 ] 2>/dev/null && awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' || echo "-"; }

echo "load-bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $inflight in flight, best of $rounds"
declare -A rate cpu
printf '%-8s %8s %9s %9s %8s %14s %11s %13s %10s %10s %12s\n' server sessions "rate/s" "CPU us/s" failures "peak RSS load" "test (MiB)" "parent (MiB)" "sum (MiB)" "run (MiB)" timeline
status=0
for n in $sessions; do
    for who in bare harness; do
        line=$(best run_$who "$n")
        rate[$who,$n]=$(field rate "$line")
        cpu[$who,$n]=$(field server_cpu_us "$line")
        ok=$(field ok "$line")
        fails=$(field failed "$line")
        tlc=-; tst=-; runm=-; par=-; sumr=-
        if [ $who = harness ]; then
            tlc="$(field timeline_sessions "$line")/$n"
            tst=$(mb "$(field test_hwm_kb "$line")")
            par=$(mb "$(field parent_hwm_kb "$line")")
            sumr=$(mb "$(field sum_rss_kb "$line")")
            runm=$(mb "$(field run_maxrss_kb "$line")")
            [ "$(field timeline_sessions "$line")" = "$n" ] || { status=1; echo "load-bench.sh: the timeline holds $(field timeline_sessions "$line") sae.done events, not $n"; }
            [ "$(field verdict "$line")" = PASS ] || { status=1; echo "load-bench.sh: the benchmark's test did not pass; its output:"; cat "$work/run.log"; }
        fi
        [ -n "$ok" ] || { status=1; echo "load-bench.sh: no result from the client for $who $n"; }
        printf '%-8s %8s %9s %9s %8s %14s %11s %13s %10s %10s %12s\n' "$who" "$n" "${rate[$who,$n]:--}" "${cpu[$who,$n]:--}" "${fails:--}" \
               "$(mb "$(field vmhwm_kb "$line")") MiB" "$tst" "$par" "$sumr" "$runm" "$tlc"
    done
done
first=${sessions%% *} last=${sessions##* }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
echo "harness/bare at $last: rate $(ratio "${rate[harness,$last]:-0}" "${rate[bare,$last]:-0}"), by server CPU per session $(ratio "${cpu[bare,$last]:-0}" "${cpu[harness,$last]:-0}")"
echo "harness@$last / harness@$first: rate $(ratio "${rate[harness,$last]:-0}" "${rate[harness,$first]:-0}"), by server CPU per session $(ratio "${cpu[harness,$first]:-0}" "${cpu[harness,$last]:-0}")"
exit $status
