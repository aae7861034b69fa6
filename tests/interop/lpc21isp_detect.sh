#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lpc21isp 1.97 -detectonly against served LPC1768 and LPC812 twins: it synchronises ('?',
# "Synchronized", the crystal), unlocks, reads the boot code version (K) and the part ID (J)
# and names the part from its own table.
. "$(dirname "$0")/lpc21isp.inc"
new_twin lpc1768 "$TWIN"
start_server
lpc -detectonly || fail "lpc21isp -detectonly exit $?"
expect_in "Synchronizing (ESC to abort). OK" "$TMP/out"
expect_in "Read part ID: LPC1768, 512 kiB FLASH / 64 kiB SRAM (0x26013F37)" "$TMP/out"
# a second session on the same server: the board is reset into ISP when the peer opens the pty
lpc -detectonly || fail "second session exit $?"
expect_in "(0x26013F37)" "$TMP/out"
stop_server
new_twin lpc812 "$TWIN"
start_server
lpc -detectonly || fail "lpc21isp -detectonly (LPC812) exit $?"
expect_in "Read part ID: LPC812M101FDH20, 16 kiB FLASH / 4 kiB SRAM (0x00008122)" "$TMP/out"
stop_server
echo "lpc21isp detect: OK"
