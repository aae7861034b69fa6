/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/stlink: reply decoders against the documented layouts, and the driver's byte stream
 * against a scripted device (probes.md §2: GET_VERSION big-endian word, 16-byte blocks, status
 * 0x80, 1-byte READMEM_8BIT answering 2 bytes, GETLASTRWSTATUS2 with the fault address, the
 * OpenOCD 0.12 connect sequence of §2.8, target voltage first). */
#include "fk_test.h"

#include "core/core.h"
#include "fake_usb.h"
#include "probe/stlink.h"

/* ---- decoders ---- */

static void test_version_v2(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	stlink_version v;
	/* 0x2947 = V2 J37 S7, VID 0483, PID 3748 */
	const uint8_t r[] = {0x29, 0x47, 0x83, 0x04, 0x48, 0x37};
	assert_int_equal(stlink_parse_version(ctx, r, sizeof r, 0x3748, &v), FK_OK);
	assert_int_equal(v.hw, 2);
	assert_int_equal(v.jtag, 37);
	assert_int_equal(v.swim, 7);
	assert_int_equal(v.vid, 0x0483);
	assert_int_equal(v.pid, 0x3748);
	char s[24];
	stlink_version_string(&v, 0x3748, s, sizeof s);
	assert_string_equal(s, "V2J37S7");
	/* the same word on a V2-1 is JxMy */
	assert_int_equal(stlink_parse_version(ctx, r, sizeof r, 0x374B, &v), FK_OK);
	assert_int_equal(v.msd, 7);
	stlink_version_string(&v, 0x374B, s, sizeof s);
	assert_string_equal(s, "V2J37M7");
	unsigned f = stlink_features(&v);
	assert_true(f & STLINK_F_MEM_16BIT);
	assert_true(f & STLINK_F_INIT_AP);
	assert_false(f & STLINK_F_COM_FREQ);
	/* short reply names the command */
	char msg[FK_CHAIN_MSG_MAX];
	assert_int_equal(stlink_parse_version(ctx, r, 5, 0x3748, &v), FK_E_PROTOCOL);
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "GET_VERSION"));
	fk_ctx_free(ctx);
}

static void test_version_gates(void **state)
{
	(void)state;
	stlink_version v = {.hw = 2, .jtag = 25};
	unsigned f = stlink_features(&v);
	assert_true(f & STLINK_F_VOLTAGE);
	assert_true(f & STLINK_F_SWD_SET_FREQ);
	assert_false(f & STLINK_F_MEM_16BIT); /* J26 */
	v.jtag = 12;
	assert_false(stlink_features(&v) & STLINK_F_VOLTAGE); /* J13 */
	v.jtag = 14;
	assert_false(stlink_features(&v) & STLINK_F_RW_STATUS2); /* J15 */
	stlink_version v3 = {.hw = 3, .jtag = 5};
	assert_false(stlink_features(&v3) & STLINK_F_RW8_512); /* V3 J6 */
	v3.jtag = 6;
	assert_true(stlink_features(&v3) & STLINK_F_RW8_512);
}

static void test_version_ex_v3(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	stlink_version v;
	const uint8_t r[] = {3, 1, 7, 2, 3, 0, 0, 0, 0x83, 0x04, 0x4F, 0x37};
	assert_int_equal(stlink_parse_version_ex(ctx, r, sizeof r, &v), FK_OK);
	char s[24];
	stlink_version_string(&v, 0x374F, s, sizeof s);
	assert_string_equal(s, "V3J7M2B3S1");
	assert_int_equal(v.pid, 0x374F);
	assert_int_equal(stlink_parse_version_ex(ctx, r, 11, &v), FK_E_PROTOCOL);
	fk_ctx_free(ctx);
}

static void test_voltage_and_status(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	int mv = 0;
	/* V = 2 * adc1 * 1.2 / adc0: adc0 1638, adc1 2252 -> 3.299 V */
	const uint8_t r[] = {0x66, 0x06, 0, 0, 0xCC, 0x08, 0, 0};
	assert_int_equal(stlink_parse_voltage(ctx, r, sizeof r, &mv), FK_OK);
	assert_int_equal(mv, 3299);
	const uint8_t zero[] = {0, 0, 0, 0, 5, 0, 0, 0};
	assert_int_equal(stlink_parse_voltage(ctx, zero, sizeof zero, &mv), FK_E_PROTOCOL);
	assert_int_equal(stlink_check_status(ctx, "X", 0x80), FK_OK);
	assert_int_equal(stlink_check_status(ctx, "X", 0x81), FK_E_BUS_FAULT);
	assert_int_equal(stlink_check_status(ctx, "X", 0x11), FK_E_BUS_FAULT);
	assert_int_equal(stlink_check_status(ctx, "X", 0x14), FK_E_TIMEOUT);
	assert_int_equal(stlink_check_status(ctx, "X", 0x42), FK_E_PROTOCOL);
	const uint8_t fault[12] = {0x11, 0, 0, 0, 0x00, 0x00, 0x00, 0x60};
	char msg[FK_CHAIN_MSG_MAX];
	assert_int_equal(stlink_parse_rw_status(ctx, "READMEM_32BIT", fault, 12, 0x60000000u),
			 FK_E_BUS_FAULT);
	fk_ctx_message(ctx, msg, sizeof msg);
	assert_non_null(strstr(msg, "READMEM_32BIT at 0x60000000"));
	assert_non_null(strstr(msg, "SWD_AP_FAULT"));
	unsigned khz;
	assert_int_equal(stlink_swd_divisor(4000, &khz), 0);
	assert_int_equal(khz, 4000);
	assert_int_equal(stlink_swd_divisor(1000, &khz), 3); /* largest not above: 950 kHz */
	assert_int_equal(khz, 950);
	assert_int_equal(stlink_swd_divisor(1, &khz), 798);
	uint8_t cmd[16];
	stlink_encode_mem(cmd, STLINK_DEBUG_READMEM_32BIT, 0x08001234u, 0x0400);
	const uint8_t want[16] = {0xF2, 0x07, 0x34, 0x12, 0x00, 0x08, 0x00, 0x04};
	assert_memory_equal(cmd, want, 16);
	fk_ctx_free(ctx);
}

/* ---- the driver against a scripted ST-LINK/V2 ---- */

static void script_connect(uint8_t mode, uint16_t adc1)
{
	FAKE_OUT(0xF1);
	FAKE_IN(0x29, 0x47, 0x83, 0x04, 0x48, 0x37); /* V2J37S7 */
	FAKE_OUT(0xF5);
	FAKE_IN(mode, 0x00);
	if (mode == 0) { /* DFU: leave it */
		FAKE_OUT(0xF3, 0x07);
		FAKE_OUT(0xF5);
		FAKE_IN(0x01, 0x00);
	}
	FAKE_OUT(0xF7);
	FAKE_IN(0x66, 0x06, 0, 0, (uint8_t)adc1, (uint8_t)(adc1 >> 8), 0, 0);
}

static void script_enter(void)
{
	FAKE_OUT(0xF2, 0x43, 0x01, 0x00); /* 1800 kHz -> divisor 1 */
	FAKE_IN(0x80, 0x00);
	FAKE_OUT(0xF2, 0x30, 0xA3);       /* ENTER SWD, no reset */
	FAKE_IN(0x80, 0x00);
	FAKE_OUT(0xF5);
	FAKE_IN(0x02, 0x00);
	FAKE_OUT(0xF2, 0x4B, 0x00);       /* INIT_AP 0 (J28+) */
	FAKE_IN(0x80, 0x00);
	FAKE_OUT(0xF2, 0x31);             /* READ_IDCODES */
	FAKE_IN(0x80, 0, 0, 0, 0x77, 0x14, 0xA0, 0x2B, 0, 0, 0, 0);
	FAKE_OUT(0xF2, 0x36, 0x00, 0xED, 0x00, 0xE0); /* READDEBUGREG CPUID */
	FAKE_IN(0x80, 0, 0, 0, 0x41, 0xC2, 0x0F, 0x41);
}

static void rw_ok(void)
{
	FAKE_OUT(0xF2, 0x3E);
	FAKE_IN(0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

static int open_fake(fk_ctx *ctx, fk_transport *t)
{
	fk_conn_opts o = {0};
	o.reset_mode = -1;
	return stlink_open(ctx, "", &o, t);
}

static int setup(void **state)
{
	(void)state;
	fake_reset(0x0483, 0x3748, "066DFF535254887767123456");
	return fk_usb_backend_add(&fake_backend);
}

static int teardown(void **state)
{
	(void)state;
	fk_usb_backend_remove(&fake_backend);
	return 0;
}

static void test_connect_and_memory(void **state)
{
	(void)state;
	script_connect(0, 2252);
	script_enter();
	FAKE_OUT(0xF2, 0x07, 0x00, 0x00, 0x00, 0x20, 0x08, 0x00); /* READMEM_32BIT 8 @0x20000000 */
	fake_push_fill(8, 0x10);
	rw_ok();
	FAKE_OUT(0xF2, 0x0C, 0x01, 0x00, 0x00, 0x20, 0x01, 0x00); /* READMEM_8BIT 1 -> 2 bytes */
	FAKE_IN(0xAB, 0xCD);
	rw_ok();
	FAKE_OUT(0xF2, 0x48, 0x00, 0x00, 0x00, 0x08, 0x02, 0x00); /* WRITEMEM_16BIT + data */
	FAKE_OUT(0x34, 0x12);
	rw_ok();
	FAKE_OUT(0xF2, 0x07, 0x00, 0x00, 0x00, 0x60, 0x04, 0x00);
	fake_push_fill(4, 0);
	FAKE_OUT(0xF2, 0x3E);
	FAKE_IN(0x11, 0, 0, 0, 0x00, 0x00, 0x00, 0x60, 0, 0, 0, 0);
	FAKE_OUT(0xF2, 0x21); /* close: DEBUG_EXIT */

	fk_ctx *ctx = fk_ctx_new();
	fk_transport t;
	assert_int_equal(open_fake(ctx, &t), FK_OK);
	assert_string_equal(fake.error, "");
	assert_int_equal(t.kind, FK_TRANSPORT_MEM);
	assert_non_null(strstr(t.description, "V2J37S7"));
	const fk_mem_ops *m = t.ops;
	uint8_t buf[8];
	assert_int_equal(m->read(t.handle, ctx, 0x20000000u, buf, 8, 4), FK_OK);
	assert_int_equal(buf[0], 0x10);
	assert_int_equal(buf[7], 0x17);
	assert_int_equal(m->read(t.handle, ctx, 0x20000001u, buf, 1, 1), FK_OK);
	assert_int_equal(buf[0], 0xAB);
	const uint8_t hw[2] = {0x34, 0x12};
	assert_int_equal(m->write(t.handle, ctx, 0x08000000u, hw, 2, 2), FK_OK);
	assert_int_equal(m->read(t.handle, ctx, 0x60000000u, buf, 4, 4), FK_E_BUS_FAULT);
	char msg[FK_CHAIN_MSG_MAX];
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "0x60000000"));
	fk_transport_close(&t);
	assert_string_equal(fake.error, "");
	assert_int_equal(fake.pos, fake.n);
	fk_ctx_free(ctx);
}

/* 32-bit transfers stop at the 4 KiB TAR block once the core is known to be a Cortex-M4. */
static void test_chunking(void **state)
{
	(void)state;
	script_connect(1, 2252);
	script_enter();
	FAKE_OUT(0xF2, 0x07, 0x00, 0x0F, 0x00, 0x20, 0x00, 0x01); /* 256 bytes up to 0x20001000 */
	fake_push_fill(256, 0);
	rw_ok();
	FAKE_OUT(0xF2, 0x07, 0x00, 0x10, 0x00, 0x20, 0x00, 0x10); /* a whole 4 KiB block */
	fake_push_fill(4096, 0);
	rw_ok();
	FAKE_OUT(0xF2, 0x07, 0x00, 0x20, 0x00, 0x20, 0x88, 0x02); /* the 648-byte rest */
	fake_push_fill(648, 0);
	rw_ok();
	FAKE_OUT(0xF2, 0x21);
	fk_ctx *ctx = fk_ctx_new();
	fk_transport t;
	assert_int_equal(open_fake(ctx, &t), FK_OK);
	static uint8_t big[5000];
	const fk_mem_ops *m = t.ops;
	assert_int_equal(m->read(t.handle, ctx, 0x20000F00u, big, sizeof big, 4), FK_OK);
	fk_transport_close(&t);
	assert_string_equal(fake.error, "");
	assert_int_equal(fake.pos, fake.n);
	fk_ctx_free(ctx);
}

/* Below 1.7 V the driver stops before entering SWD and says the target is not powered. */
static void test_not_powered(void **state)
{
	(void)state;
	script_connect(1, 40); /* ~0.06 V */
	FAKE_OUT(0xF2, 0x21);
	fk_ctx *ctx = fk_ctx_new();
	fk_transport t;
	assert_int_equal(open_fake(ctx, &t), FK_E_NO_POWER);
	char msg[FK_CHAIN_MSG_MAX];
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "target not powered"));
	assert_non_null(strstr(fk_ctx_hint(ctx), "VAPP"));
	assert_string_equal(fake.error, "");
	assert_int_equal(fake.pos, fake.n);
	fk_ctx_free(ctx);
}

static void test_short_reply_and_gone(void **state)
{
	(void)state;
	FAKE_OUT(0xF1);
	FAKE_IN(0x29, 0x47, 0x83); /* 3 of 6 bytes */
	FAKE_OUT(0xF2, 0x21);
	fk_ctx *ctx = fk_ctx_new();
	fk_transport t;
	char msg[FK_CHAIN_MSG_MAX];
	assert_int_equal(open_fake(ctx, &t), FK_E_PROTOCOL);
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "GET_VERSION"));
	/* the device vanishes in the middle of a write */
	fake_reset(0x0483, 0x3748, "X");
	script_connect(1, 2252);
	script_enter();
	FAKE_OUT(0xF2, 0x08, 0x00, 0x00, 0x00, 0x08, 0x04, 0x00);
	fake.gone_at = (int)fake.n;
	assert_int_equal(open_fake(ctx, &t), FK_OK);
	const uint8_t w[4] = {1, 2, 3, 4};
	const fk_mem_ops *m = t.ops;
	assert_int_equal(m->write(t.handle, ctx, 0x08000000u, w, 4, 4), FK_E_DEVICE_GONE);
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "WRITEMEM_32BIT"));
	fk_transport_close(&t);
	fk_ctx_free(ctx);
}

static void test_loader_refused(void **state)
{
	(void)state;
	fake_reset(0x0483, 0x374D, "LOADER");
	fk_ctx *ctx = fk_ctx_new();
	fk_transport t;
	assert_int_equal(open_fake(ctx, &t), FK_E_UNSUPPORTED);
	assert_int_equal(fake.pos, 0); /* nothing was sent to it */
	/* a serial that is not attached */
	fk_conn_opts o = {0};
	assert_int_equal(stlink_open(ctx, "NOPE", &o, &t), FK_E_CONNECT);
	char msg[FK_CHAIN_MSG_MAX];
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "no ST-LINK with serial NOPE"));
	fk_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_v2),
		cmocka_unit_test(test_version_gates),
		cmocka_unit_test(test_version_ex_v3),
		cmocka_unit_test(test_voltage_and_status),
		cmocka_unit_test_setup_teardown(test_connect_and_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_powered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_reply_and_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loader_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
