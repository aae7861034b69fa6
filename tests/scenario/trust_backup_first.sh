#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 1: the backup goes before the point of no return. Removing PCROP raises RDP to
# level 1 first (RM0090 §3.7.5), which makes flash unreadable to a debugger (§3.7.3): the
# backup must be taken (and hold the flash) before that raise, not before the erase that
# follows. The backup directory is checked before any step runs, on every path; a backup that
# cannot hold what the chip still lets us read is a failure.
. "$(dirname "$0")/lib.sh"
head -c 1048576 /dev/urandom >big.bin
expect_exit 0 "$FK_TWIN_BIN" new stm32f429 pc.twin --pcrop 5 --flash big.bin
cp pc.twin pc.orig

# 1. an unusable backup directory stops the plan before anything is written
touch notadir
expect_exit 1 "$FK_BIN" -c twin:pc.twin --backup-dir notadir/sub unlock --allow-erase-all
grep -q "notadir" "$ERR" || fail "refusal does not name the backup directory"
grep -q "nothing was changed" "$ERR" || fail "refusal does not say nothing was changed"
"$FK_TWIN_BIN" show pc.twin | grep -q "RDP: level 0" || fail "RDP raised although no backup could be written"
"$FK_TWIN_BIN" show pc.twin | grep -q "PCROP sectors: 5" || fail "PCROP changed without a backup"
expect_exit 1 "$FK_BIN" -c twin:pc.twin --backup-dir notadir/sub --dry-run unlock --allow-erase-all
grep -q "notadir" "$ERR" || fail "dry run does not check the backup directory"

# 2. the backup before rdp-raise holds the flash (the PCROP sector aside)
expect_exit 0 "$FK_BIN" -c twin:pc.twin --json unlock --allow-erase-all
dir=$(json_get "$OUT" "[s['backup_dir'] for s in d['steps'] if s['backup_dir']][0]")
step=$(json_get "$OUT" "[s['step'] for s in d['steps'] if s['backup_dir']][0]")
[ "$step" = rdp-raise ] || fail "backup taken before step $step, not before rdp-raise"
ls "$dir"/flash*.bin >/dev/null 2>&1 || fail "backup before the raise holds no flash: $(cat "$dir/manifest.txt")"
cmp -n 131072 big.bin "$dir/flash.bin" 2>/dev/null || cmp -n 131072 big.bin "$dir/flash-0x08000000.bin" ||
	fail "backup differs from the flash it was taken from (sectors 0-4)"
"$FK_TWIN_BIN" show pc.twin | grep -q "PCROP sectors: none" || fail "PCROP not removed"

# 3. the bootloader path checks the directory before the regression, too
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 r1.twin --rdp 1 --flash big.bin
expect_exit 1 "$FK_BIN" -c twin-uart:r1.twin --backup-dir notadir/sub unlock --allow-erase-all
grep -q "notadir" "$ERR" || fail "bootloader path: refusal does not name the backup directory"
"$FK_TWIN_BIN" show r1.twin | grep -q "RDP: level 1" || fail "bootloader path: regressed without a backup"
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 r1d.twin --rdp 1 --flash big.bin
expect_exit 1 "$FK_BIN" -c twin:r1d.twin --backup-dir notadir/sub options set rdp=0 --allow-erase-all
"$FK_TWIN_BIN" show r1d.twin | grep -q "RDP: level 1" || fail "options set rdp=0 regressed without a backup"
pass
