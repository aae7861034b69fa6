/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 twin: the flash interface registers (FLASH_ACR, KEYR, OPTKEYR, SR, CR, OPTCR, OPTCR1),
 * programming and erase, and the completion or interruption of an operation.
 *
 * Sources: RM0090 Rev 21 §3.5.1 (ACR), §3.6.1 (unlocking: "any wrong sequence returns a bus
 * error and locks up FLASH_CR until the next reset"), §3.6.2 (parallelism, PSIZE), §3.6.3
 * (erase), §3.6.4 (programming; bits only go 1->0, no "not erased" error on F4), §3.6.6 (error
 * flags, EOP/OPERR gated by EOPIE/ERRIE), §3.7.2 (option unlock, OPTSTRT), §3.7.4 (WRPERR
 * triggers), §3.8 (OTP lock bytes), §3.9.1-3.9.11 (register layouts and reset values);
 * ../shared/reference/stm32.md §1.1-§1.4, §2.1, §5.1. */
#include <string.h>

#include "stm32f4/f4_int.h"

#define F4_SR_W1C (F4_SR_EOP | F4_SR_OPERR | F4_SR_WRPERR | F4_SR_PGAERR | F4_SR_PGPERR | \
		   F4_SR_PGSERR | F4_SR_RDERR)

void f4_flash_reset(tw_f4 *t)
{
	t->acr = 0;
	t->sr = 0;
	t->cr = F4_CR_LOCK;
	/* RM0090 §3.9.10: OPTCR is loaded from the option bytes at reset release, OPTLOCK set */
	t->optcr = t->ob[0] | F4_OPTCR_OPTLOCK;
	t->optcr1 = (t->v->features & F4_FEAT_OPTCR1) ? t->ob[1] : 0;
	t->key_stage = t->optkey_stage = 0;
	t->cr_lockout = t->opt_lockout = false;
	t->x64_pending = false;
	t->wdg_ns = 0;
}

/* RM0090 §3.9.5: OPERR is set with any error only when ERRIE=1; RDERR exists only where the
 * variant has PCROP read errors (CMSIS: absent on F405/407). */
void f4_set_error(tw_f4 *t, uint32_t flag)
{
	if (flag == F4_SR_RDERR && !(t->v->features & F4_FEAT_RDERR))
		return;
	t->sr |= flag;
	if (t->cr & F4_CR_ERRIE)
		t->sr |= F4_SR_OPERR;
	t->dirty = true;
}

uint32_t tw_f4_reg(const tw_f4 *t, uint32_t addr)
{
	switch (addr) {
	case F4_FLASH_ACR: return t->acr;
	case F4_FLASH_SR: return t->sr | (t->op.kind != F4_OP_NONE ? F4_SR_BSY : 0U);
	case F4_FLASH_CR: return t->cr;
	case F4_FLASH_OPTCR:
		return t->optcr | (t->op.kind == F4_OP_OPTIONS ? F4_OPTCR_OPTSTRT : 0U);
	case F4_FLASH_OPTCR1: return t->optcr1;
	default: return 0; /* KEYR/OPTKEYR are write-only and read as 0 */
	}
}

tw_status f4_reg_read(tw_f4 *t, uint32_t addr, unsigned size, uint32_t *val)
{
	uint32_t w = tw_f4_reg(t, addr & ~3U);
	w >>= 8 * (addr & 3U);
	*val = size == 4 ? w : w & ((1U << (8 * size)) - 1U);
	return TW_OK;
}

/* Byte and half-word writes replace only their byte lanes (RM0090 §3.9: ACR, SR, CR, OPTCR,
 * OPTCR1 accept byte, half-word and word access). */
static uint32_t f4_lanes(uint32_t addr, unsigned size)
{
	uint32_t m = size == 4 ? 0xFFFFFFFFU : (1U << (8 * size)) - 1U;
	return m << (8 * (addr & 3U));
}

static uint32_t f4_merge(uint32_t old, uint32_t addr, unsigned size, uint32_t val)
{
	uint32_t lanes = f4_lanes(addr, size);
	return (old & ~lanes) | ((val << (8 * (addr & 3U))) & lanes);
}

/* RM0090 §3.6.1 (FLASH_KEYR) and §3.7.2 (FLASH_OPTKEYR): KEY1 then KEY2 unlocks. A wrong
 * sequence (UNCONFIRMED: including a key write while already unlocked, and a byte/half-word
 * write to the word-only key register) keeps the lock until the next reset. Only for FLASH_KEYR
 * does the manual add a bus error (§3.6.1: "any wrong sequence returns a bus error and locks up
 * the FLASH_CR register until the next reset"); for FLASH_OPTKEYR §3.9.9 says only that OPTLOCK
 * "remains set until the next reset": the write completes without a bus error (UNCONFIRMED
 * either way; the manual's text is followed). */
static tw_status f4_key_write(tw_f4 *t, bool opt, unsigned size, uint32_t val)
{
	uint8_t *stage = opt ? &t->optkey_stage : &t->key_stage;
	bool *lockout = opt ? &t->opt_lockout : &t->cr_lockout;
	bool locked = opt ? (t->optcr & F4_OPTCR_OPTLOCK) : (t->cr & F4_CR_LOCK);
	uint32_t k1 = opt ? F4_OPTKEY1 : F4_KEY1, k2 = opt ? F4_OPTKEY2 : F4_KEY2;
	if (!locked && !*lockout && t->lenient_keys)
		return TW_OK; /* stm32.md §1.2: configurable; the default treats it as wrong */
	if (!*lockout && locked && size == 4 && val == (*stage ? k2 : k1)) {
		if (++*stage < 2)
			return TW_OK;
		*stage = 0;
		if (opt)
			t->optcr &= ~F4_OPTCR_OPTLOCK;
		else
			t->cr &= ~F4_CR_LOCK;
		return TW_OK;
	}
	*stage = 0;
	*lockout = true;
	if (opt)
		t->optcr |= F4_OPTCR_OPTLOCK;
	else
		t->cr |= F4_CR_LOCK;
	return opt ? TW_OK : TW_BUS_ERROR;
}

static void f4_start_op(tw_f4 *t, f4_op_kind kind, uint64_t ns)
{
	t->op.kind = kind;
	t->op.start_ns = t->now_ns;
	t->op.end_ns = t->now_ns + (ns ? ns : 1);
	/* §3.6.2: "any program or erase operation started with inconsistent program
	 * parallelism/voltage range settings may lead to unpredicted results"; UNCONFIRMED what
	 * exactly: modelled as the operation ending normally, reading back as written, and the
	 * cells losing the value later (f4_op_finish, f4_weak). */
	t->op.weak = !f4_psize_supported(t);
	f4_count_op(t);
}

static bool f4_bank_protected(const tw_f4 *t, unsigned bank)
{
	f4_sector s[32];
	unsigned n = f4_sectors(t, s, 32);
	for (unsigned i = 0; i < n; i++)
		if (s[i].bank == bank && f4_sector_wrp(t, s[i].num))
			return true;
	return false;
}

static uint32_t f4_mer_banks(const tw_f4 *t)
{
	bool dual = f4_dual_bank(t);
	uint32_t mask = (t->cr & F4_CR_MER) ? 1U : 0U;
	if ((t->cr & F4_CR_MER1) && (t->v->features & F4_FEAT_DUALBANK) && dual)
		mask |= 2U;
	return mask;
}

static void f4_start_mass_erase(tw_f4 *t, uint32_t banks)
{
	uint32_t bytes = 0, total = tw_f4_variant_flash_bytes(t->v);
	for (unsigned b = 0; b < 2; b++) {
		if (!((banks >> b) & 1U))
			continue;
		if (f4_bank_protected(t, b)) { /* RM0090 §3.7.4: any nWRPi=0 forbids mass erase */
			f4_set_error(t, F4_SR_WRPERR);
			return;
		}
		bytes += f4_dual_bank(t) ? total / 2 : total;
	}
	t->op = (f4_op){.erase_mask = banks, .len = bytes};
	f4_start_op(t, F4_OP_ERASE, f4_mass_erase_ns(t, bytes));
	t->cr |= F4_CR_STRT;
}

static void f4_start_sector_erase(tw_f4 *t)
{
	unsigned snb = (t->cr & t->v->snb_mask) >> F4_CR_SNB_SHIFT;
	f4_sector s;
	if (!f4_sector_by_snb(t, snb, &s)) {
		/* RM0090 §3.9.10 (DB1M note): with DB1M=1, the "default" numbers 8-11 do nothing */
		if (f4_dual_bank(t) && t->v->flash_kib == 1024 && snb >= 8 && snb <= 11)
			return;
		f4_set_error(t, F4_SR_WRPERR); /* §3.7.4: invalid sector number */
		return;
	}
	if (f4_sector_wrp(t, s.num)) {
		f4_set_error(t, F4_SR_WRPERR);
		return;
	}
	t->op = (f4_op){.addr = s.start, .len = s.size};
	f4_start_op(t, F4_OP_ERASE, f4_erase_ns(t, s.size));
	t->cr |= F4_CR_STRT;
}

/* RM0090 §3.6.3 and §3.7.4: STRT with SER or MER/MER1. */
static void f4_erase_start(tw_f4 *t, tw_initiator who)
{
	t->cr &= ~F4_CR_STRT;
	bool mer = t->cr & (F4_CR_MER | F4_CR_MER1), ser = t->cr & F4_CR_SER;
	if (!mer && !ser)
		return; /* UNCONFIRMED: STRT alone starts nothing and flags nothing */
	if (f4_restricted(t, who) || (mer && ser)) {
		/* §3.7.4 lists "MER and SER both set" as a WRPERR trigger (Rev 21 §3.6.3 says
		 * mass erase is performed; the WRPERR reading is chosen, stm32.md §2.1) */
		f4_set_error(t, F4_SR_WRPERR);
		return;
	}
	if (ser)
		f4_start_sector_erase(t);
	else
		f4_start_mass_erase(t, f4_mer_banks(t));
}

static tw_status f4_cr_write(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size,
			     uint32_t val)
{
	uint32_t nv = f4_merge(t->cr, addr, size, val);
	if (t->cr & F4_CR_LOCK)
		return TW_OK; /* UNCONFIRMED: writes to a locked FLASH_CR are ignored */
	uint32_t writable = F4_CR_PG | F4_CR_SER | F4_CR_MER | t->v->snb_mask | F4_CR_PSIZE_MASK |
			    F4_CR_STRT | F4_CR_EOPIE | F4_CR_ERRIE | F4_CR_LOCK;
	if (t->v->features & F4_FEAT_DUALBANK)
		writable |= F4_CR_MER1;
	t->cr = nv & writable & ~F4_CR_STRT & ~F4_CR_LOCK;
	t->x64_pending = false;
	if ((nv & F4_CR_STRT) && !(nv & F4_CR_LOCK))
		f4_erase_start(t, who);
	if (nv & F4_CR_LOCK) {
		t->cr |= F4_CR_LOCK; /* LOCK is write-1-only (§3.9.7) */
		t->key_stage = 0;
	}
	return TW_OK;
}

static tw_status f4_optcr_write(tw_f4 *t, uint32_t addr, unsigned size, uint32_t val)
{
	uint32_t nv = f4_merge(t->optcr, addr, size, val);
	if (t->optcr & F4_OPTCR_OPTLOCK)
		return TW_OK; /* UNCONFIRMED: writes while OPTLOCK=1 are ignored */
	/* stm32.md §1.6: OPTCR is live — the written value is used at once (OpenOCD 7bcf1d838) */
	t->optcr = nv & t->v->optcr_mask;
	if (nv & F4_OPTCR_OPTSTRT)
		f4_options_start(t);
	if (nv & F4_OPTCR_OPTLOCK) {
		t->optcr |= F4_OPTCR_OPTLOCK;
		t->optkey_stage = 0;
	}
	return TW_OK;
}

tw_status f4_reg_write(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val)
{
	uint32_t reg = addr & ~3U;
	bool busy = t->op.kind != F4_OP_NONE;
	switch (reg) {
	case F4_FLASH_ACR:
		/* §3.9.1: PRFTEN/ICEN/DCEN (bits 10:8) hold their value; ICRST/DCRST (bits 11, 12)
		 * are write-only and self-clearing (the cache reset happens, the bit reads 0) */
		t->acr = f4_merge(t->acr, addr, size, val) & (t->v->latency_mask | 0x0700U);
		return TW_OK;
	case F4_FLASH_KEYR: return f4_key_write(t, false, size, val);
	case F4_FLASH_OPTKEYR: return f4_key_write(t, true, size, val);
	case F4_FLASH_SR:
		t->sr &= ~((val << (8 * (addr & 3U))) & f4_lanes(addr, size) & F4_SR_W1C);
		return TW_OK;
	case F4_FLASH_CR:
		/* stm32.md §1.1: a write to FLASH_CR while BSY stalls the bus until BSY clears */
		return busy ? TW_STALL : f4_cr_write(t, who, addr, size, val);
	case F4_FLASH_OPTCR: return busy ? TW_STALL : f4_optcr_write(t, addr, size, val);
	case F4_FLASH_OPTCR1:
		if (busy)
			return TW_STALL;
		if ((t->v->features & F4_FEAT_OPTCR1) && !(t->optcr & F4_OPTCR_OPTLOCK))
			t->optcr1 = f4_merge(t->optcr1, addr, size, val) & 0x0FFF0000U;
		return TW_OK;
	default: return TW_OK; /* reserved offsets 0x1C: ignored */
	}
}

/* ---- programming (RM0090 §3.6.4) ---- */

static bool f4_otp_locked(const tw_f4 *t, uint32_t off)
{
	if (off >= F4_OTP_LOCK_BASE - F4_OTP_BASE)
		return false; /* the lock block itself: bits only go 1 -> 0 */
	/* RM0090 §3.8: a block is programmable until 0x00 is programmed in its lock byte.
	 * UNCONFIRMED: other non-0xFF lock values ("might not be taken into account correctly")
	 * are treated as unlocked. */
	return t->otp[F4_OTP_LOCK_BASE - F4_OTP_BASE + off / 32U] == 0x00;
}

/* WRPERR triggers for a program access (RM0090 §3.7.4). */
static bool f4_program_forbidden(const tw_f4 *t, tw_initiator who, uint32_t addr, unsigned len)
{
	if (f4_restricted(t, who))
		return true; /* read protected and intrusion detected */
	uint32_t fsize = tw_f4_variant_flash_bytes(t->v);
	if (addr >= F4_FLASH_BASE && addr - F4_FLASH_BASE < fsize) {
		f4_sector s;
		return !f4_sector_at(t, addr - F4_FLASH_BASE, &s) || f4_sector_wrp(t, s.num);
	}
	if (addr >= F4_OTP_BASE && addr + len <= F4_OTP_BASE + F4_OTP_SIZE)
		return f4_otp_locked(t, addr - F4_OTP_BASE);
	return true; /* system memory, UID/size area, user configuration sector */
}

static void f4_program_start(tw_f4 *t, tw_initiator who, uint32_t addr, const uint8_t *data,
			     unsigned len)
{
	if (f4_program_forbidden(t, who, addr, len)) {
		f4_set_error(t, F4_SR_WRPERR);
		return;
	}
	t->op = (f4_op){.addr = addr, .len = len};
	memcpy(t->op.data, data, len);
	f4_start_op(t, F4_OP_PROGRAM, f4_prog_ns(t));
}

/* x64 parallelism: two consecutive word writes make one double word (HAL
 * FLASH_Program_DoubleWord). RM0090 §3.6.4 and §3.9.5 (PGAERR: "the data to program cannot be
 * contained in the same 128-bit Flash memory row"): a double word is refused only when it
 * crosses a 16-byte row, i.e. when its first word is the last word of a row (offset 12); a
 * double word at offset 4 or 8 of a row is accepted. UNCONFIRMED: a second word not adjacent to
 * the first is PGAERR. */
static void f4_program_x64(tw_f4 *t, tw_initiator who, uint32_t addr, uint32_t val)
{
	if (!t->x64_pending) {
		if (!F4_X64_ROW_OK(addr)) {
			f4_set_error(t, F4_SR_PGAERR);
			return;
		}
		t->x64_pending = true;
		t->x64_addr = addr;
		t->x64_lo = val;
		return;
	}
	t->x64_pending = false;
	if (addr != t->x64_addr + 4U) {
		f4_set_error(t, F4_SR_PGAERR);
		return;
	}
	uint8_t d[8];
	for (unsigned i = 0; i < 4; i++) {
		d[i] = (uint8_t)(t->x64_lo >> (8 * i));
		d[4 + i] = (uint8_t)(val >> (8 * i));
	}
	f4_program_start(t, who, t->x64_addr, d, 8);
}

tw_status f4_flash_program(tw_f4 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val)
{
	if (t->op.kind != F4_OP_NONE)
		return TW_STALL;
	if (!(t->cr & F4_CR_PG) || (t->cr & F4_CR_LOCK)) {
		f4_set_error(t, F4_SR_PGSERR); /* §3.9.5: write without PG, no bus error */
		return TW_OK;
	}
	unsigned psize = f4_psize_bytes(t);
	if (psize == 8 ? size != 4 : size != psize) {
		f4_set_error(t, F4_SR_PGPERR); /* §3.9.5: access size differs from PSIZE */
		return TW_OK;
	}
	if (psize == 8) {
		f4_program_x64(t, who, addr, val);
		return TW_OK;
	}
	/* natural alignment (checked by the bus) keeps a 1/2/4-byte access inside one 128-bit
	 * row, so PGAERR cannot arise here */
	uint8_t d[4];
	for (unsigned i = 0; i < size; i++)
		d[i] = (uint8_t)(val >> (8 * i));
	f4_program_start(t, who, addr, d, size);
	return TW_OK;
}

/* ---- completion and interruption ---- */

static uint8_t *f4_cell(tw_f4 *t, uint32_t addr)
{
	if (addr >= F4_FLASH_BASE && addr - F4_FLASH_BASE < tw_f4_variant_flash_bytes(t->v))
		return &t->flash[addr - F4_FLASH_BASE];
	if (addr >= F4_OTP_BASE && addr - F4_OTP_BASE < F4_OTP_SIZE)
		return &t->otp[addr - F4_OTP_BASE];
	return NULL;
}

/* Programming only clears bits (§3.6.4). An interrupted program has cleared the first
 * `fraction` of the bits it was going to clear (partly programmed cells). */
static void f4_program_apply(tw_f4 *t, double fraction)
{
	unsigned todo = 0;
	for (unsigned i = 0; i < t->op.len; i++) {
		uint8_t *c = f4_cell(t, t->op.addr + i);
		if (c)
			todo += (unsigned)__builtin_popcount((unsigned)(*c & (uint8_t)~t->op.data[i]));
	}
	unsigned left = fraction >= 1.0 ? todo : (unsigned)((double)todo * fraction);
	for (unsigned i = 0; i < t->op.len; i++) {
		uint8_t *c = f4_cell(t, t->op.addr + i);
		for (unsigned b = 0; c && b < 8 && left; b++) {
			uint8_t bit = (uint8_t)(1U << b);
			if ((*c & bit) && !(t->op.data[i] & bit)) {
				*c = (uint8_t)(*c & ~bit);
				left--;
			}
		}
	}
}

static void f4_op_apply(tw_f4 *t, double fraction)
{
	switch (t->op.kind) {
	case F4_OP_PROGRAM: f4_program_apply(t, fraction); break;
	case F4_OP_ERASE:
		if (t->op.erase_mask) {
			f4_erase_banks(t, t->op.erase_mask, fraction);
		} else {
			uint32_t n = (uint32_t)((double)t->op.len * (fraction > 1.0 ? 1.0 : fraction));
			memset(t->flash + t->op.addr, 0xFF, n);
		}
		break;
	case F4_OP_OPTIONS: f4_options_apply(t, fraction); break;
	case F4_OP_NONE: break;
	}
	t->op.kind = F4_OP_NONE;
	t->cr &= ~F4_CR_STRT;
	t->wdg_ns = 0;
	t->dirty = true;
}

/* ---- weak cells (see f4_weak in f4_int.h) ---- */

static void f4_weak_lose(tw_f4 *t, const f4_weak *w)
{
	for (uint32_t i = 0; i < w->len; i++) {
		uint8_t *c = f4_cell(t, w->addr + i);
		if (c)
			*c = w->erase ? 0x00 : 0xFF;
	}
	t->dirty = true;
}

static void f4_weak_drop(tw_f4 *t, uint32_t i, bool lose)
{
	if (lose)
		f4_weak_lose(t, &t->weak[i]);
	memmove(&t->weak[i], &t->weak[i + 1], (t->nweak - i - 1) * sizeof t->weak[0]);
	t->nweak--;
	t->dirty = true;
}

void f4_weak_expire(tw_f4 *t, bool all)
{
	for (uint32_t i = 0; i < t->nweak;)
		if (all || t->weak[i].until_ns <= t->now_ns)
			f4_weak_drop(t, i, true);
		else
			i++;
}

/* A sound erase makes the cells of [addr, addr+len) hold again: forget weak records there. */
void f4_weak_forget(tw_f4 *t, uint32_t addr, uint32_t len)
{
	for (uint32_t i = 0; i < t->nweak;)
		if (t->weak[i].addr < addr + len && addr < t->weak[i].addr + t->weak[i].len)
			f4_weak_drop(t, i, false);
		else
			i++;
}

static void f4_weak_add(tw_f4 *t, uint32_t addr, uint32_t len, bool erase)
{
	if (!len)
		return;
	f4_weak *last = t->nweak ? &t->weak[t->nweak - 1] : NULL;
	if (last && last->erase == erase && last->addr + last->len == addr) {
		last->len += len; /* a sequential write: one range, lost at its first deadline */
		return;
	}
	if (t->nweak == F4_WEAK_MAX)
		f4_weak_drop(t, 0, true); /* out of records: the oldest is lost early */
	t->weak[t->nweak++] = (f4_weak){.addr = addr, .len = len, .erase = erase,
					.until_ns = t->now_ns + F4_RETENTION_NS};
}

/* The ranges an operation wrote, recorded after it was applied (a mass erase forgets older
 * records in f4_erase_banks, a sector erase here). */
static void f4_op_ranges(tw_f4 *t, const f4_op *op)
{
	uint32_t total = tw_f4_variant_flash_bytes(t->v);
	bool dual = f4_dual_bank(t);
	uint32_t bank = dual ? total / 2 : total;
	if (op->kind == F4_OP_PROGRAM && op->weak)
		f4_weak_add(t, op->addr, op->len, false);
	if (op->kind != F4_OP_ERASE)
		return;
	if (!op->erase_mask) {
		f4_weak_forget(t, F4_FLASH_BASE + op->addr, op->len);
		if (op->weak)
			f4_weak_add(t, F4_FLASH_BASE + op->addr, op->len, true);
		return;
	}
	for (unsigned b = 0; b < (dual ? 2U : 1U) && op->weak; b++)
		if ((op->erase_mask >> b) & 1U)
			f4_weak_add(t, F4_FLASH_BASE + b * bank, bank, true);
}

/* RM0090 §3.6.2: an operation started with a parallelism the supply cannot sustain ends
 * normally and reads back as written, but the cells may not retain it (f4_weak). */
void f4_op_finish(tw_f4 *t)
{
	f4_op op = t->op;
	f4_op_apply(t, 1.0);
	f4_op_ranges(t, &op);
	if (t->cr & F4_CR_EOPIE)
		t->sr |= F4_SR_EOP; /* §3.9.5: EOP only with EOPIE */
}

void f4_op_cut(tw_f4 *t)
{
	uint64_t span = t->op.end_ns - t->op.start_ns;
	uint64_t done = t->now_ns > t->op.start_ns ? t->now_ns - t->op.start_ns : 0;
	double f = span ? (double)done / (double)span : 0.0;
	f4_op_apply(t, f >= 1.0 ? 0.999 : f);
}
