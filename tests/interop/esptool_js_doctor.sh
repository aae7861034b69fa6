#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# flashkey doctor on esptool-js's failures, confirmed live on the ESP twins (issue 16 item 4).
# esptool-js 0.7.0 fails against three boards, and `flashkey doctor` reads its whole log:
#   A. no auto-reset circuit, boot pin high (the application runs): "Failed to connect with the
#      device" -> esp-not-download-mode first; flashkey's own connect names the missing auto-reset circuit.
#   B. BP2-0 = 111 with SRP = 1 and /WP low: the stub's unlock is ignored, "MD5 of file does not
#      match data in flash!" -> live doctor confirms spi-block-protect from SR1 and prints the
#      fix; the fix refuses while /WP is low (naming the pin), works once /WP is high, and
#      esptool-js then writes.
#   C. ESP32-C3 in Secure Download Mode: "Connected chip is in Secure Download Mode" ->
#      esp-security, confirmed live by the eFuse lock.
. "$(dirname "$0")/esptool_js.inc"
: "${FK_BIN:?FK_BIN not set}"
head -c 8192 /dev/urandom >"$TMP/img.bin"
doc() { # doc ARGS...: flashkey doctor with the esptool-js log on stdin -> $TMP/doc.txt
	"$FK_BIN" "$@" doctor - <"$TMP/ejs.log" >"$TMP/doc.txt" 2>&1
}
first_cause() { sed -n 's/^  1\. \([a-z0-9-]*\).*/\1/p' "$TMP/doc.txt" | head -1; }

# A
new_twin esp32 --option autoreset=0 --option boot_pin=high
start_server; ejs_fails "$TMP/img.bin" 0x10000; stop_server
expect_in "Failed to connect with the device" "$TMP/ejs.log"
doc || { cat "$TMP/doc.txt"; fail "A: doctor exit $?"; }
expect_in 'esptool-js: "esptool-js failed: Failed to connect with the device"' "$TMP/doc.txt"
[ "$(first_cause)" = esp-not-download-mode ] || { cat "$TMP/doc.txt"; fail "A: first cause"; }
if "$FK_BIN" -c "twin-esp:$TWIN" status >"$TMP/fk.txt" 2>&1; then fail "A: flashkey connected"; fi
# DTR/RTS reach nothing on this board: no boot log, and the hint names the missing circuit
expect_in "no serial data received" "$TMP/fk.txt"
expect_in "a board without the DTR/RTS auto-reset circuit: hold the boot pin low" "$TMP/fk.txt"

# B
new_twin esp32 --option flash.bp=7 --option flash.srp=1 --option flash.wp=low
start_server; ejs_fails "$TMP/img.bin" 0x10000; stop_server
expect_in "MD5 of file does not match data in flash!" "$TMP/ejs.log"
doc -c "twin-esp:$TWIN" || { cat "$TMP/doc.txt"; fail "B: doctor exit $?"; }
grep -q '^  1\. spi-block-protect confirmed .*BP2-0=111' "$TMP/doc.txt" || { cat "$TMP/doc.txt"; fail "B: not confirmed"; }
expect_in "Fix: flashkey -c twin-esp:$TWIN unlock" "$TMP/doc.txt"
if "$FK_BIN" -c "twin-esp:$TWIN" unlock >"$TMP/fk.txt" 2>&1; then fail "B: unlock with /WP low succeeded"; fi
expect_in "the chip ignored it" "$TMP/fk.txt"
expect_in "/WP (pin 3) is probably low" "$TMP/fk.txt"
"$FK_TWIN_BIN" set "$TWIN" --option flash.wp=high >/dev/null
"$FK_BIN" -c "twin-esp:$TWIN" unlock >"$TMP/fk.txt" 2>&1 || { cat "$TMP/fk.txt"; fail "B: unlock with /WP high"; }
start_server; ejs_ok "$TMP/img.bin" 0x10000; stop_server
verify 't["spi_flash"]["bits"]["bp0"] == 0' "B: BP cleared by flashkey"

# C
new_twin esp32c3 --efuse ENABLE_SECURITY_DOWNLOAD=1
start_server; ejs_fails "$TMP/img.bin" 0x10000; stop_server
doc -c "twin-esp:$TWIN" || { cat "$TMP/doc.txt"; fail "C: doctor exit $?"; }
expect_in "Connected chip is in Secure Download Mode" "$TMP/doc.txt"
grep -q '^  1\. esp-security *confirmed .*ENABLE_SECURITY_DOWNLOAD' "$TMP/doc.txt" || { cat "$TMP/doc.txt"; fail "C: not confirmed"; }
echo "PASS: flashkey doctor on esptool-js failures, confirmed on the twins"
