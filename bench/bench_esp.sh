#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_esp: a 1 MiB image written into an ESP32 twin through the serial ROM loader (issue 16
# "Speed"), on the twin's virtual clock (`flashkey-twin serve` prints it when it stops):
#   1. flashkey (esp:PTY@BAUD: SYNC at 115200, then CHANGE_BAUDRATE) at 115200 and 921600, erase +
#      write + MD5 verify, against the ceiling set by the wire and the flash: the image's bytes at
#      10 bits per byte + 16 64-KiB block erases (tBE2 typ 150 ms) + 4096 page programs (tPP typ
#      0.4 ms) (W25Q32JV datasheet §9.6; the ROM erases at FLASH_BEGIN and programs each block
#      before it answers, so nothing overlaps). SLIP escapes (0xC0/0xDB, ~0.8 % of random bytes)
#      and the 16-byte headers per block are above that ceiling on purpose;
#   2. --skip-unchanged after one 4 KiB sector changed, against the full write (target <= 10 %);
#   3. esptool-js 0.7.0 on the same served twin (TCP), uncompressed write + MD5, no read-back:
#      in ROM mode (FK_EJS_ROM: no stub, the ROM's 0x400-byte blocks, as esptool.py --no-stub),
#      flashkey / esptool-js (target <= 1.0, issue 16); and with its flasher stub (what its
#      main() does: the twin models the stub's protocol, docs/TWIN.md), for information.
set -uo pipefail
build=${FK_BUILD:?FK_BUILD not set}
src=${FK_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
K=$build/flashkey
T=$build/flashkey-twin
W=$(mktemp -d "${TMPDIR:-/tmp}/fk-bench-esp.XXXXXX")
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$W"' EXIT
head -c 1048576 /dev/urandom >"$W/img.bin"
cp "$W/img.bin" "$W/img2.bin"
printf 'changed sector' | dd of="$W/img2.bin" bs=1 seek=$((100 * 4096)) conv=notrunc 2>/dev/null

serve() { # serve NAME OPTION VALUE: starts the server on a fresh twin
	"$T" new esp32 "$W/$1.twin" --option boot_pin=low >/dev/null
	"$T" serve "$W/$1.twin" "$2" "$3" >"$W/$1.log" 2>&1 &
	SRV=$!
	for _ in $(seq 200); do grep -q 'listening\|pty' "$W/$1.log" 2>/dev/null && [ -e "$W/tty" -o "$2" != --esp-pty ] && return 0; sleep 0.05; done
	echo "server did not start: $(cat "$W/$1.log")"; return 1
}
stop() { # stop NAME: VT = the virtual seconds the server counted. Not to be called in $(...):
	# a subshell cannot wait for the server, and would read its log before the line is there.
	kill -TERM "$SRV"; wait "$SRV" 2>/dev/null; SRV=
	VT=$(sed -n 's/^virtual time: \([0-9.]*\) s.*/\1/p' "$W/$1.log")
}
ceiling() { python3 -c "print(1048576*10/$1 + 16*0.150 + 4096*0.0004)"; }
ratio() { python3 -c "print('%.1f %%' % (100*$1/$2))"; }

echo "1. flashkey write of 1 MiB (erase + program + MD5 verify), virtual time"
for baud in 115200 921600; do
	serve fk$baud --esp-pty "$W/tty" || exit 1
	"$K" -c "esp:$W/tty@$baud" --before no_reset --yes write "$W/img.bin" --base 0x100000 \
		>"$W/fk$baud.out" 2>&1 || { cat "$W/fk$baud.out"; echo "(flashkey failed)"; stop fk$baud; exit 1; }
	stop fk$baud; v=$VT; c=$(ceiling $baud)
	eval "FK_$baud=$v"
	echo "   $baud baud: $v s; ceiling $(printf '%.3f' "$c") s: $(ratio "$c" "$v") of the ceiling (target >= 90 %)"
done

echo "2. --skip-unchanged after one sector changed (921600 baud)"
serve skip --esp-pty "$W/tty" || exit 1
"$K" -c "esp:$W/tty@921600" --before no_reset --yes write "$W/img.bin" --base 0x100000 >/dev/null 2>&1
stop skip; v1=$VT
"$T" serve "$W/skip.twin" --esp-pty "$W/tty" >"$W/skip2.log" 2>&1 & SRV=$!
for _ in $(seq 200); do [ -e "$W/tty" ] && break; sleep 0.05; done
"$K" -c "esp:$W/tty@921600" --before no_reset --yes write "$W/img2.bin" --base 0x100000 --skip-unchanged \
	>"$W/skip.out" 2>&1 || { cat "$W/skip.out"; echo "(flashkey failed)"; }
stop skip2; v2=$VT
echo "   full write $v1 s; re-flash with one sector changed $v2 s: $(ratio "$v2" "$v1") of the full write (target <= 10 %)"

echo "3. esptool-js 0.7.0 on the same served twin (TCP), uncompressed write + MD5"
if ! command -v node >/dev/null || [ ! -d "$build/npm-esptool-js/node_modules/esptool-js" ] &&
	[ ! -d "$src/build/test/npm-esptool-js/node_modules/esptool-js" ]; then
	echo "   esptool-js not installed (the interop tests install it into build/test): skipped"
	exit 0
fi
NPM=$build/npm-esptool-js
[ -d "$NPM/node_modules/esptool-js" ] || NPM=$src/build/test/npm-esptool-js
cp "$src/tests/interop/esptool_js.mjs" "$NPM/bench_esptool_js.mjs.$$" && mv -f "$NPM/bench_esptool_js.mjs.$$" "$NPM/bench_esptool_js.mjs"
for mode in rom stub; do
	if [ $mode = rom ]; then
		echo "   ROM mode (no stub, 0x400-byte blocks, as esptool.py --no-stub; the issue's comparison):"
		rom=1
	else
		echo "   with its flasher stub (0x4000-byte blocks, answered before programming; flashkey has no stub):"
		rom=
	fi
	for baud in 115200 921600; do
		serve ejs$mode$baud --esp-tcp 127.0.0.1:0 || exit 1
		port=$(sed -n 's/^esp-tcp: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$W/ejs$mode$baud.log")
		(cd "$NPM" && FK_EJS_ROM=$rom FK_EJS_NO_READBACK=1 timeout 600 node bench_esptool_js.mjs "$port" \
			"$W/img.bin" 0x100000 "$W/ejs.json" "$baud") >"$W/ejs$baud.out" 2>&1 ||
			{ tail -3 "$W/ejs$baud.out"; echo "(esptool-js failed)"; }
		stop ejs$mode$baud; v=$VT
		f=$(eval echo "\$FK_$baud")
		echo "     $baud baud: esptool-js $v s; flashkey $f s: flashkey/esptool-js = $(python3 -c "print('%.3f' % ($f/$v))")${rom:+ (target <= 1.0)}"
	done
done
