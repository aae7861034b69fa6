/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F4 chip model seen from its debug port: binds the DP/AP core (dap_core.h) to tw_f4.
 * Debugger accesses use TW_INIT_DEBUG (RM0090 §3.7.3 Table 18 is enforced by the model, not
 * here); the core's own vector fetches use TW_INIT_USER. */
#ifndef TW_DEBUG_F4_PORT_H
#define TW_DEBUG_F4_PORT_H

#include "debug/dap_core.h"

typedef struct tw_f4_port {
	tw_f4 *chip;
	tw_dap *dap;   /* set after tw_dap_new: the halt state decides reachability */
	bool no_clock; /* the server paces the clock itself (serve --realtime) */
} tw_f4_port;

extern const tw_dap_bus tw_f4_port_bus; /* handle: tw_f4_port * */

/* Both at once: port->dap = tw_dap_new(&tw_f4_port_bus, port). NULL when out of memory. */
tw_dap *tw_f4_port_open(tw_f4_port *port, tw_f4 *chip);

#endif
