#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Licence lint: every source, build and script file carries an SPDX line in its first three lines
# (GPL-2.0-or-later, see LICENSE), and LICENSE exists. Data files (fuzz corpora, fixture images,
# Markdown) are exempt.
set -euo pipefail
cd "${FK_SRC:?}"
[ -f LICENSE ] || { echo "LICENSE is missing"; exit 1; }
bad=0
while IFS= read -r -d '' f; do
  case "$f" in
    ./build/*|./.git/*|./tests/fuzz/corpus/*|*/node_modules/*) continue;;
  esac
  if ! head -3 "$f" | grep -q 'SPDX-License-Identifier: GPL-2.0-or-later'; then
    echo "no SPDX line in the first 3 lines: ${f#./}"; bad=1
  fi
done < <(find . \( -path ./build -o -path ./.git -o -path ./tests/fuzz/corpus -o -name node_modules \) -prune -o \
          -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' -o -name '*.ld' -o -name '*.inc' \
          -o -name '*.sh' -o -name '*.cmake' -o -name CMakeLists.txt -o -name Makefile -o -name '*.py' \
          -o -name '*.js' -o -name '*.mjs' \) -print0)
# Sourced shell fragments and scripts need the shell comment form: a C comment there runs as a
# command (`/*` expands to the root directory's entries).
while IFS= read -r -d '' f; do
  if head -3 "$f" | grep -q '^/\* SPDX'; then echo "C-style SPDX comment in a shell file: ${f#./}"; bad=1; fi
done < <(find ./tests ./scripts ./.ci \( -path ./tests/fuzz/corpus -o -path ./tests/fixtures \) -prune -o \
          -type f \( -name '*.sh' -o -name '*.inc' -o -name run \) -print0)
[ -f .ci/run ] && ! head -3 .ci/run | grep -q SPDX && { echo "no SPDX line: .ci/run"; bad=1; }
exit $bad
