/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_spinor_serprog: an 8 MiB image into a W25Q64JV twin through the serprog client at
 * 4 Mbit/s (USB full speed class), on the twin's virtual clock, against the ceiling set by the
 * link and the chip (issue 15 "Speed", target >= 90 %):
 *   write ceiling = the image's bytes on the link at 10 bits per byte + 32768 page programs
 *                   (tPP typ 0.4 ms) + 128 64-KiB block erases (tBE2 typ 150 ms) (W64 §9.6)
 *   read ceiling  = the image's bytes on the link.
 * The twin's programmer clocks SPI after the link bytes, not while they stream (as a firmware
 * that buffers a whole O_SPIOP would), so a second ceiling adds the SPI clock time of the bytes
 * the chip must see (the image plus 4 header bytes per page / per read) at the SPI clock set.
 * The client (lib/probe/serprog.c) and the chip instructions (lib/chip/spinor_bus.c) are the
 * driver's own; the programmer is the twin's serprog device (twin/spinor/serprog.c), in process,
 * charging 10 bits per byte each way at the baud rate and SPI bytes at its SPI clock; an
 * operation in progress completes after 5 ms of idle line, as the served twin does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chip/spinor.h"
#include "core/core.h"
#include "flashkey/flashkey.h"
#include "fktwin/spinor.h"
#include "probe/serprog.h"
#include "spinor/serprog.h"

#define BAUD 4000000U
#define IMG (8U << 20)

static tw_spinor *CHIP;
static uint64_t LAST_MS;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U;
}

static int st_write(void *h, fk_ctx *ctx, const void *buf, size_t len)
{
	(void)ctx;
	if (now_ms() - LAST_MS >= 5)
		tw_spinor_finish(CHIP);
	LAST_MS = now_ms();
	tw_serprog_input(h, buf, len);
	return FK_OK;
}

static int st_read(void *h, fk_ctx *ctx, void *buf, size_t len, unsigned tmo, size_t *got)
{
	size_t n;
	(void)ctx;
	(void)tmo;
	const uint8_t *o = tw_serprog_output(h, &n);
	*got = FK_MIN(len, n);
	memcpy(buf, o, *got);
	tw_serprog_consume(h, *got);
	return *got == len ? FK_OK : FK_E_TIMEOUT;
}

static int st_flush(void *h, fk_ctx *ctx)
{
	size_t n;
	(void)ctx;
	tw_serprog_output(h, &n);
	tw_serprog_consume(h, n);
	return FK_OK;
}

static const fk_stream_ops st_ops = {st_write, st_read, st_flush, NULL, NULL, NULL};

static int sp_xfer(void *h, fk_ctx *ctx, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
	(void)ctx;
	return serprog_spi(h, w, wn, r, rn);
}

static void sp_limits(void *h, size_t *mw, size_t *mr)
{
	serprog_limits(h, mw, mr);
}

static const fk_spi_ops sp_ops = {.xfer = sp_xfer, .limits = sp_limits};

/* The same programmer as a connection, so that the whole flashkey path runs: session, chip
 * driver (lib/chip/spinor_driver.c: identify, protection check, erase plan, page program),
 * lib/api/flash.c. */
static serprog *SP;

static int bench_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out)
{
	(void)ctx;
	(void)arg;
	(void)opts;
	memset(out, 0, sizeof *out);
	out->kind = FK_TRANSPORT_SPI;
	out->ops = &sp_ops;
	out->handle = SP;
	snprintf(out->description, sizeof out->description, "in-process serprog twin");
	return FK_OK;
}

static int fail(fk_ctx *ctx, const char *what)
{
	char m[FK_CHAIN_MSG_MAX];
	fprintf(stderr, "bench_spinor_serprog: %s: %s\n", what, fk_ctx_message(ctx, m, sizeof m));
	return 1;
}

int main(void)
{
	fk_ctx *ctx = fk_ctx_new();
	if (tw_spinor_create(ctx, "w25q64jv", &CHIP))
		return fail(ctx, "twin");
	tw_serprog_cfg cfg = {.baud = BAUD, .charge_time = true};
	tw_serprog *srv = tw_serprog_new(CHIP, &cfg);
	fk_transport t = {.kind = FK_TRANSPORT_STREAM, .ops = &st_ops, .handle = srv};
	snprintf(t.description, sizeof t.description, "in-process serprog twin");
	serprog sp;
	spinor_bus b;
	uint32_t hz;
	if (serprog_attach(&sp, ctx, &t) || serprog_set_speed(&sp, 16000000U, &hz) ||
	    spinor_bus_init(&b, ctx, &sp_ops, &sp))
		return fail(ctx, "attach");
	const spinor_part *p = spinor_part_by_key("w25q64jv");
	uint8_t *img = malloc(IMG), *back = malloc(IMG);
	if (!img || !back)
		return 1;
	for (uint32_t i = 0; i < IMG; i++)
		img[i] = (uint8_t)((i * 2654435761U) >> 24);

	uint64_t t0 = tw_spinor_now(CHIP);
	for (uint32_t a = 0; a < IMG; a += SPINOR_BLOCK64)
		if (spinor_erase_op(&b, p, SPINOR_OP_BE64, a))
			return fail(ctx, "erase");
	uint64_t t1 = tw_spinor_now(CHIP);
	if (spinor_program(&b, p, 0, img, IMG))
		return fail(ctx, "program");
	uint64_t t2 = tw_spinor_now(CHIP);
	if (spinor_read(&b, 0, back, IMG))
		return fail(ctx, "read");
	uint64_t t3 = tw_spinor_now(CHIP);
	if (memcmp(img, back, IMG)) {
		fprintf(stderr, "bench_spinor_serprog: read-back differs\n");
		return 1;
	}
	double link = (double)IMG * 10.0 / BAUD;
	double pp = (double)(IMG / SPINOR_PAGE) * p->typ.tpp / 1e6;
	double be = (double)(IMG / SPINOR_BLOCK64) * p->typ.tbe64 / 1e6;
	double wceil = link + pp + be, wgot = (double)(t2 - t0) / 1e9, rgot = (double)(t3 - t2) / 1e9;
	printf("bench_spinor_serprog: 8 MiB W25Q64JV twin via serprog at %u bit/s, SPI %u Hz\n", BAUD,
	       hz);
	printf("  write (erase %.2f s + program %.2f s) %.2f s virtual; ceiling (link %.2f s + tPP "
	       "%.2f s + tBE2 %.2f s) %.2f s: %.1f %% of the ceiling (target >= 90 %%)\n",
	       (double)(t1 - t0) / 1e9, (double)(t2 - t1) / 1e9, wgot, link, pp, be, wceil,
	       100.0 * wceil / wgot);
	printf("  read %.2f s virtual; ceiling (link) %.2f s: %.1f %% of the ceiling; %llu BUSY "
	       "polls\n", rgot, link, 100.0 * link / rgot, (unsigned long long)b.polls);
	double spi_w = ((double)IMG + 4.0 * (IMG / SPINOR_PAGE)) * 8.0 / hz;
	double spi_r = (double)IMG * 8.0 / hz;
	printf("  with the SPI clock time added to the ceiling (%.2f s write, %.2f s read): write "
	       "%.1f %%, read %.1f %%\n", spi_w, spi_r, 100.0 * (wceil + spi_w) / wgot,
	       100.0 * (link + spi_r) / rgot);

	/* flashkey itself: the same 8 MiB through the session (plan, erase by the largest unit or
	 * the chip, page program), without its verify; then a read */
	SP = &sp;
	fk_backend_register("bench-serprog", bench_open, "bench only");
	fk_session *ses;
	if (fk_session_open(ctx, "bench-serprog:", &(fk_conn_opts){.reset_mode = -1}, NULL, &ses))
		return fail(ctx, "session");
	for (uint32_t i = 0; i < IMG; i++)
		img[i] ^= 0x5A;
	fk_seg seg = {0, IMG, img};
	fk_write_opts wo = {.no_verify = true, .psize = -1};
	fk_write_result wr;
	uint64_t s0 = tw_spinor_now(CHIP);
	if (fk_flash_write(ses, &seg, 1, &wo, NULL, &wr))
		return fail(ctx, "flashkey write");
	uint64_t s1 = tw_spinor_now(CHIP);
	if (fk_flash_read(ses, 0, back, IMG))
		return fail(ctx, "flashkey read");
	uint64_t s2 = tw_spinor_now(CHIP);
	if (memcmp(img, back, IMG)) {
		fprintf(stderr, "bench_spinor_serprog: flashkey read-back differs\n");
		return 1;
	}
	fk_session_close(ses);
	/* its erase: all 2048 sectors = one chip erase (tCE typ), else 128 tBE2 */
	double ce = p->typ.tce / 1e6, fceil = link + pp + (ce < be ? ce : be);
	double fw = (double)(s1 - s0) / 1e9, fr = (double)(s2 - s1) / 1e9;
	printf("  flashkey write (session + chip driver, %u sectors erased, no verify) %.2f s "
	       "virtual; ceiling (link %.2f s + tPP %.2f s + erase %.2f s) %.2f s: %.1f %% of the "
	       "ceiling\n", wr.sectors_erased, fw, link, pp, ce < be ? ce : be, fceil,
	       100.0 * fceil / fw);
	printf("  with the SPI clock time added: flashkey write %.1f %%, read %.1f %% of the ceiling "
	       "(target >= 90 %%)\n", 100.0 * (fceil + spi_w) / fw, 100.0 * (link + spi_r) / fr);
	printf("  flashkey read %.2f s virtual: %.1f %% of the link ceiling; against flashrom on "
	       "the same served twin: bench/bench_serprog.sh\n", fr, 100.0 * link / fr);
	spinor_bus_free(&b);
	serprog_detach(&sp);
	tw_serprog_free(srv);
	tw_spinor_free(CHIP);
	free(img);
	free(back);
	fk_ctx_free(ctx);
	return 0;
}
