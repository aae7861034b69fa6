/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4: may the code whose vector table is at an address be started? A pure check of the
 * table's first two words (initial MSP, reset handler) against the part's memory map, so that
 * `flashkey run` refuses erased flash or a table that would fault at the first instruction.
 *
 * Sources: ARMv7-M ARM (DDI 0403E) §B1.5.3 (vector table: word 0 the initial SP_main, word 1
 * the reset vector; bit 0 of a vector must be 1, Thumb), §B1.5.5 (reset behaviour: SP_main =
 * [VTOR] & ~3, a vector with bit 0 clear faults, ending in lockup); RM0090 §2.3.1 (SRAM at
 * 0x20000000, CCM at 0x10000000 on the data bus only), §3.3 (main flash at 0x08000000);
 * AN3155 §3.5 (Go loads MSP from [addr] and jumps to [addr + 4]). */
#include "chip/stm32f4.h"
#include "core/core.h"

/* addr in (base, base + size]: a full-descending stack may start at the end of RAM. */
static bool vec_stack_in(uint32_t addr, uint32_t base, uint32_t size)
{
	return size && addr > base && (uint64_t)addr <= (uint64_t)base + size;
}

/* addr in [base, base + size). */
static bool vec_code_in(uint32_t addr, uint32_t base, uint32_t size)
{
	return size && addr >= base && (uint64_t)addr < (uint64_t)base + size;
}

stm32f4_vec_verdict stm32f4_vector_check(const stm32f4_device *dev, uint32_t flash_bytes,
					 uint32_t sp, uint32_t reset, char *why, size_t n)
{
	uint32_t sram = dev->sram_kb * 1024U, ccm = dev->ccm_kb * 1024U;
	char tmp[8];
	if (!why || !n) {
		why = tmp;
		n = sizeof tmp;
	}
	why[0] = '\0';
	if (sp == 0xFFFFFFFFU && reset == 0xFFFFFFFFU) {
		fk_snprintf_cat(why, n, "both words read 0xFFFFFFFF: the flash there is erased");
		return STM32F4_VEC_ERASED;
	}
	bool sp_ram = vec_stack_in(sp, STM32F4_SRAM_BASE, sram) ||
		      vec_stack_in(sp, STM32F4_CCM_BASE, ccm);
	if ((sp & 3U) || !sp_ram) {
		fk_snprintf_cat(why, n, "initial SP 0x%08X is not a %sstack address in SRAM "
				"(0x%08X-0x%08X)", sp, (sp & 3U) ? "word-aligned " : "",
				STM32F4_SRAM_BASE + 4U, STM32F4_SRAM_BASE + sram);
		if (ccm)
			fk_snprintf_cat(why, n, " or CCM (0x%08X-0x%08X)", STM32F4_CCM_BASE + 4U,
					STM32F4_CCM_BASE + ccm);
		return STM32F4_VEC_BAD_SP;
	}
	uint32_t pc = reset & ~1U;
	bool pc_ok = vec_code_in(pc, STM32F4_FLASH_BASE, flash_bytes) ||
		     vec_code_in(pc, STM32F4_SRAM_BASE, sram);
	if (!(reset & 1U) || !pc_ok) {
		fk_snprintf_cat(why, n, "reset vector 0x%08X is not %s inside flash (0x%08X-0x%08X) "
				"or SRAM (0x%08X-0x%08X)", reset,
				(reset & 1U) ? "an address" : "a Thumb address (bit 0 set)",
				STM32F4_FLASH_BASE, STM32F4_FLASH_BASE + flash_bytes - 1U,
				STM32F4_SRAM_BASE, STM32F4_SRAM_BASE + sram - 1U);
		return STM32F4_VEC_BAD_RESET;
	}
	return STM32F4_VEC_OK;
}
