/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin-uart:PATH — a twin's ROM bootloader UART (its first byte-stream port, twin/model.h)
 * served in-process as an FK_TRANSPORT_STREAM, for unit and scenario tests and benchmarks: the
 * library's client (AN3155 for an STM32) talks to the port exactly as to a serial port, and time
 * is the twin's virtual clock (a read timeout advances it instead of sleeping).
 *
 * Opening it is "the board was reset with the boot pins selecting the ROM" (the port's enter:
 * for an STM32, AN2606 §4.1 pattern 1, BOOT0=1, BOOT1=0); a ROM that does not run (STM32 RDP
 * level 2, RM0090 §3.7.3) answers nothing. A model without a byte-stream port is refused. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "stream.h"

int tw_stream_session_open(tw_stream_session *s, fk_ctx *ctx, tw_chip *chip,
			   const tw_stream_port *port, const tw_stream_cfg *cfg, bool enter)
{
	s->chip = chip;
	s->port = port;
	s->sess = NULL;
	int rc = port->open(tw_chip_impl(chip), ctx, cfg, &s->sess);
	if (rc == FK_OK && enter && port->enter)
		port->enter(tw_chip_impl(chip));
	return rc;
}

void tw_stream_session_close(tw_stream_session *s)
{
	if (s->sess)
		s->port->close(s->sess);
	s->sess = NULL;
}

int tw_stream_session_lines(tw_stream_session *s, fk_ctx *ctx, unsigned asserted)
{
	if (!s->port->lines)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the twin's %s port has no DTR/RTS wiring",
			       s->port->protocol);
	s->port->lines(s->sess, asserted);
	return FK_OK;
}

typedef struct tw_uart {
	tw_stream_session ss;
	bool owns_chip;
	fk_ctx *ctx;      /* of the write in progress: the port's log lines go there */
	uint64_t host_ns; /* the host's own time: when it last sent or received a byte */
} tw_uart;

/* The port's notable events (what code started by Go did) as DEBUG lines of the caller's
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
	u->ss.port->rx(u->ss.sess, buf, len);
	u->ctx = NULL;
	u->host_ns = tw_chip_now_ns(u->ss.chip);
	return FK_OK;
}

static int tu_read(void *h, fk_ctx *ctx, void *buf, size_t len, unsigned timeout_ms, size_t *got)
{
	tw_uart *u = h;
	(void)ctx;
	*got = u->ss.port->tx(u->ss.sess, buf, len);
	if (*got)
		u->host_ns = u->ss.port->tx_last_ns(u->ss.sess);
	if (*got == len)
		return FK_OK;
	/* Waited in vain: the wait started when the host last heard from the device, so work the
	 * device did after its last byte (code started by Go runs after the ACK) overlaps the
	 * wait instead of adding to it, as on a real line. */
	uint64_t deadline = u->host_ns + (uint64_t)timeout_ms * 1000000ULL;
	uint64_t now = tw_chip_now_ns(u->ss.chip);
	if (deadline > now)
		tw_chip_advance(u->ss.chip, deadline - now);
	u->host_ns = deadline > now ? deadline : now;
	return FK_E_TIMEOUT;
}

static int tu_flush(void *h, fk_ctx *ctx)
{
	tw_uart *u = h;
	uint8_t junk[256];
	(void)ctx;
	while (u->ss.port->tx(u->ss.sess, junk, sizeof junk))
		;
	return FK_OK;
}

static int tu_lines(void *h, fk_ctx *ctx, int dtr, int rts)
{
	tw_uart *u = h;
	if (!u->ss.port->lines)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the in-process twin has no DTR/RTS wiring (it "
						      "starts in the bootloader already)");
	/* fk_stream_ops.lines: 1 assert, 0 release, negative leave as is */
	unsigned mask = 0;
	if (dtr > 0)
		mask |= TW_LINE_DTR;
	if (rts > 0)
		mask |= TW_LINE_RTS;
	return tw_stream_session_lines(&u->ss, ctx, mask);
}

static uint64_t tu_now(void *h)
{
	return tw_chip_now_ns(((tw_uart *)h)->ss.chip);
}

/* The host side follows the device's new rate at once (the port charges the clock at it). */
static int tu_set_baud(void *h, fk_ctx *ctx, unsigned baud)
{
	tw_uart *u = h;
	if (!u->ss.port->set_baud)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the twin's %s port has a fixed baud rate",
			       u->ss.port->protocol);
	int rc = u->ss.port->set_baud(u->ss.sess, baud);
	return rc ? fk_fail(ctx, rc, "the twin's %s port refused %u baud", u->ss.port->protocol,
			    baud)
		  : FK_OK;
}

static const fk_stream_ops tu_ops = {tu_write, tu_read, tu_flush, tu_lines, tu_now, tu_set_baud};

static void tu_close(void *h)
{
	tw_uart *u = h;
	if (!u)
		return;
	tw_stream_session_close(&u->ss);
	if (u->owns_chip)
		tw_chip_close(u->ss.chip, NULL);
	free(u);
}

/* Only a chip this transport owns has a state file to save; an adopted one is its owner's. */
static int tu_sync(void *h, fk_ctx *ctx)
{
	tw_uart *u = h;
	return u->owns_chip && tw_chip_path(u->ss.chip) ? tw_chip_sync(u->ss.chip, ctx) : FK_OK;
}

/* "an3155" -> "AN3155" for the transport's description */
static void tu_upper(char *out, size_t n, const char *s)
{
	size_t i = 0;
	for (; s[i] && i + 1 < n; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[i] = '\0';
}

static void tu_fill(fk_transport *out, tw_uart *u)
{
	out->kind = FK_TRANSPORT_STREAM;
	/* the library's path picks the protocol client by it; AN3155 stays the NULL default */
	out->protocol = strcmp(u->ss.port->protocol, "an3155") == 0 ? NULL : u->ss.port->protocol;
	out->ops = &tu_ops;
	out->handle = u;
	out->close = tu_close;
	out->sync = tu_sync;
}

/* The port named `want` (NULL: the first) of the chip's byte-stream ports. */
static const tw_stream_port *tu_port(const tw_model *m, const char *want)
{
	for (unsigned i = 0; m->streams && m->streams[i]; i++)
		if (!want || strcmp(m->streams[i]->protocol, want) == 0)
			return m->streams[i];
	return NULL;
}

static int tu_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out,
		   const char *want);

int tw_uart_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out)
{
	return tu_open(ctx, arg, opts, out, NULL);
}

int tw_esp_uart_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out)
{
	return tu_open(ctx, arg, opts, out, "esp-rom");
}

int tw_lpc_uart_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out)
{
	char path[512];
	unsigned khz = 0;
	fk_strlcpy(path, arg, sizeof path);
	char *comma = strrchr(path, ',');
	if (comma) {
		uint32_t v;
		*comma = '\0';
		if (fk_parse_u32(comma + 1, &v) || v == 0 || v > 99999) {
			fk_hint(ctx, "write twin-lpc:PATH[,XTAL_KHZ], e.g. twin-lpc:board.twin,12000");
			return fk_fail(ctx, FK_E_USAGE, "bad crystal frequency \"%.20s\" in "
				       "\"twin-lpc:%.60s\"", comma + 1, arg);
		}
		khz = v;
	}
	int rc = tu_open(ctx, path, opts, out, "lpc-isp");
	if (!rc)
		out->clock_khz = khz;
	return rc;
}

static int tu_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out,
		   const char *want)
{
	tw_uart *u = calloc(1, sizeof *u);
	if (!u)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the twin bootloader");
	tw_chip *chip;
	int rc = tw_chip_connect(ctx, arg, &chip);
	if (rc) {
		free(u);
		return fk_fail_wrap(ctx, rc, "opening twin %s", arg);
	}
	const tw_model *m = tw_chip_model(chip);
	const tw_stream_port *port = tu_port(m, want);
	if (!port) {
		bool lpc = want && strcmp(want, "lpc-isp") == 0;
		tw_chip_stream(chip, ctx, lpc ? "twin-lpc:" : want ? "twin-esp:" : "twin-uart:",
			       lpc ? "NXP LPC UART ISP (lpc-isp)"
			       : want ? "Espressif serial ROM loader (esp-rom)" : "ROM bootloader UART");
		rc = fk_ctx_error(ctx);
		tw_chip_close(chip, NULL);
		free(u);
		return rc;
	}
	u->owns_chip = true;
	u->ss.chip = chip;
	/* the ESP ROM's UART is 8N1 (serial-protocol.rst); AN3155 8E1 unless --8n1 */
	bool esp = strcmp(port->protocol, "esp-rom") == 0;
	/* the LPC ISP autobauds on '?' in 8N1 (UM10360 §32.7) */
	bool n1 = opts->parity_none || esp || strcmp(port->protocol, "lpc-isp") == 0;
	/* the ESP ROM starts at 115200 whatever was asked: the client switches after SYNC
	 * (transport baud_switch), as on a real port (lib/link/serial.c serial_open_esp) */
	unsigned open_baud = esp ? 115200U : opts->baud;
	tw_stream_cfg cfg = {.baud = open_baud, .bits_per_byte = n1 ? 10 : 11,
			     .startup_ns = port->startup_ns, .log = tu_log, .hook_arg = u};
	if ((rc = tw_stream_session_open(&u->ss, ctx, chip, port, &cfg, true)) != FK_OK) {
		tu_close(u);
		return rc;
	}
	tu_fill(out, u);
	out->baud = open_baud ? open_baud : 115200U;
	out->baud_switch = esp && opts->baud && opts->baud != 115200U ? opts->baud : 0;
	char proto[32];
	tu_upper(proto, sizeof proto, port->protocol);
	snprintf(out->description, sizeof out->description, "twin %s bootloader (%s) at %.100s",
		 tw_chip_variant(chip), proto, arg);
	return FK_OK;
}

int tw_stream_attach(tw_chip *chip, const tw_stream_port *port, const tw_stream_cfg *cfg,
		     bool take_chip, fk_transport *out)
{
	void *sess = NULL;
	fk_ctx *ctx = fk_ctx_new();
	int rc = ctx ? port->open(tw_chip_impl(chip), ctx, cfg, &sess) : FK_E_NOMEM;
	fk_ctx_free(ctx);
	if (rc == FK_OK && (rc = tw_stream_adopt(chip, port, sess, take_chip, out)) != FK_OK)
		port->close(sess);
	return rc;
}

int tw_stream_adopt(tw_chip *chip, const tw_stream_port *port, void *sess, bool take_chip,
		    fk_transport *out)
{
	tw_uart *u = calloc(1, sizeof *u);
	if (!u)
		return FK_E_NOMEM;
	u->ss = (tw_stream_session){chip, port, sess};
	u->owns_chip = take_chip;
	tu_fill(out, u);
	char proto[32];
	tu_upper(proto, sizeof proto, port->protocol);
	snprintf(out->description, sizeof out->description, "twin %s bootloader (%s, in memory)",
		 tw_chip_variant(chip), proto);
	return FK_OK;
}

void *tw_uart_session(void *handle)
{
	return ((tw_uart *)handle)->ss.sess;
}

tw_chip *tw_uart_twin(void *handle)
{
	return ((tw_uart *)handle)->ss.chip;
}
