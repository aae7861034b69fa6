#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stm32flash 0.7 reads the F40x option-byte area (0x1FFFC000, 16 bytes) from the twin's
# bootloader (issue #20 item 8): bits without an option read as 1 (RM0090 Table 16: USER bit 4
# "0x1: Not used", bits 15:12 of the nWRP halfword "0xF: Not used", USER bits 1:0 "0x3"), the
# option bits themselves show the stored values, the reserved bytes read 0xFF.
. "$(dirname "$0")/stm32flash.inc"
"$FK_TWIN_BIN" new stm32f407 "$TWIN" --wrp 1 --option wdg_sw=0 >/dev/null
start_server
sf -r "$TMP/ob.bin" -S 0x1FFFC000:16 >"$TMP/r.txt" 2>&1 || { cat "$TMP/r.txt"; fail "read of 0x1FFFC000:16 failed"; }
stop_server
got=$(od -An -tx1 -v "$TMP/ob.bin" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
# USER = nRST_STDBY nRST_STOP 1 WDG_SW=0 | 1 BOR=11 | 11 -> 0xDF; RDP 0xAA; nWRP1=0 -> 0xFD, 0xFF
want="df aa ff ff ff ff ff ff fd ff ff ff ff ff ff ff"
[ "$got" = "$want" ] || fail "option area read $got, expected $want (RM0090 Table 16)"
echo "stm32flash: F40x option-byte area $got: ok"
