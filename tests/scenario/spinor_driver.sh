#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The SPI NOR driver (lib/chip/spinor_driver.c, issue 15 item 4) with the real flashkey binary
# against SPI NOR twins over the in-process programmer twin-spi:PATH: identify, status (every
# status bit, the protected range as addresses, SRP with /WP), the unlock ladder (volatile then
# non-volatile; /WP low and SRL refused with what they need; power cycle), write (raw binary at
# the chip's base 0, erase by the largest unit, page program, --skip-unchanged), verify, read,
# erase, backup, an image larger than the chip refused before anything is erased, --chip.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
K=$FK_BIN

# identify: JEDEC ID EF 40 16 is a W25Q32JV, 4 MiB in 1024 4 KiB sectors from address 0
expect_exit 0 "$T" new w25q32jv a.twin --option bp=2 --option srp=1 --option wp=low
expect_exit 0 "$K" -c twin-spi:a.twin info
grep -q '^chip      w25q32jv (Winbond W25Q32JV-IQ/JQ)' "$OUT" || fail "info: part"
grep -q '^flash     0x00000000, 4096 KB' "$OUT" || fail "info: size and base"
grep -q ' 0-1023:4K' "$OUT" || fail "info: sectors"
expect_exit 0 "$K" -c twin-spi:a.twin --json info
[ "$(json_get "$OUT" 'd["chip"]["family"]')" = spinor ] || fail "json family"
[ "$(json_get "$OUT" 'len(d["chip"]["sectors"])')" = 1024 ] || fail "json 1024 sectors"

# status: BP=2 on 4 MiB protects the upper 1/32 = 0x3E0000-0x3FFFFF (W64 §7.1 table); exit 4
expect_exit 4 "$K" -c twin-spi:a.twin status
grep -q 'BP range .*0x3E0000-0x3FFFFF (128 KiB, upper 1/32) protected (BP2-0=010 TB=0 SEC=0 CMP=0)' "$OUT" \
	|| fail "status: BP range as addresses"
grep -q 'hardware protected (SRP=1, /WP low)' "$OUT" || fail "status: SRP with /WP"
grep -q '^RDP' "$OUT" && fail "status: an RDP line on a chip without RDP"
expect_exit 4 "$K" -c twin-spi:a.twin --json status
for k in busy wel bp tb sec cmp srp srl qe lb1 lb2 lb3 sus wps drv wp; do
	[ "$(json_get "$OUT" "'$k' in d['inventory']['options']")" = True ] || fail "status: bit $k not decoded"
done
[ "$(json_get "$OUT" 'd["inventory"]["registers"]["SR1"]')" = 0x00000088 ] || fail "SR1 raw"
[ "$(json_get "$OUT" 'len(d["inventory"]["otp"])')" = 3 ] || fail "three security registers"

# a write into the protected range is refused before anything is erased (the chip would
# ignore it silently); the data outside it stays
head -c 65536 /dev/urandom > top.bin
expect_exit 4 "$K" -c twin-spi:a.twin write top.bin --base 0x3F0000
grep -q 'erase 0x3F0000-0x3FFFFF: BP2-0=010 TB=0 SEC=0 CMP=0 protect 0x3E0000-0x3FFFFF' "$ERR" \
	|| fail "write into the range: bits and addresses"
expect_exit 4 "$K" -c twin-spi:a.twin --dry-run write top.bin --base 0x3F0000
grep -q 'blocked by BP range' "$ERR" || fail "dry run: the same refusal"

# unprotected from here (the ladder: tests/scenario/spinor_unlock.sh)
expect_exit 0 "$T" set a.twin --option bp=0

# write a raw binary (at 0, the chip's base), verify, skip-unchanged, read back
head -c 200000 /dev/urandom > img.bin
expect_exit 0 "$K" -c twin-spi:a.twin write img.bin
grep -q '49 sectors erased' "$OUT" || fail "write: sectors erased"
expect_exit 0 "$K" -c twin-spi:a.twin verify img.bin
expect_exit 0 "$K" -c twin-spi:a.twin write img.bin --skip-unchanged
grep -q '0 sectors erased, 49 unchanged left alone' "$OUT" || fail "skip-unchanged"
expect_exit 0 "$K" -c twin-spi:a.twin read back.bin 0:200000
cmp -s back.bin img.bin || fail "read back differs"
# erase by sectors: 16..47 is 0x10000-0x2FFFF, two 64 KiB blocks (largest unit that fits)
expect_exit 0 "$K" -c twin-spi:a.twin -v erase 16-47
expect_exit 0 "$K" -c twin-spi:a.twin read blk.bin 0x10000:0x20000
[ "$(tr -d '\377' < blk.bin | wc -c)" = 0 ] || fail "erased blocks not 0xFF"
expect_exit 0 "$K" -c twin-spi:a.twin read keep.bin 0:0x10000
cmp -s keep.bin <(head -c 65536 img.bin) || fail "erase touched sector 0-15"

# an image larger than the chip: refused before anything is erased
head -c 5000000 /dev/zero > big.bin
expect_exit 2 "$K" -c twin-spi:a.twin write big.bin
grep -q 'outside main flash 0x00000000-0x003FFFFF' "$ERR" || fail "big image: range named"
expect_exit 0 "$K" -c twin-spi:a.twin verify --base 0 keep.bin

# backup: the whole array and the status registers, verified
expect_exit 0 "$K" -c twin-spi:a.twin backup bk
d=$(ls -d bk/w25q32jv-*)
[ "$(stat -c %s "$d/flash.bin")" = 4194304 ] || fail "backup: flash.bin size"
grep -q '^file options.bin addr 0x00000000 size 3 ' "$d/manifest.txt" || fail "backup: status registers"

pass
