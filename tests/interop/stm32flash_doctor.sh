#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey doctor on what stm32flash 0.7 really prints, confirmed live on STM32F407 twins (issue
# 19: "confirmed live on the twins"): stm32flash writes a small image through the twin's ROM
# bootloader (AN3155) and its whole output goes to `flashkey doctor -`; then
# `flashkey -c twin:TWIN doctor -` decides the causes on the chip.
#   - RDP level 1: the ROM NACKs the erase (an3155.md §2, RM0090 §3.7.3): rdp1 listed, confirmed,
#     wrp ruled out;
#   - nWRP0=0: the ROM refuses the erase of sector 0 ("Extended erase failed", an3155.md §4.6):
#     wrp listed, confirmed, rdp1 ruled out.
# A control: the same write to an unprotected twin succeeds and its output matches no message.
. "$(dirname "$0")/stm32flash.inc"
head -c 1024 /dev/urandom >"$TMP/img.bin"

write_fails() { # NAME [new options]: stm32flash -w fails on a twin made with the options
	local name=$1
	shift
	"$FK_TWIN_BIN" new stm32f407 "$TWIN" --force "$@" >/dev/null || fail "$name: new"
	start_server
	if sf -w "$TMP/img.bin" >"$TMP/$name.log" 2>&1; then cat "$TMP/$name.log"; fail "$name: write succeeded"; fi
	stop_server
}
doctor_lists() { # NAME CAUSE: offline doctor lists CAUSE for the log
	"$FK_BIN" doctor - <"$TMP/$1.log" >"$TMP/$1.doc" 2>&1 || { cat "$TMP/$1.log" "$TMP/$1.doc"; fail "$1: doctor exit $?"; }
	grep -qE "^  [0-9]+\. $2:" "$TMP/$1.doc" || { cat "$TMP/$1.log" "$TMP/$1.doc"; fail "$1: doctor does not list $2"; }
}
live_says() { # NAME PATTERN...: the live doctor (twin:) on the log prints every PATTERN
	local name=$1
	shift
	timeout 120 "$FK_BIN" -c "twin:$TWIN" doctor - <"$TMP/$name.log" >"$TMP/$name.live" 2>&1 || true
	for p in "$@"; do
		grep -qE -- "$p" "$TMP/$name.live" || { cat "$TMP/$name.live"; fail "$name: live doctor lacks /$p/"; }
	done
}

"$FK_TWIN_BIN" new stm32f407 "$TWIN" >/dev/null || fail "control: new"
start_server
sf -w "$TMP/img.bin" >"$TMP/ok.log" 2>&1 || { cat "$TMP/ok.log"; fail "control: write failed"; }
stop_server
if "$FK_BIN" doctor - <"$TMP/ok.log" >"$TMP/ok.doc" 2>&1; then cat "$TMP/ok.log" "$TMP/ok.doc"; fail "control: doctor found a message"; fi

write_fails rdp --rdp 1
expect_in "Got NACK from device on command 0x44" "$TMP/rdp.log"
doctor_lists rdp rdp1
live_says rdp '^  [0-9]+\. rdp1 +confirmed' '^  [0-9]+\. wrp +ruled-out' '^Cause: rdp1:'

write_fails wrp --wrp 0
expect_in "Failed to erase memory" "$TMP/wrp.log"
doctor_lists wrp wrp
live_says wrp '^  [0-9]+\. wrp +confirmed' '^  [0-9]+\. rdp1 +ruled-out' '^Cause: wrp:'
echo "stm32flash_doctor: ok"
