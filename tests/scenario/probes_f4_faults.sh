#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Faults through the emulated probes on an STM32F407 twin:
#  - target not powered: the ST-LINK reads the supply first and says so (exit 3); a CMSIS-DAP
#    cannot measure it and reports a silent debug port (exit 3), both with the next step;
#  - firmware that repurposed the SWD pins: the connect fails with a hint to connect under reset,
#    and --connect under-reset then works (status, write, verify) through both probes;
#  - the probe unplugged in the middle of a write: reported (exit 10, never success), and the
#    chip stays recoverable: the same write through another probe completes and verifies.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }

"$FK_TWIN_BIN" new stm32f407 off.twin --option power=off >/dev/null || fail "new off.twin"
expect_exit 3 "$FK_BIN" -c twin-stlink:off.twin status
grep -q "target not powered: the ST-LINK measures 0.00 V" "$ERR" || fail "ST-LINK: no 'not powered'"
grep -q "VAPP" "$ERR" || fail "ST-LINK: no hint about the supply pin"
grep -q "ENTER\|IDCODE" "$ERR" && fail "ST-LINK went on to SWD although unpowered"
expect_exit 3 "$FK_BIN" -c twin-cmsis-dap:off.twin status
grep -q "no answer from the target" "$ERR" || fail "CMSIS-DAP: silent DP not reported"
grep -q "target power" "$ERR" || fail "CMSIS-DAP: hint does not mention the power"

"$FK_TWIN_BIN" new stm32f407 swd.twin --option swd=repurposed >/dev/null || fail "new swd.twin"
for c in twin-stlink:swd.twin twin-cmsis-dap:swd.twin; do
	expect_exit 3 "$FK_BIN" -c "$c" status
	grep -q "under-reset" "$ERR" || fail "$c: no hint to connect under reset"
	# holding NRST while attaching catches the core before the firmware takes the pins
	expect_exit 0 "$FK_BIN" -c "$c" --connect under-reset status
	grep -q "stm32f40x" "$OUT" || fail "$c: chip not identified under reset"
	expect_exit 0 "$FK_BIN" -c "$c" --connect under-reset write "$FK_SRC/tests/fixtures/fw.elf" --voltage 3.3
	expect_exit 0 "$FK_BIN" -c "$c" --connect under-reset verify "$FK_SRC/tests/fixtures/fw.elf"
done

head -c 262144 /dev/urandom >img.bin
"$FK_TWIN_BIN" new stm32f407 g.twin >/dev/null || fail "new g.twin"
export FLASHKEY_TWIN_PROBES="stlink-v2=g.twin,serial=GONE,gone-after=800;cmsis-dap-v2=g.twin,serial=GONED,gone-after=300"
expect_exit 10 "$FK_BIN" -c stlink:GONE write img.bin --base 0x08000000
grep -q "the USB device was unplugged" "$ERR" || fail "ST-LINK: unplug not reported"
grep -q "cut short" "$ERR" || fail "ST-LINK: the write is not said to be incomplete"
expect_exit 0 "$FK_BIN" -c twin-cmsis-dap:g.twin write img.bin --base 0x08000000 --voltage 3.3
expect_exit 0 "$FK_BIN" -c twin-stlink:g.twin verify img.bin --base 0x08000000
rm -f g.twin && "$FK_TWIN_BIN" new stm32f407 g.twin >/dev/null || fail "new g.twin again"
expect_exit 10 "$FK_BIN" -c cmsis-dap:GONED write img.bin --base 0x08000000 --voltage 3.3
grep -q "unplugged" "$ERR" || fail "CMSIS-DAP: unplug not reported"
expect_exit 0 "$FK_BIN" -c twin-stlink:g.twin write img.bin --base 0x08000000
expect_exit 0 "$FK_BIN" -c twin:g.twin verify img.bin --base 0x08000000
pass
