#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 (interface/cmsis-dap.cfg, SWD) drives the LPC55S69 twin's debug
# mailbox through the emulated CMSIS-DAP v2 of the USB bridge with nothing but its generic DAP
# commands (`dap apreg`: OpenOCD has no LPC55 mailbox support). The sequence is pyOCD's unlock
# (pyocd/target/family/target_lpc5500.py) and spsdk's ERASE_FLASH (dm_commands.py, command 3):
#  - the SW-DP answers DPIDR 0x6BA02477 and AP 2's IDR is the mailbox's 0x002A0000;
#  - CSW = RESYNCH_REQ | CHIP_RESET_REQ, then CSW reads 0 once the ROM has resynchronised (it
#    answers WAIT until then: OpenOCD's reads are retried in Tcl);
#  - on a part with a blank CMPA and no image, REQUEST = 7 START_DBG_SESSION returns 0 and AP 0's
#    CSW.DeviceEn (bit 6) turns on;
#  - on a part whose CMPA closes debug, START_DBG_SESSION is refused (RETURN 0x00100002),
#    ERASE_FLASH returns 0, the twin counts one mass erase with no page left programmed, and
#    DeviceEn stays off (the CMPA survives the erase, docs/NXP.md); `flashkey status` then still
#    reports debug closed.
. "$(dirname "$0")/../scenario/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
[ -f "$FK_BUILD/usb-bridge/libfktwin-usb.so" ] \
	|| { echo "SKIP: USB bridge not built (no libusb/hidapi headers)"; exit 77; }
command -v openocd >/dev/null || { echo "SKIP: openocd not installed"; exit 77; }
need() { grep -qF -- "$1" "$2" || { cat "$2" >&2; fail "$2 lacks: $1"; }; }

cat >dm.tcl <<'TCL'
proc dm_wait {reg} {
	for {set i 0} {$i < 100000} {incr i} {
		if {![catch {set v [lpc55.dap apreg 2 $reg]}]} { return $v }
	}
	error "DM-AP register $reg kept answering WAIT"
}
proc dm_cmd {cmd} {
	lpc55.dap apreg 2 0x4 $cmd
	return [dm_wait 0x8]
}
TCL
ocd() { # TWIN LOG COMMANDS...
	local twin=$1 log=$2
	shift 2
	timeout 120 "$T" with-usb "$twin" --probe cmsis-dap-v2 -- openocd -c "gdb_port disabled" \
		-c "tcl_port disabled" -c "telnet_port disabled" -f interface/cmsis-dap.cfg \
		-c "transport select swd" -c "adapter speed 1000" \
		-c "swd newdap lpc55 cpu -expected-id 0x6ba02477" \
		-c "dap create lpc55.dap -chain-position lpc55.cpu" -f dm.tcl -c init \
		-c "echo IDR=[lpc55.dap apreg 2 0xfc]" -c "echo CSW0=[lpc55.dap apreg 0 0]" \
		-c "lpc55.dap apreg 2 0 0x21" -c "echo DMCSW=[dm_wait 0]" "$@" -c shutdown \
		>"$log" 2>&1 </dev/null || fail "openocd failed: $(cat "$log")"
	grep -q "^Error" "$log" && { cat "$log" >&2; fail "OpenOCD saw errors"; }
	need "SWD DPIDR 0x6ba02477" "$log"
	need "IDR=0x002a0000" "$log"
	need "CSW0=0x03000002" "$log" # DeviceEn (bit 6) off before the session
	need "DMCSW=0x00000000" "$log"
}

# blank CMPA, no image: the session opens debug
expect_exit 0 "$T" new lpc55s69 o.twin --debug open
ocd o.twin o.log -c "echo START=[dm_cmd 7]" -c "echo CSW0=[lpc55.dap apreg 0 0]"
need "START=0x00000000" o.log
need "CSW0=0x03000042" o.log

# the CMPA closes debug: the session is refused, the mass erase runs, debug stays closed
head -c 8192 /dev/urandom >img.bin
expect_exit 0 "$T" new lpc55s69 c.twin --debug closed --flash img.bin
ocd c.twin c.log -c "echo START=[dm_cmd 7]" -c "echo ERASE=[dm_cmd 3]" \
	-c "echo CSW0=[lpc55.dap apreg 0 0]"
need "START=0x00100002" c.log
need "ERASE=0x00000000" c.log
[ "$(grep -c 'CSW0=0x03000002' c.log)" = 2 ] || { cat c.log >&2; fail "DeviceEn turned on"; }
expect_exit 0 "$T" show c.twin --json
[ "$(json_get "$OUT" 'd["mass_erases"]')" = 1 ] || fail "no mass erase counted"
[ "$(json_get "$OUT" 'd["pages_programmed"]')" = 0 ] || fail "flash not erased"
expect_exit 4 "$FK_BIN" -c twin-swd:c.twin --json status
json_get "$OUT" 'd["inventory"]["locks"][0]["state"]' | grep -q "debug closed; mailbox present" ||
	fail "flashkey status: debug closed not reported after OpenOCD's erase"
pass
