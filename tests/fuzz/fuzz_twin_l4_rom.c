/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: the STM32L4/G0/G4 twin's ROM bootloader port (twin/stm32l4/rom.c, AN3155
 * v3.1) fed arbitrary host bytes must never crash, hang or overrun its buffers. The first byte
 * picks the starting RDP level (0, 1) so that both the open and the refusing paths run; Go
 * hands what the input wrote to RAM to the twin's Cortex-M0+ (twin/cpu/go.c). */
#include <stdint.h>
#include <stdlib.h>

#include "flashkey/core.h"
#include "stm32l4/l4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 70000)
		return 0;
	fk_ctx *ctx = fk_ctx_new();
	tw_l4 *t = tw_l4_new(tw_l4_variant_find("stm32g071rb"));
	if (t && (data[0] & 1))
		tw_l4_set_ob(t, 0, (t->ob[0] & ~0xFFU) | 0xBBU);
	void *s = NULL;
	/* Go runs whatever the input wrote to RAM on the twin's core: a small budget keeps each
	 * input fast (the run's end and its reset/restart paths are what is fuzzed here) */
	tw_stream_cfg cfg = {.go_budget = 20000};
	if (t && tw_l4_an3155_port.open(t, ctx, &cfg, &s) == FK_OK) {
		uint8_t out[256];
		for (size_t i = 1; i < size; i++) {
			tw_l4_an3155_port.rx(s, data + i, 1);
			while (tw_l4_an3155_port.tx(s, out, sizeof out) > 0) {
			}
		}
		tw_l4_an3155_port.close(s);
	}
	tw_l4_free(t);
	fk_ctx_free(ctx);
	return 0;
}
