/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot/lpc_isp_codec: UU lines as lpc21isp sends them (45 bytes -> 'M' + 60 chars, 0 as '`'),
 * decoding refusals with the offending column, the CR/LF-tolerant line splitter, command
 * parsing, return-code names (UM10360 Table 596) and the vector checksum (UM10360 §32.3.1.1). */
#include "fk_test.h"

#include "boot/lpc_isp_codec.h"

static void test_uu_known_line(void **st)
{
	(void)st;
	/* "Cat" -> classic uuencode "#0V%T"; the ISP sends 0 as '`' */
	char out[80];
	size_t n = lpc_uu_encode_line((const uint8_t *)"Cat", 3, out, sizeof out);
	assert_int_equal(n, 5);
	assert_string_equal(out, "#0V%T");
	uint8_t zero[3] = {0, 0, 0};
	n = lpc_uu_encode_line(zero, 3, out, sizeof out);
	assert_string_equal(out, "#````");
}

static void test_uu_round_trip_all_lengths(void **st)
{
	(void)st;
	uint8_t in[45], back[45];
	for (unsigned i = 0; i < 45; i++)
		in[i] = (uint8_t)(i * 37U + 11U);
	for (size_t len = 1; len <= 45; len++) {
		char line[80];
		size_t n = lpc_uu_encode_line(in, len, line, sizeof line);
		assert_int_equal(n, 1 + 4 * ((len + 2) / 3));
		size_t got = 0, pos = 99;
		const char *why = NULL;
		assert_int_equal(lpc_uu_decode_line(line, n, back, &got, &pos, &why), 0);
		assert_int_equal(got, len);
		assert_memory_equal(in, back, len);
	}
	char line[80];
	assert_int_equal(lpc_uu_encode_line(in, 45, line, sizeof line), 61);
	assert_int_equal(line[0], 'M');
	assert_int_equal(lpc_uu_encode_line(in, 46, line, sizeof line), 0);
	assert_int_equal(lpc_uu_encode_line(in, 0, line, sizeof line), 0);
	assert_int_equal(lpc_uu_encode_line(in, 45, line, 61), 0); /* no room for the NUL */
}

static void test_uu_space_and_backquote_are_zero(void **st)
{
	(void)st;
	uint8_t out[45];
	size_t n, pos;
	const char *why;
	assert_int_equal(lpc_uu_decode_line("#    ", 5, out, &n, &pos, &why), 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[0] | out[1] | out[2], 0);
}

static void test_uu_refusals(void **st)
{
	(void)st;
	uint8_t out[45];
	size_t n, pos;
	const char *why = NULL;
	assert_int_equal(lpc_uu_decode_line("N", 1, out, &n, &pos, &why), -1); /* 46 bytes */
	assert_int_equal(pos, 0);
	assert_string_equal(why, "length character out of range");
	assert_int_equal(lpc_uu_decode_line("#0V%", 4, out, &n, &pos, &why), -1);
	assert_int_equal(pos, 4);
	assert_string_equal(why, "line shorter than its length character says");
	assert_int_equal(lpc_uu_decode_line("#0V%TX", 6, out, &n, &pos, &why), -1);
	assert_int_equal(pos, 5);
	assert_int_equal(lpc_uu_decode_line("#0v%T", 5, out, &n, &pos, &why), -1);
	assert_int_equal(pos, 2); /* 'v' is above '`' */
	assert_string_equal(why, "character outside the UU alphabet");
	assert_int_equal(lpc_uu_decode_line("", 0, out, &n, &pos, &why), -1);
}

static void test_uu_sum(void **st)
{
	(void)st;
	uint8_t b[900];
	memset(b, 0xFF, sizeof b);
	assert_int_equal(lpc_uu_sum(b, sizeof b), 900U * 255U);
}

static void test_next_line(void **st)
{
	(void)st;
	size_t s, l, c;
	const char *a = "\n\nJ\r\n0\r\n";
	assert_true(lpc_isp_next_line(a, strlen(a), &s, &l, &c));
	assert_int_equal(s, 2);
	assert_int_equal(l, 1);
	assert_int_equal(c, 5);
	a = "OK\r\n\n"; /* CR LF LF: the extra LF is left for the next read */
	assert_true(lpc_isp_next_line(a, strlen(a), &s, &l, &c));
	assert_int_equal(c, 4);
	a = "\r\n12000";
	assert_false(lpc_isp_next_line(a, strlen(a), &s, &l, &c));
	assert_int_equal(c, 2);
	a = "LF only\nnext";
	assert_true(lpc_isp_next_line(a, strlen(a), &s, &l, &c));
	assert_int_equal(l, 7);
	assert_int_equal(c, 8);
}

static void test_parse_cmd(void **st)
{
	(void)st;
	lpc_isp_cmd c;
	size_t pos;
	const char *why = NULL;
	assert_int_equal(lpc_isp_parse_cmd("U 23130", 7, &c, &pos, &why), 0);
	assert_int_equal(c.letter, 'U');
	assert_int_equal(c.nargs, 1);
	assert_int_equal(c.arg[0], 23130);
	const char *cp = "C 4096 268435968 4096";
	assert_int_equal(lpc_isp_parse_cmd(cp, strlen(cp), &c, &pos, &why), 0);
	assert_int_equal(c.nargs, 3);
	assert_int_equal(c.arg[1], 0x10000200U);
	assert_int_equal(lpc_isp_parse_cmd("G 0 T", 5, &c, &pos, &why), 0);
	assert_int_equal(c.mode, 'T');
	assert_int_equal(c.nargs, 1);
	assert_int_equal(lpc_isp_parse_cmd("J", 1, &c, &pos, &why), 0);
	assert_int_equal(c.nargs, 0);
	assert_int_equal(lpc_isp_parse_cmd("P  0   29", 9, &c, &pos, &why), 0);
	assert_int_equal(c.arg[1], 29);
	/* refusals name the column */
	assert_int_equal(lpc_isp_parse_cmd("E 0 x", 5, &c, &pos, &why), -1);
	assert_int_equal(pos, 4);
	assert_int_equal(lpc_isp_parse_cmd("R 4294967296 4", 14, &c, &pos, &why), -1);
	assert_int_equal(pos, 2);
	assert_string_equal(why, "a number is larger than 4294967295");
	assert_int_equal(lpc_isp_parse_cmd("P 1 2 3 4 5", 11, &c, &pos, &why), -1);
	assert_string_equal(why, "too many arguments");
	assert_int_equal(lpc_isp_parse_cmd("P1", 2, &c, &pos, &why), -1);
	assert_int_equal(lpc_isp_parse_cmd("", 0, &c, &pos, &why), -1);
	assert_int_equal(lpc_isp_parse_cmd("u 23130", 7, &c, &pos, &why), -1);
	assert_int_equal(lpc_isp_parse_cmd("G 0 T X", 7, &c, &pos, &why), -1);
}

static void test_parse_number(void **st)
{
	(void)st;
	uint32_t v;
	assert_int_equal(lpc_isp_parse_number("637615927", 9, &v), 0);
	assert_int_equal(v, 0x26013F37U);
	assert_int_equal(lpc_isp_parse_number("12a", 3, &v), -1);
	assert_int_equal(lpc_isp_parse_number("", 0, &v), -1);
}

static void test_rc_names(void **st)
{
	(void)st;
	assert_string_equal(lpc_isp_rc_name(0), "CMD_SUCCESS");
	assert_string_equal(lpc_isp_rc_name(9), "SECTOR_NOT_PREPARED_FOR_WRITE_OPERATION");
	assert_string_equal(lpc_isp_rc_name(15), "CMD_LOCKED");
	assert_string_equal(lpc_isp_rc_name(19), "CODE_READ_PROTECTION_ENABLED");
	assert_null(lpc_isp_rc_name(20));
	assert_string_equal(lpc_isp_rc_text(200), "an unknown return code");
	for (unsigned i = 0; i < LPC_ISP_RC_COUNT; i++)
		assert_true(strlen(lpc_isp_rc_text(i)) > 10);
}

static void test_vector_checksum(void **st)
{
	(void)st;
	uint8_t v[32] = {0};
	v[0] = 0x00, v[1] = 0x80, v[2] = 0x00, v[3] = 0x10; /* SP 0x10008000 */
	v[4] = 0xC1; /* reset 0xC1 */
	uint32_t w7 = lpc_vector_checksum(v);
	assert_int_equal(w7, 0U - 0x10008000U - 0xC1U);
	assert_false(lpc_vector_valid(v));
	for (unsigned i = 0; i < 4; i++)
		v[28 + i] = (uint8_t)(w7 >> (8 * i));
	assert_true(lpc_vector_valid(v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uu_known_line),
		cmocka_unit_test(test_uu_round_trip_all_lengths),
		cmocka_unit_test(test_uu_space_and_backquote_are_zero),
		cmocka_unit_test(test_uu_refusals),
		cmocka_unit_test(test_uu_sum),
		cmocka_unit_test(test_next_line),
		cmocka_unit_test(test_parse_cmd),
		cmocka_unit_test(test_parse_number),
		cmocka_unit_test(test_rc_names),
		cmocka_unit_test(test_vector_checksum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
