/* SPDX-License-Identifier: GPL-2.0-or-later */
/* devices/stm32l4: the FLASH_OPTR family's device table validated (unique IDs, geometry that
 * tiles the banks, option registers inside FLASH and each field inside OPTR's writable bits,
 * the RDP code), and checked against the twin's independently written variant table
 * (twin/stm32l4/variants.c): same DEV_IDs, flash sizes, pages, banks, DBGMCU address, option
 * register offsets and writable masks for every part the twin plays. */
#include "fk_test.h"

#include "devices/stm32l4.h"
#include "stm32l4/l4.h"

static void test_table_shape(void **state)
{
	(void)state;
	unsigned n = 0;
	for (const stm32l4_device *d; (d = stm32l4_dev_at(n)) != NULL; n++) {
		assert_ptr_equal(stm32l4_dev_find(d->dev_id), d);
		assert_int_equal(d->page_bytes, 2048);
		assert_int_equal((d->max_kb * 1024U) % (d->dual_bank ? 2U * d->page_bytes
								     : d->page_bytes), 0);
		assert_true(stm32l4_dev_matches(d, d->name));
		assert_non_null(d->manual);
		assert_true(d->nregs >= 5 && d->nregs <= STM32L4_MAXREG);
		assert_string_equal(d->regs[0].name, "OPTR");
		assert_int_equal(d->regs[0].off, 0x20);
		/* WRP page fields reach every page of a bank, no further than 8 bits */
		unsigned ppb = d->max_kb * 1024U / d->page_bytes / (d->dual_bank ? 2U : 1U);
		assert_true(d->wrp_field + 1U >= ppb);
		assert_true(d->wrp_field <= 0xFF);
		/* PCROP_RDP is a writable bit of the first PCROP end register */
		assert_true(d->regs[d->i_pce[0]].mask & STM32L4_PCROP_RDP);
		for (unsigned i = 0; i < 4; i++)
			if (d->i_wrp[i] >= 0)
				assert_int_equal(d->regs[d->i_wrp[i]].mask,
						 d->wrp_field | d->wrp_field << 16);
		assert_int_equal(d->idcode_addr, d->kind == STM32L4_KIND_G0 ? STM32L4_DBGMCU_G0
									   : STM32L4_DBGMCU_L4);
		const stm32l4_field *fl[20];
		unsigned nf = stm32l4_dev_fields(d, fl, 20);
		assert_true(nf >= 10);
		uint32_t seen = 0xFFU; /* RDP */
		for (unsigned k = 0; k < nf; k++) {
			uint32_t m = ((1U << fl[k]->bits) - 1U) << fl[k]->shift;
			assert_int_equal(d->regs[0].mask & m, m);
			assert_int_equal(seen & m, 0); /* fields do not overlap */
			seen |= m;
		}
	}
	assert_int_equal(n, 4);
	assert_null(stm32l4_dev_find(0x413));
	assert_true(stm32l4_dev_matches(stm32l4_dev_find(0x415), "stm32l476rg"));
	assert_true(stm32l4_dev_matches(stm32l4_dev_find(0x460), "STM32G071"));
	assert_false(stm32l4_dev_matches(stm32l4_dev_find(0x460), "stm32g431"));
}

/* RM0351 §3.5.1: 0xAA level 0, 0xCC level 2, any other byte level 1. */
static void test_rdp_levels(void **state)
{
	(void)state;
	assert_int_equal(stm32l4_rdp_level(0xAA), 0);
	assert_int_equal(stm32l4_rdp_level(0xCC), 2);
	assert_int_equal(stm32l4_rdp_level(0xBB), 1);
	assert_int_equal(stm32l4_rdp_level(0x00), 1);
	assert_int_equal(stm32l4_rdp_level(0x55), 1);
}

/* Two tables written apart must agree on what the driver depends on. */
static void test_twin_agrees(void **state)
{
	(void)state;
	unsigned matched = 0;
	for (unsigned i = 0; tw_l4_variant_at(i); i++) {
		const l4_variant *v = tw_l4_variant_at(i);
		const stm32l4_device *d = stm32l4_dev_find(v->dev_id);
		assert_non_null(d);
		assert_true(stm32l4_dev_matches(d, v->name));
		assert_int_equal(d->max_kb * 1024U, v->flash_bytes);
		assert_int_equal(d->page_bytes, v->page_bytes);
		assert_int_equal(d->dual_bank ? 2U : 1U, v->banks);
		assert_int_equal(d->idcode_addr, v->dbgmcu);
		assert_int_equal(d->wrp_field, v->wrp_field);
		assert_int_equal(d->pcrop_field, v->pcrop_field);
		assert_int_equal(d->pcrop_shift, v->pcrop_shift);
		assert_string_equal(d->manual, v->manual);
		for (unsigned k = 0; k < d->nregs; k++) {
			int t = -1;
			for (unsigned j = 0; j < v->nopt; j++)
				if (v->opt[j].reg == d->regs[k].off)
					t = (int)j;
			assert_true(t >= 0);
			assert_string_equal(d->regs[k].name, v->opt[t].name);
			assert_int_equal(d->regs[k].mask, v->opt[t].mask);
		}
		matched++;
	}
	assert_int_equal(matched, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_rdp_levels),
		cmocka_unit_test(test_twin_agrees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
