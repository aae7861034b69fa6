/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: arbitrary register and memory access sequences on the STM32F4 twin (an
 * STM32F429, dual bank, PCROP, OPTCR1) — whatever is written where, by whichever initiator, with
 * resets, power cuts and clock jumps in between, the model must never crash, hang or break its
 * invariants (BSY end never in the past, SR reserved bits zero). Each 8-byte record:
 * op, region, offset (2 bytes), value (4 bytes). */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "stm32f4/f4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t fuzz_bases[] = {
	0x40023C00U, 0x40023C00U, 0x40023C00U, 0x08000000U, 0x08100000U, 0x080E0000U,
	0x1FFF7800U, 0x1FFF7A00U, 0x1FFFC000U, 0x1FFEC000U, 0x1FFF0000U, 0x20000000U,
	0x40024000U, 0xE0042000U, 0xE000ED00U, 0x00000000U,
};

/* Valid keys are hard to guess: some ops write the right key sequence. */
static void fuzz_keys(tw_f4 *t, unsigned which)
{
	uint32_t reg = which & 1 ? 0x40023C08U : 0x40023C04U;
	uint32_t k1 = which & 1 ? 0x08192A3BU : 0x45670123U;
	uint32_t k2 = which & 1 ? 0x4C5D6E7FU : 0xCDEF89ABU;
	tw_f4_write(t, TW_INIT_DEBUG, reg, 4, k1);
	tw_f4_write(t, TW_INIT_DEBUG, reg, 4, k2);
}

static void fuzz_step(tw_f4 *t, const uint8_t *r)
{
	uint32_t addr = fuzz_bases[r[1] & 15] + ((uint32_t)r[2] | ((uint32_t)r[3] << 8));
	uint32_t val = (uint32_t)r[4] | ((uint32_t)r[5] << 8) | ((uint32_t)r[6] << 16) |
		       ((uint32_t)r[7] << 24);
	unsigned size = 1U << (r[0] & 3);
	tw_initiator who = (tw_initiator)((r[0] >> 2) % 3);
	uint32_t v;
	switch ((r[0] >> 4) & 15) {
	case 0: case 1: case 2: case 3: tw_f4_write(t, who, addr, size, val); break;
	case 4: case 5: tw_f4_read(t, who, addr, size, &v); break;
	case 6: tw_f4_write_wait(t, who, addr, size, val); break;
	case 7: tw_f4_read_wait(t, who, addr, size, &v); break;
	case 8: tw_f4_advance(t, (uint64_t)val * 1000U); break;
	case 9: tw_f4_reset(t, (tw_reset)(val & 1)); break;
	case 10: fuzz_keys(t, val); break;
	case 11: tw_f4_fault_power_at_op(t, val & 7); break;
	case 12: tw_f4_fault_power_at_ns(t, tw_f4_now_ns(t) + (val & 0xFFFFF) * 1000U); break;
	case 13: tw_f4_power_on(t); break;
	case 14: tw_f4_set_nrst(t, val & 1); break;
	default: tw_f4_set_boot(t, (tw_boot)(val % 3)); break;
	}
	assert(tw_f4_busy_until_ns(t) >= tw_f4_now_ns(t));
	assert((tw_f4_reg(t, 0x40023C0CU) & 0xFFFEFE0CU) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tw_f4 *t = tw_f4_new(tw_f4_variant_find(size && (data[0] & 0x80) ? "stm32f429"
								     : "stm32f401xb"));
	if (!t)
		return 0;
	for (size_t i = 1; i + 8 <= size && i < 8 * 4096; i += 8)
		fuzz_step(t, data + i);
	tw_f4_free(t);
	return 0;
}
