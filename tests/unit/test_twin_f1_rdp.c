/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/stm32f1: option bytes and protection against PM0075 §2.4-2.5 (F1) and RM0091 §3.3
 * (F0; RM0316 §4.3 F3 the same): complements and OPTERR, when the options are loaded, read
 * protection per family (what level 1 blocks, the F1's first 4 KiB, the regression's mass
 * erase, level 2 on F0/F3), power cuts that tear the option bytes, and the state image. */
#include "twin_f1_test.h"

static const uint8_t f1_l0[8] = {0xA5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
static const uint8_t f1_l1[8] = {0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/* Factory option bytes: value/complement pairs at 0x1FFFF800 (PM0075 §2.5 Table 4,
 * RM0091 §3.3 Table 11). */
static void test_factory_options(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	assert_int_equal(f1_rd(t, D, OPTB, 4), 0x00FF5AA5U);
	assert_int_equal(f1_rd(t, D, OPTB + 8, 4), 0x00FF00FFU);
	assert_int_equal(tw_f1_rdp_level(t), 0);
	/* F1 OBR: OPTERR 0, RDPRT 0, USER [9:2], Data0 [17:10], Data1 [25:18] */
	assert_int_equal(f1_rd(t, D, OBR, 4), 0x03FFFFFCU);
	assert_int_equal(f1_rd(t, D, WRPR, 4), 0xFFFFFFFFU);
	tw_f1_free(t);
	t = f1_mk("stm32f030c8");
	assert_int_equal(f1_rd(t, D, OPTB, 2), 0x55AA);
	/* F0 OBR: RDPRT [2:1] = 00, USER [15:8], Data0 [23:16], Data1 [31:24] */
	assert_int_equal(f1_rd(t, D, OBR, 4), 0xFFFFFF00U);
	tw_f1_free(t);
}

/* PM0075 §2.5: options erase and program; the loaded values (OBR/WRPR) change only at the
 * next load, which on the F1 is any system reset. The stored complement is computed. */
static void test_f1_options_reload(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_opt_erase(t, D);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(tw_f1_peek(t, OPTB + i), 0xFF);
	uint8_t v[8] = {0xA5, 0xFE, 0x12, 0x34, 0xFE, 0xFF, 0xFF, 0x7F};
	f1_opt_write(t, D, v);
	assert_int_equal(f1_rd(t, D, OPTB + 2, 2), 0x01FE);
	assert_int_equal(f1_rd(t, D, OBR, 4), 0x03FFFFFCU); /* not loaded yet */
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_int_equal(f1_rd(t, D, OBR, 4), (0x34U << 18) | (0x12U << 10) | (0xFEU << 2));
	assert_int_equal(f1_rd(t, D, WRPR, 4), 0x7FFFFFFEU);
	assert_false(tw_f1_opterr(t));
	tw_f1_free(t);
}

/* A write to an option that is not erased is refused (UNCONFIRMED: PGERR as main flash);
 * without OPTWRE option programming is refused. */
static void test_options_refusals(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_opt_unlock(t, D);
	f1_wr(t, D, CR, 4, CR_OPTPG | CR_OPTWRE);
	f1_wr(t, D, OPTB + 2, 2, 0xFE);
	assert_int_equal(f1_rd(t, D, SR, 4), SR_PGERR);
	assert_int_equal(f1_rd(t, D, OPTB + 2, 2), 0x00FF);
	f1_wr(t, D, SR, 4, SR_PGERR);
	f1_wr(t, D, CR, 4, CR_OPTPG); /* OPTWRE cleared by software */
	f1_wr(t, D, CR, 4, CR_OPTER | CR_STRT);
	assert_int_equal(f1_rd(t, D, SR, 4), SR_PGERR);
	assert_int_equal(f1_rd(t, D, OPTB, 2), 0x5AA5);
	tw_f1_free(t);
}

/* PM0075 §2.4.1: OpenOCD's "stm32f1x lock" (erase options, RDP 0x00) gives level 1 at the
 * next reset: the debugger and the bootloader cannot read flash; the option bytes stay
 * readable; user code booted from flash reads it (after a POR forgets the debugger). */
static void test_f1_level1_reads(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_unlock(t, U);
	f1_program(t, U, FLASH + 0x1000, 0xC0DE);
	f1_opt_erase(t, D);
	f1_opt_write(t, D, f1_l1);
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_int_equal(tw_f1_rdp_level(t), 1);
	assert_int_equal(f1_rd(t, D, OBR, 4) & 3U, 2U); /* RDPRT */
	uint32_t v;
	assert_int_equal(tw_f1_read(t, D, FLASH + 0x1000, 2, &v), TW_BUS_ERROR);
	assert_int_equal(tw_f1_read(t, B, FLASH + 0x1000, 2, &v), TW_BUS_ERROR);
	assert_int_equal(f1_rd(t, D, OPTB, 2), 0xFF00);
	assert_int_equal(f1_rd(t, D, 0x1FFFF7E0U, 2), 64);
	/* the debugger was here: user code is restricted too until a power-on reset */
	assert_int_equal(tw_f1_read(t, U, FLASH + 0x1000, 2, &v), TW_BUS_ERROR);
	tw_f1_power_off(t);
	tw_f1_power_on(t);
	assert_false(tw_f1_intrusion(t));
	assert_int_equal(f1_rd(t, U, FLASH + 0x1000, 2), 0xC0DE);
	/* booted from SRAM, user code is restricted as well */
	tw_f1_set_boot(t, TW_BOOT_SRAM);
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_int_equal(tw_f1_read(t, U, FLASH + 0x1000, 2, &v), TW_BUS_ERROR);
	tw_f1_free(t);
}

/* PM0075 §2.4.1: at level 1 the first 4 KiB are write-protected for everyone (pages 0-3
 * medium density, 0-1 high density); from the debugger no page can be programmed or erased
 * (UNCONFIRMED flag: WRPRTERR), but a mass erase is allowed. */
static void test_f1_level1_writes(void **state)
{
	(void)state;
	static const struct { const char *chip; unsigned page_bytes; } rows[] = {
		{"stm32f103c8", 1024}, {"stm32f103re", 2048}};
	for (unsigned i = 0; i < 2; i++) {
		tw_f1 *t = f1_mk(rows[i].chip);
		tw_f1_set_options(t, 0x00, 0xFF, 0xFF, 0xFF, 0xFFFFFFFFU);
		unsigned first_free = 4096U / rows[i].page_bytes;
		assert_true(tw_f1_page_protected(t, first_free - 1));
		assert_false(tw_f1_page_protected(t, first_free));
		f1_unlock(t, U);
		f1_program(t, U, FLASH + 0xFFE, 0x1234);
		assert_int_equal(f1_rd(t, U, SR, 4), SR_WRPRTERR);
		f1_wr(t, U, SR, 4, SR_WRPRTERR);
		f1_program(t, U, FLASH + 0x1000, 0x1234);
		assert_int_equal(f1_rd(t, U, SR, 4), SR_EOP);
		assert_int_equal(f1_rd(t, U, FLASH + 0x1000, 2), 0x1234);
		/* the debugger: refused everywhere, except the mass erase */
		f1_unlock(t, D);
		f1_program(t, D, FLASH + 0x2000, 0x5678);
		assert_int_equal(f1_rd(t, D, SR, 4), SR_EOP | SR_WRPRTERR);
		f1_wr(t, D, CR, 4, CR_MER);
		f1_wr(t, D, CR, 4, CR_MER | CR_STRT);
		f1_wait(t);
		assert_int_equal(tw_f1_peek(t, FLASH + 0x1000), 0xFF);
		assert_int_equal(tw_f1_rdp_level(t), 1); /* a mass erase leaves RDP alone */
		tw_f1_free(t);
	}
}

/* PM0075 §2.4.1: programming RDP 0xA5 while level 1 is in force mass-erases the main flash
 * first; level 0 follows at the next reset. At level 0, rewriting 0xA5 (OpenOCD's
 * options_write path) erases nothing. */
static void test_f1_regression(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_unlock(t, U);
	f1_program(t, U, FLASH + 0x2000, 0xAAAA);
	f1_opt_erase(t, D);
	f1_opt_write(t, D, f1_l0);
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_int_equal(tw_f1_peek(t, FLASH + 0x2000), 0xAA);
	f1_opt_erase(t, D);
	f1_opt_write(t, D, f1_l1);
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_int_equal(tw_f1_peek(t, FLASH + 0x2000), 0xAA);
	f1_opt_erase(t, D);
	f1_opt_unlock(t, D);
	f1_wr(t, D, CR, 4, CR_OPTPG | CR_OPTWRE);
	uint64_t t0 = tw_f1_now_ns(t);
	f1_wr(t, D, OPTB, 2, 0xA5);
	assert_int_equal(tw_f1_busy_until_ns(t) - t0, tw_f1_mass_erase_ns(t) + tw_f1_prog_ns(t));
	f1_wait(t);
	assert_int_equal(tw_f1_peek(t, FLASH + 0x2000), 0xFF);
	assert_int_equal(tw_f1_rdp_level(t), 1); /* until the reload */
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_int_equal(tw_f1_rdp_level(t), 0);
	assert_int_equal(f1_rd(t, D, FLASH + 0x2000, 2), 0xFFFF);
	tw_f1_free(t);
}

/* PM0075 §2.5: a complement mismatch sets OPTERR and forces that option to 0xFF; both bytes
 * erased is no mismatch (RM0316 §4.4). */
static void test_opterr(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	tw_f1_poke(t, OPTB + 3, 0x12); /* USER 0xFF with complement 0x12 */
	tw_f1_poke(t, OPTB + 8, 0xFE); /* WRP0 0xFE with complement 0x00: also bad */
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_true(tw_f1_opterr(t));
	assert_int_equal(f1_rd(t, D, OBR, 4) & 1U, 1U);
	assert_int_equal((f1_rd(t, D, OBR, 4) >> 2) & 0xFFU, 0xFF);
	assert_int_equal(f1_rd(t, D, WRPR, 4), 0xFFFFFFFFU);
	assert_int_equal(tw_f1_rdp_level(t), 0);
	/* a bad RDP complement means level 1 */
	tw_f1_poke(t, OPTB + 1, 0x00);
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_int_equal(tw_f1_rdp_level(t), 1);
	/* erased options: no OPTERR, level 1 */
	for (unsigned i = 0; i < 16; i++)
		tw_f1_poke(t, OPTB + i, 0xFF);
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_false(tw_f1_opterr(t));
	assert_int_equal(tw_f1_rdp_level(t), 1);
	tw_f1_free(t);
}

/* Power lost halfway through an option erase: every cell half erased, no pair matches its
 * complement any more: OPTERR and level 1 at the next load. Halfway through an option program: the complement is
 * missing. */
static void test_torn_options(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_opt_unlock(t, D);
	f1_wr(t, D, CR, 4, CR_OPTER | CR_OPTWRE);
	tw_f1_fault_power_at_op(t, 1);
	f1_wr(t, D, CR, 4, CR_OPTER | CR_STRT | CR_OPTWRE);
	tw_f1_advance(t, 50000000U);
	assert_false(tw_f1_powered(t));
	uint32_t v;
	assert_int_equal(tw_f1_read(t, D, OBR, 4, &v), TW_POWER_OFF);
	tw_f1_power_on(t);
	assert_true(tw_f1_opterr(t));
	assert_int_equal(tw_f1_rdp_level(t), 1);
	/* the torn option program */
	f1_opt_erase(t, D);
	f1_opt_unlock(t, D);
	f1_wr(t, D, CR, 4, CR_OPTPG | CR_OPTWRE);
	tw_f1_fault_power_at_op(t, 1);
	assert_int_equal(tw_f1_write(t, D, OPTB + 2, 2, 0xFE), TW_OK);
	tw_f1_advance(t, 1000000U);
	tw_f1_power_on(t);
	assert_int_equal(tw_f1_peek(t, OPTB + 2), 0xFE);
	assert_int_equal(tw_f1_peek(t, OPTB + 3), 0xFF);
	assert_true(tw_f1_opterr(t));
	tw_f1_free(t);
}

/* A power cut during a program leaves only part of the half-word; during a page erase, part
 * of the page (UNCONFIRMED partial effects, flash.c). */
static void test_torn_flash(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_unlock(t, U);
	f1_wr(t, U, CR, 4, CR_PG);
	tw_f1_fault_power_at_op(t, 1);
	f1_wr(t, U, FLASH + 0x10, 2, 0x0000);
	tw_f1_advance(t, 1000000U);
	tw_f1_power_on(t);
	assert_int_equal(tw_f1_peek(t, FLASH + 0x10), 0x00);
	assert_int_equal(tw_f1_peek(t, FLASH + 0x11), 0xFF);
	f1_unlock(t, U);
	f1_program(t, U, FLASH + 0x3FE, 0x0000);
	f1_wr(t, U, CR, 4, CR_PER);
	f1_wr(t, U, AR, 4, FLASH);
	tw_f1_fault_power_at_op(t, 1);
	f1_wr(t, U, CR, 4, CR_PER | CR_STRT);
	tw_f1_advance(t, 100000000U);
	tw_f1_power_on(t);
	assert_int_equal(tw_f1_peek(t, FLASH + 0x10), 0xFF);  /* first half erased */
	assert_int_equal(tw_f1_peek(t, FLASH + 0x3FE), 0x00); /* second half not */
	tw_f1_free(t);
}

/* RM0091 §3.3 / §3.5.5: the F0 loads its options at a POR or on OBL_LAUNCH (which resets the
 * chip), not at an NRST or SYSRESETREQ reset. */
static void test_f0_reload(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f030c8");
	f1_opt_erase(t, D);
	uint8_t v[8] = {0xAA, 0xEF, 0x01, 0x02, 0xFE, 0xFF, 0xFF, 0xFF};
	f1_opt_write(t, D, v);
	tw_f1_set_nrst(t, true);
	tw_f1_set_nrst(t, false);
	assert_int_equal(f1_rd(t, D, WRPR, 4), 0xFFFFFFFFU);
	unsigned resets = tw_f1_reset_count(t);
	f1_unlock(t, D);
	f1_wr(t, D, CR, 4, CR_OBL_LAUNCH);
	assert_int_equal(tw_f1_reset_count(t), resets + 1);
	assert_int_equal(f1_rd(t, D, WRPR, 4), 0xFFFFFFFEU);
	assert_int_equal(f1_rd(t, D, OBR, 4), 0x0201EF00U);
	assert_int_equal(f1_rd(t, D, CR, 4), CR_LOCK);
	/* OBL_LAUNCH needs an unlocked FLASH_CR; on the F1 the bit does nothing */
	tw_f1_free(t);
	t = f1_mk("stm32f103c8");
	f1_unlock(t, D);
	resets = tw_f1_reset_count(t);
	f1_wr(t, D, CR, 4, CR_OBL_LAUNCH);
	assert_int_equal(tw_f1_reset_count(t), resets);
	tw_f1_free(t);
}

/* RM0091 §3.3.1 Table 10: F0 level 1 refuses program and every erase from the debugger with
 * PGERR; writing 0xAA to RDP at level 1 mass-erases; OBR RDPRT = 01. */
static void test_f0_level1(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f072rb");
	tw_f1_poke(t, FLASH + 0x4000, 0x42);
	tw_f1_set_options(t, 0xBB, 0xFF, 0xFF, 0xFF, 0xFFFFFFFFU);
	assert_int_equal(tw_f1_rdp_level(t), 1);
	assert_int_equal(f1_rd(t, D, OBR, 4) & 6U, 2U);
	f1_unlock(t, D);
	f1_program(t, D, FLASH + 0x8000, 0x1234);
	assert_int_equal(f1_rd(t, D, SR, 4), SR_PGERR);
	f1_wr(t, D, CR, 4, CR_MER);
	f1_wr(t, D, CR, 4, CR_MER | CR_STRT);
	assert_int_equal(f1_rd(t, D, SR, 4), SR_PGERR);
	assert_int_equal(tw_f1_peek(t, FLASH + 0x4000), 0x42);
	f1_wr(t, D, SR, 4, SR_PGERR);
	f1_opt_erase(t, D);
	uint8_t v[8] = {0xAA, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
	f1_opt_write(t, D, v);
	assert_int_equal(tw_f1_peek(t, FLASH + 0x4000), 0xFF);
	tw_f1_power_off(t);
	tw_f1_power_on(t);
	assert_int_equal(tw_f1_rdp_level(t), 0);
	tw_f1_free(t);
}

/* RM0091 §3.3.1: level 2 (0xCC) disables the debug port, boot from RAM and the bootloader;
 * the option bytes can no longer be changed; a POR keeps it. */
static void test_f0_level2(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f303cc");
	f1_opt_erase(t, D);
	uint8_t v[8] = {0xCC, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
	f1_opt_write(t, D, v);
	f1_unlock(t, D);
	tw_f1_set_boot(t, TW_BOOT_SYSMEM);
	f1_wr(t, D, CR, 4, CR_OBL_LAUNCH);
	assert_int_equal(tw_f1_rdp_level(t), 2);
	assert_false(tw_f1_debug_reachable(t));
	assert_false(tw_f1_bootloader_available(t));
	uint32_t r;
	assert_int_equal(tw_f1_read(t, D, 0xE0042000U, 4, &r), TW_BUS_ERROR);
	assert_int_equal(tw_f1_read(t, B, OPTB, 2, &r), TW_BUS_ERROR);
	/* the boot pins ask for the bootloader; level 2 boots from flash, where user code
	 * reads its own flash once a POR has forgotten the debugger */
	assert_int_equal(tw_f1_read(t, U, 0, 2, &r), TW_BUS_ERROR);
	tw_f1_power_off(t);
	tw_f1_power_on(t);
	assert_int_equal(f1_rd(t, U, 0, 2), 0xFFFF);
	assert_int_equal(f1_rd(t, U, OBR, 4) & 6U, 6U);
	/* user code cannot erase or program the options any more */
	f1_opt_unlock(t, U);
	f1_wr(t, U, CR, 4, CR_OPTER | CR_OPTWRE);
	f1_wr(t, U, CR, 4, CR_OPTER | CR_STRT | CR_OPTWRE);
	assert_int_equal(f1_rd(t, U, SR, 4), SR_WRPRTERR);
	assert_int_equal(f1_rd(t, U, OPTB, 2), 0x33CC);
	tw_f1_power_off(t);
	tw_f1_power_on(t);
	assert_int_equal(tw_f1_rdp_level(t), 2);
	tw_f1_free(t);
}

/* On the F1 0xCC is just another level-1 value. */
static void test_f1_no_level2(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	tw_f1_set_options(t, 0xCC, 0xFF, 0xFF, 0xFF, 0xFFFFFFFFU);
	assert_int_equal(tw_f1_rdp_level(t), 1);
	assert_true(tw_f1_debug_reachable(t));
	assert_true(tw_f1_bootloader_available(t));
	tw_f1_free(t);
}

/* The state image round-trips every field and refuses damaged images with the reason. */
static void test_state_roundtrip(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f303cc");
	f1_unlock(t, D);
	f1_program(t, D, FLASH + 0x100, 0xA55A);
	f1_wr(t, D, CR, 4, CR_PG);
	f1_wr(t, D, FLASH + 0x200, 2, 0x1234); /* left in progress */
	tw_f1_set_boot(t, TW_BOOT_SYSMEM);
	uint8_t *buf, *buf2;
	size_t len, len2;
	assert_int_equal(tw_f1_save_buffer(t, &buf, &len), 0);
	assert_true(tw_f1_is_state_image(buf, len));
	fk_ctx *ctx = fk_ctx_new();
	tw_f1 *u;
	assert_int_equal(tw_f1_load_buffer(ctx, "x", buf, len, &u), 0);
	assert_int_equal(tw_f1_save_buffer(u, &buf2, &len2), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(buf, buf2, len);
	assert_true(tw_f1_busy(u));
	f1_wait(u);
	assert_int_equal(f1_rd(u, D, FLASH + 0x200, 2), 0x1234);
	assert_int_equal(tw_f1_boot(u), TW_BOOT_SYSMEM);
	tw_f1_free(u);
	/* damage: truncated, magic, variant, an enum */
	assert_int_equal(tw_f1_load_buffer(ctx, "x", buf, len - 1, &u), FK_E_BAD_FILE);
	buf2[0] = 'X';
	assert_int_equal(tw_f1_load_buffer(ctx, "x", buf2, len, &u), FK_E_BAD_FILE);
	memcpy(buf2, buf, len);
	buf2[16] = 'q';
	assert_int_equal(tw_f1_load_buffer(ctx, "x", buf2, len, &u), FK_E_BAD_FILE);
	char msg[256];
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "unknown part name"));
	assert_null(u);
	free(buf);
	free(buf2);
	fk_ctx_free(ctx);
	tw_f1_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_factory_options),
		cmocka_unit_test(test_f1_options_reload),
		cmocka_unit_test(test_options_refusals),
		cmocka_unit_test(test_f1_level1_reads),
		cmocka_unit_test(test_f1_level1_writes),
		cmocka_unit_test(test_f1_regression),
		cmocka_unit_test(test_opterr),
		cmocka_unit_test(test_torn_options),
		cmocka_unit_test(test_torn_flash),
		cmocka_unit_test(test_f0_reload),
		cmocka_unit_test(test_f0_level1),
		cmocka_unit_test(test_f0_level2),
		cmocka_unit_test(test_f1_no_level2),
		cmocka_unit_test(test_state_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
