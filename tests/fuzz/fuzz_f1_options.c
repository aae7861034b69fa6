/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the STM32F0/F1/F3 option keys as users type them (`options set KEY=VALUE`,
 * lib/chip/stm32f1_opt.c): byte 0 picks the device table row, the rest is one KEY=VALUE string
 * (page lists such as wrp=0-3,8-11 included). Nothing may crash, loop or read past the page
 * table; an accepted value never clears a WRP bit the part does not have, never asks for RDP
 * level 2 on a line without it, and a refused one leaves the options untouched. */
#include <stdlib.h>
#include <string.h>

#include "chip/stm32f1_fam.h"
#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 512)
		return 0;
	unsigned ndev = 0;
	while (stm32f1_dev_at(ndev))
		ndev++;
	stm32f1drv f;
	memset(&f, 0, sizeof f);
	f.dev = stm32f1_dev_at(data[0] % ndev);
	f.flash_kb = (uint16_t)((data[0] & 0x80) ? f.dev->max_kb / 2 : f.dev->max_kb);
	f.npages = (unsigned)(f.flash_kb * 1024U / f.dev->page_bytes);
	char *kv = malloc(size);
	if (!kv)
		return 0;
	memcpy(kv, data + 1, size - 1);
	kv[size - 1] = '\0';
	fk_ctx *ctx = fk_ctx_new();
	if (!ctx) {
		free(kv);
		return 0;
	}
	uint32_t absent = f.dev->wrp_bits >= 32 ? 0 : ~((1U << f.dev->wrp_bits) - 1U);
	stm32f1_opts before = {0xA5, 0xFF, 0x12, 0x34, 0xFFFFFFFFU};
	stm32f1_opts want = before;
	int rc = stm32f1_opt_apply(&f, ctx, kv, &want);
	if (rc && memcmp(&want, &before, sizeof want) != 0)
		abort(); /* a refused value changed the options */
	if (!rc && (want.wrp & absent) != absent)
		abort(); /* a WRP bit the part does not have */
	if (!rc && !(f.dev->flags & STM32F1_F_LEVEL2) && stm32f1_dev_rdp_level(f.dev, want.rdp) == 2)
		abort(); /* level 2 on a line without it */
	fk_ctx_free(ctx);
	free(kv);
	return 0;
}
