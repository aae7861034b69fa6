/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F4 twin's CPU: the Go binding (twin/cpu/go.h) on the F4 model, to run the code the
 * ROM bootloader's Go command jumps to (AN3155 §3.5).
 *
 * The core reaches the chip only through tw_f4_read_wait()/tw_f4_write_wait() as
 * TW_INIT_BOOTLOADER (RM0090 §3.7.3 Table 18 ties protection to having booted from system
 * memory). Time: each instruction's Cortex-M4 cycles are charged at the bootloader's system
 * clock (AN2606 Rev 69 Table 73: V3.x runs at 24 MHz from HSI + PLL; UNCONFIRMED that Go leaves
 * the PLL running — the twin assumes it does). Flash wait states and the ART accelerator are not
 * modelled (0 WS). */
#ifndef TW_STM32F4_F4_CPU_H
#define TW_STM32F4_F4_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/go.h"
#include "stm32f4/f4.h"

#define TW_F4_CPU_HZ 24000000ULL        /* AN2606 Table 73: bootloader V3.x, HSI + PLL */
#define TW_F4_GO_BUDGET TW_GO_BUDGET

typedef tw_go_run tw_f4_run;

/* Run the code whose vector table is at vtor (MSP = [vtor], PC = [vtor + 4]) for at most
 * max_insns instructions. */
void tw_f4_cpu_go(tw_f4 *t, uint32_t vtor, uint64_t max_insns, tw_f4_run *out);
#define tw_f4_run_describe tw_go_describe

#endif
