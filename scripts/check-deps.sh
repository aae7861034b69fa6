#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The dependency rule (docs/HACKING.md): layers point one way. A file may include headers of its
# own layer and of layers below it, never above; cli/ includes only public headers
# (flashkey/..., fktwin/...) and its own; lib/ never includes twin/.
set -euo pipefail
cd "$(dirname "$0")/.."
# rank of each lib layer: a layer may include ranks <= its own (same-rank peers are not allowed
# to include each other unless listed in ALLOWED below).
declare -A rank=([core]=0 [image]=1 [devices]=1 [link]=2 [probe]=3 [boot]=3 [debug]=4
                 [chip]=5 [plan]=6 [doctor]=7 [api]=8)
# peers that may include each other: (none yet)
fail=0
while IFS= read -r -d '' f; do
  layer=$(echo "$f" | cut -d/ -f2)
  r=${rank[$layer]:-}
  if [ -z "$r" ]; then echo "check-deps: $f: lib/$layer is not a known layer (add it to scripts/check-deps.sh)"; fail=1; continue; fi
  while IFS= read -r inc; do
    dir=${inc%%/*}
    [ "$dir" = "$inc" ] && continue          # same-directory include
    case "$dir" in flashkey) continue;; twin|fktwin) echo "check-deps: $f includes \"$inc\": lib/ must not depend on the twin"; fail=1; continue;; esac
    ir=${rank[$dir]:-}
    if [ -z "$ir" ]; then echo "check-deps: $f includes unknown \"$inc\""; fail=1; continue; fi
    if [ "$ir" -gt "$r" ]; then
      echo "check-deps: $f (layer $layer) includes \"$inc\" from layer $dir above it"; fail=1
    elif [ "$ir" -eq "$r" ] && [ "$dir" != "$layer" ]; then
      echo "check-deps: $f (layer $layer) includes \"$inc\" from sibling layer $dir"; fail=1
    fi
  done < <(grep -oE '^#include "[^"]+"' "$f" | sed 's/#include "//; s/"$//')
done < <(find lib -name '*.[ch]' -print0)
while IFS= read -r -d '' f; do
  while IFS= read -r inc; do
    case "$inc" in flashkey/*|fktwin/*|cli.h|cmd_*.h|common/*|twin_cli.h) ;; *)
      echo "check-deps: $f includes internal header \"$inc\": cli/ uses only the public API"; fail=1;; esac
  done < <(grep -oE '^#include "[^"]+"' "$f" | sed 's/#include "//; s/"$//')
done < <(find cli -name '*.[ch]' -print0)
[ $fail -eq 0 ] && echo "check-deps: dependency rule holds"
exit $fail
