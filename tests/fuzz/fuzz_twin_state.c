/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the STM32F4 twin state-file loader (twin/stm32f4/state.c) must reject any
 * corrupt, truncated or foreign image with FK_E_BAD_FILE and never crash. First byte selects:
 * even = the input is the whole file as is; odd = the rest of the input overwrites the start of
 * a valid STM32F401xB payload and the CRCs are fixed up, so that field validation is reached. A
 * loaded twin is exercised with a few bus accesses and saved again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flashkey/core.h"
#include "stm32f4/f4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The image of a factory-fresh STM32F401xB, made once. */
static const uint8_t *fuzz_template(size_t *len)
{
	static uint8_t *tpl;
	static size_t tpl_len;
	if (!tpl) {
		tw_f4 *t = tw_f4_new(tw_f4_variant_find("stm32f401xb"));
		if (!t || tw_f4_save_buffer(t, &tpl, &tpl_len))
			tpl = NULL;
		tw_f4_free(t);
	}
	*len = tpl_len;
	return tpl;
}

static uint8_t *fuzz_patched(const uint8_t *data, size_t size, size_t *len)
{
	const uint8_t *tpl = fuzz_template(len);
	uint8_t *buf = tpl ? malloc(*len) : NULL;
	if (!buf)
		return NULL;
	memcpy(buf, tpl, *len);
	size_t n = size < *len - 64 ? size : *len - 64;
	memcpy(buf + 64, data, n);
	put32(buf + 52, fk_crc32(0, buf + 64, *len - 64));
	put32(buf + 56, fk_crc32(0, buf, 56));
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fk_ctx *ctx = fk_ctx_new();
	size_t len = size - 1;
	uint8_t *owned = (data[0] & 1) ? fuzz_patched(data + 1, size - 1, &len) : NULL;
	const uint8_t *img = owned ? owned : data + 1;
	tw_f4 *t = NULL;
	if (tw_f4_load_buffer(ctx, "fuzz", img, len, &t) == FK_OK) {
		uint32_t v;
		tw_f4_read_wait(t, TW_INIT_DEBUG, 0x08000000U, 4, &v);
		tw_f4_read_wait(t, TW_INIT_DEBUG, 0x40023C0CU, 4, &v);
		tw_f4_advance(t, 100000000000ULL);
		tw_f4_reset(t, TW_RESET_POWER_ON);
		uint8_t *out = NULL;
		size_t olen;
		if (tw_f4_save_buffer(t, &out, &olen) == FK_OK)
			free(out);
		tw_f4_free(t);
	}
	free(owned);
	fk_ctx_free(ctx);
	return 0;
}
