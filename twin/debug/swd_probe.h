/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A bit-banging SWD probe inside the twin: the host side of the wire (request, turnaround, ACK,
 * data, parity, line sequences), clocking every bit through the twin's SW-DP decoder
 * (swd_wire.h). It implements the library's raw DAP transport (flashkey/dap.h) with posted
 * reads, so lib/debug runs against the twin's debug port at the wire level (`twin-swd:`),
 * exactly as it would over a bit-banged line.
 *
 * Sources: Arm IHI 0031 (ADIv5.2) §B4.2 (host side of the SWD protocol); probes.md §3.1-§3.3. */
#ifndef TW_DEBUG_SWD_PROBE_H
#define TW_DEBUG_SWD_PROBE_H

#include "debug/swd_wire.h"
#include "flashkey/dap.h"

typedef struct tw_swd_probe {
	tw_swd *swd;
	tw_dap *dap;
	unsigned idle_cycles; /* idle cycles after each batch (default 2) */
	unsigned backoff;     /* idle cycles before the next retry after a WAIT (grows to 1 ms) */
	int (*vtarget_mv)(void *user); /* target supply as the probe measures it; may be NULL */
	void *vtarget_user;
} tw_swd_probe;

extern const fk_dap_ops tw_swd_probe_ops; /* handle: tw_swd_probe * */

#endif
