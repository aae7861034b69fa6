/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ESP32 / ESP32-C3 twin's state image. Layout (little-endian):
 *   "FKTWESP\n", u32 version (1), char variant[16], u32 board flags (bit 0 auto-reset circuit,
 *   bit 1 boot pin held low, bit 2 powered), u32 what runs (tw_esp_run), u32 boot value,
 *   u32 eFuse words N, N x u32, u32 flash image bytes M, M bytes (the SPI NOR twin's own state
 *   image, twin/spinor/state.c), u32 CRC-32 of everything after the version up to here.
 * Every field is validated on load (hostile files: tests/fuzz/fuzz_twin_esp32_state.c). */
#include <stdlib.h>
#include <string.h>

#include "esp32/esp.h"
#include "spinor/spinor_int.h"

#define HDR_FIXED (8U + 4U + 16U + 4U + 4U + 4U + 4U)

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int tw_esp_save_buf(const tw_esp *e, uint8_t **out, size_t *len)
{
	uint8_t *fl;
	size_t fn;
	int rc = tw_spinor_save_buf(e->flash, &fl, &fn);
	if (rc)
		return rc;
	unsigned nw = e->v->efuse_words;
	size_t n = HDR_FIXED + 4U * nw + 4U + fn + 4U;
	uint8_t *b = calloc(1, n);
	if (!b) {
		free(fl);
		return FK_E_NOMEM;
	}
	memcpy(b, TW_ESP_MAGIC, 8);
	put32(b + 8, TW_ESP_VERSION);
	strncpy((char *)b + 12, e->v->name, 16);
	uint32_t flags = (e->autoreset ? 1U : 0) | (e->strap_download ? 2U : 0) |
			 (e->powered ? 4U : 0);
	put32(b + 28, flags);
	put32(b + 32, (uint32_t)e->run);
	put32(b + 36, e->boot_value);
	put32(b + 40, nw);
	size_t p = HDR_FIXED;
	for (unsigned i = 0; i < nw; i++, p += 4)
		put32(b + p, e->efuse[i]);
	put32(b + p, (uint32_t)fn);
	p += 4;
	memcpy(b + p, fl, fn);
	p += fn;
	free(fl);
	put32(b + p, fk_crc32(0, b + 12, p - 12));
	*out = b;
	*len = n;
	return FK_OK;
}

int tw_esp_load_buf(fk_ctx *ctx, const char *name, const uint8_t *b, size_t n, tw_esp **out)
{
	if (n < HDR_FIXED + 8U || memcmp(b, TW_ESP_MAGIC, 8) != 0)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: not an ESP32 twin state (too short or no "
						   "FKTWESP magic)", name);
	if (get32(b + 8) != TW_ESP_VERSION)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: ESP32 twin state version %u, this build "
						   "reads %u", name, get32(b + 8), TW_ESP_VERSION);
	if (get32(b + n - 4) != fk_crc32(0, b + 12, n - 16))
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: CRC mismatch (corrupted or truncated)",
			       name);
	char vname[17];
	memcpy(vname, b + 12, 16);
	vname[16] = '\0';
	const tw_esp_variant *v = tw_esp_variant_find(vname);
	if (!v)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: field variant: unknown \"%s\"", name, vname);
	uint32_t flags = get32(b + 28), run = get32(b + 32), boot = get32(b + 36);
	uint32_t nw = get32(b + 40);
	if (flags & ~7U)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: field board flags: 0x%X", name, flags);
	if (run > TW_ESP_RUN_RESET)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: field run: %u", name, run);
	if (boot > 0xFF)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: field boot value: 0x%X", name, boot);
	if (nw != v->efuse_words)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: field efuse words: %u, %s has %u", name, nw,
			       v->name, v->efuse_words);
	size_t p = HDR_FIXED + 4U * nw;
	if (p + 4U > n - 4U)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: truncated before the flash image", name);
	uint32_t fn = get32(b + p);
	p += 4;
	if (fn != n - 4U - p)
		return fk_fail(ctx, FK_E_BAD_FILE, "%s: field flash image bytes: %u, %zu present",
			       name, fn, n - 4U - p);
	tw_esp *e = calloc(1, sizeof *e);
	if (!e)
		return fk_fail(ctx, FK_E_NOMEM, "loading %s", name);
	e->v = v;
	int rc = tw_spinor_load_buf(ctx, b + p, fn, &e->flash);
	if (rc) {
		free(e);
		return fk_fail_wrap(ctx, rc, "%s: the attached SPI flash", name);
	}
	for (unsigned i = 0; i < nw; i++)
		e->efuse[i] = get32(b + HDR_FIXED + 4U * i);
	e->autoreset = flags & 1U;
	e->strap_download = (flags & 2U) != 0;
	e->powered = (flags & 4U) != 0;
	e->run = (tw_esp_run)run;
	e->boot_value = boot;
	e->clean_gen = tw_spinor_generation(e->flash);
	*out = e;
	return FK_OK;
}
