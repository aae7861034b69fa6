/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark: wire efficiency of the ADIv5 layer (lib/debug/adiv5.c) on the twin's SW-DP at
 * 4 MHz, counted in SWCLK cycles on the twin's virtual clock (bit-level SWD probe over a bare
 * memory bus, so only the debug port is measured).
 *
 * Ceiling: one SWD frame per 32-bit word, 46 cycles (8 request, 1 turnaround, 3 ACK, 32 data,
 * 1 parity, 1 turnaround; ADIv5.2 §B4.2), so the minimum for N bytes is N/4 * 46 cycles.
 * "efficiency" = minimum / clocked; "payload" = data bits / clocked (at most 32/46 = 69.6 %). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug/adiv5.h"
#include "debug/membus.h"
#include "debug/swd_probe.h"

#define BENCH_BYTES (64u * 1024u)
#define BENCH_HZ 4000000u
#define SWD_FRAME_BITS 46u

static int bench_report(const char *what, uint64_t bits, uint64_t ns)
{
	uint64_t min = (uint64_t)BENCH_BYTES / 4u * SWD_FRAME_BITS;
	double eff = 100.0 * (double)min / (double)bits;
	double payload = 100.0 * (double)BENCH_BYTES * 8.0 / (double)bits;
	double kibs = (double)BENCH_BYTES / 1024.0 / ((double)ns / 1e9);
	printf("adiv5 %-5s 64 KiB @ 4 MHz: %llu cycles clocked, minimum %llu -> efficiency "
	       "%.1f %% (payload %.1f %%), %.1f KiB/s virtual\n", what, (unsigned long long)bits,
	       (unsigned long long)min, eff, payload, kibs);
	return eff >= 90.0 ? 0 : 1;
}

int main(void)
{
	tw_membus *m = tw_membus_new();
	tw_dap *d = tw_dap_new(&tw_membus_bus, m);
	tw_swd *s = tw_swd_new(d);
	tw_swd_probe p = {.swd = s, .dap = d, .idle_cycles = 2};
	fk_ctx *ctx = fk_ctx_new();
	adi_dap a;
	uint8_t *buf = malloc(BENCH_BYTES), *back = malloc(BENCH_BYTES);
	int bad = 0;
	tw_dap_set_clock_hz(d, BENCH_HZ);
	adi_init(&a, &tw_swd_probe_ops, &p);
	if (!buf || !back || adi_connect(&a, ctx) < 0) {
		fprintf(stderr, "bench_adiv5: cannot connect to the twin's debug port\n");
		return 1;
	}
	for (uint32_t i = 0; i < BENCH_BYTES; i++)
		buf[i] = (uint8_t)(i * 13u + 1u);
	uint64_t b0 = tw_dap_bits(d), t0 = tw_dap_now_ns(d);
	bad |= adi_mem_write(&a, ctx, TW_MEMBUS_SRAM, buf, BENCH_BYTES, 4) < 0;
	bad |= bench_report("write", tw_dap_bits(d) - b0, tw_dap_now_ns(d) - t0);
	b0 = tw_dap_bits(d);
	t0 = tw_dap_now_ns(d);
	bad |= adi_mem_read(&a, ctx, TW_MEMBUS_SRAM, back, BENCH_BYTES, 4) < 0;
	bad |= bench_report("read", tw_dap_bits(d) - b0, tw_dap_now_ns(d) - t0);
	if (memcmp(buf, back, BENCH_BYTES) != 0) {
		fprintf(stderr, "bench_adiv5: read-back differs from what was written\n");
		bad = 1;
	}
	free(buf);
	free(back);
	fk_ctx_free(ctx);
	tw_swd_free(s);
	tw_dap_free(d);
	tw_membus_free(m);
	return bad;
}
