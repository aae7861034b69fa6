/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The chip-driver registry (lib/chip/driver.h section 2): drivers match the IDs collected once;
 * an unknown chip fails closed naming every ID it saw; --chip narrows, and a --chip the IDs
 * contradict is refused (nothing attached) unless forced; fk_sector_set has no size limit. */
#include "fk_test.h"

#include "chip/driver.h"
#include "core/core.h"

static void ids_mem(fk_chip_ids *ids, uint32_t idcode, uint32_t cpuid)
{
	memset(ids, 0, sizeof *ids);
	ids->path = FK_PATH_MEMORY;
	ids->nwords = 2;
	ids->words[0] = (fk_chip_id_word){"DBGMCU_IDCODE", 0xE0042000U, idcode, true};
	ids->words[1] = (fk_chip_id_word){"CPUID", 0xE000ED00U, cpuid, true};
}

static void test_registry_lookup(void **state)
{
	(void)state;
	const fk_chip_driver *d = fk_chip_driver_at(0);
	assert_non_null(d);
	assert_string_equal(d->family, "stm32f4");
	assert_ptr_equal(fk_chip_driver_for_name("stm32f4"), d);
	assert_ptr_equal(fk_chip_driver_for_name("STM32F407"), d);
	assert_null(fk_chip_driver_for_name("stm32f999"));
	char fams[512];
	fk_chip_families_text(fams, sizeof fams);
	assert_non_null(strstr(fams, "stm32f4"));
}

static void test_match_from_ids(void **state)
{
	(void)state;
	const fk_chip_driver *d = fk_chip_driver_for_name("stm32f4");
	fk_chip_ids ids;
	char part[48];
	ids_mem(&ids, 0x10076413U, 0x410FC241U);
	assert_true(d->match(&ids, part, sizeof part));
	assert_string_equal(part, "stm32f40x");
	assert_true(d->part_is(&ids, "stm32f407"));
	assert_false(d->part_is(&ids, "stm32f411"));
	/* RM0090 §38.6.1 errata: rev-A F405/407 report the F2's 0x411; a Cortex-M4 CPUID says F4 */
	ids_mem(&ids, 0x20000411U, 0x410FC241U);
	assert_true(d->match(&ids, part, sizeof part));
	assert_string_equal(part, "stm32f40x");
	ids_mem(&ids, 0x20000411U, 0x412FC230U); /* a Cortex-M3: a real F2, not ours */
	assert_false(d->match(&ids, part, sizeof part));
	/* the bootloader's product ID */
	memset(&ids, 0, sizeof ids);
	ids.path = FK_PATH_ROM_STREAM;
	ids.have_boot_pid = true;
	ids.boot_pid = 0x431;
	assert_true(d->match(&ids, part, sizeof part));
	assert_string_equal(part, "stm32f411");
}

static void test_unknown_chip_names_ids(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	fk_chip_ids ids;
	fk_chip_path path = {.kind = FK_PATH_MEMORY};
	const fk_chip_driver *drv = (const fk_chip_driver *)1;
	void *st = (void *)1;
	ids_mem(&ids, 0x10006999U, 0x410FC241U);
	ids.words[1].ok = false;
	assert_int_equal(fk_chip_select(ctx, &path, &ids, NULL, false, &drv, &st),
			 FK_E_UNKNOWN_CHIP);
	assert_null(drv);
	assert_null(st);
	char msg[1024];
	fk_ctx_message(ctx, msg, sizeof msg);
	assert_non_null(strstr(msg, "DBGMCU_IDCODE@0xE0042000=0x10006999"));
	assert_non_null(strstr(msg, "CPUID@0xE000ED00 unreadable"));
	assert_non_null(strstr(msg, "nothing was written"));
	assert_non_null(strstr(fk_ctx_hint(ctx), "stm32f4"));
	assert_int_equal(fk_error_exit_code(FK_E_UNKNOWN_CHIP), FK_EXIT_TARGET);
	fk_ctx_free(ctx);
}

static void test_chip_contradicting_ids_refused(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	fk_chip_ids ids;
	fk_chip_path path = {.kind = FK_PATH_MEMORY};
	const fk_chip_driver *drv;
	void *st;
	char msg[1024];
	ids_mem(&ids, 0x10076413U, 0x410FC241U);
	/* no attach is tried (path has no memory ops: attaching would crash) */
	assert_int_equal(fk_chip_select(ctx, &path, &ids, "stm32f411", false, &drv, &st),
			 FK_E_UNKNOWN_CHIP);
	fk_ctx_message(ctx, msg, sizeof msg);
	assert_non_null(strstr(msg, "--chip stm32f411 given, but the target is stm32f40x"));
	assert_non_null(strstr(msg, "DBGMCU_IDCODE@0xE0042000=0x10076413"));
	assert_non_null(strstr(fk_ctx_hint(ctx), "--allow-wrong-memory-map"));
	fk_ctx_free(ctx);
	ctx = fk_ctx_new();
	assert_int_equal(fk_chip_select(ctx, &path, &ids, "nxp-lpc9999", false, &drv, &st),
			 FK_E_UNKNOWN_CHIP);
	fk_ctx_message(ctx, msg, sizeof msg);
	assert_non_null(strstr(msg, "no driver knows this name"));
	fk_ctx_free(ctx);
	/* unknown IDs with --chip: still refused without the flag */
	ctx = fk_ctx_new();
	ids_mem(&ids, 0x10006999U, 0x410FC241U);
	assert_int_equal(fk_chip_select(ctx, &path, &ids, "stm32f407", false, &drv, &st),
			 FK_E_UNKNOWN_CHIP);
	fk_ctx_message(ctx, msg, sizeof msg);
	assert_non_null(strstr(msg, "no driver knows the target"));
	fk_ctx_free(ctx);
}

static void test_sector_set_unbounded(void **state)
{
	(void)state;
	fk_sector_set s;
	assert_int_equal(fk_sector_set_init(&s, 4096), FK_OK); /* a 16 MiB SPI NOR's sectors */
	fk_sector_set_add(&s, 0);
	fk_sector_set_add(&s, 255);
	fk_sector_set_add(&s, 4095);
	fk_sector_set_add(&s, 4096); /* past the end: ignored */
	assert_true(fk_sector_set_has(&s, 255));
	assert_true(fk_sector_set_has(&s, 4095));
	assert_false(fk_sector_set_has(&s, 4096));
	assert_false(fk_sector_set_has(&s, 1));
	assert_int_equal(fk_sector_set_count(&s), 3);
	fk_sector_set_free(&s);
	assert_false(fk_sector_set_has(&s, 0));
}

/* Runs of consecutive members, as the drivers erase them: {1,2,3}, {7}, {9} below n = 10; a
 * member at or past n is not reported. */
static void test_sector_set_runs(void **state)
{
	(void)state;
	fk_sector_set s;
	assert_int_equal(fk_sector_set_init(&s, 16), FK_OK);
	const unsigned in[] = {1, 2, 3, 7, 9, 10, 12};
	for (unsigned k = 0; k < sizeof in / sizeof in[0]; k++)
		fk_sector_set_add(&s, in[k]);
	unsigned i = 0, a = 99, b = 99;
	assert_true(fk_sector_set_next_run(&s, 10, &i, &a, &b));
	assert_int_equal(a, 1);
	assert_int_equal(b, 3);
	assert_true(fk_sector_set_next_run(&s, 10, &i, &a, &b));
	assert_int_equal(a, 7);
	assert_int_equal(b, 7);
	assert_true(fk_sector_set_next_run(&s, 10, &i, &a, &b));
	assert_int_equal(a, 9);
	assert_int_equal(b, 9); /* 10 is a member but not below n */
	assert_false(fk_sector_set_next_run(&s, 10, &i, &a, &b));
	i = 0;
	assert_true(fk_sector_set_next_run(&s, 16, &i, &a, &b));
	assert_true(fk_sector_set_next_run(&s, 16, &i, &a, &b));
	assert_true(fk_sector_set_next_run(&s, 16, &i, &a, &b));
	assert_int_equal(a, 9);
	assert_int_equal(b, 10);
	assert_true(fk_sector_set_next_run(&s, 16, &i, &a, &b));
	assert_int_equal(a, 12);
	assert_false(fk_sector_set_next_run(&s, 16, &i, &a, &b));
	fk_sector_set_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_lookup),
		cmocka_unit_test(test_match_from_ids),
		cmocka_unit_test(test_unknown_chip_names_ids),
		cmocka_unit_test(test_chip_contradicting_ids_refused),
		cmocka_unit_test(test_sector_set_unbounded),
		cmocka_unit_test(test_sector_set_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
