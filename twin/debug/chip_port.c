/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The twin's debug port bound to a chip model's DAP-bus port (see chip_port.h). Reachability is
 * the model's (RDP level 2, repurposed SWD pins...), given the core model's halt state, which
 * lives in the debug port. */
#include "debug/chip_port.h"

static void *port_m(void *h)
{
	return tw_chip_impl(((tw_chip_port *)h)->chip);
}

static tw_status port_read(void *h, uint32_t addr, unsigned size, uint32_t *val)
{
	return ((tw_chip_port *)h)->port->read(port_m(h), addr, size, val);
}

static tw_status port_write(void *h, uint32_t addr, unsigned size, uint32_t val)
{
	return ((tw_chip_port *)h)->port->write(port_m(h), addr, size, val);
}

static tw_status port_fetch(void *h, uint32_t addr, uint32_t *val)
{
	return ((tw_chip_port *)h)->port->fetch(port_m(h), addr, val);
}

static void port_system_reset(void *h)
{
	((tw_chip_port *)h)->port->system_reset(port_m(h));
}

static void port_set_nrst(void *h, bool asserted)
{
	tw_chip_set_nrst(((tw_chip_port *)h)->chip, asserted);
}

static bool port_reachable(void *h)
{
	tw_chip_port *p = h;
	return p->port->reachable(port_m(h), p->dap && tw_dap_halted(p->dap) ? 1 : 0);
}

static bool port_powered(void *h)
{
	return tw_chip_powered(((tw_chip_port *)h)->chip);
}

static void port_attach(void *h)
{
	((tw_chip_port *)h)->port->attach(port_m(h));
}

static void port_advance(void *h, uint64_t ns)
{
	tw_chip_port *p = h;
	if (!p->no_clock)
		tw_chip_advance(p->chip, ns);
}

static void port_core_advance(void *h, uint64_t ns)
{
	tw_chip_advance(((tw_chip_port *)h)->chip, ns);
}

static uint64_t port_busy_until(void *h)
{
	tw_chip *chip = ((tw_chip_port *)h)->chip;
	return tw_chip_busy(chip) ? tw_chip_busy_until_ns(chip) : 0;
}

static uint64_t port_now(void *h)
{
	return tw_chip_now_ns(((tw_chip_port *)h)->chip);
}

static tw_status port_ap_access(void *h, uint8_t apsel, uint8_t reg, bool rnw, uint32_t *val)
{
	const tw_dap_port *dp = ((tw_chip_port *)h)->port;
	if (!dp->ap_access) {
		if (rnw)
			*val = 0; /* not implemented: IDR 0 (ADIv5.2 §C2.6.2) */
		return TW_OK;
	}
	return dp->ap_access(port_m(h), apsel, reg, rnw, val);
}

static bool port_device_en(void *h)
{
	const tw_dap_port *dp = ((tw_chip_port *)h)->port;
	return !dp->device_en || dp->device_en(port_m(h));
}

static bool port_rom_call(void *h, uint32_t addr, const uint32_t r[16])
{
	tw_chip_port *p = h;
	return p->port->rom_call && p->port->rom_call(port_m(h), addr, r);
}

const tw_dap_bus tw_chip_port_bus = {
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
	.core_advance = port_core_advance,
	.busy_until = port_busy_until,
	.ap_access = port_ap_access,
	.device_en = port_device_en,
	.rom_call = port_rom_call,
};

tw_dap *tw_chip_port_open(tw_chip_port *port, tw_chip *chip, fk_ctx *ctx, const char *who)
{
	port->chip = chip;
	port->dap = NULL;
	port->port = tw_chip_dap(chip, ctx, who);
	if (!port->port)
		return NULL;
	port->dap = tw_dap_new(&tw_chip_port_bus, port);
	if (!port->dap) {
		if (ctx)
			fk_fail(ctx, FK_E_NOMEM, "creating the debug port");
		return NULL;
	}
	tw_dap_set_ids(port->dap, port->port->ids_of ? port->port->ids_of(port_m(port))
							 : port->port->ids);
	return port->dap;
}
