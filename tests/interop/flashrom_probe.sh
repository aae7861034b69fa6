#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashrom 1.3 probes each SPI NOR twin through the serprog server and names the chip by its
# JEDEC ID (W64 §8.1; reference spi-nor.md §1, §5): W25Q32.V, W25Q128.V and GD25Q64(B) are
# unique; EF 40 17 and C2 20 17 match several flashrom entries, so flashrom stops and asks for
# -c, and with -c it reads the chip. flashrom 1.3 has no write-protect model for W25Q32.V and
# the MX25L64xx entries: --wp-status says so.
. "$(dirname "$0")/flashrom.inc"

probe() { # PART EXPECTED-NAME [-c NAME]
	local part=$1 name=$2; shift 2
	new_twin "$part"
	start_server
	fr_ok "$@"
	expect_in "Found" "$TMP/fr.log"
	expect_in "\"$name\"" "$TMP/fr.log"
	expect_in 'Programmer name is "flashkey-twin"' "$TMP/fr.log"
	stop_server
}
probe w25q32jv "W25Q32.V"
probe w25q128jv "W25Q128.V"
probe gd25q64c "GD25Q64(B)"

# an ID shared by several entries: flashrom refuses to guess, as with the real chips
new_twin w25q64jv
start_server
fr_fails
expect_in 'Multiple flash chip definitions match the detected chip(s): "W25Q64BV/W25Q64CV/W25Q64FV", "W25Q64JV-.Q"' "$TMP/fr.log"
fr_ok -c "W25Q64JV-.Q" --wp-status
expect_in "Protection mode: disabled" "$TMP/fr.log"
stop_server

new_twin mx25l6433f
start_server
fr_fails
expect_in "Multiple flash chip definitions match" "$TMP/fr.log"
expect_in '"MX25L6436E/MX25L6445E/MX25L6465E/MX25L6473E/MX25L6473F"' "$TMP/fr.log"
fr_fails -c "MX25L6436E/MX25L6445E/MX25L6465E/MX25L6473E/MX25L6473F" --wp-status
expect_in "WP operations are not implemented for this chip" "$TMP/fr.log"
stop_server

new_twin w25q32jv
start_server
fr_fails --wp-status
expect_in "WP operations are not implemented for this chip" "$TMP/fr.log"
stop_server
echo "flashrom_probe: ok"
