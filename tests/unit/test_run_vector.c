/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/chip/stm32f4_run.c: the vector-table check before `flashkey run` (ARMv7-M §B1.5.3: word 0
 * the initial SP, word 1 the Thumb reset vector) against the F4 memory map: erased flash, stack
 * at both ends of SRAM and CCM, alignment, Thumb bit, code in flash/SRAM/CCM/system memory. */
#include "fk_test.h"

#include "chip/stm32f4.h"

#define MB1 (1024u * 1024u)

static const stm32f4_device *dev(uint16_t id)
{
	const stm32f4_device *d = stm32f4_dev_find(id);
	assert_non_null(d);
	return d;
}

static void test_fixture_ok(void **state)
{
	(void)state;
	char why[200];
	/* tests/fixtures/fw.elf: _estack = end of 128 KiB SRAM, Reset_Handler 0x08000042 | 1 */
	assert_int_equal(stm32f4_vector_check(dev(0x413), MB1, 0x20020000u, 0x08000043u, why,
					      sizeof why), STM32F4_VEC_OK);
	assert_string_equal(why, "");
}

static void test_erased(void **state)
{
	(void)state;
	char why[200];
	assert_int_equal(stm32f4_vector_check(dev(0x413), MB1, 0xFFFFFFFFu, 0xFFFFFFFFu, why,
					      sizeof why), STM32F4_VEC_ERASED);
	assert_non_null(strstr(why, "0xFFFFFFFF"));
	assert_non_null(strstr(why, "erased"));
	/* one erased word alone is a bad table, not "erased" */
	assert_int_equal(stm32f4_vector_check(dev(0x413), MB1, 0xFFFFFFFFu, 0x08000043u, NULL, 0),
			 STM32F4_VEC_BAD_SP);
	assert_int_equal(stm32f4_vector_check(dev(0x413), MB1, 0x20020000u, 0xFFFFFFFFu, NULL, 0),
			 STM32F4_VEC_BAD_RESET);
	assert_int_equal(stm32f4_vector_check(dev(0x413), MB1, 0, 0, NULL, 0), STM32F4_VEC_BAD_SP);
}

static void test_sp_edges(void **state)
{
	(void)state;
	const stm32f4_device *f407 = dev(0x413); /* 128 KiB SRAM, 64 KiB CCM */
	char why[200];
	/* top of stack may equal the end of RAM; one word past it may not */
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x20020000u, 0x08000043u, NULL, 0),
			 STM32F4_VEC_OK);
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x20020004u, 0x08000043u, NULL, 0),
			 STM32F4_VEC_BAD_SP);
	/* the start of RAM is an empty stack: the first push leaves RAM */
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x20000000u, 0x08000043u, NULL, 0),
			 STM32F4_VEC_BAD_SP);
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x20000004u, 0x08000043u, NULL, 0),
			 STM32F4_VEC_OK);
	/* not word-aligned */
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x2001FFFEu, 0x08000043u, why, sizeof why),
			 STM32F4_VEC_BAD_SP);
	assert_non_null(strstr(why, "word-aligned"));
	assert_non_null(strstr(why, "0x2001FFFE"));
	/* CCM holds stacks on parts that have it */
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x10010000u, 0x08000043u, NULL, 0),
			 STM32F4_VEC_OK);
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x10010004u, 0x08000043u, NULL, 0),
			 STM32F4_VEC_BAD_SP);
	/* F401xB/C: 64 KiB SRAM, no CCM */
	const stm32f4_device *f401 = dev(0x423);
	assert_int_equal(stm32f4_vector_check(f401, 256u * 1024u, 0x20010000u, 0x08000043u, NULL, 0),
			 STM32F4_VEC_OK);
	assert_int_equal(stm32f4_vector_check(f401, 256u * 1024u, 0x20020000u, 0x08000043u, NULL, 0),
			 STM32F4_VEC_BAD_SP);
	assert_int_equal(stm32f4_vector_check(f401, 256u * 1024u, 0x10001000u, 0x08000043u, why,
					      sizeof why), STM32F4_VEC_BAD_SP);
	assert_null(strstr(why, "CCM"));
	/* a flash address is no stack */
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x08001000u, 0x08000043u, NULL, 0),
			 STM32F4_VEC_BAD_SP);
}

static void test_reset_vector(void **state)
{
	(void)state;
	const stm32f4_device *f407 = dev(0x413);
	char why[200];
	/* bit 0 clear: ARM state, which a Cortex-M cannot execute */
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x20020000u, 0x08000042u, why, sizeof why),
			 STM32F4_VEC_BAD_RESET);
	assert_non_null(strstr(why, "Thumb"));
	assert_non_null(strstr(why, "0x08000042"));
	/* code in SRAM is allowed (a table for Go into RAM), in CCM not (data bus only) */
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x20020000u, 0x20000101u, NULL, 0),
			 STM32F4_VEC_OK);
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x20020000u, 0x10000001u, NULL, 0),
			 STM32F4_VEC_BAD_RESET);
	/* last half-word of flash, and just past it */
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x20020000u, 0x080FFFFFu, NULL, 0),
			 STM32F4_VEC_OK);
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x20020000u, 0x08100001u, NULL, 0),
			 STM32F4_VEC_BAD_RESET);
	/* the flash size read from the chip, not the line's largest */
	assert_int_equal(stm32f4_vector_check(f407, 512u * 1024u, 0x20020000u, 0x08080001u, NULL, 0),
			 STM32F4_VEC_BAD_RESET);
	/* system memory, the boot alias, the end of SRAM */
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x20020000u, 0x1FFF0001u, NULL, 0),
			 STM32F4_VEC_BAD_RESET);
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x20020000u, 0x00000201u, NULL, 0),
			 STM32F4_VEC_BAD_RESET);
	assert_int_equal(stm32f4_vector_check(f407, MB1, 0x20020000u, 0x20020001u, NULL, 0),
			 STM32F4_VEC_BAD_RESET);
}

static void test_every_row_has_ram(void **state)
{
	(void)state;
	for (unsigned i = 0; stm32f4_dev_at(i); i++) {
		const stm32f4_device *d = stm32f4_dev_at(i);
		assert_true(d->sram_kb >= 32 && d->sram_kb <= 384);
		assert_true(d->ccm_kb == 0 || d->ccm_kb == 64);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_ok),   cmocka_unit_test(test_erased),
		cmocka_unit_test(test_sp_edges),     cmocka_unit_test(test_reset_vector),
		cmocka_unit_test(test_every_row_has_ram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
