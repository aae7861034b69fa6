#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey's own stlink: and cmsis-dap: connections through the USB bridge: the real libusb and
# hidapi code paths of our drivers (lib/link/usb_libusb.c, hid.c), not the in-process seam, against
# ST-LINK/V2, CMSIS-DAP v2 (bulk) and CMSIS-DAP v1 (HID) plugged at once with distinct serials.
# Each writes (and so verifies) a small image; flashkey (twin:) and `flashkey-twin show` agree.
# A probe unplugged in the middle of a write fails as on hardware: exit 10 (device gone).
# The flashkey under test may be built with AddressSanitizer: LD_LIBRARY_PATH only (--no-preload).
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/usb.inc"
expect_exit 0 "$T" new stm32f407 f4.twin
S1=464B5457494E000000000001 S2=464B5457494E000000000002 S3=464B5457494E000000000003
fk_usb() { # fk_usb EXPECTED-EXIT PROBES... -- flashkey ARGS
	local want=$1; shift
	local probes=()
	while [ "$1" != "--" ]; do probes+=(--probe "$1"); shift; done
	shift
	timeout 120 "$T" with-usb f4.twin --no-preload "${probes[@]}" -- "$FK_BIN" "$@" \
		>"$OUT" 2>"$ERR" </dev/null
	local got=$?
	[ "$got" -eq "$want" ] || fail "expected exit $want, got $got: flashkey $*"
}
ALL=(stlink-v2 cmsis-dap-v2 cmsis-dap-v1 --)

fk_usb 0 "${ALL[@]}" list
grep -q "ST-LINK/V2 .*0483:3748 .*serial $S1" "$OUT" || fail "list lacks the ST-LINK/V2"
grep -q "CMSIS-DAP v2 .*serial $S2" "$OUT" || fail "list lacks the CMSIS-DAP v2"
grep -q "CMSIS-DAP v1 .*serial $S3" "$OUT" || fail "list lacks the CMSIS-DAP v1"

n=0
for conn in stlink:$S1 cmsis-dap:$S2 cmsis-dap:$S3; do
	n=$((n + 1))
	head -c $((512 * n)) /dev/urandom >img$n.bin
	fk_usb 0 "${ALL[@]}" -c "$conn" write img$n.bin --base 0x08000000 # programs and verifies
	grep -q "verified" "$OUT" || fail "$conn: write did not verify"
	expect_exit 0 "$FK_BIN" -c twin:f4.twin verify img$n.bin
done

# status through the bridge (ST-LINK: the quickest full read of flash) against the twin's view
fk_usb 0 stlink-v2 -- -c stlink status --json
cp "$OUT" bridge.json
[ "$(json_get bridge.json 'd["inventory"]["rdp_level"]')" = "$(twin_rdp)" ] ||
	fail "status through the bridge disagrees with flashkey-twin show on RDP"
expect_exit 0 "$FK_BIN" -c twin:f4.twin status --json
[ "$(json_get bridge.json 'd["inventory"]["registers"]["FLASH_OPTCR"]')" = \
  "$(json_get "$OUT" 'd["inventory"]["registers"]["FLASH_OPTCR"]')" ] ||
	fail "status through the bridge and through twin: disagree on FLASH_OPTCR"

# unplugged after 120 transfers (a 16 KiB write takes about 160)
head -c 16384 /dev/urandom >big.bin
fk_usb 10 stlink-v2,gone-after=120 -- -c stlink write big.bin --base 0x08000000
grep -qi "disconnected\|unplugged\|gone" "$ERR" || fail "the error does not say the probe went away"
pass
