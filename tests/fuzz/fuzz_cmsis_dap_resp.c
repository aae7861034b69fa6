/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: CMSIS-DAP reply decoders (Info, status, Transfer, TransferBlock, TCP
 * header) and the v2 driver (set-up, pipelined transfers, pins) fed replies from the input. */
#include <stdint.h>
#include <string.h>

#include "fuzz_usb_replay.h"
#include "probe/cmsis_dap.h"

static void fuzz_decoders(const uint8_t *d, size_t n, fk_ctx *ctx)
{
	const uint8_t *info;
	size_t len;
	unsigned done;
	uint16_t l16;
	fk_dap_xfer x[8];
	for (unsigned i = 0; i < 8; i++) {
		x[i].ap = (uint8_t)(i & 1), x[i].rnw = (uint8_t)(i < 5), x[i].addr = 0xC;
		x[i].ack = 0, x[i].data = 0;
	}
	dap_parse_info(ctx, DAP_ID_PACKET_SIZE, d, n, &info, &len);
	dap_parse_status(ctx, DAP_SWJ_CLOCK, d, n);
	dap_parse_transfer(ctx, d, n, x, 8, &done);
	dap_parse_block(ctx, d, n, x, 8, &done);
	if (n >= DAP_TCP_HEADER)
		dap_tcp_parse_header(ctx, d, DAP_TCP_RESPONSE, DAP_TCP_MAX_PAYLOAD, &l16);
}

static void fuzz_driver(fk_ctx *ctx)
{
	fk_conn_opts o = {0};
	fk_transport t;
	if (cmsis_dap_open_usb(ctx, NULL, &o, &t) != FK_OK)
		return;
	const fk_dap_ops *ops = t.ops;
	static fk_dap_xfer x[300];
	for (unsigned i = 0; i < 300; i++) {
		x[i].ap = 1, x[i].rnw = (uint8_t)(i >= 150), x[i].addr = (uint8_t)(i % 7 ? 0xC : 0x4);
		x[i].ack = 0, x[i].data = i;
	}
	unsigned done;
	ops->transfer(t.handle, ctx, x, 300, &done);
	const uint8_t seq[17] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x9E, 0xE7, 0xFF,
				 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
	ops->swj_sequence(t.handle, ctx, seq, 136);
	ops->set_nrst(t.handle, ctx, 1);
	fk_transport_close(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fk_ctx *ctx = fk_ctx_new();
	fuzz_decoders(data, size, ctx);
	memset(&replay_dev, 0, sizeof replay_dev);
	replay_dev.vid = 0xC251, replay_dev.pid = 0xF00D;
	memcpy(replay_dev.serial, "FUZZ", 5);
	replay_dev.n_ifaces = 1;
	fk_usb_iface *f = &replay_dev.ifaces[0];
	memcpy(f->name, "CMSIS-DAP", 10);
	f->cls = 0xFF, f->n_endpoints = 2, f->ep_addr[0] = 0x01, f->ep_addr[1] = 0x81;
	f->ep_bulk[0] = f->ep_bulk[1] = 1, f->ep_size[0] = 512;
	replay_data = data, replay_left = size;
	fk_usb_backend_add(&replay_backend);
	fuzz_driver(ctx);
	fk_usb_backend_remove(&replay_backend);
	fk_ctx_free(ctx);
	return 0;
}
