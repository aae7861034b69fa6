/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/cmsis_dap: encoders and decoders against the layouts of probes.md §1.2-1.3 and §6.1,
 * written out by hand (request bytes, ACK bits, partial completion, 0xFF for unsupported), and
 * the v2 driver's set-up and pipelining against a scripted bulk device. */
#include "fk_test.h"

#include "core/core.h"
#include "fake_usb.h"
#include "probe/cmsis_dap.h"

static fk_dap_xfer xf(int ap, int rnw, uint8_t addr, uint32_t data)
{
	fk_dap_xfer x = {(uint8_t)ap, (uint8_t)rnw, addr, 0, data};
	return x;
}

static void test_encode_transfer(void **state)
{
	(void)state;
	/* write DP ABORT = 0x1E, read DP DPIDR, write AP TAR, read AP DRW */
	fk_dap_xfer x[4] = {xf(0, 0, 0x0, 0x1E), xf(0, 1, 0x0, 0), xf(1, 0, 0x4, 0x20000000u),
			    xf(1, 1, 0xC, 0)};
	uint8_t buf[64];
	size_t n = dap_encode_transfer(buf, x, 4);
	const uint8_t want[] = {0x05, 0x00, 0x04, 0x00, 0x1E, 0x00, 0x00, 0x00, 0x02,
				0x05, 0x00, 0x00, 0x00, 0x20, 0x0F};
	assert_int_equal(n, sizeof want);
	assert_memory_equal(buf, want, sizeof want);
	/* 3 header + 1 per op + 4 per write; response 3 + 4 per read: 64-byte packets take 12 writes */
	fk_dap_xfer w[20];
	for (int i = 0; i < 20; i++)
		w[i] = xf(1, 0, 0xC, (uint32_t)i);
	assert_int_equal(dap_transfer_fit(w, 20, 64), 12);
	fk_dap_xfer r[20];
	for (int i = 0; i < 20; i++)
		r[i] = xf(1, 1, 0xC, 0);
	assert_int_equal(dap_transfer_fit(r, 20, 64), 15);
	assert_int_equal(dap_block_fit(0, 512), 126); /* (512 - 5) / 4 */
	assert_int_equal(dap_block_fit(1, 512), 127); /* (512 - 4) / 4 */
}

static void test_parse_transfer(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	fk_dap_xfer x[2] = {xf(0, 0, 0x0, 0x1E), xf(0, 1, 0x0, 0)};
	unsigned done = 0;
	const uint8_t ok[] = {0x05, 0x02, 0x01, 0x77, 0x14, 0xA0, 0x2B};
	assert_int_equal(dap_parse_transfer(ctx, ok, sizeof ok, x, 2, &done), FK_OK);
	assert_int_equal(done, 2);
	assert_int_equal(x[1].data, 0x2BA01477u);
	assert_int_equal(x[1].ack, FK_DAP_ACK_OK);
	/* FAULT on the second: one executed, the ack belongs to the op after it */
	const uint8_t fault[] = {0x05, 0x01, 0x04};
	assert_int_equal(dap_parse_transfer(ctx, fault, sizeof fault, x, 2, &done), FK_OK);
	assert_int_equal(done, 1);
	assert_int_equal(x[0].ack, FK_DAP_ACK_OK);
	assert_int_equal(x[1].ack, FK_DAP_ACK_FAULT);
	/* parity error bit: no valid answer */
	const uint8_t perr[] = {0x05, 0x00, 0x09};
	assert_int_equal(dap_parse_transfer(ctx, perr, sizeof perr, x, 2, &done), FK_OK);
	assert_int_equal(x[0].ack, FK_DAP_ACK_NONE);
	assert_int_equal(done, 0);
	char msg[FK_CHAIN_MSG_MAX];
	/* hostile replies: more executed than sent, missing data, wrong echo, unsupported */
	const uint8_t more[] = {0x05, 0x03, 0x01};
	assert_int_equal(dap_parse_transfer(ctx, more, sizeof more, x, 2, &done), FK_E_PROTOCOL);
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "DAP_Transfer"));
	const uint8_t shortd[] = {0x05, 0x02, 0x01, 0x77};
	assert_int_equal(dap_parse_transfer(ctx, shortd, sizeof shortd, x, 2, &done), FK_E_PROTOCOL);
	const uint8_t echo[] = {0x06, 0x02, 0x01};
	assert_int_equal(dap_parse_transfer(ctx, echo, sizeof echo, x, 2, &done), FK_E_PROTOCOL);
	const uint8_t unsup[] = {0xFF};
	assert_int_equal(dap_parse_transfer(ctx, unsup, 1, x, 2, &done), FK_E_UNSUPPORTED);
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "does not implement"));
	const uint8_t badack[] = {0x05, 0x00, 0x03};
	assert_int_equal(dap_parse_transfer(ctx, badack, sizeof badack, x, 2, &done), FK_E_PROTOCOL);
	const uint8_t okshort[] = {0x05, 0x01, 0x01};
	assert_int_equal(dap_parse_transfer(ctx, okshort, sizeof okshort, x, 2, &done), FK_E_PROTOCOL);
	fk_ctx_free(ctx);
}

static void test_block(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	fk_dap_xfer w[4];
	for (int i = 0; i < 4; i++)
		w[i] = xf(1, 0, 0xC, 0x11111111u * (uint32_t)(i + 1));
	uint8_t buf[64];
	size_t n = dap_encode_block(buf, w, 4);
	assert_int_equal(n, 5 + 16);
	const uint8_t head[] = {0x06, 0x00, 0x04, 0x00, 0x0D, 0x11, 0x11, 0x11, 0x11, 0x22};
	assert_memory_equal(buf, head, sizeof head);
	unsigned done;
	const uint8_t wait[] = {0x06, 0x02, 0x00, 0x02};
	assert_int_equal(dap_parse_block(ctx, wait, sizeof wait, w, 4, &done), FK_OK);
	assert_int_equal(done, 2);
	assert_int_equal(w[2].ack, FK_DAP_ACK_WAIT);
	fk_dap_xfer r[2] = {xf(1, 1, 0xC, 0), xf(1, 1, 0xC, 0)};
	const uint8_t rd[] = {0x06, 0x02, 0x00, 0x01, 1, 0, 0, 0, 2, 0, 0, 0};
	assert_int_equal(dap_parse_block(ctx, rd, sizeof rd, r, 2, &done), FK_OK);
	assert_int_equal(r[1].data, 2);
	assert_int_equal(dap_parse_block(ctx, rd, 8, r, 2, &done), FK_E_PROTOCOL);
	const uint8_t over[] = {0x06, 0x09, 0x00, 0x01};
	assert_int_equal(dap_parse_block(ctx, over, sizeof over, r, 2, &done), FK_E_PROTOCOL);
	assert_int_equal(dap_same_reg_run(w, 4), 4);
	fk_ctx_free(ctx);
}

static void test_info_status_tcp(void **state)
{
	(void)state;
	fk_ctx *ctx = fk_ctx_new();
	const uint8_t *d;
	size_t len;
	const uint8_t pkt[] = {0x00, 0x02, 0x00, 0x02};
	assert_int_equal(dap_parse_info(ctx, DAP_ID_PACKET_SIZE, pkt, sizeof pkt, &d, &len), FK_OK);
	assert_int_equal(len, 2);
	assert_int_equal(fk_get_le16(d), 512);
	const uint8_t past[] = {0x00, 0x09, 'a'};
	assert_int_equal(dap_parse_info(ctx, DAP_ID_SERIAL, past, sizeof past, &d, &len), FK_E_PROTOCOL);
	const uint8_t st_ok[] = {0x11, 0x00}, st_err[] = {0x11, 0xFF};
	assert_int_equal(dap_parse_status(ctx, DAP_SWJ_CLOCK, st_ok, 2), FK_OK);
	assert_int_equal(dap_parse_status(ctx, DAP_SWJ_CLOCK, st_err, 2), FK_E_PROTOCOL);
	char msg[FK_CHAIN_MSG_MAX];
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "DAP_SWJ_Clock"));
	uint8_t hdr[8];
	dap_tcp_header(hdr, 3, DAP_TCP_REQUEST);
	const uint8_t want[8] = {'D', 'A', 'P', 0x00, 0x03, 0x00, 0x01, 0x00};
	assert_memory_equal(hdr, want, 8);
	uint16_t l;
	const uint8_t resp[8] = {'D', 'A', 'P', 0x00, 0x10, 0x00, 0x02, 0x00};
	assert_int_equal(dap_tcp_parse_header(ctx, resp, DAP_TCP_RESPONSE, 1024, &l), FK_OK);
	assert_int_equal(l, 16);
	assert_int_equal(dap_tcp_parse_header(ctx, hdr, DAP_TCP_RESPONSE, 1024, &l), FK_E_PROTOCOL);
	const uint8_t big[8] = {'D', 'A', 'P', 0x00, 0x01, 0x10, 0x02, 0x00};
	assert_int_equal(dap_tcp_parse_header(ctx, big, DAP_TCP_RESPONSE, 1024, &l), FK_E_PROTOCOL);
	const uint8_t sig[8] = {'D', 'A', 'X', 0x00, 0x01, 0x00, 0x02, 0x00};
	assert_int_equal(dap_tcp_parse_header(ctx, sig, DAP_TCP_RESPONSE, 1024, &l), FK_E_PROTOCOL);
	fk_ctx_free(ctx);
}

/* ---- the v2 driver against a scripted bulk device ---- */

static int setup(void **state)
{
	(void)state;
	fake_reset(0xC251, 0xF00D, "DAPSERIAL");
	fk_usb_iface *f = &fake.dev.ifaces[0];
	fake.dev.n_ifaces = 1;
	snprintf(f->name, sizeof f->name, "Example CMSIS-DAP v2");
	f->cls = 0xFF;
	f->n_endpoints = 2;
	f->ep_addr[0] = 0x01, f->ep_addr[1] = 0x81;
	f->ep_bulk[0] = f->ep_bulk[1] = 1;
	f->ep_size[0] = f->ep_size[1] = 64;
	return fk_usb_backend_add(&fake_backend);
}

static int teardown(void **state)
{
	(void)state;
	fk_usb_backend_remove(&fake_backend);
	return 0;
}

static void script_setup(uint8_t count)
{
	FAKE_OUT(0x00, 0xFF);
	FAKE_IN(0x00, 0x02, 0x40, 0x00);        /* packet size 64 */
	FAKE_OUT(0x00, 0xFE);
	FAKE_IN(0x00, 0x01, count);             /* packet count */
	FAKE_OUT(0x00, 0xF0);
	FAKE_IN(0x00, 0x01, 0x01);              /* SWD */
	FAKE_OUT(0x00, 0x09);
	FAKE_IN(0x00, 0x06, '2', '.', '1', '.', '0', 0);
	FAKE_OUT(0x02, 0x01);                   /* DAP_Connect SWD */
	FAKE_IN(0x02, 0x01);
	FAKE_OUT(0x11, 0x00, 0x09, 0x3D, 0x00); /* SWJ_Clock 4 MHz */
	FAKE_IN(0x11, 0x00);
	FAKE_OUT(0x04, 0x00, 0xFF, 0xFF, 0x00, 0x00); /* TransferConfigure idle 0, retry 65535 */
	FAKE_IN(0x04, 0x00);
	FAKE_OUT(0x13, 0x00);                   /* SWD_Configure */
	FAKE_IN(0x13, 0x00);
}

static void test_driver_setup_and_pipeline(void **state)
{
	(void)state;
	script_setup(2);
	/* 30 DRW writes: two block packets of 14 words are sent before the first reply is read */
	uint8_t blk[64] = {0x06, 0x00, 14, 0x00, 0x0D};
	fake_push(0, blk, 5 + 14 * 4);
	fake_push(0, blk, 5 + 14 * 4);
	FAKE_IN(0x06, 14, 0x00, 0x01);
	/* a run shorter than 4 goes as plain DAP_Transfer */
	FAKE_OUT(0x05, 0x00, 0x02, 0x0D, 0, 0, 0, 0, 0x0D, 0, 0, 0);
	FAKE_IN(0x06, 14, 0x00, 0x01);
	FAKE_IN(0x05, 0x02, 0x01);
	FAKE_OUT(0x10, 0x00, 0x80, 0, 0, 0, 0); /* SWJ_Pins: nRESET low */
	FAKE_IN(0x10, 0x00);
	FAKE_OUT(0x03);                         /* close: DAP_Disconnect */
	FAKE_IN(0x03, 0x00);
	fk_ctx *ctx = fk_ctx_new();
	fk_conn_opts o = {0};
	fk_transport t;
	assert_int_equal(cmsis_dap_open_usb(ctx, "dapserial", &o, &t), FK_OK);
	assert_string_equal(fake.error, "");
	assert_int_equal(t.kind, FK_TRANSPORT_DAP);
	const fk_dap_ops *ops = t.ops;
	assert_int_equal(ops->flags & FK_DAP_POSTED_READS, 0);
	fk_dap_xfer x[30];
	for (int i = 0; i < 30; i++)
		x[i] = xf(1, 0, 0xC, 0); /* zero data keeps the script short */
	unsigned done = 0;
	assert_int_equal(ops->transfer(t.handle, ctx, x, 30, &done), FK_OK);
	assert_int_equal(done, 30);
	assert_int_equal(ops->set_nrst(t.handle, ctx, 1), FK_OK);
	fk_transport_close(&t);
	assert_string_equal(fake.error, "");
	assert_int_equal(fake.pos, fake.n);
	fk_ctx_free(ctx);
}

static void test_driver_hostile(void **state)
{
	(void)state;
	FAKE_OUT(0x00, 0xFF);
	FAKE_IN(0x00, 0x02, 0x00, 0x80); /* packet size 32768: refused */
	FAKE_OUT(0x03);
	FAKE_IN(0x03, 0x00);
	fk_ctx *ctx = fk_ctx_new();
	fk_conn_opts o = {0};
	fk_transport t;
	char msg[FK_CHAIN_MSG_MAX];
	assert_int_equal(cmsis_dap_open_usb(ctx, NULL, &o, &t), FK_E_PROTOCOL);
	assert_non_null(strstr(fk_ctx_message(ctx, msg, sizeof msg), "packet size 32768"));
	/* no device with that serial */
	assert_int_equal(cmsis_dap_open_usb(ctx, "OTHER", &o, &t), FK_E_CONNECT);
	assert_non_null(strstr(fk_ctx_hint(ctx), "DAPSERIAL"));
	fk_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_transfer),
		cmocka_unit_test(test_parse_transfer),
		cmocka_unit_test(test_block),
		cmocka_unit_test(test_info_status_tcp),
		cmocka_unit_test_setup_teardown(test_driver_setup_and_pipeline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_hostile, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
