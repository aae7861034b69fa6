/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which pages the STM32F0/F1/F3 driver erases when the path can check pages on the chip
 * (stm32f1_pages_to_erase, lib/chip/stm32f1_driver.c): a page is left alone only when the
 * chip says every word of it reads 0xFFFFFFFF (PM0075 §2.3.3: the FPEC programs a half-word
 * only when it reads 0xFFFF). Checked on a fake path whose "chip" is a byte array: blank pages
 * are spared, a page with one byte programmed (first, last, a 0x00 in the middle) is erased, a
 * page the chip reports not erased is erased, a check that fails or is refused erases
 * everything and leaves no error behind, a path without the check erases everything, and pages
 * outside the set (in the scanned span or past it) are never put in. */
#include "fk_test.h"

#include "chip/stm32f1_fam.h"
#include "core/core.h"

#define NPAGES 16u
#define PAGE 1024u

typedef struct fake {
	uint8_t flash[NPAGES * PAGE];
	int fail_rc;       /* what blank returns (0: scans) */
	int lie_dirty;     /* index of a page reported not erased whatever it holds (-1: none) */
	unsigned calls;    /* blank calls */
	uint32_t addr, page;
	unsigned n;        /* the last call's arguments */
} fake;

static int fake_blank(void *h, fk_ctx *ctx, uint32_t addr, uint32_t page, unsigned n,
		      uint8_t *dirty)
{
	fake *f = h;
	f->calls++;
	f->addr = addr;
	f->page = page;
	f->n = n;
	if (f->fail_rc)
		return fk_fail(ctx, f->fail_rc, "fake blank-check failure");
	assert_true(addr >= STM32F1_FLASH_BASE);
	assert_true(addr - STM32F1_FLASH_BASE + (uint64_t)n * page <= sizeof f->flash);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = f->flash + (addr - STM32F1_FLASH_BASE) + i * page;
		dirty[i] = 0;
		for (uint32_t k = 0; k < page; k++)
			dirty[i] |= p[k] != 0xFF;
		if ((int)((addr - STM32F1_FLASH_BASE) / PAGE + i) == f->lie_dirty)
			dirty[i] = 1;
	}
	return FK_OK;
}

static stm32f1_path_ops fake_ops = {.name = "fake", .blank = fake_blank};

typedef struct fx {
	fake chip;
	fk_erase_unit units[NPAGES];
	stm32f1drv drv;
	fk_ctx *ctx;
	fk_sector_set set, todo;
} fx;

static fx *fx_new(void)
{
	fx *x = calloc(1, sizeof *x);
	assert_non_null(x);
	memset(x->chip.flash, 0xFF, sizeof x->chip.flash);
	x->chip.lie_dirty = -1;
	for (unsigned i = 0; i < NPAGES; i++)
		x->units[i] = (fk_erase_unit){.number = i, .addr = STM32F1_FLASH_BASE + i * PAGE,
					      .size = PAGE};
	x->drv.ops = &fake_ops;
	x->drv.h = &x->chip;
	x->drv.npages = NPAGES;
	x->drv.units = x->units;
	x->ctx = fk_ctx_new();
	assert_int_equal(fk_sector_set_init(&x->set, NPAGES), 0);
	assert_int_equal(fk_sector_set_init(&x->todo, NPAGES), 0);
	return x;
}

static void fx_free(fx *x)
{
	fk_sector_set_free(&x->set);
	fk_sector_set_free(&x->todo);
	fk_ctx_free(x->ctx);
	free(x);
}

static unsigned todo_count(const fx *x)
{
	unsigned n = 0;
	for (unsigned i = 0; i < NPAGES; i++)
		n += fk_sector_set_has(&x->todo, i);
	return n;
}

static void test_decision(void **state)
{
	(void)state;
	assert_false(stm32f1_erase_needed(FK_OK, 0));
	assert_true(stm32f1_erase_needed(FK_OK, 1));
	assert_true(stm32f1_erase_needed(FK_E_TIMEOUT, 0));
	assert_true(stm32f1_erase_needed(FK_E_UNSUPPORTED, 0));
	assert_true(stm32f1_erase_needed(FK_E_PROTOCOL, 0));
}

/* a blank chip: nothing to erase, one scan from the first page of the set to the last */
static void test_blank_pages_spared(void **state)
{
	(void)state;
	fx *x = fx_new();
	for (unsigned i = 2; i < 12; i++)
		fk_sector_set_add(&x->set, i);
	assert_int_equal(stm32f1_pages_to_erase(&x->drv, x->ctx, &x->set, &x->todo), 10);
	assert_int_equal(todo_count(x), 0);
	assert_int_equal(x->chip.calls, 1);
	assert_int_equal(x->chip.addr, STM32F1_FLASH_BASE + 2 * PAGE);
	assert_int_equal(x->chip.page, PAGE);
	assert_int_equal(x->chip.n, 10);
	assert_int_equal(fk_ctx_error(x->ctx), FK_OK);
	fx_free(x);
}

/* partly programmed pages are erased: one half-word at the start, one at the end, one 0x00
 * byte in the middle (a half-word reading 0xFF00 is not erased); the blank ones are not; pages
 * outside the set stay out even when programmed */
static void test_partly_programmed_erased(void **state)
{
	(void)state;
	fx *x = fx_new();
	x->chip.flash[3 * PAGE] = 0x12;              /* page 3, first byte */
	x->chip.flash[5 * PAGE + PAGE - 1] = 0x7F;   /* page 5, last byte */
	x->chip.flash[8 * PAGE + 513] = 0x00;        /* page 8, one byte in the middle */
	x->chip.flash[10 * PAGE + 2] = 0x00;         /* page 10: in the span, not in the set */
	x->chip.flash[14 * PAGE] = 0x00;             /* page 14: past the set */
	for (unsigned i = 0; i < 12; i++)
		if (i != 10)
			fk_sector_set_add(&x->set, i);
	assert_int_equal(stm32f1_pages_to_erase(&x->drv, x->ctx, &x->set, &x->todo), 8);
	assert_int_equal(todo_count(x), 3);
	assert_int_equal(x->chip.n, 12);
	assert_false(fk_sector_set_has(&x->todo, 10));
	assert_true(fk_sector_set_has(&x->todo, 3));
	assert_true(fk_sector_set_has(&x->todo, 5));
	assert_true(fk_sector_set_has(&x->todo, 8));
	assert_false(fk_sector_set_has(&x->todo, 14));
	fx_free(x);
}

/* a page the chip reports not erased is erased, whatever the host believes it holds */
static void test_reported_dirty_erased(void **state)
{
	(void)state;
	fx *x = fx_new();
	for (unsigned i = 0; i < 4; i++)
		fk_sector_set_add(&x->set, i);
	x->chip.lie_dirty = 2;
	assert_int_equal(stm32f1_pages_to_erase(&x->drv, x->ctx, &x->set, &x->todo), 3);
	assert_int_equal(todo_count(x), 1);
	assert_true(fk_sector_set_has(&x->todo, 2));
	fx_free(x);
}

/* the check fails (a timeout, a NACK, refused as unsupported, damaged results): every page is
 * erased and the failure is not left in the context (the erase that follows reports its own) */
static void test_failed_check_erases_all(void **state)
{
	(void)state;
	const int fails[] = {FK_E_TIMEOUT, FK_E_NACK, FK_E_UNSUPPORTED, FK_E_PROTOCOL};
	for (unsigned k = 0; k < FK_ARRAY_SIZE(fails); k++) {
		fx *x = fx_new();
		x->chip.fail_rc = fails[k];
		for (unsigned i = 0; i < NPAGES; i++)
			fk_sector_set_add(&x->set, i);
		assert_int_equal(stm32f1_pages_to_erase(&x->drv, x->ctx, &x->set, &x->todo), 0);
		assert_int_equal(todo_count(x), NPAGES);
		assert_int_equal(fk_ctx_error(x->ctx), FK_OK);
		fx_free(x);
	}
}

/* a path without an on-chip check (the debug path): every page is erased, nothing asked */
static void test_no_check_erases_all(void **state)
{
	(void)state;
	fx *x = fx_new();
	stm32f1_path_ops plain = fake_ops;
	plain.blank = NULL;
	x->drv.ops = &plain;
	for (unsigned i = 4; i < 7; i++)
		fk_sector_set_add(&x->set, i);
	assert_int_equal(stm32f1_pages_to_erase(&x->drv, x->ctx, &x->set, &x->todo), 0);
	assert_int_equal(todo_count(x), 3);
	assert_int_equal(x->chip.calls, 0);
	/* an empty set asks nothing either */
	x->drv.ops = &fake_ops;
	fk_sector_set empty;
	assert_int_equal(fk_sector_set_init(&empty, NPAGES), 0);
	fk_sector_set_free(&x->todo);
	assert_int_equal(fk_sector_set_init(&x->todo, NPAGES), 0);
	assert_int_equal(stm32f1_pages_to_erase(&x->drv, x->ctx, &empty, &x->todo), 0);
	assert_int_equal(todo_count(x), 0);
	assert_int_equal(x->chip.calls, 0);
	fk_sector_set_free(&empty);
	fx_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision),
		cmocka_unit_test(test_blank_pages_spared),
		cmocka_unit_test(test_partly_programmed_erased),
		cmocka_unit_test(test_reported_dirty_erased),
		cmocka_unit_test(test_failed_check_erases_all),
		cmocka_unit_test(test_no_check_erases_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
