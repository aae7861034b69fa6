/* SPDX-License-Identifier: GPL-2.0-or-later */
/* devices/stm32f1: the FPEC family's device table validated (unique IDs, geometry that tiles,
 * WRP bits that cover every page exactly once, family dialects), and checked against the
 * twin's independently written variant table (twin/stm32f1/variants.c): same IDs, addresses,
 * geometry and bootloader facts for every part the twin plays. */
#include "fk_test.h"

#include "devices/stm32f1.h"
#include "stm32f1/f1.h"

static void test_table_shape(void **state)
{
	(void)state;
	unsigned n = 0;
	for (const stm32f1_device *d; (d = stm32f1_dev_at(n)) != NULL; n++) {
		assert_ptr_equal(stm32f1_dev_find(d->dev_id), d);
		assert_true(d->page_bytes == 1024 || d->page_bytes == 2048);
		assert_int_equal((d->max_kb * 1024U) % d->page_bytes, 0);
		assert_true(d->wrp_pages == 2 || d->wrp_pages == 4);
		assert_true(d->wrp_bits == 16 || d->wrp_bits == 32);
		assert_true(d->bl_ram_reserved < d->sram_kb * 1024U);
		assert_true(d->sysmem_base < STM32F1_OPTBYTES);
		assert_non_null(d->manual);
		assert_true(stm32f1_dev_matches(d, d->name));
		assert_true(d->bl_versions[0] != 0);
		bool f0f3 = d->family != STM32F1_FAM_F1;
		assert_int_equal(!!(d->flags & STM32F1_F_LEVEL2), f0f3);
		assert_int_equal(!!(d->flags & STM32F1_F_OBL_LAUNCH), f0f3);
		assert_int_equal(!!(d->flags & STM32F1_F_EXT_ERASE), f0f3);
		assert_int_equal(!!(d->flags & STM32F1_F_RDP_4K_WRP), !f0f3);
		assert_int_equal(stm32f1_dev_idcode_addr(d),
				 d->family == STM32F1_FAM_F0 ? 0x40015800U : 0xE0042000U);
	}
	assert_int_equal(n, 5);
	assert_null(stm32f1_dev_find(0x413));
}

/* Every page of the largest part is covered by exactly one WRP bit, and the ranges agree
 * with stm32f1_dev_wrp_bit. */
static void test_wrp_ranges_tile(void **state)
{
	(void)state;
	for (unsigned i = 0; stm32f1_dev_at(i); i++) {
		const stm32f1_device *d = stm32f1_dev_at(i);
		unsigned pages = d->max_kb * 1024U / d->page_bytes, next = 0;
		for (unsigned bit = 0; bit < d->wrp_bits; bit++) {
			unsigned first, last;
			if (!stm32f1_dev_wrp_range(d, d->max_kb, bit, &first, &last))
				continue;
			assert_int_equal(first, next);
			for (unsigned p = first; p <= last; p++)
				assert_int_equal(stm32f1_dev_wrp_bit(d, p), bit);
			next = last + 1;
		}
		assert_int_equal(next, pages);
	}
}

static void test_rdp_dialects(void **state)
{
	(void)state;
	const stm32f1_device *f1 = stm32f1_dev_find(0x410), *f0 = stm32f1_dev_find(0x440);
	assert_int_equal(stm32f1_dev_rdp_level(f1, 0xA5), 0);
	assert_int_equal(stm32f1_dev_rdp_level(f1, 0xAA), 1);
	assert_int_equal(stm32f1_dev_rdp_level(f1, 0xCC), 1);
	assert_int_equal(stm32f1_dev_rdp_level2(f1), 0);
	assert_int_equal(stm32f1_dev_rdp_level(f0, 0xAA), 0);
	assert_int_equal(stm32f1_dev_rdp_level(f0, 0xA5), 1);
	assert_int_equal(stm32f1_dev_rdp_level(f0, 0xCC), 2);
	assert_int_equal(stm32f1_dev_rdp_level(f0, 0xFF), 1);
	assert_true(stm32f1_dev_bl_version_known(f1, 0x22));
	assert_false(stm32f1_dev_bl_version_known(f1, 0x31));
	assert_true(stm32f1_dev_bl_version_known(f0, 0x31));
	assert_false(stm32f1_dev_bl_version_known(f0, 0x00));
}

/* Two tables written apart must agree on what the driver depends on. */
static void test_twin_agrees(void **state)
{
	(void)state;
	for (unsigned i = 0; tw_f1_variant_at(i); i++) {
		const tw_f1_variant *v = tw_f1_variant_at(i);
		const stm32f1_device *d = stm32f1_dev_find(tw_f1_variant_dev_id(v));
		assert_non_null(d);
		assert_true(stm32f1_dev_matches(d, tw_f1_variant_name(v)));
		assert_int_equal((int)d->family, (int)tw_f1_variant_family(v));
		assert_int_equal(d->page_bytes, tw_f1_variant_page_bytes(v));
		assert_int_equal(d->wrp_pages, tw_f1_variant_wrp_pages(v));
		assert_true(tw_f1_variant_flash_bytes(v) <= d->max_kb * 1024U);
		assert_int_equal(d->sram_kb * 1024U, tw_f1_variant_sram_bytes(v));
		assert_int_equal(stm32f1_dev_idcode_addr(d), tw_f1_variant_idcode_addr(v));
		assert_int_equal(d->flash_size_reg, tw_f1_variant_flash_size_addr(v));
		assert_int_equal(d->sysmem_base, tw_f1_variant_sysmem_base(v));
		assert_int_equal(d->bl_ram_reserved, tw_f1_variant_bl_ram_reserved(v));
		assert_true(stm32f1_dev_bl_version_known(d, tw_f1_variant_bl_version(v)));
		if (!tw_f1_variant_is_clone(v)) {
			assert_int_equal(d->dpidr, tw_f1_variant_dpidr(v));
			assert_int_equal(d->jtag_idcode, tw_f1_variant_jtag_idcode(v));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_wrp_ranges_tile),
		cmocka_unit_test(test_rdp_dialects),
		cmocka_unit_test(test_twin_agrees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
