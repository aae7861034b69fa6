/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OpenOCD's remote_bitbang protocol, server side, over the twin's JTAG chain (jtag_wire.h): one
 * character per pin change, a reply only to 'R'. No I/O here; the serve plug-in (rbb_serve.c)
 * moves the bytes.
 *
 * Sources: OpenOCD 0.12.0 src/jtag/drivers/remote_bitbang.c and doc/manual/jtag/drivers/
 * remote_bitbang.txt; ../shared/reference/probes.md §5.2-§5.3 ('0'-'7' = tck<<2|tms<<1|tdi,
 * 'R' read TDO, 'r'-'u' = trst<<1|srst with 1 = asserted, 'B'/'b' blink, 'Q' quit). */
#ifndef TW_DEBUG_RBB_H
#define TW_DEBUG_RBB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debug/jtag_wire.h"

typedef struct tw_rbb {
	tw_jtag *jtag;
	tw_dap *dap;
	int tck, tms, tdi;
	int srst, trst;
	bool quit;
	uint64_t bad;   /* characters outside the protocol (ignored) */
	uint64_t edges; /* rising TCK edges */
} tw_rbb;

void tw_rbb_init(tw_rbb *r, tw_jtag *jtag, tw_dap *dap);
/* Consumes n input characters and writes one reply byte ('0'/'1') per 'R' into out, which must
 * have room for n bytes. Returns the number of reply bytes. Stops after 'Q' (r->quit set); the
 * number of characters consumed goes to *used. */
size_t tw_rbb_feed(tw_rbb *r, const uint8_t *in, size_t n, uint8_t *out, size_t *used);

#endif
