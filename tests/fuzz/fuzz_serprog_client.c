/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the serprog client's reply decoding (lib/probe/serprog.c). The input is
 * everything "the programmer" says; the client runs a full session against it (sync, interface
 * version, command map, name, bus type, O_SPIOP limits, pin state, SPI clock, SPI transactions
 * of several shapes, detach) and must end every exchange with a result, never a crash, an
 * overflow or an endless loop. The pure decoders get the raw input too. */
#include <stdint.h>
#include <string.h>

#include "core/core.h"
#include "probe/serprog.h"

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
	return FK_OK; /* keep the input: a flush must not make the harness trivially silent */
}

static const fk_stream_ops fz_ops = {fz_write, fz_read, fz_flush, NULL, NULL, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[17];
	if (size >= 16)
		serprog_decode_name(data, name);
	if (size >= 3)
		(void)serprog_decode_len24(data);

	fz f = {data, size, 0, 0};
	fk_ctx *ctx = fk_ctx_new();
	fk_transport t = {.kind = FK_TRANSPORT_STREAM, .ops = &fz_ops, .handle = &f};
	serprog sp;
	if (serprog_attach(&sp, ctx, &t) == 0) {
		static uint8_t w[SERPROG_OWN_WRITE_MAX], r[SERPROG_OWN_READ_MAX];
		size_t mw, mr;
		uint32_t hz;
		serprog_limits(&sp, &mw, &mr);
		w[0] = 0x9F;
		serprog_spi(&sp, w, 1, r, FK_MIN((size_t)3, mr));
		serprog_set_speed(&sp, 4000000u, &hz);
		serprog_spi(&sp, w, FK_MIN((size_t)260, mw), NULL, 0);
		serprog_spi(&sp, w, FK_MIN((size_t)4, mw), r, mr);
		serprog_set_pins(&sp, false);
		char msg[FK_CHAIN_MSG_MAX];
		fk_ctx_message(ctx, msg, sizeof msg);
		serprog_detach(&sp);
	}
	fk_ctx_free(ctx);
	return 0;
}
