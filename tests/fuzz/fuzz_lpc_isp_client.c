/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the NXP LPC ISP client's reply handling (lib/boot/lpc_isp.c). The input
 * is everything "the boot ROM" says: the handshake with garbage, echoes that differ, return
 * codes that are not numbers or not in the table, J/K/N answers cut short, UU lines with bad
 * length characters or checksums, binary data that stops. The first byte chooses the entry
 * (hand or DTR/RTS), echo on/off after sync and UU or binary data. The client runs a session
 * (connect, J, K, N, U, P/E, W, C, R, I, M, G) and must end every exchange with a result, never
 * a crash, an overflow or an endless loop (the reader times out at the end of the input). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/lpc_isp.h"
#include "core/core.h"

typedef struct fz {
	const uint8_t *p;
	size_t n, off;
	size_t written;
} fz;

static int fz_write(void *h, fk_ctx *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	((fz *)h)->written += len;
	return ((fz *)h)->written > (1u << 20) ? FK_E_IO : FK_OK; /* bound the host's effort */
}

static int fz_read(void *h, fk_ctx *ctx, void *buf, size_t len, unsigned tmo, size_t *got)
{
	fz *f = h;
	(void)ctx;
	(void)tmo;
	*got = FK_MIN(len, f->n - f->off);
	memcpy(buf, f->p + f->off, *got);
	f->off += *got;
	return *got == len ? FK_OK : FK_E_TIMEOUT;
}

static int fz_lines(void *h, fk_ctx *ctx, int dtr, int rts)
{
	(void)h;
	(void)ctx;
	(void)dtr;
	(void)rts;
	return FK_OK;
}

static const fk_stream_ops fz_ops = {fz_write, fz_read, NULL, fz_lines, NULL, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	fz f = {data + 1, size - 1, 0, 0};
	fk_ctx *ctx = fk_ctx_new();
	fk_transport t = {.kind = FK_TRANSPORT_STREAM, .ops = &fz_ops, .handle = &f,
			  .description = "fuzz"};
	lpc_isp *l = malloc(sizeof *l);
	if (l && ctx &&
	    lpc_isp_init(l, ctx, &t, data[0] & 1 ? LPC_ENTRY_CONTROL : LPC_ENTRY_HAND, 0) == 0) {
		l->sync_attempts = 2;
		uint8_t buf[1024], img[1000];
		uint32_t v, uid[4], off, word;
		unsigned a, b;
		bool same;
		memset(img, 0xA5, sizeof img);
		lpc_isp_connect(l);
		l->synced = true; /* go on whatever the handshake said: the rest is fuzzed too */
		l->echo = (data[0] & 2) != 0;
		l->binary = (data[0] & 4) != 0;
		lpc_isp_part_id(l, &v);
		lpc_isp_boot_version(l, &a, &b);
		lpc_isp_uid(l, uid);
		lpc_isp_unlock(l);
		lpc_isp_prepare(l, 0, 1);
		lpc_isp_erase(l, 0, 1);
		lpc_isp_write_ram(l, 0x10000200U, img, 996);
		lpc_isp_copy(l, 0, 0x10000200U, 1024);
		lpc_isp_read(l, 0, buf, sizeof buf);
		lpc_isp_read(l, 0x2FC, buf, 4);
		lpc_isp_blank_check(l, 0, 29, &same, &off, &word);
		lpc_isp_compare(l, 0, 0x10000200U, 64, &same, &off);
		lpc_isp_go(l, 0);
		lpc_isp_leave(l);
	}
	free(l);
	fk_ctx_free(ctx);
	return 0;
}
