/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The in-process connection `twin:PATH`: an FK_TRANSPORT_MEM backend over the STM32F4 twin
 * stored in PATH. It behaves as a debugger on the chip's bus: every access is TW_INIT_DEBUG
 * through tw_f4_read_wait/tw_f4_write_wait (protection is enforced by the model, never here),
 * attaching sets the intrusion latch (RM0090 §3.7.3), and closing saves the state file.
 * Sources: include/flashkey/backend.h (the transport contract); twin/stm32f4/f4.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashkey/backend.h"
#include "fktwin/fktwin.h"
#include "stm32f4/f4.h"
#include "twin_mem.h"

static int twin_mem_status(fk_ctx *ctx, tw_f4 *t, tw_status st, const char *verb,
			   uint32_t addr, unsigned width)
{
	switch (st) {
	case TW_OK: return FK_OK;
	case TW_POWER_OFF: /* it had power when opened: lost during the session */
		fk_hint(ctx, "restore power (`flashkey-twin power-cycle %s`), then check what the "
			     "interrupted operation left (`flashkey status`)", tw_f4_path(t));
		return fk_fail(ctx, FK_E_POWER_LOST, "%s 0x%08X: the target lost power", verb, addr);
	case TW_STALL:
		return fk_fail(ctx, FK_E_TIMEOUT, "%s 0x%08X: bus stalled (flash busy)", verb, addr);
	case TW_BUS_ERROR: break;
	}
	if (tw_f4_rdp_level(t) > 0)
		return fk_fail(ctx, FK_E_BUS_FAULT,
			       "%s 0x%08X (%u-byte access): bus error; the chip is at RDP level %u, "
			       "which blocks debugger access to flash, backup SRAM and OTP",
			       verb, addr, width, tw_f4_rdp_level(t));
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
	tw_f4 *t = h;
	uint8_t *p = buf;
	int rc = twin_mem_check(ctx, addr, len, width);
	for (uint32_t i = 0; rc == FK_OK && i < len; i += width) {
		uint32_t v;
		rc = twin_mem_status(ctx, t, tw_f4_read_wait(t, TW_INIT_DEBUG, addr + i, width, &v),
				     "reading", addr + i, width);
		for (unsigned b = 0; rc == FK_OK && b < width; b++)
			p[i + b] = (uint8_t)(v >> (8 * b));
	}
	return rc;
}

static int twin_mem_write(void *h, fk_ctx *ctx, uint32_t addr, const void *buf, uint32_t len,
			  unsigned width)
{
	tw_f4 *t = h;
	const uint8_t *p = buf;
	int rc = twin_mem_check(ctx, addr, len, width);
	for (uint32_t i = 0; rc == FK_OK && i < len; i += width) {
		uint32_t v = 0;
		for (unsigned b = 0; b < width; b++)
			v |= (uint32_t)p[i + b] << (8 * b);
		rc = twin_mem_status(ctx, t, tw_f4_write_wait(t, TW_INIT_DEBUG, addr + i, width, v),
				     "writing", addr + i, width);
	}
	return rc;
}

/* DHCSR = DBGKEY | C_HALT | C_DEBUGEN (ARMv7-M §C1.6.2). */
static int twin_mem_halt(void *h, fk_ctx *ctx)
{
	tw_f4 *t = h;
	return twin_mem_status(ctx, t, tw_f4_write_wait(t, TW_INIT_DEBUG, 0xE000EDF0U, 4,
							0xA05F0003U),
			       "halting the core: writing", 0xE000EDF0U, 4);
}

static int twin_mem_reset(void *h, fk_ctx *ctx, fk_reset_kind kind)
{
	tw_f4 *t = h;
	(void)ctx;
	if (kind == FK_RESET_POWER_CYCLE) {
		if (tw_f4_powered(t))
			tw_f4_power_off(t);
		tw_f4_power_on(t);
	} else if (kind == FK_RESET_HARDWARE) {
		tw_f4_set_nrst(t, true);
		tw_f4_set_nrst(t, false);
	} else {
		tw_f4_reset(t, TW_RESET_SYSTEM);
	}
	return FK_OK;
}

/* Start the application (fk_mem_ops.run): DEMCR.VC_CORERESET = 0 so that the reset is not
 * caught, the reset, then DHCSR = DBGKEY: C_DEBUGEN and C_HALT clear, the core runs with halting
 * debug off (ARMv7-M §C1.6.2, §C1.6.3). The model executes no Cortex-M4 code on this path: the
 * core is "running" as the SCS registers say (flashkey-twin show). */
static int twin_mem_run(void *h, fk_ctx *ctx, fk_reset_kind kind)
{
	tw_f4 *t = h;
	uint32_t demcr = 0;
	if (kind == FK_RESET_POWER_CYCLE)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "starting the application: a system or NRST "
						      "reset, not a power cycle");
	int rc = twin_mem_status(ctx, t, tw_f4_read(t, TW_INIT_DEBUG, 0xE000EDFCU, 4, &demcr),
				 "reading DEMCR at", 0xE000EDFCU, 4);
	if (rc == FK_OK)
		rc = twin_mem_status(ctx, t, tw_f4_write(t, TW_INIT_DEBUG, 0xE000EDFCU, 4,
							 demcr & ~1U),
				     "clearing DEMCR.VC_CORERESET at", 0xE000EDFCU, 4);
	if (rc == FK_OK)
		rc = twin_mem_reset(h, ctx, kind);
	if (rc == FK_OK)
		rc = twin_mem_status(ctx, t, tw_f4_write(t, TW_INIT_DEBUG, 0xE000EDF0U, 4,
							 0xA05F0000U),
				     "releasing the core: writing DHCSR at", 0xE000EDF0U, 4);
	return rc;
}

static int twin_mem_voltage(void *h, fk_ctx *ctx)
{
	(void)ctx;
	return tw_f4_voltage_mv(h);
}

static uint64_t twin_mem_now(void *h)
{
	return tw_f4_now_ns(h);
}

static void twin_mem_close(void *h)
{
	fk_ctx *ctx = fk_ctx_new();
	tw_f4_close(h, ctx);
	fk_ctx_free(ctx);
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

static int twin_mem_unreachable(fk_ctx *ctx, tw_f4 *t, const char *path)
{
	if (!tw_f4_powered(t)) {
		fk_hint(ctx, "restore power with `flashkey-twin power-cycle %s`", path);
		return fk_fail(ctx, FK_E_NO_POWER, "twin %s: target not powered (0 mV)", path);
	}
	if (tw_f4_rdp_level(t) == 2) {
		fk_hint(ctx, "RDP level 2 is permanent; only firmware running on the chip or its "
			     "own update path can still change flash");
		return fk_fail(ctx, FK_E_DEBUG_DISABLED,
			       "twin %s: debug port disabled: FLASH_OPTCR.RDP=0xCC (level 2) turns "
			       "JTAG/SWD off for good (RM0090 §3.7.3)", path);
	}
	fk_hint(ctx, "connect under reset (hold NRST while attaching): --connect under-reset");
	return fk_fail(ctx, FK_E_DEBUG_DISABLED,
		       "twin %s: debug port unreachable: the firmware has repurposed the SWD pins "
		       "(PA13/PA14)", path);
}

int twin_mem_attach(fk_ctx *ctx, tw_f4 *t, const fk_conn_opts *opts)
{
	bool under_reset = opts && opts->connect_under_reset;
	if (under_reset && tw_f4_powered(t))
		tw_f4_set_nrst(t, true);
	if (!tw_f4_debug_reachable(t))
		return twin_mem_unreachable(ctx, t, tw_f4_path(t) ? tw_f4_path(t) : "(memory)");
	tw_f4_debug_attach(t);
	if (under_reset) {
		/* halt at the reset vector: DHCSR C_DEBUGEN|C_HALT, DEMCR.VC_CORERESET */
		tw_f4_write(t, TW_INIT_DEBUG, 0xE000EDFCU, 4, 1U);
		tw_f4_write(t, TW_INIT_DEBUG, 0xE000EDF0U, 4, 0xA05F0003U);
		tw_f4_set_nrst(t, false);
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
	tw_f4 *t;
	int rc = tw_f4_open(ctx, arg, &t);
	if (rc)
		return rc;
	rc = twin_mem_attach(ctx, t, opts);
	if (rc) {
		fk_ctx *tmp = fk_ctx_new();
		tw_f4_close(t, tmp); /* keep the state as it was; nothing changed */
		fk_ctx_free(tmp);
		return rc;
	}
	memset(out, 0, sizeof *out);
	out->kind = FK_TRANSPORT_MEM;
	out->ops = &twin_mem_ops;
	out->handle = t;
	out->close = twin_mem_close;
	snprintf(out->description, sizeof out->description, "twin %s at %s",
		 tw_f4_variant_name(tw_f4_variant_of(t)), arg);
	return FK_OK;
}

void twin_mem_register(void)
{
	fk_backend_register("twin", twin_mem_open,
			    "twin:PATH  in-process STM32F4 digital twin (flashkey-twin new)");
}
