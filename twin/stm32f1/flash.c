/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3 twin: the FPEC registers (FLASH_ACR, KEYR, OPTKEYR, SR, CR, AR, OBR, WRPR),
 * half-word programming, page and mass erase, and the completion or interruption of an
 * operation. Option-byte programming and erase are in options.c.
 *
 * Sources: PM0075 Rev 2 §2.3.1 (unlocking: "any wrong sequence locks up the FPEC and
 * FLASH_CR until the next reset"), §2.3.3 (programming: the interface "preliminarily reads the
 * value at the addressed location and checks that it has been erased; if not, the program
 * operation is skipped and PGERR is set", except when 0x0000 is programmed; a write-protected
 * address sets WRPRTERR), §2.3.4 (page erase through AR, mass erase), §3.1-§3.8 (register
 * layouts: SR EOP/WRPRTERR/PGERR "reset by writing 1", CR LOCK "write to 1 only", OPTWRE
 * "set by the OPTKEYR sequence, reset by software", STRT "reset when BSY is reset", AR
 * "write access blocked while BSY"); RM0091 Rev 10 §3.2.2 and §3.5 (the same FPEC on F0, CR
 * bit 13 OBL_LAUNCH), §3.3.1 Table 10 (level 1: program/erase from debug, SRAM boot or the
 * bootloader refused with PGERR); RM0316 §4.2 and §4.5 (F3, as F0); stm32-fpec.md §1, §4, §9.
 * OpenOCD's stm32x_erase_options() leaves FLASH_CR unlocked and stm32x_write_options() writes
 * the KEYR and OPTKEYR sequences again: on silicon a key written while already unlocked is
 * harmless, which the model follows. */
#include <string.h>

#include "stm32f1/f1_int.h"

void f1_flash_reset(tw_f1 *t)
{
	t->acr = 0x30U; /* PM0075 §3.1: PRFTBS|PRFTBE at reset (RM0091 §3.5.1 the same) */
	t->sr = 0;
	t->cr = F1_CR_LOCK;
	t->ar = 0;
	t->key_stage = t->optkey_stage = 0;
	t->cr_lockout = t->opt_lockout = false;
}

uint32_t tw_f1_reg(const tw_f1 *t, uint32_t addr)
{
	switch (addr) {
	case F1_FLASH_ACR: return t->acr;
	case F1_FLASH_SR: return t->sr | (t->op.kind != F1_OP_NONE ? F1_SR_BSY : 0U);
	case F1_FLASH_CR: return t->cr;
	case F1_FLASH_AR: return t->ar;
	case F1_FLASH_OBR: return t->obr;
	case F1_FLASH_WRPR: return t->wrpr;
	default: return 0; /* KEYR/OPTKEYR are write-only and read as 0 */
	}
}

tw_status f1_reg_read(tw_f1 *t, uint32_t addr, unsigned size, uint32_t *val)
{
	uint32_t w = tw_f1_reg(t, addr & ~3U) >> (8 * (addr & 3U));
	*val = size == 4 ? w : w & ((1U << (8 * size)) - 1U);
	return TW_OK;
}

static uint32_t f1_merge(uint32_t old, uint32_t addr, unsigned size, uint32_t val)
{
	uint32_t m = (size == 4 ? 0xFFFFFFFFU : (1U << (8 * size)) - 1U) << (8 * (addr & 3U));
	return (old & ~m) | ((val << (8 * (addr & 3U))) & m);
}

/* PM0075 §2.3.1 / §3.2-3.3: KEY1 then KEY2. A wrong key or order is a bus error and keeps
 * the lock until the next reset (UNCONFIRMED for OPTKEYR: the same rule is applied). A key
 * written while already unlocked is ignored (see the header comment). */
static tw_status f1_key_write(tw_f1 *t, bool opt, unsigned size, uint32_t val)
{
	uint8_t *stage = opt ? &t->optkey_stage : &t->key_stage;
	bool *lockout = opt ? &t->opt_lockout : &t->cr_lockout;
	bool locked = opt ? !(t->cr & F1_CR_OPTWRE) : (t->cr & F1_CR_LOCK) != 0;
	if (!locked && !*lockout && size == 4 && (val == F1_KEY1 || val == F1_KEY2))
		return TW_OK;
	if (!*lockout && locked && size == 4 && val == (*stage ? F1_KEY2 : F1_KEY1)) {
		if (++*stage < 2)
			return TW_OK;
		*stage = 0;
		if (opt)
			t->cr |= F1_CR_OPTWRE;
		else
			t->cr &= ~F1_CR_LOCK;
		return TW_OK;
	}
	*stage = 0;
	*lockout = true;
	if (opt)
		t->cr &= ~F1_CR_OPTWRE;
	else
		t->cr = (t->cr | F1_CR_LOCK) & ~F1_CR_OPTWRE;
	return TW_BUS_ERROR;
}

/* Flags an error: F1 always sets the flag in SR (PM0075 §3.4; ERRIE only gates the
 * interrupt). */
static void f1_error(tw_f1 *t, uint32_t flag)
{
	t->sr |= flag;
	t->dirty = true;
}

/* Which flag a refusal under read protection raises: RM0091 §3.3.1 says PGERR on F0/F3;
 * PM0075 §2.4.1 calls the F1's pages "write protected" without naming the flag
 * (UNCONFIRMED: WRPRTERR, as for the write protection). */
static uint32_t f1_rdp_refusal(const tw_f1 *t)
{
	return t->v->family == TW_F1_FAMILY_F1 ? F1_SR_WRPRTERR : F1_SR_PGERR;
}

unsigned tw_f1_page_count(const tw_f1 *t)
{
	return tw_f1_variant_flash_bytes(t->v) / t->v->page_bytes;
}

/* PM0075 §2.4.1: at level 1 the F1 write-protects its first 4 KiB (pages 0-3 medium density,
 * 0-1 high density) for every initiator, user code included. */
static bool f1_rdp_first_pages(const tw_f1 *t, unsigned page)
{
	return t->v->family == TW_F1_FAMILY_F1 && f1_rdp_level(t, t->rdp_eff) != 0 &&
	       (uint64_t)(page + 1) * t->v->page_bytes <= 4096U;
}

bool tw_f1_page_protected(const tw_f1 *t, unsigned page)
{
	return page < tw_f1_page_count(t) && (f1_page_wrp(t, page) || f1_rdp_first_pages(t, page));
}

/* The flag a program or page erase of this page raises before starting, 0 when allowed. */
static uint32_t f1_page_refusal(const tw_f1 *t, tw_initiator who, unsigned page)
{
	if (tw_f1_page_protected(t, page))
		return F1_SR_WRPRTERR; /* PM0075 §2.4.2, §2.3.3 */
	if (f1_restricted(t, who))
		return f1_rdp_refusal(t);
	return 0;
}

/* PM0075 §2.3.3: a half-word write with PG set programs it (tPROG), unless the target is not
 * erased (PGERR; writing 0x0000 is the exception) or protected (WRPRTERR). Writes without PG
 * and byte or word writes with PG: UNCONFIRMED, answered with a bus error and nothing
 * programmed (PM0075 only says the flash is programmed 16 bits at a time). */
tw_status f1_flash_write(tw_f1 *t, tw_initiator who, uint32_t off, unsigned size, uint32_t val)
{
	if (t->op.kind != F1_OP_NONE)
		return TW_STALL;
	if (!(t->cr & F1_CR_PG) || size != 2)
		return TW_BUS_ERROR;
	uint32_t flag = f1_page_refusal(t, who, off / t->v->page_bytes);
	uint16_t old = (uint16_t)(t->flash[off] | (t->flash[off + 1] << 8));
	uint16_t hw = (uint16_t)val;
	if (!flag && old != 0xFFFFU && hw != 0)
		flag = F1_SR_PGERR;
	t->ar = F1_FLASH_BASE + off;
	if (flag) {
		f1_error(t, flag);
		return TW_OK;
	}
	t->op = (f1_op){.off = off, .data = hw};
	f1_start_op(t, F1_OP_PROGRAM, tw_f1_prog_ns(t));
	return TW_OK;
}

/* WRP on any page forbids a mass erase (UNCONFIRMED for F1: PM0075 names page operations
 * only; RM0316 §4.3.2 and the F4's rule say so, and it is the cautious reading). */
static bool f1_any_wrp(const tw_f1 *t)
{
	for (unsigned p = 0; p < tw_f1_page_count(t); p++)
		if (f1_page_wrp(t, p))
			return true;
	return false;
}

static void f1_start_page_erase(tw_f1 *t, tw_initiator who)
{
	uint32_t off = t->ar - F1_FLASH_BASE;
	if (t->ar < F1_FLASH_BASE || off >= tw_f1_variant_flash_bytes(t->v)) {
		f1_error(t, F1_SR_PGERR); /* UNCONFIRMED: AR outside the main flash */
		return;
	}
	unsigned page = off / t->v->page_bytes;
	uint32_t flag = f1_page_refusal(t, who, page);
	if (flag) {
		f1_error(t, flag);
		return;
	}
	t->op = (f1_op){.off = page * t->v->page_bytes};
	f1_start_op(t, F1_OP_PAGE_ERASE, tw_f1_page_erase_ns(t));
}

/* PM0075 §2.4.1: at level 1 the F1 still allows a mass erase from the debugger; RM0091 §3.3.1
 * Table 10: the F0/F3 refuse every erase there (the RDP regression erases instead). */
static void f1_start_mass_erase(tw_f1 *t, tw_initiator who)
{
	if (f1_restricted(t, who) && t->v->family != TW_F1_FAMILY_F1) {
		f1_error(t, F1_SR_PGERR);
		return;
	}
	if (f1_any_wrp(t)) {
		f1_error(t, F1_SR_WRPRTERR);
		return;
	}
	t->op = (f1_op){.off = 0};
	f1_start_op(t, F1_OP_MASS_ERASE, tw_f1_mass_erase_ns(t));
}

/* PM0075 §3.4: STRT starts the erase PER, MER or OPTER selects. */
static void f1_strt(tw_f1 *t, tw_initiator who)
{
	uint32_t sel = t->cr & (F1_CR_PER | F1_CR_MER | F1_CR_OPTER);
	if (sel == F1_CR_PER)
		f1_start_page_erase(t, who);
	else if (sel == F1_CR_MER)
		f1_start_mass_erase(t, who);
	else if (sel == F1_CR_OPTER)
		f1_options_erase_start(t);
	else if (sel)
		f1_error(t, F1_SR_PGERR); /* UNCONFIRMED: two erase kinds at once */
	if (t->op.kind == F1_OP_NONE)
		t->cr &= ~F1_CR_STRT; /* refused: nothing to wait for */
}

/* PM0075 §3.4: writes are ignored while LOCK is set; LOCK is "write to 1 only"; OPTWRE
 * can only be cleared by software. While BSY, UNCONFIRMED: only LOCK is taken. */
static tw_status f1_cr_write(tw_f1 *t, tw_initiator who, uint32_t addr, unsigned size,
			     uint32_t val)
{
	if (t->cr & F1_CR_LOCK)
		return TW_OK;
	uint32_t nv = f1_merge(t->cr, addr, size, val);
	if (t->op.kind != F1_OP_NONE) {
		t->cr |= nv & F1_CR_LOCK;
		return TW_OK;
	}
	uint32_t keep = F1_CR_PG | F1_CR_PER | F1_CR_MER | F1_CR_OPTPG | F1_CR_OPTER | F1_CR_STRT |
			F1_CR_LOCK | F1_CR_ERRIE | F1_CR_EOPIE;
	uint32_t cr = (nv & keep) | (t->cr & nv & F1_CR_OPTWRE);
	t->cr = cr & ~F1_CR_STRT;
	if (cr & F1_CR_LOCK)
		t->cr &= ~F1_CR_OPTWRE; /* UNCONFIRMED: locking also ends option write access */
	if ((nv & F1_CR_OBL_LAUNCH) && t->v->family != TW_F1_FAMILY_F1 && !(cr & F1_CR_LOCK)) {
		f1_obl_launch(t);
		return TW_OK;
	}
	if ((cr & F1_CR_STRT) && !(cr & F1_CR_LOCK)) {
		t->cr |= F1_CR_STRT;
		f1_strt(t, who);
	}
	return TW_OK;
}

tw_status f1_reg_write(tw_f1 *t, tw_initiator who, uint32_t addr, unsigned size, uint32_t val)
{
	switch (addr & ~3U) {
	case F1_FLASH_ACR: {
		uint32_t nv = f1_merge(t->acr, addr, size, val) & 0x1FU;
		t->acr = nv | ((nv & 0x10U) ? 0x20U : 0U); /* PRFTBS follows PRFTBE */
		return TW_OK;
	}
	case F1_FLASH_KEYR: return f1_key_write(t, false, size, val);
	case F1_FLASH_OPTKEYR: return f1_key_write(t, true, size, val);
	case F1_FLASH_SR:
		t->sr &= ~(f1_merge(0, addr, size, val) & F1_SR_W1C);
		return TW_OK;
	case F1_FLASH_CR: return f1_cr_write(t, who, addr, size, val);
	case F1_FLASH_AR:
		if (t->op.kind == F1_OP_NONE)
			t->ar = f1_merge(t->ar, addr, size, val);
		return TW_OK;
	default: return TW_OK; /* OBR, WRPR: read-only */
	}
}

static void f1_erase_bytes(tw_f1 *t, uint32_t off, uint32_t len, double fraction)
{
	uint32_t n = (uint32_t)((double)len * fraction);
	memset(t->flash + off, 0xFF, n > len ? len : n);
}

/* Completes (fraction 1) or cuts short the operation in t->op. UNCONFIRMED partial effects:
 * a cut program leaves only the low byte programmed, a cut erase erases the first part of its
 * range; option-byte operations tear as options.c describes. */
static void f1_op_apply(tw_f1 *t, double fraction)
{
	f1_op *op = &t->op;
	switch (op->kind) {
	case F1_OP_PROGRAM:
		t->flash[op->off] &= (uint8_t)op->data;
		if (fraction >= 1.0)
			t->flash[op->off + 1] &= (uint8_t)(op->data >> 8);
		break;
	case F1_OP_PAGE_ERASE: f1_erase_bytes(t, op->off, t->v->page_bytes, fraction); break;
	case F1_OP_MASS_ERASE:
		f1_erase_bytes(t, 0, tw_f1_variant_flash_bytes(t->v), fraction);
		break;
	case F1_OP_OPT_PROGRAM: case F1_OP_OPT_ERASE: f1_options_finish(t, fraction); break;
	case F1_OP_NONE: break;
	}
}

void f1_op_finish(tw_f1 *t)
{
	f1_op_apply(t, 1.0);
	t->op.kind = F1_OP_NONE;
	t->cr &= ~F1_CR_STRT;
	t->sr |= F1_SR_EOP; /* PM0075 §3.4: set when the operation completes */
	t->dirty = true;
}

void f1_op_cut(tw_f1 *t)
{
	uint64_t span = t->op.end_ns - t->op.start_ns;
	double fraction = span ? (double)(t->now_ns - t->op.start_ns) / (double)span : 0.5;
	if (fraction >= 1.0)
		fraction = 0.99;
	f1_op_apply(t, fraction);
	t->op.kind = F1_OP_NONE;
	t->cr &= ~F1_CR_STRT;
	t->dirty = true;
}

bool tw_f1_key_lockout(const tw_f1 *t, bool option_key)
{
	return option_key ? t->opt_lockout : t->cr_lockout;
}
