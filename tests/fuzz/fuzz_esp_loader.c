/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the Espressif ROM loader client's reply handling (lib/boot/esp_loader.c).
 * The input is everything "the chip" says: boot-log text, SLIP frames with bad escapes,
 * truncated packets, wrong direction bytes, answers for other commands, error statuses, MD5
 * digests that are not hex. The client runs a session against it (connect with retries, detect,
 * registers, SPI command, flash write, MD5, slow read, baud change) and must end every exchange
 * with a result, never a crash, an overflow or an endless loop. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/esp_loader.h"
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
	return FK_OK; /* the input is the whole conversation: nothing is dropped */
}

static int fz_lines(void *h, fk_ctx *ctx, int dtr, int rts)
{
	(void)h;
	(void)ctx;
	(void)dtr;
	(void)rts;
	return FK_OK;
}

static int fz_baud(void *h, fk_ctx *ctx, unsigned baud)
{
	(void)h;
	(void)ctx;
	(void)baud;
	return FK_OK;
}

static const fk_stream_ops fz_ops = {fz_write, fz_read, fz_flush, fz_lines, NULL, fz_baud};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const esp_spi_regs regs = {0x3FF42000U, 0x1C, 0x20, 0x24, 0x28, 0x2C, 0x80};
	fz f = {data, size, 0, 0};
	fk_ctx *ctx = fk_ctx_new();
	fk_transport t = {.kind = FK_TRANSPORT_STREAM, .ops = &fz_ops, .handle = &f};
	esp_loader *l = malloc(sizeof *l);
	if (l && esp_ldr_init(l, ctx, &t, data[0] & 1 ? "no_reset" : NULL, NULL, 115200) == 0) {
		l->attempts = 2;
		uint8_t buf[64], md5[16], img[0x500];
		uint32_t v;
		memset(img, 0xA5, sizeof img);
		esp_ldr_connect(l);
		esp_ldr_read_reg(l, ESP_MAGIC_REG, &v);
		esp_ldr_spi_command(l, &regs, 0x9F, NULL, 0, buf, 3);
		esp_ldr_spi_command(l, &regs, 0x03, buf, 3, buf, 64);
		esp_ldr_spi_attach(l, 0);
		esp_ldr_flash_write(l, 0x1000, img, sizeof img, true);
		esp_ldr_flash_md5(l, 0x1000, sizeof img, md5);
		esp_ldr_read_flash_slow(l, 0x1000, buf, 64);
		esp_ldr_change_baud(l, 921600);
		esp_security sec;
		esp_ldr_security_info(l, &sec);
		esp_ldr_mem_end(l, 0x40080000U);
		char msg[FK_CHAIN_MSG_MAX];
		fk_ctx_message(ctx, msg, sizeof msg);
		esp_ldr_free(l);
	}
	free(l);
	fk_ctx_free(ctx);
	return 0;
}
