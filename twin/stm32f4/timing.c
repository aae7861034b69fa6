/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 twin: program/erase durations per parallelism (FLASH_CR.PSIZE), typical by default,
 * maximum on request (tw_f4_set_timing_max).
 *
 * Source: DS8626 (STM32F405/407) Table 40 "Flash memory programming" and Table 41 (with VPP),
 * as collected in ../shared/reference/stm32.md §2.2. Which figures are confirmed:
 *   - tPROG 100 us max: confirmed (DS8626 Table 40 via secondary citation); 16 us typ:
 *     UNCONFIRMED (code comment + an F446 measurement of 13.3 us/word).
 *   - tERASE128KB max 4 s (x8), 2.6 s (x16), 2 s (x32): confirmed; typical values UNCONFIRMED.
 *   - tME 32 s max (x8): confirmed (OpenOCD comment); 16 s max x32 seen for F411; the rest
 *     UNCONFIRMED.
 *   - tERASE16KB / tERASE64KB: 250 ms typ x32 and 2.4 s max x8 (64 KB) seen; rest UNCONFIRMED.
 *   - x64 (VPP) column: DS8626 Table 41 typical figures, UNCONFIRMED; max taken as 2 x typ.
 * tME is given for the 1 MiB F405/407; other sizes scale by bytes erased (UNCONFIRMED), never
 * below one 128 KiB sector erase. */
#include "stm32f4/f4_int.h"

#define US 1000ULL
#define MS 1000000ULL

/* [psize][typ/max] */
static const uint64_t f4_t_prog[4][2] = {{16 * US, 100 * US}, {16 * US, 100 * US},
					 {16 * US, 100 * US}, {16 * US, 100 * US}};
static const uint64_t f4_t_16k[4][2] = {{400 * MS, 800 * MS}, {300 * MS, 600 * MS},
					{250 * MS, 500 * MS}, {230 * MS, 460 * MS}};
static const uint64_t f4_t_64k[4][2] = {{1200 * MS, 2400 * MS}, {700 * MS, 1400 * MS},
					{550 * MS, 1100 * MS}, {490 * MS, 980 * MS}};
static const uint64_t f4_t_128k[4][2] = {{2000 * MS, 4000 * MS}, {1300 * MS, 2600 * MS},
					 {1000 * MS, 2000 * MS}, {875 * MS, 1750 * MS}};
static const uint64_t f4_t_me[4][2] = {{16000 * MS, 32000 * MS}, {11000 * MS, 22000 * MS},
				       {8000 * MS, 16000 * MS}, {6900 * MS, 13800 * MS}};

static unsigned f4_psize(const tw_f4 *t)
{
	return (t->cr & F4_CR_PSIZE_MASK) >> F4_CR_PSIZE_SHIFT;
}

unsigned f4_psize_bytes(const tw_f4 *t)
{
	return 1U << f4_psize(t);
}

/* RM0090 §3.6.2 Table 13: x8 from 1.8 V, x16 from 2.1 V, x32 from 2.7 V, x64 only at 2.7-3.6 V
 * with VPP (8-9 V) applied. */
bool f4_psize_supported(const tw_f4 *t)
{
	static const unsigned min_mv[4] = {1800, 2100, 2700, 2700};
	unsigned p = f4_psize(t);
	return t->voltage_mv >= min_mv[p] && (p < 3 || t->vpp);
}

uint64_t f4_prog_ns(const tw_f4 *t)
{
	return f4_t_prog[f4_psize(t)][t->timing_max];
}

uint64_t f4_erase_ns(const tw_f4 *t, uint32_t bytes)
{
	unsigned p = f4_psize(t);
	if (bytes <= 0x4000U)
		return f4_t_16k[p][t->timing_max];
	if (bytes <= 0x10000U)
		return f4_t_64k[p][t->timing_max];
	return f4_t_128k[p][t->timing_max];
}

uint64_t f4_mass_erase_ns(const tw_f4 *t, uint32_t bytes)
{
	unsigned p = f4_psize(t);
	uint64_t ns = f4_t_me[p][t->timing_max] / 1024U * (bytes / 1024U);
	uint64_t min = f4_t_128k[p][t->timing_max];
	return ns < min ? min : ns;
}
