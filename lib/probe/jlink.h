/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe/jlink: SEGGER J-Link probes through Debian's libjaylink (0.3), as a raw DAP transport
 * (flashkey/dap.h) over SWD that lib/debug turns into memory access.
 *
 * The SWD frames are built here and clocked by the probe's SWD I/O command; the bit layout
 * (which input bit carries the ACK) is encoded in pure functions below so that unit tests and a
 * fuzz harness can check them without a probe. Sources: libjaylink's API (swd.c, target.c,
 * device.c), ADIv5.2 §B4.2 (SWD frames), §B2.2 (CTRL/STAT.ORUNDETECT, ABORT.ORUNERRCLR). */
#ifndef FK_PROBE_JLINK_H
#define FK_PROBE_JLINK_H

#include <stddef.h>
#include <stdint.h>

#include "flashkey/backend.h"
#include "flashkey/dap.h"

#define JLINK_VID 0x1366u

/* One SWD I/O command's bits: dir 1 = the probe drives SWDIO with out. */
typedef struct jlink_swd_buf {
	uint8_t *dir, *out;
	unsigned bits, cap; /* cap in bits */
} jlink_swd_buf;

/* Appends the frame of x (8 request bits, then 38 input bits for a read, or 5 input bits and
 * 33 data bits for a write); returns the bit index of its ACK in the input, or -1 when the
 * buffer has no room. */
int jlink_swd_frame(jlink_swd_buf *b, const fk_dap_xfer *x);
/* Appends n idle cycles (SWDIO driven low); false when they do not fit. */
int jlink_swd_idle(jlink_swd_buf *b, unsigned n);
/* Reads a frame's result from the input bits: the ACK, and for a read the data; returns 0, or
 * -1 on a read parity error. */
int jlink_swd_result(const uint8_t *in, unsigned ack_at, fk_dap_xfer *x);

/* Idle cycles after each AP access, paced to the target. A batch cannot react to a WAIT in its
 * middle: the WAIT voids the rest of the batch (ORUNDETECT), which is then sent again, so a
 * flash being programmed faster than it can take words costs whole batches. After a WAIT the
 * pause doubles (8 cycles at least, max at most); every batch without one lowers it by 1/16 (by
 * 1 at least) down to a floor. A WAIT on an AP write (a word the flash was not ready for) raises
 * the floor to one cycle above the pause that proved too short, so the pause settles just above
 * the programming time instead of swinging below it again; 256 calm batches at the floor lower
 * it by one (the target may have become faster). WAITs on reads (a bus stalled by an erase) do
 * not move the floor. */
typedef struct jlink_pace {
	unsigned idle, floor, calm;
} jlink_pace;
void jlink_pace_wait(jlink_pace *p, int write, unsigned max);
void jlink_pace_ok(jlink_pace *p);

/* Backend "jlink[:SERIAL]" (SERIAL: the decimal serial number). */
int jlink_open(fk_ctx *ctx, const char *serial, const fk_conn_opts *opts, fk_transport *out);

typedef struct jlink_listing {
	uint16_t pid;
	char model[24];     /* "J-Link V9" */
	char serial[16];    /* decimal */
	char firmware[32];  /* the firmware's build date */
	char location[32];
	int error;
} jlink_listing;
int jlink_list(fk_ctx *ctx, jlink_listing *rows, unsigned max, unsigned *n);

#endif
