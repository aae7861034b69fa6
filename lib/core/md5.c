/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/md5: MD5 as specified by RFC 1321 §3 (padding §3.1-3.2, the four rounds §3.4 with the
 * sine-derived table T[i] = floor(2^32 * |sin(i)|), output low-order byte first §3.5). */
#include <string.h>

#include "core/md5.h"

static const uint32_t md5_t[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
	0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
	0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
	0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
	0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
	0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
	0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
	0xeb86d391,
};

/* per-round shift amounts (RFC 1321 §3.4: S11..S44) */
static const uint8_t md5_s[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23},
				    {6, 10, 15, 21}};

static uint32_t rol(uint32_t x, unsigned c)
{
	return x << c | x >> (32 - c);
}

static void md5_block(fk_md5 *m, const uint8_t b[64])
{
	uint32_t x[16];
	for (unsigned i = 0; i < 16; i++)
		x[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
		       (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
	uint32_t a = m->h[0], bb = m->h[1], c = m->h[2], d = m->h[3];
	for (unsigned i = 0; i < 64; i++) {
		unsigned r = i / 16, k;
		uint32_t f;
		switch (r) {
		case 0: f = (bb & c) | (~bb & d); k = i; break;
		case 1: f = (bb & d) | (c & ~d); k = (5 * i + 1) % 16; break;
		case 2: f = bb ^ c ^ d; k = (3 * i + 5) % 16; break;
		default: f = c ^ (bb | ~d); k = (7 * i) % 16; break;
		}
		uint32_t t = d;
		d = c;
		c = bb;
		bb = bb + rol(a + f + md5_t[i] + x[k], md5_s[r][i % 4]);
		a = t;
	}
	m->h[0] += a;
	m->h[1] += bb;
	m->h[2] += c;
	m->h[3] += d;
}

void fk_md5_init(fk_md5 *m)
{
	memset(m, 0, sizeof *m);
	m->h[0] = 0x67452301;
	m->h[1] = 0xefcdab89;
	m->h[2] = 0x98badcfe;
	m->h[3] = 0x10325476;
}

void fk_md5_update(fk_md5 *m, const void *p, size_t n)
{
	const uint8_t *s = p;
	m->len += n;
	while (n) {
		size_t k = 64 - m->nblk;
		if (k > n)
			k = n;
		memcpy(m->blk + m->nblk, s, k);
		m->nblk += k;
		s += k;
		n -= k;
		if (m->nblk == 64) {
			md5_block(m, m->blk);
			m->nblk = 0;
		}
	}
}

void fk_md5_final(fk_md5 *m, uint8_t out[16])
{
	uint64_t bits = m->len * 8;
	uint8_t pad = 0x80, zero = 0;
	fk_md5_update(m, &pad, 1);
	while (m->nblk != 56)
		fk_md5_update(m, &zero, 1);
	uint8_t l[8];
	for (unsigned i = 0; i < 8; i++)
		l[i] = (uint8_t)(bits >> (8 * i));
	fk_md5_update(m, l, 8);
	for (unsigned i = 0; i < 16; i++)
		out[i] = (uint8_t)(m->h[i / 4] >> (8 * (i % 4)));
}

void fk_md5_buf(const void *p, size_t n, uint8_t out[16])
{
	fk_md5 m;
	fk_md5_init(&m);
	fk_md5_update(&m, p, n);
	fk_md5_final(&m, out);
}

void fk_md5_hex(const uint8_t d[16], char out[33])
{
	static const char hx[] = "0123456789abcdef";
	for (unsigned i = 0; i < 16; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[32] = '\0';
}
