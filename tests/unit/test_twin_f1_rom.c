/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/stm32f1/rom: the STM32F0/F1/F3 bootloader's memory side against AN3155 Rev 20 (command
 * set per version, areas per command, protect/unprotect) driving the chip model as the
 * bootloader initiator: protection comes from the model (PM0075, RM0091). */
#include "twin_f1_test.h"

#include "stm32f1/rom.h"

static void test_personality(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_rom r;
	f1_rom_init(&r, t);
	uint8_t c[16];
	assert_int_equal(f1_rom_version(&r), 0x22);
	assert_int_equal(f1_rom_pid(&r), 0x410);
	assert_int_equal(f1_rom_commands(&r, c), 11);
	static const uint8_t v22[11] = {0x00, 0x01, 0x02, 0x11, 0x21, 0x31,
					0x43, 0x63, 0x73, 0x82, 0x92};
	assert_memory_equal(c, v22, 11);
	assert_false(f1_rom_has_command(&r, 0x44));
	assert_false(f1_rom_resets_after_options(&r));
	tw_f1_free(t);
	t = f1_mk("stm32f303cc");
	f1_rom_init(&r, t);
	assert_int_equal(f1_rom_version(&r), 0x31);
	assert_int_equal(f1_rom_pid(&r), 0x422);
	assert_true(f1_rom_has_command(&r, 0x44));
	assert_false(f1_rom_has_command(&r, 0x43));
	assert_true(f1_rom_resets_after_options(&r));
	tw_f1_free(t);
}

/* AN3155 §3.4-3.6, Table 3 V2.2: the bootloader's own RAM (512 bytes on F10x) is refused. */
static void test_areas(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_rom r;
	f1_rom_init(&r, t);
	assert_false(f1_rom_readable(&r, 0x20000000U, 4));
	assert_true(f1_rom_readable(&r, 0x20000200U, 256));
	assert_false(f1_rom_readable(&r, 0x20004F00U, 0x200)); /* past the 20 KiB */
	assert_true(f1_rom_readable(&r, 0x1FFFF7E0U, 2));
	assert_true(f1_rom_readable(&r, 0x1FFFF800U, 16));
	assert_false(f1_rom_readable(&r, 0x1FFFF800U, 17));
	assert_true(f1_rom_readable(&r, 0x0800FF00U, 256));
	assert_false(f1_rom_readable(&r, 0x0800FF00U, 257));
	assert_true(f1_rom_writable(&r, 0x1FFFF800U, 16));
	assert_false(f1_rom_writable(&r, 0x1FFFF802U, 2));
	assert_false(f1_rom_writable(&r, 0x1FFFF000U, 4));
	assert_true(f1_rom_go_ok(&r, 0x08000000U));
	assert_true(f1_rom_go_ok(&r, 0x20000200U));
	assert_false(f1_rom_go_ok(&r, 0x1FFFF000U));
	tw_f1_free(t);
}

static void test_write_erase(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_rom r;
	f1_rom_init(&r, t);
	uint8_t d[8] = {1, 2, 3, 4, 5, 6, 7, 8}, back[8];
	uint64_t t0 = tw_f1_now_ns(t);
	assert_int_equal(f1_rom_write(&r, 0x08000400U, d, 8), 0);
	assert_true(tw_f1_now_ns(t) - t0 >= 4 * tw_f1_prog_ns(t));
	f1_rom_read(&r, 0x08000400U, back, 8);
	assert_memory_equal(d, back, 8);
	assert_int_equal(f1_rd(t, D, CR, 4), CR_LOCK); /* the ROM locks again */
	/* over programmed cells: PGERR, NACK */
	uint8_t e[4] = {0x11, 0x11, 0x11, 0x11};
	assert_int_equal(f1_rom_write(&r, 0x08000400U, e, 4), -1);
	uint16_t pages[2] = {1, 63};
	assert_int_equal(f1_rom_erase_pages(&r, pages, 2), 0);
	assert_int_equal(tw_f1_peek(t, 0x08000400U), 0xFF);
	uint16_t bad = 64;
	assert_int_equal(f1_rom_erase_pages(&r, &bad, 1), -1);
	assert_int_equal(f1_rom_write(&r, 0x08000000U, d, 8), 0);
	assert_int_equal(f1_rom_mass_erase(&r), 0);
	assert_int_equal(tw_f1_peek(t, 0x08000000U), 0xFF);
	tw_f1_free(t);
}

/* AN3155 §3.9-3.10: Write Protect replaces the list of protected groups and keeps RDP/USER;
 * "no error is returned" when writing protected pages; Write Unprotect clears them all. F1:
 * no reset by the ROM, the options load at the next reset. */
static void test_write_protect(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	tw_f1_set_options(t, 0xA5, 0xFE, 0x12, 0xFF, 0xFFFFFFFFU);
	f1_rom r;
	f1_rom_init(&r, t);
	uint8_t groups[2] = {0, 2};
	assert_int_equal(f1_rom_write_protect(&r, groups, 2), 0);
	f1_rom_after_option_change(&r);
	assert_int_equal(tw_f1_wrpr(t), 0xFFFFFFFFU); /* not loaded yet on F1 */
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_int_equal(tw_f1_wrpr(t), 0xFFFFFFFAU);
	assert_int_equal((tw_f1_reg(t, OBR) >> 2) & 0xFFU, 0xFE);
	assert_int_equal((tw_f1_reg(t, OBR) >> 10) & 0xFFU, 0x12);
	uint8_t d[4] = {0, 0, 0, 0};
	assert_int_equal(f1_rom_write(&r, 0x08000800U, d, 4), 0); /* page 2: group 0 */
	assert_int_equal(tw_f1_peek(t, 0x08000800U), 0xFF);
	assert_int_equal(f1_rom_write_unprotect(&r), 0);
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_int_equal(tw_f1_wrpr(t), 0xFFFFFFFFU);
	tw_f1_free(t);
}

/* AN3155 §3.11-3.12: Readout Protect, then Readout Unprotect clears RAM and flash and
 * removes RDP (the option bytes other than RDP stay erased). */
static void test_readout(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_rom r;
	f1_rom_init(&r, t);
	uint8_t d[4] = {0xDE, 0xAD, 0xBE, 0xEF};
	assert_int_equal(f1_rom_write(&r, 0x08001000U, d, 4), 0);
	assert_int_equal(f1_rom_write(&r, 0x20000400U, d, 4), 0);
	assert_int_equal(f1_rom_readout_protect(&r), 0);
	assert_false(f1_rom_rdp_active(&r));
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_true(f1_rom_rdp_active(&r));
	uint32_t v;
	assert_int_equal(tw_f1_read(t, B, 0x08001000U, 4, &v), TW_BUS_ERROR);
	assert_int_equal(f1_rom_readout_unprotect(&r), 0);
	assert_int_equal(tw_f1_peek(t, 0x08001000U), 0xFF);
	assert_int_equal(tw_f1_peek(t, 0x20000400U), 0x00);
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_false(f1_rom_rdp_active(&r));
	assert_int_equal(f1_rd(t, B, 0x08001000U, 4), 0xFFFFFFFFU);
	/* at level 0 the ROM mass-erases itself */
	assert_int_equal(f1_rom_write(&r, 0x08001000U, d, 4), 0);
	assert_int_equal(f1_rom_readout_unprotect(&r), 0);
	assert_int_equal(tw_f1_peek(t, 0x08001000U), 0xFF);
	tw_f1_free(t);
}

/* F0/F3: the ROM resets through OBL_LAUNCH, so the new options are in force at once. */
static void test_f0_reload(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f030c8");
	f1_rom r;
	f1_rom_init(&r, t);
	unsigned resets = tw_f1_reset_count(t);
	assert_int_equal(f1_rom_readout_protect(&r), 0);
	f1_rom_after_option_change(&r);
	assert_int_equal(tw_f1_reset_count(t), resets + 1);
	assert_int_equal(tw_f1_rdp_level(t), 1);
	assert_int_equal(tw_f1_rdp_byte(t), 0xBB);
	assert_int_equal(f1_rom_readout_unprotect(&r), 0);
	f1_rom_after_option_change(&r);
	assert_int_equal(tw_f1_rdp_level(t), 0);
	tw_f1_free(t);
}

/* AN3155 §3.6: Write Memory to the option area erases it and writes the values sent. */
static void test_write_options(void **state)
{
	(void)state;
	tw_f1 *t = f1_mk("stm32f103c8");
	f1_rom r;
	f1_rom_init(&r, t);
	uint8_t img[16] = {0xA5, 0x5A, 0xFB, 0x04, 0x33, 0xCC, 0xFF, 0xFF,
			   0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0x7F, 0x80};
	assert_int_equal(f1_rom_write(&r, 0x1FFFF800U, img, 16), 0);
	tw_f1_reset(t, TW_RESET_SYSTEM);
	assert_false(tw_f1_opterr(t));
	assert_int_equal((tw_f1_reg(t, OBR) >> 2) & 0xFFU, 0xFB);
	assert_int_equal((tw_f1_reg(t, OBR) >> 10) & 0xFFU, 0x33);
	assert_int_equal((tw_f1_reg(t, OBR) >> 18) & 0xFFU, 0xFF); /* left erased */
	assert_int_equal(tw_f1_wrpr(t), 0x7FFFFFFFU);
	tw_f1_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_personality),
		cmocka_unit_test(test_areas),
		cmocka_unit_test(test_write_erase),
		cmocka_unit_test(test_write_protect),
		cmocka_unit_test(test_readout),
		cmocka_unit_test(test_f0_reload),
		cmocka_unit_test(test_write_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
