/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cortex-M debug over ADIv5: identify the core, halt, resume, poll DHCSR, reset (system reset
 * through AIRCR.SYSRESETREQ or the probe's NRST) with reset vector catch, connect under reset,
 * and detect and explain a locked-up core.
 *
 * Sources: Arm DDI 0403E (ARMv7-M) §C1.6 (DHCSR, DCRSR, DCRDR, DEMCR), §B3.2.6 (AIRCR),
 * §B1.5.15 (lockup); Arm DDI 0419 (ARMv6-M) §C1.6 (same registers); ../shared/reference/
 * probes.md §4. */
#ifndef FK_DEBUG_CORTEX_M_H
#define FK_DEBUG_CORTEX_M_H

#include "debug/adiv5.h"
#include "flashkey/backend.h"

#define CM_CPUID 0xE000ED00u
#define CM_AIRCR 0xE000ED0Cu
#define CM_DFSR 0xE000ED30u
#define CM_DHCSR 0xE000EDF0u
#define CM_DCRSR 0xE000EDF4u
#define CM_DCRDR 0xE000EDF8u
#define CM_DEMCR 0xE000EDFCu
#define CM_DHCSR_DBGKEY 0xA05F0000u
#define CM_DHCSR_C_DEBUGEN (1u << 0)
#define CM_DHCSR_C_HALT (1u << 1)
#define CM_DHCSR_S_REGRDY (1u << 16)
#define CM_DHCSR_S_HALT (1u << 17)
#define CM_DHCSR_S_LOCKUP (1u << 19)
#define CM_DHCSR_S_RETIRE_ST (1u << 24)
#define CM_DHCSR_S_RESET_ST (1u << 25)
#define CM_DEMCR_VC_CORERESET (1u << 0)
#define CM_DEMCR_TRCENA (1u << 24)
#define CM_AIRCR_SYSRESETREQ 0x05FA0004u

typedef enum cm_connect_mode {
	CM_CONNECT_NORMAL = 0,
	CM_CONNECT_UNDER_RESET = 1, /* hold NRST, attach, catch the reset vector, release */
} cm_connect_mode;

typedef struct cm_target {
	adi_dap *adi;
	uint32_t cpuid;
	const char *core; /* "Cortex-M4", or NULL when the part number is unknown */
	uint32_t poll_ns; /* halt/reset polling bound (default 200 ms) */
} cm_target;

void cm_init(cm_target *cm, adi_dap *adi);
/* Connects the DP (adi_connect) in the given mode and identifies the core from CPUID. With
 * CM_CONNECT_UNDER_RESET the core is left halted at the reset vector. */
int cm_connect(cm_target *cm, fk_ctx *ctx, cm_connect_mode mode);
int cm_examine(cm_target *cm, fk_ctx *ctx);
int cm_read_dhcsr(cm_target *cm, fk_ctx *ctx, uint32_t *dhcsr);
/* Halts and waits for S_HALT; a locked-up core is reported with an explanation. */
int cm_halt(cm_target *cm, fk_ctx *ctx);
int cm_resume(cm_target *cm, fk_ctx *ctx);
/* FK_RESET_SYSTEM (AIRCR.SYSRESETREQ) or FK_RESET_HARDWARE (NRST). With halt, DEMCR.VC_CORERESET
 * stops the core at the reset vector; the function waits for S_RESET_ST (and S_HALT). */
int cm_reset(cm_target *cm, fk_ctx *ctx, fk_reset_kind kind, bool halt);
/* Let the core run with halting debug off: DHCSR = DBGKEY (C_DEBUGEN = 0, C_HALT = 0), so that
 * breakpoints, vector catch and C_HALT cannot stop it (ARMv7-M §C1.6.3); then reads DHCSR back:
 * FK_E_PROTOCOL when S_HALT is still set. */
int cm_release(cm_target *cm, fk_ctx *ctx);
/* Core register by DCRSR number (halted core only). */
int cm_read_reg(cm_target *cm, fk_ctx *ctx, unsigned regsel, uint32_t *val);
/* The explanation given for DHCSR.S_LOCKUP (also used by the chip driver's inventory). */
const char *cm_lockup_explanation(void);

#endif
