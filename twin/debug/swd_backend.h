/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `twin-swd:PATH`: the twin in PATH (any model with a debug port) at the wire level.
 * The transport is a raw DAP one (FK_TRANSPORT_DAP): every transaction is clocked bit by bit
 * through the twin's SW-DP decoder, so the library's ADIv5 and Cortex-M layers do the work an
 * SWD probe would need them to do. */
#ifndef TW_DEBUG_SWD_BACKEND_H
#define TW_DEBUG_SWD_BACKEND_H

void twin_swd_register(void);

#endif
