#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop: stock OpenOCD 0.12 with interface/cmsis-dap.cfg (SWD: the LPC81x has no JTAG) and the
# stock target/lpc8xx.cfg (lpc2000 "auto", work area 0x400 at 0x10000000) reaches the LPC812
# twin through the emulated CMSIS-DAP v2 of the USB bridge: examine (DPIDR 0x0BC11477, Cortex-M0+),
# flash probe (IAP 54 Read Part ID 0x00008122), write_image erase + verify_image of 3 KiB, all
# through the IAP the twin performs when OpenOCD's "BX r12; BKPT" stub reaches the ROM entry
# (docs/TWIN.md); flashkey over twin-swd: then reads the same bytes back.
. "$(dirname "$0")/../scenario/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
[ -f "$FK_BUILD/usb-bridge/libfktwin-usb.so" ] \
	|| { echo "SKIP: USB bridge not built (no libusb/hidapi headers)"; exit 77; }
command -v openocd >/dev/null || { echo "SKIP: openocd not installed"; exit 77; }
need() { grep -qF -- "$1" usb.log || { cat usb.log >&2; fail "output lacks: $1"; }; }

python3 - <<'EOF'
import os, struct
d = bytearray(os.urandom(3072))
struct.pack_into('<8I', d, 0, 0x10001000, 0x101, 0x103, 0x105, 0x107, 0x109, 0x10B, 0)
struct.pack_into('<I', d, 0x2FC, 0xFFFFFFFF)  # no CRP
struct.pack_into('<I', d, 28, (-sum(struct.unpack_from('<7I', d, 0))) & 0xFFFFFFFF)
open('img.bin', 'wb').write(d)
EOF
expect_exit 0 "$T" new lpc812 e.twin
timeout 120 "$T" with-usb e.twin --probe cmsis-dap-v2 -- openocd -c "gdb_port disabled" \
	-c "tcl_port disabled" -c "telnet_port disabled" -f interface/cmsis-dap.cfg \
	-f target/lpc8xx.cfg -c init -c halt -c "flash probe 0" \
	-c "flash write_image erase img.bin 0" -c "verify_image img.bin 0" \
	-c "lpc2000 part_id 0" -c shutdown >usb.log 2>&1 </dev/null \
	|| fail "openocd failed: $(cat usb.log)"
need "SWD DPIDR 0x0bc11477"
need "Cortex-M0+ r0p1 processor detected"
need "flash 'lpc2000' found at 0x00000000"
need "wrote 3072 bytes from file img.bin"
need "verified 3072 bytes"
need "lpc2000 part id: 0x00008122"
grep -q "Error" usb.log && { cat usb.log >&2; fail "OpenOCD saw errors"; }
expect_exit 0 "$FK_BIN" -c twin-swd:e.twin read rb.bin 0:3072
cmp -s rb.bin img.bin || fail "flash differs from the image OpenOCD wrote"
pass
