#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13 class 20: a progress bar shows the whole job. flashkey draws bars only when stderr is
# a terminal, so each run here has its stderr on a pseudo-terminal. Every bar line is parsed
# ("PHASE [####....] PCT% DONE/TOTAL"); for each phase the bar must be one run: the same TOTAL
# throughout, DONE never going back, ending at DONE == TOTAL. Before the fix the bootloader and
# the ESP ROM client drew their own bars per call (per 16 KiB piece or sector), so "program"
# and "read" started again at 0 % for every piece, and the keep-read of a write drew a "read"
# bar of its own in the middle of the write.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }

# bars CMD...: runs CMD with stderr on a pty, checks its bars; prints the phases seen
bars() {
	python3 - "$@" <<'PY'
import os, pty, re, subprocess, sys
m, s = pty.openpty()
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=s)
os.close(s)
data = b''
while True:
    try:
        c = os.read(m, 65536)
    except OSError:
        break
    if not c:
        break
    data += c
rc = p.wait()
text = data.decode('utf-8', 'replace')
if rc != 0:
    sys.exit('exit %d: %s' % (rc, text))
bar = re.compile(r'^(\S+)\s+\[[#.]{30}\]\s+(\d+)% (\d+)/(\d+)$')
recs = [bar.match(x.strip()) for x in re.split(r'[\r\n]', text)]
recs = [(r.group(1), int(r.group(3)), int(r.group(4))) for r in recs if r]
if not recs:
    sys.exit('no progress bar drawn: %r' % text[:400])
runs = []
for ph, done, total in recs:
    if runs and runs[-1][0] == ph:
        runs[-1][1].append((done, total))
    else:
        runs.append((ph, [(done, total)]))
seen = [r[0] for r in runs]
if len(set(seen)) != len(seen):
    sys.exit('a phase drew more than one bar: %s' % seen)
for ph, ev in runs:
    totals = {t for _, t in ev}
    if len(totals) != 1:
        sys.exit('%s: the total changed within the bar: %s' % (ph, sorted(totals)))
    dones = [d for d, _ in ev]
    if any(b < a for a, b in zip(dones, dones[1:])):
        sys.exit('%s: the bar went back: %s' % (ph, dones[:40]))
    if dones[-1] != ev[-1][1]:
        sys.exit('%s: the bar ended at %d of %d' % (ph, dones[-1], ev[-1][1]))
print(' '.join(seen))
PY
}

head -c 65536 /dev/urandom >img.bin
"$FK_TWIN_BIN" new stm32f407 f4.twin >/dev/null || fail "flashkey-twin new stm32f407"
# the bootloader path: 16 KiB sectors 1-3 and part of the 64 KiB sector 4 (kept bytes read first)
P=$(bars "$FK_BIN" -c twin-uart:f4.twin write img.bin --base 0x08004000 --read-back) ||
	fail "twin-uart write: $P"
[ "$P" = "erase program verify" ] || fail "twin-uart write bars: $P"
P=$(bars "$FK_BIN" -c twin-uart:f4.twin read out.bin 0x08004000:0x10000) || fail "twin-uart read: $P"
[ "$P" = "read" ] || fail "twin-uart read bars: $P"
cmp -s out.bin img.bin || fail "read back differs"
# the debug path
P=$(bars "$FK_BIN" -c twin-swd:f4.twin write img.bin --base 0x08020000) || fail "twin-swd write: $P"
case "$P" in *program*) ;; *) fail "twin-swd write bars: $P" ;; esac

# the ESP32 ROM path
"$FK_TWIN_BIN" new esp32 e.twin >/dev/null || fail "flashkey-twin new esp32"
P=$(bars "$FK_BIN" -c twin-esp:e.twin write img.bin --base 0x10000) || fail "twin-esp write: $P"
case "$P" in *program*) ;; *) fail "twin-esp write bars: $P" ;; esac
rm -f out.bin
P=$(bars "$FK_BIN" -c twin-esp:e.twin read out.bin 0x10000:0x10000) || fail "twin-esp read: $P"
[ "$P" = "read" ] || fail "twin-esp read bars: $P"
cmp -s out.bin img.bin || fail "ESP read back differs"
pass
