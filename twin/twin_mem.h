/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `twin:PATH` in-process memory backend (twin_mem.c). */
#ifndef TW_TWIN_MEM_H
#define TW_TWIN_MEM_H

#include "flashkey/backend.h"
#include "chip.h"

void twin_mem_register(void);
/* Attach a debugger to t as the backend does (connect under reset if opts says so); fails with
 * FK_E_DEBUG_DISABLED / FK_E_NO_POWER and the model's explanation when the port cannot answer,
 * FK_E_UNSUPPORTED when the model has no debug port. */
int twin_mem_attach(fk_ctx *ctx, tw_chip *t, const fk_conn_opts *opts);

#endif
