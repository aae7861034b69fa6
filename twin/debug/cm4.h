/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cortex-M4 debug view without instruction emulation: the System Control Space registers a
 * debugger uses (DHCSR, DCRSR, DCRDR, DEMCR, DFSR, AIRCR, CPUID, MVFR), the FPB and DWT as far as
 * OpenOCD's examine needs them, the ITM/TPIU/ETM identification registers and the ROM table.
 * Internal to twin/debug (dap_core.c owns one).
 *
 * Sources: Arm DDI 0403E (ARMv7-M) §C1.6 (DHCSR, DCRSR, DCRDR, DEMCR), §C1.6.1 (DFSR), §B3.2.6
 * (AIRCR), §C1.11 (FPB), §C1.8 (DWT), §B1.5.15 (lockup); Arm DDI 0439B (Cortex-M4 TRM) §3, §8
 * (IDs, ROM table); ../shared/reference/probes.md §4. */
#ifndef TW_DEBUG_CM4_H
#define TW_DEBUG_CM4_H

#include <stdbool.h>
#include <stdint.h>

#include "debug/dap_core.h"

#define TW_CM4_NREGS 0x60u

typedef struct tw_cm4 {
	uint32_t dhcsr_ctrl; /* C_DEBUGEN, C_HALT, C_STEP, C_MASKINTS, C_SNAPSTALL as written */
	bool halted, lockup, in_reset;
	bool reset_st, retire_st; /* sticky status, cleared when DHCSR is read */
	uint32_t regs[TW_CM4_NREGS]; /* DCRSR REGSEL numbering */
	uint32_t dcrdr, demcr, dfsr, prigroup;
	uint32_t shcsr, cfsr, hfsr, mmfar, bfar, cpacr, fpccr, vtor;
	uint32_t fp_ctrl_enable, fp_comp[8];
	uint32_t dwt_ctrl, dwt_cyccnt, dwt_comp[4], dwt_mask[4], dwt_func[4];
	uint32_t cpuid; /* the part's CPUID (tw_dap_set_ids) */
} tw_cm4;

/* Power-on state of the core's debug logic. */
void tw_cm4_init(tw_cm4 *c);
/* True when addr belongs to the core's private bus view (SCS, FPB, DWT, ITM, TPIU/ETM IDs,
 * ROM table) rather than the chip. */
bool tw_cm4_owns(uint32_t addr);
/* Word access to a register the core owns (addr word-aligned). AIRCR.SYSRESETREQ calls the
 * bus's system_reset and then resets the core. */
uint32_t tw_cm4_read(tw_cm4 *c, uint32_t addr);
void tw_cm4_write(tw_cm4 *c, const tw_dap_bus *bus, void *h, uint32_t addr, uint32_t val);
/* Core reset (SYSRESETREQ, VECTRESET or NRST release): load SP and PC from the vector table,
 * set S_RESET_ST, then halt on DEMCR.VC_CORERESET or start "running" (or lock up). */
void tw_cm4_core_reset(tw_cm4 *c, const tw_dap_bus *bus, void *h);
void tw_cm4_hold_reset(tw_cm4 *c); /* NRST asserted */

#endif
