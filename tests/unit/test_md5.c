/* SPDX-License-Identifier: GPL-2.0-or-later */
/* core/md5 against the test suite of RFC 1321 §A.5, plus inputs split across blocks. */
#include "fk_test.h"

#include "core/md5.h"

static void check(const char *in, const char *want)
{
	uint8_t d[16];
	char hex[33];
	fk_md5_buf(in, strlen(in), d);
	fk_md5_hex(d, hex);
	assert_string_equal(hex, want);
}

static void test_rfc1321_suite(void **st)
{
	(void)st;
	check("", "d41d8cd98f00b204e9800998ecf8427e");
	check("a", "0cc175b9c0f1b6a831c399e269772661");
	check("abc", "900150983cd24fb0d6963f7d28e17f72");
	check("message digest", "f96b697d7cb7938d525a2f31aaf161d0");
	check("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b");
	check("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	      "d174ab98d277d9f5a5611c2c9f419d9f");
	check("1234567890123456789012345678901234567890123456789012345678901234567890123456789"
	      "0",
	      "57edf4a22be3c955ac49da2e2107b67a");
}

/* Fed in pieces of every size from 1 to 70 bytes: the same digest as in one call. */
static void test_streaming(void **st)
{
	(void)st;
	uint8_t buf[1000], one[16], part[16];
	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	fk_md5_buf(buf, sizeof buf, one);
	for (size_t step = 1; step <= 70; step++) {
		fk_md5 m;
		fk_md5_init(&m);
		for (size_t o = 0; o < sizeof buf; o += step)
			fk_md5_update(&m, buf + o, o + step > sizeof buf ? sizeof buf - o : step);
		fk_md5_final(&m, part);
		assert_memory_equal(one, part, 16);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1321_suite),
		cmocka_unit_test(test_streaming),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
