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

/* The start check both LPC drivers make before `run`: SP in the part's RAM (the top of RAM is a
 * valid initial SP, the base is not), a Thumb reset handler inside flash. */
static void test_vectors_ok(void **state)
{
	(void)state;
	const lpc_device *d = lpc_dev_find(0x26013F37U); /* LPC1768: 32 KiB at 0x10000000 */
	char why[160] = "";
	uint32_t top = d->ram_base + d->ram_bytes;
	assert_true(lpc_dev_vectors_ok(d, top, 0x000000C1U, why, sizeof why));
	assert_string_equal(why, "");
	assert_false(lpc_dev_vectors_ok(d, d->ram_base, 0x000000C1U, why, sizeof why));
	assert_non_null(strstr(why, "SP 0x10000000 must be in RAM 0x10000000-0x10008000"));
	assert_false(lpc_dev_vectors_ok(d, top, 0x000000C0U, why, sizeof why)); /* not Thumb */
	assert_false(lpc_dev_vectors_ok(d, top, d->flash_bytes | 1U, why, sizeof why));
	assert_false(lpc_dev_vectors_ok(d, top + 4, 0x000000C1U, NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_tiles),
		cmocka_unit_test(test_crp_decode),
		cmocka_unit_test(test_vectors_ok),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
