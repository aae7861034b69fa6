#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13, class 5: nothing that writes a file replaces an existing path unless --force:
# `flashkey-twin new CHIP precious.hex` replaced a firmware file, `new` replaced a twin, `read`
# and `image convert` replaced their outputs. Refusal is exit 5 (a safety gate), names the path,
# and leaves it byte for byte; the temporary file beside an output is never someone's PATH.tmp.
. "$(dirname "$0")/lib.sh"
[ -n "${FK_TWIN_BIN:-}" ] || { echo "flashkey-twin not built"; exit 77; }
printf ':020000040800F2\n:04000000DEADBEEFC4\n:00000001FF\n' > precious.hex
sum() { sha256sum "$1" | cut -d' ' -f1; }
keep=$(sum precious.hex)

# flashkey-twin new
expect_exit 5 "$FK_TWIN_BIN" new stm32f407 precious.hex
grep -q "precious.hex exists" "$ERR" || fail "twin new refusal does not name the path"
grep -q -- "--force" "$ERR" || fail "twin new refusal does not name --force"
[ "$(sum precious.hex)" = "$keep" ] || fail "twin new changed precious.hex"
expect_exit 0 "$FK_TWIN_BIN" new stm32f407 b.twin --flash precious.hex
twin=$(sum b.twin)
expect_exit 5 "$FK_TWIN_BIN" new stm32f429 b.twin
[ "$(sum b.twin)" = "$twin" ] || fail "twin new replaced an existing twin"
ln -s nowhere dangling.twin
expect_exit 5 "$FK_TWIN_BIN" new stm32f407 dangling.twin
[ -L dangling.twin ] || fail "twin new replaced a dangling symlink"
expect_exit 0 "$FK_TWIN_BIN" new stm32f429 b.twin --force
[ "$(sum b.twin)" != "$twin" ] || fail "twin new --force did not replace the twin"
# the same for SPI NOR twins (they replaced any path before)
expect_exit 5 "$FK_TWIN_BIN" new w25q64jv precious.hex
grep -q "precious.hex exists" "$ERR" || fail "SPI NOR twin new refusal does not name the path"
[ "$(sum precious.hex)" = "$keep" ] || fail "SPI NOR twin new changed precious.hex"
expect_exit 5 "$FK_TWIN_BIN" new w25q64jv b.twin
expect_exit 5 "$FK_TWIN_BIN" new w25q64jv dangling.twin
[ -L dangling.twin ] || fail "SPI NOR twin new replaced a dangling symlink"
expect_exit 0 "$FK_TWIN_BIN" new w25q64jv s.twin
expect_exit 0 "$FK_TWIN_BIN" new w25q32jv s.twin --force
"$FK_TWIN_BIN" show s.twin | grep -qi w25q32 || fail "SPI NOR twin new --force did not replace the twin"

# flashkey read
fk() { "$FK_BIN" -c twin:b.twin "$@"; }
cp precious.hex out.bin
expect_exit 5 fk read out.bin 0x08000000:16
[ "$(sum out.bin)" = "$keep" ] || fail "read replaced out.bin"
expect_exit 5 fk read dangling.twin 0x08000000:16
[ -L dangling.twin ] || fail "read replaced a dangling symlink"
expect_exit 0 fk read fresh.bin 0x08000000:16
[ "$(stat -c %s fresh.bin)" = 16 ] || fail "read into a new file"
expect_exit 0 fk read out.bin 0x08000000:16 --force
[ "$(stat -c %s out.bin)" = 16 ] || fail "read --force did not replace out.bin"
expect_exit 5 fk --json read fresh.bin 0x08000000:16
[ "$(json_get "$OUT" "d['error']['exit_code']")" = 5 ] || fail "read refusal JSON"

# flashkey image convert
cp precious.hex app.srec
keep_srec=$(sum app.srec)
echo "someone's file" > app.bin.tmp
expect_exit 5 "$FK_BIN" image convert precious.hex app.srec
[ "$(sum app.srec)" = "$keep_srec" ] || fail "image convert replaced app.srec"
expect_exit 0 "$FK_BIN" image convert precious.hex app.bin
[ "$(cat app.bin.tmp)" = "someone's file" ] || fail "image convert replaced app.bin.tmp"
[ "$(od -An -tx1 app.bin | tr -d ' \n')" = deadbeef ] || fail "converted image content"
expect_exit 5 "$FK_BIN" image convert precious.hex app.bin
expect_exit 0 "$FK_BIN" image convert precious.hex app.srec --force
grep -q "^S3" app.srec || fail "image convert --force did not write S-records"
[ -z "$(ls | grep -E 'app\.(bin|srec)\.[A-Za-z0-9]{6}$')" ] || fail "temporary files left behind"
pass
