/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the ESP32 / ESP32-C3 twin state loader (twin/esp32/state.c) must reject any
 * corrupt, truncated or foreign image with an error and never crash. First byte selects: even =
 * the rest of the input is the whole image; odd = a valid image of the variant chosen by the
 * second byte is saved, the input from the fourth byte overwrites it at the offset the third
 * byte gives (x 4), and the CRC is recomputed so that field validation is reached. A loaded twin
 * is exercised with a register read, a reset and a save. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp32/esp.h"
#include "flashkey/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(tw_esp *e)
{
	(void)tw_esp_read_reg(e, 0x40001000U);
	(void)tw_esp_read_reg(e, e->v->efuse_base + 4U);
	tw_esp_reset(e);
	uint8_t *buf = NULL;
	size_t len = 0;
	if (tw_esp_save_buf(e, &buf, &len) == 0)
		free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fk_ctx *ctx = fk_ctx_new();
	if (!ctx)
		return 0;
	tw_esp *e = NULL;
	if ((data[0] & 1U) == 0) {
		if (tw_esp_load_buf(ctx, "fuzz", data + 1, size - 1, &e) == 0 && e)
			exercise(e);
	} else if (size >= 3) {
		tw_esp *base = NULL;
		uint8_t *img = NULL;
		size_t len = 0;
		if (tw_esp_create(ctx, tw_esp_variants[data[1] % tw_esp_nvariants].name, NULL,
				  &base) == 0 &&
		    tw_esp_save_buf(base, &img, &len) == 0) {
			size_t off = (size_t)data[2] * 4U;
			for (size_t i = 3; i < size && off < len - 4; i++, off++)
				img[off] = data[i];
			uint32_t crc = fk_crc32(0, img + 12, len - 16);
			for (unsigned k = 0; k < 4; k++)
				img[len - 4 + k] = (uint8_t)(crc >> (8 * k));
			if (tw_esp_load_buf(ctx, "fuzz", img, len, &e) == 0 && e)
				exercise(e);
		}
		free(img);
		tw_esp_free(base);
	}
	tw_esp_free(e);
	fk_ctx_free(ctx);
	return 0;
}
