#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `flashkey write --encrypt` on an ESP32-C3 whose flash encryption is on (issue 16; docs/ESP32.md
# "Encrypted writes"), the real flashkey binary against twin-esp:: the ROM encrypts with the
# key of the eFuse block whose KEY_PURPOSE is XTS_AES_128_KEY (twin/esp32/crypt.c); the flash
# then holds ciphertext, the bytes of the touched sectors outside the image are kept, and the
# result is reported as NOT verified. Refusals: the ESP32 ROM, DIS_DOWNLOAD_MANUAL_ENCRYPT, no
# key block, an address off 16, --read-back and --run.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
K=$FK_BIN

KEY=404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f
head -c 131072 /dev/urandom > old.bin
head -c 5000 /dev/urandom > app.bin
new_c3() { # PATH [more --efuse]
	local p=$1; shift
	expect_exit 0 "$T" new esp32c3 "$p" --flash old.bin --efuse SPI_BOOT_CRYPT_CNT=1 \
		--efuse KEY_PURPOSE_1=4 --efuse "BLOCK_KEY1=$KEY" "$@"
}
new_c3 c.twin

# plaintext is refused and the message names what works
expect_exit 4 "$K" -c twin-esp:c.twin write app.bin --base 0x10100
grep -q 'flashkey write --encrypt' "$ERR" || fail "plaintext refusal names --encrypt"
# the inventory says encrypted flashing works, and how
expect_exit 4 "$K" -c twin-esp:c.twin status
grep -q 'what works: `flashkey write --encrypt` (the ROM encrypts' "$OUT" || fail "status remedy"

# dry run: the checks, nothing written
expect_exit 0 "$K" -c twin-esp:c.twin --dry-run write app.bin --base 0x10100 --encrypt
expect_exit 0 "$K" -c twin-esp:c.twin read before.bin 0x10000:0x2000
cmp -s before.bin <(tail -c +65537 old.bin | head -c 8192) || fail "dry run changed flash"

# the write: ciphertext, reported as not verified
expect_exit 0 "$K" -c twin-esp:c.twin write app.bin --base 0x10100 --encrypt
grep -q 'encrypted by the chip, NOT verified' "$OUT" || fail "not reported as unverified"
grep -q 'not verifiable over the ROM' "$OUT" || fail "why it is not verifiable"
grep -q 'kept 3184 bytes' "$OUT" || fail "kept bytes (8192 - 5008)"
expect_exit 0 "$K" -c twin-esp:c.twin read fl.bin 0x10000:0x2000
cmp -s <(head -c 256 fl.bin) <(tail -c +65537 old.bin | head -c 256) || fail "bytes before kept"
cmp -s <(tail -c +5265 fl.bin) <(tail -c +70801 old.bin | head -c 2928) || fail "bytes after kept"
cmp -s <(tail -c +257 fl.bin | head -c 5000) app.bin && fail "plaintext in flash"
# verify compares plaintext with ciphertext: it fails, and says why before the difference
expect_exit 6 "$K" -c twin-esp:c.twin verify app.bin --base 0x10100
grep -q 'flash encryption is on (SPI_BOOT_CRYPT_CNT 0x01' "$ERR" || fail "verify names encryption"
# with Python's cryptography (an independent XTS), the ciphertext decrypts to the image the way
# espsecure decrypt_flash_data --aes_xts does; the twin unit test checks the same in C
if python3 -c 'import cryptography' 2>/dev/null; then
	python3 - "$KEY" <<'PY' || fail "the flash does not decrypt to the image"
import struct, sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
key = bytes.fromhex(sys.argv[1])
fl, app = open("fl.bin", "rb").read(), open("app.bin", "rb").read()
out = b""
for i in range(0, len(fl), 0x80):
    tweak = struct.pack("<I", (0x10000 + i) & ~0x7F) + bytes(12)
    d = Cipher(algorithms.AES(key), modes.XTS(tweak)).decryptor()
    out += d.update(fl[i:i + 0x80][::-1])[::-1]
img, pad = out[0x100:0x100 + 5000], out[0x100 + 5000:0x100 + 5008]
sys.exit(0 if img == app and pad == b"\xff" * 8 else 1)
PY
fi
expect_exit 0 "$K" -c twin-esp:c.twin --json write app.bin --base 0x20000 --encrypt
[ "$(json_get "$OUT" 'd["verified"]')" = not_verifiable_encrypted ] || fail "json verified"

# bad input, each refused before anything is erased
expect_exit 0 "$K" -c twin-esp:c.twin read fl2.bin 0x10000:0x2000
expect_exit 2 "$K" -c twin-esp:c.twin write app.bin --base 0x10108 --encrypt
grep -q 'must be a multiple of 16' "$ERR" || fail "unaligned address"
expect_exit 2 "$K" -c twin-esp:c.twin write app.bin --base 0x10100 --encrypt --read-back
expect_exit 2 "$K" -c twin-esp:c.twin write app.bin --base 0x10100 --encrypt --run
expect_exit 0 "$K" -c twin-esp:c.twin read fl3.bin 0x10000:0x2000
cmp -s fl2.bin fl3.bin || fail "a refused write changed flash"

new_c3 m.twin --efuse DIS_DOWNLOAD_MANUAL_ENCRYPT=1
expect_exit 4 "$K" -c twin-esp:m.twin write app.bin --base 0x10100 --encrypt
grep -q 'DIS_DOWNLOAD_MANUAL_ENCRYPT=1' "$ERR" || fail "manual encryption disabled"
expect_exit 4 "$K" -c twin-esp:m.twin status
grep -q 'encrypted download is off' "$OUT" || fail "status: encrypted download off"

expect_exit 0 "$T" new esp32c3 n.twin --efuse SPI_BOOT_CRYPT_CNT=1
expect_exit 4 "$K" -c twin-esp:n.twin write app.bin --base 0x10100 --encrypt
grep -q 'no eFuse key block has KEY_PURPOSE' "$ERR" || fail "no key"

expect_exit 0 "$T" new esp32 e.twin --efuse FLASH_CRYPT_CNT=1
expect_exit 9 "$K" -c twin-esp:e.twin write app.bin --base 0x10000 --encrypt
grep -q 'ESP32 ROM loader has no encrypted write' "$ERR" || fail "ESP32 ROM"

# a key but flash encryption still off (the host-key workflow): written, with a warning
expect_exit 0 "$T" new esp32c3 o.twin --efuse KEY_PURPOSE_0=4 --efuse "BLOCK_KEY0=$KEY"
expect_exit 0 "$K" -c twin-esp:o.twin write app.bin --base 0x10000 --encrypt
grep -q 'flash encryption is off' "$ERR" || fail "encryption off: warned"

# Secure Download Mode: key purposes from GET_SECURITY_INFO; whole sectors need no read
head -c 8192 /dev/urandom > two.bin
new_c3 s.twin --efuse ENABLE_SECURITY_DOWNLOAD=1
expect_exit 0 "$K" -c twin-esp:s.twin write two.bin --base 0x10000 --encrypt
grep -q 'NOT verified' "$OUT" || fail "SDM: written, not verified"
expect_exit 0 "$T" show s.twin
pass
