/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A raw DAP transport (FK_TRANSPORT_DAP) turned into the memory transport (FK_TRANSPORT_MEM) that
 * chip drivers use: ADIv5 MEM-AP accesses for read/write, Cortex-M halt and reset. */
#ifndef FK_DEBUG_DAP_MEM_H
#define FK_DEBUG_DAP_MEM_H

#include "flashkey/backend.h"

/* Connects (normal or under reset, per opts->connect_under_reset), halts the core, and
 * replaces *t in place by a MEM transport that owns the DAP one (closing it closes both).
 * opts->reset_mode (-1 default, FK_RESET_SYSTEM = --reset=sw, FK_RESET_HARDWARE = hw,
 * FK_RESET_POWER_CYCLE = none) decides how a driver's reset request is carried out.
 * A transport of another kind is left alone (returns 0). On failure *t is untouched and still
 * open. */
int dbgmem_wrap(fk_ctx *ctx, fk_transport *t, const fk_conn_opts *opts);

#endif
