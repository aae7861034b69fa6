/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/aes: AES-128 from FIPS-197 (Nov 2001), XTS from IEEE Std 1619-2007, the Espressif flash
 * layout from espsecure. See aes.h. The state is kept as FIPS-197 §3.4 arranges the input:
 * byte 4c+r is row r of column c. */
#include <string.h>

#include "core/aes.h"

/* §4.2: multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (0x11B). */
static uint8_t gf_mul(uint8_t a, uint8_t b)
{
	uint8_t p = 0;
	while (b) {
		if (b & 1U)
			p ^= a;
		a = (uint8_t)((a << 1) ^ ((a & 0x80U) ? 0x1BU : 0U)); /* xtime(), §4.2.1 */
		b >>= 1;
	}
	return p;
}

static uint8_t rotl8(uint8_t v, unsigned n)
{
	return (uint8_t)((v << n) | (v >> (8U - n)));
}

/* §5.1.1: the multiplicative inverse (0 maps to 0), then the affine transformation with
 * c = 0x63. The inverse is found by search: 256 x 256 products, once per key set-up. */
static void aes_make_sbox(fk_aes128 *a)
{
	for (unsigned x = 0; x < 256; x++) {
		uint8_t b = 0;
		for (unsigned y = 1; x && y < 256; y++)
			if (gf_mul((uint8_t)x, (uint8_t)y) == 1U) {
				b = (uint8_t)y;
				break;
			}
		uint8_t s = (uint8_t)(b ^ rotl8(b, 1) ^ rotl8(b, 2) ^ rotl8(b, 3) ^ rotl8(b, 4) ^ 0x63U);
		a->sbox[x] = s;
		a->inv[s] = (uint8_t)x;
	}
}

/* §5.2 KeyExpansion with Nk = 4, Nr = 10. */
void fk_aes128_init(fk_aes128 *a, const uint8_t key[16])
{
	aes_make_sbox(a);
	uint8_t *w = &a->rk[0][0];
	memcpy(w, key, 16);
	uint8_t rcon = 0x01;
	for (unsigned i = 4; i < 44; i++) {
		uint8_t t[4];
		memcpy(t, w + 4 * (i - 1), 4);
		if (i % 4U == 0) {
			uint8_t t0 = t[0]; /* RotWord, SubWord, Rcon */
			t[0] = (uint8_t)(a->sbox[t[1]] ^ rcon);
			t[1] = a->sbox[t[2]];
			t[2] = a->sbox[t[3]];
			t[3] = a->sbox[t0];
			rcon = gf_mul(rcon, 2);
		}
		for (unsigned k = 0; k < 4; k++)
			w[4 * i + k] = (uint8_t)(w[4 * (i - 4) + k] ^ t[k]);
	}
}

static void add_round_key(uint8_t s[16], const uint8_t rk[16])
{
	for (unsigned i = 0; i < 16; i++)
		s[i] ^= rk[i];
}

static void sub_bytes(uint8_t s[16], const uint8_t box[256])
{
	for (unsigned i = 0; i < 16; i++)
		s[i] = box[s[i]];
}

/* §5.1.2 ShiftRows: row r moves r columns to the left; §5.3.1 the inverse to the right. */
static void shift_rows(uint8_t s[16], bool inverse)
{
	uint8_t t[16];
	for (unsigned c = 0; c < 4; c++)
		for (unsigned r = 0; r < 4; r++) {
			unsigned from = inverse ? (c + 4U - r) % 4U : (c + r) % 4U;
			t[4 * c + r] = s[4 * from + r];
		}
	memcpy(s, t, 16);
}

/* §5.1.3 MixColumns ({03}x^3 + {01}x^2 + {01}x + {02}); §5.3.3 the inverse
 * ({0b}x^3 + {0d}x^2 + {09}x + {0e}). Row r of the output takes m[(k - r) mod 4] of row k. */
static void mix_columns(uint8_t s[16], bool inverse)
{
	static const uint8_t fwd[4] = {2, 3, 1, 1}, inv[4] = {0x0E, 0x0B, 0x0D, 0x09};
	const uint8_t *m = inverse ? inv : fwd;
	for (unsigned c = 0; c < 4; c++) {
		uint8_t *col = s + 4 * c, o[4];
		for (unsigned r = 0; r < 4; r++) {
			o[r] = 0;
			for (unsigned k = 0; k < 4; k++)
				o[r] ^= gf_mul(m[(k + 4U - r) % 4U], col[k]);
		}
		memcpy(col, o, 4);
	}
}

/* §5.1 Cipher. */
void fk_aes128_encrypt(const fk_aes128 *a, const uint8_t in[16], uint8_t out[16])
{
	uint8_t s[16];
	memcpy(s, in, 16);
	add_round_key(s, a->rk[0]);
	for (unsigned round = 1; round <= 10; round++) {
		sub_bytes(s, a->sbox);
		shift_rows(s, false);
		if (round < 10)
			mix_columns(s, false);
		add_round_key(s, a->rk[round]);
	}
	memcpy(out, s, 16);
}

/* §5.3 InvCipher. */
void fk_aes128_decrypt(const fk_aes128 *a, const uint8_t in[16], uint8_t out[16])
{
	uint8_t s[16];
	memcpy(s, in, 16);
	add_round_key(s, a->rk[10]);
	for (unsigned round = 9;; round--) {
		shift_rows(s, true);
		sub_bytes(s, a->inv);
		add_round_key(s, a->rk[round]);
		if (round == 0)
			break;
		mix_columns(s, true);
	}
	memcpy(out, s, 16);
}

void fk_xts128_init(fk_xts128 *x, const uint8_t key[32])
{
	fk_aes128_init(&x->k1, key);
	fk_aes128_init(&x->k2, key + 16);
}

/* IEEE 1619 §5.2: T <- T (x) alpha, the 16 bytes taken as a little-endian 128-bit number:
 * shift left by one, and reduce by x^128 + x^7 + x^2 + x + 1 (0x87) on a carry out. */
static void xts_mul_alpha(uint8_t t[16])
{
	uint8_t carry = 0;
	for (unsigned i = 0; i < 16; i++) {
		uint8_t next = (uint8_t)(t[i] >> 7);
		t[i] = (uint8_t)((t[i] << 1) | carry);
		carry = next;
	}
	if (carry)
		t[0] ^= 0x87U;
}

/* IEEE 1619 §5.3.1 (encryption of one block j: T = E_K2(i) (x) alpha^j, C = E_K1(P ^ T) ^ T)
 * and §5.4.1 (decryption with D_K1). */
void fk_xts128_crypt(const fk_xts128 *x, uint64_t unit, unsigned first, const uint8_t *in,
		     uint8_t *out, uint32_t n, bool encrypt)
{
	uint8_t t[16] = {0};
	for (unsigned i = 0; i < 8; i++)
		t[i] = (uint8_t)(unit >> (8U * i));
	fk_aes128_encrypt(&x->k2, t, t);
	for (unsigned j = 0; j < first; j++)
		xts_mul_alpha(t);
	for (uint32_t off = 0; off + 16U <= n; off += 16U) {
		uint8_t b[16];
		for (unsigned i = 0; i < 16; i++)
			b[i] = (uint8_t)(in[off + i] ^ t[i]);
		if (encrypt)
			fk_aes128_encrypt(&x->k1, b, b);
		else
			fk_aes128_decrypt(&x->k1, b, b);
		for (unsigned i = 0; i < 16; i++)
			out[off + i] = (uint8_t)(b[i] ^ t[i]);
		xts_mul_alpha(t);
	}
}

/* espsecure reverses each 128-byte unit, runs XTS with tweak = unit address, and reverses the
 * result. The 16 bytes at unit offset o are then block j = 7 - o/16 of the reversed unit, each
 * byte-reversed: so every 16-byte block can be done alone. The unit's T = E_K2(i) (x) alpha^j
 * for j = 0..7 are computed once per unit. */
void fk_esp_xts_crypt(const fk_xts128 *x, uint32_t addr, const uint8_t *in, uint8_t *out,
		      uint32_t n, bool encrypt)
{
	uint8_t t[8][16];
	uint32_t unit = 1; /* no unit computed yet (units are 0x80-aligned) */
	for (uint32_t off = 0; off + 16U <= n; off += 16U) {
		uint32_t a = addr + off;
		if ((a & ~0x7FU) != unit) {
			unit = a & ~0x7FU;
			memset(t[0], 0, 16);
			for (unsigned i = 0; i < 4; i++)
				t[0][i] = (uint8_t)(unit >> (8U * i));
			fk_aes128_encrypt(&x->k2, t[0], t[0]);
			for (unsigned j = 1; j < 8; j++) {
				memcpy(t[j], t[j - 1], 16);
				xts_mul_alpha(t[j]);
			}
		}
		const uint8_t *tj = t[7U - ((a & 0x7FU) >> 4)];
		uint8_t b[16];
		for (unsigned i = 0; i < 16; i++)
			b[i] = (uint8_t)(in[off + 15U - i] ^ tj[i]);
		if (encrypt)
			fk_aes128_encrypt(&x->k1, b, b);
		else
			fk_aes128_decrypt(&x->k1, b, b);
		for (unsigned i = 0; i < 16; i++)
			out[off + 15U - i] = (uint8_t)(b[i] ^ tj[i]);
	}
}
