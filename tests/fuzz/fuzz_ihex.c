/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the Intel HEX loader (lib/image/ihex.c) on arbitrary bytes; see
 * fuzz_image_common.h for the invariants checked. Seeds: corpus/fuzz_ihex/. */
#include <stdint.h>

#include "fuzz_image_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_image_one(data, size, FK_IMAGE_IHEX, "fw.hex");
}
