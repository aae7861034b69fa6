/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the JESD216 SFDP parser (lib/devices/spinor.c) on arbitrary bytes read
 * from a chip: never a crash or a read past the buffer; a failure always names a location. */
#include <stdlib.h>
#include <string.h>

#include "devices/spinor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1); /* exact size: ASan sees any over-read */
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	spinor_sfdp_info info;
	char err[128] = "";
	if (spinor_sfdp_parse(copy, size, &info, err, sizeof err) != 0) {
		if (!strstr(err, "SFDP offset"))
			abort();
	} else if (info.size == 0) {
		abort();
	}
	free(copy);
	return 0;
}
