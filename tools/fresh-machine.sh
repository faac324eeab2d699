#!/usr/bin/env bash
# Runs the README's commands on a fresh Debian 12 machine: a minimal bookworm root made with
# debootstrap (no compiler, no tools beyond the "required" packages), a clone of this
# checkout's committed HEAD inside it, and the first two commands of the README's first code
# block (the main job, then the tests) run there as root, each with its time and exit status.
#
#   tools/fresh-machine.sh [--dir DIR] [--keep] [--main-only] [--mirror URL]
#
#   --dir DIR    where the root is made (default /var/tmp/m2m-harness-fresh); the logs of the
#                run go to DIR.logs/ beside it
#   --keep       keep the root afterwards; a later run with the same --dir reuses it (quicker,
#                but no longer fresh: what the first run installed is still there)
#   --main-only  run only the first command (the main job)
#   --mirror URL the Debian mirror (default: the first bookworm URI of the host's apt sources)
#
# Runs as root (debootstrap, chroot, mount). The machine's own settings a real machine here has
# are copied in: apt sources, CA certificates (the package registries are reached through the
# machine's certificate authority) and npm's configuration. Exit status: 0 when every command
# run exited 0, 1 otherwise, 2 for a bad invocation or a root that could not be made.
# How long it takes, and what it proves: docs/fresh-machine.md.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
dir=/var/tmp/m2m-harness-fresh
keep=0
main_only=0
mirror=""
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=${2:?--dir needs a folder}; shift 2;;
    --dir=*) dir=${1#--dir=}; shift;;
    --keep) keep=1; shift;;
    --main-only) main_only=1; shift;;
    --mirror) mirror=${2:?--mirror needs a URL}; shift 2;;
    --mirror=*) mirror=${1#--mirror=}; shift;;
    -h|--help) usage; exit 0;;
    *) echo "fresh-machine: unknown argument '$1'" >&2; usage >&2; exit 2;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "fresh-machine: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
dir=$(realpath -m "$dir")
case $dir in /|/usr|/var|/tmp|/root|/home|"$src"|"$src"/*) echo "fresh-machine: refusing --dir $dir" >&2; exit 2;; esac
logs=$dir.logs
mkdir -p "$logs"

# The README's commands: the first two non-empty lines of its first fenced code block.
mapfile -t cmds < <(awk '/^```/{ if (inblock) exit; inblock = 1; next } inblock && NF' "$src/README.md" | head -2)
[ ${#cmds[@]} -eq 2 ] || { echo "fresh-machine: README.md's first code block does not hold two commands" >&2; exit 2; }
[ $main_only = 1 ] && cmds=("${cmds[0]}")

# The mirror: the first URI of the host's apt sources that serves bookworm itself.
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
  mirror=$(awk '/^URIs:/{u=$2} /^Suites:/{for (i = 2; i <= NF; i++) if ($i == "bookworm" && u != "") {print u; exit}}' \
    /etc/apt/sources.list.d/debian.sources)
fi
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

t_all=$(date +%s)
mounted=()
cleanup() {
  local rc=$?
  set +e
  # Processes the commands left running inside the root (their root is $dir): ended by pid,
  # or the mounts stay busy.
  local p pids=()
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$dir" ] && pids+=("${p#/proc/}")
  done
  if [ ${#pids[@]} -gt 0 ]; then
    echo "fresh-machine: ending ${#pids[@]} process(es) left inside the root: ${pids[*]}"
    kill "${pids[@]}" 2>/dev/null; sleep 1; kill -9 "${pids[@]}" 2>/dev/null
  fi
  # Every mount under the root, the latest first: ours, and those the tests made inside it
  # (`ip netns add` mounts /run/netns).
  local m n=0
  if [ ${#mounted[@]} -gt 0 ]; then
    while m=$(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/mounts | tail -n 1) && [ -n "$m" ]; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || { echo "fresh-machine: could not unmount $m"; break; }
      n=$((n + 1)); [ $n -lt 100 ] || break
    done
  fi
  if [ $keep = 0 ] && [ -d "$dir" ]; then
    if awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {f = 1} END {exit !f}' /proc/mounts; then
      echo "fresh-machine: something is still mounted under $dir: not removing it"
    else
      rm -rf --one-file-system "$dir"
    fi
  fi
  [ $keep = 1 ] && echo "fresh-machine: root kept in $dir"
  echo "fresh-machine: logs in $logs/; everything took $(( $(date +%s) - t_all ))s"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_root() { # command (a string for bash -c): run as root inside the root, with a clean environment
  chroot "$dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c "$1"
}

# 1. The root.
if [ -f "$dir/etc/debian_version" ] && [ -x "$dir/usr/bin/apt-get" ]; then
  echo "fresh-machine: reusing the root in $dir (Debian $(cat "$dir/etc/debian_version")): not a fresh machine any more"
else
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    echo "fresh-machine: $dir exists and is not a Debian root: choose another --dir" >&2; keep=1; exit 2
  fi
  if ! command -v debootstrap >/dev/null; then
    echo "fresh-machine: installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap </dev/null >"$logs/debootstrap-install.log" 2>&1 \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap </dev/null >>"$logs/debootstrap-install.log" 2>&1; } \
      || { echo "fresh-machine: could not install debootstrap (see $logs/debootstrap-install.log)" >&2; exit 2; }
  fi
  echo "fresh-machine: debootstrap --variant=minbase bookworm $dir $mirror"
  t0=$(date +%s)
  if ! debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$logs/debootstrap.log" 2>&1; then
    echo "fresh-machine: debootstrap failed; the end of $logs/debootstrap.log:" >&2
    tail -n 20 "$logs/debootstrap.log" >&2
    exit 2
  fi
  echo "fresh-machine: root made in $(( $(date +%s) - t0 ))s ($(du -sh --one-file-system "$dir" | cut -f1))"
fi

# 2. What this machine's own setup gives every machine here: apt sources, CA certificates,
#    npm's configuration, /etc/hosts (a minbase root has none).
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  cp /etc/apt/sources.list.d/debian.sources "$dir/etc/apt/sources.list.d/debian.sources"
  rm -f "$dir/etc/apt/sources.list"
fi
mkdir -p "$dir/usr/local/share/ca-certificates"
n_ca=0
for c in /usr/local/share/ca-certificates/*.crt; do
  [ -f "$c" ] || continue
  cp "$c" "$dir/usr/local/share/ca-certificates/"; n_ca=$((n_ca + 1))
done
npm_global=$(npm config get globalconfig 2>/dev/null || true)
n_npm=0
if [ -n "$npm_global" ] && [ -f "$npm_global" ]; then
  # the same path, and Debian's npm's own (/etc/npmrc)
  for d in "$npm_global" /etc/npmrc; do
    mkdir -p "$dir$(dirname "$d")"; cp "$npm_global" "$dir$d"
  done
  n_npm=$((n_npm + 1))
fi
if [ -f "$HOME/.npmrc" ]; then
  mkdir -p "$dir/root"; install -m 600 "$HOME/.npmrc" "$dir/root/.npmrc"; n_npm=$((n_npm + 1))
fi
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$dir/etc/hosts"
echo "fresh-machine: copied in apt sources, $n_ca CA certificate(s), $n_npm npm config file(s); wrote /etc/hosts"

# 3. Mounts: the root is made a mount point of its own (so `ip netns exec`, which remounts
#    in a new mount namespace, has one), then /proc, /sys, /dev, /dev/pts, /dev/shm.
mount --bind "$dir" "$dir"; mounted+=("$dir")
for m in /proc /sys /dev /dev/pts /dev/shm; do
  [ -d "$m" ] || continue
  mkdir -p "$dir$m"
  mount --bind "$m" "$dir$m"; mounted+=("$dir$m")
done
if command -v update-ca-certificates >/dev/null && in_root 'command -v update-ca-certificates >/dev/null'; then
  in_root 'update-ca-certificates >/dev/null'
fi
# (In a minbase root ca-certificates is not installed yet: the setup step installs it, and its
# installation takes the certificates copied above.)

# 4. The checkout's committed HEAD, cloned into the root.
head=$(git -C "$src" rev-parse HEAD)
[ -z "$(git -C "$src" status --porcelain --untracked-files=no)" ] \
  || echo "fresh-machine: note: uncommitted changes in $src are not part of the run (HEAD ${head:0:12} is)"
rm -rf "$dir/root/m2m-harness"
git clone -q --no-checkout "$src" "$dir/root/m2m-harness"
git -C "$dir/root/m2m-harness" fetch -q "$src" "$head"
git -C "$dir/root/m2m-harness" -c advice.detachedHead=false checkout -q --detach "$head"
echo "fresh-machine: cloned $(git -C "$src" log -1 --format='%h %s' "$head" | cut -c1-100)"

# 5. The README's commands, one after the other.
overall=0
results=()
i=0
for c in "${cmds[@]}"; do
  i=$((i + 1))
  log=$logs/command-$i.log
  echo "=== fresh-machine: command $i: $c   (output also in $log)"
  t0=$(date +%s)
  set +e
  in_root "cd /root/m2m-harness && $c" </dev/null 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  dt=$(( $(date +%s) - t0 ))
  echo "=== fresh-machine: command $i: $c: exit status $rc in ${dt}s"
  results+=("$(printf '%-28s exit %3d  %5ds' "$c" "$rc" "$dt")")
  [ "$rc" = 0 ] || overall=1
done
echo
echo "fresh-machine: on a fresh Debian 12 (bookworm minbase) root, commit ${head:0:12}:"
for r in "${results[@]}"; do echo "  $r"; done
exit $overall
