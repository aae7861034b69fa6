/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the LPC twin's IAP (twin/lpc/debug.c tw_lpc_iap) on hostile tables. The
 * first byte picks the part (odd: LPC812); then each 32-byte record is a command table (code and
 * five parameters, little-endian) stored at an offset into RAM the record names, and the result
 * table's address (anywhere: RAM, flash, unmapped, unaligned). No crash, no write outside the
 * model's arrays (the sanitizers watch), flash bits only go 1 -> 0 except through a successful
 * Erase, and a status lands in RAM only when the result table is there. */
#include <stdlib.h>
#include <string.h>

#include "chip.h"
#include "core/core.h"
#include "lpc/lpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond)                                                                          \
	do {                                                                                    \
		if (!(cond))                                                                    \
			abort();                                                                \
	} while (0)

static void fz_record(tw_lpc *c, const uint8_t *r, uint8_t *before)
{
	uint32_t off = fk_get_le32(r + 24) % c->v->ram_bytes & ~3U;
	uint32_t res = fk_get_le32(r + 28);
	uint32_t cmd = c->v->ram_base + off;
	for (unsigned i = 0; i < 6 && off + 4U * i + 4U <= c->v->ram_bytes; i++)
		memcpy(c->ram + off + 4U * i, r + 4U * i, 4);
	memcpy(before, c->flash, c->v->flash_bytes);
	uint32_t erases = c->erases;
	tw_lpc_iap(c, cmd, res);
	if (c->erases == erases) /* no erase: a program only clears bits */
		for (uint32_t i = 0; i < c->v->flash_bytes; i++)
			FZ_CHECK((c->flash[i] & ~before[i]) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fk_ctx *ctx = fk_ctx_new();
	tw_chip *chip;
	FZ_CHECK(tw_chip_create(ctx, (data[0] & 1) ? "lpc812" : "lpc1768", &chip) == FK_OK);
	tw_lpc *c = tw_lpc_of_instance(tw_chip_impl(chip));
	uint8_t *before = malloc(c->v->flash_bytes);
	FZ_CHECK(before != NULL);
	for (size_t i = 1; i + 32 <= size && i < 1 + 32 * 64; i += 32)
		fz_record(c, data + i, before);
	free(before);
	tw_chip_free(chip);
	fk_ctx_free(ctx);
	return 0;
}
