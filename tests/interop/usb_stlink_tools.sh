#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stlink-tools 1.7 (st-info, st-flash: libstlink over libusb) against the STM32F407 twin
# through the USB bridge and an emulated ST-LINK/V2-1: st-info --probe names the chip and its flash
# size; st-flash read returns what flashkey wrote; st-flash --area=option read gives the option
# word `flashkey-twin show` holds; st-flash erase (mass erase) leaves flash blank for flashkey.
# st-flash write is in usb_stlink_write.sh (its own twin: st-flash leaves MER or SER set in
# FLASH_CR, and the next st-flash command sets the other: RM0090 §3.7.4 WRPERR, docs/PROBES.md).
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/usb.inc"
command -v st-flash >/dev/null || { echo "SKIP: stlink-tools not installed"; exit 77; }
expect_exit 0 "$T" new stm32f407 f4.twin

usb stlink-v21 -- st-info --probe || fail "st-info --probe: $(cat usb.log)"
need "Found 1 stlink programmers"
need "serial:     464B5457494E000000000001"
need "flash:      1048576 (pagesize: 16384)"
need "chipid:     0x0413"
need "descr:      F4xx"

head -c 1024 /dev/urandom >img.bin
expect_exit 0 "$FK_BIN" -c twin:f4.twin write img.bin --base 0x08000000
usb stlink-v21 -- st-flash read back.bin 0x08000000 1024 || fail "st-flash read: $(cat usb.log)"
cmp -s back.bin img.bin || fail "st-flash read differs from what flashkey wrote"

usb stlink-v21 -- st-flash --area=option read || fail "st-flash option read: $(cat usb.log)"
expect_exit 0 "$T" show f4.twin --json
want=$(json_get "$OUT" 'd["registers"]["FLASH_OPTCR"]["value"][2:].lower()')
grep -qx "$want" usb.log || { cat usb.log >&2; fail "st-flash's option word is not the twin's OPTCR 0x$want"; }

usb stlink-v21 -- st-flash erase || fail "st-flash erase: $(cat usb.log)"
need "Mass erasing"
"$FK_BIN" -c twin:f4.twin read blank.bin 0x08000000:1024 >"$OUT" 2>"$ERR" || fail "flashkey read"
head -c 1024 /dev/zero | tr '\0' '\377' >ff.bin
cmp -s blank.bin ff.bin || fail "flash not blank after st-flash erase"
pass
