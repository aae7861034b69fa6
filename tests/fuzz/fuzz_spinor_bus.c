/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: arbitrary instruction streams on the SPI NOR twin (twin/spinor/) — any
 * bytes between any /CS edges, with clock jumps, /WP changes and power cycles in between. The
 * model must never crash or hang, and must keep its invariants: one-time bits (LB1-3, the
 * Macronix TB) never return to 0, BUSY never outlasts the part's chip-erase time, and the array
 * of a part whose status says "everything protected" is never changed by the bus.
 * Input: byte 0 picks the part; then 2-byte records op, arg (see the switch). */
#include <stdlib.h>
#include <string.h>

#include "devices/spinor.h"
#include "fktwin/spinor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(tw_spinor *c, const spinor_part *p, const uint8_t *otp_before)
{
	uint8_t nv[3];
	tw_spinor_regs(c, NULL, nv);
	for (unsigned r = 0; r < 3; r++)
		if ((otp_before[r] & p->otp_mask[r]) & ~nv[r])
			abort(); /* an OTP bit went back to 0 */
	if (tw_spinor_busy_ns(c) > (uint64_t)p->max.tce * 1000U)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const parts[] = {"w25q32jv", "gd25q64c", "mx25l6433f"};
	if (size < 1)
		return 0;
	fk_ctx *ctx = fk_ctx_new();
	tw_spinor *c;
	if (tw_spinor_create(ctx, parts[data[0] % 3], &c)) {
		fk_ctx_free(ctx);
		return 0;
	}
	const spinor_part *p = spinor_part_by_key(tw_spinor_part_key(c));
	uint8_t nv[3];
	if (size > 1025)
		size = 1025; /* 512 records: long inputs add nothing but erase time */
	for (size_t i = 1; i + 1 < size; i += 2) {
		uint8_t op = data[i], arg = data[i + 1];
		tw_spinor_regs(c, NULL, nv);
		switch (op % 8) {
		case 0:
			tw_spinor_cs_assert(c);
			break;
		case 1:
			tw_spinor_cs_release(c);
			break;
		case 2:
			tw_spinor_xfer(c, arg);
			break;
		case 3: { /* the next arg bytes of input as one burst */
			size_t n = arg;
			if (n > size - i - 2)
				n = size - i - 2;
			tw_spinor_exchange(c, data + i + 2, NULL, n);
			i += n;
			break;
		}
		case 4:
			tw_spinor_advance(c, (uint64_t)arg * 100000U);
			break;
		case 5:
			tw_spinor_finish(c);
			break;
		case 6:
			tw_spinor_set_wp(c, arg & 1);
			break;
		default:
			tw_spinor_power_cycle(c);
			break;
		}
		fuzz_check(c, p, nv);
	}
	tw_spinor_free(c);
	fk_ctx_free(ctx);
	return 0;
}
