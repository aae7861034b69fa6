/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SPI NOR twin: which addresses the chip refuses to erase or program, and whether its status
 * registers accept a write. Written from the datasheet tables as rows, independently of the
 * driver's range decoder (lib/devices/spinor.c); a unit test checks the two agree.
 *
 * W64 §7.1 "Status Register Memory Protection (WPS = 0, CMP = 0)" (p.18): the rows below, for
 * the 8 MiB part; W32 and W128 have the same portions of their size ("Upper 1/64" ...). The
 * CMP = 1 table (p.19) protects exactly the complement of each row. WPS = 1 uses the individual
 * block locks instead (Fig. 4d, p.20). GD64 §5 has the same table shape with BP4/BP3 in the
 * places of SEC/TB (UNCONFIRMED, GD text not retrieved). MX64 table 2: BP3..0 count 64 KiB
 * blocks from the top (TB = 0) or bottom (UNCONFIRMED shape, see lib/devices/spinor.c). */
#include "spinor/spinor_int.h"

typedef struct tw_prot_row {
	uint8_t sec, bp;  /* SEC and BP2..0 */
	uint32_t len_8m;  /* bytes protected on the 8 MiB part; 0xFFFFFFFF = all */
	bool scales;      /* portion of the size (SEC = 0) or fixed sectors (SEC = 1) */
} tw_prot_row;

#define ALL 0xFFFFFFFFU
static const tw_prot_row tw_prot_w64[] = {
	{0, 1, 128U << 10, true}, /* blocks 126-127, Upper 1/64 */
	{0, 2, 256U << 10, true}, /* 124-127, 1/32 */
	{0, 3, 512U << 10, true}, /* 120-127, 1/16 */
	{0, 4, 1U << 20, true},   /* 112-127, 1/8 */
	{0, 5, 2U << 20, true},   /* 96-127, 1/4 */
	{0, 6, 4U << 20, true},   /* 64-127, 1/2 */
	{0, 7, ALL, false},       /* X X 1 1 1: ALL */
	{1, 1, 4U << 10, false},  /* U - 1/2048 */
	{1, 2, 8U << 10, false},  /* U - 1/1024 */
	{1, 3, 16U << 10, false}, /* U - 1/512 */
	{1, 4, 32U << 10, false}, /* "1 0 X": U - 1/256 */
	{1, 5, 32U << 10, false},
	{1, 6, 32U << 10, false}, /* UNCONFIRMED row (reference §3): as flashrom decodes it */
	{1, 7, ALL, false},
};

/* The protected length (before CMP) of a Winbond/GD status word. */
static uint32_t tw_prot_len_winbond(const tw_spinor *c, unsigned sec, unsigned bp)
{
	for (size_t i = 0; i < sizeof tw_prot_w64 / sizeof tw_prot_w64[0]; i++) {
		const tw_prot_row *r = &tw_prot_w64[i];
		if (r->sec != sec || r->bp != bp)
			continue;
		if (r->len_8m == ALL)
			return c->p->size;
		return r->scales ? (uint32_t)((uint64_t)r->len_8m * c->p->size / (8U << 20))
				 : r->len_8m;
	}
	return 0; /* BP = 000: NONE */
}

static unsigned tw_bit(const tw_spinor *c, spinor_field f)
{
	int v = spinor_get(c->p, c->cur, f);
	return v > 0 ? 1U : 0U;
}

/* [start, end) protected by the status bits (WPS = 0). */
static void tw_prot_window(const tw_spinor *c, uint32_t *start, uint32_t *end)
{
	unsigned bp = tw_bit(c, SPINOR_BP0) | tw_bit(c, SPINOR_BP1) << 1 |
		      tw_bit(c, SPINOR_BP2) << 2 | tw_bit(c, SPINOR_BP3) << 3;
	bool bottom = tw_bit(c, SPINOR_TB);
	uint32_t len;
	if (c->p->prot == SPINOR_PROT_BP4_TB) {
		static const uint8_t blocks[8] = {0, 1, 2, 4, 8, 16, 32, 64}; /* MX64 table 2 */
		len = bp >= 8 ? c->p->size : blocks[bp] * SPINOR_BLOCK64;
	} else {
		len = tw_prot_len_winbond(c, tw_bit(c, SPINOR_SEC), bp);
	}
	if (tw_bit(c, SPINOR_CMP)) {
		len = c->p->size - len;
		bottom = !bottom;
	}
	*start = bottom ? 0 : c->p->size - len;
	*end = *start + len;
}

static bool tw_unit_locked(const tw_spinor *c, unsigned u)
{
	return (c->locks[u / 8] >> (u % 8)) & 1U;
}

bool tw_spinor_range_protected(const tw_spinor *c, uint32_t addr, uint32_t len)
{
	if (len == 0)
		return false;
	if ((c->p->flags & SPINOR_F_BLOCKLOCK) && tw_bit(c, SPINOR_WPS)) {
		/* W64 §6.5: WPS = 1 uses the individual block locks only */
		for (uint64_t a = addr; a < (uint64_t)addr + len; a += SPINOR_SECTOR)
			if (tw_unit_locked(c, spinor_lock_unit(c->p, (uint32_t)a)))
				return true;
		return false;
	}
	uint32_t s, e;
	tw_prot_window(c, &s, &e);
	return s < e && addr < e && (uint64_t)addr + len > s;
}

bool tw_spinor_protected(const tw_spinor *c, uint32_t addr)
{
	return tw_spinor_range_protected(c, addr, 1);
}

bool tw_spinor_unit_locked(const tw_spinor *c, unsigned unit)
{
	return unit < tw_spinor_lock_units(c) && tw_unit_locked(c, unit);
}

unsigned tw_spinor_lock_units(const tw_spinor *c)
{
	return (c->p->flags & SPINOR_F_BLOCKLOCK) ? spinor_lock_units(c->p) : 0;
}

/* W64 §7.1 "Status Register Protect" table; GD64 §6 adds the OTP mode (SRP1 = SRP0 = 1). */
bool tw_spinor_sr_locked(const tw_spinor *c)
{
	if (c->sr_otp)
		return true; /* One Time Program */
	if (tw_bit(c, SPINOR_SRL))
		return true; /* power-supply lock-down (or GD one-time program) */
	return tw_bit(c, SPINOR_SRP0) && !c->wp_high; /* hardware protected */
}

/* The protected addresses as one range when they are contiguous (WPS = 0 always is); with
 * block locks the first and last protected units bound it and *contiguous says so. */
void tw_spinor_protected_span(const tw_spinor *c, uint32_t *start, uint32_t *len, bool *contiguous)
{
	uint32_t first = UINT32_MAX, last = 0, count = 0;
	for (uint32_t a = 0; a < c->p->size; a += SPINOR_SECTOR)
		if (tw_spinor_range_protected(c, a, SPINOR_SECTOR)) {
			if (first == UINT32_MAX)
				first = a;
			last = a;
			count++;
		}
	if (first == UINT32_MAX) {
		*start = *len = 0;
		*contiguous = true;
		return;
	}
	*start = first;
	*len = last + SPINOR_SECTOR - first;
	*contiguous = count * SPINOR_SECTOR == *len;
}
