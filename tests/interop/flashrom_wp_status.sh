#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashrom 1.3's write-protect decoding against the SPI NOR twins it models (W25Q64JV-.Q,
# W25Q128.V, GD25Q64(B)): --wp-status prints the range the twin's own tables protect (W64 §7.1
# pp.18-19: top/bottom, 4 KiB sectors with SEC, complement with CMP).
. "$(dirname "$0")/flashrom.inc"

status_matches() { # PART CHIPNAME OPTIONS...: flashrom's range == the twin's
	local part=$1 chip=$2; shift 2
	new_twin "$part" "$@"
	read -r start len < <(twin_range)
	start_server
	fr_ok -c "$chip" --wp-status
	expect_in "Protection range: start=$start length=$len" "$TMP/fr.log"
	stop_server
}
status_matches w25q64jv "W25Q64JV-.Q" --option bp=1                   # upper 1/64
status_matches w25q64jv "W25Q64JV-.Q" --option bp=3 --option tb=1     # lower 1/16
status_matches w25q64jv "W25Q64JV-.Q" --option bp=2 --option sec=1    # 8 KiB top
status_matches w25q64jv "W25Q64JV-.Q" --option bp=1 --option cmp=1    # lower 63/64
status_matches w25q128jv "W25Q128.V" --option bp=6 --option tb=1      # lower 1/2
status_matches gd25q64c "GD25Q64(B)" --option bp=4

echo "flashrom_wp_status: ok"
