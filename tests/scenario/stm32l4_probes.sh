#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job on the STM32L476 (RM0351) and STM32G071 (RM0444, SW-DP only) twins through the
# emulated probes (issue 14 Deliver 5): locked at RDP level 1 with a WRP area over the
# application -> unlock with backup -> write -> verify -> clean status, over twin-stlink:
# (ST-LINK/V2), twin-cmsis-dap: (CMSIS-DAP v2), an ST-LINK/V3 chosen by serial and a
# CMSIS-DAP v1 (HID) chosen by serial (FLASHKEY_TWIN_PROBES). Every command must exit and print
# as it does over the in-process twin: reference run. The J-Link (no twin-jlink: scheme; it is
# reached through the USB bridge) is covered by tests/interop/usb_flashkey_jlink_l4.sh.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
T=$FK_TWIN_BIN
FW="$FK_SRC/tests/fixtures/fw.elf"
export FLASHKEY_TWIN_PROBES="stlink-v3=p3.twin,serial=S3;cmsis-dap-v1=pd1.twin,serial=D1"

# run NAME CONN CMD...: output (stdout+stderr, backup stamps and twin paths removed) in NAME.out,
# exit code in NAME.rc
run() {
	local name=$1 conn=$2; shift 2
	"$FK_BIN" -c "$conn" "$@" >"$name.out" 2>&1 </dev/null
	echo $? >"$name.rc"
	sed -i -E 's/[0-9]{8}-[0-9]{6}(-[0-9]+)?/STAMP/g; s/(twin|p3|pd1|pst|pdap)\.twin/T/g;
		   s/bk-[a-z0-9]+/bk/g' "$name.out"
	# a busy-flag wait longer than a second of wall time is said (issue 13 class 16): how long
	# depends on the path's speed and the machine's load, not on what the chip did
	sed -i -E '/^waiting for [A-Z_.]+ to clear \(SR=/d' "$name.out"
}

job() { # job PREFIX CONN
	run "$1.status" "$2" status
	run "$1.plan" "$2" unlock --dry-run
	run "$1.unlock" "$2" unlock --allow-erase-all --backup-dir "bk-$1"
	run "$1.write" "$2" write "$FW" --voltage 3.3 # CMSIS-DAP cannot measure the supply
	run "$1.verify" "$2" verify "$FW"
	run "$1.clean" "$2" status
}

# part PART WRP-OPTION: the reference run, then each probe compared with it
part() {
	local chip=$1 wrp=$2
	rm -rf ./*.twin ./*.out ./*.rc ./*.diff bk-*
	for f in twin p3 pd1 pst pdap; do
		"$T" new "$chip" "$f.twin" --rdp 1 --option "$wrp" >/dev/null || fail "flashkey-twin new $chip"
	done
	job ref twin:twin.twin
	local rcs
	rcs=$(cat ref.status.rc ref.unlock.rc ref.write.rc ref.verify.rc ref.clean.rc | tr '\n' ' ')
	[ "$rcs" = "4 0 0 0 0 " ] || fail "$chip: reference run over twin: failed: \
$(cat ref.status.out ref.unlock.out ref.write.out ref.verify.out)"
	grep -q "RDP     level 1" ref.status.out || fail "$chip: locked state not seen"
	grep -q "wrp: done: WRP1A" ref.unlock.out || fail "$chip: the unlock did not remove WRP1A"
	grep -q "rdp: done" ref.unlock.out || fail "$chip: the unlock did not regress RDP"
	grep -q "RDP     level 0" ref.clean.out || fail "$chip: not at level 0 after the unlock"
	for p in "st2 twin-stlink:pst.twin" "dap2 twin-cmsis-dap:pdap.twin" "st3 stlink:S3" \
		 "dap1 cmsis-dap:D1"; do
		set -- $p
		job "$1" "$2"
		for step in status plan unlock write verify clean; do
			cmp -s "ref.$step.rc" "$1.$step.rc" || fail "$chip $2 $step: exit \
$(cat "$1.$step.rc"), twin: gives $(cat "ref.$step.rc"): $(cat "$1.$step.out")"
			diff -u "ref.$step.out" "$1.$step.out" >"$1.$step.diff" ||
				fail "$chip $2 $step prints differently: $(cat "$1.$step.diff")"
		done
	done
	# the twins' own view agrees: level 0, no WRP area, the image in place
	for f in pst pdap p3 pd1; do
		expect_exit 0 "$T" show "$f.twin" --json
		[ "$(json_get "$OUT" '"%s %s" % (d["rdp_level"], d["wrp"])')" = "0 []" ] ||
			fail "$chip $f: the twin is not clean after the job"
		expect_exit 0 "$FK_BIN" -c "twin:$f.twin" verify "$FW"
	done
}

# L476: WRP1A over bank 1 pages 0-3 (RM0351 §3.7.11: start 0, end 3)
part stm32l476rg wrp1ar=0x00030000
# G071: SW-DP only (RM0444 §40.2): every probe reaches it over SWD; WRP1A pages 0-3 (§3.7.12)
part stm32g071rb wrp1ar=0x00030000
# the ST-LINK/V3 measures the supply itself: without --voltage the write still verifies
run st3.w stlink:S3 write "$FW"
[ "$(cat st3.w.rc)" = 0 ] || fail "ST-LINK/V3 write without --voltage: $(cat st3.w.out)"
pass
