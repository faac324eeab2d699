#!/usr/bin/env bash
# Include direction: a module includes only its own layer and lower ones, and the reference
# peers and tools include no header of the executor, the runner or the command line.
# Order: util < flow < net < onem2m < model < enrol < cse < iut < exec < run < report < cli.
set -uo pipefail
cd "${SRC:-$(dirname "$0")/../..}"
order=(util flow net onem2m model enrol cse iut exec run report cli)
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }
bad=0
# the one allowed upward include: the profile's enrolment part is a leaf data header
allowed='harness/model/profile.h:../enrol/profile_mef.h'
for f in harness/*/*.[ch]; do
  layer=${f#harness/}; layer=${layer%%/*}
  r=$(rank "$layer"); [ "$r" -ge 0 ] || continue
  while IFS= read -r inc; do
    case "$inc" in ../*/*) ;; *) continue ;; esac
    to=${inc#../}; to=${to%%/*}
    t=$(rank "$to")
    if [ "$t" -gt "$r" ] && [ "$f:$inc" != "$allowed" ]; then
      echo "$f includes $inc: $layer may not include the higher layer $to"; bad=1
    fi
  done < <(sed -n 's/^#include "\(.*\)"/\1/p' "$f")
done
for f in tools/*/*.[ch]; do
  if grep -nE '#include "(exec|run|cli|report)/' "$f"; then
    echo "$f: a reference peer or tool includes a header of the harness's executor, runner, reports or command line"; bad=1
  fi
done
[ $bad = 0 ] && echo "include direction: ok ($(ls harness/*/*.[ch] | wc -l) files)"
exit $bad
