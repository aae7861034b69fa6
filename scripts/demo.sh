#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo`: the main job against a locked digital twin: an STM32F407 at RDP level 1 with
# sectors 0-1 write-protected, as a board comes back from the field. Each step is the command a
# user types; the twin lives in a temporary directory.
set -uo pipefail
build=${1:-build/release}
fk="$(cd "$build" && pwd)/flashkey"
twin="$(cd "$build" && pwd)/flashkey-twin"
src=$(cd "$(dirname "$0")/.." && pwd)
fw="$src/tests/fixtures/fw.elf"
work=$(mktemp -d "${TMPDIR:-/tmp}/flashkey-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
# step: show the command, run it, show its exit code; must: the same, and stop the demo on failure
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; local rc=$?; echo "(exit $rc)"; return 0; }
must() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@" || { echo "demo: step failed: $*" >&2; exit 1; }; }
echo "== flashkey $("$fk" --version): the main job on a locked STM32F407 twin"
must "$twin" new stm32f407 board.twin --rdp 1 --wrp 0,1
step "$fk" -c twin:board.twin doctor "Error: Failed to download data! If it's a Flash memory, it may be not erased or protected"
step "$fk" -c twin:board.twin status
step "$fk" -c twin:board.twin unlock --dry-run
must "$fk" -c twin:board.twin unlock --allow-erase-all --backup-dir backups
step ls -R backups
must "$fk" -c twin:board.twin write "$fw"
must "$fk" -c twin:board.twin verify "$fw"
step "$fk" -c twin:board.twin status
"$fk" -c twin:board.twin status >/dev/null 2>&1 || { echo "demo: the chip is not clean" >&2; exit 1; }
echo
echo "== done: unlocked (with a backup), written, verified; status is clean"
