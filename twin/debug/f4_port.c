/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 binding of the twin's debug port (see f4_port.h).
 * Reachability (RM0090 §3.7.3: JTAG/SWD disabled at level 2; firmware that repurposes PA13/PA14
 * has not run while NRST is held or the core is halted) is decided from the chip and from the
 * core model's halt state, which lives in the debug port. */
#include "debug/f4_port.h"

static tw_status port_read(void *h, uint32_t addr, unsigned size, uint32_t *val)
{
	return tw_f4_read(((tw_f4_port *)h)->chip, TW_INIT_DEBUG, addr, size, val);
}

static tw_status port_write(void *h, uint32_t addr, unsigned size, uint32_t val)
{
	return tw_f4_write(((tw_f4_port *)h)->chip, TW_INIT_DEBUG, addr, size, val);
}

/* The core's own fetch waits out a busy flash as the AHB stalls the core. */
static tw_status port_fetch(void *h, uint32_t addr, uint32_t *val)
{
	return tw_f4_read_wait(((tw_f4_port *)h)->chip, TW_INIT_USER, addr, 4, val);
}

static void port_system_reset(void *h)
{
	tw_f4_reset(((tw_f4_port *)h)->chip, TW_RESET_SYSTEM);
}

static void port_set_nrst(void *h, bool asserted)
{
	tw_f4_set_nrst(((tw_f4_port *)h)->chip, asserted);
}

static bool port_reachable(void *h)
{
	tw_f4_port *p = h;
	if (!tw_f4_powered(p->chip) || tw_f4_rdp_level(p->chip) == 2)
		return false;
	return !tw_f4_swd_repurposed(p->chip) || tw_f4_nrst(p->chip) ||
	       (p->dap && tw_dap_halted(p->dap));
}

static bool port_powered(void *h)
{
	return tw_f4_powered(((tw_f4_port *)h)->chip);
}

static void port_attach(void *h)
{
	tw_f4_debug_attach(((tw_f4_port *)h)->chip);
}

static void port_advance(void *h, uint64_t ns)
{
	tw_f4_port *p = h;
	if (!p->no_clock)
		tw_f4_advance(p->chip, ns);
}

static uint64_t port_now(void *h)
{
	return tw_f4_now_ns(((tw_f4_port *)h)->chip);
}

const tw_dap_bus tw_f4_port_bus = {
	.read = port_read,
	.write = port_write,
	.fetch = port_fetch,
	.system_reset = port_system_reset,
	.set_nrst = port_set_nrst,
	.reachable = port_reachable,
	.powered = port_powered,
	.attach = port_attach,
	.advance = port_advance,
	.now = port_now,
};

tw_dap *tw_f4_port_open(tw_f4_port *port, tw_f4 *chip)
{
	port->chip = chip;
	port->dap = NULL;
	port->dap = tw_dap_new(&tw_f4_port_bus, port);
	return port->dap;
}
