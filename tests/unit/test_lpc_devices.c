/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/devices/lpc.c: every part's sectors tile its flash from 0 without gaps (UM10360 Table 568:
 * 16 x 4 KiB then 14 x 32 KiB on the LPC1768; UM10601: 16 x 1 KiB on the LPC812), the RAM
 * buffer lies in SRAM at the CRP1 floor with room for the largest copy, part IDs and names
 * resolve, and only the four CRP patterns of UM10360 §32.6 select a level. */
#include "fk_test.h"

#include "devices/lpc.h"

static void test_layout_tiles(void **state)
{
	(void)state;
	const uint32_t ids[] = {0x26013F37U, 0x26113F37U, 0x25013F37U, 0x00008120U, 0x00008121U,
				0x00008122U};
	for (unsigned k = 0; k < sizeof ids / sizeof ids[0]; k++) {
		const lpc_device *d = lpc_dev_find(ids[k]);
		assert_non_null(d);
		uint32_t at = 0;
		for (unsigned s = 0; s < lpc_dev_nsectors(d); s++) {
			assert_int_equal(lpc_dev_sector_addr(d, s), at);
			at += lpc_dev_sector_size(d, s);
		}
		assert_int_equal(at, d->flash_bytes);
		assert_true(d->ram_buf >= d->ram_base);
		assert_true(d->ram_buf + d->copy_max <= d->ram_base + d->ram_bytes);
	}
	const lpc_device *d = lpc_dev_find(0x26013F37U);
	assert_int_equal(lpc_dev_nsectors(d), 30);
	assert_int_equal(lpc_dev_sector_addr(d, 16), 0x10000);
	assert_int_equal(lpc_dev_sector_size(d, 29), 32768);
	assert_int_equal(lpc_dev_nsectors(lpc_dev_find(0x00008122U)), 16);
	assert_null(lpc_dev_find(0x12345678U));
	assert_ptr_equal(lpc_dev_by_name("LPC1768"), d);
	assert_string_equal(lpc_dev_by_name("lpc8xx")->name, "lpc812");
	assert_null(lpc_dev_by_name("stm32f407"));
}

static void test_crp_decode(void **state)
{
	(void)state;
	assert_int_equal(lpc_crp_decode(0x12345678U), LPC_CRP1);
	assert_int_equal(lpc_crp_decode(0x87654321U), LPC_CRP2);
	assert_int_equal(lpc_crp_decode(0x43218765U), LPC_CRP3);
	assert_int_equal(lpc_crp_decode(0x4E697370U), LPC_NO_ISP);
	assert_int_equal(lpc_crp_decode(0xFFFFFFFFU), LPC_CRP_NONE);
	assert_int_equal(lpc_crp_decode(0x12345679U), LPC_CRP_NONE);
	assert_string_equal(lpc_crp_name(LPC_CRP2), "CRP2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_tiles),
		cmocka_unit_test(test_crp_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
