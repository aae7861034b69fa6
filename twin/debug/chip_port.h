/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A twin of any model seen from its debug port: binds the DP/AP core (dap_core.h) to the DAP-bus
 * port the chip model offers (tw_model.dap, twin/model.h). Debugger accesses are the model's
 * (it enforces its protection for a debugger); the core's own vector fetches use the model's
 * fetch; the IDs the DP, AP and CPU show are the model's (tw_dap_ids). */
#ifndef TW_DEBUG_CHIP_PORT_H
#define TW_DEBUG_CHIP_PORT_H

#include "chip.h"
#include "debug/dap_core.h"

typedef struct tw_chip_port {
	tw_chip *chip;
	const tw_dap_port *port; /* the model's */
	tw_dap *dap;   /* set after tw_dap_new: the halt state decides reachability */
	bool no_clock; /* the server paces the clock itself (serve --realtime) */
} tw_chip_port;

extern const tw_dap_bus tw_chip_port_bus; /* handle: tw_chip_port * */

/* port->dap = tw_dap_new(&tw_chip_port_bus, port) with the model's IDs. NULL with the reason in
 * ctx (ctx may be NULL): out of memory, or the model offers no debug port (FK_E_UNSUPPORTED,
 * naming `who` — "twin-swd:", "--jtag-bitbang" — the model and the ports it has). */
tw_dap *tw_chip_port_open(tw_chip_port *port, tw_chip *chip, fk_ctx *ctx, const char *who);

#endif
