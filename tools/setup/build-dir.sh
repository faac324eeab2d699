#!/usr/bin/env bash
# Sets up a meson build folder with a named compiler, once:
#   tools/setup/build-dir.sh DIR [meson setup options...]
# The compiler is $CC, gcc when unset, never whatever `cc` points at: on a machine that had no
# compiler, installing clang (for the fuzzers) makes `cc` clang. A folder already set up with
# the other compiler family (gcc/clang) is set up anew (meson setup --wipe); one set up with
# the same family is left as it is (ninja reconfigures it when meson.build changes).
set -euo pipefail
dir=$1; shift
cc=${CC:-gcc}
family() { case $1 in *clang*) echo clang;; *gcc*|*cc) echo gcc;; *) echo "";; esac; }
want=$(family "$(basename "${cc%% *}")")
if [ -f "$dir/build.ninja" ]; then
  # meson's log of the setup names the compiler it found: "C compiler for the host machine: gcc (gcc 12.2.0 ...)"
  have=$(sed -n 's/^C compiler for the host machine: [^(]*(\([a-z]*\) .*/\1/p' "$dir/meson-logs/meson-log.txt" 2>/dev/null | tail -1)
  if [ -n "$want" ] && [ -n "$have" ] && [ "$have" != "$want" ]; then
    echo "build-dir: $dir was set up with $have, not $cc: setting it up anew"
    CC=$cc exec meson setup --wipe "$dir" "$@"
  fi
  exit 0
fi
CC=$cc exec meson setup "$dir" "$@"
