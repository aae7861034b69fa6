/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/serprog: serprog client (interface version 1) as an SPI programmer transport. Sources:
 * flashrom v1.3.0 Documentation/serprog-protocol.txt and serprog.c (serprog_init,
 * sp_synchronize, serprog_spi_send_command), summarised in ../shared/reference/spi-nor.md §7.
 * See probe/serprog.h for the rules every reply is held to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "link/serial.h"
#include "probe/serprog.h"

#define SP_SYNC_TRIES 8u
#define SP_SYNC_TMO_MS 100u
#define SP_REPLY_TMO_MS 2000u

static const char *const sp_names[] = {
	"NOP", "Q_IFACE", "Q_CMDMAP", "Q_PGMNAME", "Q_SERBUF", "Q_BUSTYPE", "Q_CHIPSIZE",
	"Q_OPBUF", "Q_WRNMAXLEN", "R_BYTE", "R_NBYTES", "O_INIT", "O_WRITEB", "O_WRITEN",
	"O_DELAY", "O_EXEC", "SYNCNOP", "Q_RDNMAXLEN", "S_BUSTYPE", "O_SPIOP", "S_SPI_FREQ",
	"S_PIN_STATE",
};

const char *serprog_cmd_name(uint8_t cmd)
{
	return cmd < FK_ARRAY_SIZE(sp_names) ? sp_names[cmd] : "unknown";
}

bool serprog_has(const serprog *sp, uint8_t cmd)
{
	return (sp->cmdmap[cmd / 8U] >> (cmd % 8U)) & 1U;
}

uint32_t serprog_decode_len24(const uint8_t b[3])
{
	uint32_t v = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16);
	return v ? v : SERPROG_LEN_MAX; /* 0 = 2^24, which a u24 length cannot ask for anyway */
}

void serprog_decode_name(const uint8_t b[16], char out[17])
{
	size_t i = 0;
	for (; i < 16 && b[i]; i++)
		out[i] = (b[i] >= 0x20 && b[i] < 0x7F) ? (char)b[i] : '?';
	out[i] = '\0';
}

static const fk_stream_ops *sp_ops(const serprog *sp)
{
	return sp->t->ops;
}

static int sp_write(serprog *sp, const uint8_t *b, size_t n)
{
	int rc = sp_ops(sp)->write(sp->t->handle, sp->ctx, b, n);
	return rc ? fk_fail_wrap(sp->ctx, rc, "sending %s to the serprog programmer",
				 serprog_cmd_name(b[0]))
		  : FK_OK;
}

static int sp_read(serprog *sp, uint8_t *b, size_t n, unsigned tmo, size_t *got)
{
	return sp_ops(sp)->read(sp->t->handle, sp->ctx, b, n, tmo, got);
}

/* "ff 00 .." of what was seen, for messages. */
static void sp_hex(const uint8_t *b, size_t n, char *out, size_t outsz)
{
	out[0] = '\0';
	for (size_t i = 0; i < n && i < 12; i++)
		fk_snprintf_cat(out, outsz, "%s%02X", i ? " " : "", b[i]);
	if (n > 12)
		fk_snprintf_cat(out, outsz, " ...");
	if (!n)
		fk_snprintf_cat(out, outsz, "nothing");
}

/* The ACK of cmd, then nret return bytes. Before the command map is known (attach), every
 * command may be sent; afterwards one the map lacks is refused here, naming it. */
static int sp_reply(serprog *sp, uint8_t cmd, uint8_t *ret, size_t nret)
{
	uint8_t a = 0;
	size_t got = 0;
	int rc = sp_read(sp, &a, 1, sp->timeout_ms, &got);
	if (rc == FK_E_TIMEOUT)
		return fk_fail(sp->ctx, FK_E_TIMEOUT, "%s (0x%02X): no answer from the serprog "
			       "programmer within %u ms", serprog_cmd_name(cmd), cmd, sp->timeout_ms);
	if (rc)
		return fk_fail_wrap(sp->ctx, rc, "%s (0x%02X)", serprog_cmd_name(cmd), cmd);
	if (a == SERPROG_NAK)
		return fk_fail(sp->ctx, FK_E_NACK, "%s (0x%02X): the serprog programmer refused it "
			       "(NAK)", serprog_cmd_name(cmd), cmd);
	if (a != SERPROG_ACK)
		return fk_fail(sp->ctx, FK_E_PROTOCOL, "%s (0x%02X): expected ACK 0x06 or NAK 0x15, "
			       "got 0x%02X", serprog_cmd_name(cmd), cmd, a);
	if (!nret)
		return FK_OK;
	rc = sp_read(sp, ret, nret, sp->timeout_ms, &got);
	if (rc == FK_E_TIMEOUT)
		return fk_fail(sp->ctx, FK_E_TIMEOUT, "%s (0x%02X): %zu of %zu reply bytes after the "
			       "ACK, then silence", serprog_cmd_name(cmd), cmd, got, nret);
	return rc ? fk_fail_wrap(sp->ctx, rc, "%s (0x%02X)", serprog_cmd_name(cmd), cmd) : FK_OK;
}

static int sp_cmd(serprog *sp, uint8_t cmd, const uint8_t *par, size_t npar, uint8_t *ret,
		  size_t nret)
{
	uint8_t req[8];
	if (npar > sizeof req - 1)
		return fk_fail(sp->ctx, FK_E_INTERNAL, "serprog %s: %zu parameter bytes",
			       serprog_cmd_name(cmd), npar);
	req[0] = cmd;
	if (npar)
		memcpy(req + 1, par, npar);
	int rc = sp_write(sp, req, 1 + npar);
	return rc ? rc : sp_reply(sp, cmd, ret, nret);
}

/* A command the programmer must have for what we are about to do. */
static int sp_need(serprog *sp, uint8_t cmd, const char *what)
{
	if (serprog_has(sp, cmd))
		return FK_OK;
	fk_hint(sp->ctx, "use a serprog firmware with SPI support (e.g. serprog on a Raspberry Pi "
		"Pico or an STM32 \"stm32-vserprog\"), or another programmer");
	return fk_fail(sp->ctx, FK_E_UNSUPPORTED, "the serprog programmer%s%s%s lacks %s (0x%02X), "
		       "needed %s", sp->name[0] ? " \"" : "", sp->name, sp->name[0] ? "\"" : "",
		       serprog_cmd_name(cmd), cmd, what);
}

/* Reads single bytes until the pair NAK ACK is seen; false after `limit` bytes or a silence. */
static bool sp_sync_pair(serprog *sp, uint8_t *seen, size_t *nseen, size_t limit)
{
	uint8_t prev = 0, c;
	for (size_t i = 0; i < limit; i++) {
		size_t got = 0;
		if (sp_read(sp, &c, 1, SP_SYNC_TMO_MS, &got) || got != 1)
			return false;
		if (*nseen < 12)
			seen[(*nseen)++] = c;
		if (prev == SERPROG_NAK && c == SERPROG_ACK)
			return true;
		prev = c;
	}
	return false;
}

/* Drains what a device in the middle of something still sends (bounded), then flushes. */
static void sp_drain(serprog *sp)
{
	uint8_t junk[64];
	size_t got = 0;
	for (unsigned i = 0; i < 16; i++)
		if (sp_read(sp, junk, sizeof junk, 20, &got) != FK_OK)
			break;
	if (sp_ops(sp)->flush_input)
		sp_ops(sp)->flush_input(sp->t->handle, sp->ctx);
}

/* flashrom's sp_synchronize: NOPs end a short command the device was in the middle of; then
 * SYNCNOP until NAK ACK is seen, and once more to see that NAK ACK comes at once. */
static int sp_sync(serprog *sp)
{
	static const uint8_t nops[8] = {0};
	uint8_t syn = SERPROG_SYNCNOP, seen[12];
	size_t nseen = 0;
	fk_ctx saved = *sp->ctx;
	int rc = sp_write(sp, nops, sizeof nops);
	if (rc)
		return rc;
	sp_drain(sp);
	for (unsigned t = 0; t < SP_SYNC_TRIES; t++) {
		if ((rc = sp_write(sp, &syn, 1)) != FK_OK)
			return rc;
		if (!sp_sync_pair(sp, seen, &nseen, 64))
			continue;
		size_t n2 = 0;
		uint8_t again[12];
		if ((rc = sp_write(sp, &syn, 1)) != FK_OK)
			return rc;
		if (sp_sync_pair(sp, again, &n2, 2))
			return FK_OK;
	}
	fk_ctx_restore_error(sp->ctx, &saved);
	char hex[64];
	sp_hex(seen, nseen, hex, sizeof hex);
	fk_hint(sp->ctx, "check that DEVICE is the programmer's serial port, that it runs serprog "
		"firmware, and the baud rate (serprog:DEVICE@BAUD)");
	return fk_fail(sp->ctx, FK_E_CONNECT, "no serprog programmer answered on %s: SYNCNOP "
		       "(0x10) %u times, expected NAK ACK (15 06), got %s", sp->t->description,
		       SP_SYNC_TRIES, hex);
}

static int sp_query_iface(serprog *sp)
{
	uint8_t v[2];
	int rc = sp_cmd(sp, SERPROG_Q_IFACE, NULL, 0, v, 2);
	if (rc)
		return rc;
	sp->iface = fk_get_le16(v);
	if (sp->iface != SERPROG_IFACE_VERSION)
		return fk_fail(sp->ctx, FK_E_UNSUPPORTED, "serprog interface version %u: flashkey "
			       "speaks version %u", sp->iface, SERPROG_IFACE_VERSION);
	return FK_OK;
}

static int sp_query_map(serprog *sp)
{
	uint8_t map[32];
	int rc = sp_cmd(sp, SERPROG_Q_CMDMAP, NULL, 0, map, sizeof map);
	if (rc)
		return rc;
	memcpy(sp->cmdmap, map, sizeof map);
	return FK_OK;
}

static void sp_bus_text(uint8_t bus, char *out, size_t n)
{
	static const char *const names[4] = {"parallel", "LPC", "FWH", "SPI"};
	out[0] = '\0';
	for (unsigned i = 0; i < 4; i++)
		if (bus & (1U << i))
			fk_snprintf_cat(out, n, "%s%s", out[0] ? ", " : "", names[i]);
	if (!out[0])
		fk_snprintf_cat(out, n, "none");
}

static int sp_query_bus(serprog *sp)
{
	if (!serprog_has(sp, SERPROG_Q_BUSTYPE)) {
		fk_log(sp->ctx, FK_LOG_DEBUG, FK_TRACE_LINK,
		       "serprog: no Q_BUSTYPE in the command map; O_SPIOP taken to mean SPI");
		return FK_OK;
	}
	int rc = sp_cmd(sp, SERPROG_Q_BUSTYPE, NULL, 0, &sp->bustypes, 1);
	if (rc)
		return rc;
	if (!(sp->bustypes & SERPROG_BUS_SPI)) {
		char bus[48];
		sp_bus_text(sp->bustypes, bus, sizeof bus);
		fk_hint(sp->ctx, "a SPI flash needs a programmer with the SPI bus; this one drives %s "
			"flash", bus);
		return fk_fail(sp->ctx, FK_E_UNSUPPORTED, "the serprog programmer \"%s\" offers no SPI "
			       "bus (Q_BUSTYPE 0x%02X: %s)", sp->name, sp->bustypes, bus);
	}
	if (!serprog_has(sp, SERPROG_S_BUSTYPE))
		return FK_OK;
	uint8_t spi = SERPROG_BUS_SPI;
	rc = sp_cmd(sp, SERPROG_S_BUSTYPE, &spi, 1, NULL, 0);
	return rc ? fk_fail_wrap(sp->ctx, rc, "selecting the SPI bus") : FK_OK;
}

static int sp_query_limit(serprog *sp, uint8_t cmd, uint32_t *lim)
{
	uint8_t b[3];
	*lim = SERPROG_LEN_MAX; /* flashrom: no limit announced = none */
	if (!serprog_has(sp, cmd))
		return FK_OK;
	int rc = sp_cmd(sp, cmd, NULL, 0, b, 3);
	if (!rc)
		*lim = serprog_decode_len24(b);
	return rc;
}

static int sp_query_name(serprog *sp)
{
	uint8_t b[16];
	if (!serprog_has(sp, SERPROG_Q_PGMNAME))
		return FK_OK;
	int rc = sp_cmd(sp, SERPROG_Q_PGMNAME, NULL, 0, b, sizeof b);
	if (!rc)
		serprog_decode_name(b, sp->name);
	return rc;
}

static int sp_init(serprog *sp)
{
	int rc = sp_sync(sp);
	if (!rc)
		rc = sp_query_iface(sp);
	if (!rc)
		rc = sp_query_map(sp);
	if (!rc)
		rc = sp_query_name(sp);
	if (!rc)
		rc = sp_need(sp, SERPROG_O_SPIOP, "for every SPI transaction");
	if (!rc)
		rc = sp_query_bus(sp);
	if (!rc)
		rc = sp_query_limit(sp, SERPROG_Q_WRNMAXLEN, &sp->max_write);
	if (!rc)
		rc = sp_query_limit(sp, SERPROG_Q_RDNMAXLEN, &sp->max_read);
	if (!rc && serprog_has(sp, SERPROG_S_PIN_STATE)) {
		rc = serprog_set_pins(sp, true);
		if (rc)
			rc = fk_fail_wrap(sp->ctx, rc, "switching the programmer's outputs on");
	}
	return rc;
}

int serprog_attach(serprog *sp, fk_ctx *ctx, const fk_transport *stream)
{
	memset(sp, 0, sizeof *sp);
	sp->ctx = ctx;
	sp->t = stream;
	sp->timeout_ms = SP_REPLY_TMO_MS;
	memset(sp->cmdmap, 0xFF, sizeof sp->cmdmap); /* until Q_CMDMAP says otherwise */
	if (stream->kind != FK_TRANSPORT_STREAM)
		return fk_fail(ctx, FK_E_INTERNAL, "serprog needs a byte stream");
	sp->buf = malloc(7 + SERPROG_OWN_WRITE_MAX);
	if (!sp->buf)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the serprog buffer");
	int rc = sp_init(sp);
	if (rc) {
		free(sp->buf);
		sp->buf = NULL;
	}
	return rc;
}

void serprog_detach(serprog *sp)
{
	if (sp->buf && sp->pins_on) {
		fk_ctx saved = *sp->ctx;
		if (serprog_set_pins(sp, false))
			fk_ctx_restore_error(sp->ctx, &saved); /* leaving anyway */
	}
	free(sp->buf);
	sp->buf = NULL;
}

void serprog_limits(const serprog *sp, size_t *max_write, size_t *max_read)
{
	*max_write = FK_MIN(sp->max_write, SERPROG_OWN_WRITE_MAX);
	*max_read = FK_MIN(sp->max_read, SERPROG_OWN_READ_MAX);
}

int serprog_spi(serprog *sp, const uint8_t *w, size_t wlen, uint8_t *r, size_t rlen)
{
	size_t mw, mr;
	serprog_limits(sp, &mw, &mr);
	if (wlen > mw || rlen > mr)
		return fk_fail(sp->ctx, FK_E_INTERNAL, "SPI transaction of %zu bytes out, %zu in: the "
			       "programmer carries at most %zu out, %zu in", wlen, rlen, mw, mr);
	if (!wlen && !rlen)
		return FK_OK;
	uint8_t *q = sp->buf;
	q[0] = SERPROG_O_SPIOP;
	q[1] = (uint8_t)wlen, q[2] = (uint8_t)(wlen >> 8), q[3] = (uint8_t)(wlen >> 16);
	q[4] = (uint8_t)rlen, q[5] = (uint8_t)(rlen >> 8), q[6] = (uint8_t)(rlen >> 16);
	if (wlen)
		memcpy(q + 7, w, wlen);
	int rc = sp_write(sp, q, 7 + wlen);
	if (!rc)
		rc = sp_reply(sp, SERPROG_O_SPIOP, r, rlen);
	if (rc && wlen)
		rc = fk_fail_wrap(sp->ctx, rc, "SPI instruction %02Xh (%zu bytes out, %zu in)", w[0],
				  wlen, rlen);
	return rc;
}

int serprog_set_speed(serprog *sp, uint32_t hz, uint32_t *actual_hz)
{
	uint8_t par[4], got[4];
	int rc = sp_need(sp, SERPROG_S_SPI_FREQ, "to set the SPI clock (--speed)");
	if (rc)
		return rc;
	if (!hz)
		return fk_fail(sp->ctx, FK_E_INVALID_ARG, "SPI clock 0 Hz");
	fk_put_le32(par, hz);
	if ((rc = sp_cmd(sp, SERPROG_S_SPI_FREQ, par, 4, got, 4)) != FK_OK)
		return fk_fail_wrap(sp->ctx, rc, "setting the SPI clock to %u Hz", hz);
	uint32_t a = fk_get_le32(got);
	if (!a)
		return fk_fail(sp->ctx, FK_E_PROTOCOL, "S_SPI_FREQ (0x14): the programmer answered "
			       "0 Hz for %u Hz", hz);
	sp->spi_hz = a;
	if (actual_hz)
		*actual_hz = a;
	return FK_OK;
}

int serprog_set_pins(serprog *sp, bool on)
{
	uint8_t v = on ? 1 : 0;
	int rc = sp_need(sp, SERPROG_S_PIN_STATE, "to switch the outputs");
	if (!rc)
		rc = sp_cmd(sp, SERPROG_S_PIN_STATE, &v, 1, NULL, 0);
	if (!rc)
		sp->pins_on = on;
	return rc;
}

/* ---- the serprog: backend ---- */

typedef struct sp_conn {
	serprog sp;
	fk_transport stream;
} sp_conn;

static int sp_t_xfer(void *h, fk_ctx *ctx, const uint8_t *w, size_t wlen, uint8_t *r, size_t rlen)
{
	sp_conn *c = h;
	c->sp.ctx = ctx;
	return serprog_spi(&c->sp, w, wlen, r, rlen);
}

static void sp_t_limits(void *h, size_t *max_write, size_t *max_read)
{
	serprog_limits(&((sp_conn *)h)->sp, max_write, max_read);
}

static int sp_t_speed(void *h, fk_ctx *ctx, uint32_t hz, uint32_t *actual)
{
	sp_conn *c = h;
	c->sp.ctx = ctx;
	return serprog_set_speed(&c->sp, hz, actual);
}

static const fk_spi_ops sp_spi_ops = {
	.xfer = sp_t_xfer,
	.limits = sp_t_limits,
	.set_speed = sp_t_speed,
};

static void sp_t_close(void *h)
{
	sp_conn *c = h;
	fk_ctx *ctx = fk_ctx_new();
	if (ctx) {
		c->sp.ctx = ctx;
		serprog_detach(&c->sp);
		fk_ctx_free(ctx);
	}
	fk_transport_close(&c->stream);
	free(c);
}

static int sp_t_sync(void *h, fk_ctx *ctx)
{
	return fk_transport_sync(&((sp_conn *)h)->stream, ctx);
}

static int sp_open_stream(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, sp_conn *c)
{
	char dev[160];
	unsigned baud;
	if (serial_parse_spec(arg, dev, sizeof dev, &baud)) {
		fk_hint(ctx, "write serprog:DEVICE[@BAUD], e.g. serprog:/dev/ttyACM0@115200");
		return fk_fail(ctx, FK_E_USAGE, "bad serprog connection \"serprog:%.60s\"", arg);
	}
	fk_conn_opts o = *opts;
	o.parity_none = 1; /* serprog runs 8N1 */
	if (!baud && !o.baud)
		o.baud = SERPROG_DEFAULT_BAUD;
	return serial_open(ctx, arg, &o, &c->stream);
}

int serprog_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts, fk_transport *out)
{
	sp_conn *c = calloc(1, sizeof *c);
	if (!c)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the serprog client");
	int rc = sp_open_stream(ctx, arg, opts, c);
	if (rc) {
		free(c);
		return rc;
	}
	rc = serprog_attach(&c->sp, ctx, &c->stream);
	if (!rc && opts->swd_khz > UINT32_MAX / 1000U)
		rc = fk_fail(ctx, FK_E_USAGE, "--speed %u kHz: above %u kHz", opts->swd_khz,
			     UINT32_MAX / 1000U);
	if (!rc && opts->swd_khz) {
		uint32_t got;
		rc = serprog_set_speed(&c->sp, opts->swd_khz * 1000U, &got);
		if (!rc)
			fk_log(ctx, FK_LOG_INFO, FK_TRACE_LINK, "serprog: SPI clock %u Hz (asked %u kHz)",
			       got, opts->swd_khz);
	}
	if (rc) {
		serprog_detach(&c->sp);
		fk_transport_close(&c->stream);
		free(c);
		return rc;
	}
	out->kind = FK_TRANSPORT_SPI;
	out->ops = &sp_spi_ops;
	out->handle = c;
	out->close = sp_t_close;
	out->sync = sp_t_sync;
	out->description[0] = '\0';
	fk_snprintf_cat(out->description, sizeof out->description, "serprog%s%s%s on %s",
			c->sp.name[0] ? " \"" : "", c->sp.name, c->sp.name[0] ? "\"" : "",
			c->stream.description);
	return FK_OK;
}
