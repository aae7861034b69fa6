/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: ST-LINK reply decoders and the whole driver (connect, memory reads and
 * writes, halt) fed replies taken from the input. Must end with an error or success, never
 * crash, read out of bounds or loop. */
#include <stdint.h>
#include <string.h>

#include "fuzz_usb_replay.h"
#include "probe/stlink.h"

static void fuzz_decoders(const uint8_t *d, size_t n, fk_ctx *ctx)
{
	stlink_version v;
	int mv;
	unsigned mode;
	uint32_t val;
	stlink_parse_version(ctx, d, n, 0x374B, &v);
	stlink_parse_version_ex(ctx, d, n, &v);
	stlink_parse_voltage(ctx, d, n, &mv);
	stlink_parse_mode(ctx, d, n, &mode);
	stlink_parse_status_u32(ctx, "READDEBUGREG", d, n, &val);
	stlink_parse_rw_status(ctx, "READMEM_32BIT", d, n, 0x08000000u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fk_ctx *ctx = fk_ctx_new();
	fuzz_decoders(data, size, ctx);
	memset(&replay_dev, 0, sizeof replay_dev);
	replay_dev.vid = 0x0483;
	replay_dev.pid = (size && (data[0] & 1)) ? 0x374E : 0x3748; /* V3E or V2 */
	memcpy(replay_dev.serial, "FUZZ", 5);
	replay_data = size ? data + 1 : data;
	replay_left = size ? size - 1 : 0;
	fk_usb_backend_add(&replay_backend);
	fk_conn_opts o = {0};
	o.connect_under_reset = size > 1 && (data[1] & 1);
	fk_transport t;
	if (stlink_open(ctx, "", &o, &t) == FK_OK) {
		const fk_mem_ops *m = t.ops;
		uint8_t buf[6000];
		m->read(t.handle, ctx, 0x20000000u, buf, 200, 4);
		m->read(t.handle, ctx, 0x20000001u, buf, 3, 1);
		m->write(t.handle, ctx, 0x08000000u, buf, 64, 2);
		m->halt(t.handle, ctx);
		m->voltage_mv(t.handle, ctx);
		fk_transport_close(&t);
	}
	fk_usb_backend_remove(&replay_backend);
	fk_ctx_free(ctx);
	return 0;
}
