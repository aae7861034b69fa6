#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The CH341A programmer path (lib/probe/ch341a.c, issue 15 item 3) with the real flashkey binary
# against a W25Q64JV twin behind the in-process emulated CH341A (twin-ch341a:PATH, which opens
# the library's own ch341a: connection on the emulated USB bus): identify, status with the BP
# range and "/WP unknown" (a CH341A cannot sense it), the volatile unlock read back, a write
# that spans queued page programming (programs and verifies), read-back equal to the image, the
# twin agreeing (flashkey-twin show), no page refused for a missing WEL after the first batch,
# and a twin without a SPI port refused naming what it lacks.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
K=$FK_BIN

expect_exit 0 "$T" new w25q64jv c.twin --option bp=3
expect_exit 0 "$K" -c twin-ch341a:c.twin info
grep -q '^chip      w25q64jv' "$OUT" || fail "info: part over the CH341A"
expect_exit 4 "$K" -c twin-ch341a:c.twin status
grep -q 'BP range .*0x780000-0x7FFFFF (512 KiB, upper 1/16) protected' "$OUT" || fail "status: BP range"
grep -q 'wp         unknown: this programmer cannot sense /WP' "$OUT" || fail "status: /WP unknown"

# the volatile clear, read back through the same programmer
expect_exit 0 "$K" -c twin-ch341a:c.twin unlock --upto opt
grep -q 'volatile: done' "$OUT" || fail "unlock: volatile step not done"
expect_exit 0 "$K" -c twin-ch341a:c.twin status

# 300 KiB: 75 sectors in five batches of queued page programs, verified by read-back
head -c 307200 /dev/urandom > img.bin
expect_exit 0 "$K" -c twin-ch341a:c.twin write img.bin
grep -q 'verified' "$OUT" || fail "write: not verified"
expect_exit 0 "$K" -c twin-ch341a:c.twin read back.bin 0:307200
cmp -s back.bin img.bin || fail "read-back differs from the image"
expect_exit 0 "$K" -c twin-spi:c.twin verify img.bin
# the queued pages: at most the first batch (the wait not learnt yet) sends a page the chip ignores
expect_exit 0 "$T" show c.twin --json
wel=$(json_get "$OUT" 'd["ignored_wel"]')
[ "$wel" -le 16 ] || fail "$wel page programs ignored for a missing WEL: the queue outran the chip"

# a twin with no SPI port: refused at open (exit 9), naming what it lacks
expect_exit 0 "$T" new stm32f407 f4.twin
expect_exit 9 "$K" -c twin-ch341a:f4.twin info
grep -q 'the twin has no SPI port (a CH341A programs SPI flash chips)' "$ERR" ||
	fail "f4 behind a CH341A: the refusal does not name the SPI port"
pass
