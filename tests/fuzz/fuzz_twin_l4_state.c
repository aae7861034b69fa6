/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the STM32L4/G0/G4 twin state loader (twin/stm32l4/state.c) must reject any
 * corrupt, truncated or foreign image with FK_E_BAD_FILE and never crash. First byte selects:
 * even = the input is the whole file; odd = the rest overwrites the register fields of a valid
 * STM32G071 image (after its memories) and the CRC is fixed up, so that field validation is
 * reached. A loaded twin is exercised with a few bus accesses, time and a power-on, then saved. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flashkey/core.h"
#include "stm32l4/l4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *fuzz_template(size_t *len, size_t *fields)
{
	static uint8_t *tpl;
	static size_t tpl_len, tpl_fields;
	if (!tpl) {
		const l4_variant *v = tw_l4_variant_find("stm32g071rb");
		tw_l4 *t = tw_l4_new(v);
		if (!t || tw_l4_save_buffer(t, &tpl, &tpl_len))
			tpl = NULL;
		tw_l4_free(t);
		/* header 40 bytes, flash, ECC map, OTP: then the fields */
		tpl_fields = 40U + v->flash_bytes + v->flash_bytes / 8U + L4_OTP_BYTES;
	}
	*len = tpl_len;
	*fields = tpl_fields;
	return tpl;
}

static uint8_t *fuzz_patched(const uint8_t *data, size_t size, size_t *len)
{
	size_t at;
	const uint8_t *tpl = fuzz_template(len, &at);
	uint8_t *buf = tpl ? malloc(*len) : NULL;
	if (!buf)
		return NULL;
	memcpy(buf, tpl, *len);
	size_t n = size < *len - 4 - at ? size : *len - 4 - at;
	memcpy(buf + at, data, n);
	uint32_t crc = fk_crc32(0, buf, *len - 4);
	for (unsigned i = 0; i < 4; i++)
		buf[*len - 4 + i] = (uint8_t)(crc >> (8 * i));
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
	tw_l4 *t = NULL;
	if (tw_l4_load_buffer(ctx, "fuzz", img, len, &t) == FK_OK) {
		uint32_t v;
		tw_l4_read(t, TW_INIT_DEBUG, 0x08000000U, 4, &v);
		tw_l4_read(t, TW_INIT_DEBUG, L4_FLASH_REGS + L4R_SR, 4, &v);
		tw_l4_write(t, TW_INIT_DEBUG, 0x08000008U, 4, 0);
		tw_l4_advance(t, 100000000000ULL);
		tw_l4_reset(t, TW_RESET_POWER_ON);
		uint8_t *out = NULL;
		size_t olen;
		if (tw_l4_save_buffer(t, &out, &olen) == FK_OK)
			free(out);
		tw_l4_free(t);
	}
	free(owned);
	fk_ctx_free(ctx);
	return 0;
}
