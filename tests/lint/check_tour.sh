#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 20: what a new user trips on in the README and docs. Every file a command of the
# README's tour names exists where the README says it is (tests/fixtures/ for the example
# firmware); every stm32flash command line in README.md and docs/ carries `-m 8n1` (a pty cannot
# take stm32flash's default 8E1: "Failed to set terminal flags"); the README explains x8/x32.
set -euo pipefail
cd "${FK_SRC:?}"
bad=0
# the tour's firmware: named in the tour, and where the README says
for f in $(sed -n '/^## A short tour/,/^## /p' README.md | grep -oE '\bfw\.[a-z]+\b' | sort -u); do
  grep -q "tests/fixtures/" README.md && [ -f "tests/fixtures/$f" ] ||
    { echo "README tour uses $f without saying where it is (tests/fixtures/$f)"; bad=1; }
done
# stm32flash command lines: `stm32flash ARGS... /dev/...` or a pty path
while IFS= read -r hit; do
  line=${hit#*:*:}
  for cmd in $(printf '%s\n' "$line" | grep -oE 'stm32flash( +-[^ `]+( +[^-/ `][^ `]*)?)* +/[^ `]+' | tr ' ' '~'); do
    case "$cmd" in
      *-m~8n1*) ;;
      *) echo "${hit%%:*}: stm32flash without -m 8n1 on a pty: ${cmd//\~/ }"; bad=1;;
    esac
  done
done < <(grep -rn "stm32flash" README.md docs/*.md)
grep -qE '\bx8\b.*\bx32\b' README.md && grep -qi 'parallelism' README.md ||
  { echo "README does not explain x8/x32 (program parallelism)"; bad=1; }
exit $bad
