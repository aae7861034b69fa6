#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The ESP32 / ESP32-C3 drivers (lib/chip/esp32.c, issue 16 items 1, 2 and 5) with the real
# flashkey binary against ESP twins over twin-esp:PATH: identify (chip, MAC, flash ID); the
# seed's case (SPI flash block protection) from status through unlock (volatile, then
# non-volatile, each read back, checked across power cycles) to write + verify + read back; the
# ESP32-C3 (reads through SPI1); --chip against the IDs. eFuse locks and connection failures:
# esp32_locks.sh.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
K=$FK_BIN

# identify: chip, revision, MAC, flash JEDEC ID
expect_exit 0 "$T" new esp32 a.twin --option flash.bp=2
expect_exit 0 "$K" -c twin-esp:a.twin info
grep -q '^chip .*esp32 (ESP32 with w25q32jv)' "$OUT" || fail "info: chip and flash"
expect_exit 4 "$K" -c twin-esp:a.twin status --json
[ "$(json_get "$OUT" 'd["inventory"]["chip"]')" = esp32 ] || fail "status: chip"
grep -q '24:0a:c4:12:34:56' "$OUT" || fail "status: MAC"
grep -q 'JEDEC EF 40 16' "$OUT" || fail "status: flash ID"
# the seed: "writing flash programmer fail" = the SPI flash's BP bits
expect_exit 4 "$K" -c twin-esp:a.twin status
grep -q 'BP range .*0x3E0000-0x3FFFFF' "$OUT" || fail "status: BP range named"
head -c 64 /dev/urandom > app.bin
expect_exit 4 "$K" -c twin-esp:a.twin write app.bin --base 0x3F0000
grep -q 'BP2-0=010 .*protect 0x3E0000-0x3FFFFF' "$ERR" || fail "write into the BP range: refused naming it"
grep -q 'nothing was erased or written' "$ERR" || fail "write into the BP range: nothing done"

# unlock: volatile first (gone at power-on), then non-volatile; each read back
expect_exit 0 "$K" -c twin-esp:a.twin unlock --dry-run
grep -q '1. volatile  volatile clear 50h + WRSR' "$OUT" || fail "plan: volatile first"
grep -q '2. nonvolatile non-volatile clear 06h + WRSR' "$OUT" || fail "plan: then non-volatile"
expect_exit 0 "$K" -c twin-esp:a.twin unlock --upto opt
grep -q 'volatile: done: BP range: .* -> cleared' "$OUT" || fail "volatile step read back"
expect_exit 0 "$T" power-cycle a.twin
expect_exit 4 "$K" -c twin-esp:a.twin status
grep -q 'BP range' "$OUT" || fail "the volatile clear survived a power cycle"
expect_exit 0 "$K" -c twin-esp:a.twin unlock
grep -q 'now: nothing blocks a write' "$OUT" || fail "unlock: final state"
expect_exit 0 "$T" power-cycle a.twin
expect_exit 0 "$K" -c twin-esp:a.twin status
grep -q 'BP range' "$OUT" && fail "the non-volatile clear did not last"
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["efuse"]["FLASH_CRYPT_CNT"]')" = 0 ] || fail "an eFuse changed"

# write + verify + read back, through the ROM (FLASH_BEGIN/DATA, READ_FLASH_SLOW)
head -c 9000 /dev/urandom > img.bin
expect_exit 0 "$K" -c twin-esp:a.twin write img.bin --base 0x3F0000
grep -q 'verified (MD5 computed on the chip)' "$OUT" || fail "write: verified by SPI_FLASH_MD5"
expect_exit 0 "$K" -c twin-esp:a.twin verify img.bin --base 0x3F0000
grep -q '(MD5 computed on the chip)' "$OUT" || fail "verify: by SPI_FLASH_MD5"
# --skip-unchanged compares by MD5: one sector changed, two left alone
printf 'X' | dd of=img.bin bs=1 seek=5000 conv=notrunc 2>/dev/null
expect_exit 0 "$K" -c twin-esp:a.twin write img.bin --base 0x3F0000 --skip-unchanged --json
[ "$(json_get "$OUT" 'd["sectors_erased"]')" = 1 ] || fail "--skip-unchanged: one sector rewritten"
[ "$(json_get "$OUT" 'd["sectors_skipped"]')" = 2 ] || fail "--skip-unchanged: two left alone"
[ "$(json_get "$OUT" 'd["compared"]')" = md5 ] || fail "--skip-unchanged: compared by MD5"
expect_exit 0 "$K" -c twin-esp:a.twin verify img.bin --base 0x3F0000 --read-back
grep -q '(MD5' "$OUT" && fail "verify --read-back used the MD5"
expect_exit 0 "$K" -c twin-esp:a.twin read back.bin 0x3F0000:9000
cmp -s back.bin img.bin || fail "read back differs"

# ESP32-C3: chip id 5 from GET_SECURITY_INFO; reads go through SPI1 (03h)
expect_exit 0 "$T" new esp32c3 c.twin
expect_exit 0 "$K" -c twin-esp:c.twin write img.bin --base 0x1000
expect_exit 0 "$K" -c twin-esp:c.twin read c3.bin 0x1000:9000
cmp -s c3.bin img.bin || fail "C3: read back differs"
expect_exit 8 "$K" -c twin-esp:c.twin --chip esp32 info
grep -q 'the target is esp32c3' "$ERR" || fail "--chip esp32 on a C3"

pass
