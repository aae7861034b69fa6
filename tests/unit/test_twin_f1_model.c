/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/stm32f1 behind the generic model interface (twin/model.h): found by its variants and by
 * its state-file magic, saved and loaded through tw_chip, its state version agreeing with
 * state.c, and its debug port answering with the variant's identity. */
#include "twin_f1_test.h"

#include "chip.h"
#include "stm32f1/model_int.h"

static void test_registry(void **state)
{
	(void)state;
	tw_variant_info info;
	assert_ptr_equal(tw_model_of_variant("STM32F103C8", &info), &tw_model_stm32f1);
	assert_int_equal(info.id, 0x410);
	assert_ptr_equal(tw_model_of_variant("stm32f303cc", &info), &tw_model_stm32f1);
	assert_ptr_equal(tw_model_find("stm32f1"), &tw_model_stm32f1);
	assert_ptr_equal(tw_model_by_magic((const uint8_t *)"FKTWFPEC"), &tw_model_stm32f1);
}

static void test_roundtrip(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	tw_chip *c;
	assert_int_equal(tw_chip_create(ctx, "stm32f072rb", &c), 0);
	tw_f1 *t = tw_chip_impl(c);
	tw_f1_set_options(t, 0xBB, 0xFF, 0x01, 0x02, 0xFFFFFFF0U);
	uint8_t *buf;
	size_t len;
	assert_int_equal(tw_chip_save_buffer(c, &buf, &len), 0);
	/* the version the model declares is the one state.c writes */
	assert_int_equal(buf[8] | buf[9] << 8 | buf[10] << 16 | (uint32_t)buf[11] << 24,
			 tw_model_stm32f1.version);
	tw_chip *d;
	assert_int_equal(tw_chip_load_buffer(ctx, "x", buf, len, &d), 0);
	assert_string_equal(tw_chip_variant(d), "stm32f072rb");
	assert_int_equal(tw_f1_rdp_level(tw_chip_impl(d)), 1);
	assert_int_equal(tw_f1_wrpr(tw_chip_impl(d)), 0xFFFFFFF0U);
	free(buf);
	tw_chip_free(c);
	tw_chip_free(d);
	fk_ctx_free(ctx);
}

/* The debug port goes through the model's protection (level 1: flash refused). */
static void test_dap_port(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	tw_chip *c;
	assert_int_equal(tw_chip_create(ctx, "stm32f103c8", &c), 0);
	const tw_dap_port *p = tw_chip_dap(c, ctx, "test");
	assert_non_null(p);
	uint32_t v;
	assert_int_equal(tw_chip_dap_read_wait(c, 0xE0042000U, 4, &v), TW_OK);
	assert_int_equal(v & 0xFFFU, 0x410);
	tw_f1_set_options(tw_chip_impl(c), 0x00, 0xFF, 0xFF, 0xFF, 0xFFFFFFFFU);
	assert_int_equal(tw_chip_dap_read_wait(c, 0x08000000U, 4, &v), TW_BUS_ERROR);
	char note[160];
	p->bus_error_note(tw_chip_impl(c), note, sizeof note);
	assert_non_null(strstr(note, "RDP level 1"));
	tw_chip_free(c);
	fk_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_dap_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
