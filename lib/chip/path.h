/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Opening an access path over a transport and collecting the IDs (lib/chip/driver.h §1-§2). */
#ifndef FK_CHIP_PATH_H
#define FK_CHIP_PATH_H

#include "chip/driver.h"

/* The path for transport t (memory: the core halted, the ID registers read; ROM stream: the
 * bootloader synchronised and its IDs read). FK_E_UNSUPPORTED for a transport with no path. */
/* opts (may be NULL): the DTR/RTS boot sequence, reset mode, esptool's --before/--after. */
int fk_chip_path_open(fk_ctx *ctx, const fk_transport *t, const fk_conn_opts *opts,
		      fk_chip_path *p, fk_chip_ids *ids);
/* Releases what no driver adopted. */
void fk_chip_path_close(fk_chip_path *p);
/* A core found running when the path attached (core_ran) runs on: DHCSR = DBGKEY | C_DEBUGEN
 * (C_HALT = 0), then DBGKEY alone when halting debug was off before (ARMv7-M §C1.6.3); read back
 * to check that S_HALT cleared. FK_OK and nothing done otherwise. */
int fk_chip_path_resume(fk_chip_path *p, fk_ctx *ctx);

#endif
