/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/devices/stm32f4: the device table against RM0090 §3.3 Tables 5-10 and §3.9.10/3.9.11:
 * sectors tile each flash size exactly, IDs are unique, sector sizes are powers of two,
 * bank-2 SNB encoding, F413 shared nWRP bit, revisions, and fail-closed sizes. */
#include "fk_test.h"

#include "devices/stm32f4.h"

static int is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static void check_tiling(const stm32f4_device *d, uint32_t kb, int db1m)
{
	stm32f4_sector s[STM32F4_MAX_SECTORS];
	unsigned n = stm32f4_dev_layout(d, kb, db1m, s, STM32F4_MAX_SECTORS);
	assert_true(n > 0);
	uint32_t next = STM32F4_FLASH_BASE;
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(s[i].addr, next);
		assert_true(is_pow2(s[i].size));
		assert_int_equal(s[i].addr % s[i].size, 0);
		assert_true(s[i].wrp_bit < d->nwrp_bits);
		next += s[i].size;
	}
	assert_int_equal(next - STM32F4_FLASH_BASE, kb * 1024u);
}

static void test_every_row_tiles(void **state)
{
	(void)state;
	for (unsigned i = 0; stm32f4_dev_at(i); i++) {
		const stm32f4_device *d = stm32f4_dev_at(i);
		check_tiling(d, d->max_kb, 0);
		for (unsigned j = i + 1; stm32f4_dev_at(j); j++)
			assert_int_not_equal(d->dev_id, stm32f4_dev_at(j)->dev_id);
		assert_ptr_equal(stm32f4_dev_find(d->dev_id), d);
	}
}

static void test_f407_map(void **state)
{
	(void)state;
	const stm32f4_device *d = stm32f4_dev_find(0x413);
	stm32f4_sector s[STM32F4_MAX_SECTORS];
	assert_non_null(d);
	assert_int_equal(stm32f4_dev_layout(d, 1024, 0, s, STM32F4_MAX_SECTORS), 12);
	assert_int_equal(s[4].addr, 0x08010000);
	assert_int_equal(s[4].size, 0x10000);
	assert_int_equal(s[5].addr, 0x08020000);
	assert_int_equal(s[11].addr, 0x080E0000);
	assert_int_equal(stm32f4_dev_layout(d, 512, 0, s, STM32F4_MAX_SECTORS), 8);
	assert_true(stm32f4_dev_matches(d, "STM32F407"));
	assert_false(stm32f4_dev_matches(d, "stm32f40"));
	assert_string_equal(stm32f4_dev_revision(d, 0x1007), "2");
}

static void test_f429_dual_bank(void **state)
{
	(void)state;
	const stm32f4_device *d = stm32f4_dev_find(0x419);
	stm32f4_sector s[STM32F4_MAX_SECTORS];
	assert_int_equal(stm32f4_dev_layout(d, 2048, 0, s, STM32F4_MAX_SECTORS), 24);
	assert_int_equal(s[12].number, 12);
	assert_int_equal(s[12].addr, 0x08100000);
	assert_int_equal(s[12].snb, 0x10);
	assert_int_equal(s[23].snb, 0x1B);
	assert_int_equal(s[16].addr, 0x08110000);
	/* 1 MB with DB1M: bank 2 = sectors 12-19 at 0x08080000 (RM0090 Table 7) */
	assert_int_equal(stm32f4_dev_layout(d, 1024, 1, s, STM32F4_MAX_SECTORS), 16);
	assert_int_equal(s[8].number, 12);
	assert_int_equal(s[8].addr, 0x08080000);
	assert_int_equal(s[13].addr, 0x080A0000);
	check_tiling(d, 1024, 1);
	check_tiling(d, 1024, 0);
	assert_string_equal(stm32f4_dev_revision(d, 0x2001), "3");
}

static void test_f413_shared_wrp(void **state)
{
	(void)state;
	const stm32f4_device *d = stm32f4_dev_find(0x463);
	stm32f4_sector s[STM32F4_MAX_SECTORS];
	assert_int_equal(stm32f4_dev_layout(d, 1536, 0, s, STM32F4_MAX_SECTORS), 16);
	assert_int_equal(s[14].wrp_bit, 14);
	assert_int_equal(s[15].wrp_bit, 14);
}

static void test_fail_closed(void **state)
{
	(void)state;
	stm32f4_sector s[STM32F4_MAX_SECTORS];
	const stm32f4_device *f411 = stm32f4_dev_find(0x431);
	assert_null(stm32f4_dev_find(0x411)); /* F2: not an F4 row */
	assert_null(stm32f4_dev_find(0x000));
	assert_int_equal(stm32f4_dev_layout(f411, 1024, 0, s, STM32F4_MAX_SECTORS), 0);
	assert_int_equal(stm32f4_dev_layout(f411, 200, 0, s, STM32F4_MAX_SECTORS), 0);
	assert_int_equal(stm32f4_dev_layout(f411, 0, 0, s, STM32F4_MAX_SECTORS), 0);
	assert_int_equal(stm32f4_dev_layout(f411, 512, 0, s, 4), 0); /* no room: no partial map */
	assert_string_equal(stm32f4_dev_revision(f411, 0x2000), "B");
	assert_string_equal(stm32f4_dev_revision(f411, 0x1234), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row_tiles), cmocka_unit_test(test_f407_map),
		cmocka_unit_test(test_f429_dual_bank), cmocka_unit_test(test_f413_shared_wrp),
		cmocka_unit_test(test_fail_closed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
