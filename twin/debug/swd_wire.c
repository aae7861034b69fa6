/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SW-DP wire decoder of the twin (see swd_wire.h for the sources).
 *
 * Choices where the sources leave room (UNCONFIRMED):
 * - after a request the DP does not answer (bad parity/stop/park, DP in reset state, target
 *   unreachable) the decoder ignores the line until the next line reset, as a host that saw no
 *   ACK must send one (ADIv5.2 §B4.2.7, "protocol error");
 * - with ORUNDETECT set, a WAIT or FAULT is followed by a turnaround and a 33-cycle data phase
 *   that is ignored whoever drives it (§B4.2.4). */
#include "debug/swd_wire.h"

#include <stdlib.h>

#define SWD_LINE_RESET_ONES 50
#define SWD_SEQ_JTAG_TO_SWD 0xE79Eu
#define SWD_SEQ_SWD_TO_JTAG 0xE73Cu

typedef enum swd_phase {
	SWD_IDLE,    /* waiting for a start bit */
	SWD_REQ,     /* collecting the 8-bit request */
	SWD_TRN,     /* turnaround, then `after` */
	SWD_ACK,     /* target drives 3 ACK bits */
	SWD_RDATA,   /* target drives 32 data bits + parity */
	SWD_WDATA,   /* host drives 32 data bits + parity */
	SWD_SKIP,    /* ignored data phase (overrun detection) */
	SWD_LOCKOUT, /* protocol error: until line reset */
} swd_phase;

struct tw_swd {
	tw_dap *dap;
	int selected; /* SWD selected on the SWJ-DP */
	swd_phase phase, after;
	unsigned count; /* bits done in the current phase */
	unsigned trn_left;
	uint32_t ones;     /* consecutive 1 levels on the line */
	unsigned win_bits; /* switch-sequence window after >= 50 ones */
	uint32_t win_val;
	uint8_t req;
	bool ap, rnw;
	uint8_t addr;
	tw_dap_ack ack;
	uint64_t data; /* 33 bits: data and parity */
};

tw_swd *tw_swd_new(tw_dap *dap)
{
	tw_swd *s = calloc(1, sizeof(*s));
	if (s) {
		s->dap = dap;
		s->phase = SWD_LOCKOUT;
	}
	return s;
}

void tw_swd_free(tw_swd *s)
{
	free(s);
}

int tw_swd_selected(const tw_swd *s)
{
	return s->selected;
}

static unsigned swd_parity32(uint32_t v)
{
	v ^= v >> 16;
	v ^= v >> 8;
	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return v & 1u;
}

static void swd_turnaround(tw_swd *s, swd_phase after)
{
	s->phase = SWD_TRN;
	s->after = after;
	s->trn_left = 1; /* DLCR.TURNROUND = 0: one cycle (the only value modelled) */
	s->count = 0;
}

/* The 8th request bit arrived: check it and decide the ACK (§B4.2.2). */
static void swd_request_done(tw_swd *s)
{
	uint8_t r = s->req;
	unsigned par = ((r >> 1) ^ (r >> 2) ^ (r >> 3) ^ (r >> 4)) & 1u;
	bool ok = (r & 1u) && ((r >> 5) & 1u) == par && !((r >> 6) & 1u) && ((r >> 7) & 1u);
	s->ap = (r >> 1) & 1u;
	s->rnw = (r >> 2) & 1u;
	s->addr = (uint8_t)(((r >> 3) & 3u) << 2);
	s->ack = ok ? tw_dap_request(s->dap, s->ap, s->rnw, s->addr) : TW_ACK_NONE;
	if (s->ack == TW_ACK_NONE) {
		s->phase = SWD_LOCKOUT;
		return;
	}
	swd_turnaround(s, SWD_ACK);
}

static void swd_after_ack(tw_swd *s)
{
	s->count = 0;
	if (s->ack == TW_ACK_OK && s->rnw) {
		uint32_t v = tw_dap_read(s->dap, s->ap, s->addr);
		s->data = v | ((uint64_t)swd_parity32(v) << 32);
		s->phase = SWD_RDATA;
	} else if (s->ack == TW_ACK_OK) {
		s->data = 0;
		swd_turnaround(s, SWD_WDATA);
	} else {
		swd_turnaround(s, SWD_IDLE);
		if (tw_dap_overrun_detect(s->dap))
			s->after = SWD_SKIP;
	}
}

static void swd_write_done(tw_swd *s)
{
	uint32_t v = (uint32_t)s->data;
	if (swd_parity32(v) != ((s->data >> 32) & 1u))
		tw_dap_write_parity_error(s->dap);
	else
		tw_dap_write(s->dap, s->ap, s->addr, v);
	s->phase = SWD_IDLE;
}

/* Returns the target's bit for this cycle, or -1 when it does not drive. */
static int swd_step(tw_swd *s, int line)
{
	int out = -1;
	switch (s->phase) {
	case SWD_IDLE:
		if (line == 1) {
			s->req = 1;
			s->count = 1;
			s->phase = SWD_REQ;
		}
		break;
	case SWD_REQ:
		s->req |= (uint8_t)((line & 1) << s->count);
		if (++s->count == 8)
			swd_request_done(s);
		break;
	case SWD_TRN:
		if (--s->trn_left == 0) {
			s->phase = s->after;
			s->count = 0;
		}
		break;
	case SWD_ACK:
		out = (s->ack >> s->count) & 1;
		if (++s->count == 3)
			swd_after_ack(s);
		break;
	case SWD_RDATA:
		out = (int)((s->data >> s->count) & 1u);
		if (++s->count == 33)
			swd_turnaround(s, SWD_IDLE);
		break;
	case SWD_WDATA:
		s->data |= (uint64_t)(line & 1) << s->count;
		if (++s->count == 33)
			swd_write_done(s);
		break;
	case SWD_SKIP:
		if (++s->count == 33)
			s->phase = SWD_IDLE;
		break;
	case SWD_LOCKOUT:
		break;
	}
	return out;
}

/* Line reset and SWJ-DP switching (§B4.3.3, §B5.2) watch the line level in every phase. */
static void swd_watch_sequences(tw_swd *s, int line)
{
	if (s->win_bits) {
		s->win_val |= (uint32_t)(line & 1) << (s->win_bits - 1);
		if (++s->win_bits == 17) {
			if (s->win_val == SWD_SEQ_JTAG_TO_SWD && !s->selected) {
				s->selected = 1;
				tw_dap_set_wire(s->dap, TW_WIRE_SWD);
			} else if (s->win_val == SWD_SEQ_SWD_TO_JTAG) {
				s->selected = 0;
				s->phase = SWD_LOCKOUT;
			}
			s->win_bits = 0;
		}
	}
	if (line == 1) {
		if (++s->ones >= SWD_LINE_RESET_ONES && s->selected) {
			tw_dap_line_reset(s->dap);
			s->phase = SWD_IDLE;
		}
		return;
	}
	if (s->ones >= SWD_LINE_RESET_ONES && !s->win_bits) {
		s->win_bits = 2; /* this 0 is the first bit of a possible switch sequence */
		s->win_val = 0;
	}
	s->ones = 0;
}

int tw_swd_cycle(tw_swd *s, int host_bit)
{
	bool target_drives = s->selected && (s->phase == SWD_ACK || s->phase == SWD_RDATA);
	int line;
	tw_dap_clock_bits(s->dap, 1);
	if (target_drives) {
		int out = swd_step(s, 1);
		line = out < 0 ? 1 : out;
	} else {
		line = host_bit < 0 ? 1 : (host_bit & 1);
		if (s->selected && s->ones + (line == 1) < SWD_LINE_RESET_ONES)
			swd_step(s, line);
	}
	swd_watch_sequences(s, line);
	return line;
}

void tw_swd_idle(tw_swd *s, uint64_t n)
{
	if (s->phase != SWD_IDLE && s->phase != SWD_LOCKOUT) {
		for (; n && s->phase != SWD_IDLE; n--)
			tw_swd_cycle(s, 0);
	}
	if (!n)
		return;
	tw_dap_clock_bits(s->dap, n);
	s->ones = 0;
	s->win_bits = 0; /* zeros cannot complete a switch sequence */
}
