#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey doctor on what the peers really print for the FLASH_OPTR family, confirmed live on
# the STM32L476 and STM32G071 twins (issue 14 Deliver 4):
#   - OpenOCD 0.12 target/stm32l4x.cfg (remote_bitbang JTAG) writing to an L476 at RDP level 1
#     (RM0351 §3.5.1: no flash access from the debugger at level 1): the probe says "RDP level 1
#     (0x00)" (OpenOCD prints its enum, not the byte) and the write faults, "JTAG-DP STICKY
#     ERROR"; doctor lists rdp1, the live doctor over twin-swd: confirms it from the option
#     byte (0xBB) and names the regression;
#   - the same writing over a WRP area (WRP1AR pages 0-3, RM0351 §3.5.2): "stm32x device
#     protected" (FLASH_SR.WRPERR on the page erase); the live doctor confirms wrp with the
#     area and its register, rules out rdp1 and PCROP (the options were read), and the fix is
#     unlock --upto wrp, which loses nothing;
#   - stm32flash 0.7 writing to a G071 at RDP level 1 through its ROM bootloader (AN3155 v3.1:
#     Extended Erase refused at level 1): "Got NACK from device on command 0x44"; the live
#     doctor over twin: confirms rdp1 and rules out wrp.
# Control: the same write to an unprotected L476 succeeds and doctor matches nothing.
. "$(dirname "$0")/../scenario/lib.sh"
OCD_TARGET=stm32l4x
. "$(dirname "$0")/openocd.inc"
OCD_TIMEOUT=100
python3 -c 'import sys; sys.stdout.buffer.write(b"\x5a" * 0x40)' >img.bin
prog="init; reset halt; flash write_image erase img.bin 0x08000000; shutdown"

. "$(dirname "$0")/doctor_check.inc"

# control
expect_exit 0 "$T" new stm32l476rg ok.twin
start_server ok.twin --realtime
ocd "$prog" || { cat ocd.log >&2; fail "control: OpenOCD exit $?"; }
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
expect_exit 0 "$FK_BIN" -c twin:ok.twin verify img.bin --base 0x08000000
if "$FK_BIN" doctor - <ocd.log >ok.doc 2>&1; then cat ocd.log ok.doc >&2; fail "control: doctor found a message"; fi

# RDP level 1: the debugger's write faults
expect_exit 0 "$T" new stm32l476rg rdp.twin --rdp 1
start_server rdp.twin --realtime
if ocd "$prog"; then cat ocd.log >&2; fail "rdp: OpenOCD succeeded"; fi
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
need "RDP level 1 (0x00)"
need "JTAG-DP STICKY ERROR"
cp ocd.log rdp.log
lists rdp rdp1
doctor_live twin-swd:rdp.twin rdp '^  [0-9]+\. rdp1 +confirmed +rdp1: RDP byte 0xBB: level 1' '^Cause: rdp1:' \
	'^Fix: flashkey -c twin-swd:rdp.twin unlock --upto rdp --allow-erase-all' \
	'rdp +regress to level 0 \(RDP=0xAA\)'

# a WRP area over the application
expect_exit 0 "$T" new stm32l476rg wrp.twin --option wrp1ar=0x00030000
start_server wrp.twin --realtime
if ocd "$prog"; then cat ocd.log >&2; fail "wrp: OpenOCD succeeded"; fi
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
need "RDP level 0 (0xAA)"
need "stm32x device protected"
cp ocd.log wrp.log
lists wrp wrp rdp1
doctor_live twin-swd:wrp.twin wrp '^  [0-9]+\. wrp +confirmed +wrp: WRP1A: bank 1 pages 0-3 .*FLASH_WRP1AR=0x00030000' \
	'^  [0-9]+\. rdp1 +ruled-out' '^  [0-9]+\. pcrop +ruled-out' '^Cause: wrp:' \
	'^Fix: flashkey -c twin-swd:wrp.twin unlock --upto wrp$'

# stm32flash 0.7 against the G071's ROM bootloader at RDP level 1
if command -v stm32flash >/dev/null; then
	expect_exit 0 "$T" new stm32g071rb sf.twin --rdp 1
	"$T" serve sf.twin --uart-pty "$WORK/ttyG0" >sf.serve 2>&1 &
	SF_SERVER=$!
	for _ in $(seq 100); do [ -L "$WORK/ttyG0" ] && break; sleep 0.1; done
	[ -L "$WORK/ttyG0" ] || fail "no pty link: $(cat sf.serve)"
	if timeout 60 stm32flash -m 8n1 -b 115200 -w img.bin "$WORK/ttyG0" >sf.log 2>&1; then
		cat sf.log >&2; fail "stm32flash wrote to an RDP 1 G071"
	fi
	kill -TERM $SF_SERVER; wait $SF_SERVER || fail "pty server exit $?"
	grep -qF "Device ID    : 0x0460" sf.log || { cat sf.log >&2; fail "stm32flash: not the G071"; }
	grep -qF "Got NACK from device on command 0x44" sf.log || { cat sf.log >&2; fail "stm32flash: no NACK on 0x44"; }
	lists sf rdp1
	doctor_live twin:sf.twin sf '^  [0-9]+\. rdp1 +confirmed +rdp1: RDP byte 0xBB: level 1' \
		'^  [0-9]+\. wrp +ruled-out' '^Cause: rdp1:' '^Fix: flashkey -c twin:sf.twin unlock --upto rdp --allow-erase-all'
else
	echo "note: stm32flash not installed: its G071 case not run"
fi
pass
