#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_ch341a: issue 15 "Speed" for the CH341A path, on the twin's virtual clock: an 8 MiB
# image written into, and read back from, a W25Q64JV twin behind the emulated CH341A of
# `flashkey-twin serve --usb-bridge 'SOCKET;ch341a'` (twin/probe/ch341a_emu.c), by flashkey
# (`-c ch341a`, its libusb code through the bridge library) and by flashrom 1.3
# (`-p ch341a_spi`, unchanged), each on a copy of the same twin holding another image (so every
# block must be erased). The time is what the server prints: the chip's virtual time while
# served.
#
# The ceiling is the emulated link and the chip (the figures the twin charges:
# twin/probe/ch341a_emu.c, usb_emu.c; lib/devices/spinor.c W25Q64JV typ):
#   SPI clock 1.5 MHz (5.333 us a byte); USB full speed, 32 us a 32-byte packet, each way (the
#   CH341A returns a byte for every byte it shifts); every instruction needs a chip-select
#   packet in front of its SPI packets (31 bytes each).
#   write: per 256-byte page WREN (1 byte) and Page Program (4 + 256 bytes): their SPI time, 12
#          packets out (2 chip-select, 1 + 9 SPI) and 10 back, and tPP 0.4 ms; plus the
#          erase, min(tCE 20 s, 128 x tBE2 150 ms) = 19.2 s. No status read is counted.
#   read:  the image's bytes at the SPI clock and its packets both ways.
# Targets: >= 90 % of the ceiling; flashkey faster than flashrom (the ratio is printed).
set -uo pipefail
build=${FK_BUILD:?FK_BUILD not set}
K=$build/flashkey
T=$build/flashkey-twin
W=$(mktemp -d "${TMPDIR:-/tmp}/fk-bench-ch341a.XXXXXX")
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$W"' EXIT
head -c 8388608 /dev/urandom >"$W/img.bin"
head -c 8388608 /dev/urandom >"$W/old.bin"
"$T" new w25q64jv "$W/base.twin" >/dev/null || exit 1
"$K" -c "twin-ch341a:$W/base.twin" write "$W/old.bin" --no-verify >/dev/null 2>&1 ||
	{ echo "bench_ch341a: could not prepare the twin"; exit 1; }

serve() { # serve NAME: a copy of the prepared twin behind an emulated CH341A
	cp "$W/base.twin" "$W/$1.twin"
	rm -f "$W/usb.sock"
	"$T" serve "$W/$1.twin" --usb-bridge "$W/usb.sock;ch341a" >"$W/$1.log" 2>&1 &
	SRV=$!
	for _ in $(seq 200); do [ -S "$W/usb.sock" ] && return 0; sleep 0.05; done
	echo "server did not start: $(cat "$W/$1.log")"; return 1
}
stop() { # VT = the virtual seconds the server reports for the peer's session
	kill -TERM "$SRV"; wait "$SRV" 2>/dev/null; SRV=
	VT=$(sed -n 's/^virtual time: \([0-9.]*\) s.*/\1/p' "$W/$1.log")
	[ -n "$VT" ] || { echo "no virtual time in $W/$1.log: $(cat "$W/$1.log")"; VT=0; }
}
bridged() { # a program through the bridge library (the bridge's own libusb-1.0.so.0)
	FLASHKEY_USB_BRIDGE="$W/usb.sock" LD_LIBRARY_PATH="$build/usb-bridge" "$@"
}
pct() { python3 -c "print('%.1f %%' % (100 * $1 / $2) if $2 else 'n/a')"; }

read -r wceil rceil < <(python3 - <<'PY'
byte, pkt = 8 / 1.5e6, 32e-6
pages = 8388608 // 256
page = 261 * byte + (12 + 10) * pkt + 400e-6
erase = min(20.0, 128 * 0.150)
read = 8388608 * byte + 2 * (-(-8388608 // 31)) * pkt
print(pages * page + erase, read)
PY
)
echo "bench_ch341a: 8 MiB, W25Q64JV twin behind an emulated CH341A (1.5 MHz SPI, USB full speed);" \
	"ceiling: write $(printf '%.2f' "$wceil") s, read $(printf '%.2f' "$rceil") s"

serve fkw || exit 1
bridged timeout 1200 "$K" -c ch341a write "$W/img.bin" --no-verify >"$W/fkw.out" 2>&1 ||
	{ tail -3 "$W/fkw.out"; echo "(flashkey write failed)"; }
stop fkw
fw=$VT
echo "bench_ch341a: flashkey write (erase + program, no verify) $fw s: $(pct "$wceil" "$fw") of" \
	"the ceiling (target >= 90 %)"
cp "$W/fkw.twin" "$W/base.twin"
serve fkr || exit 1
bridged timeout 1200 "$K" -c ch341a read "$W/back.bin" >"$W/fkr.out" 2>&1 ||
	{ tail -3 "$W/fkr.out"; echo "(flashkey read failed)"; }
stop fkr
fr=$VT
cmp -s "$W/back.bin" "$W/img.bin" || echo "bench_ch341a: flashkey read back something else"
echo "bench_ch341a: flashkey read $fr s: $(pct "$rceil" "$fr") of the ceiling (target >= 90 %)"

if command -v flashrom >/dev/null; then
	"$T" new w25q64jv "$W/base.twin" --force >/dev/null
	"$K" -c "twin-ch341a:$W/base.twin" write "$W/old.bin" --no-verify >/dev/null 2>&1
	serve frw || exit 1
	# --flash-contents: flashrom takes the old contents as given instead of reading them first
	bridged timeout 1800 flashrom -p ch341a_spi -c "W25Q64JV-.Q" -w "$W/img.bin" -n \
		--flash-contents "$W/old.bin" >"$W/frw.out" 2>&1 ||
		{ tail -3 "$W/frw.out"; echo "(flashrom write failed)"; }
	stop frw
	echo "bench_ch341a: flashrom -w -n (erase + program, no verify) $VT s;" \
		"flashkey/flashrom = $(python3 -c "print('%.3f' % ($fw / $VT) if $VT else 'n/a')")" \
		"(target < 1)"
	cp "$W/frw.twin" "$W/base.twin"
	serve frr || exit 1
	bridged timeout 1800 flashrom -p ch341a_spi -c "W25Q64JV-.Q" -r "$W/fr.bin" >"$W/frr.out" 2>&1 ||
		{ tail -3 "$W/frr.out"; echo "(flashrom read failed)"; }
	stop frr
	cmp -s "$W/fr.bin" "$W/img.bin" || echo "bench_ch341a: flashrom read back something else"
	echo "bench_ch341a: flashrom -r $VT s; flashkey/flashrom =" \
		"$(python3 -c "print('%.3f' % ($fr / $VT) if $VT else 'n/a')")"
else
	echo "bench_ch341a: flashrom not installed: comparison skipped"
fi
