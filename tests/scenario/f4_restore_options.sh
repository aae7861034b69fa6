#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# restore --options: a backup of an F407 with WRP on sectors 2-3 (sector 2 holds firmware) and
# BOR off; the chip then changes (WRP moved to sector 4, BOR level 2, sector 2 erased). restore
# without --options leaves the option bytes alone; with --options it writes sector 2 back
# although the backup's WRP covers it, then restores OPTCR (nWRP2/3 = 0, nWRP4 = 1, BOR off),
# read back and checked. The gates hold: an RDP 1->0 needs --allow-erase-all, a backup whose
# options say level 2 needs PERMANENT; refused restores write nothing. RM0090 §3.7.3, §3.7.4.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
FW=$FK_SRC/tests/fixtures/fw.bin
"$FK_TWIN_BIN" new stm32f407 b.twin --wrp 2,3 --flash "$FW" >/dev/null || fail "flashkey-twin new"
fk() { "$FK_BIN" -c twin:b.twin "$@"; }
# the live FLASH_OPTCR without OPTLOCK/OPTSTRT (bits 1:0 are not option bytes)
optcr() { "$FK_TWIN_BIN" show b.twin --json >show.json && json_get show.json "'0x%08X' % (int(d['registers']['FLASH_OPTCR']['value'], 16) & ~3)"; }
twin_has() { "$FK_TWIN_BIN" show b.twin --json >show.json || fail "show"; json_get show.json "$1"; }

expect_exit 0 fk --json backup --backup-dir bk
BK=$(ls -d bk/*/ | head -1)
[ -f "$BK/options.bin" ] || fail "backup has no options.bin"
want=$(optcr)
[ "$want" = 0x0FF3AAEC ] || fail "unexpected starting OPTCR $want"

# change the chip: WRP 2-3 off and 4 on, BOR level 2; sector 2 erased
expect_exit 0 fk --yes unlock --upto wrp
expect_exit 0 fk options set wrp=4 bor=2
expect_exit 0 fk --yes erase 2
changed=$(optcr)
[ "$changed" = 0x0FEFAAE4 ] || fail "options not changed as planned: $changed"

# flash only: options left as they are
expect_exit 0 fk --yes --allow-erase-all restore "$BK"
[ "$(optcr)" = "$changed" ] || fail "restore without --options changed OPTCR"
expect_exit 0 fk verify "$FW"
expect_exit 0 fk --yes erase 2

# dry run: nothing written
expect_exit 0 fk --yes --allow-erase-all --dry-run restore "$BK" --options
[ "$(optcr)" = "$changed" ] || fail "dry run changed OPTCR"
[ "$(twin_has "d['sectors'][2]['blank']")" = True ] || fail "dry run wrote sector 2"

# the real one: sector 2 written back under the backup's WRP, then the options
expect_exit 0 fk --yes --allow-erase-all restore "$BK" --options
[ "$(optcr)" = "$want" ] || fail "OPTCR after restore --options is $(optcr), want $want"
expect_exit 0 fk --json options show
[ "$(json_get "$OUT" "d['options']['bor']['value']")" = 3 ] || fail "BOR not read back as off"
expect_exit 0 fk verify "$FW"
[ "$(twin_has "[s['write_protected'] for s in d['sectors']][:6]")" = "[False, False, True, True, False, False]" ] \
	|| fail "WRP not restored to sectors 2-3 only"

# gates: a chip now at level 1 needs the 1->0 regression (erases all flash) to take the backup's
# level 0 back: refused without --allow-erase-all, nothing written
expect_exit 0 fk options set rdp=1
expect_exit 0 "$FK_TWIN_BIN" reset b.twin
lvl1=$(optcr)
expect_exit 5 fk --yes restore "$BK" --options
grep -q "allow-erase-all" "$ERR" || fail "RDP 1->0 refusal does not name --allow-erase-all"
[ "$(optcr)" = "$lvl1" ] || fail "refused restore changed OPTCR"
[ "$(twin_has "d['rdp_level']")" = 1 ] || fail "refused restore changed RDP"
expect_exit 0 fk --yes --allow-erase-all --no-backup restore "$BK" --options
expect_exit 0 "$FK_TWIN_BIN" power-cycle b.twin
[ "$(twin_has "d['rdp_level']")" = 0 ] || fail "RDP not restored to level 0"
[ "$(optcr)" = "$want" ] || fail "OPTCR after the regression restore is $(optcr)"
expect_exit 0 fk verify "$FW"

# a backup whose options say level 2 (edited, CRC fixed up): refused without PERMANENT
python3 - "$BK" <<'PY' || fail "editing the backup"
import sys, zlib, re
d = sys.argv[1]
b = bytearray(open(d + "/options.bin", "rb").read()); b[1] = 0xCC
open(d + "/options.bin", "wb").write(b)
m = open(d + "/manifest.txt").read()
m = re.sub(r"(file options.bin .* crc32 )0x[0-9A-F]+", lambda x: x.group(1) + "0x%08X" % zlib.crc32(b), m)
open(d + "/manifest.txt", "w").write(m)
PY
expect_exit 5 fk --yes --allow-erase-all restore "$BK" --options
grep -q "PERMANENT" "$ERR" || fail "RDP 2 refusal does not name PERMANENT"
[ "$(optcr)" = "$want" ] || fail "refused RDP 2 restore changed OPTCR"
pass
