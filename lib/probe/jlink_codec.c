/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/jlink: SWD frames in the bit layout of the J-Link's SWD I/O command (see jlink.h).
 *
 * ADIv5.2 §B4.2: 8 request bits (start, APnDP, RnW, A[2:3], parity, stop, park), a turnaround,
 * 3 ACK bits, then for a read 32 data bits, parity and a turnaround, for a write a turnaround, 32
 * data bits and parity. The J-Link reports in input bit k the SWDIO level it samples at the end
 * of cycle k, which is the target's bit of cycle k + 1: the ACK arrives in the bits of the
 * turnaround and the first two ACK cycles (libjaylink leaves the layout to its user; OpenOCD's
 * jlink.c jlink_swd_queue_cmd/run_queue read it so). So a read is 8 bits out and 38 in (ACK at
 * in-bit 0, data at 3, parity at 35), a write 8 out, 5 in (ACK at 0) and 33 out. */
#include "probe/jlink.h"

static void jl_put(jlink_swd_buf *b, int drive, int bit)
{
	unsigned i = b->bits++;
	uint8_t m = (uint8_t)(1u << (i % 8));
	if (drive)
		b->dir[i / 8] |= m;
	else
		b->dir[i / 8] &= (uint8_t)~m;
	if (drive && bit)
		b->out[i / 8] |= m;
	else
		b->out[i / 8] &= (uint8_t)~m;
}

static unsigned jl_parity(uint32_t v)
{
	v ^= v >> 16;
	v ^= v >> 8;
	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return v & 1u;
}

int jlink_swd_frame(jlink_swd_buf *b, const fk_dap_xfer *x)
{
	if (b->bits + 46 > b->cap)
		return -1;
	unsigned a = (x->addr >> 2) & 3u;
	unsigned par = (x->ap ^ x->rnw ^ a ^ (a >> 1)) & 1u;
	unsigned req = 1u | (x->ap & 1u) << 1 | (x->rnw & 1u) << 2 | a << 3 | par << 5 | 1u << 7;
	for (unsigned i = 0; i < 8; i++)
		jl_put(b, 1, (int)((req >> i) & 1u));
	int ack_at = (int)b->bits;
	if (x->rnw) {
		for (unsigned i = 0; i < 38; i++)
			jl_put(b, 0, 0);
		return ack_at;
	}
	for (unsigned i = 0; i < 5; i++)
		jl_put(b, 0, 0);
	for (unsigned i = 0; i < 32; i++)
		jl_put(b, 1, (int)((x->data >> i) & 1u));
	jl_put(b, 1, (int)jl_parity(x->data));
	return ack_at;
}

int jlink_swd_idle(jlink_swd_buf *b, unsigned n)
{
	if (b->bits + n > b->cap)
		return 0;
	for (unsigned i = 0; i < n; i++)
		jl_put(b, 1, 0);
	return 1;
}

static uint32_t jl_field(const uint8_t *in, unsigned at, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)((in[(at + i) / 8] >> ((at + i) % 8)) & 1u) << i;
	return v;
}

int jlink_swd_result(const uint8_t *in, unsigned ack_at, fk_dap_xfer *x)
{
	x->ack = (uint8_t)jl_field(in, ack_at, 3);
	if (x->ack != FK_DAP_ACK_OK || !x->rnw)
		return 0;
	x->data = jl_field(in, ack_at + 3, 32);
	return jl_parity(x->data) == jl_field(in, ack_at + 35, 1) ? 0 : -1;
}

void jlink_pace_wait(jlink_pace *p, int write, unsigned max)
{
	if (write && p->idle + 1u > p->floor)
		p->floor = p->idle + 1u < max ? p->idle + 1u : max;
	unsigned next = p->idle * 2u < 8u ? 8u : p->idle * 2u;
	p->idle = next > max ? max : next;
	if (p->idle < p->floor)
		p->idle = p->floor;
	p->calm = 0;
}

void jlink_pace_ok(jlink_pace *p)
{
	if (p->idle > p->floor) {
		unsigned step = p->idle / 16u ? p->idle / 16u : 1u;
		p->idle = p->idle - step > p->floor ? p->idle - step : p->floor;
		return;
	}
	if (p->floor && ++p->calm >= 256u) {
		p->floor--;
		p->idle = p->floor;
		p->calm = 0;
	}
}
