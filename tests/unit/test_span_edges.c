/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Issue 13, class 14: every "addr + len" / "off + len" bound is checked without wrapping. The
 * helper fk_span_ok at its edges, then the library calls that take an address or offset and a
 * length from the user, on an in-process twin: `otp write 3 00 --offset 4294967295` wrapped
 * off + len to 0 and crashed; reads and verifies across 0xFFFFFFFF must be refused, not wrap
 * to 0x00000000. */
#include "fk_test.h"

#include <unistd.h>

#include "flashkey/backend.h"
#include "flashkey/flashkey.h"
#include "fktwin/fktwin.h"
#include "stm32f4/f4.h"

static void test_span_ok_edges(void **state)
{
	(void)state;
	assert_true(fk_span_ok(0, 0, 0));
	assert_true(fk_span_ok(0, 32, 32));
	assert_true(fk_span_ok(31, 1, 32));
	assert_true(fk_span_ok(32, 0, 32));
	assert_false(fk_span_ok(31, 2, 32));
	assert_false(fk_span_ok(33, 0, 32));
	assert_false(fk_span_ok(0xFFFFFFFFu, 1, 32));  /* the crash: 0xFFFFFFFF + 1 == 0 in 32 bits */
	assert_false(fk_span_ok(1, 0xFFFFFFFFu, 32));
	assert_false(fk_span_ok(UINT64_MAX, 1, UINT64_MAX));
	assert_false(fk_span_ok(1, UINT64_MAX, UINT64_MAX));
	assert_true(fk_span_ok(UINT64_MAX, 0, UINT64_MAX));
	assert_true(fk_span_ok(0xFFFFFFFFu, 1, FK_ADDR_SPACE));
	assert_false(fk_span_ok(0xFFFFFFFFu, 2, FK_ADDR_SPACE));
	assert_true(fk_span_ok(0, FK_ADDR_SPACE, FK_ADDR_SPACE));
	assert_false(fk_span_ok(1, FK_ADDR_SPACE, FK_ADDR_SPACE));
}

typedef struct span_fixture {
	char path[64];
	fk_ctx *ctx;
	fk_session *s;
} span_fixture;

static int span_setup(void **state)
{
	static span_fixture f;
	memset(&f, 0, sizeof f);
	snprintf(f.path, sizeof f.path, "/tmp/fk-span-%ld.twin", (long)getpid());
	fk_register_builtin_backends();
	fktwin_register_backends();
	f.ctx = fk_ctx_new();
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f407"));
	if (!f.ctx || !t || tw_f4_save(t, f.ctx, f.path))
		return -1;
	tw_f4_free(t);
	char conn[80];
	snprintf(conn, sizeof conn, "twin:%s", f.path);
	fk_conn_opts o = {0};
	o.reset_mode = -1;
	if (fk_session_open(f.ctx, conn, &o, NULL, &f.s))
		return -1;
	*state = &f;
	return 0;
}

static int span_teardown(void **state)
{
	span_fixture *f = *state;
	fk_session_close(f->s);
	fk_ctx_free(f->ctx);
	unlink(f->path);
	return 0;
}

static void test_otp_offsets(void **state)
{
	span_fixture *f = *state;
	uint8_t data[32] = {0};
	unsigned changed;
	uint32_t mask;
	fk_perms p = {.dry_run = true, .allow_irreversible = "PERMANENT"};
	assert_int_equal(fk_otp_write_check(f->s, 3, 0xFFFFFFFFu, data, 1, &changed, &mask),
			 FK_E_RANGE);
	assert_int_equal(fk_otp_write_check(f->s, 3, 0xFFFFFFE1u, data, 32, &changed, &mask),
			 FK_E_RANGE);
	assert_int_equal(fk_otp_write_check(f->s, 3, 31, data, 2, &changed, &mask), FK_E_RANGE);
	assert_int_equal(fk_otp_write_check(f->s, 3, 32, data, 1, &changed, &mask), FK_E_RANGE);
	assert_int_equal(fk_otp_write_check(f->s, 3, 0, data, 0, &changed, &mask), FK_E_RANGE);
	assert_int_equal(fk_otp_write(f->s, 3, 0xFFFFFFFFu, data, 1, &p), FK_E_RANGE);
	/* the last byte of a block is fine */
	assert_int_equal(fk_otp_write_check(f->s, 3, 31, data, 1, &changed, &mask), FK_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(mask, 1U << 31);
	assert_int_equal(fk_otp_write_check(f->s, 15, 0, data, 32, &changed, &mask), FK_OK);
	assert_int_equal(changed, 32);
}

static void test_addr_wrap(void **state)
{
	span_fixture *f = *state;
	uint8_t buf[16];
	fk_sector_set m;
	assert_int_equal(fk_flash_read(f->s, 0xFFFFFFFFu, buf, 2), FK_E_RANGE);
	assert_int_equal(fk_flash_read(f->s, 0xFFFFFFF8u, buf, 9), FK_E_RANGE);
	assert_int_equal(fk_flash_sectors_for(f->s, 0xFFFFFFFFu, 2, &m), FK_E_RANGE);
	assert_int_equal(fk_sector_set_count(&m), 0);
	fk_sector_set_free(&m);
	assert_int_equal(fk_flash_sectors_for(f->s, 0x08000000u, 0xFFFFFFFFu, &m), FK_E_RANGE);
	assert_int_equal(fk_sector_set_count(&m), 0);
	fk_sector_set_free(&m);
	assert_int_equal(fk_flash_sectors_for(f->s, 0x080FFFFFu, 1, &m), FK_OK);
	/* exactly the last sector (11) */
	assert_int_equal(fk_sector_set_count(&m), 1);
	assert_true(fk_sector_set_has(&m, 11));
	fk_sector_set_free(&m);
	fk_seg seg = {0xFFFFFFF0u, 0x20, buf};
	assert_int_equal(fk_flash_verify_ex(f->s, &seg, 1, true, NULL, NULL), FK_E_RANGE);
	assert_int_equal(fk_flash_verify_ex(f->s, &seg, 1, false, NULL, NULL), FK_E_RANGE);
	assert_int_equal(fk_flash_read(f->s, 0x08000000u, buf, sizeof buf), FK_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_span_ok_edges),
		cmocka_unit_test_setup_teardown(test_otp_offsets, span_setup, span_teardown),
		cmocka_unit_test_setup_teardown(test_addr_wrap, span_setup, span_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
