/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Encrypted flashing over the ESP32-C3 ROM loader, as esptool `write_flash --encrypt` does it
 * without its flasher stub:
 *   - esptool loader.py flash_begin: every ROM after the ESP32's takes a fifth FLASH_BEGIN
 *     word, "encrypted" (1); the data then goes as ordinary FLASH_DATA blocks and the ROM
 *     hands each one to the XTS_AES block (ESP32-C3 TRM, "External Memory Encryption and
 *     Decryption": manual encryption), which writes ciphertext made with the chip's own key.
 *     FLASH_ENCRYPT_DATA (0xD4) is a stub command; esptool no longer sends it.
 *   - cmds.py write_flash: refused on the ESP32 ROM ("ESP32 ROM bootloader does not support
 *     encrypted writes ... only supported by the flasher stub"); refused when
 *     DIS_DOWNLOAD_MANUAL_ENCRYPT is burnt ("encrypt functionality in UART download mode
 *     disabled"); refused when no key block has KEY_PURPOSE XTS_AES_128_KEY ("Flash
 *     encryption key is not programmed", esp32c3.py is_flash_encryption_key_valid); an address
 *     that is no multiple of FLASH_ENCRYPTED_WRITE_ALIGN (16 on the C3) is refused; the image is
 *     padded with 0xFF to 16 bytes; no MD5 verify after an encrypted write ("Cannot verify
 *     written data if encrypted"), no fast reflash.
 * flashkey cannot verify the content: the ROM's SPI_FLASH_MD5 digests the ciphertext, and the
 * key stays in the chip (read-protected by espefuse burn_key by default). lib/api/flash_crypt.c
 * checks what can be checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chip/esp32_crypt.h"
#include "core/core.h"
#include "flashkey/flashkey.h"

int esp32_crypt_check(fk_ctx *ctx, const esp32_crypt_fuses *f, uint32_t addr, uint32_t len)
{
	if (!f->c3) {
		fk_hint(ctx, "esptool can (`esptool write_flash --encrypt`, with its flasher stub, "
			"which flashkey does not ship); or write plaintext while flash encryption is "
			"off and let the bootloader encrypt it on first boot");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "--encrypt: the ESP32 ROM loader has no "
			       "encrypted write (its FLASH_BEGIN takes no \"encrypted\" word; esptool "
			       "needs its flasher stub for it); nothing was erased or written");
	}
	if (f->manual_known && f->manual_disabled) {
		fk_hint(ctx, "an eFuse cannot be undone; what still works: the application's OTA "
			"update, or an image encrypted on the host (espsecure encrypt_flash_data "
			"with the chip's key) written as it is");
		return fk_fail(ctx, FK_E_PROTECTED, "--encrypt: eFuse DIS_DOWNLOAD_MANUAL_ENCRYPT=1: "
			       "the chip does not encrypt in download mode (flash encryption's "
			       "release mode); nothing was erased or written");
	}
	if (f->known && f->key_block < 0) {
		fk_hint(ctx, "burn an XTS-AES-128 key first (espefuse burn_key BLOCK_KEYn key.bin "
			"XTS_AES_128_KEY: permanent; flashkey burns no eFuse)");
		return fk_fail(ctx, FK_E_PROTECTED, "--encrypt: no eFuse key block has KEY_PURPOSE "
			       "XTS_AES_128_KEY (4): the chip has no flash encryption key to encrypt "
			       "with; nothing was erased or written");
	}
	if (!f->known)
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_FLASH, "--encrypt: the eFuses could not be read: "
		       "whether the chip has a flash encryption key is unknown");
	else if (!f->encryption_on)
		/* esptool allows it: the host-key workflow writes ciphertext first and burns
		 * SPI_BOOT_CRYPT_CNT afterwards (ESP-IDF flash encryption guide) */
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_FLASH, "--encrypt: flash encryption is off "
		       "(SPI_BOOT_CRYPT_CNT=0x%X, an even count): the chip does not decrypt at boot, "
		       "so what is written now boots as garbage until flash encryption is enabled",
		       f->crypt_cnt);
	if (addr % FK_ESP32_CRYPT_ALIGN || len % FK_ESP32_CRYPT_ALIGN) {
		fk_hint(ctx, "an encrypted image must start on a multiple of 16 (esptool "
			"FLASH_ENCRYPTED_WRITE_ALIGN): link or place it there");
		return fk_fail(ctx, FK_E_USAGE, "--encrypt: 0x%X bytes at 0x%06X: the address must "
			       "be a multiple of 16 (the chip encrypts 16-byte XTS-AES blocks); "
			       "nothing was erased or written", len, addr);
	}
	return FK_OK;
}

void esp32_crypt_remedy(const esp32_crypt_fuses *f, char *out, size_t n)
{
	const char *works =
		f->manual_known && f->manual_disabled
			? "encrypted download is off (DIS_DOWNLOAD_MANUAL_ENCRYPT): only the app's "
			  "OTA, or an image encrypted on the host"
		: !f->c3 ? "what works: esptool write_flash --encrypt (its flasher stub; the ESP32 "
			   "ROM cannot), or the app's OTA"
		: f->known && f->key_block < 0
			? "no key block is XTS_AES_128_KEY, so the chip cannot encrypt: only the "
			  "app's OTA"
			: "what works: `flashkey write --encrypt` (the ROM encrypts with the chip's "
			  "key), or the app's OTA";
	snprintf(out, n, "eFuse: cannot be undone (flashkey burns none); plaintext boots as "
		 "garbage; %s", works);
}

/* One FLASH_BEGIN (erase size 0: the caller erased the span) with "encrypted" = 1. */
static int crypt_begin(esp_loader *l, uint32_t addr, uint32_t blocks, uint32_t bsize)
{
	uint8_t d[20];
	fk_put_le32(d, 0);
	fk_put_le32(d + 4, blocks);
	fk_put_le32(d + 8, bsize);
	fk_put_le32(d + 12, addr);
	fk_put_le32(d + 16, 1);
	int rc = esp_ldr_command(l, ESP_FLASH_BEGIN, d, sizeof d, 0, 0, 0, NULL, NULL);
	if (rc)
		return fk_fail_wrap(l->ctx, rc, "FLASH_BEGIN (encrypted) at 0x%06X", addr);
	return FK_OK;
}

/* Whole 1 KiB blocks, then the tail (a multiple of 16) as one block of its own size, as
 * esp_ldr_flash_write does for plaintext (a tail padded with 0xFF to 1 KiB would encrypt the
 * padding into flash beyond the image). */
int esp32_crypt_write(esp_loader *l, uint32_t addr, const uint8_t *buf, uint32_t len)
{
	uint32_t whole = len - len % ESP_FLASH_BLOCK, done = 0;
	int rc = FK_OK;
	for (int part = 0; part < 2 && !rc; part++) {
		uint32_t off = part ? whole : 0, n = part ? len - whole : whole;
		uint32_t bsize = part ? n : ESP_FLASH_BLOCK;
		if (!n)
			continue;
		uint32_t blocks = (n + bsize - 1U) / bsize;
		rc = crypt_begin(l, addr + off, blocks, bsize);
		for (uint32_t s = 0; !rc && s < blocks; s++) {
			uint32_t k = FK_MIN(bsize, n - s * bsize);
			rc = esp_ldr_flash_data(l, buf + off + (size_t)s * bsize, k, s);
			if (rc)
				rc = fk_fail_wrap(l->ctx, rc, "programming 0x%06X..0x%06X encrypted",
						  addr + off + s * bsize,
						  addr + off + s * bsize + k - 1U);
			done += k;
			fk_progress_part(l->ctx, "program", done, len);
		}
	}
	return rc;
}
