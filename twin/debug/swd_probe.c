/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host side of the SWD wire for the twin's bit-level transport (see swd_probe.h). Frame per
 * ADIv5.2 §B4.2: 8 request bits, 1 turnaround, 3 ACK bits, then for a read 33 bits and 1
 * turnaround, for a write 1 turnaround and 33 bits; no data phase after WAIT or FAULT (the probe
 * never sets ORUNDETECT). */
#include "debug/swd_probe.h"

#include "core/core.h"

/* A probe that sees WAIT retries after idling, doubling the pause up to 1 ms at 4 MHz, so that
 * a bus stalled for seconds by a flash erase (RM0090 §3.6.5) costs few retries. */
#define PROBE_BACKOFF_MAX 4096u

static unsigned probe_parity(uint32_t v)
{
	v ^= v >> 16;
	v ^= v >> 8;
	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return v & 1u;
}

static uint8_t probe_request(const fk_dap_xfer *x)
{
	unsigned a = (x->addr >> 2) & 3u;
	unsigned par = (x->ap ^ x->rnw ^ a ^ (a >> 1)) & 1u;
	return (uint8_t)(1u | (x->ap & 1u) << 1 | (x->rnw & 1u) << 2 | a << 3 | par << 5 | 1u << 7);
}

static void probe_send(tw_swd *s, uint64_t bits, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		tw_swd_cycle(s, (int)((bits >> i) & 1u));
}

static uint64_t probe_recv(tw_swd *s, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)(tw_swd_cycle(s, -1) & 1) << i;
	return v;
}

/* One frame; returns the ACK, or -1 on a read data parity error. */
static int probe_frame(tw_swd *s, fk_dap_xfer *x)
{
	unsigned ack;
	probe_send(s, probe_request(x), 8);
	probe_recv(s, 1);
	ack = (unsigned)probe_recv(s, 3);
	if (ack != FK_DAP_ACK_OK) {
		probe_recv(s, 1); /* turnaround back to the host */
		return (int)ack;
	}
	if (x->rnw) {
		uint64_t v = probe_recv(s, 33);
		probe_recv(s, 1);
		x->data = (uint32_t)v;
		if (probe_parity(x->data) != ((v >> 32) & 1u))
			return -1;
	} else {
		probe_recv(s, 1);
		probe_send(s, x->data | (uint64_t)probe_parity(x->data) << 32, 33);
	}
	return (int)ack;
}

static int probe_transfer(void *h, fk_ctx *ctx, fk_dap_xfer *x, unsigned n, unsigned *done)
{
	tw_swd_probe *p = h;
	unsigned i;
	int rc = 0;
	for (i = 0; i < n; i++) {
		int ack = probe_frame(p->swd, &x[i]);
		if (ack < 0) {
			x[i].ack = FK_DAP_ACK_FAULT;
			rc = fk_fail(ctx, FK_E_PROTOCOL, "SWD read data parity error (%s %s 0x%X)",
				     x[i].ap ? "AP" : "DP", "read", x[i].addr);
			break;
		}
		x[i].ack = (uint8_t)ack;
		if (ack == FK_DAP_ACK_WAIT) { /* back off before the caller retries */
			p->backoff = p->backoff ? FK_MIN(p->backoff * 2u, PROBE_BACKOFF_MAX) : 8u;
			tw_swd_idle(p->swd, p->backoff);
		} else {
			p->backoff = 0;
		}
		if (ack != FK_DAP_ACK_OK)
			break;
	}
	probe_send(p->swd, 0, p->idle_cycles);
	*done = i;
	return rc;
}

static int probe_swj(void *h, fk_ctx *ctx, const uint8_t *bits, unsigned nbits)
{
	tw_swd_probe *p = h;
	(void)ctx;
	for (unsigned i = 0; i < nbits; i++)
		tw_swd_cycle(p->swd, (bits[i / 8] >> (i % 8)) & 1);
	return 0;
}

static int probe_nrst(void *h, fk_ctx *ctx, int asserted)
{
	tw_swd_probe *p = h;
	(void)ctx;
	tw_dap_set_nrst(p->dap, asserted != 0);
	return 0;
}

static int probe_clock(void *h, fk_ctx *ctx, unsigned khz)
{
	tw_swd_probe *p = h;
	if (!khz)
		return fk_fail(ctx, FK_E_INVALID_ARG, "SWD clock of 0 kHz");
	tw_dap_set_clock_hz(p->dap, khz * 1000u);
	return 0;
}

static int probe_voltage(void *h, fk_ctx *ctx)
{
	tw_swd_probe *p = h;
	(void)ctx;
	return p->vtarget_mv ? p->vtarget_mv(p->vtarget_user) : -1;
}

static uint64_t probe_now(void *h)
{
	return tw_dap_now_ns(((tw_swd_probe *)h)->dap);
}

static uint64_t probe_bits(void *h)
{
	return tw_dap_bits(((tw_swd_probe *)h)->dap);
}

const fk_dap_ops tw_swd_probe_ops = {
	.flags = FK_DAP_POSTED_READS,
	.transfer = probe_transfer,
	.swj_sequence = probe_swj,
	.set_nrst = probe_nrst,
	.set_clock = probe_clock,
	.voltage_mv = probe_voltage,
	.virtual_ns = probe_now,
	.wire_bits = probe_bits,
};
