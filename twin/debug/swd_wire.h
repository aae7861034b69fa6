/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The twin's SW-DP wire front end: decodes SWCLK cycles (line reset, JTAG-to-SWD switch, request,
 * turnaround, ACK, data, parity) and feeds the transaction core (dap_core.h).
 *
 * Sources: Arm IHI 0031 (ADIv5.2) §B4.2 (SWD protocol operation), §B4.3 (line reset, SWJ-DP
 * switching sequences, §B5.2); ../shared/reference/probes.md §3.1-§3.3. */
#ifndef TW_DEBUG_SWD_WIRE_H
#define TW_DEBUG_SWD_WIRE_H

#include "debug/dap_core.h"

typedef struct tw_swd tw_swd;

/* The SWJ-DP of an STM32F4 starts in JTAG mode (ADIv5.2 §B5.2): the SWD decoder listens only
 * for the JTAG-to-SWD sequence until it has seen it. */
tw_swd *tw_swd_new(tw_dap *dap);
void tw_swd_free(tw_swd *s);
/* One SWCLK cycle. host_bit: 0/1 when the host drives SWDIO, -1 when it has released the line.
 * Returns the SWDIO level of the cycle: the target's bit when it drives, else the host's bit,
 * else 1 (pull-up). Each cycle is charged to the virtual clock. */
int tw_swd_cycle(tw_swd *s, int host_bit);
/* n idle cycles (host drives SWDIO low) between transactions, charged at once: what a host
 * does while it backs off before retrying a WAIT. Same effect as n tw_swd_cycle(s, 0) outside a
 * frame; inside a frame the cycles are clocked one by one. */
void tw_swd_idle(tw_swd *s, uint64_t n);
/* True once the JTAG-to-SWD switch sequence has been seen. */
int tw_swd_selected(const tw_swd *s);

#endif
