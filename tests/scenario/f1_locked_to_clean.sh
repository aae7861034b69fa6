#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The STM32F0/F1/F3 driver with the real flashkey against an F103 twin at RDP level 1 with WRP
# on pages 0-3 and 60-63 (WRP0 bit 0 and WRP1 bit 7: PM0075 §2.4.2, 4 pages per bit on a medium
# density part), USER 0xFE (hardware watchdog) and Data0 0x42:
#  - info / status name the part, RDP level with its raw byte, WRP groups as page ranges
#    (one lock per range, with its address range), the user options and data bytes;
#  - unlock --dry-run and unlock without --allow-erase-all refuse the RDP regression, nothing
#    changes; --upto wrp removes WRP and keeps USER and Data0 (PM0075 §2.5);
#  - unlock --allow-erase-all takes the backup first (options only: flash is unreadable at
#    level 1, PM0075 §2.4.1), regresses to level 0 (mass erase), USER and Data0 kept;
#  - write / verify / read of a small image, then erase of a page range.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
F="$FK_BIN -c twin:f1.twin"
twin_json() { "$T" show f1.twin --json >"$WORK/show.json" || fail "twin show"; json_get "$WORK/show.json" "$1"; }
# RDP level, WRPR and the stored USER and Data0 bytes (pairs 1 and 2 of complement:value)
TW_STATE="(d['rdp_level'], d['rdp'], d['wrpr'], d['option_bytes'][1][-2:], d['option_bytes'][2][-2:])"

expect_exit 0 "$T" new stm32f103c8 f1.twin --rdp 1 --wrp 0-3,60 --option user=0xFE \
	--option data0=0x42

expect_exit 0 $F info --json
[ "$(json_get "$OUT" 'd["chip"]["chip"]')" = stm32f10x-md ] || fail "info: chip"
[ "$(json_get "$OUT" 'd["chip"]["dev_id"]')" = 0x410 ] || fail "info: dev_id"
[ "$(json_get "$OUT" 'd["chip"]["flash_size"]')" = 65536 ] || fail "info: flash size"
[ "$(json_get "$OUT" 'len(d["chip"]["sectors"])')" = 64 ] || fail "info: 64 pages of 1 KiB"
[ "$(json_get "$OUT" 'd["chip"]["option_base"]')" = 0x1FFFF800 ] || fail "info: option base"

expect_exit 4 $F status --json
I='d["inventory"]'
[ "$(json_get "$OUT" "$I[\"rdp_level\"]")" = 1 ] || fail "status: rdp level"
[ "$(json_get "$OUT" "$I[\"rdp_raw\"]")" = 0x00 ] || fail "status: rdp raw byte"
[ "$(json_get "$OUT" "$I[\"options\"][\"data0\"][\"value\"]")" = 66 ] || fail "status: data0"
[ "$(json_get "$OUT" "$I[\"options\"][\"wdg_sw\"][\"text\"]")" = hardware ] || fail "status: wdg"
[ "$(json_get "$OUT" "[(l['state'], l['addr'], l['size']) for l in $I['locks'] if l['kind'] == 'wrp']")" = \
  "[('pages 0-3', '0x08000000', 4096), ('pages 60-63', '0x0800F000', 4096)]" ] || fail "status: WRP ranges"
[ "$(json_get "$OUT" "[l['state'] for l in $I['locks'] if l['kind'] == 'rdp']")" = \
  "['level 1 (RDP byte 0x00, complement 0xFF); first 4 KiB write-protected']" ] || fail "status: RDP lock"
expect_exit 4 $F status
grep -q "data0      0x42" "$OUT" || fail "status text: data0"

# the regression is gated: the dry run and a run without the permission change nothing
expect_exit 5 $F unlock --dry-run
grep -q "rdp .*regress to level 0" "$OUT" || fail "dry run: rdp step not listed"
grep -q "needs --allow-erase-all" "$OUT" || fail "dry run: gate not named"
expect_exit 5 $F unlock
grep -q "needs --allow-erase-all" "$ERR" || fail "unlock: gate not named"
[ "$(twin_json "$TW_STATE")" = "(1, '0x00', '0xFFFF7FFE', 'FE', '42')" ] ||
	fail "refused unlock changed the options: $(twin_json "$TW_STATE")"
[ -e flashkey-backups ] && fail "refused unlock wrote a backup"

# WRP removal keeps the other option bytes (PM0075 §2.5: erase + program all of them)
expect_exit 0 $F unlock --upto wrp
[ "$(twin_json "$TW_STATE")" = "(1, '0x00', '0xFFFFFFFF', 'FE', '42')" ] ||
	fail "--upto wrp: WRP not removed or other options lost: $(twin_json "$TW_STATE")"

# the regression: backup first, then the mass erase; other options kept
expect_exit 0 $F unlock --allow-erase-all --backup-dir bk
grep -q "backup written and verified: bk/" "$OUT" || fail "no backup before the regression"
BK=$(ls -d bk/stm32f10x-md-*) || fail "backup dir"
[ "$(stat -c %s "$BK/options.bin")" = 16 ] || fail "backup: 16 option bytes"
grep -q "file options.bin addr 0x1FFFF800 size 16" "$BK/manifest.txt" || fail "manifest: options"
grep -q "missing flash not saved: RDP level 1 .*PM0075 §2.4.1" "$BK/manifest.txt" ||
	fail "manifest: why flash is missing"
[ "$(twin_json "$TW_STATE")" = "(0, '0xA5', '0xFFFFFFFF', 'FE', '42')" ] ||
	fail "regression: not level 0 or other options lost: $(twin_json "$TW_STATE")"
expect_exit 0 $F status --json
[ "$(json_get "$OUT" "$I[\"rdp_raw\"]")" = 0xA5 ] || fail "status after: RDP 0xA5"
[ "$(json_get "$OUT" "$I[\"write_blocked\"]")" = False ] || fail "status after: still blocked"
expect_exit 0 $F read all.bin
python3 -c 'import sys; d=open("all.bin","rb").read(); sys.exit(len(d)!=65536 or d.count(0xFF)!=65536)' ||
	fail "flash not mass-erased"

# write / verify / read of a small image, then a page-range erase
head -c 3000 /dev/urandom >img.bin
expect_exit 0 $F write img.bin --base 0x08000000
grep -q "3 sectors erased" "$OUT" || fail "write: 3 pages erased"
expect_exit 0 $F verify img.bin --base 0x08000000
expect_exit 0 $F read back.bin 0x08000000:3000
cmp -s img.bin back.bin || fail "read back differs"
expect_exit 0 $F erase 1-2
grep -q "erased sectors 1 (0x08000400, 1 KB), 2 (0x08000800, 1 KB)" "$OUT" || fail "erase 1-2"
expect_exit 6 $F verify img.bin --base 0x08000000
grep -q "0x08000400" "$ERR" || fail "verify after erase: first differing address"
expect_exit 0 $F read p0.bin 0x08000000:1024
cmp -s p0.bin <(head -c 1024 img.bin) || fail "erase 1-2 touched page 0"
pass
