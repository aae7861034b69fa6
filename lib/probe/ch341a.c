/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/ch341a: the WCH CH341A in SPI/I2C mode as an SPI programmer (`ch341a[:WHICH]`).
 *
 * Sources (facts only; no code taken): flashrom 1.3 ch341a_spi.c and the WCH CH341DLL.H
 * constants it restates. The device takes 32-byte packets on bulk OUT 0x02, each starting with
 * a command byte that ends with the packet:
 *   0xA8 SPI_STREAM: the other bytes go out LSB first (so each byte is bit-reversed), as many
 *        bytes come back, as one packet on bulk IN 0x82;
 *   0xAB UIO_STREAM: instructions up to 0x20 (END): 0x80|v output levels of D5..D0 (D0 = CS0#,
 *        D3 = SCK, D5 = MOSI; 0x37 = /CS high, SCK low, MOSI high), 0x40|v directions (0x3F:
 *        all six outputs), 0xC0|n wait n microseconds;
 *   0xAA I2C_STREAM: 0x60|s sets the stream speed (flashrom sends 0x61), 0x00 END.
 * flashrom configures the stream (AA 61 00), enables the pins (AB B7 7F 20), and before each
 * command sends a packet that raises /CS (ending the previous command) and lowers it again.
 *
 * Transactions are queued and sent as one batch of USB transfers (link/usb fk_usb_batch_run:
 * libusb's asynchronous API keeps them in flight together, as flashrom does with its 32 IN
 * transfers), so a run of write-only transactions and the status read after them cost one USB
 * round trip instead of one each. Each transaction is its own OUT transfer: its last SPI
 * packet is usually short, and the device ends a command with its packet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "link/usb.h"
#include "probe/ch341a.h"

#define CH_EP_OUT 0x02u
#define CH_EP_IN 0x82u
#define CH_TMO_MS 3000u
#define CH_SPI_PER_PKT 31u
#define CH_MAX_QUEUED_REPLIES 240u  /* reply packets in one batch (the emulator holds 256) */
#define CH_MAX_W (4096u + 4u)
#define CH_MAX_R 16384u
#define CH_NOMINAL_HZ 1500000u      /* UNCONFIRMED: see twin/probe/ch341a_emu.c */

typedef struct ch_dest {
	uint8_t *r;
	size_t rlen;
	size_t in_off; /* where its bytes start in the batch's IN stream */
} ch_dest;

typedef struct ch341a {
	fk_usb_dev *dev;
	uint8_t *out;
	size_t out_used, out_cap;
	size_t *out_len;
	unsigned n_out, out_len_cap;
	size_t *in_len;
	unsigned n_in, in_len_cap;
	size_t in_total;
	ch_dest *dest;
	unsigned n_dest, dest_cap;
	bool cs_low; /* the last queued transaction left /CS low */
	bool wait_last; /* the last OUT transfer is one wait packet (ch_delay) with room left */
	char where[48];
} ch341a;

uint8_t ch341a_rev(uint8_t b)
{
	b = (uint8_t)((b & 0xF0u) >> 4 | (b & 0x0Fu) << 4);
	b = (uint8_t)((b & 0xCCu) >> 2 | (b & 0x33u) << 2);
	return (uint8_t)((b & 0xAAu) >> 1 | (b & 0x55u) << 1);
}

size_t ch341a_cs_packet(uint8_t pkt[CH341A_PKT])
{
	memset(pkt, 0, CH341A_PKT);
	pkt[0] = 0xAB;      /* UIO stream */
	pkt[1] = 0x80 | 0x37; /* /CS high: the previous transaction ends */
	pkt[2] = 0x80 | 0x37; /* held a little longer (tSHSL, flashrom measured 2.25 us in all) */
	pkt[3] = 0x80 | 0x36; /* /CS low */
	pkt[4] = 0x20;      /* END */
	return CH341A_PKT;
}

size_t ch341a_spi_len(size_t n)
{
	return n + (n + CH_SPI_PER_PKT - 1) / CH_SPI_PER_PKT;
}

size_t ch341a_spi_packets(const uint8_t *w, size_t n, uint8_t *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (i % CH_SPI_PER_PKT == 0)
			out[o++] = 0xA8;
		out[o++] = ch341a_rev(w ? w[i] : 0xFF);
	}
	return o;
}

size_t ch341a_wait_len(uint32_t us)
{
	size_t steps = (us + 62u) / 63u + 1u; /* + the release */
	return (steps + 29u) / 30u * CH341A_PKT;
}

size_t ch341a_wait_packets(uint32_t us, int release, uint8_t *out)
{
	size_t o = 0;
	unsigned in_pkt = 30; /* forces a new packet */
	bool rel = release != 0;
	while (rel || us > 0) {
		if (in_pkt == 30) {
			if (o) /* close the previous packet */
				out[o - CH341A_PKT + 31] = 0x20;
			memset(out + o, 0, CH341A_PKT);
			out[o] = 0xAB;
			o += CH341A_PKT;
			in_pkt = 0;
		}
		uint8_t *p = out + o - CH341A_PKT + 1 + in_pkt++;
		if (rel) {
			*p = 0x80 | 0x37;
			rel = false;
		} else {
			uint32_t k = us > 63u ? 63u : us;
			*p = (uint8_t)(0xC0u | k);
			us -= k;
		}
		p[1] = 0x20; /* END after the last instruction */
	}
	return o;
}

/* ---- the queue ---- */

static int ch_grow(void **p, size_t elem, unsigned *cap, size_t need)
{
	if (need <= *cap)
		return FK_OK;
	size_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * elem);
	if (!q)
		return FK_E_NOMEM;
	*p = q;
	*cap = (unsigned)n;
	return FK_OK;
}

static int ch_out_reserve(ch341a *c, size_t more)
{
	if (c->out_used + more <= c->out_cap)
		return FK_OK;
	size_t n = c->out_cap ? c->out_cap : 4096;
	while (n < c->out_used + more)
		n *= 2;
	uint8_t *q = realloc(c->out, n);
	if (!q)
		return FK_E_NOMEM;
	c->out = q;
	c->out_cap = n;
	return FK_OK;
}

/* Ends the OUT transfer that began at out_used - len. */
static int ch_end_transfer(ch341a *c, size_t len)
{
	if (ch_grow((void **)&c->out_len, sizeof *c->out_len, &c->out_len_cap, c->n_out + 1u))
		return FK_E_NOMEM;
	c->out_len[c->n_out++] = len;
	return FK_OK;
}

static int ch_queue(ch341a *c, fk_ctx *ctx, const uint8_t *w, size_t wlen, uint8_t *r,
		    size_t rlen)
{
	size_t n = wlen + rlen, len = CH341A_PKT + ch341a_spi_len(n);
	unsigned pkts = (unsigned)((n + CH_SPI_PER_PKT - 1) / CH_SPI_PER_PKT);
	if (ch_out_reserve(c, len) ||
	    ch_grow((void **)&c->in_len, sizeof *c->in_len, &c->in_len_cap, c->n_in + pkts) ||
	    ch_grow((void **)&c->dest, sizeof *c->dest, &c->dest_cap, c->n_dest + 1u))
		return fk_fail(ctx, FK_E_NOMEM, "queueing a SPI transaction for the CH341A");
	uint8_t *o = c->out + c->out_used;
	/* After a wait packet with room, /CS goes low at its end: no chip-select packet of its
	 * own (the wait already gave the chip its /CS high time) */
	uint8_t *wp = c->wait_last ? c->out + c->out_used - CH341A_PKT : NULL;
	size_t end = 0;
	while (wp && end < CH341A_PKT && wp[end] != 0x20)
		end++;
	bool merge = wp && end >= 1 && end + 1 < CH341A_PKT;
	uint8_t *spi = o;
	if (merge) {
		wp[end] = 0x80 | 0x36;
		wp[end + 1] = 0x20;
		len -= CH341A_PKT;
	} else {
		ch341a_cs_packet(o);
		spi = o + CH341A_PKT;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (i % CH_SPI_PER_PKT == 0)
			spi[k++] = 0xA8;
		spi[k++] = ch341a_rev(i < wlen ? w[i] : 0xFF);
	}
	c->out_used += len;
	c->wait_last = false;
	if (merge)
		c->out_len[c->n_out - 1] += len;
	else if (ch_end_transfer(c, len))
		return fk_fail(ctx, FK_E_NOMEM, "queueing a SPI transaction for the CH341A");
	for (unsigned p = 0; p < pkts; p++) {
		size_t left = n - (size_t)p * CH_SPI_PER_PKT;
		c->in_len[c->n_in++] = left < CH_SPI_PER_PKT ? left : CH_SPI_PER_PKT;
	}
	if (rlen && r)
		c->dest[c->n_dest++] = (ch_dest){r, rlen, c->in_total + wlen};
	c->in_total += n;
	c->cs_low = true;
	return FK_OK;
}

static void ch_reset_queue(ch341a *c)
{
	c->out_used = 0;
	c->wait_last = false;
	c->n_out = c->n_in = c->n_dest = 0;
	c->in_total = 0;
}

static int ch_flush(void *h, fk_ctx *ctx)
{
	ch341a *c = h;
	if (c->n_out == 0)
		return FK_OK;
	if (c->cs_low) { /* the ops contract: /CS released after the last transaction */
		if (ch_out_reserve(c, CH341A_PKT))
			return fk_fail(ctx, FK_E_NOMEM, "CH341A queue");
		size_t len = ch341a_wait_packets(0, 1, c->out + c->out_used);
		c->out_used += len;
		c->wait_last = false;
		if (ch_end_transfer(c, len))
			return fk_fail(ctx, FK_E_NOMEM, "CH341A queue");
		c->cs_low = false;
	}
	uint8_t *in = malloc(c->in_total ? c->in_total : 1);
	size_t *got = calloc(c->n_in ? c->n_in : 1, sizeof *got);
	int rc = in && got ? FK_OK : fk_fail(ctx, FK_E_NOMEM, "CH341A replies");
	if (rc == FK_OK) {
		fk_usb_batch b = {CH_EP_OUT, CH_EP_IN, c->out, c->out_len, c->n_out,
				  in, c->in_len, got, c->n_in};
		rc = fk_usb_batch_run(c->dev, ctx, &b, CH_TMO_MS);
		if (rc)
			fk_hint(ctx, "check the CH341A's USB cable and that its jumper selects the "
				"SPI/I2C mode (1a86:5512 in `lsusb`)");
	}
	for (unsigned i = 0; rc == FK_OK && i < c->n_in; i++)
		if (got[i] != c->in_len[i])
			rc = fk_fail(ctx, FK_E_PROTOCOL, "the CH341A answered a SPI packet with %zu "
				     "bytes instead of %zu (reply %u of %u)", got[i], c->in_len[i],
				     i + 1, c->n_in);
	for (unsigned i = 0; rc == FK_OK && i < c->n_dest; i++) {
		const ch_dest *d = &c->dest[i];
		for (size_t k = 0; k < d->rlen; k++)
			d->r[k] = ch341a_rev(in[d->in_off + k]);
	}
	free(in);
	free(got);
	ch_reset_queue(c);
	return rc;
}

static int ch_xfer_queued(void *h, fk_ctx *ctx, const uint8_t *w, size_t wlen, uint8_t *r,
			  size_t rlen)
{
	ch341a *c = h;
	if (wlen > CH_MAX_W || rlen > CH_MAX_R)
		return fk_fail(ctx, FK_E_INVALID_ARG, "SPI transaction of %zu bytes out, %zu in: "
			       "above the CH341A client's %u/%u", wlen, rlen, CH_MAX_W, CH_MAX_R);
	size_t pkts = (wlen + rlen + CH_SPI_PER_PKT - 1) / CH_SPI_PER_PKT;
	if (c->n_in && c->n_in + pkts > CH_MAX_QUEUED_REPLIES) {
		int rc = ch_flush(h, ctx);
		if (rc)
			return rc;
	}
	return ch_queue(c, ctx, w, wlen, r, rlen);
}

static int ch_xfer(void *h, fk_ctx *ctx, const uint8_t *w, size_t wlen, uint8_t *r, size_t rlen)
{
	int rc = ch_xfer_queued(h, ctx, w, wlen, r, rlen);
	return rc ? rc : ch_flush(h, ctx);
}

static void ch_limits(void *h, size_t *max_w, size_t *max_r)
{
	(void)h;
	*max_w = CH_MAX_W;
	*max_r = CH_MAX_R;
}

/* A wait inside the device, queued behind the transactions before it; /CS is released first,
 * so that the chip starts what the last transaction asked for. */
static void ch_delay(void *h, uint32_t us)
{
	ch341a *c = h;
	if (us == 0 && !c->cs_low)
		return;
	size_t len = ch341a_wait_len(us);
	if (ch_out_reserve(c, len))
		return; /* out of memory: no wait; the caller polls again */
	len = ch341a_wait_packets(us, c->cs_low, c->out + c->out_used);
	c->out_used += len;
	if (ch_end_transfer(c, len) == FK_OK) {
		c->cs_low = false;
		c->wait_last = len == CH341A_PKT;
	} else {
		c->out_used -= len;
	}
}

static uint64_t ch_virtual_ns(void *h)
{
	return fk_usb_virtual_ns(((ch341a *)h)->dev);
}

static const fk_spi_ops ch_ops = {
	.xfer = ch_xfer,
	.limits = ch_limits,
	.virtual_ns = ch_virtual_ns,
	.delay = ch_delay,
	.xfer_queued = ch_xfer_queued,
	.flush = ch_flush,
};

/* Configuration packets, sent at once: stream speed, then the pins. */
static int ch_send_now(ch341a *c, fk_ctx *ctx, const uint8_t *b, size_t n, const char *what)
{
	int rc = fk_usb_write(c->dev, ctx, CH_EP_OUT, b, n, CH_TMO_MS);
	return rc ? fk_fail_wrap(ctx, rc, "CH341A: %s", what) : FK_OK;
}

static void ch_close(void *h)
{
	ch341a *c = h;
	if (!c)
		return;
	if (c->dev) {
		fk_ctx *quiet = fk_ctx_new();
		if (quiet) {
			(void)ch_flush(c, quiet);
			/* /CS high, then every pin an input: the chip is left alone */
			static const uint8_t off[] = {0xAB, 0x80 | 0x37, 0x40 | 0x00, 0x20};
			(void)ch_send_now(c, quiet, off, sizeof off, "releasing the pins");
		}
		fk_ctx_free(quiet);
		fk_usb_close(c->dev);
	}
	free(c->out);
	free(c->out_len);
	free(c->in_len);
	free(c->dest);
	free(c);
}

/* The WHICH-th CH341A (location or 1-based position); FK_E_CONNECT with what is attached. */
static int ch_pick(fk_ctx *ctx, const char *which, fk_usb_info *found)
{
	fk_usb_info *list = calloc(FK_USB_MAX_DEVICES, sizeof *list);
	unsigned n = 0, hits = 0, uart = 0, pos = 0;
	if (!list)
		return fk_fail(ctx, FK_E_NOMEM, "listing USB devices");
	fk_usb_enumerate(ctx, list, FK_USB_MAX_DEVICES, &n);
	bool by_pos = which && which[0] && fk_parse_u32(which, &pos) == FK_OK;
	char seen[200] = "";
	for (unsigned i = 0; i < n; i++) {
		if (list[i].vid == CH341A_VID && list[i].pid == CH341A_PID_UART)
			uart++;
		if (list[i].vid != CH341A_VID || list[i].pid != CH341A_PID)
			continue;
		hits++;
		fk_snprintf_cat(seen, sizeof seen, "%s%u: %s", hits > 1 ? ", " : "", hits,
				list[i].location);
		bool want = !(which && which[0]) ? hits == 1
			    : by_pos ? hits == pos : strcmp(which, list[i].location) == 0;
		if (want)
			*found = list[i];
	}
	free(list);
	if (hits == 0) {
		if (uart)
			fk_hint(ctx, "a CH341 is attached in its UART mode (1a86:5523): move the "
				"programmer's mode jumper to I2C/SPI and plug it in again");
		else
			fk_hint(ctx, "plug in the CH341A programmer; `lsusb` should show 1a86:5512; "
				"if it does, check the udev rule (docs/60-flashkey.rules)");
		return fk_fail(ctx, FK_E_CONNECT, "no CH341A (1a86:5512) found on USB");
	}
	if (found->vid != CH341A_VID) {
		fk_hint(ctx, "attached CH341As: %s; choose with -c ch341a:N", seen);
		return fk_fail(ctx, FK_E_CONNECT, "no CH341A \"%s\"", which);
	}
	if (hits > 1 && !(which && which[0])) {
		fk_hint(ctx, "choose one with -c ch341a:N (%s)", seen);
		return fk_fail(ctx, FK_E_USAGE, "%u CH341As attached: say which one", hits);
	}
	return FK_OK;
}

int ch341a_list(fk_ctx *ctx, ch341a_listing *out, unsigned max, unsigned *n)
{
	*n = 0;
	fk_usb_info *list = calloc(FK_USB_MAX_DEVICES, sizeof *list);
	if (!list)
		return fk_fail(ctx, FK_E_NOMEM, "listing USB devices");
	unsigned cnt = 0, pos = 0;
	fk_usb_enumerate(ctx, list, FK_USB_MAX_DEVICES, &cnt);
	for (unsigned i = 0; i < cnt && *n < max; i++) {
		if (list[i].vid != CH341A_VID ||
		    (list[i].pid != CH341A_PID && list[i].pid != CH341A_PID_UART))
			continue;
		ch341a_listing *l = &out[(*n)++];
		l->pid = list[i].pid;
		l->position = list[i].pid == CH341A_PID ? ++pos : 0;
		fk_strlcpy(l->location, list[i].location, sizeof l->location);
	}
	free(list);
	return FK_OK;
}

int ch341a_open(fk_ctx *ctx, const char *which, const fk_conn_opts *opts, fk_transport *out)
{
	fk_usb_info info;
	memset(&info, 0, sizeof info);
	int rc = ch_pick(ctx, which, &info);
	if (rc)
		return rc;
	if (opts && opts->swd_khz)
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_LINK, "--speed %u kHz ignored: the CH341A's SPI "
		       "clock is fixed (about %u kHz)", opts->swd_khz, CH_NOMINAL_HZ / 1000u);
	ch341a *c = calloc(1, sizeof *c);
	if (!c)
		return fk_fail(ctx, FK_E_NOMEM, "allocating the CH341A client");
	fk_strlcpy(c->where, info.location, sizeof c->where);
	rc = fk_usb_open(ctx, &info, 0, &c->dev);
	static const uint8_t speed[] = {0xAA, 0x60 | 0x01, 0x00};     /* I2C 100 kHz, single SPI */
	static const uint8_t pins[] = {0xAB, 0x80 | 0x37, 0x40 | 0x3F, 0x20}; /* outputs on */
	if (rc == FK_OK)
		rc = ch_send_now(c, ctx, speed, sizeof speed, "setting the stream mode");
	if (rc == FK_OK)
		rc = ch_send_now(c, ctx, pins, sizeof pins, "enabling the SPI pins");
	if (rc) {
		ch_close(c);
		return rc;
	}
	memset(out, 0, sizeof *out);
	out->kind = FK_TRANSPORT_SPI;
	out->ops = &ch_ops;
	out->handle = c;
	out->close = ch_close;
	snprintf(out->description, sizeof out->description, "CH341A (1a86:5512) at %s, SPI clock "
		 "fixed", c->where);
	return FK_OK;
}
