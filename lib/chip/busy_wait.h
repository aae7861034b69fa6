/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Waiting for a flash controller's busy flag over a debug path, for every family: poll the
 * status register until the flag clears; after a second say what is being waited for (once,
 * and a "wait" progress bar on a terminal); stop at the user's request (the operation itself
 * goes on in the chip: nothing is abandoned halfway by stopping the wait); fail after the
 * timeout naming the register, its value and what to do (issue 13 class 16: a stuck BSY made
 * `write` wait 30 s silently). */
#ifndef FK_CHIP_BUSY_WAIT_H
#define FK_CHIP_BUSY_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include "flashkey/core.h"

/* Reads the status register into *sr; FK_OK or an error of the path. */
typedef int (*fk_sr_read_fn)(void *user, fk_ctx *ctx, uint32_t *sr);

/* Poll until (*sr & bsy) == 0. reg names the flag for messages ("FLASH_SR.BSY"). */
int fk_wait_not_busy(fk_ctx *ctx, fk_sr_read_fn rd, void *user, uint32_t bsy, const char *reg,
		     unsigned timeout_ms, uint32_t *sr);

/* Streaming programming, shared by the families whose controller stalls a flash write while the
 * previous one is programmed (F0/F1/F3, L4/G0/G4): the next run of programming units (width
 * bytes: 2 or 8) that are not all ones in buf, from *off on, ending at the end of the flash page
 * (page bytes; buf[0] is at addr) it starts in, so that an error names one page: [*off, *end);
 * false when only blank units are left. */
bool fk_next_program_run(const uint8_t *buf, uint32_t len, uint32_t addr, uint32_t page,
			 unsigned width, uint32_t *off, uint32_t *end);

#endif
