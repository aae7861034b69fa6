/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which pages the STM32F0/F1/F3 driver erases when the path can compute CRC-32s on the chip
 * (stm32f1_pages_to_erase, lib/chip/stm32f1_driver.c): a page is left alone only when its CRC
 * is that of a page of 0xFF bytes (PM0075 §2.3.3: the FPEC programs a half-word only when it
 * reads 0xFFFF). Checked on a fake path whose "chip" is a byte array: a blank page is spared, a
 * page with one half-word programmed (first, last, or a 0x00 among 0xFF) is erased, a page whose
 * CRC comes back wrong is erased, a CRC run that fails or is refused erases everything and
 * leaves no error behind, a path without CRC erases everything, and pages outside the set are
 * never touched. */
#include "fk_test.h"

#include "chip/stm32f1_fam.h"
#include "core/core.h"

#define NPAGES 16u
#define PAGE 1024u

typedef struct fake {
	uint8_t flash[NPAGES * PAGE];
	int fail_rc;         /* what crc32 returns (0: computes) */
	int corrupt_range;   /* index of a range whose CRC comes back wrong (-1: none) */
	unsigned calls;      /* crc32 calls */
	unsigned ranges;     /* ranges asked for, all calls */
} fake;

static int fake_crc32(void *h, fk_ctx *ctx, const uint32_t *addr, const uint32_t *len, unsigned n,
		      uint32_t *crc)
{
	fake *f = h;
	f->calls++;
	f->ranges += n;
	if (f->fail_rc)
		return fk_fail(ctx, f->fail_rc, "fake CRC failure");
	for (unsigned i = 0; i < n; i++) {
		assert_true(addr[i] >= STM32F1_FLASH_BASE);
		assert_true(addr[i] - STM32F1_FLASH_BASE + len[i] <= sizeof f->flash);
		crc[i] = fk_crc32(0, f->flash + (addr[i] - STM32F1_FLASH_BASE), len[i]);
		if ((int)i == f->corrupt_range)
			crc[i] ^= 0x1u;
	}
	return FK_OK;
}

static stm32f1_path_ops fake_ops = {.name = "fake", .crc32 = fake_crc32};

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
	x->chip.corrupt_range = -1;
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

static void test_erased_crc(void **state)
{
	(void)state;
	uint8_t ff[3000];
	memset(ff, 0xFF, sizeof ff);
	assert_int_equal(stm32f1_erased_crc(0), 0);
	assert_int_equal(stm32f1_erased_crc(1), fk_crc32(0, ff, 1));
	assert_int_equal(stm32f1_erased_crc(1024), fk_crc32(0, ff, 1024));
	assert_int_equal(stm32f1_erased_crc(3000), fk_crc32(0, ff, 3000));
	/* the decision itself */
	assert_false(stm32f1_erase_needed(FK_OK, fk_crc32(0, ff, 2048), 2048));
	assert_true(stm32f1_erase_needed(FK_OK, fk_crc32(0, ff, 2048), 1024)); /* other length */
	ff[1023] = 0xFE;
	assert_true(stm32f1_erase_needed(FK_OK, fk_crc32(0, ff, 1024), 1024));
	memset(ff, 0xFF, sizeof ff);
	assert_true(stm32f1_erase_needed(FK_E_TIMEOUT, fk_crc32(0, ff, 1024), 1024));
	assert_true(stm32f1_erase_needed(FK_E_UNSUPPORTED, fk_crc32(0, ff, 1024), 1024));
}

/* a blank chip: nothing to erase, in one call with one range per page */
static void test_blank_pages_spared(void **state)
{
	(void)state;
	fx *x = fx_new();
	for (unsigned i = 2; i < 12; i++)
		fk_sector_set_add(&x->set, i);
	assert_int_equal(stm32f1_pages_to_erase(&x->drv, x->ctx, &x->set, &x->todo), 10);
	assert_int_equal(todo_count(x), 0);
	assert_int_equal(x->chip.calls, 1);
	assert_int_equal(x->chip.ranges, 10);
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
	x->chip.flash[14 * PAGE] = 0x00;             /* page 14: not in the set */
	for (unsigned i = 0; i < 12; i++)
		fk_sector_set_add(&x->set, i);
	assert_int_equal(stm32f1_pages_to_erase(&x->drv, x->ctx, &x->set, &x->todo), 9);
	assert_int_equal(todo_count(x), 3);
	assert_true(fk_sector_set_has(&x->todo, 3));
	assert_true(fk_sector_set_has(&x->todo, 5));
	assert_true(fk_sector_set_has(&x->todo, 8));
	assert_false(fk_sector_set_has(&x->todo, 14));
	fx_free(x);
}

/* a page whose CRC comes back other than the erased one is erased, whatever its bytes */
static void test_wrong_crc_erased(void **state)
{
	(void)state;
	fx *x = fx_new();
	for (unsigned i = 0; i < 4; i++)
		fk_sector_set_add(&x->set, i);
	x->chip.corrupt_range = 2;
	assert_int_equal(stm32f1_pages_to_erase(&x->drv, x->ctx, &x->set, &x->todo), 3);
	assert_int_equal(todo_count(x), 1);
	assert_true(fk_sector_set_has(&x->todo, 2));
	fx_free(x);
}

/* the CRC run fails (a timeout, a NACK, refused as unsupported): every page is erased and the
 * failure is not left in the context (the erase that follows reports its own) */
static void test_failed_crc_erases_all(void **state)
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

/* a path without on-chip CRC (the debug path): every page is erased, nothing asked */
static void test_no_crc_erases_all(void **state)
{
	(void)state;
	fx *x = fx_new();
	stm32f1_path_ops plain = fake_ops;
	plain.crc32 = NULL;
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
		cmocka_unit_test(test_erased_crc),
		cmocka_unit_test(test_blank_pages_spared),
		cmocka_unit_test(test_partly_programmed_erased),
		cmocka_unit_test(test_wrong_crc_erased),
		cmocka_unit_test(test_failed_crc_erases_all),
		cmocka_unit_test(test_no_crc_erases_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
