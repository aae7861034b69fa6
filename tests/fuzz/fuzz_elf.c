/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the ELF32 loader (lib/image/elf.c) on arbitrary bytes; see
 * fuzz_image_common.h for the invariants checked. Seeds: corpus/fuzz_elf/. */
#include <stdint.h>

#include "fuzz_image_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_image_one(data, size, FK_IMAGE_ELF, "fw.elf");
}
