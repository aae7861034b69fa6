/* SPDX-License-Identifier: GPL-2.0-or-later */
/* chip/stm32f4 identify over a fake memory bus: unknown DEV_IDs fail closed (FK_E_UNKNOWN_CHIP,
 * no memory map guessed), the F405/407 rev A errata ID 0x411 is remapped only on a Cortex-M4
 * (RM0090 §38.6.1), an unreadable size register falls back to the family size and says so, and
 * a size no layout fits is refused. */
#include "fk_test.h"

#include "chip/stm32f4.h"
#include "core/core.h"

typedef struct fake {
	uint32_t idcode, cpuid;
	int size_kb; /* -1: bus error */
} fake;

static int fake_read(void *h, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len, unsigned w)
{
	fake *f = h;
	(void)w;
	memset(buf, 0, len);
	if (addr == STM32F4_DBGMCU_IDCODE)
		fk_put_le32(buf, f->idcode);
	else if (addr == STM32F4_CPUID)
		fk_put_le32(buf, f->cpuid);
	else if (addr == STM32F4_FLASH_SIZE_REG && f->size_kb >= 0)
		fk_put_le16(buf, (uint16_t)f->size_kb);
	else if (addr == STM32F4_FLASH_SIZE_REG)
		return fk_fail(ctx, FK_E_BUS_FAULT, "bus error at 0x%08X", addr);
	else if (addr == STM32F4_FLASH_OPTCR)
		fk_put_le32(buf, STM32F4_OPTCR_DEFAULT);
	return FK_OK;
}

static int fake_write(void *h, fk_ctx *ctx, uint32_t addr, const void *buf, uint32_t len,
		      unsigned w)
{
	(void)h, (void)ctx, (void)addr, (void)buf, (void)len, (void)w;
	return FK_OK;
}

static const fk_mem_ops fake_ops = {.read = fake_read, .write = fake_write};

static int attach(fake *f, stm32f4 *d, fk_ctx *ctx)
{
	const stm32f4_path_ops *ops;
	void *h;
	assert_int_equal(stm32f4_dbg_open(ctx, &fake_ops, f, &ops, &h), 0);
	int rc = stm32f4_attach(d, ctx, ops, h);
	ops->close(h);
	return rc;
}

static void test_unknown_fails_closed(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	stm32f4 d;
	char msg[FK_CHAIN_MSG_MAX];
	fake f = {0x10000999U, 0x410FC241U, 1024};
	assert_int_equal(attach(&f, &d, ctx), FK_E_UNKNOWN_CHIP);
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "DEV_ID 0x999"));
	assert_non_null(strstr(msg, "refusing to guess"));
	fake f2 = {0x20000411U, 0x412FC230U, 1024}; /* an STM32F2 (Cortex-M3) */
	assert_int_equal(attach(&f2, &d, ctx), FK_E_UNKNOWN_CHIP);
	fk_ctx_free(ctx);
}

static void test_errata_and_sizes(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	stm32f4 d;
	fake f = {0x20000411U, 0x410FC241U, 512}; /* F407 rev A reporting 0x411 */
	assert_int_equal(attach(&f, &d, ctx), 0);
	assert_int_equal(d.idcode & 0xFFF, 0x413);
	assert_int_equal(d.nsectors, 8);
	assert_false(d.size_assumed);
	assert_int_equal(d.psize, STM32F4_PSIZE_X8); /* supply unknown: the safe x8 */
	fake g = {0x10000431U, 0x410FC241U, -1}; /* F411, size register unreadable */
	assert_int_equal(attach(&g, &d, ctx), 0);
	assert_true(d.size_assumed);
	assert_int_equal(d.flash_kb, 512);
	fake h = {0x10000431U, 0x410FC241U, 200}; /* no F411 layout has 200 KB */
	assert_int_equal(attach(&h, &d, ctx), FK_E_UNKNOWN_CHIP);
	fk_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_fails_closed),
		cmocka_unit_test(test_errata_and_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
