/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running code the ROM bootloader's Go command jumps to (AN3155 §3.5: MSP from [addr], PC from
 * [addr + 4]) on a chip model: the Thumb interpreter (thumb.h) bound to the model's bus, with the
 * virtual clock charged per instruction and the run's end decided by what the chip saw (a system
 * reset, a power cut) or by the core (lockup, idle, budget spent). One binding for every twin
 * with a ROM bootloader (STM32F4, F0/F1/F3, L4/G0/G4); each model supplies its bus and clock.
 *
 * The core reaches the chip only through the model's bus as TW_INIT_BOOTLOADER: protection
 * follows the boot mode, not where the code runs (RM0090 §3.7.3 Table 18, RM0008 §2.3.x, RM0351
 * §3.5.1), and the model enforces it. A stalled access while the flash is busy waits (the
 * model's *_wait accessors), as an AHB master does. Time: each instruction's cycles
 * (Cortex-M4 TRM counts, thumb.c) are charged at the bootloader's system clock, which each model
 * gives from AN2606. A write of AIRCR with VECTKEY 0x05FA and SYSRESETREQ (ARMv6-M/ARMv7-M ARM
 * §B3.2.6) is the model's to act on; the binding only notes that the reset came from it. */
#ifndef TW_CPU_GO_H
#define TW_CPU_GO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/thumb.h"
#include "model.h"

typedef enum tw_run_end {
	TW_RUN_RESET = 0, /* the code caused a system reset (AIRCR.SYSRESETREQ, watchdog, ...) */
	TW_RUN_LOCKUP,    /* a fault the core cannot take: stuck (cpu.why) */
	TW_RUN_IDLE,      /* b ., WFI, WFE: nothing will ever change it */
	TW_RUN_BUDGET,    /* still running after the budget: the code runs on, unobserved */
	TW_RUN_POWER,     /* the chip lost power while the code ran */
} tw_run_end;

typedef struct tw_go_run {
	tw_run_end end;
	tc_cpu cpu;       /* registers, counts and the lockup/idle reason at the end */
	uint64_t ns;      /* virtual time the run took (cycles plus flash stalls) */
	uint64_t hz;      /* the core clock the cycles were charged at */
	bool sysresetreq; /* the reset came from a write to AIRCR with SYSRESETREQ */
} tw_go_run;

/* The chip as the core sees it. read/write wait out a busy flash (advancing the clock) and
 * return what the bus answered; reset_count changes when the chip went through a reset. */
typedef struct tw_go_chip {
	void *chip;
	tw_status (*read)(void *chip, uint32_t addr, unsigned size, uint32_t *val);
	tw_status (*write)(void *chip, uint32_t addr, unsigned size, uint32_t val);
	void (*advance)(void *chip, uint64_t ns);
	uint64_t (*now_ns)(void *chip);
	bool (*powered)(void *chip);
	unsigned (*reset_count)(void *chip);
	uint64_t hz; /* core clock while the code runs */
	bool v7m;    /* Cortex-M3/M4 (ARMv7-M Thumb-2); false: Cortex-M0/M0+ (ARMv6-M) */
} tw_go_chip;

#define TW_GO_BUDGET 64000000ULL /* instructions run before the code counts as "running on" */

/* Run the code whose vector table is at vtor for at most max_insns instructions. Never blocks
 * for longer than the budget takes to interpret. */
void tw_go(const tw_go_chip *chip, uint32_t vtor, uint64_t max_insns, tw_go_run *out);
/* One line for logs: "ran 4 instructions (9 cycles, 375 ns at 24 MHz), then AIRCR.SYSRESETREQ:
 * system reset". */
void tw_go_describe(const tw_go_run *r, char *buf, size_t n);

#endif
