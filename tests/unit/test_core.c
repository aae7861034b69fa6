/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/core: error table, cause chain, hint, logging, trace parsing, CRC32, byte order, number
 * parsing, and docs/EXIT-CODES.md kept in sync with the error table. */
#include "fk_test.h"

#include "core/core.h"

static void test_error_table(void **state)
{
	(void)state;
	assert_string_equal(fk_error_name(FK_E_PROTECTED), "FK_E_PROTECTED");
	assert_string_equal(fk_strerror(FK_E_PROTECTED), "blocked by flash protection");
	assert_int_equal(fk_error_exit_code(FK_E_PROTECTED), FK_EXIT_PROTECTED);
	assert_int_equal(fk_error_exit_code(FK_E_PERMISSION), FK_EXIT_REFUSED);
	assert_int_equal(fk_error_exit_code(FK_E_VERIFY), FK_EXIT_VERIFY);
	assert_int_equal(fk_error_exit_code(FK_E_BAD_IMAGE), FK_EXIT_BAD_INPUT);
	assert_int_equal(fk_error_exit_code(FK_E_USAGE), FK_EXIT_USAGE);
	assert_int_equal(fk_error_exit_code(FK_E_CONNECT), FK_EXIT_CONNECT);
	assert_int_equal(fk_error_exit_code(FK_OK), 0);
	assert_string_equal(fk_error_name(-9999), "FK_E_UNKNOWN");
	assert_string_equal(fk_strerror(-9999), "unknown error");
	assert_int_equal(fk_error_exit_code(-9999), FK_EXIT_FAILURE);
}

static void test_cause_chain(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	char buf[FK_CHAIN_MSG_MAX];
	assert_string_equal(fk_ctx_message(ctx, buf, sizeof buf), "");
	int rc = fk_fail(ctx, FK_E_PROTECTED, "FLASH_SR.WRPERR: sector %u is write-protected", 5u);
	assert_int_equal(rc, FK_E_PROTECTED);
	rc = fk_fail_wrap(ctx, rc, "writing sector 5 at 0x%08X", 0x08020000u);
	assert_int_equal(rc, FK_E_PROTECTED);
	assert_string_equal(fk_ctx_message(ctx, buf, sizeof buf),
			    "writing sector 5 at 0x08020000: FLASH_SR.WRPERR: sector 5 is write-protected");
	assert_int_equal(fk_ctx_depth(ctx), 2);
	assert_string_equal(fk_ctx_frame(ctx, 0), "writing sector 5 at 0x08020000");
	assert_null(fk_ctx_frame(ctx, 2));
	/* a new failure starts a new chain */
	fk_fail(ctx, FK_E_TIMEOUT, "no reply");
	assert_string_equal(fk_ctx_message(ctx, buf, sizeof buf), "no reply");
	/* overflow keeps the innermost frames */
	for (int i = 0; i < 20; i++)
		fk_fail_wrap(ctx, FK_E_TIMEOUT, "outer %d", i);
	assert_int_equal(fk_ctx_depth(ctx), FK_CHAIN_FRAMES);
	assert_string_equal(fk_ctx_frame(ctx, FK_CHAIN_FRAMES - 1), "no reply");
	assert_string_equal(fk_ctx_frame(ctx, 0), "outer 19");
	/* a small buffer is truncated, not overflowed */
	char tiny[8];
	fk_ctx_message(ctx, tiny, sizeof tiny);
	assert_int_equal(strlen(tiny), 7);
	fk_hint(ctx, "run `flashkey unlock --upto %s`", "wrp");
	assert_string_equal(fk_ctx_hint(ctx), "run `flashkey unlock --upto wrp`");
	fk_ctx_clear(ctx);
	assert_int_equal(fk_ctx_error(ctx), FK_OK);
	assert_string_equal(fk_ctx_hint(ctx), "");
	/* wrap with nothing below is a chain of one */
	fk_fail_wrap(ctx, FK_E_IO, "alone");
	assert_string_equal(fk_ctx_message(ctx, buf, sizeof buf), "alone");
	/* very long frames are cut at the frame size */
	char longs[600];
	memset(longs, 'x', sizeof longs - 1);
	longs[sizeof longs - 1] = 0;
	fk_fail(ctx, FK_E_IO, "%s", longs);
	assert_int_equal(strlen(fk_ctx_frame(ctx, 0)), FK_FRAME_LEN - 1);
	fk_ctx_free(ctx);
}

struct logged {
	int n;
	fk_log_level level;
	unsigned cat;
	char msg[128];
};

static void log_cb(void *user, fk_log_level level, unsigned category, const char *msg)
{
	struct logged *l = user;
	l->n++;
	l->level = level;
	l->cat = category;
	snprintf(l->msg, sizeof l->msg, "%s", msg);
}

static void test_log_and_trace(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	struct logged l = {0};
	fk_ctx_set_log(ctx, log_cb, &l, FK_LOG_INFO);
	fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_FLASH, "hidden");
	assert_int_equal(l.n, 0);
	fk_log(ctx, FK_LOG_WARN, FK_TRACE_FLASH, "shown %d", 1);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.msg, "shown 1");
	unsigned mask = 0;
	const char *bad = NULL;
	assert_int_equal(fk_trace_parse("link,dap,adi", &mask, &bad), 0);
	assert_int_equal(mask, FK_TRACE_LINK | FK_TRACE_DAP | FK_TRACE_ADI);
	assert_int_equal(fk_trace_parse("link,bogus", &mask, &bad), -1);
	assert_string_equal(bad, "bogus");
	assert_int_equal(fk_trace_parse("all", &mask, &bad), 0);
	assert_int_equal(mask, FK_TRACE_ALL);
	fk_ctx_set_trace(ctx, FK_TRACE_DAP);
	fk_log(ctx, FK_LOG_TRACE, FK_TRACE_ADI, "not this layer");
	assert_int_equal(l.n, 1);
	fk_log(ctx, FK_LOG_TRACE, FK_TRACE_DAP, "dap");
	assert_int_equal(l.n, 2);
	assert_int_equal(l.cat, FK_TRACE_DAP);
	assert_true(fk_tracing(ctx, FK_TRACE_DAP));
	assert_false(fk_tracing(ctx, FK_TRACE_ADI));
	assert_string_equal(fk_trace_name(FK_TRACE_ADI), "adi");
	fk_ctx_free(ctx);
}

struct prog {
	int n;
	uint64_t done, total;
};

static void prog_cb(void *user, const char *phase, uint64_t done, uint64_t total)
{
	struct prog *p = user;
	(void)phase;
	p->n++;
	p->done = done;
	p->total = total;
}

static void test_progress(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	fk_progress(ctx, "erase", 1, 2); /* no callback: nothing happens */
	struct prog p = {0};
	fk_ctx_set_progress(ctx, prog_cb, &p);
	fk_progress(ctx, "erase", 3, 4);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.done, 3);
	assert_int_equal(p.total, 4);
	fk_ctx_free(ctx);
}

static void test_crc32(void **state)
{
	(void)state;
	/* the standard check value of CRC-32/ISO-HDLC */
	assert_int_equal(fk_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(fk_crc32(0, "", 0), 0);
	/* incremental == one shot, across odd splits */
	uint8_t buf[1000];
	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	uint32_t one = fk_crc32(0, buf, sizeof buf);
	uint32_t inc = fk_crc32(0, buf, 3);
	inc = fk_crc32(inc, buf + 3, 500);
	inc = fk_crc32(inc, buf + 503, sizeof buf - 503);
	assert_int_equal(one, inc);
}

static void test_byte_order(void **state)
{
	(void)state;
	uint8_t b[4];
	fk_put_le32(b, 0x11223344u);
	assert_int_equal(b[0], 0x44);
	assert_int_equal(fk_get_le32(b), 0x11223344u);
	assert_int_equal(fk_get_be32(b), 0x44332211u);
	fk_put_be16(b, 0xA1B2);
	assert_int_equal(b[0], 0xA1);
	assert_int_equal(fk_get_be16(b), 0xA1B2);
	fk_put_le16(b, 0xA1B2);
	assert_int_equal(fk_get_le16(b), 0xA1B2);
	fk_put_be32(b, 0xDEADBEEFu);
	assert_int_equal(fk_get_be32(b), 0xDEADBEEFu);
}

static void test_parse_numbers(void **state)
{
	(void)state;
	uint32_t v;
	assert_int_equal(fk_parse_u32("0x08000000", &v), 0);
	assert_int_equal(v, 0x08000000u);
	assert_int_equal(fk_parse_u32("115200", &v), 0);
	assert_int_equal(v, 115200u);
	assert_int_equal(fk_parse_u32("0x100000000", &v), -1);
	assert_int_equal(fk_parse_u32("-1", &v), -1);
	assert_int_equal(fk_parse_u32("12abc", &v), -1);
	assert_int_equal(fk_parse_u32("", &v), -1);
	/* issue 13 class 2: leading zeros are decimal, never octal; nothing is truncated */
	assert_int_equal(fk_parse_u32("012", &v), 0);
	assert_int_equal(v, 12u);
	assert_int_equal(fk_parse_u32("0000000000000005", &v), 0);
	assert_int_equal(v, 5u);
	assert_int_equal(fk_parse_u32("0009", &v), 0);
	assert_int_equal(v, 9u);
	assert_int_equal(fk_parse_u32("0", &v), 0);
	assert_int_equal(v, 0u);
	assert_int_equal(fk_parse_u32("0X1f", &v), 0);
	assert_int_equal(v, 0x1Fu);
	assert_int_equal(fk_parse_u32("4294967295", &v), 0);
	assert_int_equal(v, 0xFFFFFFFFu);
	assert_int_equal(fk_parse_u32("4294967296", &v), -1);
	assert_int_equal(fk_parse_u32("0x", &v), -1);
	assert_int_equal(fk_parse_u32("0b101", &v), -1);
	assert_int_equal(fk_parse_u32("0o7", &v), -1);
	assert_int_equal(fk_parse_u32("1f", &v), -1);
	assert_int_equal(fk_parse_u32("+5", &v), -1);
	assert_int_equal(fk_parse_u32(" 5", &v), -1);
	assert_int_equal(fk_parse_u32("5 ", &v), -1);
	assert_int_equal(fk_parse_u32("0x-1", &v), -1);
	assert_int_equal(fk_parse_u32("1e3", &v), -1);
	uint64_t w;
	assert_int_equal(fk_parse_u64("18446744073709551615", &w), 0);
	assert_true(w == UINT64_MAX);
	assert_int_equal(fk_parse_u64("18446744073709551616", &w), -1);
	assert_int_equal(fk_parse_u64("0x10000000000000000", &w), -1);
	assert_int_equal(fk_parse_u64("000000000000000000000000018", &w), 0);
	assert_true(w == 18u);
	char dst[6];
	assert_int_equal(fk_strlcpy(dst, "abcdefgh", sizeof dst), 8);
	assert_string_equal(dst, "abcde");
	dst[0] = 0;
	fk_snprintf_cat(dst, sizeof dst, "%s", "ab");
	fk_snprintf_cat(dst, sizeof dst, "%s", "cdefg");
	assert_string_equal(dst, "abcde");
}

static int test_backend_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out)
{
	(void)ctx;
	(void)opts;
	out->kind = FK_TRANSPORT_MEM;
	fk_strlcpy(out->description, arg, sizeof out->description);
	return FK_OK;
}

static void test_backend_registry(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	assert_int_equal(fk_backend_register("unittest", test_backend_open, "help"), FK_OK);
	assert_int_equal(fk_backend_register("unittest", test_backend_open, "help"), FK_OK);
	fk_transport t;
	assert_int_equal(fk_transport_open(ctx, "unittest:some/path", NULL, &t), FK_OK);
	assert_string_equal(t.description, "some/path");
	fk_transport_close(&t);
	assert_int_equal(fk_transport_open(ctx, "nosuch:x", NULL, &t), FK_E_USAGE);
	char buf[FK_CHAIN_MSG_MAX];
	assert_non_null(strstr(fk_ctx_message(ctx, buf, sizeof buf), "unknown connection \"nosuch\""));
	assert_non_null(strstr(fk_ctx_hint(ctx), "unittest:"));
	fk_ctx_free(ctx);
}

/* docs/EXIT-CODES.md must list every error of the table with its number, symbol and exit code,
 * as a row "| -13 | FK_E_PROTECTED | 4 | ...". */
static void test_exit_codes_doc_in_sync(void **state)
{
	(void)state;
	char path[1024];
	FILE *f = fopen(fk_test_src(path, sizeof path, "docs/EXIT-CODES.md"), "r");
	assert_non_null(f);
	static char doc[65536];
	size_t n = fread(doc, 1, sizeof doc - 1, f);
	doc[n] = 0;
	fclose(f);
	int rows = 0;
#define CHECK_ROW(num, sym, exitc, text)                                                 \
	do {                                                                             \
		char row[128];                                                           \
		snprintf(row, sizeof row, "| %d | FK_%s | %d |", (num), #sym, (exitc));  \
		if (!strstr(doc, row))                                                   \
			fail_msg("docs/EXIT-CODES.md lacks the row \"%s\"", row);        \
		rows++;                                                                  \
	} while (0);
	FK_ERROR_TABLE(CHECK_ROW)
#undef CHECK_ROW
	assert_true(rows > 20);
	/* and no stale rows: count table rows that start with "| -" or "| 0 |" */
	int doc_rows = 0;
	char *errors = strstr(doc, "## Error codes");
	assert_non_null(errors);
	for (char *p = errors; (p = strstr(p, "\n| ")) != NULL; p++)
		if (p[3] == '-' || (p[3] == '0' && p[4] == ' '))
			doc_rows++;
	assert_int_equal(doc_rows, rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_table),    cmocka_unit_test(test_cause_chain),
		cmocka_unit_test(test_log_and_trace),  cmocka_unit_test(test_progress),
		cmocka_unit_test(test_crc32),          cmocka_unit_test(test_byte_order),
		cmocka_unit_test(test_parse_numbers),  cmocka_unit_test(test_backend_registry),
		cmocka_unit_test(test_exit_codes_doc_in_sync),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
