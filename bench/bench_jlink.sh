#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_jlink: the J-Link row of issue 18 "Speed": 1 MiB programmed into an STM32F407 twin by
# flashkey's jlink: connection (lib/probe/jlink.c through Debian's libjaylink) behind the emulated
# J-Link V9 on the USB bridge (`flashkey-twin with-usb`: full-speed USB, SWD 4 MHz; the USB and
# SWD timing model is the emulator's, twin/probe/probe_emu.h; the bridge adds no time of its own).
# Time is the twin's virtual clock, read from `flashkey-twin show --json` before and after.
# "Programming" is erase + write (`write --no-verify`), the quantity the flash-physics ceiling
# bounds, as bench_probes computes it (DS8626 Table 40 typical: mass erase 8 s at x32, tPROG
# 16 us per x32 word: 12.194 s); the read-back verify (`verify`) is timed on its own.
# Target: >= 80 % of the ceiling.
set -uo pipefail
build=${FK_BUILD:?FK_BUILD not set}
K=$build/flashkey
T=$build/flashkey-twin
W=$(mktemp -d "${TMPDIR:-/tmp}/fk-bench-jlink.XXXXXX")
trap 'rm -rf "$W"' EXIT
head -c 1048576 /dev/urandom >"$W/img.bin"
vns() { "$T" show "$W/b.twin" --json | python3 -c "import json, sys; print(json.load(sys.stdin)['virtual_ns'])"; }
usb() { timeout 900 "$T" with-usb "$W/b.twin" --no-preload --probe jlink -- "$K" -c jlink --speed 4000 "$@"; }

"$T" new stm32f407 "$W/b.twin" >/dev/null || exit 1
v0=$(vns)
usb write "$W/img.bin" --base 0x08000000 --no-verify >"$W/w.out" 2>&1 ||
	{ tail -5 "$W/w.out"; echo "(flashkey jlink: write failed)"; exit 1; }
v1=$(vns)
usb verify "$W/img.bin" --base 0x08000000 >"$W/v.out" 2>&1 ||
	{ tail -5 "$W/v.out"; echo "(flashkey jlink: verify failed)"; exit 1; }
v2=$(vns)
python3 - "$v0" "$v1" "$v2" <<'PY'
import sys
v0, v1, v2 = (int(x) for x in sys.argv[1:])
ceil = 8.0 + (1048576 // 4) * 16e-6
prog, ver = (v1 - v0) / 1e9, (v2 - v1) / 1e9
print('bench_jlink: 1 MiB into an STM32F407 twin at x32 through the emulated J-Link V9 (USB FS, '
      'SWD 4 MHz); ceiling %.3f s' % ceil)
print('bench_jlink: program %.3f s: %.1f %% of the ceiling (target >= 80 %%: %s); read-back '
      'verify %.3f s more (%.1f %% with it)' % (prog, 100 * ceil / prog,
      'met' if ceil / prog >= 0.8 else 'MISSED', ver, 100 * ceil / (prog + ver)))
PY
