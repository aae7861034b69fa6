#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A TCP stream server (`flashkey-twin serve --esp-tcp`) survives a peer that resets the
# connection with the twin's reply unread (SO_LINGER 0, as Node's socket.destroy() does when
# data is pending): it waits for the next peer, which is answered. Bug: the server used to stop
# with "reading the socket: Connection reset by peer" (seen with esptool-js).
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
expect_exit 0 "$T" new esp32 e.twin
"$T" serve e.twin --esp-tcp 127.0.0.1:0 >serve.log 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true' EXIT
PORT=
for _ in $(seq 200); do
	PORT=$(sed -n 's/^esp-tcp: listening on 127.0.0.1:\([0-9]*\).*/\1/p' serve.log)
	[ -n "$PORT" ] && break
	sleep 0.1
done
[ -n "$PORT" ] || fail "server did not listen"
python3 - "$PORT" <<'PY' || fail "second peer not answered after the first reset the connection"
import socket, struct, sys, time
port = int(sys.argv[1])
sync = b"\x07\x07\x12\x20" + b"\x55" * 32
frame = b"\xc0" + struct.pack("<BBHI", 0, 8, len(sync), 0) + sync + b"\xc0"
a = socket.create_connection(("127.0.0.1", port))
a.sendall(frame)
time.sleep(0.5)  # the 8 replies are now in our receive queue, unread
a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
a.close()  # RST
time.sleep(0.3)
b = socket.create_connection(("127.0.0.1", port))
b.settimeout(10)
b.sendall(frame)
got = b""
while got.count(b"\xc0") < 2:
    chunk = b.recv(4096)
    if not chunk:
        break
    got += chunk
sys.exit(0 if b"\xc0\x01\x08" in got else 1)
PY
kill -0 $PID 2>/dev/null || { cat serve.log; fail "server died"; }
kill -TERM $PID
wait $PID || { cat serve.log; fail "server exit status"; }
trap - EXIT
pass
