/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: hostile bytes into the ESP32 / ESP32-C3 twin's ROM loader port
 * (twin/esp32/rom.c): SLIP noise, bad escapes, truncated and oversized packets, wrong direction
 * bytes, checksum errors, any command with any payload. The port must answer or stay silent,
 * never crash or hang. First byte: bit 0 the variant, bit 1 "the stub is running" (its command
 * set), bit 2 Secure Download Mode (C3), bit 3 toggles DTR/RTS half way. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp32/esp.h"
#include "flashkey/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fk_ctx *ctx = fk_ctx_new();
	if (!ctx)
		return 0;
	tw_esp *e = NULL;
	void *sess = NULL;
	uint8_t flags = data[0];
	if (tw_esp_create(ctx, tw_esp_variants[flags & 1U].name, NULL, &e) == 0 &&
	    tw_esp_rom_port.open(e, ctx, NULL, &sess) == 0) {
		if (flags & 4U)
			tw_esp_field_set(e->efuse,
					 tw_esp_field_find(TW_ESP32C3, "ENABLE_SECURITY_DOWNLOAD"), 1);
		tw_esp_rom_port.board_reset(sess);
		if (flags & 2U)
			e->run = TW_ESP_RUN_STUB;
		size_t half = (size - 1) / 2;
		uint8_t out[4096];
		tw_esp_rom_port.rx(sess, data + 1, half);
		while (tw_esp_rom_port.tx(sess, out, sizeof out))
			;
		if (flags & 8U) {
			tw_esp_rom_port.lines(sess, TW_LINE_RTS);
			tw_esp_rom_port.lines(sess, TW_LINE_DTR);
			tw_esp_rom_port.lines(sess, 0);
		}
		tw_esp_rom_port.rx(sess, data + 1 + half, size - 1 - half);
		while (tw_esp_rom_port.tx(sess, out, sizeof out))
			;
	}
	if (sess)
		tw_esp_rom_port.close(sess);
	tw_esp_free(e);
	fk_ctx_free(ctx);
	return 0;
}
