/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness for the doctor's catalogue parser (lib/doctor/catalogue.c): any bytes as a
 * catalogue text. A parse either fails cleanly with FK_E_BAD_FILE or yields a catalogue whose
 * every entry has causes, a source and at least one pattern, and which can match its texts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flashkey/doctor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fk_ctx *ctx = fk_ctx_new();
	fk_doctor_catalogue *cat = NULL;
	int rc = fk_doctor_parse(ctx, (const char *)data, size, &cat);
	if (rc != FK_OK && (rc != FK_E_BAD_FILE || cat))
		abort();
	for (unsigned i = 0; i < fk_doctor_entry_count(cat); i++) {
		const fk_doctor_entry *e = fk_doctor_entry_at(cat, i);
		if (!e->ncauses || !e->source || !e->npatterns)
			abort();
		fk_doctor_hit hit;
		if (fk_doctor_match(cat, e->text, strlen(e->text), &hit, 1) < 0)
			abort();
	}
	fk_doctor_free(cat);
	fk_ctx_free(ctx);
	return 0;
}
