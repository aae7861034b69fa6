#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench_serprog: issue 15 "Speed", flashkey against flashrom 1.3 on the same served twin: an
# 8 MiB image written into (erase + program, no verify) and read back from a W25Q64JV twin served
# by `flashkey-twin serve --serprog-pty LINK@4000000` (the twin charges 10 bits a byte each way
# at 4 Mbit/s and its SPI bytes at the clock the client sets; an operation completes once the
# line is idle for 5 ms, so a peer that sleeps between polls loses no virtual time to it). Each
# tool starts from a copy of the same twin holding another image; flashrom is given that image
# with --flash-contents so that it does not read the chip first. The time is the server's
# "virtual time while served". The ceiling of the serprog path alone is bench_spinor_serprog's.
set -uo pipefail
build=${FK_BUILD:?FK_BUILD not set}
K=$build/flashkey
T=$build/flashkey-twin
W=$(mktemp -d "${TMPDIR:-/tmp}/fk-bench-serprog.XXXXXX")
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$W"' EXIT
command -v flashrom >/dev/null || { echo "bench_serprog: flashrom not installed: skipped"; exit 0; }
head -c 8388608 /dev/urandom >"$W/img.bin"
head -c 8388608 /dev/urandom >"$W/old.bin"
"$T" new w25q64jv "$W/base.twin" >/dev/null || exit 1
"$K" -c "twin-spi:$W/base.twin" write "$W/old.bin" --no-verify >/dev/null 2>&1 ||
	{ echo "bench_serprog: could not prepare the twin"; exit 1; }
serve() { # serve NAME: a copy of the prepared twin on a pty at $W/tty
	cp "$W/base.twin" "$W/$1.twin"
	rm -f "$W/tty"
	"$T" serve "$W/$1.twin" --serprog-pty "$W/tty@4000000" >"$W/$1.log" 2>&1 &
	SRV=$!
	for _ in $(seq 200); do [ -L "$W/tty" ] && return 0; sleep 0.05; done
	echo "server did not start: $(cat "$W/$1.log")"; return 1
}
stop() {
	kill -TERM "$SRV"; wait "$SRV" 2>/dev/null; SRV=
	VT=$(sed -n 's/^virtual time: \([0-9.]*\) s.*/\1/p' "$W/$1.log")
	[ -n "$VT" ] || { echo "no virtual time in $W/$1.log: $(cat "$W/$1.log")"; VT=0; }
}
ratio() { python3 -c "print('%.3f' % ($1 / $2) if $2 else 'n/a')"; }

serve fkw || exit 1
timeout 1200 "$K" -c "serprog:$W/tty@4000000" --speed 16000 write "$W/img.bin" --no-verify \
	>"$W/fkw.out" 2>&1 || { tail -3 "$W/fkw.out"; echo "(flashkey write failed)"; }
stop fkw
fw=$VT
serve frw || exit 1
timeout 1800 flashrom -p "serprog:dev=$W/tty:4000000,spispeed=16M" -c "W25Q64JV-.Q" \
	-w "$W/img.bin" -n --flash-contents "$W/old.bin" >"$W/frw.out" 2>&1 ||
	{ tail -3 "$W/frw.out"; echo "(flashrom write failed)"; }
stop frw
echo "bench_serprog: 8 MiB write (erase + program, no verify) at 4 Mbit/s, SPI 16 MHz:" \
	"flashkey $fw s, flashrom $VT s; flashkey/flashrom = $(ratio "$fw" "$VT") (target < 1)"
cp "$W/fkw.twin" "$W/base.twin"
serve fkr || exit 1
timeout 1200 "$K" -c "serprog:$W/tty@4000000" --speed 16000 read "$W/back.bin" \
	>"$W/fkr.out" 2>&1 || { tail -3 "$W/fkr.out"; echo "(flashkey read failed)"; }
stop fkr
fr=$VT
cmp -s "$W/back.bin" "$W/img.bin" || echo "bench_serprog: flashkey read back something else"
serve frr || exit 1
timeout 1800 flashrom -p "serprog:dev=$W/tty:4000000,spispeed=16M" -c "W25Q64JV-.Q" \
	-r "$W/fr.bin" >"$W/frr.out" 2>&1 || { tail -3 "$W/frr.out"; echo "(flashrom read failed)"; }
stop frr
cmp -s "$W/fr.bin" "$W/img.bin" || echo "bench_serprog: flashrom read back something else"
echo "bench_serprog: 8 MiB read: flashkey $fr s, flashrom $VT s; flashkey/flashrom =" \
	"$(ratio "$fr" "$VT") (target < 1)"
