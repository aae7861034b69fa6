/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 twin: the option bytes at 0x1FFFF800 (value/complement half-words), their
 * loading into FLASH_OBR/FLASH_WRPR, programming and erase, read protection levels and the
 * write protection of page groups.
 *
 * Sources: PM0075 Rev 2 §2.4.1 (read protection: RDP 0xA5 unprotects, any other value
 * protects; "the unprotection first forces a mass erase of the main flash"), §2.4.2 (write
 * protection by WRPx bits, 4 pages per bit medium density, 2 high density, WRP3 bit 7 the rest),
 * §2.5 (option bytes and complements: "when the option bytes are loaded, if a mismatch occurs
 * OPTERR is set and the option byte is forced to 0xFF"; loaded at reset), §2.5.1-2.5.2 (OPTPG
 * half-word programming, OPTER erases the whole block), §3.7 (OBR: OPTERR bit 0, RDPRT bit 1,
 * USER [9:2], Data0 [17:10], Data1 [25:18]); RM0091 Rev 10 §3.3 Table 11 and §3.3.1 Table 9
 * (F0: RDP 0xAA level 0, 0xCC level 2, else level 1; level 2 "irreversible", option bytes no
 * longer changeable; programming 0xAA at level 1 mass-erases the main flash), §3.5.8 (OBR:
 * RDPRT [2:1], USER [15:8], Data0 [23:16], Data1 [31:24]); RM0316 §4.3-4.5 (F3, as F0; a
 * complement check is skipped when value and complement are both 0xFF); stm32-fpec.md §2-§4. */
#include <string.h>

#include "stm32f1/f1_int.h"

unsigned f1_rdp_level(const tw_f1 *t, uint8_t rdp)
{
	if (t->v->family == TW_F1_FAMILY_F1)
		return rdp == F1_RDP_L0_F1 ? 0 : 1;
	return rdp == F1_RDP_L0_F03 ? 0 : rdp == F1_RDP_L2_F03 ? 2 : 1;
}

bool f1_is_level0(const tw_f1 *t, uint8_t rdp)
{
	return f1_rdp_level(t, rdp) == 0;
}

/* One option: its value if the complement matches (or both bytes are erased), else 0xFF and
 * OPTERR. */
static uint8_t f1_option(const tw_f1 *t, unsigned i, bool *err)
{
	uint8_t v = t->ob[2 * i], c = t->ob[2 * i + 1];
	if ((uint8_t)(v ^ c) == 0xFFU || (v == 0xFFU && c == 0xFFU))
		return v;
	*err = true;
	return 0xFF;
}

/* The option-byte loader (PM0075 §2.5; RM0091 §3.3): OBR and WRPR from the stored bytes. */
void f1_options_load(tw_f1 *t)
{
	bool err = false;
	uint8_t o[8];
	for (unsigned i = 0; i < 8; i++)
		o[i] = f1_option(t, i, &err);
	t->rdp_eff = o[0];
	uint32_t obr = err ? F1_OBR_OPTERR : 0U;
	if (t->v->family == TW_F1_FAMILY_F1) {
		obr |= f1_rdp_level(t, o[0]) ? 2U : 0U;
		obr |= (uint32_t)o[1] << 2 | (uint32_t)o[2] << 10 | (uint32_t)o[3] << 18;
	} else {
		unsigned lvl = f1_rdp_level(t, o[0]);
		obr |= lvl == 2 ? 6U : lvl == 1 ? 2U : 0U;
		obr |= (uint32_t)o[1] << 8 | (uint32_t)o[2] << 16 | (uint32_t)o[3] << 24;
	}
	t->obr = obr;
	uint32_t wrpr = (uint32_t)o[4] | (uint32_t)o[5] << 8 | (uint32_t)o[6] << 16 |
			(uint32_t)o[7] << 24;
	/* UNCONFIRMED: WRPR bits of absent WRPx bytes (WRP2/3 on F030x8) read as 1 */
	if (t->v->wrp_bits < 32)
		wrpr |= ~((1U << t->v->wrp_bits) - 1U);
	t->wrpr = wrpr;
	t->dirty = true;
}

/* PM0075 §2.4.2: bit i covers wrp_pages pages; the last bit covers every remaining page. */
bool f1_page_wrp(const tw_f1 *t, unsigned page)
{
	unsigned bit = page / t->v->wrp_pages;
	if (bit > t->v->wrp_bits - 1)
		bit = t->v->wrp_bits - 1;
	return !((t->wrpr >> bit) & 1U);
}

static void f1_opt_error(tw_f1 *t, uint32_t flag)
{
	t->sr |= flag;
	t->dirty = true;
}

/* RM0091 §3.3.1 / RM0316 §4.3.1: at level 2 the option bytes can no longer be erased or
 * programmed (WRPRTERR, stm32-fpec.md §2 table). */
static bool f1_options_frozen(const tw_f1 *t)
{
	return f1_rdp_level(t, t->rdp_eff) == 2;
}

/* PM0075 §2.5.1: with OPTWRE and OPTPG set, a half-word write to an option address programs
 * it. The model stores the value byte and its computed complement, whatever high byte was
 * written (UNCONFIRMED, stm32-fpec.md §2: OpenOCD writes 0x00VV, Black Magic the full pair;
 * both work on silicon). UNCONFIRMED also: writes without OPTPG, byte/word writes (bus error),
 * without OPTWRE (PGERR), onto a non-erased option (PGERR, as main flash). */
tw_status f1_options_write(tw_f1 *t, tw_initiator who, uint32_t off, unsigned size,
			   uint32_t val)
{
	(void)who; /* PM0075 §2.4.1 / RM0091 Table 10: options stay programmable at level 1 */
	if (t->op.kind != F1_OP_NONE)
		return TW_STALL;
	if (!(t->cr & F1_CR_OPTPG) || size != 2)
		return TW_BUS_ERROR;
	if (!(t->cr & F1_CR_OPTWRE)) {
		f1_opt_error(t, F1_SR_PGERR);
		return TW_OK;
	}
	if (f1_options_frozen(t)) {
		f1_opt_error(t, F1_SR_WRPRTERR);
		return TW_OK;
	}
	if (t->ob[off] != 0xFFU || t->ob[off + 1] != 0xFFU) {
		f1_opt_error(t, F1_SR_PGERR);
		return TW_OK;
	}
	uint8_t v = (uint8_t)val;
	/* PM0075 §2.4.1 / RM0091 §3.3.1: writing the level-0 code while level 1 is in force
	 * mass-erases the main flash first (before the reload that makes level 0 effective) */
	bool regress = off == 0 && f1_is_level0(t, v) && !f1_is_level0(t, t->rdp_eff);
	uint64_t erase = regress ? tw_f1_mass_erase_ns(t) : 0;
	t->op = (f1_op){.off = off, .data = v, .regress = regress, .erase_ns = erase};
	f1_start_op(t, F1_OP_OPT_PROGRAM, erase + tw_f1_prog_ns(t));
	return TW_OK;
}

/* PM0075 §2.5.2: OPTER + STRT erases the whole option block. UNCONFIRMED: it takes a page
 * erase time; without OPTWRE it is refused with PGERR. */
void f1_options_erase_start(tw_f1 *t)
{
	if (!(t->cr & F1_CR_OPTWRE)) {
		f1_opt_error(t, F1_SR_PGERR);
		return;
	}
	if (f1_options_frozen(t)) {
		f1_opt_error(t, F1_SR_WRPRTERR);
		return;
	}
	t->op = (f1_op){.off = 0};
	f1_start_op(t, F1_OP_OPT_ERASE, tw_f1_page_erase_ns(t));
}

/* Completion (fraction 1) or a cut. A torn option erase leaves every byte partly erased; a torn option program leaves the value byte written and its complement
 * still erased: either reads back as OPTERR at the next load (the field reports of "torn
 * option bytes"; the exact cell behaviour is UNCONFIRMED). A regression cut during its mass
 * erase leaves part of the flash erased and RDP unprogrammed. */
void f1_options_finish(tw_f1 *t, double fraction)
{
	f1_op *op = &t->op;
	if (op->kind == F1_OP_OPT_ERASE) {
		/* cells erase gradually: cut at fraction f, the low bits of every byte are
		 * already 1 (at least one, never all), so no written pair keeps its complement */
		unsigned bits = fraction >= 1.0 ? 8U : (unsigned)(8.0 * fraction);
		bits = fraction >= 1.0 ? 8U : bits < 1U ? 1U : bits > 7U ? 7U : bits;
		uint8_t m = (uint8_t)((1U << bits) - 1U);
		for (unsigned i = 0; i < F1_OB_SIZE; i++)
			t->ob[i] |= m;
		t->dirty = true;
		return;
	}
	uint64_t span = op->end_ns - op->start_ns;
	double erase_share = span ? (double)op->erase_ns / (double)span : 0.0;
	uint32_t fbytes = tw_f1_variant_flash_bytes(t->v);
	if (op->regress) {
		double f = erase_share > 0 && fraction < erase_share ? fraction / erase_share : 1.0;
		memset(t->flash, 0xFF, (size_t)((double)fbytes * f));
		if (f < 1.0)
			return;
	}
	t->ob[op->off] = (uint8_t)op->data;
	if (fraction >= 1.0)
		t->ob[op->off + 1] = (uint8_t)~op->data;
	t->dirty = true;
}

/* ---- inspection and creation ---- */

unsigned tw_f1_rdp_level(const tw_f1 *t) { return f1_rdp_level(t, t->rdp_eff); }
uint8_t tw_f1_rdp_byte(const tw_f1 *t) { return t->rdp_eff; }
bool tw_f1_opterr(const tw_f1 *t) { return (t->obr & F1_OBR_OPTERR) != 0; }
uint32_t tw_f1_wrpr(const tw_f1 *t) { return t->wrpr; }

void tw_f1_option_bytes(const tw_f1 *t, uint8_t out[16])
{
	memcpy(out, t->ob, F1_OB_SIZE);
}

void tw_f1_set_options(tw_f1 *t, uint8_t rdp, uint8_t user, uint8_t data0, uint8_t data1,
		       uint32_t wrp)
{
	uint8_t v[8] = {rdp, user, data0, data1, (uint8_t)wrp, (uint8_t)(wrp >> 8),
			(uint8_t)(wrp >> 16), (uint8_t)(wrp >> 24)};
	for (unsigned i = 0; i < 8; i++) {
		t->ob[2 * i] = v[i];
		t->ob[2 * i + 1] = (uint8_t)~v[i];
	}
	f1_options_load(t);
	t->boot_eff = f1_rdp_level(t, t->rdp_eff) == 2 ? TW_BOOT_FLASH : t->boot_pins;
}
