/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the STM32F0/F1/F3 twin state-file loader (twin/stm32f1/state.c) must reject
 * any corrupt, truncated or foreign image with an error and never crash. First byte selects:
 * even = the rest of the input is the whole file; odd = a valid image of the variant chosen by
 * the second byte is saved, then the input from the fourth byte overwrites it at the offset the
 * third byte gives (x 8), so that field validation is reached. A loaded twin is exercised with
 * a few bus accesses, a reset, and saved again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flashkey/core.h"
#include "stm32f1/f1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(tw_f1 *t)
{
	uint32_t v;
	tw_f1_read(t, TW_INIT_DEBUG, 0x08000000U, 4, &v);
	tw_f1_read(t, TW_INIT_DEBUG, 0x1FFFF800U, 2, &v);
	tw_f1_write(t, TW_INIT_DEBUG, 0x40022004U, 4, 0x45670123U);
	tw_f1_reset(t, TW_RESET_SYSTEM);
	uint8_t *buf = NULL;
	size_t len = 0;
	if (tw_f1_save_buffer(t, &buf, &len) == 0)
		free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fk_ctx *ctx = fk_ctx_new();
	if (!ctx)
		return 0;
	tw_f1 *t = NULL;
	if ((data[0] & 1U) == 0) {
		if (tw_f1_load_buffer(ctx, "fuzz", data + 1, size - 1, &t) == 0 && t)
			exercise(t);
	} else if (size >= 3) {
		unsigned n = 0;
		while (tw_f1_variant_at(n))
			n++;
		tw_f1 *base = tw_f1_new(tw_f1_variant_at(data[1] % n));
		uint8_t *img = NULL;
		size_t len = 0;
		if (base && tw_f1_save_buffer(base, &img, &len) == 0) {
			size_t off = (size_t)data[2] * 8U;
			for (size_t i = 3; i < size && off < len; i++, off++)
				img[off] = data[i];
			if (tw_f1_load_buffer(ctx, "fuzz", img, len, &t) == 0 && t)
				exercise(t);
			free(img);
		}
		tw_f1_free(base);
	}
	tw_f1_free(t);
	fk_ctx_free(ctx);
	return 0;
}
