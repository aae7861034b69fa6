/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An instruction-level interpreter of the ARMv6-M Thumb instruction set, and optionally (tc_cpu.v7m)
 * of the ARMv7-M Thumb-2 instructions a Cortex-M3/M4 adds, for the twins: the code a host uploads
 * to a simulated chip's RAM (AN3155 Go, a debugger's flash loader) runs on it. Pure: memory is reached only
 * through the caller's read/write callbacks, so the interpreter is unit-testable on its own.
 *
 * What it executes: every 16-bit Thumb encoding of ARMv6-M and the 32-bit BL, MSR, MRS, DSB,
 * DMB, ISB and UDF (Arm DDI 0419 ARMv6-M ARM §A5.2, §A5.3, instructions in §A6.7), with APSR
 * N/Z/C/V as §A6.7 specifies for each, PC read as the instruction address + 4 (§A5.1.2), and a
 * cycle count from the Cortex-M4 TRM (Arm DDI 0439B §3.3.1 Table 3-1; see thumb.c).
 *
 * What it does not model: exceptions (no NVIC, no fault handlers, no exception entry/return).
 * Anything that would raise one — an undefined encoding (including the other 32-bit Thumb-2
 * instructions a real Cortex-M4 would run), an unaligned word/halfword access (ARMv6-M §A3.2.1),
 * a bus error, interworking to ARM state (EPSR.T = 0), SVC, BKPT — locks the core up, as a fault
 * the core cannot handle does (ARMv7-M ARM §B1.5.15 "Unrecoverable exception cases", lockup).
 * A core that can never run again — a branch to itself (`b .`), WFI, WFE with no event — is
 * reported idle, so the caller stops interpreting it.
 *
 * With v7m set (Arm DDI 0403E ARMv7-M ARM §A5.3, thumb2.c): the 32-bit data-processing
 * (modified immediate, plain binary immediate, shifted register, register), load/store single
 * (immediate, pre/post-indexed, register, literal), LDM/STM/PUSH.W/POP.W, LDRD/STRD, LDREX/STREX
 * (the store always succeeds: one core, no other observer), TBB/TBH, multiply (MUL/MLA/MLS,
 * SMULL/UMULL/SMLAL/UMLAL) and divide (SDIV/UDIV, division by zero gives 0: CCR.DIV_0_TRP
 * reset value), B.W/B<c>.W, and the 16-bit CBZ/CBNZ and IT (§A7.3: the IT block's instructions
 * are conditional and the 16-bit ones that set flags outside it do not inside it, except
 * CMP/CMN/TST); single LDR/STR/LDRH/STRH may be unaligned (§A3.2.1, CCR.UNALIGN_TRP = 0 at
 * reset). Not modelled (locks up): coprocessor/FPU, DSP/SIMD, saturation, PKH, exclusive
 * monitors beyond the above. With bkpt_halts set (a debugger has C_DEBUGEN), BKPT stops the core
 * in TC_BREAK with r[15] at the BKPT (ARMv7-M §C1.4: a debug event halts the core). */
#ifndef TW_CPU_THUMB_H
#define TW_CPU_THUMB_H

#include <stdbool.h>
#include <stdint.h>

/* What a bus access did. HALT: the access took effect and the system stops running this code
 * (a system reset it caused, a power cut): the instruction completes, then tc_run returns. */
typedef enum tc_bus_rc { TC_BUS_OK = 0, TC_BUS_FAULT = 1, TC_BUS_HALT = 2 } tc_bus_rc;

typedef struct tc_bus {
	void *ctx;
	/* size 1, 2 or 4; addr naturally aligned (the interpreter checks alignment first).
	 * fetch: an instruction fetch (halfword) rather than a data access. */
	tc_bus_rc (*read)(void *ctx, uint32_t addr, unsigned size, bool fetch, uint32_t *val);
	tc_bus_rc (*write)(void *ctx, uint32_t addr, unsigned size, uint32_t val);
} tc_bus;

typedef enum tc_state {
	TC_RUN = 0, /* executing (or stopped by the instruction budget) */
	TC_LOCKUP,  /* a fault with no exception model: the core is stuck (why, fault_pc) */
	TC_IDLE,    /* asleep or spinning with nothing that could ever change it */
	TC_HALTED,  /* the bus ended execution (TC_BUS_HALT) */
	TC_BREAK,   /* BKPT with bkpt_halts: a debug halt; r[15] is the BKPT's address */
} tc_state;

typedef struct tc_cpu {
	uint32_t r[16];    /* r[13] = SP in use, r[14] = LR; r[15] = address of the next instruction */
	uint32_t sp_other; /* the banked stack pointer not selected by CONTROL.SPSEL */
	bool n, z, c, v;   /* APSR */
	bool t;            /* EPSR.T: false after interworking to an even address (faults on fetch) */
	bool primask, spsel;
	bool event;        /* the event register (WFE/SEV, ARMv6-M §B1.5.17) */
	tc_state state;
	uint64_t insns;    /* instructions completed */
	uint64_t cycles;   /* Cortex-M4 cycles of those (zero wait states) */
	uint32_t fault_pc; /* lockup/idle: address of the instruction concerned */
	uint32_t fault_addr; /* lockup on an access: the address accessed */
	const char *why;   /* lockup/idle/halt: what happened (static string) */
	bool last_ls;      /* the previous instruction was a single load/store (pipelining) */
	bool v7m;          /* decode ARMv7-M (Thumb-2) too: set after tc_init */
	bool bkpt_halts;   /* BKPT is a debug event (TC_BREAK), not a fault: set after tc_init */
	uint8_t itstate;   /* EPSR.IT (§A7.3.3): [7:4] base condition, [3:0] mask; 0 = none */
	uint8_t basepri;   /* ARMv7-M BASEPRI (MSR/MRS only: no interrupts are modelled) */
	bool faultmask;
	tc_bus bus;
} tc_cpu;

/* Registers zero (LR 0xFFFFFFFF, ARMv7-M §B1.5.5 reset value), Thumb state, running. */
void tc_init(tc_cpu *c, const tc_bus *bus);
/* Start as a reset or the ROM bootloader's jump does: SP_main = [vtor] AND 0xFFFFFFFC, PC =
 * [vtor + 4] with bit 0 giving EPSR.T (ARMv6-M §B1.5.5 TakeReset). A bus error locks up. */
void tc_enter(tc_cpu *c, uint32_t vtor);
/* Execute until the state leaves TC_RUN or max_insns more instructions completed; returns the
 * state. Calling it again continues (an idle, locked or halted core stays so). */
tc_state tc_run(tc_cpu *c, uint64_t max_insns);
/* xPSR as MRS reads it in Thread mode: APSR flags in [31:28], IPSR 0, EPSR reads as zero. */
uint32_t tc_apsr(const tc_cpu *c);
const char *tc_state_name(tc_state s);

#endif
