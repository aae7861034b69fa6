/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The in-process connection `twin:PATH`: an FK_TRANSPORT_MEM backend over the twin stored in
 * PATH, of any chip model that offers a debug port (tw_model.dap, twin/model.h). It behaves as a
 * debugger on the chip's bus: every access goes through the model's DAP-bus port with stalls
 * waited out (protection is enforced by the model, never here), attaching is the model's
 * (intrusion latch), and closing saves the state file. A model without a debug port is refused
 * at open, naming it. Sources: include/flashkey/backend.h (the transport contract); twin/model.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashkey/backend.h"
#include "fktwin/fktwin.h"
#include "chip.h"
#include "twin_mem.h"

static int twin_mem_status(fk_ctx *ctx, tw_chip *t, tw_status st, const char *verb,
			   uint32_t addr, unsigned width)
{
	switch (st) {
	case TW_OK: return FK_OK;
	case TW_POWER_OFF: /* it had power when opened: lost during the session */
		fk_hint(ctx, "restore power (`flashkey-twin power-cycle %s`), then check what the "
			     "interrupted operation left (`flashkey status`)", tw_chip_path(t));
		return fk_fail(ctx, FK_E_POWER_LOST, "%s 0x%08X: the target lost power", verb, addr);
	case TW_STALL:
		return fk_fail(ctx, FK_E_TIMEOUT, "%s 0x%08X: bus stalled (flash busy)", verb, addr);
	case TW_BUS_ERROR: break;
	}
	char note[160] = "";
	const tw_dap_port *port = tw_chip_model(t)->dap;
	if (port->bus_error_note)
		port->bus_error_note(tw_chip_impl(t), note, sizeof note);
	if (note[0])
		return fk_fail(ctx, FK_E_BUS_FAULT, "%s 0x%08X (%u-byte access): bus error; %s",
			       verb, addr, width, note);
	return fk_fail(ctx, FK_E_BUS_FAULT, "%s 0x%08X (%u-byte access): bus error", verb, addr,
		       width);
}

static int twin_mem_check(fk_ctx *ctx, uint32_t addr, uint32_t len, unsigned width)
{
	if ((width != 1 && width != 2 && width != 4) || addr % width || len % width)
		return fk_fail(ctx, FK_E_INVALID_ARG,
			       "access at 0x%08X, %u bytes, width %u: not aligned to the width", addr,
			       len, width);
	return FK_OK;
}

static int twin_mem_read(void *h, fk_ctx *ctx, uint32_t addr, void *buf, uint32_t len,
			 unsigned width)
{
	tw_chip *t = h;
	uint8_t *p = buf;
	int rc = twin_mem_check(ctx, addr, len, width);
	for (uint32_t i = 0; rc == FK_OK && i < len; i += width) {
		uint32_t v;
		rc = twin_mem_status(ctx, t, tw_chip_dap_read_wait(t, addr + i, width, &v),
				     "reading", addr + i, width);
		for (unsigned b = 0; rc == FK_OK && b < width; b++)
			p[i + b] = (uint8_t)(v >> (8 * b));
	}
	return rc;
}

static int twin_mem_write(void *h, fk_ctx *ctx, uint32_t addr, const void *buf, uint32_t len,
			  unsigned width)
{
	tw_chip *t = h;
	const uint8_t *p = buf;
	int rc = twin_mem_check(ctx, addr, len, width);
	for (uint32_t i = 0; rc == FK_OK && i < len; i += width) {
		uint32_t v = 0;
		for (unsigned b = 0; b < width; b++)
			v |= (uint32_t)p[i + b] << (8 * b);
		rc = twin_mem_status(ctx, t, tw_chip_dap_write_wait(t, addr + i, width, v),
				     "writing", addr + i, width);
	}
	return rc;
}

/* DHCSR = DBGKEY | C_HALT | C_DEBUGEN (ARMv7-M §C1.6.2). */
static int twin_mem_halt(void *h, fk_ctx *ctx)
{
	tw_chip *t = h;
	return twin_mem_status(ctx, t, tw_chip_dap_write_wait(t, 0xE000EDF0U, 4, 0xA05F0003U),
			       "halting the core: writing", 0xE000EDF0U, 4);
}

static int twin_mem_reset(void *h, fk_ctx *ctx, fk_reset_kind kind)
{
	tw_chip *t = h;
	(void)ctx;
	if (kind == FK_RESET_POWER_CYCLE) {
		if (tw_chip_powered(t))
			tw_chip_power_off(t);
		tw_chip_power_on(t);
	} else if (kind == FK_RESET_HARDWARE) {
		tw_chip_set_nrst(t, true);
		tw_chip_set_nrst(t, false);
	} else {
		tw_chip_reset(t, TW_RESET_SYSTEM);
	}
	return FK_OK;
}

/* Start the application (fk_mem_ops.run): DEMCR.VC_CORERESET = 0 so that the reset is not
 * caught, the reset, then DHCSR = DBGKEY: C_DEBUGEN and C_HALT clear, the core runs with halting
 * debug off (ARMv7-M §C1.6.2, §C1.6.3). The model executes no Cortex-M4 code on this path: the
 * core is "running" as the SCS registers say (flashkey-twin show). */
static int twin_mem_run(void *h, fk_ctx *ctx, fk_reset_kind kind)
{
	tw_chip *t = h;
	uint32_t demcr = 0;
	if (kind == FK_RESET_POWER_CYCLE)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "starting the application: a system or NRST "
						      "reset, not a power cycle");
	const tw_dap_port *port = tw_chip_model(t)->dap;
	void *m = tw_chip_impl(t);
	int rc = twin_mem_status(ctx, t, port->read(m, 0xE000EDFCU, 4, &demcr),
				 "reading DEMCR at", 0xE000EDFCU, 4);
	if (rc == FK_OK)
		rc = twin_mem_status(ctx, t, port->write(m, 0xE000EDFCU, 4, demcr & ~1U),
				     "clearing DEMCR.VC_CORERESET at", 0xE000EDFCU, 4);
	if (rc == FK_OK)
		rc = twin_mem_reset(h, ctx, kind);
	if (rc == FK_OK)
		rc = twin_mem_status(ctx, t, port->write(m, 0xE000EDF0U, 4, 0xA05F0000U),
				     "releasing the core: writing DHCSR at", 0xE000EDF0U, 4);
	return rc;
}

static int twin_mem_voltage(void *h, fk_ctx *ctx)
{
	(void)ctx;
	return tw_chip_voltage_mv(h);
}

static uint64_t twin_mem_now(void *h)
{
	return tw_chip_now_ns(h);
}

static void twin_mem_close(void *h)
{
	tw_chip_close(h, NULL);
}

static int twin_mem_sync(void *h, fk_ctx *ctx)
{
	return tw_chip_sync(h, ctx);
}

static const fk_mem_ops twin_mem_ops = {
	.read = twin_mem_read,
	.write = twin_mem_write,
	.halt = twin_mem_halt,
	.reset = twin_mem_reset,
	.voltage_mv = twin_mem_voltage,
	.virtual_ns = twin_mem_now,
	.run = twin_mem_run,
};

int twin_mem_attach(fk_ctx *ctx, tw_chip *t, const fk_conn_opts *opts)
{
	const tw_dap_port *port = tw_chip_dap(t, ctx, "twin:");
	if (!port)
		return fk_ctx_error(ctx);
	void *m = tw_chip_impl(t);
	bool under_reset = opts && opts->connect_under_reset;
	if (under_reset && tw_chip_powered(t))
		tw_chip_set_nrst(t, true);
	/* no core model on this path: the model decides from its own record of DHCSR */
	if (!port->reachable(m, -1))
		return port->refusal(m, ctx, tw_chip_path(t) ? tw_chip_path(t) : "(memory)");
	port->attach(m);
	if (under_reset) {
		/* halt at the reset vector: DHCSR C_DEBUGEN|C_HALT, DEMCR.VC_CORERESET */
		port->write(m, 0xE000EDFCU, 4, 1U);
		port->write(m, 0xE000EDF0U, 4, 0xA05F0003U);
		tw_chip_set_nrst(t, false);
	}
	return FK_OK;
}

static int twin_mem_open(fk_ctx *ctx, const char *arg, const fk_conn_opts *opts,
			 fk_transport *out)
{
	if (!arg || !*arg) {
		fk_hint(ctx, "create one with `flashkey-twin new stm32f407 board.twin`");
		return fk_fail(ctx, FK_E_USAGE, "twin: needs a state file path (twin:PATH)");
	}
	tw_chip *t;
	int rc = tw_chip_connect(ctx, arg, &t);
	if (rc)
		return rc;
	rc = twin_mem_attach(ctx, t, opts);
	if (rc) {
		tw_chip_close(t, NULL); /* keep the state as it was; nothing changed */
		return rc;
	}
	memset(out, 0, sizeof *out);
	out->kind = FK_TRANSPORT_MEM;
	out->ops = &twin_mem_ops;
	out->handle = t;
	out->close = twin_mem_close;
	out->sync = twin_mem_sync;
	snprintf(out->description, sizeof out->description, "twin %s at %s",
		 tw_chip_variant(t), arg);
	return FK_OK;
}

void twin_mem_register(void)
{
	fk_backend_register("twin", twin_mem_open,
			    "twin:PATH  in-process digital twin, any model with a debug port (flashkey-twin new)");
}
