#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 9: backups hold nothing invented. A PCROP sector reads as zeros to a debugger
# (RM0090 §3.7.5: the read is refused), so a backup never stores it: the readable ranges
# around it go into flash-0xADDR.bin files and the manifest records the sector as unreadable;
# restore writes those ranges back and leaves the PCROP sector alone. An options-only backup
# (all a debugger may read at RDP level 1, §3.7.3) is restorable with `restore --options`.
# Every manifest field (format version, chip, dev_id, flash base/size, a file's address and
# size, its name) is checked against the data and the chip: a tampered manifest is refused
# (exit 7) with nothing written.
. "$(dirname "$0")/lib.sh"
# an STM32F401xB: 128 KiB, sectors 0-3 of 16 KiB and 4 of 64 KiB (RM0368 §3.3); PCROP on 1
head -c 131072 /dev/urandom >big.bin
expect_exit 0 "$FK_TWIN_BIN" new stm32f401xb pc.twin --pcrop 1 --flash big.bin
fk() { "$FK_BIN" -c twin:pc.twin "$@"; }

# 1. the backup: sector 1 (0x08004000, 16 KiB) recorded as missing, never filled
expect_exit 0 fk --json backup bk
[ "$(json_get "$OUT" "d['flash_missing_bytes']")" = 16384 ] || fail "missing bytes not counted"
json_get "$OUT" "d['missing']" | grep -q "0x08004000-0x08007FFF" || fail "missing range not named"
BK=$(ls -d bk/*/ | head -1)
[ -e "$BK/flash.bin" ] && fail "a whole-flash image holds the PCROP sector (invented content)"
grep -q "^unreadable 0x08004000 0x4000 PCROP" "$BK/manifest.txt" || fail "manifest lacks the unreadable range"
cmp -s "$BK/flash-0x08000000.bin" <(head -c 16384 big.bin) || fail "sector 0 not saved as it is"
cmp -s "$BK/flash-0x08008000.bin" <(tail -c +32769 big.bin) || fail "sectors 2-4 not saved as they are"
expect_exit 0 fk backup bk2
grep -q "flash saved except 16384 bytes the chip refuses to read" "$OUT" || fail "text does not say the flash is partial"

# 2. restore: the readable ranges go back, the PCROP sector stays as the chip holds it
expect_exit 0 fk --yes erase 0
expect_exit 0 fk --allow-erase-all --no-backup restore "$BK"
expect_exit 0 fk read r0.bin 0x08000000:0x4000
cmp -s r0.bin <(head -c 16384 big.bin) || fail "sector 0 not restored"
"$FK_TWIN_BIN" show pc.twin | grep -q "PCROP sectors: 1" || fail "restore touched the PCROP protection"

# 3. manifest fields are checked against the data and the chip; nothing is written on refusal
expect_exit 0 fk --yes erase 0
tamper() { # tamper SED-EXPR WHAT: a copy of the backup with its manifest edited is refused
	rm -rf bad && cp -r "$BK" bad && sed -i "$1" bad/manifest.txt
	expect_exit 7 fk --allow-erase-all --no-backup restore bad
	grep -q "nothing was written" "$ERR" || fail "$2: the refusal does not say nothing was written"
	"$FK_TWIN_BIN" show pc.twin | grep -qE '^  0 +0x08000000 .*blank' || fail "$2: sector 0 written"
}
tamper 's/^flashkey-backup 2/flashkey-backup 9/' "format version"
tamper 's/^dev_id 0x423/dev_id 0x413/' "dev_id"
tamper 's/^flash_size 131072/flash_size 262144/' "flash_size"
tamper 's/^flash_base 0x08000000/flash_base 0x00000000/' "flash_base"
tamper 's/^file flash-0x08000000.bin addr 0x08000000/file flash-0x08000000.bin addr 0x08004000/' "file address"
tamper 's/^\(file flash-0x08000000.bin addr 0x08000000 size\) 16384/\1 32768/' "file size"
tamper 's/^file otp.bin/file ..\/otp.bin/' "file name"
tamper 's/^chip stm32f401x[bc]/chip stm32f40x/' "chip"
rm -rf bad && cp -r "$BK" bad && truncate -s 8192 bad/flash-0x08000000.bin
expect_exit 7 fk --allow-erase-all --no-backup restore bad
grep -q "8192 bytes, the manifest says 16384 bytes" "$ERR" || fail "a short file is not named with the manifest's size"

# 4. an options-only backup (RDP level 1) restores with --options
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 r1.twin --rdp 1
r1() { "$FK_BIN" -c twin:r1.twin "$@"; }
expect_exit 0 r1 backup bk3
B3=$(ls -d bk3/*/ | head -1)
[ -e "$B3/options.bin" ] && ! ls "$B3"/flash*.bin >/dev/null 2>&1 || fail "RDP 1 backup is not options-only"
expect_exit 0 r1 options set bor=2
expect_exit 1 r1 restore "$B3"
grep -q -- "--options" "$ERR" || fail "an options-only backup does not point to restore --options"
expect_exit 0 r1 restore "$B3" --options
expect_exit 0 r1 --json options show
[ "$(json_get "$OUT" "d['options']['bor']['value']")" = 3 ] ||
	fail "restore --options did not bring BOR back: $(cat "$OUT")"
pass
