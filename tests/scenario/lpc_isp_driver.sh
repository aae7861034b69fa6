#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The NXP LPC driver (lib/chip/lpc.c) over the twins' boot ROM UART ISP (twin-lpc:), issue 17
# Deliver 2 (status, unlock, erase, read, write, verify, run):
#  - info / status name the part from Read Part ID (LPC1768 0x26013F37: 30 sectors, 4 KiB then
#    32 KiB, UM10360 Table 568; LPC812: 16 sectors of 1 KiB, UM10601);
#  - CRP1 and CRP2 are found without touching flash (R of 0x2FC refused with 19, then a 4-byte W
#    to RAM at the CRP1 floor: allowed at CRP1, refused at CRP2; UM10800 Table 311) and block a
#    write (exit 4); unlock needs --allow-erase-all, erases every sector (the only way to remove
#    the word at 0x2FC from outside), says that the level stays latched until the next reset;
#    after a reset of the twin the part is unprotected;
#  - a CRP1 word in flash that is not in force yet (written, no reset since) is announced;
#  - reads at CRP none work except 0x00-0x3F, where the ISP shows the boot ROM's vectors;
#  - write programs through W/P/C, sets word 7 for the valid-user-code test and says so, and
#    write/verify compare everything but 0x00-0x3F, which they name as not compared.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
tw_field() { "$T" show "$1" --json >tw.json || fail "twin show"; json_get tw.json "d['$2']"; }

expect_exit 0 "$T" new lpc1768 a.twin
expect_exit 0 "$FK_BIN" -c twin-lpc:a.twin --json info
[ "$(json_get "$OUT" 'd["chip"]["chip"]')" = lpc1768 ] || fail "info: chip"
[ "$(json_get "$OUT" 'd["chip"]["family"]')" = lpc ] || fail "info: family"
[ "$(json_get "$OUT" 'd["chip"]["flash_size"]')" = 524288 ] || fail "info: flash size"
[ "$(json_get "$OUT" 'len(d["chip"]["sectors"])')" = 30 ] || fail "info: 30 sectors"
[ "$(json_get "$OUT" '(d["chip"]["sectors"][16]["addr"], d["chip"]["sectors"][16]["size"])')" = \
  "('0x00010000', 32768)" ] || fail "info: sector 16 is the first 32 KiB one"
expect_exit 0 "$FK_BIN" -c twin-lpc:a.twin --json status
[ "$(json_get "$OUT" '[l["kind"] for l in d["inventory"]["locks"]]')" = "[]" ] || fail "status: locks on a clean part"
[ "$(json_get "$OUT" 'd["inventory"]["options"]["crp"]["text"]')" = \
  "none (word 0xFFFFFFFF; in force: none)" ] || fail "status: crp option"

# reads: the flash, except the boot ROM's window
head -c 8192 /dev/urandom >img.bin
expect_exit 0 "$T" new lpc1768 r.twin --flash img.bin
expect_exit 0 "$FK_BIN" -c twin-lpc:r.twin read back.bin 0x100:0x100
[ "$(stat -c %s back.bin)" = 256 ] || fail "read: size"
expect_exit 9 "$FK_BIN" -c twin-lpc:r.twin read low.bin 0:0x40
grep -q "boot ROM's vectors" "$ERR" || fail "read of 0x00-0x3F: reason not said"

# programming over the ISP (W to the RAM buffer, P, C): the window under the boot ROM's vectors
# is programmed but cannot be compared, and says so; word 7 is set so that the vector table
# passes the boot ROM's valid-user-code test (UM10360 §32.3.1.1), and says so
head -c 8192 /dev/urandom >w.bin
python3 - w.bin <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[0x2FC:0x300] = b'\xff' * 4  # no CRP pattern by chance
open(sys.argv[1], 'wb').write(d)
PY
expect_exit 0 "$FK_BIN" -c twin-lpc:a.twin --json write w.bin --base 0
[ "$(json_get "$OUT" 'd["verified"]')" = compare ] || fail "write: not compared on the chip"
[ "$(json_get "$OUT" '(d["not_compared"]["start"], d["not_compared"]["end"])')" = \
  "('0x00000000', '0x0000003F')" ] || fail "write: the unreadable window not reported"
grep -q "vector table word 7 set to" "$ERR" || fail "write: the word 7 change not said"
"$T" show a.twin | grep -q "user code: valid" || fail "write: the boot ROM would not start it"
expect_exit 0 "$FK_BIN" -c twin-lpc:a.twin read wb.bin 0x40:8128
cmp <(tail -c +65 w.bin) wb.bin || fail "write: flash above 0x40 differs from the image"
expect_exit 0 "$FK_BIN" -c twin-lpc:a.twin verify w.bin --base 0
grep -q "verified w.bin: 8128 bytes match" "$OUT" || fail "verify: count"
grep -q "not compared: 0x00000000-0x0000003F" "$OUT" || fail "verify: window not said"
cp w.bin w2.bin && printf '\x5a' | dd of=w2.bin bs=1 seek=4660 conv=notrunc 2>/dev/null
expect_exit 6 "$FK_BIN" -c twin-lpc:a.twin verify w2.bin --base 0
grep -q "0x00001234" "$ERR" || fail "verify: the differing byte not named"
# --read-back reads every byte instead of trusting the Compare after each Copy
expect_exit 0 "$FK_BIN" -c twin-lpc:a.twin --json write w.bin --base 0 --read-back
[ "$(json_get "$OUT" 'd["verified"]')" = read ] || fail "write --read-back: not read back"
# --skip-unchanged: sector 1 is left alone, sector 0 (which cannot be read whole) is written again
expect_exit 0 "$FK_BIN" -c twin-lpc:a.twin write w.bin --base 0 --skip-unchanged
grep -q "1 sector erased, 1 unchanged left alone" "$OUT" || fail "skip-unchanged: $(cat "$OUT")"
# an image in sector 0 that leaves the window out would have to keep bytes it cannot read:
# refused before anything is erased, --erase-sectors named
head -c 256 /dev/urandom >mid.bin
expect_exit 9 "$FK_BIN" -c twin-lpc:a.twin write mid.bin --base 0x100
grep -q "to keep the bytes the image does not cover" "$ERR" || fail "keep-read refusal"
grep -q -- "--erase-sectors" "$ERR" || fail "keep-read refusal: no next step"
expect_exit 0 "$FK_BIN" -c twin-lpc:a.twin verify w.bin --base 0
# run: a reset with the ISP pin released (--boot-seq control); the vector table cannot be read
# over the ISP, so the outcome is seen afterwards: the ISP silent = the boot ROM started the code
expect_exit 9 "$FK_BIN" -c twin-lpc:a.twin run
grep -q "entered by hand" "$ERR" || fail "run without control lines: reason not said"
expect_exit 0 "$FK_BIN" -c twin-lpc:a.twin --boot-seq control --json run
[ "$(json_get "$OUT" '(d["started"], d["bootloader_gone"], d["vector_unread"])')" = \
  "(True, True, True)" ] || fail "run: $(cat "$OUT")"
"$T" show a.twin | grep -q "^running: user code" || fail "run: the twin is not running the user code"
# code that fails the boot ROM's check: the ISP answers again, exit 7, nothing started
expect_exit 0 "$T" new lpc1768 bad.twin --flash w.bin
expect_exit 7 "$FK_BIN" -c twin-lpc:bad.twin --boot-seq control run
grep -q "entered the ISP again" "$ERR" || fail "run of invalid code: reason not said"

# CRP1: found, blocks, unlock erases, in force until the next reset
expect_exit 0 "$T" new lpc1768 c1.twin --crp 1
expect_exit 4 "$FK_BIN" -c twin-lpc:c1.twin --json status
[ "$(json_get "$OUT" '[l["state"].split(":")[0] for l in d["inventory"]["locks"] if l["kind"] == "crp"]')" = \
  "['CRP1 in force']" ] || fail "status: CRP1 lock"
expect_exit 4 "$FK_BIN" -c twin-lpc:c1.twin read x.bin 0x1000:16
expect_exit 5 "$FK_BIN" -c twin-lpc:c1.twin unlock --dry-run
grep -q "crp .*P 0 29, E 0 29" "$OUT" || fail "unlock plan: $(cat "$OUT")"
expect_exit 0 "$FK_BIN" -c twin-lpc:c1.twin unlock --dry-run --allow-erase-all
expect_exit 5 "$FK_BIN" -c twin-lpc:c1.twin unlock
[ "$(tw_field c1.twin crp_latched)" = CRP1 ] || fail "refused unlock changed the twin"
expect_exit 0 "$FK_BIN" -c twin-lpc:c1.twin unlock --allow-erase-all --no-backup
grep -q "reset" "$OUT" || fail "unlock: the pending reset is not said: $(cat "$OUT")"
[ "$(tw_field c1.twin crp_word)" = 0xFFFFFFFF ] || fail "unlock: the CRP word is not erased"
expect_exit 0 "$T" reset c1.twin
expect_exit 0 "$FK_BIN" -c twin-lpc:c1.twin --json status
[ "$(json_get "$OUT" '[l["kind"] for l in d["inventory"]["locks"]]')" = "[]" ] || fail "CRP1 after erase + reset"

# CRP2: told apart from CRP1 by the W probe
expect_exit 0 "$T" new lpc1768 c2.twin --crp 2
expect_exit 4 "$FK_BIN" -c twin-lpc:c2.twin --json status
[ "$(json_get "$OUT" '[l["state"].split(":")[0] for l in d["inventory"]["locks"] if l["kind"] == "crp"]')" = \
  "['CRP2 in force']" ] || fail "status: CRP2 lock"

# a CRP1 word written but not latched (no reset since): announced, not blocking
expect_exit 0 "$T" new lpc1768 p.twin
expect_exit 0 "$T" set p.twin --option crp=1
[ "$(tw_field p.twin crp_word)" = 0x12345678 ] && [ "$(tw_field p.twin crp_latched)" = none ] ||
	fail "twin: set --option crp=1 should write the word without latching it"
expect_exit 0 "$FK_BIN" -c twin-lpc:p.twin --json status
json_get "$OUT" '[l["state"] for l in d["inventory"]["locks"] if l["kind"] == "crp"][0]' |
	grep -q "CRP1 written at 0x2FC, not in force yet" || fail "pending CRP1 word not announced"

# the LPC812
expect_exit 0 "$T" new lpc812 e.twin
expect_exit 0 "$FK_BIN" -c twin-lpc:e.twin --json info
[ "$(json_get "$OUT" '(d["chip"]["chip"], d["chip"]["flash_size"], len(d["chip"]["sectors"]))')" = \
  "('lpc812', 16384, 16)" ] || fail "info: lpc812"
expect_exit 0 "$FK_BIN" -c twin-lpc:e.twin status
# programming the LPC812 (binary W, 1 KiB sectors, 64..1024-byte copies)
head -c 3000 /dev/urandom >e3.bin
expect_exit 0 "$FK_BIN" -c twin-lpc:e.twin write e3.bin --base 0
grep -q "not compared: 0x00000000-0x0000003F" "$OUT" || fail "lpc812 write: window not said"
expect_exit 0 "$FK_BIN" -c twin-lpc:e.twin read e3b.bin 0x40:2936
cmp <(tail -c +65 e3.bin) e3b.bin || fail "lpc812 write: flash differs"
# a backup over the LPC812's binary R: everything but the boot ROM's window, which it records
head -c 16384 /dev/urandom >e.bin
expect_exit 0 "$T" new lpc812 e.twin --flash e.bin --force
expect_exit 0 "$FK_BIN" -c twin-lpc:e.twin backup --backup-dir bk
grep -q "^unreadable 0x00000000 0x40 the boot ROM's vectors" bk/*/manifest.txt || fail "backup: window not recorded"
cmp <(tail -c +65 e.bin) bk/*/flash-0x00000040.bin || fail "backup: flash above 0x40 differs"
pass
