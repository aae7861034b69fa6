/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the S-record loader (lib/image/srec.c) on arbitrary bytes; see
 * fuzz_image_common.h for the invariants checked. Seeds: corpus/fuzz_srec/. */
#include <stdint.h>

#include "fuzz_image_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_image_one(data, size, FK_IMAGE_SREC, "fw.srec");
}
