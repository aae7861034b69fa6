/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin-uart:PATH — the F4 twin's bootloader served in-process as an FK_TRANSPORT_STREAM, for
 * unit and scenario tests and benchmarks: the library's AN3155 client talks to the server of
 * an3155_server.c exactly as to a serial port, and time is the twin's virtual clock (a read
 * timeout advances it instead of sleeping).
 *
 * Opening it is "the board was reset with BOOT0=1, BOOT1=0" (AN2606 §4.1 pattern 1): the chip
 * reboots into system memory, option bytes reload; at RDP level 2 the bootloader does not run
 * and nothing answers (RM0090 §3.7.3). */
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"
#include "stm32f4/an3155_server.h"
#include "stm32f4/an3155_stream.h"

typedef struct tw_uart {
	tw_f4 *chip;
	tw_an3155 *srv;
	bool owns_chip;
	fk_ctx *ctx; /* of the write in progress: the server's log lines go there */
	uint64_t host_ns; /* the host's own time: when it last sent or received a byte */
} tw_uart;

/* The server's notable events (what code started by Go did) as INFO lines of the caller's
 * context (`flashkey -v`), as `flashkey-twin serve` prints them. */
static void tu_log(void *arg, const char *line)
{
	tw_uart *u = arg;
	if (u->ctx)
		fk_log(u->ctx, FK_LOG_DEBUG, FK_TRACE_TWIN, "twin: %s", line);
}

static int tu_write(void *h, fk_ctx *ctx, const void *buf, size_t len)
{
	tw_uart *u = h;
	u->ctx = ctx;
	tw_an3155_rx(u->srv, buf, len);
	u->ctx = NULL;
	u->host_ns = tw_f4_now_ns(u->chip);
	return FK_OK;
}

static int tu_read(void *h, fk_ctx *ctx, void *buf, size_t len, unsigned timeout_ms, size_t *got)
{
	tw_uart *u = h;
	(void)ctx;
	*got = tw_an3155_tx(u->srv, buf, len);
	if (*got)
		u->host_ns = tw_an3155_tx_last_ns(u->srv);
	if (*got == len)
		return FK_OK;
	/* Waited in vain: the wait started when the host last heard from the device, so work the
	 * device did after its last byte (code started by Go runs after the ACK) overlaps the
	 * wait instead of adding to it, as on a real line. */
	uint64_t deadline = u->host_ns + (uint64_t)timeout_ms * 1000000ULL, now = tw_f4_now_ns(u->chip);
	if (deadline > now)
		tw_f4_advance(u->chip, deadline - now);
	u->host_ns = deadline > now ? deadline : now;
	return FK_E_TIMEOUT;
}

static int tu_flush(void *h, fk_ctx *ctx)
{
	tw_uart *u = h;
	uint8_t junk[256];
	(void)ctx;
	while (tw_an3155_tx(u->srv, junk, sizeof junk))
		;
	return FK_OK;
}

static int tu_lines(void *h, fk_ctx *ctx, int dtr, int rts)
{
	(void)h;
	(void)dtr;
	(void)rts;
	return fk_fail(ctx, FK_E_UNSUPPORTED,
		       "the in-process twin has no DTR/RTS wiring (it starts in the bootloader already)");
}

static uint64_t tu_now(void *h)
{
	return tw_f4_now_ns(((tw_uart *)h)->chip);
}

static const fk_stream_ops tu_ops = {tu_write, tu_read, tu_flush, tu_lines, tu_now};

static void tu_close(void *h)
{
	tw_uart *u = h;
	if (!u)
		return;
	tw_an3155_free(u->srv);
	if (u->owns_chip) {
		fk_ctx *ctx = fk_ctx_new();
		tw_f4_close(u->chip, ctx);
		fk_ctx_free(ctx);
	}
	free(u);
}

int tw_uart_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out)
{
	tw_an3155_cfg cfg = {.baud = opts->baud, .bits_per_byte = opts->parity_none ? 10 : 11,
			     .startup_ns = 84590000ULL};
	tw_uart *u = calloc(1, sizeof *u);
	if (!u)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the twin bootloader");
	int rc = tw_f4_open(ctx, arg, &u->chip);
	if (rc) {
		free(u);
		return fk_fail_wrap(ctx, rc, "opening twin %s", arg);
	}
	u->owns_chip = true;
	cfg.log = tu_log;
	cfg.hook_arg = u;
	tw_f4_set_boot(u->chip, TW_BOOT_SYSMEM);
	tw_f4_reset(u->chip, TW_RESET_SYSTEM);
	u->srv = tw_an3155_new(u->chip, &cfg);
	if (!u->srv) {
		tu_close(u);
		return fk_fail(ctx, FK_E_NOMEM, "allocating the twin bootloader");
	}
	out->kind = FK_TRANSPORT_STREAM;
	out->ops = &tu_ops;
	out->handle = u;
	out->close = tu_close;
	snprintf(out->description, sizeof out->description, "twin %s bootloader (AN3155) at %.100s",
		 tw_f4_variant_name(tw_f4_variant_of(u->chip)), arg);
	return FK_OK;
}

tw_an3155 *tw_uart_server(void *handle)
{
	return ((tw_uart *)handle)->srv;
}

tw_f4 *tw_uart_chip(void *handle)
{
	return ((tw_uart *)handle)->chip;
}

int tw_uart_attach(tw_f4 *chip, const tw_an3155_cfg *cfg, fk_transport *out)
{
	tw_uart *u = calloc(1, sizeof *u);
	if (!u)
		return FK_E_NOMEM;
	u->chip = chip;
	u->srv = tw_an3155_new(chip, cfg);
	if (!u->srv) {
		free(u);
		return FK_E_NOMEM;
	}
	out->kind = FK_TRANSPORT_STREAM;
	out->ops = &tu_ops;
	out->handle = u;
	out->close = tu_close;
	snprintf(out->description, sizeof out->description, "twin %s bootloader (AN3155, in memory)",
		 tw_f4_variant_name(tw_f4_variant_of(chip)));
	return FK_OK;
}
