/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Waiting for a flash controller's busy flag over a debug path, for every family: poll the
 * status register until the flag clears; after a second say what is being waited for (once,
 * and a "wait" progress bar on a terminal); stop at the user's request (the operation itself
 * goes on in the chip: nothing is abandoned halfway by stopping the wait); fail after the
 * timeout naming the register, its value and what to do (issue 13 class 16: a stuck BSY made
 * `write` wait 30 s silently). */
#ifndef FK_CHIP_BUSY_WAIT_H
#define FK_CHIP_BUSY_WAIT_H

#include <stdint.h>

#include "flashkey/core.h"

/* Reads the status register into *sr; FK_OK or an error of the path. */
typedef int (*fk_sr_read_fn)(void *user, fk_ctx *ctx, uint32_t *sr);

/* Poll until (*sr & bsy) == 0. reg names the flag for messages ("FLASH_SR.BSY"). */
int fk_wait_not_busy(fk_ctx *ctx, fk_sr_read_fn rd, void *user, uint32_t bsy, const char *reg,
		     unsigned timeout_ms, uint32_t *sr);

#endif
