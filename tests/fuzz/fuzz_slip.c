/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the ESP serial ROM codec (lib/boot/esp_rom_codec.c) on hostile bytes —
 * the SLIP decoder over everything (a small and a roomy buffer), every frame parsed as a
 * request and as a response with its status bytes and u32 words, the boot-log scan, and the
 * encoder's round trip (decode(encode(x)) == x, else abort). Never a crash, overflow or hang. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/esp_rom.h"

static void fz_frame(const uint8_t *p, size_t n)
{
	esp_pkt k;
	uint8_t s, e;
	uint32_t w;
	for (uint8_t dir = 0; dir < 2; dir++) {
		if (esp_pkt_parse(p, n, dir, &k) != ESP_PKT_OK)
			continue;
		(void)esp_pkt_status(&k, 0, 4, &s, &e);
		(void)esp_pkt_status(&k, 32, 4, &s, &e);
		(void)esp_pkt_status(&k, 16, 2, &s, &e);
		for (unsigned i = 0; i < 6; i++)
			(void)esp_pkt_u32(&k, i, &w);
		(void)esp_is_sync_payload(k.data, k.size);
		(void)esp_cmd_name(k.op);
		(void)esp_rom_error_text(k.op);
		(void)esp_stub_error_text(k.op);
		(void)esp_checksum(k.data, k.size);
	}
}

static void fz_decode(const uint8_t *data, size_t size, size_t cap)
{
	uint8_t *buf = malloc(cap ? cap : 1);
	if (!buf)
		return;
	esp_slip_dec d;
	esp_slip_init(&d, buf, cap);
	for (size_t i = 0; i < size; i++)
		if (esp_slip_feed(&d, data[i]) == ESP_SLIP_FRAME)
			fz_frame(d.buf, d.len);
	free(buf);
}

static void fz_round_trip(const uint8_t *data, size_t size)
{
	if (size > 4096 || size == 0)
		return;
	size_t cap = ESP_SLIP_MAX_ENCODED(size);
	uint8_t *enc = malloc(cap), *dec = malloc(size);
	if (!enc || !dec)
		goto out;
	size_t n = esp_slip_encode(data, size, enc, cap);
	if (n < size + 2)
		abort();
	esp_slip_dec d;
	esp_slip_init(&d, dec, size);
	size_t frames = 0;
	for (size_t i = 0; i < n; i++) {
		esp_slip_ev ev = esp_slip_feed(&d, enc[i]);
		if (ev == ESP_SLIP_FRAME) {
			if (d.len != size || memcmp(dec, data, size) != 0)
				abort();
			frames++;
		} else if (ev != ESP_SLIP_MORE) {
			abort();
		}
	}
	if (frames != 1)
		abort();
out:
	free(enc);
	free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_decode(data, size, 16);
	fz_decode(data, size, 0x4000 + 64);
	esp_boot_log b;
	esp_boot_log_scan(data, size, &b);
	fz_round_trip(data, size);
	return 0;
}
