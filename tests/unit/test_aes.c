/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/aes against published vectors: FIPS-197 Appendix B and C.1 (AES-128), IEEE Std
 * 1619-2007 Annex B vectors 1, 2 and 4 (XTS-AES-128), and the Espressif flash layout against
 * espsecure's algorithm (_flash_encryption_operation_aes_xts) as computed by an independent
 * implementation (python3 cryptography 48 XTS, the unit reversed as espsecure does). */
#include "fk_test.h"

#include "core/aes.h"

static void unhex(const char *h, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void check_aes(const char *key, const char *pt, const char *ct)
{
	uint8_t k[16], p[16], c[16], got[16];
	unhex(key, k, 16);
	unhex(pt, p, 16);
	unhex(ct, c, 16);
	fk_aes128 a;
	fk_aes128_init(&a, k);
	fk_aes128_encrypt(&a, p, got);
	assert_memory_equal(got, c, 16);
	fk_aes128_decrypt(&a, c, got);
	assert_memory_equal(got, p, 16);
}

static void test_fips197(void **st)
{
	(void)st;
	/* Appendix B (cipher example) and C.1 (AES-128 example vector) */
	check_aes("2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734",
		  "3925841d02dc09fbdc118597196a0b32");
	check_aes("000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff",
		  "69c4e0d86a7b0430d8cdb78070b4c55a");
}

/* FIPS-197 Appendix A.1: the last round key of the expansion of 2b7e1516... */
static void test_key_expansion(void **st)
{
	(void)st;
	uint8_t k[16], last[16];
	unhex("2b7e151628aed2a6abf7158809cf4f3c", k, 16);
	unhex("d014f9a8c9ee2589e13f0cc8b6630ca6", last, 16);
	fk_aes128 a;
	fk_aes128_init(&a, k);
	assert_memory_equal(a.rk[10], last, 16);
	assert_int_equal(a.sbox[0x00], 0x63);
	assert_int_equal(a.sbox[0x53], 0xED); /* §5.1.1 example: S(53) = ed */
	assert_int_equal(a.inv[0xED], 0x53);
}

static void check_xts(const char *key, uint64_t unit, const uint8_t *p, size_t n,
		      const char *ct_head, const char *ct_tail)
{
	uint8_t k[32], want[32], *got = malloc(n), *back = malloc(n);
	assert_non_null(got);
	assert_non_null(back);
	unhex(key, k, 32);
	fk_xts128 x;
	fk_xts128_init(&x, k);
	fk_xts128_crypt(&x, unit, 0, p, got, (uint32_t)n, true);
	unhex(ct_head, want, 32);
	assert_memory_equal(got, want, 32);
	unhex(ct_tail, want, 32);
	assert_memory_equal(got + n - 32, want, 32);
	fk_xts128_crypt(&x, unit, 0, got, back, (uint32_t)n, false);
	assert_memory_equal(back, p, n);
	/* a block on its own, by its index j, gives the same */
	fk_xts128_crypt(&x, unit, 1, p + 16, back, 16, true);
	assert_memory_equal(back, got + 16, 16);
	free(got);
	free(back);
}

static void test_ieee1619(void **st)
{
	(void)st;
	uint8_t z[32] = {0}, v2[32], v4[512];
	/* Vector 1: keys 0, unit 0, 32 zero bytes */
	check_xts("0000000000000000000000000000000000000000000000000000000000000000", 0, z, 32,
		  "917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e",
		  "917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e");
	/* Vector 2: Key1 11.., Key2 22.., unit 0x3333333333, 32 bytes of 44 */
	memset(v2, 0x44, sizeof v2);
	check_xts("1111111111111111111111111111111122222222222222222222222222222222",
		  0x3333333333ULL, v2, 32,
		  "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0",
		  "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0");
	/* Vector 4: Key1 27182818..., Key2 31415926..., unit 0, 512 bytes 00 01 .. ff 00 .. ff */
	for (unsigned i = 0; i < sizeof v4; i++)
		v4[i] = (uint8_t)i;
	check_xts("2718281828459045235360287471352631415926535897932384626433832795", 0, v4, 512,
		  "27a7479befa1d476489f308cd4cfa6e2a96e4bbe3208ff25287dd3819616e89c",
		  "eb4a427d1923ce3ff262735779a418f20a282df920147beabe421ee5319d0568");
}

/* 0xA0 bytes 00..9f at flash address 0x10020, key 00 01 .. 1f (espsecure encrypt_flash_data
 * --aes_xts --address 0x10020): crosses a 128-byte unit, starts inside one. */
static const char esp_ct[] =
	"b45ab5e72ffd42b0e0d81a2855e4de06a75a962e4d80fd4d550375fe40239772"
	"a83eb332d34b7766051cd0cc59f0f8da0d04c63b503967a6fdb3c97d74f67012"
	"9f3a4c6ae8876aead8da20d1c1e68f7b03a458446f66c8fce43bcc42a6b84546"
	"863e6368ec411e4397862bbd924f5f09e6858bfb93c5a899bdd51e521fcdadcd"
	"ba1a781cb335cee52f6c623aec4b5c756dd9d9b37352805306cd19199e345458";

static void test_esp_layout(void **st)
{
	(void)st;
	uint8_t k[32], p[0xA0], want[0xA0], got[0xA0];
	for (unsigned i = 0; i < 32; i++)
		k[i] = (uint8_t)i;
	for (unsigned i = 0; i < sizeof p; i++)
		p[i] = (uint8_t)i;
	unhex(esp_ct, want, sizeof want);
	fk_xts128 x;
	fk_xts128_init(&x, k);
	fk_esp_xts_crypt(&x, 0x10020, p, got, sizeof p, true);
	assert_memory_equal(got, want, sizeof want);
	/* block by block, in any order, gives the same (the ROM writes in pieces) */
	for (int off = (int)sizeof p - 16; off >= 0; off -= 16)
		fk_esp_xts_crypt(&x, 0x10020U + (uint32_t)off, p + off, got + off, 16, true);
	assert_memory_equal(got, want, sizeof want);
	fk_esp_xts_crypt(&x, 0x10020, want, got, sizeof want, false);
	assert_memory_equal(got, p, sizeof p);
	/* another address gives another ciphertext */
	fk_esp_xts_crypt(&x, 0x20020, p, got, sizeof p, true);
	assert_memory_not_equal(got, want, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips197),
		cmocka_unit_test(test_key_expansion),
		cmocka_unit_test(test_ieee1619),
		cmocka_unit_test(test_esp_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
