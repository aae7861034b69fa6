#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 8: a dry run checks protection and permissions exactly as the real run and
# exits with the code the real run would (DESIGN.md "Safety gates"), on the debug path (twin:)
# and the ROM bootloader path (twin-uart:); `--dry-run reset` does not say "done";
# `--dry-run backup` writes nothing.
. "$(dirname "$0")/lib.sh"
FW=$FK_SRC/tests/fixtures/fw.bin
for c in twin twin-uart; do
	T=$WORK/$c.twin
	# RDP 1 + WRP: write and erase are refused by protection (exit 4), dry or not
	expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T" --force --rdp 1 --wrp 0,1 --flash "$FW"
	cp "$T" "$T.orig"
	for args in "write $FW" "erase --all" "erase 2"; do
		# shellcheck disable=SC2086
		expect_exit 4 "$FK_BIN" -c "$c:$T" --dry-run $args
		! grep -q "would" "$OUT" || fail "$c: dry run $args promises what the real run refuses"
		# shellcheck disable=SC2086
		expect_exit 4 "$FK_BIN" -c "$c:$T" $args --allow-erase-all --no-backup
	done
	cmp -s "$T" "$T.orig" || "$FK_TWIN_BIN" show "$T" | grep -q "RDP: level 1" || fail "$c: refused runs changed the chip"
	# RDP 0 + WRP 1: erasing sector 1 is refused, sector 2 would go
	expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T" --force --wrp 1 --flash "$FW"
	expect_exit 4 "$FK_BIN" -c "$c:$T" --dry-run erase 1
	grep -q "sector 1" "$ERR" || fail "$c: dry-run refusal does not name the sector"
	expect_exit 4 "$FK_BIN" -c "$c:$T" erase 1
	expect_exit 0 "$FK_BIN" -c "$c:$T" --dry-run erase 2
	# unlock: the dry run without --allow-erase-all exits 5 like the real run
	expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T" --force --rdp 1 --flash "$FW"
	expect_exit 5 "$FK_BIN" -c "$c:$T" --dry-run unlock
	expect_exit 5 "$FK_BIN" -c "$c:$T" unlock
	# reset: never "done" on a dry run
	expect_exit 0 "$FK_BIN" -c "$c:$T" --dry-run reset
	! grep -q "reset done" "$OUT" || fail "$c: --dry-run reset says done"
	grep -q "dry run" "$OUT" || fail "$c: --dry-run reset does not say it is a dry run"
	# backup: nothing written
	expect_exit 0 "$FK_TWIN_BIN" new stm32f407 "$T" --force --flash "$FW"
	expect_exit 0 "$FK_BIN" -c "$c:$T" --dry-run backup "$WORK/bk-$c"
	[ ! -e "$WORK/bk-$c" ] || fail "$c: --dry-run backup wrote $(ls -R "$WORK/bk-$c")"
	grep -q "nothing was written" "$OUT" || fail "$c: --dry-run backup does not say nothing was written"
	touch "$WORK/file"
	expect_exit 1 "$FK_BIN" -c "$c:$T" --dry-run backup "$WORK/file/sub"
done
pass
