/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness for the doctor's matcher (lib/doctor/match.c): any pasted bytes, of any
 * size, against the built-in catalogue. Checks the invariants a caller relies on: hits are
 * sorted best first, scores lie in FK_DOCTOR_MIN_SCORE..100 and spans lie inside the input. */
#include <stdint.h>
#include <stdlib.h>

#include "flashkey/doctor.h"

static fk_doctor_catalogue *cat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cat) {
		fk_ctx *ctx = fk_ctx_new();
		if (fk_doctor_load_builtin(ctx, &cat) != FK_OK)
			abort();
		fk_ctx_free(ctx);
	}
	fk_doctor_hit hits[8];
	int n = fk_doctor_match(cat, (const char *)data, size, hits, 8);
	if (n < 0)
		abort();
	for (int i = 0; i < n && i < 8; i++) {
		if (hits[i].score < FK_DOCTOR_MIN_SCORE || hits[i].score > 100)
			abort();
		if (hits[i].offset + hits[i].length > size)
			abort();
		if (i > 0 && hits[i].score > hits[i - 1].score)
			abort();
	}
	return 0;
}
