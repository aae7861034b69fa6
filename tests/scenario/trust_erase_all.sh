#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 6: every operation that erases all of flash needs --allow-erase-all and takes
# a verified backup of what is there first: `erase --all` and `restore` (of the current
# contents, before overwriting), on the debug path (twin:) and the bootloader path (twin-uart:).
. "$(dirname "$0")/lib.sh"
FW=$FK_SRC/tests/fixtures/fw.bin
for c in twin twin-uart; do
	T=$WORK/$c.twin
	expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T" --flash "$FW"
	cp "$T" "$T.orig"
	expect_exit 5 "$FK_BIN" -c "$c:$T" --yes erase --all
	grep -q "allow-erase-all" "$ERR" || fail "$c: erase --all refusal does not name the permission"
	expect_exit 5 "$FK_BIN" -c "$c:$T" --yes --dry-run erase --all
	"$FK_TWIN_BIN" show "$T" | grep -qE '^  0 +0x08000000 .*programmed' || fail "$c: refused erase --all erased"
	expect_exit 0 "$FK_BIN" -c "$c:$T" --json --backup-dir "$WORK/bk-$c" erase --all --allow-erase-all
	bk=$(json_get "$OUT" "d['backup_dir']")
	[ -n "$bk" ] && [ -f "$bk/flash.bin" ] || fail "$c: erase --all took no backup of the flash"
	cmp -n "$(stat -c %s "$FW")" "$FW" "$bk/flash.bin" || fail "$c: backup is not the erased flash"
	"$FK_TWIN_BIN" show "$T" | grep -qE '^  0 +0x08000000 .*blank' || fail "$c: erase --all did not erase"
	# restore: gate, then a backup of the current (blank) contents before overwriting
	expect_exit 0 "$FK_BIN" -c "$c:$T" write "$FW"
	expect_exit 5 "$FK_BIN" -c "$c:$T" --yes restore "$bk"
	grep -q "allow-erase-all" "$ERR" || fail "$c: restore refusal does not name the permission"
	expect_exit 0 "$FK_BIN" -c "$c:$T" --json --backup-dir "$WORK/bk2-$c" restore "$bk" --allow-erase-all
	bk2=$(json_get "$OUT" "d['backup_dir']")
	[ -n "$bk2" ] && [ -f "$bk2/flash.bin" ] || fail "$c: restore took no backup of the current contents"
	expect_exit 0 "$FK_BIN" -c "$c:$T" verify "$FW"
done
pass
