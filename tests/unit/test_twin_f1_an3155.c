/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F0/F1/F3 model's AN3155 port (twin/stm32f1/an3155.c) at the byte level: the Get reply
 * of a V2.2 ROM lists Erase 0x43 and NACKs Extended Erase 0x44, a V3.1 ROM the reverse (AN3155
 * §3.1, Table 3; AN2606); the standard Erase's global form 0xFF 0x00 erases the flash (§3.7);
 * under read protection Read Memory is NACKed while Get ID answers (Table 2 note 2); Readout
 * Unprotect gives two ACKs (§3.12). */
#include "twin_f1_test.h"

#include "chip.h"
#include "stm32f1/model_int.h"

typedef struct an_fix {
	fk_ctx *ctx;
	tw_chip *c;
	const tw_stream_port *p;
	void *s;
} an_fix;

static void an_open(an_fix *f, const char *chip)
{
	f->ctx = fk_ctx_new();
	assert_int_equal(tw_chip_create(f->ctx, chip, &f->c), 0);
	f->p = tw_chip_stream(f->c, f->ctx, "test", "an3155");
	assert_non_null(f->p);
	f->p->enter(tw_chip_impl(f->c));
	assert_int_equal(f->p->open(tw_chip_impl(f->c), f->ctx, NULL, &f->s), 0);
}

static void an_close(an_fix *f)
{
	f->p->close(f->s);
	tw_chip_free(f->c);
	fk_ctx_free(f->ctx);
}

/* Sends bytes, returns how many reply bytes came (copied to out). */
static size_t an_x(an_fix *f, const uint8_t *in, size_t n, uint8_t *out, size_t max)
{
	f->p->rx(f->s, in, n);
	return f->p->tx(f->s, out, max);
}

static size_t an_cmd(an_fix *f, uint8_t cmd, uint8_t *out, size_t max)
{
	const uint8_t b[2] = {cmd, (uint8_t)~cmd};
	return an_x(f, b, 2, out, max);
}

static void an_sync(an_fix *f)
{
	uint8_t r[4];
	const uint8_t b = 0x7F;
	assert_int_equal(an_x(f, &b, 1, r, sizeof r), 1);
	assert_int_equal(r[0], 0x79);
}

static void test_get_v22(void **state)
{
	(void)state;
	an_fix f;
	an_open(&f, "stm32f103c8");
	an_sync(&f);
	uint8_t r[32];
	size_t n = an_cmd(&f, 0x00, r, sizeof r);
	const uint8_t want[] = {0x79, 11, 0x22, 0x00, 0x01, 0x02, 0x11, 0x21, 0x31,
				0x43, 0x63, 0x73, 0x82, 0x92, 0x79};
	assert_int_equal(n, sizeof want);
	assert_memory_equal(r, want, sizeof want);
	assert_int_equal(an_cmd(&f, 0x44, r, sizeof r), 1); /* not a V2.2 command */
	assert_int_equal(r[0], 0x1F);
	n = an_cmd(&f, 0x02, r, sizeof r);
	assert_int_equal(n, 5);
	assert_int_equal(r[2] << 8 | r[3], 0x410);
	an_close(&f);
}

static void test_get_v31(void **state)
{
	(void)state;
	an_fix f;
	an_open(&f, "stm32f030c8");
	an_sync(&f);
	uint8_t r[32];
	size_t n = an_cmd(&f, 0x00, r, sizeof r);
	assert_int_equal(n, 15);
	assert_int_equal(r[2], 0x31);
	assert_non_null(memchr(r + 3, 0x44, 11));
	assert_null(memchr(r + 3, 0x43, 11));
	assert_int_equal(an_cmd(&f, 0x43, r, sizeof r), 1);
	assert_int_equal(r[0], 0x1F);
	an_close(&f);
}

/* AN3155 §3.7: 0x43, then 0xFF 0x00 = global erase. */
static void test_global_erase_43(void **state)
{
	(void)state;
	an_fix f;
	an_open(&f, "stm32f103c8");
	tw_f1 *t = tw_chip_impl(f.c);
	tw_f1_poke(t, FLASH + 0x123, 0x00);
	an_sync(&f);
	uint8_t r[8];
	assert_int_equal(an_cmd(&f, 0x43, r, sizeof r), 1);
	assert_int_equal(r[0], 0x79);
	const uint8_t all[2] = {0xFF, 0x00};
	assert_int_equal(an_x(&f, all, 2, r, sizeof r), 1);
	assert_int_equal(r[0], 0x79);
	assert_int_equal(tw_f1_peek(t, FLASH + 0x123), 0xFF);
	an_close(&f);
}

/* Table 2 note 2: at level 1 Read Memory is NACKed, Get ID answers; Readout Unprotect: two
 * ACKs, and the regression erased the flash. */
static void test_rdp(void **state)
{
	(void)state;
	an_fix f;
	an_open(&f, "stm32f103c8");
	tw_f1 *t = tw_chip_impl(f.c);
	tw_f1_poke(t, FLASH, 0x12);
	tw_f1_set_options(t, 0x00, 0xFF, 0xFF, 0xFF, 0xFFFFFFFFU);
	an_sync(&f);
	uint8_t r[8];
	assert_int_equal(an_cmd(&f, 0x11, r, sizeof r), 1);
	assert_int_equal(r[0], 0x1F);
	assert_int_equal(an_cmd(&f, 0x02, r, sizeof r), 5);
	assert_int_equal(an_cmd(&f, 0x92, r, sizeof r), 2);
	assert_int_equal(r[0], 0x79);
	assert_int_equal(r[1], 0x79);
	tw_f1_reset(t, TW_RESET_SYSTEM); /* F1: the options load at the next reset */
	assert_int_equal(tw_f1_rdp_level(t), 0);
	assert_int_equal(tw_f1_peek(t, FLASH), 0xFF);
	an_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_v22),
		cmocka_unit_test(test_get_v31),
		cmocka_unit_test(test_global_erase_43),
		cmocka_unit_test(test_rdp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
