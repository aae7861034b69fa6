#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Flash operations on unprotected twins: write (ELF/HEX/S-record/bin), --skip-unchanged, verify
# mismatch (exit 6), erase by sector/range/all, read, backup/restore (OTP never written back),
# images reaching option bytes refused, --chip mismatch, F429 bank 2 (SNB 0x10), valid JSON from
# every command and no progress bar on a pipe.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
FX="$FK_SRC/tests/fixtures"
"$FK_TWIN_BIN" new stm32f407 b.twin --otp 3=0102 >/dev/null || fail "flashkey-twin new"
fk() { "$FK_BIN" -c twin:b.twin "$@"; }
jfk() { "$FK_BIN" -c twin:b.twin --json "$@" >"$OUT" 2>"$ERR" </dev/null; local rc=$?
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT" || fail "invalid JSON from $*"
	return $rc; }

expect_exit 0 fk info
grep -q "DEV_ID    0x413" "$OUT" || fail "info lacks DEV_ID"
expect_exit 8 fk --chip stm32f411 info
grep -q "target is stm32f40x" "$ERR" || fail "--chip mismatch not explained"
expect_exit 0 fk --chip stm32f407 info

expect_exit 0 fk write "$FX/fw.srec"
grep -q $'\r' "$ERR" && fail "progress drawn on a pipe"
expect_exit 0 fk verify "$FX/fw.hex"
expect_exit 0 fk verify "$FX/fw.bin" --base 0x08000000
jfk write "$FX/fw.elf" --skip-unchanged || fail "skip-unchanged write failed"
[ "$(json_get "$OUT" "d['sectors_erased']")" = 0 ] || fail "unchanged sectors were erased"
[ "$(json_get "$OUT" "d['sectors_skipped']")" = 3 ] || fail "skip count"
expect_exit 0 fk erase --range 0x08004000:0x100
expect_exit 6 fk verify "$FX/fw.elf"
grep -q "0x08004000: flash reads 0xFF" "$ERR" || fail "verify does not name the first difference"
jfk write "$FX/fw.elf" --skip-unchanged || fail "re-write failed"
[ "$(json_get "$OUT" "d['sectors_erased']")" = 1 ] || fail "only sector 1 should be rewritten"
[ "$(json_get "$OUT" "d['psize_bits']")" = 32 ] || fail "x32 expected at 3.3 V"
jfk write "$FX/fw.elf" --psize 8 || fail "x8 write failed"
[ "$(json_get "$OUT" "d['psize_bits']")" = 8 ] || fail "--psize 8 ignored"

# an image reaching the option bytes is refused before anything is erased
printf ':020000041FFFDC\n:02C00000AACCC8\n:00000001FF\n' >opt.hex
expect_exit 5 fk write opt.hex
grep -q "option bytes" "$ERR" || fail "option-byte segment not named"

expect_exit 0 fk read all.bin
[ "$(stat -c %s all.bin)" = 1048576 ] || fail "read size"
expect_exit 0 fk backup bk
d=$(ls -d bk/*/ | head -1)
grep -q "^file flash.bin addr 0x08000000 size 1048576" "$d/manifest.txt" || fail "manifest flash line"
grep -q "^file otp.bin" "$d/manifest.txt" || fail "manifest otp line"
expect_exit 0 fk erase --all --allow-erase-all --no-backup
expect_exit 6 fk verify "$FX/fw.elf"
expect_exit 0 fk otp write 4 AA --allow-irreversible=PERMANENT
expect_exit 0 fk restore "$d" --allow-erase-all --no-backup
grep -q "OTP differs from the backup in 1 byte" "$OUT" || fail "OTP difference not reported"
expect_exit 0 fk verify "$FX/fw.elf"
expect_exit 0 fk erase 0 2-3
jfk status || fail "status after erase"
[ "$(json_get "$OUT" "[s['content'] for s in d['inventory']['sectors'][:4]]")" = \
  "['blank', 'programmed', 'blank', 'blank']" ] || fail "erase 0 2-3 erased the wrong sectors"
for c in "info" "options show" "otp show" "reset" "read r.bin 0x08000000:16" "backup bk2"; do
	jfk $c || fail "--json $c failed"
done

# F429: bank 2 starts at sector 12 (SNB 0x10 | 0), 0x08100000
"$FK_TWIN_BIN" new stm32f429 c.twin >/dev/null || fail "flashkey-twin new f429"
expect_exit 0 "$FK_BIN" -c twin:c.twin write "$FX/fw.bin" --base 0x08100000
expect_exit 0 "$FK_BIN" -c twin:c.twin verify "$FX/fw.bin" --base 0x08100000
"$FK_BIN" -c twin:c.twin --json status >"$OUT" 2>/dev/null
[ "$(json_get "$OUT" "[s['number'] for s in d['inventory']['sectors'] if s['content']=='programmed']")" = "[12, 13, 14]" ] \
	|| fail "bank-2 write landed in the wrong sectors"
pass
