/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32L4/G0/G4 twin: memories, the flash controller (keys, program/erase with their error
 * rules, option bytes as programmed vs as loaded), read protection, ECC, the virtual clock and
 * power cuts. Sources: l4.h; every rule below names its section. RM0351 section numbers are
 * used for the three families where RM0444 (§3.x) and RM0440 (§5.x) say the same. */
#include <stdlib.h>
#include <string.h>

#include "stm32l4/l4.h"

/* ---------------------------------------------------------------- helpers */

static uint32_t l4_pages_per_bank(const tw_l4 *t)
{
	return t->v->flash_bytes / t->v->banks / t->v->page_bytes;
}

static uint32_t l4_bank_bytes(const tw_l4 *t)
{
	return t->v->flash_bytes / t->v->banks;
}

unsigned tw_l4_rdp_level(uint32_t optr)
{
	uint8_t rdp = optr & 0xFFU;
	/* RM0351 §3.5.1: 0xAA level 0, 0xCC level 2, any other value level 1 */
	return rdp == 0xAA ? 0 : rdp == 0xCC ? 2 : 1;
}

unsigned tw_l4_level(const tw_l4 *t)
{
	return tw_l4_rdp_level(t->loaded[0]);
}

int tw_l4_opt_index(const tw_l4 *t, const char *name)
{
	for (unsigned i = 0; i < t->v->nopt; i++)
		if (strcmp(t->v->opt[i].name, name) == 0)
			return (int)i;
	return -1;
}

unsigned tw_l4_nwrp(const tw_l4 *t)
{
	return t->v->o_wrp2a >= 0 ? 4 : 2;
}

unsigned tw_l4_npcrop(const tw_l4 *t)
{
	return t->v->o_pcrop2s >= 0 ? 2 : 1;
}

/* RM0351 §3.5.3: WRPxyR STRT and END are page numbers in the bank (END inclusive); the area is
 * unused when STRT > END. Areas 0, 1 = WRP1A, WRP1B (bank 1); 2, 3 = WRP2A, WRP2B (bank 2). */
bool tw_l4_wrp_area(const tw_l4 *t, const uint32_t *w, unsigned area, unsigned *bank,
		    unsigned *first, unsigned *last)
{
	const l4_variant *v = t->v;
	int idx[4] = {v->o_wrp1a, v->o_wrp1b, v->o_wrp2a, v->o_wrp2b};
	if (area >= 4 || idx[area] < 0)
		return false;
	uint32_t r = w[idx[area]];
	unsigned s = r & v->wrp_field, e = (r >> 16) & v->wrp_field;
	*bank = area / 2;
	*first = s;
	*last = e;
	return s <= e;
}

/* RM0351 §3.5.2 / RM0444 §3.5.2: PCROP STRT and END in units of 8 bytes (L4, G4) or 512 bytes
 * (G0) from the bank (L4) or flash (G0, G4) start, END inclusive. UNCONFIRMED (stm32-optr.md
 * §2): "unused when STRT > END" as for WRP. Area 0 = PCROP1 (G0: PCROP1A), 1 = PCROP2 (L4 bank
 * 2) or PCROP1B (G0). Returns the byte range from the flash base, clipped to the flash. */
bool tw_l4_pcrop_area(const tw_l4 *t, const uint32_t *w, unsigned area, uint32_t *off,
		      uint32_t *len)
{
	const l4_variant *v = t->v;
	int si = area == 0 ? v->o_pcrop1s : v->o_pcrop2s;
	int ei = area == 0 ? v->o_pcrop1e : v->o_pcrop2e;
	if (area > 1 || si < 0)
		return false;
	uint32_t s = w[si] & v->pcrop_field, e = w[ei] & v->pcrop_field;
	if (s > e)
		return false;
	uint32_t base = (v->kind == L4K_L4 && area == 1) ? l4_bank_bytes(t) : 0;
	uint64_t a = base + ((uint64_t)s << v->pcrop_shift);
	uint64_t b = base + (((uint64_t)e + 1) << v->pcrop_shift);
	if (a >= v->flash_bytes)
		return false;
	if (b > v->flash_bytes)
		b = v->flash_bytes;
	*off = (uint32_t)a;
	*len = (uint32_t)(b - a);
	return true;
}

/* PCROP_RDP: bit 31 of PCROP1ER (L4, G4) / PCROP1AER (G0). */
bool tw_l4_pcrop_rdp(const tw_l4 *t, const uint32_t *w)
{
	return (w[t->v->o_pcrop1e] >> 31) & 1U;
}

static bool l4_in_wrp(const tw_l4 *t, uint32_t off, uint32_t len)
{
	uint32_t bb = l4_bank_bytes(t), pb = t->v->page_bytes;
	for (unsigned a = 0; a < 4; a++) {
		unsigned bank, f, l;
		if (!tw_l4_wrp_area(t, t->loaded, a, &bank, &f, &l))
			continue;
		uint64_t lo = (uint64_t)bank * bb + (uint64_t)f * pb;
		uint64_t hi = (uint64_t)bank * bb + ((uint64_t)l + 1) * pb;
		if (hi > (uint64_t)(bank + 1) * bb)
			hi = (uint64_t)(bank + 1) * bb;
		if (off < hi && (uint64_t)off + len > lo)
			return true;
	}
	return false;
}

static bool l4_in_pcrop(const tw_l4 *t, const uint32_t *w, uint32_t off, uint32_t len)
{
	for (unsigned a = 0; a < tw_l4_npcrop(t); a++) {
		uint32_t po, pl;
		if (tw_l4_pcrop_area(t, w, a, &po, &pl) && off < po + pl && off + len > po)
			return true;
	}
	return false;
}

/* RM0351 §3.5.1 Table 19 (RM0444 §3.5.1, RM0440 §5.5.1): at level 1, main flash, the backup
 * registers and SRAM2 (L4) / CCM SRAM (G4) are inaccessible while a debugger is connected or
 * when booting from SRAM or the system bootloader; code booted from flash has full access. The
 * debugger connection is latched until the next power-on (§3.5.1 "debug feature connected";
 * ST: "apply a POR instead of a system reset" after setting RDP with a debugger attached). */
static bool l4_restricted(const tw_l4 *t, tw_initiator who)
{
	if (tw_l4_level(t) == 0)
		return false;
	return who != TW_INIT_USER || t->dbg_latch;
}

static void l4_err(tw_l4 *t, uint32_t bits)
{
	t->sr |= bits;
	/* RM0351 §3.7.5 OPERR: set when an operation fails, only if ERRIE = 1 */
	if ((t->cr & L4_CR_ERRIE) && (bits & L4_SR_PROG_ERRS))
		t->sr |= L4_SR_OPERR;
	t->dirty = true;
}

/* ---------------------------------------------------------------- life cycle */

static void l4_load_options(tw_l4 *t)
{
	/* RM0351 §3.4.2: at power-on and OBL_LAUNCH each option word is read with its complement;
	 * a mismatch sets OPTVERR (§3.7.5) and the word loads as all ones (UNCONFIRMED: the
	 * manual's "default secure values"; all ones = RDP 0xFF, level 1). */
	t->optverr = false;
	for (unsigned i = 0; i < t->v->nopt; i++) {
		if (t->ob_ok[i]) {
			t->loaded[i] = t->ob[i];
		} else {
			t->loaded[i] = 0xFFFFFFFFU;
			t->optverr = true;
		}
		t->reg[i] = t->loaded[i];
	}
}

void tw_l4_reload(tw_l4 *t)
{
	l4_load_options(t);
	t->dirty = true;
}

tw_l4 *tw_l4_new(const l4_variant *v)
{
	tw_l4 *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->v = v;
	t->flash = malloc(v->flash_bytes);
	t->ecc_bad = calloc(v->flash_bytes / 8, 1);
	t->sram = calloc(v->sram_bytes, 1);
	if (!t->flash || !t->ecc_bad || !t->sram) {
		tw_l4_free(t);
		return NULL;
	}
	memset(t->flash, 0xFF, v->flash_bytes);
	memset(t->otp, 0xFF, sizeof t->otp);
	for (unsigned i = 0; i < v->nopt; i++) {
		t->ob[i] = v->opt[i].factory;
		t->ob_ok[i] = 1;
	}
	t->powered = true;
	t->mv = 3300;
	tw_l4_power_on(t);
	t->dirty = true;
	return t;
}

void tw_l4_free(tw_l4 *t)
{
	if (!t)
		return;
	free(t->flash);
	free(t->ecc_bad);
	free(t->sram);
	free(t);
}

void tw_l4_set_ob(tw_l4 *t, unsigned i, uint32_t val)
{
	if (i >= t->v->nopt)
		return;
	t->ob[i] = val;
	t->ob_ok[i] = 1;
	l4_load_options(t);
	t->dirty = true;
}

/* ---------------------------------------------------------------- operations */

/* Fast programming: the row time spread over its 32 double words, each programmed as it arrives
 * (the high voltage stays on for the row, RM0351 §3.3.7). */
static uint64_t l4_row_dw_ns(const l4_variant *v)
{
	return v->t_row / L4_ROW_DW;
}

static void l4_start(tw_l4 *t, l4_op op, uint64_t dur, uint32_t off, uint32_t len)
{
	t->op = op;
	t->op_end = t->now + dur;
	t->op_addr = off;
	t->op_len = len;
	t->ops_done++;
	if (t->fault_op && t->ops_done >= t->fault_op) {
		/* the cut falls half-way through this operation */
		t->fault_op = 0;
		t->fault_ns = t->now + dur / 2 + 1;
	}
	t->dirty = true;
}

static void l4_erase_range(tw_l4 *t, uint32_t off, uint32_t len)
{
	memset(t->flash + off, 0xFF, len);
	memset(t->ecc_bad + off / 8, 0, len / 8);
}

/* An RDP 1 -> 0 regression (RM0351 §3.5.1 "Level 1 to level 0"; RM0444 §3.5.1 Table 18):
 * PCROP_RDP = 1 (or no PCROP area): the whole main flash is erased and the PCROP areas are
 * removed (PCROP_RDP is cleared with them: §3.7.10 "reset after a full mass erase due to a
 * change of RDP from level 1 to level 0"); PCROP_RDP = 0: only the pages that hold no PCROP data
 * are erased and every option word keeps its value. Either way the backup registers (RTC on
 * L4/G4, TAMP on G0) and SRAM2 / CCM SRAM are erased; the OTP area never is. */
static void l4_regression(tw_l4 *t, uint32_t *newob)
{
	const l4_variant *v = t->v;
	bool full = tw_l4_pcrop_rdp(t, t->loaded);
	if (!full) {
		bool any = false;
		for (unsigned a = 0; a < tw_l4_npcrop(t); a++) {
			uint32_t o, l;
			any |= tw_l4_pcrop_area(t, t->loaded, a, &o, &l);
		}
		full = !any;
	}
	if (full) {
		l4_erase_range(t, 0, v->flash_bytes);
		int pidx[4] = {v->o_pcrop1s, v->o_pcrop1e, v->o_pcrop2s, v->o_pcrop2e};
		for (unsigned k = 0; k < 4; k++)
			if (pidx[k] >= 0)
				newob[pidx[k]] = v->opt[pidx[k]].factory;
	} else {
		for (uint32_t p = 0; p < v->flash_bytes; p += v->page_bytes)
			if (!l4_in_pcrop(t, t->loaded, p, v->page_bytes))
				l4_erase_range(t, p, v->page_bytes);
	}
	memset(t->bkp, 0, sizeof t->bkp);
	memset(t->sram, 0, v->sram_bytes);
}

static void l4_finish(tw_l4 *t)
{
	switch (t->op) {
	case L4_OP_PROG: {
		uint8_t *p = t->flash + t->op_addr;
		for (unsigned i = 0; i < 4; i++) {
			p[i] = (uint8_t)(t->op_lo >> (8 * i));
			p[4 + i] = (uint8_t)(t->op_hi >> (8 * i));
		}
		t->ecc_bad[t->op_addr / 8] = 0;
		break;
	}
	case L4_OP_ROW:
		memcpy(t->flash + t->op_addr, t->row_buf, t->op_len);
		memset(t->ecc_bad + t->op_addr / 8, 0, t->op_len / 8);
		/* the last double word received is programmed and no other came in time: a row cut
		 * short stops with MISERR (RM0351 §3.3.7, §3.7.5); what was received stays */
		if (t->row_n < L4_ROW_DW * 2)
			t->sr |= L4_SR_MISERR | L4_SR_FASTERR;
		t->row_n = 0;
		break;
	case L4_OP_PAGE:
	case L4_OP_MASS:
		l4_erase_range(t, t->op_addr, t->op_len);
		break;
	case L4_OP_OPT: {
		uint32_t newob[L4_MAXOPT] = {0};
		for (unsigned i = 0; i < t->v->nopt; i++)
			newob[i] = t->reg[i];
		if (tw_l4_level(t) == 1 && (newob[0] & 0xFFU) == 0xAA)
			l4_regression(t, newob);
		for (unsigned i = 0; i < t->v->nopt; i++) {
			t->ob[i] = newob[i];
			t->ob_ok[i] = 1;
		}
		break;
	}
	case L4_OP_NONE:
		return;
	}
	t->op = L4_OP_NONE;
	/* RM0351 §3.7.5 EOP: set when an operation completes, only if EOPIE = 1 */
	if (t->cr & L4_CR_EOPIE)
		t->sr |= L4_SR_EOP;
	t->dirty = true;
}

/* A power cut (or reset) in the middle of an operation: what the cells hold is undefined; the
 * twin leaves the first half done and the double words it touched with a broken ECC
 * (UNCONFIRMED: the manual only says the result is not guaranteed, RM0351 §3.3.7 caution). */
static void l4_tear(tw_l4 *t)
{
	const l4_variant *v = t->v;
	switch (t->op) {
	case L4_OP_PROG: {
		uint8_t *p = t->flash + t->op_addr;
		for (unsigned i = 0; i < 4; i++)
			p[i] &= (uint8_t)(t->op_lo >> (8 * i));
		t->ecc_bad[t->op_addr / 8] = 1;
		break;
	}
	case L4_OP_ROW: {
		/* the double words received are programmed one after the other, the last one ending
		 * at op_end: those done before the cut hold their data, the one in progress is torn */
		uint64_t dwf = l4_row_dw_ns(v), left = t->op_end > t->now ? t->op_end - t->now : 0;
		uint32_t got = t->op_len / 8, pend = (uint32_t)((left + dwf - 1) / dwf);
		uint32_t done = pend < got ? got - pend : 0;
		memcpy(t->flash + t->op_addr, t->row_buf, done * 8U);
		if (done < got) {
			uint8_t *p = t->flash + t->op_addr + done * 8U;
			for (unsigned i = 0; i < 4; i++)
				p[i] &= t->row_buf[done * 8U + i];
			t->ecc_bad[(t->op_addr + done * 8U) / 8] = 1;
		}
		t->row_n = 0;
		break;
	}
	case L4_OP_PAGE:
	case L4_OP_MASS: {
		uint32_t half = t->op_len / 2;
		memset(t->flash + t->op_addr, 0xFF, half);
		memset(t->ecc_bad + t->op_addr / 8, 0, half / 8);
		/* the page where the erase stopped is neither erased nor intact */
		uint32_t pg = (t->op_addr + half) / v->page_bytes * v->page_bytes;
		if (pg < t->op_addr + t->op_len)
			memset(t->ecc_bad + pg / 8, 1, v->page_bytes / 8);
		break;
	}
	case L4_OP_OPT:
		/* RM0351 §3.4.2 caution: the option page was erased, not yet reprogrammed: every
		 * word and its complement read as erased, which the next load reports as a
		 * mismatch (OPTVERR) */
		for (unsigned i = 0; i < v->nopt; i++) {
			t->ob[i] = 0xFFFFFFFFU;
			t->ob_ok[i] = 0;
		}
		break;
	case L4_OP_NONE:
		break;
	}
	t->op = L4_OP_NONE;
	t->dirty = true;
}

bool tw_l4_busy(const tw_l4 *t)
{
	return t->op != L4_OP_NONE;
}

void tw_l4_advance(tw_l4 *t, uint64_t ns)
{
	if (!t->powered) {
		t->now += ns;
		return;
	}
	uint64_t end = t->now + ns;
	if (t->fault_ns && t->fault_ns <= end) {
		uint64_t at = t->fault_ns > t->now ? t->fault_ns : t->now;
		if (t->op != L4_OP_NONE && t->op_end <= at) {
			t->now = t->op_end;
			l4_finish(t);
		}
		t->now = at;
		t->fault_ns = 0;
		tw_l4_power_off(t);
		t->now = end;
		return;
	}
	t->now = end;
	if (t->op != L4_OP_NONE && t->op_end <= t->now)
		l4_finish(t);
}

static void l4_controller_reset(tw_l4 *t)
{
	if (t->op != L4_OP_NONE)
		l4_tear(t);
	t->cr = L4_CR_LOCK | L4_CR_OPTLOCK; /* RM0351 §3.7.6 reset value 0xC0000000 */
	t->sr = t->optverr ? L4_SR_OPTVERR : 0;
	t->eccr = 0;
	t->key_step = t->optkey_step = 0;
	t->keys_dead = false;
	t->pg_half = false;
	t->row_n = 0;
	t->dirty = true;
}

/* RM0351 §3.4.2: option bytes load at a power-on reset and at OBL_LAUNCH, not at a system reset
 * (the registers then show the loaded values again: UNCONFIRMED, the reset value "loaded from
 * the option bytes"). */
void tw_l4_reset(tw_l4 *t, tw_reset kind)
{
	t->resets++;
	if (kind == TW_RESET_POWER_ON) {
		tw_l4_power_off(t);
		tw_l4_power_on(t);
		return;
	}
	l4_controller_reset(t);
	for (unsigned i = 0; i < t->v->nopt; i++)
		t->reg[i] = t->loaded[i];
}

void tw_l4_power_off(tw_l4 *t)
{
	if (t->op != L4_OP_NONE)
		l4_tear(t);
	t->powered = false;
	t->dirty = true;
}

void tw_l4_power_on(tw_l4 *t)
{
	t->resets++;
	t->powered = true;
	l4_load_options(t);
	l4_controller_reset(t);
	t->dbg_latch = false;
	t->dhcsr = 0;
	t->dbgmcu_cr = 0;
	memset(t->sram, 0, t->v->sram_bytes);
	t->dirty = true;
}

void tw_l4_set_nrst(tw_l4 *t, bool asserted)
{
	bool was = t->nrst_low;
	t->nrst_low = asserted;
	if (was && !asserted)
		tw_l4_reset(t, TW_RESET_SYSTEM);
	else if (asserted && t->op != L4_OP_NONE)
		l4_tear(t);
}

void tw_l4_debug_attach(tw_l4 *t)
{
	if (!t->dbg_latch)
		t->dirty = true;
	t->dbg_latch = true;
}

/* ---------------------------------------------------------------- flash memory accesses */

/* RM0351 §3.3.3: a double word whose ECC cannot correct it (the twin: one torn by a power
 * cut) sets ECCR.ECCD with its address (ADDR_ECC: byte offset in the bank on L4/G4 with
 * BK_ECC, double-word offset on G0, RM0444 §3.7.5); the first failure is kept until ECCD is
 * cleared (UNCONFIRMED). The read returns the cells as they are (the core would also take an
 * NMI; a debugger sees the data). */
static void l4_ecc_check(tw_l4 *t, uint32_t off)
{
	if (!t->ecc_bad[off / 8] || (t->eccr & L4_ECCR_ECCD))
		return;
	uint32_t bb = l4_bank_bytes(t);
	uint32_t a;
	if (t->v->kind == L4K_G0)
		a = (off / 8) & 0x3FFFU;
	else
		a = ((off % bb) & 0x7FFF8U) | ((off / bb) ? (1U << 19) : 0);
	t->eccr = (t->eccr & ~0x000FFFFFU) | a | L4_ECCR_ECCD;
	t->dirty = true;
}

static void l4_program_dw(tw_l4 *t, uint32_t off, uint32_t lo, uint32_t hi)
{
	/* RM0351 §3.3.7: the double word must be erased unless all zeros are written (PROGERR
	 * otherwise, §3.7.5) */
	const uint8_t *p = t->flash + off;
	bool erased = true;
	for (unsigned i = 0; i < 8; i++)
		erased &= p[i] == 0xFF;
	if (!erased && (lo | hi) != 0) {
		l4_err(t, L4_SR_PROGERR);
		return;
	}
	t->op_lo = lo;
	t->op_hi = hi;
	l4_start(t, L4_OP_PROG, t->v->t_dw, off, 8);
}

static bool l4_sr_has_prog_err(const tw_l4 *t)
{
	return (t->sr & L4_SR_PROG_ERRS) != 0;
}

/* A fast-programming row stopped by an error: the double words already received are programmed
 * (as the finish would), the flag set, the row forgotten. */
static void l4_row_abort(tw_l4 *t, uint32_t err)
{
	if (t->op == L4_OP_ROW) {
		t->row_n = L4_ROW_DW * 2; /* no MISERR from the finish: this error instead */
		l4_finish(t);
	}
	t->row_n = 0;
	l4_err(t, err);
}

/* A 32-bit write into main flash while PG or FSTPG is set (RM0351 §3.3.7, error rules §3.3.8
 * and the SR bit descriptions §3.7.5). */
static void l4_flash_write(tw_l4 *t, uint32_t off, unsigned size, uint32_t val)
{
	bool pg = t->cr & L4_CR_PG, fst = t->cr & L4_CR_FSTPG;
	/* PGSERR: a write to flash with neither PG nor FSTPG set, with PG/FSTPG together with an
	 * erase bit, or while an error of a previous programming is still set */
	if ((!pg && !fst) || (pg && fst) ||
	    (t->cr & (L4_CR_PER | L4_CR_MER1 | L4_CR_MER2)) || l4_sr_has_prog_err(t)) {
		t->pg_half = false;
		l4_err(t, L4_SR_PGSERR);
		return;
	}
	/* SIZERR: only word accesses build a double word */
	if (size != 4) {
		t->pg_half = false;
		if (fst)
			l4_row_abort(t, L4_SR_SIZERR | L4_SR_FASTERR);
		else
			l4_err(t, L4_SR_SIZERR);
		return;
	}
	/* WRPERR: the address is in a WRP or PCROP area (§3.5.2, §3.5.3) */
	if (l4_in_wrp(t, off & ~7U, 8) || l4_in_pcrop(t, t->loaded, off & ~7U, 8)) {
		t->pg_half = false;
		if (fst)
			l4_row_abort(t, L4_SR_WRPERR | L4_SR_FASTERR);
		else
			l4_err(t, L4_SR_WRPERR);
		return;
	}
	if (pg) {
		if (!t->pg_half) {
			/* PGAERR: the first word of a double word must be its low word (UNCONFIRMED:
			 * the manual says the data must fit one double word) */
			if (off & 7U) {
				l4_err(t, L4_SR_PGAERR);
				return;
			}
			t->pg_half = true;
			t->pg_addr = off;
			t->pg_lo = val;
			t->dirty = true;
			return;
		}
		t->pg_half = false;
		/* PGAERR: the second word is not the other half of the same double word */
		if (off != t->pg_addr + 4) {
			l4_err(t, L4_SR_PGAERR);
			return;
		}
		l4_program_dw(t, t->pg_addr, t->pg_lo, val);
		return;
	}
	/* Fast programming (RM0351 §3.3.7 "Fast programming"): a row of 32 double words written
	 * word after word from the row start; leaving the row is PGAERR, FASTERR accompanies each.
	 * BSY is set when the first double word is in and the high voltage applied, and cleared
	 * when the last one is programmed (§3.3.7 note, quoted from memory: RM0351 text not at
	 * hand here): each double word is programmed as it arrives, and the next one must arrive
	 * before the previous one is programmed ("the maximum time between two double words is the
	 * programming time"), or the row stops with MISERR (l4_finish). UNCONFIRMED: that each
	 * double word takes t_row / 32 (the manual gives the limit "around 20 us", the datasheet
	 * only the row time). A double word over cells that are
	 * not erased: PROGERR (UNCONFIRMED flag; the manual's sequence starts from an erase). */
	uint32_t rb = L4_ROW_DW * 8;
	if (t->row_n == 0) {
		if (off % rb) {
			l4_err(t, L4_SR_PGAERR | L4_SR_FASTERR);
			return;
		}
		t->row_base = off;
	} else if (off != t->row_base + t->row_n * 4U) {
		l4_row_abort(t, L4_SR_PGAERR | L4_SR_FASTERR);
		return;
	}
	for (unsigned i = 0; i < 4; i++)
		t->row_buf[t->row_n * 4U + i] = (uint8_t)(val >> (8 * i));
	t->row_n++;
	t->row_last_ns = t->now; /* kept in the state file; the row's timing is op_end now */
	t->dirty = true;
	if (t->row_n & 1U)
		return; /* half a double word */
	uint32_t k = t->row_n / 2U - 1U, at = t->row_base + 8U * k;
	for (uint32_t i = 0; i < 8; i++)
		if (t->flash[at + i] != 0xFF) {
			l4_row_abort(t, L4_SR_PROGERR | L4_SR_FASTERR);
			return;
		}
	if (k == 0) {
		/* the whole row's time for the fault injection's half-way point, then the first
		 * double word's */
		l4_start(t, L4_OP_ROW, t->v->t_row, t->row_base, 8);
		t->op_end = t->now + l4_row_dw_ns(t->v);
		return;
	}
	t->op_end = (t->op_end > t->now ? t->op_end : t->now) + l4_row_dw_ns(t->v);
	t->op_len += 8;
}

/* ---------------------------------------------------------------- FLASH registers */

static void l4_start_erase(tw_l4 *t)
{
	const l4_variant *v = t->v;
	uint32_t cr = t->cr;
	bool per = cr & L4_CR_PER;
	unsigned mer = ((cr & L4_CR_MER1) ? 1U : 0U) | ((cr & L4_CR_MER2) ? 2U : 0U);
	if (v->banks == 1)
		mer &= 1U; /* MER2 is reserved on single-bank parts */
	/* PGSERR: STRT with no erase selected, with PER and MER together, with PG/FSTPG, or with
	 * a previous error still set (RM0351 §3.7.5) */
	if ((!per && !mer) || (per && mer) || (cr & (L4_CR_PG | L4_CR_FSTPG)) ||
	    l4_sr_has_prog_err(t)) {
		l4_err(t, L4_SR_PGSERR);
		return;
	}
	/* Table 19: no erase through a debugger/bootloader at level 1 (WRPERR, §3.7.5) */
	if (per) {
		unsigned pnb_mask = v->kind == L4K_G0 ? 0x3FFU : 0xFFU;
		unsigned pnb = (cr >> L4_CR_PNB_SHIFT) & pnb_mask;
		unsigned bank = (v->banks == 2 && (cr & L4_CR_BKER)) ? 1U : 0U;
		if (pnb >= l4_pages_per_bank(t)) {
			l4_err(t, L4_SR_PGSERR); /* UNCONFIRMED: a page that does not exist */
			return;
		}
		uint32_t off = bank * l4_bank_bytes(t) + pnb * v->page_bytes;
		if (l4_in_wrp(t, off, v->page_bytes) || l4_in_pcrop(t, t->loaded, off, v->page_bytes)) {
			l4_err(t, L4_SR_WRPERR);
			return;
		}
		l4_start(t, L4_OP_PAGE, v->t_page, off, v->page_bytes);
		return;
	}
	uint32_t off = (mer & 1U) ? 0 : l4_bank_bytes(t);
	uint32_t len = (mer == 3U) ? v->flash_bytes : l4_bank_bytes(t);
	/* RM0351 §3.3.6: a mass erase of a bank holding a WRP or PCROP page is not done (WRPERR) */
	if (l4_in_wrp(t, off, len) || l4_in_pcrop(t, t->loaded, off, len)) {
		l4_err(t, L4_SR_WRPERR);
		return;
	}
	t->op_mer = mer;
	l4_start(t, L4_OP_MASS, v->t_mass, off, len);
}

static void l4_start_options(tw_l4 *t)
{
	/* RM0351 §3.5.1: at level 2 the option bytes cannot be changed (WRPERR) */
	if (tw_l4_level(t) == 2) {
		l4_err(t, L4_SR_WRPERR);
		return;
	}
	if (l4_sr_has_prog_err(t)) {
		l4_err(t, L4_SR_PGSERR);
		return;
	}
	uint64_t dur = t->v->t_opt;
	if (tw_l4_level(t) == 1 && (t->reg[0] & 0xFFU) == 0xAA)
		dur += t->v->t_mass; /* the regression's erase (UNCONFIRMED duration) */
	l4_start(t, L4_OP_OPT, dur, 0, 0);
}

/* UNCONFIRMED: the erase regression happens while OPTSTRT runs (the option page is then
 * already 0xAA, so a power cut before the reload cannot leave level 0 with data); the manual
 * says the level changes at the next load. */

static void l4_cr_write(tw_l4 *t, uint32_t val)
{
	if (t->cr & L4_CR_LOCK) {
		/* RM0351 §3.7.6: locked, CR ignores writes (setting LOCK again is harmless) */
		return;
	}
	uint32_t keep = t->cr & (L4_CR_OPTLOCK | L4_CR_LOCK);
	uint32_t rw = 0x07FFFFFFU & ~(L4_CR_STRT | L4_CR_OPTSTRT);
	if (t->v->kind == L4K_G0)
		rw |= L4_CR_SEC_PROT;
	t->cr = (val & rw) | keep;
	/* PG cleared with half a double word written: the word is dropped (UNCONFIRMED flag:
	 * PGSERR, stm32-optr.md §7) */
	if (t->pg_half && !(t->cr & L4_CR_PG)) {
		t->pg_half = false;
		l4_err(t, L4_SR_PGSERR);
	}
	if (!(t->cr & L4_CR_FSTPG))
		t->row_n = 0;
	if (val & L4_CR_OPTLOCK)
		t->cr |= L4_CR_OPTLOCK; /* software may set it, only OPTKEYR clears it */
	if (val & L4_CR_LOCK)
		t->cr |= L4_CR_LOCK | L4_CR_OPTLOCK; /* RM0444 §3.7.5: LOCK also sets OPTLOCK */
	t->dirty = true;
	if (t->op != L4_OP_NONE)
		return; /* UNCONFIRMED: STRT/OPTSTRT while busy are ignored */
	if ((val & L4_CR_OBL_LAUNCH) && !(t->cr & L4_CR_OPTLOCK)) {
		/* RM0351 §3.7.6 OBL_LAUNCH: reload the option bytes, which resets the system */
		l4_load_options(t);
		tw_l4_reset(t, TW_RESET_SYSTEM);
		return;
	}
	if (val & L4_CR_STRT) {
		l4_start_erase(t);
		return;
	}
	if ((val & L4_CR_OPTSTRT) && !(t->cr & L4_CR_OPTLOCK))
		l4_start_options(t);
}

/* A wrong key (or order) locks the register until the next reset and answers with a bus error
 * (RM0351 §3.3.5, RM0444 §3.3.5). */
static tw_status l4_key_write(tw_l4 *t, bool opt, uint32_t val)
{
	if (t->keys_dead)
		return TW_BUS_ERROR;
	unsigned *step = opt ? &t->optkey_step : &t->key_step;
	uint32_t k1 = opt ? L4_OPTKEY1 : L4_KEY1, k2 = opt ? L4_OPTKEY2 : L4_KEY2;
	uint32_t bit = opt ? L4_CR_OPTLOCK : L4_CR_LOCK;
	if (opt && (t->cr & L4_CR_LOCK))
		return TW_OK; /* OPTLOCK clears only after LOCK (RM0444 §3.3.5): ignored */
	if (!(t->cr & bit))
		return TW_OK; /* already unlocked: UNCONFIRMED, ignored */
	if (*step == 0 && val == k1) {
		*step = 1;
		return TW_OK;
	}
	if (*step == 1 && val == k2) {
		*step = 0;
		t->cr &= ~bit;
		t->dirty = true;
		return TW_OK;
	}
	*step = 0;
	t->keys_dead = true;
	t->dirty = true;
	return TW_BUS_ERROR;
}

static void l4_opt_reg_write(tw_l4 *t, unsigned i, uint32_t val)
{
	if (t->cr & (L4_CR_LOCK | L4_CR_OPTLOCK))
		return; /* RM0351 §3.4.2: writable only once OPTLOCK is cleared */
	const l4_optword *w = &t->v->opt[i];
	uint32_t nv = (t->reg[i] & ~w->mask) | (val & w->mask);
	/* PCROP_RDP can only be set by software (RM0351 §3.7.10) */
	if ((int)i == t->v->o_pcrop1e && (t->loaded[i] & (1U << 31)))
		nv |= 1U << 31;
	t->reg[i] = nv;
	t->dirty = true;
}

static uint32_t l4_flash_reg_read(tw_l4 *t, uint32_t off)
{
	switch (off) {
	case L4R_ACR:
		return t->acr;
	case L4R_KEYR:
	case L4R_OPTKEYR:
	case L4R_PDKEYR:
		return 0;
	case L4R_SR: {
		uint32_t sr = t->sr | (t->optverr ? L4_SR_OPTVERR : 0);
		if (t->op != L4_OP_NONE)
			sr |= L4_SR_BSY;
		if (t->v->kind == L4K_G0 && (t->op != L4_OP_NONE || t->pg_half || t->row_n))
			sr |= L4_SR_CFGBSY;
		return sr;
	}
	case L4R_CR:
		return t->cr;
	case L4R_ECCR:
		return t->eccr;
	default:
		for (unsigned i = 0; i < t->v->nopt; i++)
			if (t->v->opt[i].reg == off)
				return t->reg[i];
		return 0;
	}
}

static tw_status l4_flash_reg_write(tw_l4 *t, uint32_t off, uint32_t val)
{
	switch (off) {
	case L4R_ACR:
		t->acr = val & 0x0007FF07U;
		return TW_OK;
	case L4R_KEYR:
		return l4_key_write(t, false, val);
	case L4R_OPTKEYR:
		return l4_key_write(t, true, val);
	case L4R_SR:
		t->sr &= ~(val & L4_SR_W1C);
		if (val & L4_SR_OPTVERR)
			t->optverr = false;
		t->dirty = true;
		return TW_OK;
	case L4R_CR:
		l4_cr_write(t, val);
		return TW_OK;
	case L4R_ECCR:
		t->eccr &= ~(val & (L4_ECCR_ECCC | L4_ECCR_ECCD));
		t->eccr = (t->eccr & ~(3U << 24)) | (val & (3U << 24));
		t->dirty = true;
		return TW_OK;
	default:
		for (unsigned i = 0; i < t->v->nopt; i++)
			if (t->v->opt[i].reg == off) {
				l4_opt_reg_write(t, i, val);
				return TW_OK;
			}
		return TW_OK;
	}
}

/* ---------------------------------------------------------------- the bus */

typedef enum l4_region {
	RG_NONE = 0,
	RG_FLASH,
	RG_SRAM,
	RG_SYSMEM,
	RG_OTP,
	RG_INFO,
	RG_OB,
	RG_FREG,
	RG_BKP,
	RG_DBGMCU,
	RG_SCS,
	RG_PERIPH, /* other peripherals: read as zero, writes ignored (not modelled) */
} l4_region;

static l4_region l4_region_of(const tw_l4 *t, uint32_t a, uint32_t *off)
{
	const l4_variant *v = t->v;
	if (a >= L4_FLASH_BASE && a - L4_FLASH_BASE < v->flash_bytes)
		return *off = a - L4_FLASH_BASE, RG_FLASH;
	if (a >= L4_SRAM_BASE && a - L4_SRAM_BASE < v->sram_bytes)
		return *off = a - L4_SRAM_BASE, RG_SRAM;
	if (a >= L4_SYSMEM && a < v->sysmem_end)
		return *off = a - L4_SYSMEM, RG_SYSMEM;
	if (a >= L4_OTP && a < L4_OTP + L4_OTP_BYTES)
		return *off = a - L4_OTP, RG_OTP;
	if (a >= 0x1FFF7400U && a < 0x1FFF7800U)
		return *off = a, RG_INFO;
	if ((a >= L4_OB1 && a < L4_OB1 + 0x80U) || (v->banks == 2 && a >= L4_OB2 && a < L4_OB2 + 0x30U))
		return *off = a, RG_OB;
	if (a >= L4_FLASH_REGS && a < L4_FLASH_REGS + 0x400U)
		return *off = a - L4_FLASH_REGS, RG_FREG;
	uint32_t bkp = v->kind == L4K_G0 ? L4_TAMP_BKP_G0 : L4_RTC_BKP_L4;
	if (a >= bkp && a < bkp + 4U * v->nbkp)
		return *off = a - bkp, RG_BKP;
	if (a >= v->dbgmcu && a < v->dbgmcu + 0x20U)
		return *off = a - v->dbgmcu, RG_DBGMCU;
	if (a >= 0xE000E000U && a < 0xE000F000U)
		return *off = a - 0xE000E000U, RG_SCS;
	if ((a >= 0x40000000U && a < 0x60000000U) || (a >= 0xE0000000U && a < 0xE0100000U))
		return *off = a, RG_PERIPH;
	return RG_NONE;
}

static uint8_t l4_info_byte(const tw_l4 *t, uint32_t a)
{
	/* CMSIS: package at 0x1FFF7500, UID at 0x1FFF7590 (96 bits), flash size in KiB at
	 * 0x1FFF75E0. The UID bytes are the twin's own (derived from the DEV_ID). */
	if (a >= L4_FSIZE && a < L4_FSIZE + 2)
		return (uint8_t)((t->v->flash_bytes / 1024U) >> (8 * (a - L4_FSIZE)));
	if (a >= L4_UID && a < L4_UID + 12)
		return (uint8_t)(0x30U + (a - L4_UID) + (t->v->dev_id & 0xFU));
	if (a == L4_PACKAGE)
		return 0x03; /* LQFP64 (RM0351 §48.2: PKG[4:0] 0b00011: UNCONFIRMED per part) */
	return 0xFF;
}

static uint32_t l4_ob_word(const tw_l4 *t, uint32_t a)
{
	uint32_t base = a & ~7U;
	for (unsigned i = 0; i < t->v->nopt; i++)
		if (t->v->opt[i].mem == base) {
			if (!t->ob_ok[i])
				return 0xFFFFFFFFU; /* erased by a torn option operation */
			return (a & 4U) ? ~t->ob[i] : t->ob[i];
		}
	return (a & 4U) ? 0 : 0xFFFFFFFFU; /* UNCONFIRMED: unused slots */
}

static uint32_t l4_scs_read(const tw_l4 *t, uint32_t off)
{
	switch (off) {
	case 0xD00: /* CPUID (ARMv7-M §B3.2.3; ARMv6-M §B3.2.2) */
		return t->v->cpuid;
	case 0xDF0: { /* DHCSR: S_REGRDY always, S_HALT while halted (ARMv7-M §C1.6.2) */
		uint32_t d = (t->dhcsr & 0xFU) | (1U << 16);
		if ((t->dhcsr & 3U) == 3U)
			d |= 1U << 17;
		return d;
	}
	default:
		return 0;
	}
}

static void l4_scs_write(tw_l4 *t, uint32_t off, uint32_t val)
{
	if (off == 0xDF0 && (val >> 16) == 0xA05FU) {
		t->dhcsr = val & 0xFU;
		return;
	}
	if (off == 0xD0C && (val >> 16) == 0x05FAU && (val & (1U << 2)))
		tw_l4_reset(t, TW_RESET_SYSTEM); /* AIRCR.SYSRESETREQ */
}

static bool l4_flash_stalls(const tw_l4 *t, l4_region r)
{
	/* RM0351 §3.3.5: a flash access while an operation runs stalls the bus */
	return (r == RG_FLASH || r == RG_OB) && t->op != L4_OP_NONE;
}

/* A fast-programming row still receiving: its next words are taken while BSY is set (RM0351
 * §3.3.7 note: BSY is set from the first double word until the last one is programmed). */
static bool l4_row_receiving(const tw_l4 *t)
{
	return t->op == L4_OP_ROW && (t->cr & L4_CR_FSTPG) && t->row_n > 0 &&
	       t->row_n < L4_ROW_DW * 2;
}

static tw_status l4_gate(tw_l4 *t, tw_initiator who)
{
	if (!t->powered)
		return TW_POWER_OFF;
	if (who == TW_INIT_DEBUG)
		tw_l4_debug_attach(t);
	return TW_OK;
}

tw_status tw_l4_read(tw_l4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t *val)
{
	*val = 0;
	tw_status st = l4_gate(t, who);
	if (st != TW_OK)
		return st;
	if ((size != 1 && size != 2 && size != 4) || (addr & (size - 1)))
		return TW_BUS_ERROR;
	uint32_t off;
	l4_region r = l4_region_of(t, addr, &off);
	if (r == RG_NONE)
		return TW_BUS_ERROR;
	if (l4_flash_stalls(t, r))
		return TW_STALL;
	if ((r == RG_FLASH || r == RG_BKP) && l4_restricted(t, who))
		return TW_BUS_ERROR;
	switch (r) {
	case RG_FLASH:
		/* RM0351 §3.5.2: a D-bus read of a PCROP area sets RDERR; UNCONFIRMED: the data
		 * reads as zero, no bus error (as the twin's F4) */
		if (l4_in_pcrop(t, t->loaded, off, size)) {
			t->sr |= L4_SR_RDERR;
			t->dirty = true;
			return TW_OK;
		}
		l4_ecc_check(t, off);
		for (unsigned i = 0; i < size; i++)
			*val |= (uint32_t)t->flash[off + i] << (8 * i);
		return TW_OK;
	case RG_SRAM:
		for (unsigned i = 0; i < size; i++)
			*val |= (uint32_t)t->sram[off + i] << (8 * i);
		return TW_OK;
	case RG_OTP:
		for (unsigned i = 0; i < size; i++)
			*val |= (uint32_t)t->otp[off + i] << (8 * i);
		return TW_OK;
	case RG_SYSMEM:
		return TW_OK; /* the ROM's code is not modelled: reads as zero */
	case RG_INFO:
		for (unsigned i = 0; i < size; i++)
			*val |= (uint32_t)l4_info_byte(t, off + i) << (8 * i);
		return TW_OK;
	case RG_OB: {
		uint32_t w = l4_ob_word(t, off & ~3U);
		*val = (w >> (8 * (off & 3U))) & (size == 4 ? 0xFFFFFFFFU : (1U << (8 * size)) - 1U);
		return TW_OK;
	}
	case RG_FREG: {
		uint32_t w = l4_flash_reg_read(t, off & ~3U);
		*val = (w >> (8 * (off & 3U))) & (size == 4 ? 0xFFFFFFFFU : (1U << (8 * size)) - 1U);
		return TW_OK;
	}
	case RG_BKP:
		*val = size == 4 ? t->bkp[off / 4] : 0;
		return TW_OK;
	case RG_DBGMCU:
		if (off == 0)
			*val = (uint32_t)t->v->rev_id << 16 | t->v->dev_id;
		else if (off == 4)
			*val = t->dbgmcu_cr;
		return TW_OK;
	case RG_SCS:
		*val = l4_scs_read(t, off & ~3U);
		return TW_OK;
	case RG_PERIPH:
	case RG_NONE:
		return TW_OK;
	}
	return TW_OK;
}

tw_status tw_l4_write(tw_l4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val)
{
	tw_status st = l4_gate(t, who);
	if (st != TW_OK)
		return st;
	if ((size != 1 && size != 2 && size != 4) || (addr & (size - 1)))
		return TW_BUS_ERROR;
	uint32_t off;
	l4_region r = l4_region_of(t, addr, &off);
	if (r == RG_NONE)
		return TW_BUS_ERROR;
	if (l4_flash_stalls(t, r) && !(r == RG_FLASH && l4_row_receiving(t)))
		return TW_STALL;
	if ((r == RG_FLASH || r == RG_BKP) && l4_restricted(t, who))
		return TW_BUS_ERROR;
	switch (r) {
	case RG_FLASH:
		l4_flash_write(t, off, size, val);
		return TW_OK;
	case RG_SRAM:
		for (unsigned i = 0; i < size; i++)
			t->sram[off + i] = (uint8_t)(val >> (8 * i));
		return TW_OK;
	case RG_OTP:
		/* OTP is programmed as main flash, by double words (RM0351 §3.3.1): not modelled
		 * through the bus yet; UNCONFIRMED: writes are ignored */
		return TW_OK;
	case RG_FREG:
		if (size != 4)
			return TW_OK; /* UNCONFIRMED: sub-word register writes ignored */
		return l4_flash_reg_write(t, off, val);
	case RG_BKP:
		if (size == 4) {
			t->bkp[off / 4] = val;
			t->dirty = true;
		}
		return TW_OK;
	case RG_DBGMCU:
		if (off == 4 && size == 4)
			t->dbgmcu_cr = val;
		return TW_OK;
	case RG_SCS:
		if (size == 4)
			l4_scs_write(t, off, val);
		return TW_OK;
	case RG_SYSMEM:
	case RG_INFO:
	case RG_OB:
	case RG_PERIPH:
	case RG_NONE:
		return TW_OK;
	}
	return TW_OK;
}
