#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey doctor on the F1-specific messages the peers really print, confirmed live on STM32F103
# twins (issue 21 Deliver 4):
#   - OpenOCD 0.12 target/stm32f1x.cfg over remote_bitbang JTAG writes to an F103 at RDP level 1
#     (PM0075 §2.4.1: the FPEC refuses programming from the debugger, WRPRTERR): "stm32x device
#     protected"; doctor lists rdp1, the live doctor over twin-swd: confirms it and names the
#     regression (unlock --upto rdp --allow-erase-all) as the next step;
#   - the same against the CKS32F103-style clone (JTAG-DP 0x2BA01477, DEV_ID 0x410): OpenOCD's
#     JTAG "UNEXPECTED: 0x2ba01477" / "expected 1 of 1: 0x3ba00477"; doctor names clone-part
#     first and says what to give OpenOCD (CPUTAPID);
#   - stm32flash 0.7 writing to an F103 at RDP level 1 through the twin's ROM bootloader (AN3155
#     Table 2: only Get, Get Version, Get ID and Readout Unprotect answer): its NACK on the erase
#     (command 0x43, the F1's standard Erase); doctor lists rdp1, the live doctor over twin:
#     confirms it and names the regression.
# Controls: the same commands against an unprotected genuine F103 succeed and match nothing.
. "$(dirname "$0")/../scenario/lib.sh"
OCD_TARGET=stm32f1x
. "$(dirname "$0")/openocd.inc"
OCD_TIMEOUT=60
python3 -c 'import sys; sys.stdout.buffer.write(b"\x5a" * 0x40)' >img.bin
prog="init; reset halt; flash write_image img.bin 0x08000000; shutdown"

. "$(dirname "$0")/doctor_check.inc"

# control: an unprotected genuine F103 takes the write; nothing in the log is a known message
expect_exit 0 "$T" new stm32f103c8 ok.twin
start_server ok.twin
ocd "$prog" || { cat ocd.log >&2; fail "control: OpenOCD exit $?"; }
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
if "$FK_BIN" doctor - <ocd.log >ok.doc 2>&1; then cat ocd.log ok.doc >&2; fail "control: doctor found a message"; fi

# RDP level 1: the write is refused
expect_exit 0 "$T" new stm32f103c8 rdp.twin --rdp 1
start_server rdp.twin
if ocd "$prog"; then cat ocd.log >&2; fail "rdp: OpenOCD succeeded"; fi
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
need "device id = 0x20030410"
need "stm32x device protected"
cp ocd.log rdp.log
lists rdp rdp1 wrp
grep -q '"Error: stm32x device protected"' rdp.doc || fail "rdp: the message is not named"
doctor_live twin-swd:rdp.twin rdp '^  [0-9]+\. rdp1 +confirmed +rdp1: RDP byte 0x00: level 1' '^Cause: rdp1:' \
	'^Fix: flashkey -c twin-swd:rdp.twin unlock --upto rdp --allow-erase-all' \
	'rdp +regress to level 0.*RDP=0xA5'

# the clone: OpenOCD's JTAG chain check refuses the IDCODE, then carries on
expect_exit 0 "$T" new cks32f103c8 clone.twin
start_server clone.twin
ocd "$prog" # the write itself succeeds: the clone's FPEC is the F1's
stop_server || fail "server exit code after SIGTERM: $(cat serve.err)"
need "UNEXPECTED: 0x2ba01477"
need "expected 1 of 1: 0x3ba00477"
cp ocd.log clone.log
lists clone clone-part wrong-target-config
grep -qE "^  1\. clone-part:" clone.doc || { cat clone.doc >&2; fail "clone: clone-part is not named first"; }
grep -q "set CPUTAPID 0x2ba01477" clone.doc || fail "clone: doctor does not say how to tell OpenOCD"
doctor_live twin-swd:clone.twin clone '^  1\. clone-part' 'clone'

# stm32flash 0.7 against the F103's ROM bootloader at RDP level 1
if command -v stm32flash >/dev/null; then
	expect_exit 0 "$T" new stm32f103c8 sf.twin --rdp 1
	"$T" serve sf.twin --uart-pty "$WORK/ttyF1" >sf.serve 2>&1 &
	SF_SERVER=$!
	for _ in $(seq 100); do [ -L "$WORK/ttyF1" ] && break; sleep 0.1; done
	[ -L "$WORK/ttyF1" ] || fail "no pty link: $(cat sf.serve)"
	if timeout 60 stm32flash -m 8n1 -b 115200 -w img.bin "$WORK/ttyF1" >sf.log 2>&1; then
		cat sf.log >&2; fail "stm32flash wrote to an RDP 1 F103"
	fi
	kill -TERM $SF_SERVER; wait $SF_SERVER || fail "pty server exit $?"
	grep -qF "Got NACK from device on command 0x43" sf.log || { cat sf.log >&2; fail "stm32flash: no NACK on 0x43"; }
	lists sf rdp1 wrp
	# wrp: lib/doctor/facts.c decides the option facts when the driver decoded the options
	# (inventory options present); at level 1 over the bootloader the F1's may be hidden, so
	# wrp is ruled out or undecided; rdp1 confirmed decides the cause all the same
	doctor_live twin:sf.twin sf '^  [0-9]+\. rdp1 +confirmed' '^  [0-9]+\. wrp +(ruled-out|undecided)' '^Cause: rdp1:' \
		'^Fix: flashkey -c twin:sf.twin unlock --upto rdp --allow-erase-all'
else
	echo "note: stm32flash not installed: its F1 case not run"
fi
pass
