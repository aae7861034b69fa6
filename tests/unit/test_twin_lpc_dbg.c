/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/lpc/debug.c: the LPC twins' debug port and the IAP modelled by behaviour. The IAP rules
 * one by one through tw_lpc_iap (UM10360 §32.8: Prepare before Copy/Erase and the re-protection
 * after, the Copy boundary, count and source checks, Blank check and Compare results, Part ID,
 * boot code version, serial number, unknown codes, t_er / t_prog on the virtual clock, the top
 * 32 bytes of RAM); hostile tables (outside RAM, unaligned) never crash; the port closed at
 * CRP1-3 and open at NO_ISP (UM10360 §32.6); and end to end through the DAP core: a stub
 * "BX r12; BKPT" run by the core reaches the IAP entry, the command is performed, the core
 * halts on the BKPT with PC at it (cm4_exec.c rom_call). */
#include "fk_test.h"

#include "boot/lpc_isp_codec.h"
#include "chip.h"
#include "core/core.h"
#include "debug/chip_port.h"
#include "lpc/lpc.h"

#define RAM 0x10000000U
#define CMD (RAM + 0x100U)
#define RES (RAM + 0x140U)
#define BUF (RAM + 0x400U)

typedef struct rig {
	fk_ctx *ctx;
	tw_chip *chip;
	tw_lpc *c;
} rig;

static void r_open(rig *r, const char *name)
{
	memset(r, 0, sizeof *r);
	r->ctx = fk_ctx_new();
	assert_int_equal(tw_chip_create(r->ctx, name, &r->chip), FK_OK);
	r->c = tw_lpc_of_instance(tw_chip_impl(r->chip));
}

static void r_close(rig *r)
{
	tw_chip_free(r->chip);
	fk_ctx_free(r->ctx);
}

static void ram_put(rig *r, uint32_t a, uint32_t v)
{
	fk_put_le32(r->c->ram + (a - RAM), v);
}

static uint32_t ram_get(rig *r, uint32_t a)
{
	return fk_get_le32(r->c->ram + (a - RAM));
}

/* One IAP command; returns the status word. */
static uint32_t iap(rig *r, uint32_t code, uint32_t p0, uint32_t p1, uint32_t p2, uint32_t p3)
{
	ram_put(r, CMD, code);
	ram_put(r, CMD + 4, p0);
	ram_put(r, CMD + 8, p1);
	ram_put(r, CMD + 12, p2);
	ram_put(r, CMD + 16, p3);
	ram_put(r, RES, 0xDEADBEEFU);
	tw_lpc_iap(r->c, CMD, RES);
	return ram_get(r, RES);
}

static void test_prepare_copy_reprotect(void **st)
{
	rig r;
	(void)st;
	r_open(&r, "lpc1768");
	for (uint32_t i = 0; i < 256; i += 4)
		ram_put(&r, BUF + i, 0x11223344U + i);
	/* Copy without Prepare: SECTOR_NOT_PREPARED (9) */
	assert_int_equal(iap(&r, 51, 0x1000, BUF, 256, 4000), LPC_ISP_SECTOR_NOT_PREPARED);
	assert_int_equal(iap(&r, 50, 1, 0, 0, 0), LPC_ISP_INVALID_SECTOR); /* end < start */
	assert_int_equal(iap(&r, 50, 0, 30, 0, 0), LPC_ISP_INVALID_SECTOR); /* 30 sectors: 0-29 */
	assert_int_equal(iap(&r, 50, 1, 1, 0, 0), LPC_ISP_CMD_SUCCESS);
	assert_int_equal(iap(&r, 51, 0x1000, BUF + 2, 256, 4000), LPC_ISP_SRC_ADDR_ERROR);
	assert_int_equal(iap(&r, 51, 0x1080, BUF, 256, 4000), LPC_ISP_DST_ADDR_ERROR);
	assert_int_equal(iap(&r, 51, 0x1000, BUF, 128, 4000), LPC_ISP_COUNT_ERROR);
	assert_int_equal(iap(&r, 51, 0x1000, 0x2000, 256, 4000), LPC_ISP_SRC_ADDR_NOT_MAPPED);
	assert_int_equal(iap(&r, 51, 0x2000, BUF, 256, 4000), LPC_ISP_SECTOR_NOT_PREPARED);
	uint64_t t0 = r.c->now_ns;
	assert_int_equal(iap(&r, 51, 0x1000, BUF, 256, 4000), LPC_ISP_CMD_SUCCESS);
	assert_int_equal(r.c->now_ns - t0, TW_LPC_T_PROG_NS); /* t_prog per 256 bytes */
	assert_int_equal(tw_lpc_flash_word(r.c, 0x1004), 0x11223348U);
	/* "the affected sectors are automatically protected again" */
	assert_int_equal(iap(&r, 51, 0x1100, BUF, 256, 4000), LPC_ISP_SECTOR_NOT_PREPARED);
	/* the top 32 bytes of RAM are the ROM's during a flash write (§32.8) */
	assert_int_equal(ram_get(&r, RAM + 0x8000U - 4U), 0);
	r_close(&r);
}

static void test_erase_blank_compare(void **st)
{
	rig r;
	(void)st;
	r_open(&r, "lpc1768");
	memset(r.c->flash + 0x3000, 0x5A, 8);
	assert_int_equal(iap(&r, 53, 2, 4, 0, 0), LPC_ISP_SECTOR_NOT_BLANK);
	assert_int_equal(ram_get(&r, RES + 4), 0x1000); /* offset from sector 2 */
	assert_int_equal(ram_get(&r, RES + 8), 0x5A5A5A5AU);
	assert_int_equal(iap(&r, 52, 3, 3, 4000, 0), LPC_ISP_SECTOR_NOT_PREPARED);
	assert_int_equal(iap(&r, 50, 2, 4, 0, 0), LPC_ISP_CMD_SUCCESS);
	uint64_t t0 = r.c->now_ns;
	assert_int_equal(iap(&r, 52, 3, 3, 4000, 0), LPC_ISP_CMD_SUCCESS);
	assert_int_equal(r.c->now_ns - t0, TW_LPC_T_ERASE_NS);
	assert_int_equal(iap(&r, 53, 2, 4, 0, 0), LPC_ISP_CMD_SUCCESS);
	/* Compare: alignment, count, mapping, and the offset of the first difference */
	memset(r.c->ram + 0x400, 0xFF, 64);
	r.c->ram[0x400 + 12] = 0;
	assert_int_equal(iap(&r, 56, 0x3000, BUF, 63, 0), LPC_ISP_COUNT_ERROR);
	assert_int_equal(iap(&r, 56, 0x3002, BUF, 64, 0), LPC_ISP_ADDR_ERROR);
	assert_int_equal(iap(&r, 56, 0x3000, 0x40000000U, 64, 0), LPC_ISP_ADDR_NOT_MAPPED);
	assert_int_equal(iap(&r, 56, 0x3000, BUF, 64, 0), LPC_ISP_COMPARE_ERROR);
	assert_int_equal(ram_get(&r, RES + 4), 12);
	r_close(&r);
}

static void test_ids_and_unknown(void **st)
{
	rig r;
	(void)st;
	r_open(&r, "lpc812");
	assert_int_equal(iap(&r, 54, 0, 0, 0, 0), LPC_ISP_CMD_SUCCESS);
	assert_int_equal(ram_get(&r, RES + 4), 0x00008122U);
	assert_int_equal(iap(&r, 55, 0, 0, 0, 0), LPC_ISP_CMD_SUCCESS);
	assert_int_equal(ram_get(&r, RES + 4), 13U << 8 | 4U);
	assert_int_equal(iap(&r, 58, 0, 0, 0, 0), LPC_ISP_CMD_SUCCESS);
	assert_int_equal(ram_get(&r, RES + 4), r.c->uid[0]);
	assert_int_equal(ram_get(&r, RES + 16), r.c->uid[3]);
	assert_int_equal(iap(&r, 57, 0, 0, 0, 0), LPC_ISP_INVALID_COMMAND);
	assert_int_equal(iap(&r, 99, 0, 0, 0, 0), LPC_ISP_INVALID_COMMAND);
	/* LPC812: 64-byte Copy boundary, 64..1024 bytes */
	assert_int_equal(iap(&r, 50, 0, 0, 0, 0), LPC_ISP_CMD_SUCCESS);
	assert_int_equal(iap(&r, 51, 0x40, RAM + 0x400U, 64, 12000), LPC_ISP_CMD_SUCCESS);
	assert_int_equal(iap(&r, 50, 16, 16, 0, 0), LPC_ISP_INVALID_SECTOR);
	r_close(&r);
}

/* Tables anywhere: nothing crashes, nothing is written outside RAM. */
static void test_hostile_tables(void **st)
{
	rig r;
	(void)st;
	r_open(&r, "lpc812");
	uint32_t bad[] = {0, 2, RAM - 4U, RAM + 0x1000U - 2U, RAM + 0x1000U, 0xFFFFFFFCU,
			  0x1FFF1FF0U};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		for (unsigned j = 0; j < sizeof bad / sizeof bad[0]; j++)
			tw_lpc_iap(r.c, bad[i], bad[j]);
	/* a command table read from flash works; its result goes to RAM */
	ram_put(&r, RES, 0);
	tw_lpc_iap(r.c, 0x10, RES); /* erased flash: code 0xFFFFFFFF */
	assert_int_equal(ram_get(&r, RES), LPC_ISP_INVALID_COMMAND);
	/* the last word of RAM holds a status; two words would not fit */
	tw_lpc_iap(r.c, CMD, RAM + 0x1000U - 4U);
	r_close(&r);
}

static void test_port_closed_at_crp(void **st)
{
	rig r;
	(void)st;
	r_open(&r, "lpc1768");
	const tw_dap_port *p = tw_chip_dap(r.chip, r.ctx, "test");
	assert_non_null(p);
	void *m = tw_chip_impl(r.chip);
	assert_true(p->reachable(m, 0));
	static const uint32_t words[] = {TW_LPC_CRP1_WORD, TW_LPC_CRP2_WORD, TW_LPC_CRP3_WORD,
					 TW_LPC_NOISP_WORD};
	for (unsigned i = 0; i < 4; i++) {
		fk_put_le32(r.c->flash + TW_LPC_CRP_ADDR, words[i]);
		assert_true(p->reachable(m, 0)); /* latched only at the next reset */
		p->system_reset(m);
		assert_int_equal(p->reachable(m, 0), i == 3); /* NO_ISP keeps SWD */
		fk_put_le32(r.c->flash + TW_LPC_CRP_ADDR, 0xFFFFFFFFU);
		p->system_reset(m);
	}
	fk_put_le32(r.c->flash + TW_LPC_CRP_ADDR, TW_LPC_CRP2_WORD);
	p->system_reset(m);
	fk_ctx *q = fk_ctx_new();
	assert_int_equal(p->refusal(m, q, "x.twin"), FK_E_DEBUG_DISABLED);
	fk_ctx_free(q);
	/* the memory map a debugger sees: flash read-only, RAM, MEMMAP, the boot ROM refused */
	uint32_t v;
	assert_int_equal(p->write(m, 0x100, 4, 0), TW_BUS_ERROR);
	assert_int_equal(p->write(m, RAM, 4, 0x12345678U), TW_OK);
	assert_int_equal(p->read(m, RAM, 2, &v), TW_OK);
	assert_int_equal(v, 0x5678);
	assert_int_equal(p->write(m, 0x400FC040U, 4, 3), TW_OK);
	assert_int_equal(p->read(m, 0x400FC040U, 4, &v), TW_OK);
	assert_int_equal(v, 1);
	assert_int_equal(p->read(m, 0x1FFF1FF0U, 4, &v), TW_BUS_ERROR);
	r_close(&r);
}

/* DAP-level helpers: a word through the MEM-AP as a debugger does it. */
static void dw(tw_dap *d, uint32_t a, uint32_t v)
{
	assert_int_equal(tw_dap_mem_write(d, a, 4, v), TW_OK);
}

static uint32_t dr(tw_dap *d, uint32_t a)
{
	uint32_t v = 0;
	assert_int_equal(tw_dap_mem_read(d, a, 4, &v), TW_OK);
	return v;
}

static void reg(tw_dap *d, unsigned n, uint32_t v)
{
	dw(d, 0xE000EDF8U, v);
	dw(d, 0xE000EDF4U, 0x10000U | n);
}

static void test_stub_reaches_iap(void **st)
{
	rig r;
	tw_chip_port port;
	(void)st;
	r_open(&r, "lpc1768");
	tw_dap *d = tw_chip_port_open(&port, r.chip, r.ctx, "test");
	assert_non_null(d);
	dw(d, 0xE000EDF0U, 0xA05F0003U); /* C_DEBUGEN | C_HALT */
	dw(d, RAM, 0xBE004760U);         /* BX r12; BKPT #0 */
	dw(d, CMD, 54);                  /* Read Part ID */
	dw(d, RES, 0xFFFFFFFFU);
	reg(d, 0, CMD);
	reg(d, 1, RES);
	reg(d, 12, 0x1FFF1FF1U);
	reg(d, 13, RAM + 0x200U);
	reg(d, 14, RAM + 3U);
	reg(d, 15, RAM);
	reg(d, 16, 0x01000000U);
	dw(d, 0xE000EDF0U, 0xA05F0001U); /* resume */
	uint32_t dhcsr = dr(d, 0xE000EDF0U);
	assert_true(dhcsr & (1U << 17)); /* S_HALT: stopped at the BKPT */
	assert_int_equal(dr(d, RES), LPC_ISP_CMD_SUCCESS);
	assert_int_equal(dr(d, RES + 4), 0x26013F37U);
	assert_int_equal(tw_dap_core_reg(d, 15), RAM + 2U);
	assert_int_equal(r.c->iap_calls, 1);
	tw_dap_free(d);
	r_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepare_copy_reprotect),
		cmocka_unit_test(test_erase_blank_compare),
		cmocka_unit_test(test_ids_and_unknown),
		cmocka_unit_test(test_hostile_tables),
		cmocka_unit_test(test_port_closed_at_crp),
		cmocka_unit_test(test_stub_reaches_iap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
