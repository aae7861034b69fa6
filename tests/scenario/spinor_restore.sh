#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey restore DIR --options` of a SPI NOR backup (issue 15): the status registers the
# backup saved (options.bin: SR1 SR2 SR3, or SR CR on Macronix) come back around the array:
# what would block writing the array (BP/CMP range, WPS block locks) is lifted first (volatile,
# 50h + WRSR), the backup's values are written non-volatile after it and read back; one-time
# bits (LB1-3, Macronix TB) are never written: a difference refuses the restore, saying why.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
K=$FK_BIN

head -c 131072 /dev/urandom > img.bin
expect_exit 0 "$T" new w25q64jv a.twin
expect_exit 0 "$K" -c twin-spi:a.twin --allow-erase-all write img.bin
expect_exit 0 "$K" -c twin-spi:a.twin options set bp=2 srp=1
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["sr"]')" = "['0x88', '0x02', '0x60']" ] || fail "setup: SR1 BP1 SRP"
expect_exit 0 "$K" -c twin-spi:a.twin backup bk
d=$(ls -d bk/w25q64jv-*)
grep -q '^file options.bin addr 0x00000000 size 3 ' "$d/manifest.txt" || fail "backup: SRs"

# change the array and the status bits: everything protected (BP=7 CMP=1 over WPS=1 locks)
expect_exit 0 "$K" -c twin-spi:a.twin options set bp=0 srp=0
expect_exit 0 "$K" -c twin-spi:a.twin --allow-erase-all erase --all
expect_exit 0 "$K" -c twin-spi:a.twin options set bp=7 cmp=1 wps=1 sec=1
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["sr"]')" = "['0x5C', '0x42', '0x64']" ] || fail "setup: changed"
# without --allow-erase-all nothing is written
expect_exit 5 "$K" -c twin-spi:a.twin --no-backup restore --options "$d"
expect_exit 0 "$K" -c twin-spi:a.twin --allow-erase-all --no-backup restore --options "$d"
grep -q "restored $d" "$OUT" || fail "restore output"
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["sr"]')" = "['0x88', '0x02', '0x60']" ] || fail "SRs not restored"
[ "$(json_get "$OUT" 'd["sr_nonvolatile"]')" = "['0x88', '0x02', '0x60']" ] \
	|| fail "SRs restored volatile only"
[ "$(json_get "$OUT" 'd["ignored_protected"]')" = 0 ] || fail "the chip refused a program"
expect_exit 0 "$K" -c twin-spi:a.twin verify --base 0 img.bin
# the restored protection holds after a power cycle (non-volatile)
expect_exit 0 "$T" power-cycle a.twin
expect_exit 4 "$K" -c twin-spi:a.twin status
grep -q 'BP range .*0x7C0000-0x7FFFFF' "$OUT" || fail "BP range after power cycle"

# restoring again: the status registers are as the backup has them, nothing to do for them
expect_exit 0 "$K" -c twin-spi:a.twin --allow-erase-all --no-backup restore --options "$d"
# a status register locked now (SRP=1, /WP low): refused before anything is written
expect_exit 0 "$K" -c twin-spi:a.twin options set bp=3
expect_exit 0 "$T" set a.twin --option wp=low
expect_exit 4 "$K" -c twin-spi:a.twin --allow-erase-all --no-backup restore --options "$d"
grep -q 'SRP=1 with /WP low' "$ERR" || fail "/WP low refusal"
expect_exit 0 "$T" set a.twin --option wp=high

# a one-time bit differs: LB3 set after the backup; the restore says why and writes nothing
expect_exit 0 "$K" -c twin-spi:a.twin --allow-irreversible=PERMANENT otp lock 2
expect_exit 0 "$K" -c twin-spi:a.twin options set bp=0 srp=0
expect_exit 0 "$K" -c twin-spi:a.twin --allow-erase-all --no-backup erase --all
expect_exit 4 "$K" -c twin-spi:a.twin --allow-erase-all --no-backup restore --options "$d"
grep -q 'step one-time refused: LB3 is 1 on the chip, 0 in the backup: one-time bits are' \
	"$ERR" || fail "one-time refusal"
grep -q 'one-time bits are never written (W64 §7.1)' "$ERR" || fail "one-time: source"
grep -q 'restore without --options writes the array back' "$ERR" || fail "next step named"
expect_exit 0 "$T" show a.twin --json
[ "$(json_get "$OUT" 'd["sr"]')" = "['0x00', '0x22', '0x60']" ] || fail "refused restore wrote SRs"
expect_exit 0 "$K" -c twin-spi:a.twin read now.bin 0:0x100
[ "$(od -An -tx1 -N4 now.bin | tr -d ' ')" = ffffffff ] || fail "refused restore wrote the array"
# without --options the array comes back
expect_exit 0 "$K" -c twin-spi:a.twin --allow-erase-all --no-backup restore "$d"
expect_exit 0 "$K" -c twin-spi:a.twin verify --base 0 img.bin

# Macronix: TB (configuration register) is one-time; a backup with TB=1 is never written back
expect_exit 0 "$T" new mx25l6433f m.twin --option tb=1 --option bp=1
expect_exit 0 "$K" -c twin-spi:m.twin backup mb
md=$(ls -d mb/mx25l6433f-*)
expect_exit 0 "$T" new mx25l6433f m2.twin
expect_exit 4 "$K" -c twin-spi:m2.twin --allow-erase-all --no-backup restore --options "$md"
grep -q 'TB is 0 on the chip, 1 in the backup: one-time bits are never written (MX64' "$ERR" \
	|| fail "MX TB refusal"
pass
