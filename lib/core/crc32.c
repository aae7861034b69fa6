/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CRC-32/ISO-HDLC (the zlib/PNG CRC): reflected polynomial 0xEDB88320, init and xorout
 * 0xFFFFFFFF. Slicing-by-4 table for speed on image-sized buffers. */
#include "core/core.h"

static uint32_t fk_crc_table[4][256];
static int fk_crc_ready;

static void fk_crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		fk_crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 4; t++)
			fk_crc_table[t][i] = (fk_crc_table[t - 1][i] >> 8) ^
					     fk_crc_table[0][fk_crc_table[t - 1][i] & 0xFF];
	fk_crc_ready = 1;
}

uint32_t fk_crc32(uint32_t crc, const void *buf, size_t len)
{
	if (!fk_crc_ready)
		fk_crc_init();
	const uint8_t *p = buf;
	crc = ~crc;
	while (len >= 4) {
		crc ^= fk_get_le32(p);
		crc = fk_crc_table[3][crc & 0xFF] ^ fk_crc_table[2][(crc >> 8) & 0xFF] ^
		      fk_crc_table[1][(crc >> 16) & 0xFF] ^ fk_crc_table[0][crc >> 24];
		p += 4;
		len -= 4;
	}
	while (len--)
		crc = fk_crc_table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return ~crc;
}
