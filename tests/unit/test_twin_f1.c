/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/stm32f1: the FPEC model against PM0075 (F1), RM0091 (F0) and RM0316 (F3): variants and
 * identification, the key sequences, FLASH_SR/CR semantics, half-word programming, page and
 * mass erase with their datasheet times, write protection granularity. Option bytes, read
 * protection, faults and the state image are in test_twin_f1_rdp.c. */
#include "twin_f1_test.h"

/* RM0008 §31.6.1 / RM0091 §40.4.1: DBGMCU_IDCODE = REV_ID << 16 | DEV_ID, at 0xE0042000 on
 * F1/F3 and 0x40015800 on F0; the flash size register says the part's KiB (RM0008 §30.1). */
static void test_identification(void **state)
{
	(void)state;
	static const struct { const char *chip; uint32_t idaddr; uint16_t dev, kb; uint32_t fsz;
			      uint32_t cpuid; } rows[] = {
		{"stm32f103c8", 0xE0042000U, 0x410, 64, 0x1FFFF7E0U, 0x411FC231U},
		{"stm32f103cb", 0xE0042000U, 0x410, 128, 0x1FFFF7E0U, 0x411FC231U},
		{"stm32f103re", 0xE0042000U, 0x414, 512, 0x1FFFF7E0U, 0x411FC231U},
		{"stm32f030c8", 0x40015800U, 0x440, 64, 0x1FFFF7CCU, 0x410CC200U},
		{"stm32f072rb", 0x40015800U, 0x448, 128, 0x1FFFF7CCU, 0x410CC200U},
		{"stm32f303cc", 0xE0042000U, 0x422, 256, 0x1FFFF7CCU, 0x410FC241U},
		{"cks32f103c8", 0xE0042000U, 0x410, 64, 0x1FFFF7E0U, 0x412FC231U},
	};
	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		tw_f1 *t = f1_mk(rows[i].chip);
		const tw_f1_variant *v = tw_f1_variant_of(t);
		assert_int_equal(f1_rd(t, D, rows[i].idaddr, 4) & 0xFFFU, rows[i].dev);
		assert_int_equal(f1_rd(t, D, rows[i].idaddr, 4) >> 16, tw_f1_variant_rev_id(v));
		assert_int_equal(f1_rd(t, D, rows[i].fsz, 2), rows[i].kb);
		assert_int_equal(f1_rd(t, D, 0xE000ED00U, 4), rows[i].cpuid);
		assert_int_equal(tw_f1_variant_idcode_addr(v), rows[i].idaddr);
		tw_f1_free(t);
	}
	/* F0 has no DBGMCU at the F1 address */
	tw_f1 *t = f1_mk("stm32f030c8");
	uint32_t v;
	assert_int_equal(tw_f1_read(t, D, 0xE0042000U, 4, &v), TW_BUS_ERROR);
	tw_f1_free(t);
}

/* The clone answers the SW-DP/JTAG IDCODE OpenOCD's stm32f1x.cfg does not expect. */
static void test_clone_ids(void **state)
{
	(void)state;
	const tw_f1_variant *c = tw_f1_variant_find("cks32f103c8");
	const tw_f1_variant *s = tw_f1_variant_find("stm32f103c8");
	assert_true(tw_f1_variant_is_clone(c));
	assert_false(tw_f1_variant_is_clone(s));
	assert_int_equal(tw_f1_variant_dpidr(c), 0x2BA01477U);
	assert_int_equal(tw_f1_variant_jtag_idcode(c), 0x2BA01477U);
	assert_int_equal(tw_f1_variant_dpidr(s), 0x1BA01477U);
	assert_int_equal(tw_f1_variant_jtag_idcode(s), 0x3BA00477U);
	assert_int_equal(tw_f1_variant_dev_id(c), tw_f1_variant_dev_id(s));
	assert_int_equal(tw_f1_variant_jtag_idcode(tw_f1_variant_find("stm32f030c8")), 0);
	assert_int_equal(tw_f1_variant_dpidr(tw_f1_variant_find("stm32f030c8")), 0x0BB11477U);
}

/* Variant table sanity: unique names, page tiling, WRP bits cover the flash. */
static void test_variant_table(void **state)
{
	(void)state;
	unsigned n = 0;
	for (const tw_f1_variant *v; (v = tw_f1_variant_at(n)) != NULL; n++) {
		assert_ptr_equal(tw_f1_variant_find(tw_f1_variant_name(v)), v);
		uint32_t pages = tw_f1_variant_flash_bytes(v) / tw_f1_variant_page_bytes(v);
		assert_int_equal(pages * tw_f1_variant_page_bytes(v), tw_f1_variant_flash_bytes(v));
		assert_true(tw_f1_variant_bl_ram_reserved(v) < tw_f1_variant_sram_bytes(v));
		assert_true(tw_f1_variant_sysmem_base(v) < 0x1FFFF800U);
		tw_f1 *t = tw_f1_new(v); /* datasheet ranges: tPROG 40-70 us, erase 20-40 ms */
		assert_non_null(t);
		for (int max = 0; max < 2; max++) {
			tw_f1_set_timing_max(t, max != 0);
			assert_in_range(tw_f1_prog_ns(t), 40000, 70000);
			assert_in_range(tw_f1_page_erase_ns(t), 20000000U, 40000000U);
			assert_in_range(tw_f1_mass_erase_ns(t), 20000000U, 40000000U);
		}
		tw_f1_free(t);
	}
	assert_true(n >= 8);
	assert_null(tw_f1_variant_find("stm32f407"));
}

/* PM0075 §2.3.1: FLASH_CR locked at reset; KEY1 then KEY2 unlock; a wrong key is a bus error
 * and locks until the next reset. */
static void test_keys(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	assert_int_equal(f1_rd(t, D, CR, 4), CR_LOCK);
	f1_unlock(t, D);
	assert_int_equal(f1_rd(t, D, CR, 4), 0);
	f1_wr(t, D, CR, 4, CR_LOCK);
	assert_int_equal(f1_rd(t, D, CR, 4), CR_LOCK);
	/* wrong order */
	assert_int_equal(tw_f1_write(t, D, KEYR, 4, KEY2), TW_BUS_ERROR);
	assert_true(tw_f1_key_lockout(t, false));
	assert_int_equal(tw_f1_write(t, D, KEYR, 4, KEY1), TW_BUS_ERROR);
	assert_int_equal(tw_f1_write(t, D, KEYR, 4, KEY2), TW_BUS_ERROR);
	assert_int_equal(f1_rd(t, D, CR, 4) & CR_LOCK, CR_LOCK);
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_false(tw_f1_key_lockout(t, false));
	f1_unlock(t, D);
	assert_int_equal(f1_rd(t, D, CR, 4) & CR_LOCK, 0);
	/* KEYR reads as zero */
	assert_int_equal(f1_rd(t, D, KEYR, 4), 0);
	tw_f1_free(t);
}

/* OpenOCD's option sequence writes the keys again while unlocked: harmless on silicon. */
static void test_keys_while_unlocked(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_opt_unlock(t, D);
	f1_opt_unlock(t, D);
	assert_int_equal(f1_rd(t, D, CR, 4), CR_OPTWRE);
	assert_false(tw_f1_key_lockout(t, false));
	assert_false(tw_f1_key_lockout(t, true));
	/* but a wrong key is still wrong */
	assert_int_equal(tw_f1_write(t, D, KEYR, 4, 0x12345678U), TW_BUS_ERROR);
	assert_int_equal(f1_rd(t, D, CR, 4), CR_LOCK);
	tw_f1_free(t);
}

/* PM0075 §3.4: OPTWRE is set only by the OPTKEYR sequence, software can clear it; CR writes
 * are ignored while LOCK is set; LOCK cannot be cleared by a write. */
static void test_cr_bits(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_wr(t, D, CR, 4, CR_PG);
	assert_int_equal(f1_rd(t, D, CR, 4), CR_LOCK);
	f1_unlock(t, D);
	f1_wr(t, D, CR, 4, CR_OPTWRE | CR_PG);
	assert_int_equal(f1_rd(t, D, CR, 4), CR_PG);
	f1_wr(t, D, OPTKEYR, 4, KEY1);
	f1_wr(t, D, OPTKEYR, 4, KEY2);
	assert_int_equal(f1_rd(t, D, CR, 4), CR_PG | CR_OPTWRE);
	f1_wr(t, D, CR, 4, CR_PG);
	assert_int_equal(f1_rd(t, D, CR, 4), CR_PG);
	assert_int_equal(tw_f1_write(t, D, OPTKEYR, 4, KEY2), TW_BUS_ERROR);
	assert_true(tw_f1_key_lockout(t, true));
	tw_f1_free(t);
}

/* PM0075 §2.3.3: PG + half-word write programs after tPROG (DS5319 Table 28: 52.5 us typ,
 * 70 us max); the flash stalls reads meanwhile; EOP at the end; SR flags write-1-to-clear. */
static void test_program(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_unlock(t, D);
	f1_wr(t, D, CR, 4, CR_PG);
	uint64_t t0 = tw_f1_now_ns(t);
	assert_int_equal(tw_f1_write(t, D, FLASH + 0x100, 2, 0x1234), TW_OK);
	assert_int_equal(f1_rd(t, D, SR, 4), SR_BSY);
	uint32_t v;
	assert_int_equal(tw_f1_read(t, D, FLASH + 0x100, 2, &v), TW_STALL);
	assert_int_equal(tw_f1_write(t, D, FLASH + 0x102, 2, 0x5678), TW_STALL);
	assert_int_equal(tw_f1_busy_until_ns(t) - t0, 52500);
	f1_wait(t);
	assert_int_equal(f1_rd(t, D, SR, 4), SR_EOP);
	assert_int_equal(f1_rd(t, D, FLASH + 0x100, 2), 0x1234);
	assert_int_equal(f1_rd(t, D, AR, 4), FLASH + 0x100);
	f1_wr(t, D, SR, 4, SR_EOP | SR_BSY);
	assert_int_equal(f1_rd(t, D, SR, 4), 0);
	tw_f1_set_timing_max(t, true);
	t0 = tw_f1_now_ns(t);
	f1_wr(t, D, FLASH + 0x102, 2, 0x5678);
	assert_int_equal(tw_f1_busy_until_ns(t) - t0, 70000);
	tw_f1_free(t);
}

/* PM0075 §2.3.3: a non-erased target is skipped with PGERR, except when writing 0x0000. */
static void test_program_not_erased(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_unlock(t, D);
	f1_program(t, D, FLASH, 0xFF0F);
	f1_wr(t, D, SR, 4, SR_EOP);
	f1_program(t, D, FLASH, 0x0F0F); /* would only clear bits: still refused */
	assert_int_equal(f1_rd(t, D, SR, 4), SR_PGERR);
	assert_int_equal(f1_rd(t, D, FLASH, 2), 0xFF0F);
	f1_wr(t, D, SR, 4, SR_PGERR);
	f1_program(t, D, FLASH, 0x0000);
	assert_int_equal(f1_rd(t, D, SR, 4), SR_EOP);
	assert_int_equal(f1_rd(t, D, FLASH, 2), 0x0000);
	tw_f1_free(t);
}

/* Writes outside the half-word PG protocol (UNCONFIRMED: bus error, nothing programmed). */
static void test_program_bad_access(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f303cc");
	f1_unlock(t, D);
	assert_int_equal(tw_f1_write(t, D, FLASH, 2, 0x1111), TW_BUS_ERROR); /* no PG */
	f1_wr(t, D, CR, 4, CR_PG);
	assert_int_equal(tw_f1_write(t, D, FLASH, 4, 0x11111111U), TW_BUS_ERROR);
	assert_int_equal(tw_f1_write(t, D, FLASH + 1, 2, 0x1111), TW_BUS_ERROR); /* unaligned */
	assert_int_equal(f1_rd(t, D, FLASH, 4), 0xFFFFFFFFU);
	assert_int_equal(tw_f1_flash_ops(t), 0);
	tw_f1_free(t);
}

/* PM0075 §2.3.4: PER + AR + STRT erases one page (20 ms min, 40 ms max, DS5319 Table 28);
 * STRT reads 1 until BSY clears. */
static void test_page_erase(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_unlock(t, D);
	f1_program(t, D, FLASH + 0x400, 0x1111);
	f1_program(t, D, FLASH + 0x7FE, 0x2222);
	f1_program(t, D, FLASH + 0x800, 0x3333);
	f1_wr(t, D, CR, 4, CR_PER);
	f1_wr(t, D, AR, 4, FLASH + 0x500);
	uint64_t t0 = tw_f1_now_ns(t);
	f1_wr(t, D, CR, 4, CR_PER | CR_STRT);
	assert_int_equal(f1_rd(t, D, CR, 4), CR_PER | CR_STRT);
	f1_wr(t, D, AR, 4, FLASH); /* blocked while BSY */
	assert_int_equal(f1_rd(t, D, AR, 4), FLASH + 0x500);
	assert_int_equal(tw_f1_busy_until_ns(t) - t0, 20000000U);
	f1_wait(t);
	assert_int_equal(f1_rd(t, D, CR, 4), CR_PER);
	assert_int_equal(f1_rd(t, D, FLASH + 0x400, 2), 0xFFFF);
	assert_int_equal(f1_rd(t, D, FLASH + 0x7FE, 2), 0xFFFF);
	assert_int_equal(f1_rd(t, D, FLASH + 0x800, 2), 0x3333);
	assert_int_equal(f1_rd(t, D, SR, 4), SR_EOP);
	tw_f1_free(t);
}

static void test_mass_erase(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103re");
	tw_f1_set_timing_max(t, true);
	f1_unlock(t, D);
	f1_program(t, D, FLASH, 0x1111);
	f1_program(t, D, FLASH + 0x7FFFE, 0x2222);
	f1_wr(t, D, CR, 4, CR_MER);
	uint64_t t0 = tw_f1_now_ns(t);
	f1_wr(t, D, CR, 4, CR_MER | CR_STRT);
	assert_int_equal(tw_f1_busy_until_ns(t) - t0, 40000000U);
	f1_wait(t);
	assert_int_equal(f1_rd(t, D, FLASH, 2), 0xFFFF);
	assert_int_equal(f1_rd(t, D, FLASH + 0x7FFFE, 2), 0xFFFF);
	tw_f1_free(t);
}

/* PM0075 §2.4.2 / §2.5: WRPR bit i (0 = protected) covers 4 pages on medium density; a
 * program or page erase there sets WRPRTERR and does nothing. */
static void test_wrp_medium(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103cb");
	tw_f1_set_options(t, 0xA5, 0xFF, 0xFF, 0xFF, 0xFFFFFFFEU); /* WRP0 bit 0: pages 0-3 */
	assert_int_equal(f1_rd(t, D, WRPR, 4), 0xFFFFFFFEU);
	assert_true(tw_f1_page_protected(t, 3));
	assert_false(tw_f1_page_protected(t, 4));
	f1_unlock(t, D);
	f1_program(t, D, FLASH + 3 * 1024, 0x1234);
	assert_int_equal(f1_rd(t, D, SR, 4), SR_WRPRTERR);
	assert_int_equal(f1_rd(t, D, FLASH + 3 * 1024, 2), 0xFFFF);
	f1_wr(t, D, SR, 4, SR_WRPRTERR);
	f1_program(t, D, FLASH + 4 * 1024, 0x1234);
	assert_int_equal(f1_rd(t, D, SR, 4), SR_EOP);
	f1_wr(t, D, CR, 4, CR_PER);
	f1_wr(t, D, AR, 4, FLASH);
	f1_wr(t, D, CR, 4, CR_PER | CR_STRT);
	assert_int_equal(f1_rd(t, D, SR, 4) & (SR_WRPRTERR | SR_BSY), SR_WRPRTERR);
	/* UNCONFIRMED (twin/stm32f1/flash.c): any protected page refuses a mass erase */
	f1_wr(t, D, SR, 4, SR_WRPRTERR | SR_EOP);
	f1_wr(t, D, CR, 4, CR_MER);
	f1_wr(t, D, CR, 4, CR_MER | CR_STRT);
	assert_int_equal(f1_rd(t, D, SR, 4), SR_WRPRTERR);
	assert_int_equal(f1_rd(t, D, FLASH + 4 * 1024, 2), 0x1234);
	tw_f1_free(t);
}

/* High density: 2 pages per bit; WRP3 bit 7 covers pages 62-255 (PM0075 §2.5). F303xB/C:
 * pages 62-127 (RM0316 §4.3.2). F07x: 2 pages per bit (RM0091 §3.2.1). */
static void test_wrp_granularity(void **state)
{
	(void)state;
	static const struct { const char *chip; unsigned bit, first, last; } rows[] = {
		{"stm32f103re", 0, 0, 1}, {"stm32f103re", 30, 60, 61}, {"stm32f103re", 31, 62, 255},
		{"stm32f303cc", 31, 62, 127}, {"stm32f072rb", 5, 10, 11},
		{"stm32f030c8", 15, 60, 63}, {"stm32f103c8", 15, 60, 63},
	};
	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		tw_f1 *t = f1_mk(rows[i].chip);
		tw_f1_set_options(t, 0xA5, 0xFF, 0xFF, 0xFF, ~(1U << rows[i].bit));
		unsigned n = tw_f1_page_count(t);
		for (unsigned p = 0; p < n; p++)
			assert_int_equal(tw_f1_page_protected(t, p),
					 p >= rows[i].first && p <= rows[i].last);
		tw_f1_free(t);
	}
}

/* RM0091 §3.3: F030x8 has WRP0/WRP1 only; the absent bits read as not protected (UNCONFIRMED
 * value) and never protect anything. */
static void test_wrp_f030_bits(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f030c8");
	tw_f1_set_options(t, 0xAA, 0xFF, 0xFF, 0xFF, 0x0000FFFFU);
	assert_int_equal(f1_rd(t, D, WRPR, 4), 0xFFFFFFFFU);
	for (unsigned p = 0; p < tw_f1_page_count(t); p++)
		assert_false(tw_f1_page_protected(t, p));
	tw_f1_free(t);
}

/* The boot alias at 0x00000000 follows the BOOT pins latched at reset (RM0008 §3.4). */
static void test_boot_alias(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_unlock(t, U);
	f1_program(t, U, FLASH, 0xBEEF);
	assert_int_equal(f1_rd(t, U, 0, 2), 0xBEEF);
	tw_f1_set_boot(t, TW_BOOT_SRAM);
	f1_wr(t, U, 0x20000000U, 4, 0xCAFEF00DU);
	assert_int_equal(f1_rd(t, U, 0, 2), 0xBEEF); /* not before a reset */
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_int_equal(f1_rd(t, U, 0, 4), 0xCAFEF00DU);
	tw_f1_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identification),
		cmocka_unit_test(test_clone_ids),
		cmocka_unit_test(test_variant_table),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_keys_while_unlocked),
		cmocka_unit_test(test_cr_bits),
		cmocka_unit_test(test_program),
		cmocka_unit_test(test_program_not_erased),
		cmocka_unit_test(test_program_bad_access),
		cmocka_unit_test(test_page_erase),
		cmocka_unit_test(test_mass_erase),
		cmocka_unit_test(test_wrp_medium),
		cmocka_unit_test(test_wrp_granularity),
		cmocka_unit_test(test_wrp_f030_bits),
		cmocka_unit_test(test_boot_alias),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
