#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The USB bridge at its edges, driven with Python's ctypes (libusb's C API as a program sees it):
#   - without a server (FLASHKEY_USB_BRIDGE unset) the bus has no devices, as a machine without
#     probes; error names are libusb's;
#   - hotplug is not supported: LIBUSB_ERROR_NOT_SUPPORTED (-12) and a line on stderr naming the
#     function;
#   - a hostile client that sends garbage to `flashkey-twin serve --usb-bridge` loses its
#     connection, and the server still answers the next program (bad input never kills it).
. "$(dirname "$0")/../scenario/lib.sh"
. "$(dirname "$0")/usb.inc"
LIB="$FK_BUILD/usb-bridge/libfktwin-usb.so"
cat >probe.py <<'PY'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
lib.libusb_error_name.restype = ctypes.c_char_p
ctx = ctypes.c_void_p()
assert lib.libusb_init(ctypes.byref(ctx)) == 0
lst = ctypes.POINTER(ctypes.c_void_p)()
n = lib.libusb_get_device_list(ctx, ctypes.byref(lst))
print("devices", n)
lib.libusb_free_device_list(lst, 1)
print("name", lib.libusb_error_name(-4).decode())
h = ctypes.c_int()
print("hotplug", lib.libusb_hotplug_register_callback(ctx, 1, 0, -1, -1, -1, None, None,
                                                      ctypes.byref(h)))
PY
env -u FLASHKEY_USB_BRIDGE python3 probe.py "$LIB" >"$OUT" 2>"$ERR" || fail "ctypes probe failed"
grep -qx "devices 0" "$OUT" || fail "devices listed without a server"
grep -qx "name LIBUSB_ERROR_NO_DEVICE" "$OUT" || fail "libusb_error_name(-4)"
grep -qx "hotplug -12" "$OUT" || fail "hotplug did not answer LIBUSB_ERROR_NOT_SUPPORTED"
grep -q "libusb_hotplug_register_callback is not supported" "$ERR" ||
	fail "no stderr line naming libusb_hotplug_register_callback"

expect_exit 0 "$T" new stm32f407 f4.twin
SOCK="$WORK/usb.sock"
"$T" serve f4.twin --usb-bridge "$SOCK;stlink-v2;cmsis-dap-v1" >serve.out 2>serve.err &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do grep -q "usb-bridge: listening" serve.out && break; sleep 0.05; done
grep -q "usb-bridge: listening on $SOCK (2 probes: stlink-v2=464B5457494E000000000001 cmsis-dap-v1=464B5457494E000000000002)" serve.out ||
	fail "server did not start: $(cat serve.out serve.err)"
python3 - "$SOCK" <<'PY' || fail "hostile client script failed"
import socket, struct, sys, random
random.seed(7)
msgs = [b"\xff\xff\xff\xff", struct.pack("<I", 3) + b"abc",
        struct.pack("<IBBBBI", 8, 99, 0, 0, 0, 0),            # unknown op
        struct.pack("<IBBBBI", 8, 4, 200, 2, 0, 0),           # OUT to a device that is not there
        struct.pack("<IBBBBI", 8, 5, 0, 0x02, 0, 64),         # IN on an OUT endpoint
        bytes(random.randrange(256) for _ in range(300))]
for m in msgs:
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(m)
    s.settimeout(2)
    try:
        s.recv(64)
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
PY
kill -0 $SERVER 2>/dev/null || fail "the server died on hostile input: $(cat serve.err)"
FLASHKEY_USB_BRIDGE="$SOCK" LD_LIBRARY_PATH="$FK_BUILD/usb-bridge" \
	"$FK_BIN" list >"$OUT" 2>"$ERR" </dev/null || fail "flashkey list after the hostile client"
grep -q "serial 464B5457494E000000000001" "$OUT" || fail "the server no longer lists its probes"
pass
