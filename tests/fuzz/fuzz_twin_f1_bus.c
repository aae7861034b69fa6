/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: arbitrary register and memory access sequences on the STM32F0/F1/F3 twin
 * (the first byte picks the part) — whatever is written where, by whichever initiator, with
 * resets, OBL_LAUNCH, power cuts and clock jumps in between, the model must never crash, hang
 * or break its invariants (BSY end never in the past, SR reserved bits zero, the option-byte
 * image consistent with what a reload gives). Each 8-byte record: op, region, offset (2
 * bytes), value (4 bytes). The state image of the final model must load back. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stm32f1/f1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t fuzz_bases[] = {
	0x40022000U, 0x40022000U, 0x40022000U, 0x08000000U, 0x08000F00U, 0x0800FC00U,
	0x1FFFF800U, 0x1FFFF7C0U, 0x1FFFEC00U, 0x20000000U, 0xE0042000U, 0x40015800U,
	0xE000ED00U, 0x00000000U, 0x08080000U, 0x0807F800U,
};

/* Valid keys and option values are hard to guess: some ops write them. */
static void fuzz_keys(tw_f1 *t, uint32_t which)
{
	uint32_t reg = which & 1 ? 0x40022008U : 0x40022004U;
	tw_f1_write(t, TW_INIT_DEBUG, reg, 4, 0x45670123U);
	tw_f1_write(t, TW_INIT_DEBUG, reg, 4, 0xCDEF89ABU);
}

static void fuzz_step(tw_f1 *t, const uint8_t *r)
{
	uint32_t addr = fuzz_bases[r[1] & 15] + ((uint32_t)r[2] | ((uint32_t)r[3] << 8));
	uint32_t val = (uint32_t)r[4] | ((uint32_t)r[5] << 8) | ((uint32_t)r[6] << 16) |
		       ((uint32_t)r[7] << 24);
	unsigned size = 1U << (r[0] & 3);
	tw_initiator who = (tw_initiator)((r[0] >> 2) % 3);
	static const uint8_t rdps[4] = {0xA5, 0xAA, 0xCC, 0x00};
	uint32_t v;
	switch ((r[0] >> 4) & 15) {
	case 0: case 1: case 2: tw_f1_write(t, who, addr, size, val); break;
	case 3: tw_f1_write(t, who, 0x1FFFF800U + (val & 14U), 2, rdps[(val >> 4) & 3]); break;
	case 4: case 5: tw_f1_read(t, who, addr, size, &v); break;
	case 6: tw_f1_write_wait(t, who, addr, size, val); break;
	case 7: tw_f1_read_wait(t, who, addr, size, &v); break;
	case 8: tw_f1_advance(t, (uint64_t)val * 1000U); break;
	case 9: tw_f1_reset(t, (tw_reset)(val & 1)); break;
	case 10: fuzz_keys(t, val); break;
	case 11: tw_f1_fault_power_at_op(t, val & 7); break;
	case 12: tw_f1_fault_power_at_ns(t, tw_f1_now_ns(t) + (val & 0xFFFFF) * 1000U); break;
	case 13: tw_f1_power_on(t); break;
	case 14: tw_f1_set_nrst(t, val & 1); break;
	default: tw_f1_set_boot(t, (tw_boot)(val % 3)); break;
	}
	assert(tw_f1_busy_until_ns(t) >= tw_f1_now_ns(t));
	assert((tw_f1_reg(t, 0x4002200CU) & ~0x35U) == 0);
	assert(tw_f1_rdp_level(t) <= 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned n = 0;
	while (tw_f1_variant_at(n))
		n++;
	tw_f1 *t = tw_f1_new(tw_f1_variant_at(size ? data[0] % n : 0));
	if (!t)
		return 0;
	for (size_t i = 1; i + 8 <= size && i < 8 * 4096; i += 8)
		fuzz_step(t, data + i);
	uint8_t *img;
	size_t len;
	if (tw_f1_save_buffer(t, &img, &len) == 0) {
		fk_ctx *ctx = fk_ctx_new();
		tw_f1 *u = NULL;
		if (tw_f1_load_buffer(ctx, "fuzz", img, len, &u) != 0 || !u)
			abort(); /* the model saved a state it cannot load */
		tw_f1_free(u);
		fk_ctx_free(ctx);
		free(img);
	}
	tw_f1_free(t);
	return 0;
}
