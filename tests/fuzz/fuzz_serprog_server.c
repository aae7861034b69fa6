/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the serprog device-side decoder (twin/spinor/serprog.c) fed arbitrary host
 * bytes, in arbitrary chunks, with a W25Q32JV twin behind it: never a crash, hang or unbounded
 * output; every reply starts with ACK (0x06) or NAK (0x15). */
#include <stdlib.h>
#include <string.h>

#include "spinor/serprog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fk_ctx *ctx = fk_ctx_new();
	tw_spinor *c;
	if (tw_spinor_create(ctx, "w25q32jv", &c)) {
		fk_ctx_free(ctx);
		return 0;
	}
	tw_serprog_cfg cfg = {.baud = 115200, .charge_time = true};
	tw_serprog *s = tw_serprog_new(c, &cfg);
	size_t i = 0;
	while (s && i < size) {
		size_t chunk = 1 + data[i] % 64; /* the chunk sizes come from the input too */
		if (chunk > size - i)
			chunk = size - i;
		size_t before;
		tw_serprog_output(s, &before);
		tw_serprog_input(s, data + i, chunk);
		size_t n;
		const uint8_t *out = tw_serprog_output(s, &n);
		if (n > before && out[before] != 0x06 && out[before] != 0x15)
			abort();
		tw_serprog_consume(s, n);
		i += chunk;
	}
	tw_serprog_free(s);
	tw_spinor_free(c);
	fk_ctx_free(ctx);
	return 0;
}
