/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ESP32-C3 twin's flash-encryption datapath as the ROM loader uses it in download mode: the
 * XTS-AES-128 key from the eFuse key block whose KEY_PURPOSE is XTS_AES_128_KEY, the manual
 * encryption that an encrypted FLASH_BEGIN turns on, and DIS_DOWNLOAD_MANUAL_ENCRYPT.
 *
 * Sources (own words):
 *   ESP32-C3 TRM v1, chapter "External Memory Encryption and Decryption (XTS_AES)": XTS-AES-128
 *   with a 256-bit key from an eFuse key block; manual encryption (software hands plaintext to
 *   the XTS_AES block, which writes ciphertext to flash) is what download mode uses, and
 *   EFUSE_DIS_DOWNLOAD_MANUAL_ENCRYPT disables it in download boot mode. eFuse chapter §5:
 *   BLOCK_KEY0..5 = BLOCK4..9, KEY_PURPOSE_n, value 4 = XTS_AES_128_KEY (esptool
 *   targets/esp32c3.py KEY_PURPOSES, PURPOSE_VAL_XTS_AES128_KEY).
 *   espefuse efuse/esp32c3/operations.py burn_key: a key for an XTS_AES purpose is burnt
 *   byte-reversed ("Reversing byte order for AES-XTS hardware peripheral").
 *   espsecure _flash_encryption_operation_aes_xts: the ciphertext the hardware produces for a key
 *   file (128-byte units, tweak = unit address, unit byte-reversed; lib/core/aes.c).
 *   esptool loader.py flash_begin: the fifth FLASH_BEGIN word "encrypted" (ROMs after the
 *   ESP32); cmds.py write_flash: the data then goes as ordinary FLASH_DATA, padded to
 *   FLASH_ENCRYPTED_WRITE_ALIGN (16 on the C3). */
#include <stdlib.h>
#include <string.h>

#include "esp32/esp.h"

#define C3_KEY_WORD0 28U /* BLOCK4 = BLOCK_KEY0 in the C3 window (esp.c) */
#define C3_KEY_PURPOSE_XTS_AES_128 4U

static uint32_t c3_get(const tw_esp *e, const char *name)
{
	const tw_esp_field *f = tw_esp_field_find(TW_ESP32C3, name);
	return f ? tw_esp_field_get(e->efuse, f) : 0;
}

bool tw_esp_manual_encrypt_disabled(const tw_esp *e)
{
	return e->v->kind == TW_ESP32C3 && c3_get(e, "DIS_DOWNLOAD_MANUAL_ENCRYPT") != 0;
}

/* Burn BLOCK_KEYn as `espefuse burn_key BLOCK_KEYn key.bin XTS_AES_128_KEY` does: the key
 * file's 32 bytes reversed into the block, little-endian words. The purpose is a separate
 * field (KEY_PURPOSE_n). */
int tw_esp_set_key(tw_esp *e, unsigned n, const uint8_t key[32])
{
	if (e->v->kind != TW_ESP32C3 || n > 5)
		return FK_E_RANGE;
	uint32_t *w = e->efuse + C3_KEY_WORD0 + 8U * n;
	for (unsigned i = 0; i < 32; i++) {
		uint8_t b = key[31 - i];
		unsigned sh = 8U * (i % 4U);
		w[i / 4] = (w[i / 4] & ~(0xFFU << sh)) | ((uint32_t)b << sh);
	}
	e->touched = true;
	return FK_OK;
}

/* The key the XTS_AES block uses: the first key block with purpose XTS_AES_128_KEY, its bytes
 * reversed back into key-file order. UNCONFIRMED: with several such blocks the TRM does not say
 * which wins (the first is taken); with none, the block is modelled as using an all-zero key
 * (esptool refuses to write then: "Flash encryption key is not programmed"). Returns whether a
 * key block was found. RD_DIS does not matter: it hides the key from software, not from the
 * XTS_AES block. */
bool tw_esp_xts_key(const tw_esp *e, uint8_t key[32])
{
	static const char *const purpose[6] = {"KEY_PURPOSE_0", "KEY_PURPOSE_1", "KEY_PURPOSE_2",
					       "KEY_PURPOSE_3", "KEY_PURPOSE_4", "KEY_PURPOSE_5"};
	memset(key, 0, 32);
	if (e->v->kind != TW_ESP32C3)
		return false;
	for (unsigned n = 0; n < 6; n++) {
		if (c3_get(e, purpose[n]) != C3_KEY_PURPOSE_XTS_AES_128)
			continue;
		const uint32_t *w = e->efuse + C3_KEY_WORD0 + 8U * n;
		for (unsigned i = 0; i < 32; i++)
			key[31 - i] = (uint8_t)(w[i / 4] >> (8U * (i % 4U)));
		return true;
	}
	return false;
}

/* Manual encryption of [addr, addr+n) and programming of the ciphertext (n and addr multiples
 * of 16, checked by the caller); the ciphertext is left in ct for the ROM's read-back. */
void tw_esp_flash_program_encrypted(tw_esp *e, const fk_xts128 *x, uint32_t addr,
				    const uint8_t *plain, uint8_t *ct, uint32_t n)
{
	fk_esp_xts_crypt(x, addr, plain, ct, n, true);
	tw_esp_flash_program(e, addr, ct, n);
}
