#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job on the STM32L476 (RM0351) and STM32G071 (RM0444, SW-DP only) twins through
# flashkey's jlink: connection (lib/probe/jlink.c over Debian's libjaylink) and the emulated
# J-Link V9 behind the USB bridge (issue 14 Deliver 5): locked at RDP level 1 with WRP1A over the
# application -> unlock with backup -> write -> verify -> clean status, each step exiting and
# printing as over the in-process twin: reference run (tests/scenario/stm32l4_probes.sh does the
# same for the ST-LINK and CMSIS-DAP emulators).
# The flashkey under test may be built with AddressSanitizer: LD_LIBRARY_PATH only (--no-preload).
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/usb.inc"
"$FK_BIN" -c jlink status >"$OUT" 2>&1 </dev/null
grep -q "built without libjaylink" "$OUT" && { echo "SKIP: flashkey built without J-Link support"; exit 77; }
FW="$FK_SRC/tests/fixtures/fw.elf"

# run NAME TWIN CMD...: flashkey through the in-process twin (TWIN = "-") or the J-Link in front
# of TWIN; output (stamps and paths removed) in NAME.out, exit code in NAME.rc
run() {
	local name=$1 twin=$2; shift 2
	if [ "$twin" = - ]; then
		"$FK_BIN" -c twin:ref.twin "$@" >"$name.out" 2>&1 </dev/null
	else
		timeout 120 "$T" with-usb "$twin" --no-preload --probe jlink -- "$FK_BIN" -c jlink \
			"$@" >"$name.out" 2>&1 </dev/null
	fi
	echo $? >"$name.rc"
	sed -i -E 's/[0-9]{8}-[0-9]{6}(-[0-9]+)?/STAMP/g; s/(ref|jl)\.twin/T/g; s/bk-[a-z0-9]+/bk/g' \
		"$name.out"
	# a busy-flag wait longer than a second of wall time is said (issue 13 class 16): how long
	# depends on the path's speed and the machine's load, not on what the chip did
	sed -i -E '/^waiting for [A-Z_.]+ to clear \(SR=/d' "$name.out"
}
job() { # job PREFIX TWIN
	run "$1.status" "$2" status
	run "$1.plan" "$2" unlock --dry-run
	run "$1.unlock" "$2" unlock --allow-erase-all --backup-dir "bk-$1"
	run "$1.write" "$2" write "$FW" --voltage 3.3
	run "$1.verify" "$2" verify "$FW"
	run "$1.clean" "$2" status
}

for p in "stm32l476rg" "stm32g071rb"; do
	rm -rf ./*.twin ./*.out ./*.rc bk-*
	for f in ref jl; do
		"$T" new "$p" "$f.twin" --rdp 1 --option wrp1ar=0x00030000 >/dev/null || fail "new $p"
	done
	job ref -
	rcs=$(cat ref.status.rc ref.unlock.rc ref.write.rc ref.verify.rc ref.clean.rc | tr '\n' ' ')
	[ "$rcs" = "4 0 0 0 0 " ] || fail "$p: reference run over twin: failed ($rcs)"
	job jl jl.twin
	for step in status plan unlock write verify clean; do
		cmp -s "ref.$step.rc" "jl.$step.rc" ||
			fail "$p jlink $step: exit $(cat "jl.$step.rc"), twin: gives $(cat "ref.$step.rc"): $(cat "jl.$step.out")"
		diff -u "ref.$step.out" "jl.$step.out" >"jl.$step.diff" ||
			fail "$p jlink $step prints differently: $(cat "jl.$step.diff")"
	done
	grep -q "rdp: done" jl.unlock.out || fail "$p: the unlock through the J-Link did not regress RDP"
	expect_exit 0 "$T" show jl.twin --json
	[ "$(json_get "$OUT" '"%s %s" % (d["rdp_level"], d["wrp"])')" = "0 []" ] ||
		fail "$p: the twin is not clean after the job through the J-Link"
	expect_exit 0 "$FK_BIN" -c twin:jl.twin verify "$FW"
done
pass
