/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the SPI NOR twin's state-file loader (twin/spinor/state.c) on arbitrary
 * bytes: a clear error or a chip whose loaded operation is one the machine could run. */
#include <stdlib.h>
#include <string.h>

#include "fktwin/spinor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fk_ctx *ctx = fk_ctx_new();
	tw_spinor *c = NULL;
	if (tw_spinor_load_buf(ctx, data, size, &c) == 0) {
		tw_spinor_finish(c); /* the loaded operation must complete without harm */
		tw_spinor_power_cycle(c);
		tw_spinor_free(c);
	} else if (fk_ctx_error(ctx) == 0) {
		abort();
	}
	fk_ctx_free(ctx);
	return 0;
}
