#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The F103 main job through the emulated probes (issue 21 Deliver 5, issue 18 item 3): an
# STM32F103C8 twin at RDP level 1 (first 4 KiB write-protected, PM0075 §2.4.1) with WRP on pages
# 0-3 and 60-63 (PM0075 §2.4.2) -> status -> unlock --dry-run -> unlock with backup (WRP
# removal, then the regression and its mass erase) -> write fw.elf -> verify -> clean status,
# over twin-stlink: (ST-LINK/V2), twin-cmsis-dap: (CMSIS-DAP v2), an ST-LINK/V2-1 and a V3 and a
# CMSIS-DAP v1 found by serial on the emulated USB bus (FLASHKEY_TWIN_PROBES), and flashkey's
# jlink: through libjaylink and the USB bridge (flashkey-twin with-usb) when both are built.
# Every command must exit and print as it does over the in-process twin: path, and the twins
# must end in the same state (flashkey-twin show). Same drivers as on the F4 (probes_f4_main.sh):
# the probe layer knows no family.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
T=$FK_TWIN_BIN
FW="$FK_SRC/tests/fixtures/fw.elf"
export FLASHKEY_TWIN_PROBES="stlink-v21=p21.twin,serial=S21;stlink-v3=p3.twin,serial=S3;cmsis-dap-v1=pd1.twin,serial=D1"

# run NAME CONN CMD...: output (stdout+stderr, backup stamps and twin names removed) in
# NAME.out, exit code in NAME.rc. CONN "jlink:TWIN" runs flashkey under the USB bridge.
run() {
	local name=$1 conn=$2; shift 2
	case $conn in
	jlink:*) timeout 120 "$T" with-usb "${conn#jlink:}" --no-preload --probe jlink -- \
			"$FK_BIN" -c jlink "$@" >"$name.out" 2>&1 </dev/null ;;
	*) "$FK_BIN" -c "$conn" "$@" >"$name.out" 2>&1 </dev/null ;;
	esac
	echo $? >"$name.rc"
	sed -i -E 's/[0-9]{8}-[0-9]{6}(-[0-9]+)?/STAMP/g; s/(twin|p21|p3|pd1|pst|pdap|pjl)\.twin/T/g; s/bk-[a-z0-9]+/bk/g' "$name.out"
	# a busy-flag wait longer than a second of wall time is said (issue 13 class 16): how long
	# depends on the path's speed and the machine's load, not on what the chip did
	sed -i -E '/^waiting for [A-Z_.]+ to clear \(SR=/d' "$name.out"
}

job() { # job PREFIX CONN
	run "$1.status" "$2" status
	run "$1.plan" "$2" unlock --dry-run
	run "$1.unlock" "$2" unlock --allow-erase-all --backup-dir "bk-$1"
	run "$1.write" "$2" write "$FW"
	run "$1.verify" "$2" verify "$FW"
	run "$1.clean" "$2" status
}

# the twin's final state, without its clock and counters (they depend on the probe's timing)
state() {
	"$T" show "$1" --json >"$WORK/show.json" || fail "flashkey-twin show $1"
	json_get "$WORK/show.json" "(d['rdp_level'], d['rdp'], d['wrpr'], d['option_bytes'])"
}

probes=("st2 twin-stlink:pst.twin" "dap2 twin-cmsis-dap:pdap.twin" "st21 stlink:S21" "st3 stlink:S3"
	"dap1 cmsis-dap:D1")
"$FK_BIN" --help >help.txt 2>&1
if [ -f "$FK_BUILD/usb-bridge/libfktwin-usb.so" ] && grep -q 'jlink.*libjaylink' help.txt; then
	probes+=("jl jlink:pjl.twin")
else
	echo "note: USB bridge or J-Link driver not built: jlink: not run"
fi

for f in twin p21 p3 pd1 pst pdap pjl; do
	"$T" new stm32f103c8 "$f.twin" --rdp 1 --wrp 0-3,60 --option data0=0x42 >/dev/null ||
		fail "flashkey-twin new"
done
job ref twin:twin.twin
[ "$(cat ref.status.rc) $(cat ref.plan.rc) $(cat ref.unlock.rc) $(cat ref.write.rc) $(cat ref.verify.rc) $(cat ref.clean.rc)" = "4 5 0 0 0 0" ] ||
	fail "reference run over twin: failed: $(cat ref.*.rc | tr '\n' ' ')"
grep -q "rdp: done" ref.unlock.out || fail "reference unlock lacks the rdp step: $(cat ref.unlock.out)"
grep -q "RDP     level 0 (RDP byte 0xA5)" ref.clean.out || fail "reference not at level 0: $(cat ref.clean.out)"
ref_state=$(state twin.twin)
[ "$ref_state" = "(0, '0xA5', '0xFFFFFFFF', $(json_get "$WORK/show.json" "d['option_bytes']"))" ] ||
	fail "reference twin: $ref_state"
json_get "$WORK/show.json" "d['option_bytes'][2][-2:]" | grep -qx 42 || fail "Data0 lost by the unlock"

for p in "${probes[@]}"; do
	set -- $p
	job "$1" "$2"
	for step in status plan unlock write verify clean; do
		cmp -s "ref.$step.rc" "$1.$step.rc" ||
			fail "$2 $step: exit $(cat "$1.$step.rc"), twin: gives $(cat "ref.$step.rc"): $(cat "$1.$step.out")"
		diff -u "ref.$step.out" "$1.$step.out" >"$1.$step.diff" ||
			fail "$2 $step prints differently: $(cat "$1.$step.diff")"
	done
	tw=${2#*:}
	case $2 in stlink:S21) tw=p21.twin ;; stlink:S3) tw=p3.twin ;; cmsis-dap:D1) tw=pd1.twin ;; esac
	[ "$(state "$tw")" = "$ref_state" ] || fail "$2: twin ends as $(state "$tw"), twin: as $ref_state"
	# the image is in flash: the in-process view of the twin verifies it too
	expect_exit 0 "$FK_BIN" -c "twin:$tw" verify "$FW"
done
pass
