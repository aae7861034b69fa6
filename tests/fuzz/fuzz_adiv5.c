/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: lib/debug's handling of whatever a DAP transport answers (ADIv5 client and
 * Cortex-M sequences, and the raw DP/AP path's DP power-up and AP IDR scan). A fake transport takes each transaction's ACK (any 3-bit value, or a
 * link error) and read data from the input; when the input runs out nothing answers (0b111).
 * Its clock advances 10 us per transaction, so WAIT storms must end within the time bound.
 * Must never crash, hang or loop without bound. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "debug/cortex_m.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz {
	const uint8_t *p;
	size_t n;
	uint64_t now;
} fz;

static uint8_t fz_byte(fz *f)
{
	if (!f->n)
		return 0x07;
	f->n--;
	return *f->p++;
}

static int fz_transfer(void *h, fk_ctx *ctx, fk_dap_xfer *x, unsigned n, unsigned *done)
{
	fz *f = h;
	*done = 0;
	for (unsigned i = 0; i < n; i++) {
		uint8_t b = fz_byte(f);
		f->now += 10000;
		if (b == 0xEE)
			return fk_fail(ctx, FK_E_DEVICE_GONE, "fuzz: link error");
		x[i].ack = (uint8_t)(b & 7u);
		if (x[i].ack != FK_DAP_ACK_OK)
			return 0;
		if (x[i].rnw) {
			uint32_t v = 0;
			for (int k = 0; k < 4; k++)
				v |= (uint32_t)fz_byte(f) << (8 * k);
			x[i].data = v;
		}
		(*done)++;
	}
	return 0;
}

static int fz_swj(void *h, fk_ctx *ctx, const uint8_t *bits, unsigned nbits)
{
	(void)h, (void)ctx, (void)bits, (void)nbits;
	return 0;
}

static int fz_nrst(void *h, fk_ctx *ctx, int asserted)
{
	(void)ctx, (void)asserted;
	((fz *)h)->now += 1000;
	return 0;
}

static uint64_t fz_now(void *h)
{
	return ((fz *)h)->now;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fk_dap_ops ops = {.flags = (data[0] & 1) ? FK_DAP_POSTED_READS : 0,
			  .transfer = fz_transfer, .swj_sequence = fz_swj, .set_nrst = fz_nrst,
			  .virtual_ns = fz_now};
	fz f = {.p = data + 1, .n = size - 1};
	fk_ctx *ctx = fk_ctx_new();
	adi_dap a;
	cm_target cm;
	uint8_t buf[2100];
	adi_init(&a, &ops, &f);
	a.wait_ns = 5000000u;
	cm_init(&cm, &a);
	cm.poll_ns = 5000000u;
	if (data[0] & 8) { /* the raw DP/AP path (lib/chip/path.c): DP up, AP IDRs scanned */
		uint8_t sel[8];
		uint32_t idr[8];
		unsigned n = 0;
		if (adi_connect_dp(&a, ctx) == 0 && adi_ap_scan(&a, ctx, sel, idr, 8, &n) == 0 &&
		    n > 8)
			__builtin_trap();
		fk_ctx_free(ctx);
		return 0;
	}
	cm_connect(&cm, ctx, (data[0] & 2) ? CM_CONNECT_UNDER_RESET : CM_CONNECT_NORMAL);
	adi_mem_read(&a, ctx, 0x200003F8u, buf, sizeof(buf), 4);
	adi_mem_read(&a, ctx, 0x08000001u, buf, 5, 1);
	memset(buf, 0x5A, sizeof(buf));
	adi_mem_write(&a, ctx, 0x20000002u, buf, 1030, 2);
	cm_halt(&cm, ctx);
	cm_reset(&cm, ctx, (data[0] & 4) ? FK_RESET_HARDWARE : FK_RESET_SYSTEM, true);
	fk_ctx_free(ctx);
	return 0;
}
