/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the LPC55S69 twin's hostile inputs. The first byte picks the target:
 *   even: the bytes overlay the header and page map of a valid state file (the file is 656 KiB,
 *         so the overlay keeps the size right and reaches every field check) for tw_l55_load;
 *         a state that loads saves back to the same bytes;
 *   odd:  the bytes are a debugger's accesses to the debug mailbox (DM-AP) and the AHB-AP, 6
 *         bytes each: register/direction, 32-bit value, time to let pass; the CMPA policy comes
 *         from the second byte. No crash, no overread, no unbounded state. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "lpc55/lpc55.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond)                                                                          \
	do {                                                                                    \
		if (!(cond))                                                                    \
			abort();                                                                \
	} while (0)

static void fuzz_state(const uint8_t *d, size_t n)
{
	fk_ctx *ctx = fk_ctx_new();
	tw_l55 *c, *c2;
	uint8_t *b, *b2;
	size_t len, len2;
	FZ_CHECK(tw_l55_create(ctx, "lpc55s69", &c) == FK_OK);
	FZ_CHECK(tw_l55_save(c, &b, &len) == FK_OK);
	tw_l55_free(c);
	memcpy(b + 8, d, n < len - 8 ? n : len - 8); /* the magic stays: the generic layer checks it */
	if (tw_l55_load(ctx, "fuzz", b, len, &c2) == FK_OK) {
		FZ_CHECK(tw_l55_save(c2, &b2, &len2) == FK_OK);
		FZ_CHECK(len2 == len && memcmp(b2, b, len) == 0);
		free(b2);
		tw_l55_free(c2);
	}
	free(b);
	fk_ctx_free(ctx);
}

static void fuzz_dm(const uint8_t *d, size_t n)
{
	fk_ctx *ctx = fk_ctx_new();
	tw_l55 *c;
	FZ_CHECK(tw_l55_create(ctx, "lpc55s69", &c) == FK_OK);
	uint8_t pol = n ? d[0] : 0;
	tw_l55_set_policy(c, !(pol & 1), (uint16_t)(pol & 0x82U), (uint16_t)(pol & 0x84U));
	static const uint8_t page[512] = {1};
	if (pol & 0x10)
		tw_l55_load_image(c, 0, page, sizeof page);
	tw_l55_reset(c, (pol & 0x20) != 0);
	for (size_t i = 1; i + 6 <= n; i += 6) {
		uint8_t op = d[i];
		uint32_t v = fk_get_le32(d + i + 1);
		if (op & 0x80) {
			uint32_t r = 0;
			(void)tw_l55_read(c, TW_INIT_DEBUG, v & 0x3FFFFFFCU, 4, &r);
		} else {
			(void)tw_l55_dm_access(c, (uint8_t)(op & 0xFC), (op & 1) != 0, &v);
		}
		tw_l55_advance(c, (uint64_t)d[i + 5] << 20);
	}
	tw_l55_free(c);
	fk_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!(data[0] & 1))
		fuzz_state(data + 1, size - 1);
	else
		fuzz_dm(data + 1, size - 1);
	return 0;
}
