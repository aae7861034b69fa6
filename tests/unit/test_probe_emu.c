/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The probe drivers (lib/probe) against the packet-level emulators (twin/probe) on the twin's
 * DP/AP core over a bare memory bus: every ST-LINK and CMSIS-DAP kind moves data both ways,
 * reports bus faults with the address, streams flash writes through bus stalls (WAIT), says
 * "target not powered" first, and reports a probe unplugged in the middle of a write. */
#include "fk_test.h"

#include "core/core.h"
#include "debug/dap_mem.h"
#include "fktwin/fktwin.h"
#include "probe/probe_emu.h"
#include "probe/targets.h"

static bool tgt_powered = true;

/* The bare bus, with a power switch (membus is always powered). */
static tw_dap_bus powered_bus;
static bool tb_powered(void *h)
{
	(void)h;
	return tgt_powered;
}

static void tb_release(tw_probe_target *t, fk_ctx *ctx)
{
	(void)ctx;
	tw_dap_free(t->dap);
}

static int tb_open(fk_ctx *ctx, const char *arg, tw_probe_target *out)
{
	(void)arg;
	powered_bus = tw_membus_bus;
	powered_bus.powered = tb_powered;
	out->bus = &powered_bus;
	out->bus_h = tw_probe_membus();
	out->dap = tw_dap_new(out->bus, out->bus_h);
	out->release = tb_release;
	return out->dap ? FK_OK : fk_fail(ctx, FK_E_NOMEM, "dap");
}

static int plug(tw_probe_kind kind, unsigned gone_after)
{
	tw_usb_plug_opts o = {.kind = kind, .open = tb_open, .arg = "test",
			      .gone_after = gone_after};
	fk_ctx *ctx = fk_ctx_new();
	int slot = tw_usb_plug(ctx, &o);
	fk_ctx_free(ctx);
	assert_true(slot >= 0);
	return slot;
}

static int open_mem(fk_ctx *ctx, tw_probe_kind kind, int slot, fk_transport *t)
{
	char conn[96];
	fk_conn_opts o = {0};
	o.reset_mode = -1;
	o.swd_khz = 4000;
	snprintf(conn, sizeof conn, "%s:%s", kind <= TW_PROBE_STLINK_V3 ? "stlink" : "cmsis-dap",
		 tw_usb_serial(slot));
	int rc = fk_transport_open(ctx, conn, &o, t);
	if (rc == FK_OK)
		rc = dbgmem_wrap(ctx, t, &o); /* CMSIS-DAP: ADIv5 over the raw DAP transport */
	return rc;
}

static int setup(void **state)
{
	(void)state;
	fk_register_builtin_backends();
	fktwin_register_backends();
	tw_probe_membus_reset();
	tgt_powered = true;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tw_usb_unplug_all();
	return 0;
}

static void roundtrip(tw_probe_kind kind)
{
	int slot = plug(kind, 0);
	fk_ctx *ctx = fk_ctx_new();
	fk_transport t;
	char msg[FK_CHAIN_MSG_MAX];
	int rc = open_mem(ctx, kind, slot, &t);
	if (rc)
		fail_msg("%s: %s", tw_probe_kind_name(kind), fk_ctx_message(ctx, msg, sizeof msg));
	const fk_mem_ops *m = t.ops;
	static uint8_t out[3000], in[3000];
	for (unsigned i = 0; i < sizeof out; i++)
		out[i] = (uint8_t)(i * 7 + kind);
	assert_int_equal(m->write(t.handle, ctx, 0x20000100u, out, sizeof out, 4), FK_OK);
	assert_int_equal(m->read(t.handle, ctx, 0x20000100u, in, sizeof in, 4), FK_OK);
	assert_memory_equal(in, out, sizeof out);
	assert_int_equal(m->write(t.handle, ctx, 0x20002001u, out, 5, 1), FK_OK);
	assert_int_equal(m->read(t.handle, ctx, 0x20002000u, in, 8, 2), FK_OK);
	assert_memory_equal(in + 1, out, 5);
	assert_int_equal(tw_probe_membus()->sram[0x2003], out[2]);
	/* a hole in the map: bus fault naming the address */
	rc = m->read(t.handle, ctx, 0x60000000u, in, 8, 4);
	if (rc != FK_E_BUS_FAULT)
		fail_msg("%s: fault: %s", tw_probe_kind_name(kind), fk_ctx_message(ctx, msg, sizeof msg));
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "0x6000000"));
	/* flash stalls the bus 16 us after each word: the stream waits, nothing is lost */
	tw_probe_membus()->write_ns = 16000;
	uint64_t t0 = m->virtual_ns(t.handle);
	rc = m->write(t.handle, ctx, 0x08000000u, out, 2048, 4);
	if (rc)
		fail_msg("%s: flash: %s", tw_probe_kind_name(kind), fk_ctx_message(ctx, msg, sizeof msg));
	uint64_t dt = m->virtual_ns(t.handle) - t0;
	assert_memory_equal(tw_probe_membus()->flash, out, 2048);
	assert_true(dt >= 512u * 16000u); /* at least the flash time of 512 words */
	tw_probe_membus()->write_ns = 0;
	fk_transport_close(&t);
	fk_ctx_free(ctx);
}

static void test_stlink_v2(void **state)
{
	(void)state;
	roundtrip(TW_PROBE_STLINK_V2);
}

static void test_stlink_v21(void **state)
{
	(void)state;
	roundtrip(TW_PROBE_STLINK_V21);
}

static void test_stlink_v3(void **state)
{
	(void)state;
	roundtrip(TW_PROBE_STLINK_V3);
}

static void test_dap_v2(void **state)
{
	(void)state;
	roundtrip(TW_PROBE_DAP_V2);
}

static void test_dap_v1(void **state)
{
	(void)state;
	roundtrip(TW_PROBE_DAP_V1);
}

/* Target voltage below 1.7 V: reported before anything else, exit class "no connection". */
static void test_not_powered(void **state)
{
	(void)state;
	int slot = plug(TW_PROBE_STLINK_V2, 0);
	tgt_powered = false;
	fk_ctx *ctx = fk_ctx_new();
	fk_transport t;
	char msg[FK_CHAIN_MSG_MAX];
	assert_int_equal(open_mem(ctx, TW_PROBE_STLINK_V2, slot, &t), FK_E_NO_POWER);
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "target not powered"));
	assert_int_equal(fk_error_exit_code(FK_E_NO_POWER), FK_EXIT_CONNECT);
	fk_ctx_free(ctx);
}

/* A debug port that does not answer: the ST-LINK says so and suggests connect-under-reset. */
static void test_unreachable(void **state)
{
	(void)state;
	int slot = plug(TW_PROBE_STLINK_V3, 0);
	tw_probe_membus()->unreachable = true;
	fk_ctx *ctx = fk_ctx_new();
	fk_transport t;
	assert_int_equal(open_mem(ctx, TW_PROBE_STLINK_V3, slot, &t), FK_E_CONNECT);
	assert_non_null(strstr(fk_ctx_hint(ctx), "under-reset"));
	tw_probe_membus()->unreachable = false;
	fk_ctx_free(ctx);
}

/* The probe vanishes in the middle of a write: reported as such, not as success. */
static void test_gone(void **state)
{
	(void)state;
	for (int k = TW_PROBE_STLINK_V2; k <= TW_PROBE_DAP_V1; k += 3) { /* ST-LINK V2, DAP v2 */
		tw_usb_unplug_all();
		int slot = plug((tw_probe_kind)k, 0);
		fk_ctx *ctx = fk_ctx_new();
		fk_transport t;
		assert_int_equal(open_mem(ctx, (tw_probe_kind)k, slot, &t), FK_OK);
		tw_usb_set_gone_after(slot, (unsigned)tw_usb_transfers(slot) + 7);
		static uint8_t buf[32768];
		const fk_mem_ops *m = t.ops;
		int rc = m->write(t.handle, ctx, 0x20000000u, buf, sizeof buf, 4);
		char msg[FK_CHAIN_MSG_MAX];
		fk_ctx_message(ctx, msg, sizeof msg);
		assert_int_equal(rc, FK_E_DEVICE_GONE);
		assert_non_null(strstr(msg, "unplugged"));
		fk_transport_close(&t);
		fk_ctx_free(ctx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stlink_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stlink_v21, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stlink_v3, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dap_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dap_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_powered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreachable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
