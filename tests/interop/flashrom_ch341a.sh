#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashrom 1.3's ch341a_spi programmer, unchanged, against SPI NOR twins behind the emulated
# CH341A (twin/probe/ch341a_emu.c) through the USB bridge library (`flashkey-twin with-usb PATH
# --probe ch341a -- flashrom -p ch341a_spi ...`), and flashkey's own `-c ch341a` (its libusb
# asynchronous batches, lib/link/usb_libusb.c) through the same bridge:
#  - flashrom probes and names the W25Q64JV (its -c entry) and, by ID alone, the GD25Q64C;
#  - --wp-status prints the range flashkey status reports; --wp-range + --wp-enable set
#    protection that flashkey status reports; --wp-disable clears it;
#  - a 64 KiB region written by flashrom (layout -i) verifies in flashkey, and one written by
#    flashkey reads back identical in flashrom (cross-reads both ways);
#  - a write into a protected range fails in flashrom as on hardware (the chip ignores it, /WP
#    low); flashkey's unlock says to hold /WP high; with protection set again by flashkey's
#    options (all of it), flashkey's unlock lifts it and a write into the top sector verifies;
#  - the CH341A unplugged in the middle of a write: exit 10 (device gone).
# flashrom is given --flash-contents (the twin's known contents) and -N so that it reads and
# verifies only the region it writes: the whole 8 MiB through the bridge takes 10 s a pass.
. "$(dirname "$0")/../scenario/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
command -v flashrom >/dev/null || { echo "flashrom not installed: skipping (CI installs it)"; exit 77; }
[ -f "$FK_BUILD/usb-bridge/libfktwin-usb.so" ] || { echo "SKIP: USB bridge not built"; exit 77; }

fr() { # fr TWIN ARGS...: flashrom through the bridge; output in fr.log, exit status returned
	local twin=$1
	shift
	timeout 120 "$T" with-usb "$twin" --probe ch341a -- flashrom -p ch341a_spi "$@" \
		>fr.log 2>&1 </dev/null
}
fr_ok() { fr "$@" || { cat fr.log; fail "flashrom ${*:2} exit status $?"; }; }
fk_usb() { # fk_usb EXPECTED TWIN ARGS...: flashkey -c ch341a through the bridge
	local want=$1 twin=$2 got=0
	shift 2
	timeout 120 "$T" with-usb "$twin" --no-preload --probe ch341a -- "$FK_BIN" -c ch341a "$@" \
		>"$OUT" 2>"$ERR" </dev/null || got=$?
	[ "$got" -eq "$want" ] || { cat "$OUT" "$ERR"; fail "expected exit $want, got $got: flashkey $*"; }
}
have() { grep -qF -- "$1" "$2" || { cat "$2"; fail "$2 lacks: $1"; }; }

# probe: the chip named by flashrom on the emulated CH341A
expect_exit 0 "$T" new gd25q64c gd.twin
fr_ok gd.twin
have 'Found GigaDevice flash chip "GD25Q64(B)" (8192 kB, SPI) on ch341a_spi.' fr.log
expect_exit 0 "$T" new w25q64jv w.twin --option bp=3
fr_ok w.twin -c "W25Q64JV-.Q"
have 'Found Winbond flash chip "W25Q64JV-.Q" (8192 kB, SPI) on ch341a_spi.' fr.log

# --wp-status: the range flashkey reports (BP=3: upper 1/16)
fr_ok w.twin -c "W25Q64JV-.Q" --wp-status
have 'Protection range: start=0x00780000 length=0x00080000 (upper 1/16)' fr.log
fk_usb 4 w.twin status
have '0x780000-0x7FFFFF (512 KiB, upper 1/16)' "$OUT"

# --wp-range + --wp-enable: flashkey sees the lower half protected with SRP set
fr_ok w.twin -c "W25Q64JV-.Q" --wp-range=0,0x400000 --wp-enable
have 'Enabled hardware protection' fr.log
fk_usb 4 w.twin status
have '0x000000-0x3FFFFF (4 MiB, lower 1/2)' "$OUT"
grep -q '^  srp        1' "$OUT" || { cat "$OUT"; fail "SRP not reported after --wp-enable"; }

# /WP low (hardware protected): a flashrom write into the protected range fails, the chip
# ignoring the status write that would unprotect it, then erase and program
expect_exit 0 "$T" set w.twin --option wp=low
python3 - <<'PY'
import os
low = os.urandom(65536)
open("low.bin", "wb").write(low)
d = bytearray(b"\xff" * (8 << 20)); d[0:65536] = low
open("full.bin", "wb").write(d)
open("ff.bin", "wb").write(b"\xff" * (8 << 20))
open("layout.txt", "w").write("0x00000000:0x0000ffff low\n0x00010000:0x007fffff rest\n")
PY
if fr w.twin -c "W25Q64JV-.Q" -l layout.txt -i low -N --flash-contents ff.bin -w full.bin; then
	cat fr.log; fail "flashrom wrote into the protected range"
fi
have 'FAILED' fr.log
fk_usb 4 w.twin write low.bin
have 'blocked by' "$ERR"
fk_usb 4 w.twin unlock # the chip ignores the status write while /WP is low: read back, said
have 'the chip ignored it' "$ERR"
have '/WP (pin 3) is probably low (this programmer cannot sense it); hold it high' "$ERR"

# /WP high again: --wp-disable clears it; then flashrom's region write verifies in flashkey
expect_exit 0 "$T" set w.twin --option wp=high
fr_ok w.twin -c "W25Q64JV-.Q" --wp-disable --wp-range=0,0
have 'Disabled hardware protection' fr.log
fk_usb 0 w.twin status
fr_ok w.twin -c "W25Q64JV-.Q" -l layout.txt -i low -N --flash-contents ff.bin -w full.bin
have 'VERIFIED' fr.log
fk_usb 0 w.twin verify low.bin
have 'match' "$OUT"

# flashkey writes the next 64 KiB; flashrom reads both regions back
head -c 65536 /dev/urandom >mid.bin
fk_usb 0 w.twin write mid.bin --base 0x10000
have 'verified' "$OUT"
printf '0x00000000:0x0001ffff both\n0x00020000:0x007fffff rest\n' >layout2.txt
fr_ok w.twin -c "W25Q64JV-.Q" -l layout2.txt -i both -r back.bin
head -c 131072 back.bin >both.bin
cat low.bin mid.bin | cmp -s - both.bin || fail "flashrom reads back something else"

# protection set again by flashkey's options; flashkey's unlock ladder lifts it over the CH341A
fk_usb 0 w.twin options set bp=7
fr_ok w.twin -c "W25Q64JV-.Q" --wp-status
have 'Protection range: start=0x00000000 length=0x00800000 (all)' fr.log
fk_usb 0 w.twin unlock
fk_usb 0 w.twin status
head -c 4096 /dev/urandom >top.bin # the top sector, protected a moment ago
fk_usb 0 w.twin write top.bin --base 0x7FF000
have 'verified' "$OUT"

# the programmer unplugged in the middle of a write: exit 10, the device named as gone
rc=0
timeout 120 "$T" with-usb w.twin --no-preload --probe ch341a,gone-after=60 -- "$FK_BIN" \
	-c ch341a write mid.bin --base 0x20000 >"$OUT" 2>"$ERR" </dev/null || rc=$?
[ "$rc" -eq 10 ] || { cat "$ERR"; fail "unplugged CH341A: exit $rc, expected 10"; }
have 'the device is gone' "$ERR"
pass
