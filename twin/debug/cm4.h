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

#include "cpu/thumb.h"
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
	uint32_t core_hz; /* its clock out of reset (tw_dap_ids.core_hz) */
	uint32_t xram_base, xram_bytes; /* more RAM code may run from (tw_dap_ids.exec_ram_*) */
	/* code the debugger resumed in SRAM (cm4_exec.c) */
	bool exec;
	bool progress;      /* the running code stored or touched a peripheral lately */
	bool poll_valid;    /* the last peripheral read, while nothing was stored since */
	uint32_t poll_addr, poll_val;
	unsigned poll_size;
	tc_cpu cpu;
	uint64_t charged;   /* cpu.cycles already put on the chip's clock */
	const tw_dap_bus *xbus;
	void *xh;
	const char *note;   /* why the running code stopped (lockup, breakpoint, idle) */
	uint32_t note_pc;
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
/* The core enters Debug state (DFSR reason bits): S_HALT, C_HALT set. */
void tw_cm4_enter_halt(tw_cm4 *c, uint32_t reason);

/* cm4_exec.c: the core leaves halt. With PC in the SRAM region (0x20000000-0x3FFFFFFF: code a
 * debugger loaded, e.g. a flash loader) or in the part's other RAM (xram_*) the interpreter
 * takes the registers and runs it as the debugger's accesses go by; elsewhere (firmware in
 * flash) the core "runs" without executing, as before. step: one instruction only. */
void tw_cm4_exec_start(tw_cm4 *c, const tw_dap_bus *bus, void *h, bool step);
/* Let the running code catch up before the debugger's next access. */
void tw_cm4_exec_run(tw_cm4 *c, const tw_dap_bus *bus, void *h);
/* The debugger halts a running core: the registers go back to the debug view. */
void tw_cm4_exec_stop(tw_cm4 *c);

#endif
