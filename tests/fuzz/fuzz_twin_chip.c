/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the generic twin state-file dispatch (twin/chip.c tw_chip_load_buffer) must
 * refuse any input whose magic no model has, whose version is newer than the model reads, or that
 * the model's loader rejects, with FK_E_BAD_FILE — never crash. The first 12 bytes are taken as
 * they are; inputs starting with a known magic reach that model's loader (seeded with a valid
 * STM32F4 image and a newer-version one). A loaded twin is saved again. */
#include <stdint.h>
#include <stdlib.h>

#include "chip.h"
#include "flashkey/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fk_ctx *ctx = fk_ctx_new();
	tw_chip *c = NULL;
	int rc = tw_chip_load_buffer(ctx, "fuzz", data, size, &c);
	if (rc == FK_OK) {
		uint8_t *b;
		size_t n;
		if (tw_chip_save_buffer(c, &b, &n) == FK_OK)
			free(b);
		tw_chip_free(c);
	} else if (rc != FK_E_BAD_FILE && rc != FK_E_NOMEM) {
		abort();
	}
	fk_ctx_free(ctx);
	return 0;
}
