/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: arbitrary bytes as Thumb code in the SRAM of an STM32F4 twin, started as
 * AN3155 Go starts it (twin/stm32f4/f4_cpu.c over twin/cpu/thumb.c) with a small instruction
 * budget. Whatever the bytes — undefined encodings, wild loads and stores, flash-controller and
 * SCS writes, resets — the interpreter and the model must never crash or hang, and the run must
 * end in a consistent state: at most the budget executed, SP word-aligned, a still-running core
 * reported as "budget spent", a reset reported only when the model counted one.
 * Input: byte 0 = options (bit 0: boot pins on flash after the run's reset; bits 1-2: initial
 * RAM fill), then the code, copied to 0x20000100 (vector table at 0x20000000). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stm32f4/f4_cpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzz build is RelWithDebInfo (NDEBUG): a plain assert would vanish there. */
#define FZ_CHECK(cond)                                                                          \
	do {                                                                                    \
		if (!(cond))                                                                    \
			abort();                                                                \
	} while (0)

#define FZ_VTOR 0x20000000U
#define FZ_CODE 0x20000100U
#define FZ_MAX_CODE 8192U
#define FZ_BUDGET 20000U

static void fz_word(tw_f4 *t, uint32_t a, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		tw_f4_poke(t, a + i, (uint8_t)(v >> (8 * i)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f401xb"));
	if (!t)
		return 0;
	uint8_t opt = data[0];
	tw_f4_set_boot(t, TW_BOOT_SYSMEM);
	tw_f4_reset(t, TW_RESET_SYSTEM);
	/* some RAM contents for the code to load from (pointers into RAM and flash) */
	for (uint32_t a = 0x20004000U; a < 0x20004100U; a += 4)
		fz_word(t, a, (opt & 2) ? 0x20004000U + ((a * 7U) & 0xFCU) : 0x08000000U + (a & 0xFFU));
	fz_word(t, FZ_VTOR, 0x20008000U);
	fz_word(t, FZ_VTOR + 4, FZ_CODE | 1U);
	size_t n = size - 1 < FZ_MAX_CODE ? size - 1 : FZ_MAX_CODE;
	for (size_t i = 0; i < n; i++)
		tw_f4_poke(t, FZ_CODE + (uint32_t)i, data[1 + i]);
	if (opt & 1)
		tw_f4_set_boot(t, TW_BOOT_FLASH);
	unsigned resets = tw_f4_reset_count(t);
	static tw_f4_run r;
	tw_f4_cpu_go(t, FZ_VTOR, FZ_BUDGET, &r);
	FZ_CHECK(r.cpu.insns <= FZ_BUDGET);
	FZ_CHECK((r.cpu.r[13] & 3U) == 0);
	FZ_CHECK((r.end == TW_RUN_BUDGET) == (r.cpu.state == TC_RUN && r.end != TW_RUN_RESET &&
					       r.end != TW_RUN_POWER));
	FZ_CHECK(r.end != TW_RUN_RESET || tw_f4_reset_count(t) != resets);
	FZ_CHECK(r.end != TW_RUN_LOCKUP || r.cpu.why != NULL);
	FZ_CHECK(tw_f4_busy_until_ns(t) >= tw_f4_now_ns(t));
	char line[512];
	tw_f4_run_describe(&r, line, sizeof line);
	FZ_CHECK(line[0] != '\0');
	tw_f4_free(t);
	return 0;
}
