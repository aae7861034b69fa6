/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F4 twin's CPU: the ARMv6-M interpreter (twin/cpu/thumb.h) wired to the chip model,
 * to run the code the ROM bootloader's Go command jumps to (AN3155 §3.5).
 *
 * The core reaches the chip only through tw_f4_read_wait()/tw_f4_write_wait() as
 * TW_INIT_BOOTLOADER: RM0090 §3.7.3 Table 18 ties protection to having booted from system
 * memory, not to where the code runs, and the model enforces it (a stalled access while the
 * flash is busy just waits, as an AHB master does). Time: each instruction's Cortex-M4 cycles
 * are charged on the virtual clock at the bootloader's system clock (AN2606 Rev 69 Table 73:
 * V3.x runs at 24 MHz from HSI + PLL; UNCONFIRMED that Go leaves the PLL running — the twin
 * assumes it does). Flash wait states and the ART accelerator are not modelled (0 WS). */
#ifndef TW_STM32F4_F4_CPU_H
#define TW_STM32F4_F4_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/thumb.h"
#include "stm32f4/f4.h"

#define TW_F4_CPU_HZ 24000000ULL        /* AN2606 Table 73: bootloader V3.x, HSI + PLL */
#define TW_F4_GO_BUDGET 64000000ULL     /* instructions run before the code counts as "running on" */

typedef enum tw_f4_run_end {
	TW_RUN_RESET = 0, /* the code caused a system reset (AIRCR.SYSRESETREQ, watchdog, ...) */
	TW_RUN_LOCKUP,    /* a fault the core cannot take: stuck (cpu.why) */
	TW_RUN_IDLE,      /* b ., WFI, WFE: nothing will ever change it */
	TW_RUN_BUDGET,    /* still running after the budget: the code runs on, unobserved */
	TW_RUN_POWER,     /* the chip lost power while the code ran */
} tw_f4_run_end;

typedef struct tw_f4_run {
	tw_f4_run_end end;
	tc_cpu cpu;          /* registers, counts and the lockup/idle reason at the end */
	uint64_t ns;         /* virtual time the run took (cycles plus flash stalls) */
	bool sysresetreq;    /* the reset came from a write to AIRCR with SYSRESETREQ */
} tw_f4_run;

/* Run the code whose vector table is at vtor (MSP = [vtor], PC = [vtor + 4]) for at most
 * max_insns instructions. Never blocks for longer than the budget takes to interpret. */
void tw_f4_cpu_go(tw_f4 *t, uint32_t vtor, uint64_t max_insns, tw_f4_run *out);
/* One line for logs: "ran 4 instructions (9 cycles, 375 ns at 24 MHz), then AIRCR.SYSRESETREQ:
 * system reset". */
void tw_f4_run_describe(const tw_f4_run *r, char *buf, size_t n);

#endif
