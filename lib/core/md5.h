/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/md5: MD5 message digest (RFC 1321). Not for security: the Espressif ROM and flasher stub
 * report flash contents as an MD5 (SPI_FLASH_MD5), and the twin recognises the published flasher
 * stub by the digest of what was uploaded. */
#ifndef FK_CORE_MD5_H
#define FK_CORE_MD5_H

#include <stddef.h>
#include <stdint.h>

typedef struct fk_md5 {
	uint32_t h[4];
	uint64_t len; /* bytes hashed */
	uint8_t blk[64];
	size_t nblk;
} fk_md5;

void fk_md5_init(fk_md5 *m);
void fk_md5_update(fk_md5 *m, const void *p, size_t n);
void fk_md5_final(fk_md5 *m, uint8_t out[16]);
/* One call: digest of n bytes. */
void fk_md5_buf(const void *p, size_t n, uint8_t out[16]);
/* 32 lowercase hex characters and a NUL. */
void fk_md5_hex(const uint8_t d[16], char out[33]);

#endif
