/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: probe/jlink's SWD frame codec (jlink_codec.c) against arbitrary input bits
 * from a probe. The input's first bytes choose a batch of transactions (kind byte each) and the
 * rest are the bits the J-Link "returned"; every frame is encoded, then decoded from them.
 * Checked: frames never overrun the buffer, the decoder reads only inside it, an ACK is 3 bits. */
#include <stdlib.h>
#include <string.h>

#include "probe/jlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned n = data[0] % 48u, cap = 8u * (1u + data[1] % 255u);
	data += 2, size -= 2;
	uint8_t *dir = calloc(1, cap / 8), *out = calloc(1, cap / 8), *in = calloc(1, cap / 8);
	if (!dir || !out || !in)
		abort();
	jlink_swd_buf b = {dir, out, 0, cap};
	fk_dap_xfer x[48];
	int at[48];
	unsigned k = 0;
	for (; k < n && k < size; k++) {
		x[k] = (fk_dap_xfer){.ap = data[k] & 1u, .rnw = (data[k] >> 1) & 1u,
				     .addr = (uint8_t)(data[k] & 0xCu), .data = 0x01010101u * data[k]};
		if ((at[k] = jlink_swd_frame(&b, &x[k])) < 0)
			break;
		if (b.bits > cap)
			abort();
		jlink_swd_idle(&b, data[k] >> 4);
		if (b.bits > cap)
			abort();
	}
	size_t rest = size > k ? size - k : 0;
	memcpy(in, data + (size - rest), rest < cap / 8 ? rest : cap / 8);
	for (unsigned i = 0; i < k; i++) {
		if (at[i] < 0 || (unsigned)at[i] + 38u > b.bits)
			abort(); /* a frame's result lies inside what was clocked */
		jlink_swd_result(in, (unsigned)at[i], &x[i]);
		if (x[i].ack > 7)
			abort();
	}
	free(dir), free(out), free(in);
	return 0;
}
