/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/debug (ADIv5 DP/MEM-AP client, Cortex-M sequences, the DAP-to-MEM glue) against the twin's
 * debug port at the wire level (bit-level SWD probe over a bare memory bus): posted reads,
 * 1 KiB block splitting, byte lanes, WAIT retried within a time bound, FAULT turned into
 * FK_E_BUS_FAULT with the failing address, no answer, halt, reset with vector catch, NRST,
 * connect under reset and a locked-up core. */
#include "fk_test.h"

#include "debug/adiv5.h"
#include "debug/cortex_m.h"
#include "debug/dap_mem.h"
#include "debug/membus.h"
#include "debug/swd_probe.h"

typedef struct rig {
	tw_membus *m;
	tw_dap *d;
	tw_swd *s;
	tw_swd_probe p;
	adi_dap adi;
	cm_target cm;
	fk_ctx *ctx;
	char log[2048];
} rig;

static void rig_log(void *user, fk_log_level lvl, unsigned cat, const char *msg)
{
	rig *r = user;
	(void)lvl;
	(void)cat;
	fk_snprintf_cat(r->log, sizeof(r->log), "%s\n", msg);
}

static int rig_setup(void **state)
{
	rig *r = calloc(1, sizeof(*r));
	r->m = tw_membus_new();
	r->d = tw_dap_new(&tw_membus_bus, r->m);
	r->s = tw_swd_new(r->d);
	r->p = (tw_swd_probe){.swd = r->s, .dap = r->d, .idle_cycles = 2};
	r->ctx = fk_ctx_new();
	fk_ctx_set_log(r->ctx, rig_log, r, FK_LOG_DEBUG);
	adi_init(&r->adi, &tw_swd_probe_ops, &r->p);
	cm_init(&r->cm, &r->adi);
	/* vector table: SP 0x20001000, reset handler 0x08000101 */
	memcpy(r->m->flash, "\x00\x10\x00\x20\x01\x01\x00\x08", 8);
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

static const char *msg(rig *r)
{
	static char buf[FK_CHAIN_MSG_MAX];
	return fk_ctx_message(r->ctx, buf, sizeof(buf));
}

static void test_connect_reads_ids(void **state)
{
	rig *r = *state;
	assert_int_equal(adi_connect(&r->adi, r->ctx), 0);
	assert_int_equal(r->adi.dpidr, 0x2BA01477u);
	assert_int_equal(r->adi.ap_idr, 0x24770011u);
	assert_true(r->m->attached);
	assert_int_equal(cm_examine(&r->cm, r->ctx), 0);
	assert_string_equal(r->cm.core, "Cortex-M4");
}

static void test_block_transfers_all_widths(void **state)
{
	rig *r = *state;
	uint8_t out[3000], in[3000];
	assert_int_equal(adi_connect(&r->adi, r->ctx), 0);
	for (unsigned i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 3);
	/* crosses two 1 KiB auto-increment blocks and the twin's 4 KiB wrap at 0x20001000 */
	assert_int_equal(adi_mem_write(&r->adi, r->ctx, 0x200003F0u, out, 3000, 4), 0);
	assert_memory_equal(&r->m->sram[0x3F0], out, 3000);
	memset(in, 0, sizeof(in));
	assert_int_equal(adi_mem_read(&r->adi, r->ctx, 0x200003F0u, in, 3000, 4), 0);
	assert_memory_equal(in, out, 3000);
	assert_int_equal(adi_mem_write(&r->adi, r->ctx, 0x20000FF7u, out, 17, 1), 0);
	assert_memory_equal(&r->m->sram[0xFF7], out, 17);
	assert_int_equal(adi_mem_read(&r->adi, r->ctx, 0x20000FF6u, in, 20, 2), 0);
	assert_memory_equal(in, &r->m->sram[0xFF6], 20);
	assert_int_equal(adi_mem_read(&r->adi, r->ctx, 0x20000FF5u, in, 9, 1), 0);
	assert_memory_equal(in, &r->m->sram[0xFF5], 9);
	assert_int_equal(adi_mem_read(&r->adi, r->ctx, 0x20000002u, in, 4, 4), FK_E_INVALID_ARG);
}

static void test_wait_is_retried(void **state)
{
	rig *r = *state;
	uint32_t v = 0;
	assert_int_equal(adi_connect(&r->adi, r->ctx), 0);
	r->m->write_ns = 50000; /* each flash write stalls the bus for 50 us */
	assert_int_equal(adi_write32(&r->adi, r->ctx, 0x08000100u, 0x12345678u), 0);
	assert_int_equal(adi_write32(&r->adi, r->ctx, 0x08000104u, 0x9ABCDEF0u), 0);
	assert_int_equal(adi_read32(&r->adi, r->ctx, 0x08000104u, &v), 0);
	assert_int_equal(v, 0x9ABCDEF0u);
	assert_true(r->adi.waits > 0);
}

static void test_wait_forever_times_out(void **state)
{
	rig *r = *state;
	uint32_t v;
	assert_int_equal(adi_connect(&r->adi, r->ctx), 0);
	r->adi.wait_ns = 20000000u; /* 20 ms of wire time */
	r->m->stall_forever = true;
	uint64_t t0 = tw_dap_now_ns(r->d);
	assert_int_equal(adi_read32(&r->adi, r->ctx, 0x20000000u, &v), FK_E_TIMEOUT);
	uint64_t spent = tw_dap_now_ns(r->d) - t0;
	assert_true(spent >= 20000000u && spent < 40000000u);
	assert_non_null(strstr(msg(r), "WAIT for 20 ms"));
	r->m->stall_forever = false;
	assert_int_equal(adi_read32(&r->adi, r->ctx, 0x20000000u, &v), 0); /* recovers */
}

static void test_fault_names_the_address(void **state)
{
	rig *r = *state;
	uint8_t buf[64];
	assert_int_equal(adi_connect(&r->adi, r->ctx), 0);
	r->m->read_protect = true;
	assert_int_equal(adi_mem_read(&r->adi, r->ctx, 0x08000000u, buf, 64, 4), FK_E_BUS_FAULT);
	assert_non_null(strstr(msg(r), "32-bit read at 0x08000000: bus error"));
	assert_non_null(strstr(msg(r), "STICKYERR"));
	fk_ctx_clear(r->ctx);
	/* a fault in the middle of a block: SRAM ends at 0x20020000 */
	assert_int_equal(adi_mem_read(&r->adi, r->ctx, 0x2001FFF0u, buf, 32, 4), FK_E_BUS_FAULT);
	assert_non_null(strstr(msg(r), "at 0x20020000"));
	/* sticky flags were cleared: the port works again */
	assert_int_equal(adi_mem_read(&r->adi, r->ctx, 0x20000000u, buf, 64, 4), 0);
}

static void test_fault_everywhere_and_write_fault(void **state)
{
	rig *r = *state;
	uint8_t buf[16] = {0};
	assert_int_equal(adi_connect(&r->adi, r->ctx), 0);
	r->m->fault_all = true;
	assert_int_equal(adi_mem_write(&r->adi, r->ctx, 0x20000000u, buf, 16, 4), FK_E_BUS_FAULT);
	assert_non_null(strstr(msg(r), "write at 0x20000000"));
	assert_int_equal(adi_mem_read(&r->adi, r->ctx, 0x20000000u, buf, 16, 2), FK_E_BUS_FAULT);
	assert_true(r->adi.faults >= 2);
}

static void test_no_answer(void **state)
{
	rig *r = *state;
	r->m->unreachable = true;
	assert_int_equal(adi_connect(&r->adi, r->ctx), FK_E_CONNECT);
	assert_non_null(strstr(msg(r), "no answer from the target (ACK 0b111)"));
	/* silence cannot tell RDP level 2 from no power/wiring: exit 3, every cause named */
	assert_non_null(strstr(msg(r), "no power, no wiring"));
	assert_non_null(strstr(msg(r), "debug off for good (RDP level 2"));
	assert_non_null(strstr(fk_ctx_hint(r->ctx), "off at RDP 2 too"));
	assert_non_null(strstr(fk_ctx_hint(r->ctx), "flashkey doctor"));
}

static void test_halt_and_reset_with_vector_catch(void **state)
{
	rig *r = *state;
	uint32_t pc = 0, dhcsr = 0;
	assert_int_equal(cm_connect(&r->cm, r->ctx, CM_CONNECT_NORMAL), 0);
	assert_false(tw_dap_halted(r->d));
	assert_int_equal(cm_halt(&r->cm, r->ctx), 0);
	assert_true(tw_dap_halted(r->d));
	assert_int_equal(cm_reset(&r->cm, r->ctx, FK_RESET_SYSTEM, true), 0);
	assert_int_equal(r->m->system_resets, 1);
	assert_true(tw_dap_halted(r->d));
	assert_int_equal(cm_read_reg(&r->cm, r->ctx, 15, &pc), 0);
	assert_int_equal(pc, 0x08000100u);
	assert_int_equal(cm_resume(&r->cm, r->ctx), 0);
	assert_int_equal(cm_read_dhcsr(&r->cm, r->ctx, &dhcsr), 0);
	assert_false(dhcsr & CM_DHCSR_S_HALT);
	assert_int_equal(cm_reset(&r->cm, r->ctx, FK_RESET_HARDWARE, true), 0);
	assert_int_equal(r->m->nrst_pulses, 1);
	assert_true(tw_dap_halted(r->d));
	assert_int_equal(cm_reset(&r->cm, r->ctx, FK_RESET_POWER_CYCLE, true), FK_E_UNSUPPORTED);
}

static void test_connect_under_reset(void **state)
{
	rig *r = *state;
	assert_int_equal(cm_connect(&r->cm, r->ctx, CM_CONNECT_UNDER_RESET), 0);
	assert_int_equal(r->m->nrst_pulses, 1);
	assert_true(tw_dap_halted(r->d));
	assert_int_equal(tw_dap_core_reg(r->d, 15), 0x08000100u);
}

static void test_lockup_is_explained(void **state)
{
	rig *r = *state;
	assert_int_equal(cm_connect(&r->cm, r->ctx, CM_CONNECT_NORMAL), 0);
	r->m->read_protect = true; /* the core cannot fetch its vectors with a debugger attached */
	assert_int_equal(cm_reset(&r->cm, r->ctx, FK_RESET_SYSTEM, false), 0);
	assert_true(tw_dap_locked_up(r->d));
	assert_non_null(strstr(r->log, "locked up (DHCSR.S_LOCKUP=1)"));
	r->log[0] = 0;
	assert_int_equal(cm_halt(&r->cm, r->ctx), 0); /* debug state entry leaves lockup */
	assert_non_null(strstr(r->log, "locked up"));
	assert_false(tw_dap_locked_up(r->d));
}

static void test_dap_transport_becomes_mem(void **state)
{
	rig *r = *state;
	fk_transport t = {.kind = FK_TRANSPORT_DAP, .ops = &tw_swd_probe_ops, .handle = &r->p};
	fk_conn_opts o = {.reset_mode = -1, .swd_khz = 1000};
	fk_strlcpy(t.description, "test wire", sizeof(t.description));
	assert_int_equal(dbgmem_wrap(r->ctx, &t, &o), 0);
	assert_int_equal(t.kind, FK_TRANSPORT_MEM);
	/* the wrap leaves the core as it was; the path halts it after reading DHCSR (class 12) */
	assert_false(tw_dap_halted(r->d));
	const fk_mem_ops *ops = t.ops;
	assert_int_equal(ops->halt(t.handle, r->ctx), 0);
	assert_true(tw_dap_halted(r->d));
	uint8_t b[8];
	assert_int_equal(ops->read(t.handle, r->ctx, 0x08000000u, b, 8, 4), 0);
	assert_memory_equal(b, r->m->flash, 8);
	assert_int_equal(ops->reset(t.handle, r->ctx, FK_RESET_SYSTEM), 0);
	assert_true(tw_dap_halted(r->d));
	assert_true(ops->virtual_ns(t.handle) > 0);
	fk_transport_close(&t); /* frees the session; the wrapped DAP transport has no close */
	assert_int_equal(t.kind, FK_TRANSPORT_NONE);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, rig_setup, rig_teardown)
	const struct CMUnitTest tests[] = {
		T(test_connect_reads_ids),
		T(test_block_transfers_all_widths),
		T(test_wait_is_retried),
		T(test_wait_forever_times_out),
		T(test_fault_names_the_address),
		T(test_fault_everywhere_and_write_fault),
		T(test_no_answer),
		T(test_halt_and_reset_with_vector_catch),
		T(test_connect_under_reset),
		T(test_lockup_is_explained),
		T(test_dap_transport_becomes_mem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
