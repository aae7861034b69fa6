/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The twin's debug port on a bare memory bus: SW-DP wire decoding through the bit-level probe,
 * DP/MEM-AP semantics (posted reads, sticky FAULT, WAIT while the flash is busy, byte lanes,
 * auto-increment), the JTAG chain and JTAG-DP scans, remote_bitbang characters, and the
 * Cortex-M4 debug registers (halt, vector catch, lockup).
 * Sources: ADIv5.2 §B3, §B4, §C2; ARMv7-M §C1.6; probes.md §3-§5. */
#include "fk_test.h"

#include "debug/jtag_wire.h"
#include "debug/membus.h"
#include "debug/rbb.h"
#include "debug/swd_probe.h"

typedef struct rig {
	tw_membus *m;
	tw_dap *d;
	tw_swd *s;
	tw_swd_probe p;
	fk_ctx *ctx;
} rig;

static int rig_setup(void **state)
{
	rig *r = calloc(1, sizeof(*r));
	r->m = tw_membus_new();
	r->d = tw_dap_new(&tw_membus_bus, r->m);
	r->s = tw_swd_new(r->d);
	r->p = (tw_swd_probe){.swd = r->s, .dap = r->d, .idle_cycles = 2};
	r->ctx = fk_ctx_new();
	*state = r;
	return 0;
}

static int rig_teardown(void **state)
{
	rig *r = *state;
	tw_swd_free(r->s);
	tw_dap_free(r->d);
	tw_membus_free(r->m);
	fk_ctx_free(r->ctx);
	free(r);
	return 0;
}

/* One transaction through the wire; returns the ACK. */
static unsigned xfer(rig *r, int ap, int rnw, uint8_t addr, uint32_t *data)
{
	fk_dap_xfer x = {.ap = (uint8_t)ap, .rnw = (uint8_t)rnw, .addr = addr, .data = *data};
	unsigned done = 0;
	assert_int_equal(tw_swd_probe_ops.transfer(&r->p, r->ctx, &x, 1, &done), 0);
	*data = x.data;
	return x.ack;
}

static uint32_t rd(rig *r, int ap, uint8_t addr)
{
	uint32_t v = 0;
	assert_int_equal(xfer(r, ap, 1, addr, &v), FK_DAP_ACK_OK);
	return v;
}

static void wr(rig *r, int ap, uint8_t addr, uint32_t v)
{
	assert_int_equal(xfer(r, ap, 0, addr, &v), FK_DAP_ACK_OK);
}

static void line_reset(rig *r)
{
	static const uint8_t seq[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
	tw_swd_probe_ops.swj_sequence(&r->p, r->ctx, seq, 64);
}

static void jtag_to_swd(rig *r)
{
	static const uint8_t seq[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x9E, 0xE7};
	tw_swd_probe_ops.swj_sequence(&r->p, r->ctx, seq, 72);
	line_reset(r);
}

static void connect(rig *r)
{
	jtag_to_swd(r);
	assert_int_equal(rd(r, 0, FK_DP_DPIDR), TW_DAP_DPIDR_SWD);
	wr(r, 0, FK_DP_CTRL_STAT, 0x50000000u);
	assert_int_equal(rd(r, 0, FK_DP_CTRL_STAT) & 0xF0000000u, 0xF0000000u);
	wr(r, 0, FK_DP_SELECT, 0);
}

static void test_swd_needs_switch_and_line_reset(void **state)
{
	rig *r = *state;
	uint32_t v = 0;
	line_reset(r); /* still JTAG: nobody answers */
	assert_int_equal(xfer(r, 0, 1, FK_DP_DPIDR, &v), FK_DAP_ACK_NONE);
	jtag_to_swd(r);
	v = 0;
	assert_int_equal(xfer(r, 0, 1, FK_DP_CTRL_STAT, &v), FK_DAP_ACK_NONE); /* reset state */
	line_reset(r);
	assert_int_equal(rd(r, 0, FK_DP_DPIDR), 0x2BA01477u);
	assert_false(r->m->attached == false);
	assert_int_equal(rd(r, 0, FK_DP_CTRL_STAT), 0);
}

static void test_ap_idr_and_posted_reads(void **state)
{
	rig *r = *state;
	connect(r);
	wr(r, 0, FK_DP_SELECT, 0xF0);
	rd(r, 1, 0xC); /* posted: returns the previous result */
	assert_int_equal(rd(r, 0, FK_DP_RDBUFF), TW_DAP_AHBAP_IDR);
	rd(r, 1, 0x8);
	assert_int_equal(rd(r, 1, 0xC), TW_DAP_AHBAP_BASE); /* BASE posted by the IDR read */
	assert_int_equal(rd(r, 0, FK_DP_RDBUFF), TW_DAP_AHBAP_IDR);
}

static void test_mem_word_and_lanes(void **state)
{
	rig *r = *state;
	connect(r);
	wr(r, 1, 0x0, 0x23000012u); /* 32-bit, auto-increment */
	wr(r, 1, 0x4, 0x20000000u);
	wr(r, 1, 0xC, 0x11223344u);
	wr(r, 1, 0xC, 0x55667788u);
	assert_int_equal(rd(r, 1, 0x4), 0); /* posted: nothing was read before */
	assert_int_equal(rd(r, 0, FK_DP_RDBUFF), 0x20000008u);
	assert_int_equal(r->m->sram[4], 0x88);
	wr(r, 1, 0x0, 0x23000010u); /* 8-bit */
	wr(r, 1, 0x4, 0x20000001u);
	wr(r, 1, 0xC, 0x0000AB00u); /* lane 1 */
	assert_int_equal(r->m->sram[1], 0xAB);
	assert_int_equal(r->m->sram[0], 0x44);
	wr(r, 1, 0x0, 0x23000011u); /* 16-bit */
	wr(r, 1, 0x4, 0x20000006u);
	rd(r, 1, 0xC);
	assert_int_equal(rd(r, 0, FK_DP_RDBUFF), 0x55660000u);
}

static void test_tar_wraps_at_4k(void **state)
{
	rig *r = *state;
	connect(r);
	wr(r, 1, 0x0, 0x23000012u);
	wr(r, 1, 0x4, 0x20000FFCu);
	wr(r, 1, 0xC, 1);
	rd(r, 1, 0x4);
	assert_int_equal(rd(r, 0, FK_DP_RDBUFF), 0x20000000u);
}

static void test_wait_while_flash_busy(void **state)
{
	rig *r = *state;
	uint32_t v = 0;
	connect(r);
	r->m->write_ns = 100000; /* 100 us */
	wr(r, 1, 0x0, 0x23000012u);
	wr(r, 1, 0x4, 0x08000000u);
	wr(r, 1, 0xC, 0xCAFEF00Du); /* starts "programming" */
	assert_int_equal(xfer(r, 1, 0, 0xC, &v), FK_DAP_ACK_OK); /* accepted, stalls in the AP */
	assert_int_equal(xfer(r, 0, 1, FK_DP_RDBUFF, &v), FK_DAP_ACK_WAIT);
	assert_int_equal(xfer(r, 0, 1, FK_DP_CTRL_STAT, &v), FK_DAP_ACK_OK); /* exempt */
	unsigned n = 0;
	while (xfer(r, 0, 1, FK_DP_RDBUFF, &v) == FK_DAP_ACK_WAIT)
		n++;
	/* 100 us at 4 MHz = 400 cycles; the probe idles 8, 16, 32... cycles after each WAIT */
	assert_true(n >= 3 && n <= 8);
	assert_true(tw_dap_now_ns(r->d) >= 100000);
}

/* A write left pending by a busy flash is carried out by the AP the moment the bus frees, not
 * when the debugger next asks: with only DP traffic (exempt from WAIT) on the wire, the second
 * "programming" still starts exactly when the first one ends. */
static void test_pending_completes_when_bus_frees(void **state)
{
	rig *r = *state;
	uint32_t v = 0;
	connect(r);
	r->m->write_ns = 100000; /* 100 us */
	wr(r, 1, 0x0, 0x23000012u);
	wr(r, 1, 0x4, 0x08000000u);
	assert_int_equal(xfer(r, 1, 0, 0xC, &v), FK_DAP_ACK_OK); /* starts "programming" */
	uint64_t first_end = r->m->busy_until_ns;
	assert_int_equal(xfer(r, 1, 0, 0xC, &v), FK_DAP_ACK_OK); /* accepted, pending in the AP */
	while (tw_dap_now_ns(r->d) < first_end + 50000)
		assert_int_equal(xfer(r, 0, 1, FK_DP_CTRL_STAT, &v), FK_DAP_ACK_OK);
	assert_int_equal(r->m->busy_until_ns, first_end + 100000);
	assert_int_equal(rd(r, 0, FK_DP_RDBUFF), 0); /* done: no WAIT */
}

static void test_fault_is_sticky_until_abort(void **state)
{
	rig *r = *state;
	uint32_t v = 0;
	connect(r);
	r->m->read_protect = true;
	wr(r, 1, 0x0, 0x23000012u);
	wr(r, 1, 0x4, 0x08000000u);
	assert_int_equal(xfer(r, 1, 1, 0xC, &v), FK_DAP_ACK_OK); /* posted: accepted */
	assert_int_equal(xfer(r, 0, 1, FK_DP_RDBUFF, &v), FK_DAP_ACK_FAULT);
	assert_int_equal(xfer(r, 1, 1, 0x4, &v), FK_DAP_ACK_FAULT);
	assert_true(rd(r, 0, FK_DP_CTRL_STAT) & (1u << 5)); /* STICKYERR */
	wr(r, 0, FK_DP_ABORT, 0x4);                          /* STKERRCLR */
	assert_false(rd(r, 0, FK_DP_CTRL_STAT) & (1u << 5));
	rd(r, 1, 0x4);
	assert_int_equal(rd(r, 0, FK_DP_RDBUFF), 0x08000000u); /* TAR did not advance */
}

static void test_unreachable_port(void **state)
{
	rig *r = *state;
	uint32_t v = 0;
	r->m->unreachable = true;
	jtag_to_swd(r);
	assert_int_equal(xfer(r, 0, 1, FK_DP_DPIDR, &v), FK_DAP_ACK_NONE);
	assert_false(r->m->attached);
}

static void test_bad_request_parity_gets_no_ack(void **state)
{
	rig *r = *state;
	connect(r);
	/* DPIDR read with the parity bit flipped: 0xA5 ^ 0x20 */
	uint64_t req = 0x85;
	for (unsigned i = 0; i < 8; i++)
		tw_swd_cycle(r->s, (int)((req >> i) & 1u));
	tw_swd_cycle(r->s, -1);
	unsigned ack = 0;
	for (unsigned i = 0; i < 3; i++)
		ack |= (unsigned)tw_swd_cycle(r->s, -1) << i;
	assert_int_equal(ack, 7);
	line_reset(r); /* recovers */
	assert_int_equal(rd(r, 0, FK_DP_DPIDR), TW_DAP_DPIDR_SWD);
}

/* ---- Cortex-M4 ---- */

static void mem_w32(rig *r, uint32_t addr, uint32_t v)
{
	wr(r, 1, 0x4, addr);
	wr(r, 1, 0xC, v);
}

static uint32_t mem_r32(rig *r, uint32_t addr)
{
	wr(r, 1, 0x4, addr);
	rd(r, 1, 0xC);
	return rd(r, 0, FK_DP_RDBUFF);
}

static void test_cm4_halt_and_vector_catch(void **state)
{
	rig *r = *state;
	connect(r);
	wr(r, 1, 0x0, 0x23000002u);
	assert_int_equal(mem_r32(r, 0xE000ED00u), 0x410FC241u);
	uint32_t dhcsr = mem_r32(r, 0xE000EDF0u);
	assert_true(dhcsr & (1u << 24)); /* running: S_RETIRE_ST */
	assert_false(dhcsr & (1u << 17));
	mem_w32(r, 0xE000EDF0u, 0x00000003u); /* no key: ignored */
	assert_false(mem_r32(r, 0xE000EDF0u) & (1u << 17));
	mem_w32(r, 0xE000EDF0u, 0xA05F0003u);
	assert_true(mem_r32(r, 0xE000EDF0u) & (1u << 17));
	/* vector table: SP 0x20001000, reset handler 0x08000101 */
	memcpy(r->m->flash, "\x00\x10\x00\x20\x01\x01\x00\x08", 8);
	mem_w32(r, 0xE000EDFCu, 0x01000001u); /* DEMCR: TRCENA | VC_CORERESET */
	mem_w32(r, 0xE000ED0Cu, 0x05FA0004u); /* SYSRESETREQ */
	assert_int_equal(r->m->system_resets, 1);
	dhcsr = mem_r32(r, 0xE000EDF0u);
	assert_int_equal(dhcsr & 0x020B0000u, 0x02030000u); /* S_RESET_ST|S_HALT|S_REGRDY */
	assert_false(mem_r32(r, 0xE000EDF0u) & (1u << 25)); /* cleared by the read */
	assert_int_equal(mem_r32(r, 0xE000ED30u) & 8u, 8u);  /* DFSR.VCATCH */
	mem_w32(r, 0xE000EDF4u, 15);                         /* DCRSR: read PC */
	assert_int_equal(mem_r32(r, 0xE000EDF8u), 0x08000100u);
	mem_w32(r, 0xE000EDF4u, 16);
	assert_int_equal(mem_r32(r, 0xE000EDF8u), 0x01000000u);
	mem_w32(r, 0xE000EDF0u, 0xA05F0001u); /* resume */
	assert_false(mem_r32(r, 0xE000EDF0u) & (1u << 17));
}

static void test_cm4_lockup_on_protected_flash(void **state)
{
	rig *r = *state;
	connect(r);
	r->m->read_protect = true; /* and a debugger is attached: fetches fail */
	wr(r, 1, 0x0, 0x23000002u);
	mem_w32(r, 0xE000ED0Cu, 0x05FA0004u);
	uint32_t dhcsr = mem_r32(r, 0xE000EDF0u);
	assert_true(dhcsr & (1u << 19)); /* S_LOCKUP */
	assert_false(dhcsr & (1u << 17));
	mem_w32(r, 0xE000EDF0u, 0xA05F0003u); /* halting leaves lockup */
	dhcsr = mem_r32(r, 0xE000EDF0u);
	assert_true(dhcsr & (1u << 17));
	assert_false(dhcsr & (1u << 19));
}

static void test_fpb_and_rom_table(void **state)
{
	rig *r = *state;
	connect(r);
	wr(r, 1, 0x0, 0x23000002u);
	assert_int_equal(mem_r32(r, 0xE0002000u), 0x260u);
	mem_w32(r, 0xE0002000u, 3);
	assert_int_equal(mem_r32(r, 0xE0002000u), 0x261u);
	assert_int_equal(mem_r32(r, 0xE0001000u) >> 28, 4u);
	assert_int_equal(mem_r32(r, 0xE0001FBCu), 0);
	assert_int_equal(mem_r32(r, 0xE00FF000u), 0xFFF0F003u);
	assert_int_equal(mem_r32(r, 0xE00FFFF4u), 0x10u); /* CIDR1: class 1, ROM table */
	assert_int_equal(mem_r32(r, 0xE000EFF4u), 0xE0u); /* SCS CIDR1: class 0xE */
	assert_int_equal(mem_r32(r, 0xE000EFE0u), 0x0Cu); /* SCS PIDR0 */
}

/* ---- JTAG ---- */

static uint64_t jtag_shift(tw_jtag *j, uint64_t out, unsigned n)
{
	uint64_t in = 0;
	for (unsigned i = 0; i < n; i++) {
		in |= (uint64_t)tw_jtag_tdo(j) << i;
		tw_jtag_clock(j, i == n - 1, (int)((out >> i) & 1u));
	}
	tw_jtag_clock(j, 1, 0); /* Exit1 -> Update */
	tw_jtag_clock(j, 0, 0); /* -> Run-Test/Idle */
	return in;
}

static uint64_t jtag_ir(tw_jtag *j, unsigned cpu_ir)
{
	tw_jtag_clock(j, 1, 0);
	tw_jtag_clock(j, 1, 0);
	tw_jtag_clock(j, 0, 0);
	tw_jtag_clock(j, 0, 0);
	return jtag_shift(j, cpu_ir | (0x1Fu << 4), 9); /* bs in BYPASS */
}

static uint64_t jtag_dr(tw_jtag *j, uint64_t out, unsigned n)
{
	tw_jtag_clock(j, 1, 0);
	tw_jtag_clock(j, 0, 0);
	tw_jtag_clock(j, 0, 0);
	return jtag_shift(j, out, n);
}

static uint32_t jtag_acc(tw_jtag *j, int rnw, uint8_t addr, uint32_t data, unsigned *ack)
{
	uint64_t v = jtag_dr(j, (uint64_t)data << 3 | (addr >> 2) << 1 | (unsigned)rnw, 36);
	*ack = (unsigned)(v & 7u);
	return (uint32_t)(v >> 3);
}

static void test_jtag_chain_and_dpacc(void **state)
{
	rig *r = *state;
	tw_jtag *j = tw_jtag_new(r->d);
	unsigned ack;
	for (int i = 0; i < 5; i++)
		tw_jtag_clock(j, 1, 0);
	tw_jtag_clock(j, 0, 0);
	uint64_t ids = jtag_dr(j, ~0ull, 64); /* IDCODE in both TAPs after reset */
	assert_int_equal((uint32_t)ids, TW_DAP_IDCODE_JTAG);
	assert_int_equal((uint32_t)(ids >> 32), TW_JTAG_BS_IDCODE);
	assert_int_equal(jtag_ir(j, 0xA) & 0x1FFu, 0x1u | (0x1u << 4)); /* IR captures */
	jtag_acc(j, 0, 0x4, 0x50000000u, &ack);       /* DPACC write CTRL/STAT (bs bypass: +1) */
	jtag_acc(j, 1, 0x4, 0, &ack);                  /* read, posted */
	uint32_t v = jtag_acc(j, 1, 0xC, 0, &ack);     /* RDBUFF */
	assert_int_equal(ack, 2);
	assert_int_equal(v & 0xF0000000u, 0xF0000000u);
	jtag_acc(j, 0, 0x8, 0xF0, &ack); /* SELECT bank 0xF */
	jtag_ir(j, 0xB);
	jtag_acc(j, 1, 0xC, 0, &ack); /* APACC IDR */
	jtag_ir(j, 0xA);
	v = jtag_acc(j, 1, 0xC, 0, &ack);
	assert_int_equal(v, TW_DAP_AHBAP_IDR);
	tw_jtag_free(j);
}

static void test_rbb_characters(void **state)
{
	rig *r = *state;
	tw_jtag *j = tw_jtag_new(r->d);
	tw_rbb rb;
	uint8_t out[512];
	char in[512];
	size_t n = 0, used;
	tw_rbb_init(&rb, j, r->d);
	/* TLR (5x TMS=1), RTI, Select-DR, Capture-DR, Shift-DR, then read 32 bits of IDCODE. */
	const char *pre = "262626262604260404";
	memcpy(in, pre, strlen(pre));
	n = strlen(pre);
	for (int i = 0; i < 32; i++) {
		in[n++] = '0';
		in[n++] = 'R';
		in[n++] = '4';
	}
	in[n++] = 'B';
	in[n++] = 'Q';
	in[n++] = '0'; /* after Q: not consumed */
	size_t o = tw_rbb_feed(&rb, (const uint8_t *)in, n, out, &used);
	assert_int_equal(o, 32);
	assert_true(rb.quit);
	assert_int_equal(used, n - 1);
	uint32_t id = 0;
	for (int i = 0; i < 32; i++)
		id |= (uint32_t)(out[i] - '0') << i;
	assert_int_equal(id, TW_DAP_IDCODE_JTAG);
	assert_int_equal(rb.bad, 0);
	tw_jtag_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_swd_needs_switch_and_line_reset, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_ap_idr_and_posted_reads, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_mem_word_and_lanes, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_tar_wraps_at_4k, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_wait_while_flash_busy, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_pending_completes_when_bus_frees, rig_setup,
						rig_teardown),
		cmocka_unit_test_setup_teardown(test_fault_is_sticky_until_abort, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_unreachable_port, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_bad_request_parity_gets_no_ack, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_cm4_halt_and_vector_catch, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_cm4_lockup_on_protected_flash, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_fpb_and_rom_table, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_jtag_chain_and_dpacc, rig_setup, rig_teardown),
		cmocka_unit_test_setup_teardown(test_rbb_characters, rig_setup, rig_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
