#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# WRP only (RDP 0): unlock removes it with no mass erase, no backup, no data lost; a write to a
# protected sector is refused before anything is erased, naming sector and bit.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
FW="$FK_SRC/tests/fixtures/fw.elf"
"$FK_TWIN_BIN" new stm32f407 b.twin --wrp 2,5 >/dev/null || fail "flashkey-twin new"
fk() { "$FK_BIN" -c twin:b.twin "$@"; }

# fw.elf spans sectors 0-2: sector 2 is protected; nothing may be erased (sector 0 stays blank)
expect_exit 4 fk write "$FW"
grep -q "sector 2 is write-protected (nWRP2=0" "$ERR" || fail "refusal does not name sector 2 and nWRP2"
grep -q "unlock --upto wrp" "$ERR" || fail "no hint to unlock --upto wrp"
fk --json status >st.json 2>/dev/null
[ "$(json_get st.json "d['inventory']['sectors'][0]['content']")" = blank ] || fail "sector 0 was touched"

expect_exit 0 fk erase 0 1
expect_exit 0 fk write "$FK_SRC/tests/fixtures/fw.bin" --base 0x08060000
expect_exit 0 fk read before.bin 0x08060000:0x10000
expect_exit 0 fk unlock --dry-run
grep -q "rdp" "$OUT" && fail "WRP-only plan contains an RDP step"
grep -q "destroys\|needs --allow-erase-all" "$OUT" && fail "WRP-only plan asks for erase permission"
expect_exit 0 fk unlock
grep -q "wrp: done: WRP: sectors 2 5 -> cleared" "$OUT" || fail "wrp step result missing"
[ -e flashkey-backups ] && fail "a backup was taken although nothing destructive ran"
expect_exit 0 fk read after.bin 0x08060000:0x10000
cmp -s before.bin after.bin || fail "data changed by WRP removal"
expect_exit 0 fk write "$FW"
expect_exit 0 fk status
pass
