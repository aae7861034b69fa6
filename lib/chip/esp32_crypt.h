/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Encrypted flashing over the ESP32-C3 ROM loader (`flashkey write --encrypt`): the refusals
 * and the FLASH_BEGIN "encrypted" write. See esp32_crypt.c. */
#ifndef FK_CHIP_ESP32_CRYPT_H
#define FK_CHIP_ESP32_CRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/esp_loader.h"

/* What the driver knows of the chip's flash-encryption eFuses. */
typedef struct esp32_crypt_fuses {
	bool c3;              /* an ESP32-C3 (its ROM takes FLASH_BEGIN's "encrypted" word) */
	bool known;           /* eFuses read (READ_REG) or GET_SECURITY_INFO answered */
	bool manual_known;    /* DIS_DOWNLOAD_MANUAL_ENCRYPT could be read (not in Secure
			       * Download Mode) */
	bool manual_disabled; /* DIS_DOWNLOAD_MANUAL_ENCRYPT = 1 */
	int key_block;        /* BLOCK_KEYn with KEY_PURPOSE XTS_AES_128_KEY, -1 none */
	bool encryption_on;   /* SPI_BOOT_CRYPT_CNT odd */
	uint32_t crypt_cnt;
} esp32_crypt_fuses;

/* KEY_PURPOSE value of an XTS-AES-128 flash encryption key (esptool esp32c3.py
 * PURPOSE_VAL_XTS_AES128_KEY). */
#define ESP32C3_PURPOSE_XTS_AES_128 4U
/* esptool esp32c3.py FLASH_ENCRYPTED_WRITE_ALIGN */
#define FK_ESP32_CRYPT_ALIGN 16U

/* The refusals for an encrypted write of [addr, addr+len): FK_E_UNSUPPORTED on the ESP32,
 * FK_E_PROTECTED with DIS_DOWNLOAD_MANUAL_ENCRYPT or without a key, FK_E_USAGE for an address
 * or length that is no multiple of 16. */
int esp32_crypt_check(fk_ctx *ctx, const esp32_crypt_fuses *f, uint32_t addr, uint32_t len);
/* The remedy sentence of the flash-encryption lock (inventory): what still writes flash. */
void esp32_crypt_remedy(const esp32_crypt_fuses *f, char *out, size_t n);
/* FLASH_BEGIN with "encrypted" = 1 and no erase, then FLASH_DATA blocks: the ROM encrypts each
 * with the chip's key before it programs it. The span must be erased. */
int esp32_crypt_write(esp_loader *l, uint32_t addr, const uint8_t *buf, uint32_t len);

#endif
