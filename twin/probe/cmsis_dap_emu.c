/* SPDX-License-Identifier: GPL-2.0-or-later */
/* twin/probe: a CMSIS-DAP emulator acting on the twin's DP/AP core, one command packet at a
 * time; the USB bulk (v2), HID (v1) and TCP front ends all feed it.
 *
 * Written from probes.md §1 (not from lib/probe/cmsis_dap*.c): §1.1 command IDs, replies repeat
 * the command byte, unknown commands answer the single byte 0xFF; §1.2 layouts; §1.3 request and
 * response bits, and the reference firmware's hiding of posted AP reads (each AP read is issued
 * and its value collected by the next AP read or a final RDBUFF read; a trailing write is checked
 * with an RDBUFF read); §1.6 WAIT retried up to the configured count. Capabilities: SWD only
 * (no JTAG, SWO, atomic commands). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe_emu.h"

#define DE_OK 0x00u
#define DE_ERROR 0xFFu
#define DE_SWD_BITS 46u
#define DE_WAIT_BITS 13u
#define DE_ACK_ERROR 0x08u
#define DE_ACK_MISMATCH 0x10u
#define DE_MAX_PACKET 1024u

struct tw_cmsis_dap {
	tw_probe_target *t;
	char serial[64];
	char version[16];
	unsigned pkt, count;
	unsigned idle, wait_retry, match_retry;
	uint32_t match_mask;
	bool connected;
};

/* A response under construction: never written past the packet size. */
typedef struct de_out {
	uint8_t *p;
	size_t n, cap;
	bool full;
} de_out;

static void de_byte(de_out *o, uint8_t b)
{
	if (o->n < o->cap)
		o->p[o->n++] = b;
	else
		o->full = true;
}

static void de_word(de_out *o, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		de_byte(o, (uint8_t)(v >> (8 * i)));
}

static uint32_t de_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

tw_cmsis_dap *tw_cmsis_dap_new(tw_probe_target *t, const char *serial, unsigned packet_size,
			       unsigned packet_count, const char *version)
{
	tw_cmsis_dap *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->t = t;
	snprintf(e->serial, sizeof e->serial, "%s", serial);
	snprintf(e->version, sizeof e->version, "%s", version);
	e->pkt = packet_size > DE_MAX_PACKET ? DE_MAX_PACKET : packet_size;
	e->count = packet_count;
	e->wait_retry = 100; /* DAP_Setup defaults (§1.2) */
	tw_dap_set_clock_hz(t->dap, 1000000);
	return e;
}

void tw_cmsis_dap_free(tw_cmsis_dap *e)
{
	free(e);
}

unsigned tw_cmsis_dap_packet_size(const tw_cmsis_dap *e)
{
	return e->pkt;
}

/* ---- one SWD transaction with the firmware's WAIT retries ---- */

/* The clock is charged phase by phase (ADIv5.2 §B4.2): request, turnaround and ACK (12 cycles)
 * come before the DP answers; a write's data (turnaround + 32 bits + parity) arrives 34 cycles
 * later, and only then does the AP start the bus access. So a flash write stalled by the word
 * before it begins as soon as the wire allows, not a whole frame early. */
static uint8_t de_xfer(tw_cmsis_dap *e, bool ap, bool rnw, uint8_t addr, uint32_t *val)
{
	tw_dap *d = e->t->dap;
	for (unsigned i = 0;; i++) {
		tw_dap_clock_bits(d, 12);
		tw_dap_ack ack = tw_dap_request(d, ap, rnw, addr);
		if (ack == TW_ACK_OK && rnw) {
			*val = tw_dap_read(d, ap, addr);
			tw_dap_clock_bits(d, DE_SWD_BITS - 12 + e->idle);
		} else if (ack == TW_ACK_OK) {
			tw_dap_clock_bits(d, DE_SWD_BITS - 12);
			tw_dap_write(d, ap, addr, *val);
			tw_dap_clock_bits(d, e->idle);
		} else {
			tw_dap_clock_bits(d, DE_WAIT_BITS - 12 + e->idle);
		}
		if (ack != TW_ACK_WAIT || i >= e->wait_retry)
			return (uint8_t)ack;
	}
}

/* ---- DAP_Info ---- */

static void de_info_str(de_out *o, const char *s)
{
	size_t n = strlen(s) + 1; /* the length counts the NUL (§1.2) */
	de_byte(o, (uint8_t)n);
	for (size_t i = 0; i < n; i++)
		de_byte(o, (uint8_t)s[i]);
}

static void de_info(tw_cmsis_dap *e, uint8_t id, de_out *o)
{
	switch (id) {
	case 0x01: de_info_str(o, "flashkey twin"); break;
	case 0x02: de_info_str(o, "CMSIS-DAP (flashkey twin)"); break;
	case 0x03: de_info_str(o, e->serial); break;
	case 0x04: de_info_str(o, e->version); break;
	case 0x09: de_info_str(o, e->version); break;
	case 0xF0: de_byte(o, 1), de_byte(o, 0x01); break; /* SWD */
	case 0xFE: de_byte(o, 1), de_byte(o, (uint8_t)e->count); break;
	case 0xFF: de_byte(o, 2), de_byte(o, (uint8_t)e->pkt), de_byte(o, (uint8_t)(e->pkt >> 8)); break;
	default: de_byte(o, 0); break; /* no such information */
	}
}

/* ---- DAP_Transfer (§1.2, §1.3) ---- */

typedef struct de_run {
	uint8_t ack;
	bool post_read;   /* an AP read was issued; its value is still in the AP */
	bool check_write; /* the last op was a write: its status is checked at the end */
} de_run;

/* The value of the posted AP read, collected by an RDBUFF read. */
static void de_flush(tw_cmsis_dap *e, de_run *r, de_out *o)
{
	uint32_t v = 0;
	r->ack = de_xfer(e, false, true, 0xC, &v);
	if (r->ack == TW_ACK_OK)
		de_word(o, v);
	r->post_read = false;
}

static void de_read_match(tw_cmsis_dap *e, de_run *r, bool ap, uint8_t a, uint32_t match)
{
	uint32_t v = 0;
	if (ap) /* prime the posted read */
		r->ack = de_xfer(e, true, true, a, &v);
	for (unsigned i = 0; r->ack == TW_ACK_OK; i++) {
		r->ack = de_xfer(e, ap, true, a, &v);
		if (r->ack != TW_ACK_OK || (v & e->match_mask) == match)
			return;
		if (i >= e->match_retry) {
			r->ack |= DE_ACK_MISMATCH;
			return;
		}
	}
}

static void de_read(tw_cmsis_dap *e, de_run *r, bool ap, uint8_t a, de_out *o)
{
	uint32_t v = 0;
	if (ap) {
		r->ack = de_xfer(e, true, true, a, &v); /* returns the previous AP read's value */
		if (r->ack == TW_ACK_OK && r->post_read)
			de_word(o, v);
		r->post_read = r->ack == TW_ACK_OK;
		return;
	}
	if (r->post_read)
		de_flush(e, r, o);
	if (r->ack == TW_ACK_OK && (r->ack = de_xfer(e, false, true, a, &v)) == TW_ACK_OK)
		de_word(o, v);
}

/* One request; returns false when the request bytes ran out. */
static bool de_one(tw_cmsis_dap *e, de_run *r, const uint8_t *q, size_t len, size_t *at,
		   de_out *o)
{
	uint8_t req = q[(*at)++];
	bool ap = req & 1, rnw = req & 2;
	uint8_t a = req & 0x0C;
	uint32_t w = 0;
	if (!rnw || (req & 0x10)) {
		if (*at + 4 > len)
			return false;
		w = de_get32(q + *at);
		*at += 4;
	}
	if (rnw && (req & 0x10)) {
		if (r->post_read)
			de_flush(e, r, o);
		if (r->ack == TW_ACK_OK)
			de_read_match(e, r, ap, a, w);
	} else if (rnw) {
		de_read(e, r, ap, a, o);
	} else {
		if (r->post_read)
			de_flush(e, r, o);
		if (r->ack == TW_ACK_OK && (req & 0x20))
			e->match_mask = w; /* sets the mask, writes nothing */
		else if (r->ack == TW_ACK_OK)
			r->ack = de_xfer(e, ap, false, a, &w);
	}
	r->check_write = !rnw && !(req & 0x20);
	return true;
}

static void de_finish(tw_cmsis_dap *e, de_run *r, de_out *o)
{
	uint32_t v = 0;
	if (r->ack != TW_ACK_OK)
		return;
	if (r->post_read)
		de_flush(e, r, o);
	else if (r->check_write)
		r->ack = de_xfer(e, false, true, 0xC, &v);
}

static void de_transfer(tw_cmsis_dap *e, const uint8_t *q, size_t len, de_out *o)
{
	de_run r = {TW_ACK_OK, false, false};
	unsigned count = len > 2 ? q[2] : 0, done = 0;
	size_t at = 3;
	de_byte(o, 0), de_byte(o, 0); /* count and response, filled below */
	while (done < count && r.ack == TW_ACK_OK) {
		/* a request cut short, or one whose answer would not fit a packet */
		if (at >= len || o->n + 8 > o->cap || !de_one(e, &r, q, len, &at, o)) {
			r.ack = TW_ACK_NONE | DE_ACK_ERROR;
			break;
		}
		if (r.ack == TW_ACK_OK)
			done++; /* only completed transfers are counted */
	}
	if (r.ack == TW_ACK_OK)
		de_finish(e, &r, o);
	o->p[1] = (uint8_t)done;
	o->p[2] = r.ack;
}

/* ---- DAP_TransferBlock: one register, posted AP reads primed once ---- */

static uint8_t de_block_word(tw_cmsis_dap *e, const de_run *r, bool ap, bool rnw, uint8_t a,
			     bool last, uint32_t *v)
{
	(void)r;
	if (rnw && ap && last)
		return de_xfer(e, false, true, 0xC, v); /* the last value sits in RDBUFF */
	return de_xfer(e, ap, rnw, a, v);
}

static void de_block(tw_cmsis_dap *e, const uint8_t *q, size_t len, de_out *o)
{
	unsigned count = len >= 4 ? (unsigned)(q[2] | q[3] << 8) : 0, done = 0;
	uint8_t req = len >= 5 ? q[4] : 0;
	bool ap = req & 1, rnw = req & 2;
	uint8_t a = req & 0x0C;
	de_run r = {TW_ACK_OK, false, false};
	size_t at = 5;
	uint32_t v = 0;
	de_byte(o, 0), de_byte(o, 0), de_byte(o, 0);
	if (rnw && ap && count)
		r.ack = de_xfer(e, true, true, a, &v); /* prime: its value comes with the next */
	while (done < count && r.ack == TW_ACK_OK) {
		if ((rnw && o->n + 4 > o->cap) || (!rnw && at + 4 > len)) {
			r.ack = TW_ACK_NONE | DE_ACK_ERROR;
			break;
		}
		if (!rnw)
			v = de_get32(q + at), at += 4;
		r.ack = de_block_word(e, &r, ap, rnw, a, done + 1 == count, &v);
		if (r.ack != TW_ACK_OK)
			break;
		if (rnw)
			de_word(o, v);
		done++;
	}
	if (r.ack == TW_ACK_OK && !rnw && done)
		r.ack = de_xfer(e, false, true, 0xC, &v); /* check the last write */
	o->p[1] = (uint8_t)done, o->p[2] = (uint8_t)(done >> 8), o->p[3] = r.ack;
}

/* ---- pins, clock, sequences, configuration ---- */

/* >= 50 consecutive ones on SWDIO is a line reset (ADIv5.2 §B4.3.3); the JTAG-to-SWD switch
 * (0xE79E between two of them) ends with one too. */
static void de_sequence(tw_cmsis_dap *e, const uint8_t *q, size_t len, de_out *o)
{
	unsigned bits = len > 1 ? (q[1] ? q[1] : 256u) : 0, ones = 0;
	bool reset = false;
	if (len < 2 + (bits + 7) / 8) {
		de_byte(o, DE_ERROR);
		return;
	}
	for (unsigned i = 0; i < bits; i++) {
		ones = (q[2 + i / 8] >> (i % 8)) & 1 ? ones + 1 : 0;
		reset |= ones >= 50;
	}
	if (reset)
		tw_dap_line_reset(e->t->dap);
	tw_dap_clock_bits(e->t->dap, bits);
	de_byte(o, DE_OK);
}

static void de_pins(tw_cmsis_dap *e, const uint8_t *q, size_t len, de_out *o)
{
	if (len < 7) {
		de_byte(o, 0);
		return;
	}
	if (q[2] & 0x80) /* nRESET selected: 0 drives it low */
		tw_dap_set_nrst(e->t->dap, !(q[1] & 0x80));
	uint32_t wait_us = de_get32(q + 3);
	if (wait_us)
		e->t->bus->advance(e->t->bus_h, (uint64_t)(wait_us > 3000000 ? 3000000 : wait_us) * 1000);
	/* inputs: SWCLK, SWDIO idle high; nRESET as driven */
	de_byte(o, (uint8_t)(0x03 | ((q[1] & q[2] & 0x80) || !(q[2] & 0x80) ? 0x80 : 0)));
}

static void de_clock(tw_cmsis_dap *e, const uint8_t *q, size_t len, de_out *o)
{
	uint32_t hz = len >= 5 ? de_get32(q + 1) : 0;
	if (hz == 0) {
		de_byte(o, DE_ERROR); /* the reference firmware refuses 0 Hz */
		return;
	}
	tw_dap_set_clock_hz(e->t->dap, hz);
	de_byte(o, DE_OK);
}

static void de_configure(tw_cmsis_dap *e, const uint8_t *q, size_t len, de_out *o)
{
	if (len < 6) {
		de_byte(o, DE_ERROR);
		return;
	}
	e->idle = q[1];
	e->wait_retry = (unsigned)(q[2] | q[3] << 8);
	e->match_retry = (unsigned)(q[4] | q[5] << 8);
	de_byte(o, DE_OK);
}

static void de_abort(tw_cmsis_dap *e, const uint8_t *q, size_t len, de_out *o)
{
	uint32_t v = len >= 6 ? de_get32(q + 2) : 0;
	if (len < 6) {
		de_byte(o, DE_ERROR);
		return;
	}
	de_byte(o, de_xfer(e, false, false, 0x0, &v) == TW_ACK_OK ? DE_OK : DE_ERROR);
}

static void de_delay(tw_cmsis_dap *e, const uint8_t *q, size_t len, de_out *o)
{
	if (len >= 3)
		e->t->bus->advance(e->t->bus_h, (uint64_t)(q[1] | q[2] << 8) * 1000);
	de_byte(o, DE_OK);
}

/* ---- dispatch ---- */

enum { DE_REPLY, DE_SILENT, DE_UNKNOWN };

static int de_dispatch(tw_cmsis_dap *e, const uint8_t *q, size_t len, de_out *o)
{
	switch (q[0]) {
	case 0x00: de_info(e, len > 1 ? q[1] : 0, o); break;
	case 0x01: de_byte(o, DE_OK); break;                      /* HostStatus: LEDs */
	case 0x02:                                                 /* Connect: SWD only */
		e->connected = len > 1 && q[1] <= 1;
		de_byte(o, e->connected ? 1 : 0);
		break;
	case 0x03: e->connected = false, de_byte(o, DE_OK); break;
	case 0x04: de_configure(e, q, len, o); break;
	case 0x05: de_transfer(e, q, len, o); break;
	case 0x06: de_block(e, q, len, o); break;
	case 0x07: return DE_SILENT;                               /* TransferAbort: no reply */
	case 0x08: de_abort(e, q, len, o); break;
	case 0x09: de_delay(e, q, len, o); break;
	case 0x0A: de_byte(o, DE_OK), de_byte(o, 0); break;        /* ResetTarget: no sequence */
	case 0x10: de_pins(e, q, len, o); break;
	case 0x11: de_clock(e, q, len, o); break;
	case 0x12: de_sequence(e, q, len, o); break;
	case 0x13: de_byte(o, len > 1 ? DE_OK : DE_ERROR); break;  /* SWD_Configure */
	default: return DE_UNKNOWN;
	}
	return DE_REPLY;
}

size_t tw_cmsis_dap_process(tw_cmsis_dap *e, const uint8_t *req, size_t len, uint8_t *resp,
			    size_t cap)
{
	if (len == 0 || cap == 0)
		return 0;
	de_out o = {resp, 0, cap < e->pkt ? cap : e->pkt, false};
	de_byte(&o, req[0]);
	int kind = de_dispatch(e, req, len, &o);
	if (kind == DE_SILENT)
		return 0;
	if (kind == DE_UNKNOWN)
		resp[0] = 0xFF; /* §1.1: an unimplemented command answers 0xFF alone */
	return o.n;
}
