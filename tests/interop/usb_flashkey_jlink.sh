#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey's own jlink: connection (lib/probe/jlink.c through Debian's libjaylink and the real
# libusb code path) against the emulated J-Link V9 through the USB bridge: `flashkey list` names
# it beside an ST-LINK; write (and so verify) an image, then status, compared with the in-process
# twin: view and `flashkey-twin show`; a chosen SWD clock and connect-under-reset; an RDP level 1
# twin read through the probe; an unpowered target refused first (exit 3, VTref named); a probe
# unplugged in the middle of a write (exit 10, device gone).
# The flashkey under test may be built with AddressSanitizer: LD_LIBRARY_PATH only (--no-preload).
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/usb.inc"
expect_exit 0 "$T" new stm32f401xb f4.twin # 128 KiB: status reads all of flash
fk_usb() { # fk_usb EXPECTED-EXIT TWIN PROBES... -- flashkey ARGS
	local want=$1 twin=$2; shift 2
	local probes=()
	while [ "$1" != "--" ]; do probes+=(--probe "$1"); shift; done
	shift
	timeout 120 "$T" with-usb "$twin" --no-preload "${probes[@]}" -- "$FK_BIN" "$@" \
		>"$OUT" 2>"$ERR" </dev/null
	local got=$?
	[ "$got" -eq "$want" ] || fail "expected exit $want, got $got: flashkey $* ($(cat "$ERR"))"
}

# the bridge numbers serials by slot: the J-Link in slot 2 is 000900000002 (libjaylink: 900000002)
fk_usb 0 f4.twin stlink-v2 jlink -- list
grep -q "ST-LINK/V2 .*0483:3748" "$OUT" || fail "list lacks the ST-LINK/V2"
grep -q "J-Link V9 .*1366:0101 .*serial 900000002 " "$OUT" || fail "list lacks the J-Link: $(cat "$OUT")"
grep -q "use: -c jlink:900000002" "$OUT" || fail "list does not say how to select the J-Link"

head -c 3000 /dev/urandom >img.bin
fk_usb 0 f4.twin stlink-v2 jlink -- -c jlink:900000002 write img.bin --base 0x08000000 # programs and verifies
grep -q "verified" "$OUT" || fail "jlink: write did not verify"
expect_exit 0 "$FK_BIN" -c twin:f4.twin verify img.bin --base 0x08000000

fk_usb 0 f4.twin jlink -- -c jlink --speed 1000 --connect under-reset status --json
cp "$OUT" bridge.json
[ "$(json_get bridge.json 'd["inventory"]["rdp_level"]')" = "$(twin_rdp)" ] ||
	fail "status through the J-Link disagrees with flashkey-twin show on RDP"
expect_exit 0 "$FK_BIN" -c twin:f4.twin status --json
[ "$(json_get bridge.json 'd["inventory"]["registers"]["FLASH_OPTCR"]')" = \
  "$(json_get "$OUT" 'd["inventory"]["registers"]["FLASH_OPTCR"]')" ] ||
	fail "status through the J-Link and through twin: disagree on FLASH_OPTCR"

# RDP level 1: identified and inventoried through the probe (status exits 4: protected)
expect_exit 0 "$T" new stm32f401xb rdp1.twin --rdp 1
fk_usb 4 rdp1.twin jlink -- -c jlink status --json
[ "$(json_get "$OUT" 'd["inventory"]["rdp_level"]')" = 1 ] || fail "RDP level 1 not seen through the J-Link"

# no target supply: refused before any SWD traffic, naming VTref
expect_exit 0 "$T" new stm32f401xb off.twin --option power=off
fk_usb 3 off.twin jlink -- -c jlink status
grep -q "target not powered: the J-Link measures 0.000 V on VTref" "$ERR" || fail "no VTref message"

# unplugged in the middle of a 16 KiB write
head -c 16384 /dev/urandom >big.bin
fk_usb 10 f4.twin jlink,gone-after=60 -- -c jlink write big.bin --base 0x08000000
grep -qi "disconnected\|unplugged\|gone\|no device" "$ERR" || fail "the error does not say the probe went away: $(cat "$ERR")"
pass
