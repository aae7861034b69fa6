#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey list` with emulated probes plugged into the USB seam (FLASHKEY_TWIN_PROBES): every
# kind is found through the real discovery code (ST-LINK by VID:PID, CMSIS-DAP v2 by interface
# string, v1 by HID product string) and asked for its firmware version by the real drivers.
. "$(dirname "$0")/lib.sh"
export FLASHKEY_TWIN_PROBES="stlink-v2=@membus;stlink-v3=@membus,serial=MYV3;cmsis-dap-v2=@membus;cmsis-dap-v1=@membus;stlink-v21=@membus"
expect_exit 0 "$FK_BIN" list
grep -qE 'ST-LINK/V2 +0483:3748 +serial TWINSTLINK0 +firmware V2J37S7' "$OUT" || fail "V2 row"
grep -qE 'ST-LINK/V3S +0483:374f +serial MYV3 +firmware V3J7M2B3S1' "$OUT" || fail "V3 row"
grep -qE 'ST-LINK/V2-1 +0483:374b +serial TWINSTLINK4 +firmware V2J37M26' "$OUT" || fail "V2-1 row"
grep -qE 'CMSIS-DAP v2 +c251:f00a +serial TWINDAP2 +firmware 2.1.0' "$OUT" || fail "DAP v2 row"
grep -qE 'CMSIS-DAP v1 +c251:f001 +serial TWINDAP3 +firmware 1.3.0' "$OUT" || fail "DAP v1 row"
grep -q 'use: -c stlink:MYV3' "$OUT" || fail "selection string for the V3"
grep -q 'use: -c cmsis-dap:TWINDAP3' "$OUT" || fail "selection string for the v1"
expect_exit 0 "$FK_BIN" --json list
[ "$(json_get "$OUT" 'len(d["probes"])')" = 5 ] || fail "JSON: five probes"
[ "$(json_get "$OUT" '[p["firmware"] for p in d["probes"] if p["serial"]=="MYV3"][0]')" = V3J7M2B3S1 ] \
	|| fail "JSON firmware of the V3"
# a spec the twin cannot use is reported, not silently ignored
FLASHKEY_TWIN_PROBES="stlink-v9=@membus" expect_exit 0 "$FK_BIN" list
grep -q 'FLASHKEY_TWIN_PROBES' "$ERR" || fail "bad spec not reported"
# choosing a serial that is not plugged in names the ones that are
expect_exit 3 "$FK_BIN" -c stlink:NOPE info
grep -q 'no ST-LINK with serial NOPE' "$ERR" || fail "unknown serial message"
grep -q 'TWINSTLINK0' "$ERR" || fail "hint does not list the attached serials"
pass
