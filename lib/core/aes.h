/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/aes: AES-128 (FIPS-197) and XTS-AES-128 (IEEE Std 1619-2007), and the way Espressif's
 * flash encryption lays XTS over flash addresses (ESP32-C3 and later: espsecure
 * `_flash_encryption_operation_aes_xts`, ESP-IDF "Flash Encryption" guide for the ESP32-C3).
 *
 * The twin's ROM encrypts with it what it writes in an encrypted download, and tests decrypt
 * the twin's flash with it. Written from the standards; no constant-time claims (the key is a
 * twin's test key, never a secret of the user). */
#ifndef FK_CORE_AES_H
#define FK_CORE_AES_H

#include <stdbool.h>
#include <stdint.h>

/* An expanded AES-128 key: 11 round keys (FIPS-197 §5.2) and the S-box and its inverse,
 * computed from their definition (§5.1.1) when the key is set. */
typedef struct fk_aes128 {
	uint8_t rk[11][16];
	uint8_t sbox[256], inv[256];
} fk_aes128;

void fk_aes128_init(fk_aes128 *a, const uint8_t key[16]);
/* One 16-byte block; in and out may be the same buffer. */
void fk_aes128_encrypt(const fk_aes128 *a, const uint8_t in[16], uint8_t out[16]);
void fk_aes128_decrypt(const fk_aes128 *a, const uint8_t in[16], uint8_t out[16]);

/* XTS-AES-128: key = Key1 (data) || Key2 (tweak), 32 bytes (IEEE 1619 §5.1). */
typedef struct fk_xts128 {
	fk_aes128 k1, k2;
} fk_xts128;

void fk_xts128_init(fk_xts128 *x, const uint8_t key[32]);
/* Blocks j = first .. first+n/16-1 of the data unit with tweak value `unit` (a 128-bit
 * little-endian number; here at most 64 bits). n must be a multiple of 16 (no ciphertext
 * stealing is needed by any caller). */
void fk_xts128_crypt(const fk_xts128 *x, uint64_t unit, unsigned first, const uint8_t *in,
		     uint8_t *out, uint32_t n, bool encrypt);

/* Espressif's flash layout (espsecure _flash_encryption_operation_aes_xts): 128-byte data units,
 * the tweak is the unit's flash address (addr & ~0x7F), and each unit is byte-reversed before
 * and after standard XTS. addr and n must be multiples of 16; any 16-byte block can be done on
 * its own (XTS blocks are independent), so a write need not cover whole units. key is the key
 * file as espsecure and `espefuse burn_key` take it (the eFuse holds it byte-reversed). */
#define FK_ESP_XTS_ALIGN 16U
void fk_esp_xts_crypt(const fk_xts128 *x, uint32_t addr, const uint8_t *in, uint8_t *out,
		      uint32_t n, bool encrypt);

#endif
