/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A bare memory bus for the debug port without a chip model: flash (aliased at 0), SRAM, and
 * switches for the misbehaviour a debugger must survive (a flash that stalls the bus for a while
 * after each write, a read-protected flash answering bus errors, WAIT forever, FAULT on
 * everything, an unreachable port). Tests, fuzz harnesses and benchmarks put the DP/AP core on
 * it (tw_membus_bus); chip models are bound by chip_port.c instead. */
#ifndef TW_DEBUG_MEMBUS_H
#define TW_DEBUG_MEMBUS_H

#include "debug/dap_core.h"

#define TW_MEMBUS_FLASH 0x08000000u
#define TW_MEMBUS_FLASH_SIZE 0x20000u
#define TW_MEMBUS_SRAM 0x20000000u
#define TW_MEMBUS_SRAM_SIZE 0x20000u

typedef struct tw_membus {
	uint8_t flash[TW_MEMBUS_FLASH_SIZE];
	uint8_t sram[TW_MEMBUS_SRAM_SIZE];
	uint64_t now_ns;
	uint64_t busy_until_ns;
	uint64_t write_ns;     /* each flash write keeps the bus stalled this long (0 = never) */
	bool read_protect;     /* debugger reads of flash: bus error (like RDP level 1) */
	bool stall_forever;    /* every access stalls */
	bool fault_all;        /* every access is a bus error */
	bool unreachable;      /* the DP answers nothing */
	bool nrst, attached;
	unsigned system_resets, nrst_pulses;
} tw_membus;

extern const tw_dap_bus tw_membus_bus; /* handle: tw_membus * */

tw_membus *tw_membus_new(void); /* flash erased (0xFF), SRAM zero */
void tw_membus_free(tw_membus *m);

#endif
