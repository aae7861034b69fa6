#!/usr/bin/env bash
# The STM32F4 driver's scenarios (tests/scenario/f4_*.sh) run unchanged except for the connection:
# `-c twin-swd:` instead of `-c twin:`, so every access goes through lib/debug (ADIv5 + Cortex-M)
# and the twin's SW-DP at the wire level instead of the in-process memory path.
# Second half of the split; see swd_f4_scenarios_1.sh.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
part=${0##*_}; part=${part%.sh}
src=$(cd "$(dirname "$0")" && pwd)
cp "$src/lib.sh" "$WORK/lib.sh"
i=0; ran=0; failed=""
for f in "$src"/f4_*.sh; do
	i=$((i + 1))
	[ $(( (i + part) % 2 )) -eq 0 ] || continue
	n=$(basename "$f")
	# The two write-heavy scenarios take 25-35 s each at the wire level (every byte clocked
	# through the SW-DP decoder under sanitizers); they pass too: FK_SWD_ALL=1 runs them.
	case "$n" in f4_flash_ops.sh|f4_wrp_only.sh) [ -n "${FK_SWD_ALL:-}" ] || continue ;; esac
	sed 's/-c twin:/-c twin-swd:/g' "$f" >"$WORK/$n"
	grep -q -- '-c twin-swd:' "$WORK/$n" || continue # a scenario without a connection
	if bash "$WORK/$n" >"$WORK/$n.log" 2>&1; then
		echo "ok over SWD: $n"
	else
		echo "FAILED over SWD: $n" >&2
		tail -20 "$WORK/$n.log" >&2
		failed="$failed $n"
	fi
	ran=$((ran + 1))
done
[ $ran -gt 0 ] || fail "no f4 scenario found to run over SWD"
[ -z "$failed" ] || fail "scenarios failing through twin-swd:$failed"
pass
