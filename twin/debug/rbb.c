/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remote_bitbang character decoder (see rbb.h for the sources).
 * The TAP acts on the rising TCK edge ('0'-'3' then '4'-'7'); 'R' samples TDO before it
 * (probes.md §5.3). SRST drives the chip's NRST: the reset vector catch is decided on release,
 * as on silicon (openocd-remote-bitbang.md, "SRST/TRST"). */
#include "debug/rbb.h"

void tw_rbb_init(tw_rbb *r, tw_jtag *jtag, tw_dap *dap)
{
	*r = (tw_rbb){.jtag = jtag, .dap = dap};
}

static void rbb_pins(tw_rbb *r, unsigned v)
{
	int tck = (v >> 2) & 1;
	r->tms = (v >> 1) & 1;
	r->tdi = v & 1;
	if (tck && !r->tck) {
		tw_jtag_clock(r->jtag, r->tms, r->tdi);
		r->edges++;
	}
	r->tck = tck;
}

static void rbb_reset(tw_rbb *r, unsigned v)
{
	int trst = (v >> 1) & 1, srst = v & 1;
	if (trst)
		tw_jtag_trst(r->jtag);
	r->trst = trst;
	if (srst != r->srst)
		tw_dap_set_nrst(r->dap, srst != 0);
	r->srst = srst;
}

size_t tw_rbb_feed(tw_rbb *r, const uint8_t *in, size_t n, uint8_t *out, size_t *used)
{
	size_t o = 0, i;
	for (i = 0; i < n && !r->quit; i++) {
		uint8_t c = in[i];
		if (c >= '0' && c <= '7')
			rbb_pins(r, (unsigned)(c - '0'));
		else if (c == 'R')
			out[o++] = (uint8_t)('0' + tw_jtag_tdo(r->jtag));
		else if (c >= 'r' && c <= 'u')
			rbb_reset(r, (unsigned)(c - 'r'));
		else if (c == 'Q')
			r->quit = true;
		else if (c != 'B' && c != 'b' && c != '\n' && c != '\r')
			r->bad++;
	}
	if (used)
		*used = i;
	return o;
}
