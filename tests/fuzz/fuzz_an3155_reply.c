/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the AN3155 client's reply decoding. The input is everything "the device"
 * says; the client runs a full session against it (connect, read, write, erase, readout
 * unprotect) and must end every exchange with a result, never a crash, overflow or endless loop.
 * The pure decoders (Get, Get ID) get the raw input too. */
#include <stdint.h>
#include <string.h>

#include "boot/stm32_usart.h"
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

static int fz_flush(void *h, fk_ctx *ctx)
{
	(void)h;
	(void)ctx;
	return FK_OK;
}

static const fk_stream_ops fz_ops = {fz_write, fz_read, fz_flush, NULL, NULL, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t ver, cmds[AN3155_MAX_CMDS], buf[300];
	unsigned n;
	uint16_t pid;
	an3155_parse_get(data, size, &ver, cmds, &n);
	an3155_parse_get_id(data, size, &pid);

	fz f = {data, size, 0, 0};
	fk_ctx *ctx = fk_ctx_new();
	fk_transport t = {.kind = FK_TRANSPORT_STREAM, .ops = &fz_ops, .handle = &f};
	an3155 b;
	if (an3155_attach(&b, ctx, &t, NULL) == 0) {
		uint16_t sectors[3] = {0, 1, 11};
		an3155_connect(&b);
		an3155_read(&b, 0x08000000u, buf, sizeof buf);
		memset(buf, 0x5A, sizeof buf);
		an3155_write(&b, 0x08000000u, buf, 260);
		an3155_erase(&b, sectors, 3);
		an3155_erase_mass(&b, AN3155_MASS_ALL);
		an3155_readout_unprotect(&b);
		/* the on-chip CRC exchange: code upload, Go, re-sync, result block read back */
		const uint32_t ca[2] = {0x08000000u, 0x08004000u}, cl[2] = {0x4000u, 16u};
		uint32_t crc[2];
		an3155_crc32(&b, ca, cl, 2, crc);
		/* the blank check: the same exchange, one result byte per page */
		uint8_t dirty[5];
		an3155_blank_pages(&b, 0x08000000u, 1024u, 5, dirty);
		char msg[FK_CHAIN_MSG_MAX];
		fk_ctx_message(ctx, msg, sizeof msg);
	}
	fk_ctx_free(ctx);
	return 0;
}
