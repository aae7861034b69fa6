#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey doctor` offline (docs/DOCTOR.md): a message -> its family, causes, checks and fixes;
# several messages at once; stdin; the phone lock is recognised and declared out of scope;
# --list and --json for every form; exit codes 0 (recognised), 1 (unknown), 2 (usage).
source "$FK_SRC/tests/scenario/lib.sh"

expect_exit 0 "$FK_BIN" doctor "Error: stm32x device protected"
grep -q '^OpenOCD: "Error: stm32x device protected" (match 100%)' "$OUT" || fail "best match line"
grep -q '1\. wrp:' "$OUT" || fail "WRP is not the first cause"
grep -q 'fix:   flashkey -c CONN unlock' "$OUT" || fail "no flashkey fix printed"
grep -q 'source: anchors.md' "$OUT" || fail "no source printed"

# tolerant: case, spacing, a line break inside the message
expect_exit 0 "$FK_BIN" doctor "$(printf 'error:   FAILED to DOWNLOAD data!\n  if it'"'"'s a flash memory, it may be not erased or protected')"
grep -q '^STM32CubeProgrammer: ' "$OUT" || fail "CubeProgrammer message not recognised"

# unquoted words are joined
expect_exit 0 "$FK_BIN" doctor Got NACK from device on command 0x43
grep -q '^stm32flash: ' "$OUT" || fail "unquoted stm32flash message"

# a phone's bootloader lock: recognised, said to be outside MCU flash, the right tool named
expect_exit 0 "$FK_BIN" doctor "FAILED (remote: 'Flashing Lock Flag is locked. Please unlock it first!')"
grep -q 'not a microcontroller flash problem' "$OUT" || fail "phone lock not declared out of scope"
grep -q 'fastboot flashing unlock' "$OUT" || fail "right tool not named"

# a whole log on stdin, several messages: best one in detail, the others listed
printf 'Info : clock speed 2000 kHz\nError: Target not halted\nError: failed erasing sectors 0 to 2\n' >log.txt
"$FK_BIN" doctor - <log.txt >"$OUT" 2>"$ERR" || fail "stdin form failed"
grep -q 'Also matching:' "$OUT" || fail "no alternatives for two messages"
grep -q 'openocd-target-not-halted\|Target not halted' "$OUT" || fail "first message lost"
grep -q 'failed erasing sectors' "$OUT" || fail "second message lost"

# every seed page is recognised
for f in "$FK_SRC"/tests/fuzz/corpus/fuzz_doctor_match/seed_*.txt; do
	"$FK_BIN" doctor - <"$f" >"$OUT" 2>"$ERR" || fail "seed $(basename "$f") not recognised"
done

# unknown text: exit 1 with a hint; no text and no connection: usage (2)
expect_exit 1 "$FK_BIN" doctor "the weather is nice today"
grep -q 'no known message' "$ERR" || fail "unknown message error"
grep -q 'hint: .*--list' "$ERR" || fail "unknown message hint"
expect_exit 2 "$FK_BIN" doctor
grep -q 'hint:' "$ERR" || fail "usage hint"

# --list: tool, message, causes; at least 40 messages
expect_exit 0 "$FK_BIN" doctor --list
n=$(grep -oE '^[0-9]+ messages$' "$OUT" | grep -oE '^[0-9]+')
[ "${n:-0}" -ge 40 ] || fail "--list shows ${n:-0} messages"
grep -q 'causes: wrp rdp1 pcrop' "$OUT" || fail "--list lacks causes"

# --json for every offline form
expect_exit 0 "$FK_BIN" --json doctor "Error: stm32x device protected"
python3 - "$OUT" <<'PY' || fail "--json match document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["command"] == "doctor" and d["ok"] is True and d["mode"] == "offline", d
m = d["matches"][0]
assert m["id"] == "openocd-device-protected" and m["score"] == 100, m
assert [c["id"] for c in m["causes"]][:2] == ["wrp", "rdp1"], m
assert m["causes"][0]["fix"].startswith("flashkey "), m
assert m["causes"][0]["confirm"] == ["wrp"], m
PY
expect_exit 1 "$FK_BIN" --json doctor "nothing here"
python3 - "$OUT" <<'PY' || fail "--json unknown document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and d["matches"] == [], d
assert d["error"]["name"] == "FK_E_NOT_FOUND" and d["error"]["exit_code"] == 1, d
PY
expect_exit 0 "$FK_BIN" --json doctor --list
python3 - "$OUT" <<'PY' || fail "--json list document"
import json, sys
d = json.load(open(sys.argv[1]))
e = d["entries"]
assert len(e) >= 40, len(e)
assert all(x["source"] and x["causes"] and x["tool"] for x in e)
PY

# issue 13 class 17: more text than doctor reads, and nothing matched: it says what it skipped
python3 -c "print(('x' * 79 + '\n') * 5000)" >big.log
expect_exit 1 sh -c "\"$FK_BIN\" doctor - <big.log"
grep -q "no known message in the first 256 KiB of the text given; the rest was not read" "$ERR" ||
	fail "a truncated text is not said to be truncated: $(cat "$ERR")"
pass
