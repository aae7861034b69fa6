/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cortex-M halt, reset and connect sequences over ADIv5 (see cortex_m.h for the sources).
 * Every wait is bounded (cm_target.poll_ns) on the transport's clock. */
#include "debug/cortex_m.h"

#include "core/core.h"

static const struct {
	uint16_t partno;
	const char *name;
} cm_parts[] = {
	/* CPUID.PARTNO [15:4] (probes.md §4.1) */
	{0xC20, "Cortex-M0"}, {0xC60, "Cortex-M0+"}, {0xC21, "Cortex-M1"}, {0xC23, "Cortex-M3"},
	{0xC24, "Cortex-M4"}, {0xC27, "Cortex-M7"}, {0xD20, "Cortex-M23"}, {0xD21, "Cortex-M33"},
};

const char *cm_lockup_explanation(void)
{
	return "the core is locked up (DHCSR.S_LOCKUP=1): it faulted while starting or while "
	       "handling a fault, typically because the vector table is erased or corrupt, or "
	       "because it fetches code from read-protected flash while a debugger is attached "
	       "(RDP level 1)";
}

void cm_init(cm_target *cm, adi_dap *adi)
{
	cm->adi = adi;
	cm->cpuid = 0;
	cm->core = NULL;
	cm->poll_ns = 200000000u;
}

int cm_read_dhcsr(cm_target *cm, fk_ctx *ctx, uint32_t *dhcsr)
{
	int rc = adi_read32(cm->adi, ctx, CM_DHCSR, dhcsr);
	return rc < 0 ? fk_fail_wrap(ctx, rc, "reading DHCSR") : 0;
}

/* Polls DHCSR until (DHCSR & mask) == want; *last keeps the last value read. */
static int cm_poll(cm_target *cm, fk_ctx *ctx, uint32_t mask, uint32_t want, uint32_t *last,
		   uint32_t *seen)
{
	uint64_t t0 = adi_now_ns(cm->adi);
	for (;;) {
		int rc = cm_read_dhcsr(cm, ctx, last);
		if (rc < 0)
			return rc;
		if (seen)
			*seen |= *last;
		if ((*last & mask) == want)
			return 0;
		if (adi_now_ns(cm->adi) - t0 > cm->poll_ns)
			return FK_E_TIMEOUT;
		adi_delay_us(cm->adi, 1000);
	}
}

int cm_examine(cm_target *cm, fk_ctx *ctx)
{
	int rc = adi_read32(cm->adi, ctx, CM_CPUID, &cm->cpuid);
	if (rc < 0)
		return fk_fail_wrap(ctx, rc, "reading CPUID (0x%08X)", CM_CPUID);
	uint16_t part = (uint16_t)((cm->cpuid >> 4) & 0xFFFu);
	cm->core = NULL;
	for (size_t i = 0; i < FK_ARRAY_SIZE(cm_parts); i++)
		if (cm_parts[i].partno == part)
			cm->core = cm_parts[i].name;
	if (!cm->core || (cm->cpuid >> 24) != 0x41u) {
		fk_hint(ctx, "the debug port answers but the core is not an Arm Cortex-M");
		return fk_fail(ctx, FK_E_UNKNOWN_CHIP, "CPUID 0x%08X: implementer 0x%02X, part "
			       "0x%03X is not a known Cortex-M", cm->cpuid, cm->cpuid >> 24, part);
	}
	fk_log(ctx, FK_LOG_DEBUG, FK_TRACE_CORTEXM, "%s r%up%u (CPUID 0x%08X)", cm->core,
	       (cm->cpuid >> 20) & 0xFu, cm->cpuid & 0xFu, cm->cpuid);
	return 0;
}

static int cm_locked_up(fk_ctx *ctx, const char *what)
{
	fk_hint(ctx, "halt the core or reset it with vector catch (`flashkey reset`, or "
		"--connect=under-reset) to regain control; flash contents are not affected");
	return fk_fail(ctx, FK_E_NOT_HALTED, "%s: %s", what, cm_lockup_explanation());
}

int cm_halt(cm_target *cm, fk_ctx *ctx)
{
	uint32_t d = 0, seen = 0;
	int rc = cm_read_dhcsr(cm, ctx, &d);
	if (rc < 0 || (d & CM_DHCSR_S_HALT))
		return rc;
	if (d & CM_DHCSR_S_LOCKUP)
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CORTEXM, "%s; halting it", cm_lockup_explanation());
	rc = adi_write32(cm->adi, ctx, CM_DHCSR, CM_DHCSR_DBGKEY | CM_DHCSR_C_DEBUGEN |
						 CM_DHCSR_C_HALT);
	if (rc < 0)
		return fk_fail_wrap(ctx, rc, "requesting a halt (DHCSR.C_HALT)");
	rc = cm_poll(cm, ctx, CM_DHCSR_S_HALT, CM_DHCSR_S_HALT, &d, &seen);
	if (rc == FK_E_TIMEOUT && (d & CM_DHCSR_S_LOCKUP))
		return cm_locked_up(ctx, "halting the core");
	if (rc == FK_E_TIMEOUT) {
		fk_hint(ctx, "retry with --connect=under-reset, which halts the core at its reset "
			"vector before any firmware runs");
		return fk_fail(ctx, FK_E_NOT_HALTED, "DHCSR 0x%08X: S_HALT not set %u ms after "
			       "C_HALT", d, cm->poll_ns / 1000000u);
	}
	return rc;
}

int cm_resume(cm_target *cm, fk_ctx *ctx)
{
	int rc = adi_write32(cm->adi, ctx, CM_DHCSR, CM_DHCSR_DBGKEY | CM_DHCSR_C_DEBUGEN);
	return rc < 0 ? fk_fail_wrap(ctx, rc, "resuming the core (DHCSR)") : 0;
}

int cm_release(cm_target *cm, fk_ctx *ctx)
{
	uint32_t d = 0;
	int rc = adi_write32(cm->adi, ctx, CM_DHCSR, CM_DHCSR_DBGKEY);
	if (rc < 0)
		return fk_fail_wrap(ctx, rc, "releasing the core (DHCSR = 0x%08X: C_DEBUGEN = 0)",
				    CM_DHCSR_DBGKEY);
	rc = cm_read_dhcsr(cm, ctx, &d);
	if (rc < 0)
		return rc;
	if (d & CM_DHCSR_S_HALT)
		return fk_fail(ctx, FK_E_PROTOCOL, "DHCSR 0x%08X: the core is still halted after "
			       "C_DEBUGEN was cleared", d);
	return 0; /* a lockup was reported by cm_reset (cm_after_reset) */
}

static int cm_set_catch(cm_target *cm, fk_ctx *ctx, bool halt)
{
	uint32_t demcr = 0;
	int rc = adi_read32(cm->adi, ctx, CM_DEMCR, &demcr);
	if (rc == 0 && halt)
		rc = adi_write32(cm->adi, ctx, CM_DHCSR, CM_DHCSR_DBGKEY | CM_DHCSR_C_DEBUGEN);
	if (rc == 0) {
		demcr = halt ? demcr | CM_DEMCR_VC_CORERESET : demcr & ~CM_DEMCR_VC_CORERESET;
		rc = adi_write32(cm->adi, ctx, CM_DEMCR, demcr | CM_DEMCR_TRCENA);
	}
	return rc < 0 ? fk_fail_wrap(ctx, rc, "setting the reset vector catch (DEMCR)") : 0;
}

static int cm_pulse_nrst(cm_target *cm, fk_ctx *ctx)
{
	const fk_dap_ops *ops = cm->adi->ops;
	if (!ops->set_nrst) {
		fk_hint(ctx, "use --reset=sw (AIRCR.SYSRESETREQ) with this probe");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "this probe cannot drive NRST");
	}
	int rc = ops->set_nrst(cm->adi->h, ctx, 1);
	adi_delay_us(cm->adi, 2000);
	if (rc == 0)
		rc = ops->set_nrst(cm->adi->h, ctx, 0);
	adi_delay_us(cm->adi, 2000);
	return rc < 0 ? fk_fail_wrap(ctx, rc, "pulsing NRST") : 0;
}

/* After a reset: the AP may have seen errors; wait for S_RESET_ST, then for the halt. */
static int cm_after_reset(cm_target *cm, fk_ctx *ctx, bool halt)
{
	uint32_t d = 0, seen = 0;
	int rc;
	fk_ctx_clear(ctx); /* the SYSRESETREQ write may fault as the bus resets (probes.md §4.3) */
	adi_clear_sticky(cm->adi, ctx);
	rc = cm_poll(cm, ctx, 0, 0, &d, &seen);
	if (rc == 0 && !(seen & CM_DHCSR_S_RESET_ST) && !(d & CM_DHCSR_S_HALT))
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CORTEXM, "DHCSR 0x%08X: no S_RESET_ST after the "
		       "reset request", d);
	if (rc == 0 && halt)
		rc = cm_poll(cm, ctx, CM_DHCSR_S_HALT, CM_DHCSR_S_HALT, &d, &seen);
	if (rc == FK_E_TIMEOUT && (d & CM_DHCSR_S_LOCKUP))
		return cm_locked_up(ctx, "after the reset");
	if (rc == FK_E_TIMEOUT)
		return fk_fail(ctx, FK_E_NOT_HALTED, "DHCSR 0x%08X: the core did not stop at the "
			       "reset vector (DEMCR.VC_CORERESET)", d);
	if (rc == 0 && !halt && (d & CM_DHCSR_S_LOCKUP))
		fk_log(ctx, FK_LOG_WARN, FK_TRACE_CORTEXM, "%s", cm_lockup_explanation());
	if (rc == 0 && halt)
		rc = cm_set_catch(cm, ctx, false);
	return rc;
}

int cm_reset(cm_target *cm, fk_ctx *ctx, fk_reset_kind kind, bool halt)
{
	int rc = cm_set_catch(cm, ctx, halt);
	if (rc < 0)
		return rc;
	if (kind == FK_RESET_HARDWARE) {
		rc = cm_pulse_nrst(cm, ctx);
		if (rc < 0)
			return rc;
	} else if (kind == FK_RESET_SYSTEM) {
		adi_write32(cm->adi, ctx, CM_AIRCR, CM_AIRCR_SYSRESETREQ);
	} else {
		fk_hint(ctx, "power-cycle the board by hand");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "a power-on reset cannot be done over SWD");
	}
	rc = cm_after_reset(cm, ctx, halt);
	return rc < 0 ? fk_fail_wrap(ctx, rc, "%s reset", kind == FK_RESET_HARDWARE ? "NRST"
							    : "system (AIRCR.SYSRESETREQ)") : 0;
}

static int cm_connect_under_reset(cm_target *cm, fk_ctx *ctx)
{
	const fk_dap_ops *ops = cm->adi->ops;
	if (!ops->set_nrst) {
		fk_hint(ctx, "wire NRST to the probe, or use --connect=normal");
		return fk_fail(ctx, FK_E_UNSUPPORTED, "connect under reset: this probe cannot "
			       "drive NRST");
	}
	int rc = ops->set_nrst(cm->adi->h, ctx, 1);
	if (rc == 0)
		rc = adi_connect(cm->adi, ctx);
	if (rc == 0)
		rc = adi_write32(cm->adi, ctx, CM_DHCSR, CM_DHCSR_DBGKEY | CM_DHCSR_C_DEBUGEN |
							 CM_DHCSR_C_HALT);
	if (rc == 0)
		rc = adi_write32(cm->adi, ctx, CM_DEMCR, CM_DEMCR_TRCENA | CM_DEMCR_VC_CORERESET);
	int rc2 = ops->set_nrst(cm->adi->h, ctx, 0);
	if (rc == 0)
		rc = rc2;
	if (rc == 0)
		rc = cm_after_reset(cm, ctx, true);
	return rc < 0 ? fk_fail_wrap(ctx, rc, "connecting under reset (NRST held)") : 0;
}

int cm_connect(cm_target *cm, fk_ctx *ctx, cm_connect_mode mode)
{
	int rc = mode == CM_CONNECT_UNDER_RESET ? cm_connect_under_reset(cm, ctx)
						: adi_connect(cm->adi, ctx);
	if (rc == 0)
		rc = cm_examine(cm, ctx);
	return rc;
}

int cm_read_reg(cm_target *cm, fk_ctx *ctx, unsigned regsel, uint32_t *val)
{
	uint32_t d = 0;
	int rc = adi_write32(cm->adi, ctx, CM_DCRSR, regsel & 0x7Fu);
	if (rc == 0)
		rc = cm_poll(cm, ctx, CM_DHCSR_S_REGRDY, CM_DHCSR_S_REGRDY, &d, NULL);
	if (rc == 0)
		rc = adi_read32(cm->adi, ctx, CM_DCRDR, val);
	if (rc == FK_E_TIMEOUT)
		return fk_fail(ctx, FK_E_TIMEOUT, "DHCSR 0x%08X: S_REGRDY not set for register %u",
			       d, regsel);
	return rc < 0 ? fk_fail_wrap(ctx, rc, "reading core register %u", regsel) : 0;
}
