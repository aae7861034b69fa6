/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32L4 / G0 / G4: the option registers as semantic keys, WRP and PCROP areas, the
 * protection inventory, the unlock ladder and option changes as plans of steps, and running
 * those steps.
 *
 * Sources (section numbers of RM0351; RM0444 has the same ones in its chapter 3, RM0440 in
 * chapter 5, which stm32l4_sec() prints for the part): §3.4.1 (option words, loaded at
 * power-on or OBL_LAUNCH), §3.4.2 (programming them: OPTSTRT), §3.5.1 (RDP: 0xAA level 0, 0xCC
 * level 2 — permanent: debug, RAM boot and bootloader off, options frozen —, anything else
 * level 1; at level 1 with a debugger connected the flash, SRAM2 and the backup registers are
 * inaccessible until a power-on reset; a 1 -> 0 regression erases the whole flash when
 * PCROP_RDP = 1, else only the pages without PCROP data, and the backup registers: RM0444
 * Table 18 adds the G0's TAMP_BKPxR), §3.5.2 (PCROP areas: STRT/END in double words from the
 * bank start on L4/G4, 512-byte units on G0; unused when STRT > END — UNCONFIRMED in
 * stm32-optr.md §2, the twin's choice as well; PCROP_RDP "can only be set", cleared by the full
 * erase of a regression), §3.5.3 (WRP areas: start/end page of the bank, unused when start >
 * end), §3.7.8 (FLASH_OPTR fields). OpenOCD disables a WRP area with STRT = 1 > END = 0
 * (stm32-optr.md §2); flashkey writes STRT = all ones, END = 0 — the factory value. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chip/stm32l4_fam.h"
#include "core/core.h"

const char *stm32l4_sec(const stm32l4drv *f, const char *sub, char *buf, size_t n)
{
	/* sub is "3.5.1"-style in RM0351 numbering: its first number is replaced by the part's
	 * chapter */
	const char *rest = strchr(sub, '.');
	snprintf(buf, n, "%s §%s%s", f->dev->manual, f->dev->chapter, rest ? rest : "");
	return buf;
}

static uint32_t l4_bank_bytes(const stm32l4drv *f)
{
	return f->dual ? f->desc.flash_size / 2U : f->desc.flash_size;
}

static unsigned l4_bank_pages(const stm32l4drv *f)
{
	return l4_bank_bytes(f) / f->dev->page_bytes;
}

static const char *const l4_wrp_names[4] = {"WRP1A", "WRP1B", "WRP2A", "WRP2B"};

void stm32l4_wrp_area(const stm32l4drv *f, const uint32_t *w, unsigned i, stm32l4_area *a)
{
	const stm32l4_device *d = f->dev;
	memset(a, 0, sizeof *a);
	if (i >= 4 || d->i_wrp[i] < 0 || (i >= 2 && !f->dual))
		return;
	uint32_t r = w[d->i_wrp[i]];
	unsigned s = r & d->wrp_field, e = (r >> 16) & d->wrp_field, ppb = l4_bank_pages(f);
	if (s > e || s >= ppb)
		return;
	if (e >= ppb)
		e = ppb - 1U;
	a->used = true;
	a->bank = i / 2U;
	a->first = s;
	a->last = e;
	a->lo = STM32L4_FLASH_BASE + a->bank * l4_bank_bytes(f) + s * d->page_bytes;
	a->hi = STM32L4_FLASH_BASE + a->bank * l4_bank_bytes(f) + (e + 1U) * d->page_bytes;
}

static const char *l4_pcrop_name(const stm32l4drv *f, unsigned i)
{
	if (f->dev->kind == STM32L4_KIND_G0)
		return i ? "PCROP1B" : "PCROP1A";
	return i ? "PCROP2" : "PCROP1";
}

void stm32l4_pcrop_area(const stm32l4drv *f, const uint32_t *w, unsigned i, stm32l4_area *a)
{
	const stm32l4_device *d = f->dev;
	memset(a, 0, sizeof *a);
	if (i >= 2 || d->i_pcs[i] < 0)
		return;
	uint32_t s = w[d->i_pcs[i]] & d->pcrop_field, e = w[d->i_pce[i]] & d->pcrop_field;
	if (s > e)
		return;
	uint64_t base = (d->kind == STM32L4_KIND_L4 && i == 1) ? l4_bank_bytes(f) : 0;
	uint64_t lo = base + ((uint64_t)s << d->pcrop_shift);
	uint64_t hi = base + (((uint64_t)e + 1U) << d->pcrop_shift);
	if (lo >= f->desc.flash_size)
		return;
	if (hi > f->desc.flash_size)
		hi = f->desc.flash_size;
	a->used = true;
	a->bank = i == 1 && d->kind == STM32L4_KIND_L4;
	a->lo = STM32L4_FLASH_BASE + (uint32_t)lo;
	a->hi = STM32L4_FLASH_BASE + (uint32_t)hi;
}

/* ---- the options schema ---- */
unsigned stm32l4_opt_fields(const stm32l4drv *f, fk_opt_field *out, unsigned cap)
{
	const stm32l4_device *d = f->dev;
	unsigned n = 0;
	static char rdp_help[200];
	char sec[32];
	snprintf(rdp_help, sizeof rdp_help, "read-out protection: 0 = 0xAA, 1 = 0xBB, 2 = 0xCC "
		 "(PERMANENT: debug port, bootloader and option changes gone for good), %s",
		 stm32l4_sec(f, "3.5.1", sec, sizeof sec));
	if (n < cap)
		out[n++] = (fk_opt_field){"rdp", "0|1|2", rdp_help, true};
	for (unsigned i = 0; i < 4 && n < cap; i++)
		if (d->i_wrp[i] >= 0 && (i < 2 || f->dual))
			out[n++] = (fk_opt_field){
				i == 0 ? "wrp1a" : i == 1 ? "wrp1b" : i == 2 ? "wrp2a" : "wrp2b",
				"none|FIRST-LAST",
				i < 2 ? "write-protected pages of bank 1 (WRPxyR STRT/END, inclusive)"
				      : "write-protected pages of bank 2 (WRP2xR STRT/END, inclusive)",
				false};
	for (unsigned i = 0; i < 2 && n < cap; i++)
		if (d->i_pcs[i] >= 0)
			out[n++] = (fk_opt_field){
				d->kind == STM32L4_KIND_G0 ? (i ? "pcrop1b" : "pcrop1a")
							   : (i ? "pcrop2" : "pcrop1"),
				"none|ADDR-ADDR",
				d->pcrop_shift == 9 ? "execute-only area, 512-byte units (PCROPxSR/ER)"
						    : "execute-only area, double words (PCROPxSR/ER)",
				false};
	if (n < cap)
		out[n++] = (fk_opt_field){"pcrop_rdp", "1",
					  "PCROP_RDP (PCROP1ER bit 31): 1 = an RDP 1 -> 0 regression "
					  "erases the PCROP areas too; can only be set, never cleared "
					  "by software", false};
	const stm32l4_field *fl[20];
	unsigned nf = stm32l4_dev_fields(d, fl, FK_ARRAY_SIZE(fl));
	for (unsigned i = 0; i < nf && n < cap; i++)
		out[n++] = (fk_opt_field){fl[i]->key, fl[i]->bits == 1 ? "0|1"
						      : fl[i]->bits == 2 ? "0-3" : "0-4",
					  fl[i]->help, false};
	return n;
}

static int l4_range(fk_ctx *ctx, const char *key, const char *val, uint32_t *a, uint32_t *b)
{
	const char *dash = strchr(val, '-');
	char lo[24];
	if (!dash || (size_t)(dash - val) >= sizeof lo)
		return fk_fail(ctx, FK_E_INVALID_ARG, "%s=%s: expected none or FIRST-LAST", key, val);
	memcpy(lo, val, (size_t)(dash - val));
	lo[dash - val] = '\0';
	if (fk_parse_u32(lo, a) || fk_parse_u32(dash + 1, b) || *b < *a)
		return fk_fail(ctx, FK_E_INVALID_ARG, "%s=%s: expected none or FIRST-LAST with "
						      "FIRST <= LAST", key, val);
	return FK_OK;
}

int stm32l4_opt_apply(const stm32l4drv *f, fk_ctx *ctx, const char *kv, uint32_t *w)
{
	const stm32l4_device *d = f->dev;
	char key[24], sec[32];
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof key)
		return fk_fail(ctx, FK_E_INVALID_ARG, "\"%s\": expected KEY=VALUE", kv);
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	const char *val = eq + 1;
	uint32_t n, a, b;
	if (strcasecmp(key, "rdp") == 0) {
		if (fk_parse_u32(val, &n) || n > 2)
			return fk_fail(ctx, FK_E_INVALID_ARG, "rdp=%s: expected 0, 1 or 2", val);
		w[0] = (w[0] & ~0xFFU) | (n == 0 ? 0xAAU : n == 2 ? 0xCCU
					  : stm32l4_rdp_level((uint8_t)w[0]) == 1 ? (w[0] & 0xFFU)
										    : 0xBBU);
		return FK_OK;
	}
	for (unsigned i = 0; i < 4; i++) {
		static const char *const k[4] = {"wrp1a", "wrp1b", "wrp2a", "wrp2b"};
		if (strcasecmp(key, k[i]) != 0)
			continue;
		if (d->i_wrp[i] < 0 || (i >= 2 && !f->dual))
			break;
		uint32_t *r = &w[d->i_wrp[i]];
		if (strcasecmp(val, "none") == 0) {
			*r = (*r & ~(d->wrp_field | d->wrp_field << 16)) | d->wrp_field;
			return FK_OK;
		}
		int rc = l4_range(ctx, key, val, &a, &b);
		if (rc)
			return rc;
		if (b >= l4_bank_pages(f)) {
			fk_hint(ctx, "pages of a bank are numbered 0-%u", l4_bank_pages(f) - 1U);
			return fk_fail(ctx, FK_E_RANGE, "%s=%s: page %u is past the end of bank %u "
							"(%u pages; %s)", key, val, b, i / 2U + 1U,
				       l4_bank_pages(f), stm32l4_sec(f, "3.5.3", sec, sizeof sec));
		}
		*r = (*r & ~(d->wrp_field | d->wrp_field << 16)) | a | b << 16;
		return FK_OK;
	}
	for (unsigned i = 0; i < 2; i++) {
		if (d->i_pcs[i] < 0)
			continue;
		const char *k = d->kind == STM32L4_KIND_G0 ? (i ? "pcrop1b" : "pcrop1a")
							   : (i ? "pcrop2" : "pcrop1");
		if (strcasecmp(key, k) != 0)
			continue;
		uint32_t *rs = &w[d->i_pcs[i]], *re = &w[d->i_pce[i]];
		if (strcasecmp(val, "none") == 0) {
			*rs = (*rs & ~d->pcrop_field) | d->pcrop_field;
			*re &= ~d->pcrop_field;
			return FK_OK;
		}
		int rc = l4_range(ctx, key, val, &a, &b);
		if (rc)
			return rc;
		uint32_t unit = 1U << d->pcrop_shift;
		uint32_t base = STM32L4_FLASH_BASE + ((d->kind == STM32L4_KIND_L4 && i == 1)
							      ? l4_bank_bytes(f) : 0);
		uint32_t end = base + (d->kind == STM32L4_KIND_L4 ? l4_bank_bytes(f)
								  : f->desc.flash_size);
		if (a < base || b >= end || (a - base) % unit || (b + 1U - base) % unit) {
			fk_hint(ctx, "%s takes 0x%08X-0x%08X in whole %u-byte units, e.g. "
				     "0x%08X-0x%08X", key, base, end - 1U, unit, base,
				base + unit - 1U);
			return fk_fail(ctx, FK_E_RANGE, "%s=%s: not whole %u-byte units inside "
							"0x%08X-0x%08X (%s)", key, val, unit, base,
				       end - 1U, stm32l4_sec(f, "3.5.2", sec, sizeof sec));
		}
		*rs = (*rs & ~d->pcrop_field) | ((a - base) >> d->pcrop_shift);
		*re = (*re & ~d->pcrop_field) | ((b - base) >> d->pcrop_shift);
		return FK_OK;
	}
	if (strcasecmp(key, "pcrop_rdp") == 0) {
		if (strcmp(val, "1") == 0) {
			w[d->i_pce[0]] |= STM32L4_PCROP_RDP;
			return FK_OK;
		}
		if (strcmp(val, "0") == 0 && (w[d->i_pce[0]] & STM32L4_PCROP_RDP))
			return fk_fail(ctx, FK_E_INVALID_ARG, "pcrop_rdp=0: PCROP_RDP can only be set; "
				       "only the full erase of an RDP 1 -> 0 regression clears it "
				       "(%s)", stm32l4_sec(f, "3.5.2", sec, sizeof sec));
		if (strcmp(val, "0") == 0)
			return FK_OK;
		return fk_fail(ctx, FK_E_INVALID_ARG, "pcrop_rdp=%s: expected 1", val);
	}
	const stm32l4_field *fl[20];
	unsigned nf = stm32l4_dev_fields(d, fl, FK_ARRAY_SIZE(fl));
	for (unsigned i = 0; i < nf; i++) {
		if (strcasecmp(key, fl[i]->key) != 0)
			continue;
		uint32_t max = fl[i]->bits == 3 ? 4U : (1U << fl[i]->bits) - 1U;
		if (fk_parse_u32(val, &n) || n > max)
			return fk_fail(ctx, FK_E_INVALID_ARG, "%s=%s: expected 0-%u (%s; values above "
				       "are reserved, %s)", key, val, max, fl[i]->help,
				       stm32l4_sec(f, "3.7.8", sec, sizeof sec));
		uint32_t m = ((1U << fl[i]->bits) - 1U) << fl[i]->shift;
		w[0] = (w[0] & ~m) | (n << fl[i]->shift);
		return FK_OK;
	}
	char keys[400] = "";
	fk_opt_field all[28];
	unsigned na = stm32l4_opt_fields(f, all, FK_ARRAY_SIZE(all));
	for (unsigned i = 0; i < na; i++)
		fk_snprintf_cat(keys, sizeof keys, "%s%s", i ? ", " : "", all[i].key);
	fk_hint(ctx, "keys: %s", keys);
	return fk_fail(ctx, FK_E_INVALID_ARG, "%s: not an option key of the %s", key, d->desc);
}

/* ---- inventory ---- */
static fk_lock *l4_lock_add(fk_inventory *inv, fk_lock_kind kind, const char *name)
{
	if (inv->nlocks >= FK_INV_MAX_LOCKS)
		return NULL;
	fk_lock *l = &inv->locks[inv->nlocks++];
	memset(l, 0, sizeof *l);
	l->kind = kind;
	l->step = -1;
	l->reversible = true;
	fk_strlcpy(l->name, name, sizeof l->name);
	return l;
}

static void l4_reg_add(fk_inventory *inv, const char *name, uint32_t addr, uint32_t v)
{
	char full[sizeof inv->regs[0].name];
	snprintf(full, sizeof full, "FLASH_%s", name);
	(void)fk_inv_reg_add(inv, full, addr, v, true);
}

static void l4_opt_add(fk_inventory *inv, const char *key, uint32_t v, const char *fmt, ...)
	FK_PRINTF(4, 5);
static void l4_opt_add(fk_inventory *inv, const char *key, uint32_t v, const char *fmt, ...)
{
	if (inv->nopts >= FK_INV_MAX_OPTS)
		return;
	fk_option_value *o = &inv->opts[inv->nopts++];
	fk_strlcpy(o->key, key, sizeof o->key);
	o->value = v;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->text, sizeof o->text, fmt, ap);
	va_end(ap);
}

/* Erase units [a, b) touched by an address range, as a 64-bit sector mask. */
static uint64_t l4_units_mask(const stm32l4drv *f, uint32_t lo, uint32_t hi)
{
	uint64_t m = 0;
	for (unsigned i = 0; i < f->npages && i < 64; i++)
		if (f->units[i].addr < hi && f->units[i].addr + f->units[i].size > lo)
			m |= 1ULL << i;
	return m;
}

static void l4_inv_options(const stm32l4drv *f, const stm32l4_optstate *o, fk_inventory *inv)
{
	const stm32l4_device *d = f->dev;
	if (o->hidden) {
		l4_opt_add(inv, "rdp", 0, "level 1 (the bootloader refuses Read Memory: the RDP byte "
			   "and the other option words are unreadable on this path)");
		return;
	}
	l4_opt_add(inv, "rdp", o->rdp, "level %u (0x%02X)", o->level, o->rdp);
	for (unsigned i = 0; i < 4; i++) {
		if (d->i_wrp[i] < 0 || (i >= 2 && !f->dual))
			continue;
		stm32l4_area a;
		stm32l4_wrp_area(f, o->w, i, &a);
		char key[8];
		snprintf(key, sizeof key, "wrp%u%c", i / 2U + 1U, i % 2 ? 'b' : 'a');
		if (a.used)
			l4_opt_add(inv, key, o->w[d->i_wrp[i]], "bank %u pages %u-%u", a.bank + 1U,
				   a.first, a.last);
		else
			l4_opt_add(inv, key, o->w[d->i_wrp[i]], "none");
	}
	for (unsigned i = 0; i < 2; i++) {
		if (d->i_pcs[i] < 0)
			continue;
		stm32l4_area a;
		stm32l4_pcrop_area(f, o->w, i, &a);
		char key[12];
		snprintf(key, sizeof key, "%s", d->kind == STM32L4_KIND_G0 ? (i ? "pcrop1b" : "pcrop1a")
									    : (i ? "pcrop2" : "pcrop1"));
		if (a.used)
			l4_opt_add(inv, key, o->w[d->i_pcs[i]], "0x%08X-0x%08X", a.lo, a.hi - 1U);
		else
			l4_opt_add(inv, key, o->w[d->i_pcs[i]], "none");
	}
	l4_opt_add(inv, "pcrop_rdp", o->pcrop_rdp, "%s", o->pcrop_rdp
			   ? "1: a regression erases the PCROP areas too"
			   : "0: a regression keeps the PCROP pages");
	const stm32l4_field *fl[20];
	unsigned nf = stm32l4_dev_fields(d, fl, FK_ARRAY_SIZE(fl));
	for (unsigned i = 0; i < nf; i++) {
		uint32_t v = (o->w[0] >> fl[i]->shift) & ((1U << fl[i]->bits) - 1U);
		l4_opt_add(inv, fl[i]->key, v, "%u", v);
	}
}

static void l4_inv_locks(stm32l4drv *f, const stm32l4_optstate *o, fk_inventory *inv)
{
	const stm32l4_device *d = f->dev;
	char sec[32];
	fk_lock *l;
	/* FLASH_SR.BSY (§3.7.5): an operation runs, or the controller is stuck (class 16) */
	if ((o->sr & STM32L4_FLASH_SR_BSY) && (l = l4_lock_add(inv, FK_LOCK_BUSY, "FLASH_SR.BSY"))) {
		fk_strlcpy(l->state, "busy: an operation runs, or the controller is stuck",
			   sizeof l->state);
		snprintf(l->raw, sizeof l->raw, "FLASH_SR=0x%08X", o->sr);
		fk_strlcpy(l->remedy, "flashkey waits for it (saying so after a second) before any erase or program; a flag that never clears is a stuck controller: reset the chip (`flashkey reset`) or power-cycle it", sizeof l->remedy);
	}
	uint32_t err = o->sr & STM32L4_FLASH_SR_ERRORS & ~STM32L4_FLASH_SR_OPTVERR;
	if (err && (l = l4_lock_add(inv, FK_LOCK_ERRORS, "FLASH_SR"))) {
		snprintf(l->state, sizeof l->state, "error flags 0x%04X latched", err);
		snprintf(l->raw, sizeof l->raw, "FLASH_SR=0x%08X", o->sr);
		l->blocks_write = true;
		l->step = FK_STEP_ERRORS;
		snprintf(l->remedy, sizeof l->remedy, "cleared by writing them back as 1 (%s); costs "
			 "nothing", stm32l4_sec(f, "3.7.5", sec, sizeof sec));
	}
	if ((o->cr & STM32L4_FLASH_CR_LOCK) && (l = l4_lock_add(inv, FK_LOCK_CTRL, "FLASH_CR.LOCK"))) {
		snprintf(l->raw, sizeof l->raw, "FLASH_CR=0x%08X", o->cr);
		if (f->key_failed) {
			fk_strlcpy(l->state, "locked until reset (a key sequence failed)",
				   sizeof l->state);
			l->blocks_write = true;
			l->pending = FK_PENDING_RESET;
			snprintf(l->remedy, sizeof l->remedy, "a wrong key locks FLASH_CR until the "
				 "next reset (%s): run `flashkey reset`",
				 stm32l4_sec(f, "3.3.5", sec, sizeof sec));
		} else {
			fk_strlcpy(l->state, "locked (reset state)", sizeof l->state);
			l->step = FK_STEP_CTRL;
			snprintf(l->remedy, sizeof l->remedy, "KEY1, KEY2 to FLASH_KEYR (%s); costs "
				 "nothing", stm32l4_sec(f, "3.3.5", sec, sizeof sec));
		}
	}
	if ((o->cr & STM32L4_FLASH_CR_OPTLOCK) &&
	    (l = l4_lock_add(inv, FK_LOCK_OPT, "FLASH_CR.OPTLOCK"))) {
		fk_strlcpy(l->state, "option registers locked (reset state)", sizeof l->state);
		snprintf(l->raw, sizeof l->raw, "FLASH_CR=0x%08X", o->cr);
		l->step = FK_STEP_OPT;
		snprintf(l->remedy, sizeof l->remedy, "OPTKEY1, OPTKEY2 to FLASH_OPTKEYR (%s); costs "
			 "nothing", stm32l4_sec(f, "3.4.2", sec, sizeof sec));
	}
	if ((o->sr & STM32L4_FLASH_SR_OPTVERR) &&
	    (l = l4_lock_add(inv, FK_LOCK_OPTIONS_TORN, "FLASH_SR.OPTVERR"))) {
		fk_strlcpy(l->state, "an option word did not match its complement at the last load "
				     "(interrupted option programming?)", sizeof l->state);
		snprintf(l->raw, sizeof l->raw, "FLASH_SR=0x%08X FLASH_OPTR=0x%08X", o->sr, o->w[0]);
		l->step = o->level >= 1 ? FK_STEP_RDP : FK_STEP_WRP;
		l->cost = o->level >= 1 ? FK_COST_ALL_FLASH : FK_COST_NOTHING;
		snprintf(l->remedy, sizeof l->remedy, "reprogram the option words (OPTSTRT, %s) and "
			 "load them (OBL_LAUNCH)", stm32l4_sec(f, "3.4.2", sec, sizeof sec));
	}
	if (o->hidden && (l = l4_lock_add(inv, FK_LOCK_RDP, "RDP"))) {
		fk_strlcpy(l->state, "level 1: the bootloader NACKs Read Memory (AN3155 Table 2); "
				     "RDP byte, WRP and PCROP unreadable on this path", sizeof l->state);
		fk_strlcpy(l->raw, "Read Memory NACKed", sizeof l->raw);
		l->blocks_write = true;
		l->step = FK_STEP_RDP;
		l->cost = FK_COST_ALL_FLASH;
		snprintf(l->remedy, sizeof l->remedy, "Readout Unprotect (AN3155 §3.12): the ROM sets "
			 "RDP=0xAA and the load erases the flash (but PCROP pages when PCROP_RDP = 0) "
			 "and the %u %s (%s)", d->nbkp, d->bkp_name,
			 stm32l4_sec(f, "3.5.1", sec, sizeof sec));
		return;
	}
	if (o->level >= 1 && (l = l4_lock_add(inv, FK_LOCK_RDP, "RDP"))) {
		snprintf(l->state, sizeof l->state, "level %u (RDP byte 0x%02X)%s", o->level, o->rdp,
			 f->bl && o->level == 1 ? "" : o->level == 2 ? "; debug port, bootloader and option changes disabled"
			 : d->kind == STM32L4_KIND_L4 ? "; a debugger is connected: flash, SRAM2 and "
							"backup registers unreadable until a "
							"power-on reset"
			 : d->kind == STM32L4_KIND_G4 ? "; a debugger is connected: flash, CCM SRAM "
							"and backup registers unreadable until a "
							"power-on reset"
						      : "; a debugger is connected: flash and backup "
							"registers unreadable until a power-on "
							"reset");
		snprintf(l->raw, sizeof l->raw, "FLASH_OPTR=0x%08X", o->w[0]);
		l->blocks_write = true;
		if (o->level == 2) {
			l->cost = FK_COST_IMPOSSIBLE;
			l->reversible = false;
			snprintf(l->remedy, sizeof l->remedy, "level 2 is permanent (%s): no tool can "
				 "regress it", stm32l4_sec(f, "3.5.1", sec, sizeof sec));
		} else {
			bool keep = false;
			for (unsigned i = 0; i < 2; i++) {
				stm32l4_area a;
				stm32l4_pcrop_area(f, o->w, i, &a);
				keep |= a.used && !o->pcrop_rdp;
			}
			l->step = FK_STEP_RDP;
			l->cost = FK_COST_ALL_FLASH;
			snprintf(l->remedy, sizeof l->remedy, "RDP=0xAA + OPTSTRT + OBL_LAUNCH erases "
				 "%s and the %u %s (%s)", keep ? "every page without PCROP data (PCROP_RDP "
				 "= 0 keeps those)" : "all flash", d->nbkp, d->bkp_name,
				 stm32l4_sec(f, "3.5.1", sec, sizeof sec));
		}
	}
	for (unsigned i = 0; i < 4; i++) {
		stm32l4_area a;
		stm32l4_wrp_area(f, o->w, i, &a);
		if (!a.used || !(l = l4_lock_add(inv, FK_LOCK_WRP, l4_wrp_names[i])))
			continue;
		snprintf(l->state, sizeof l->state, "bank %u pages %u-%u (0x%08X-0x%08X)",
			 a.bank + 1U, a.first, a.last, a.lo, a.hi - 1U);
		snprintf(l->raw, sizeof l->raw, "FLASH_%sR=0x%08X", l4_wrp_names[i],
			 o->w[d->i_wrp[i]]);
		l->sectors = l4_units_mask(f, a.lo, a.hi);
		l->blocks_write = true;
		l->step = FK_STEP_WRP;
		if (o->level == 2) {
			l->step = -1;
			l->cost = FK_COST_IMPOSSIBLE;
			l->reversible = false;
			fk_strlcpy(l->remedy, "frozen by RDP level 2", sizeof l->remedy);
			continue;
		}
		snprintf(l->remedy, sizeof l->remedy, "set the area unused (STRT > END) with the "
			 "other options kept, OPTSTRT, OBL_LAUNCH (%s); no data is lost",
			 stm32l4_sec(f, "3.5.3", sec, sizeof sec));
	}
	for (unsigned i = 0; i < 2; i++) {
		stm32l4_area a;
		stm32l4_pcrop_area(f, o->w, i, &a);
		if (!a.used || !(l = l4_lock_add(inv, FK_LOCK_PCROP, l4_pcrop_name(f, i))))
			continue;
		snprintf(l->state, sizeof l->state, "0x%08X-0x%08X execute-only; PCROP_RDP=%u", a.lo,
			 a.hi - 1U, o->pcrop_rdp);
		snprintf(l->raw, sizeof l->raw, "FLASH_%sSR=0x%08X ER=0x%08X",
			 d->regs[d->i_pcs[i]].name + 0, o->w[d->i_pcs[i]], o->w[d->i_pce[i]]);
		/* "FLASH_PCROP1SRSR" reads oddly: name the start register alone */
		snprintf(l->raw, sizeof l->raw, "FLASH_%s=0x%08X FLASH_%s=0x%08X",
			 d->regs[d->i_pcs[i]].name, o->w[d->i_pcs[i]], d->regs[d->i_pce[i]].name,
			 o->w[d->i_pce[i]]);
		l->sectors = l4_units_mask(f, a.lo, a.hi);
		/* the exact range too: the rest of its pages stays readable (RM0351 §3.5.2), so a
		 * backup keeps it and records only the range as missing (issue 13 class 9) */
		l->range_addr = a.lo;
		l->range_len = a.hi - a.lo;
		l->blocks_write = true;
		l->cost = FK_COST_ALL_FLASH;
		l->step = o->level == 2 ? -1 : FK_STEP_RDP;
		if (o->level == 2) {
			l->cost = FK_COST_IMPOSSIBLE;
			l->reversible = false;
		}
		snprintf(l->remedy, sizeof l->remedy, "only an RDP 1 -> 0 regression with "
			 "PCROP_RDP = 1 removes it, erasing all flash (%s)%s",
			 stm32l4_sec(f, "3.5.2", sec, sizeof sec),
			 o->pcrop_rdp ? "" : "; PCROP_RDP is 0: set it first (it can only be set)");
	}
}

int stm32l4_inventory(stm32l4drv *f, fk_ctx *ctx, fk_inventory *inv)
{
	const fk_chip_desc *c = &f->desc;
	const stm32l4_device *d = f->dev;
	memset(inv, 0, sizeof *inv);
	fk_strlcpy(inv->chip, c->part, sizeof inv->chip);
	fk_strlcpy(inv->family, c->family, sizeof inv->family);
	fk_strlcpy(inv->path, f->bl ? "bootloader" : "debug", sizeof inv->path);
	inv->dev_id = c->dev_id;
	inv->rev_id = c->rev_id;
	fk_strlcpy(inv->revision, c->revision, sizeof inv->revision);
	inv->flash_base = c->flash_base;
	inv->flash_size = c->flash_size;
	inv->flash_size_assumed = c->flash_size_assumed;
	stm32l4_optstate o;
	int rc = stm32l4_options(f, ctx, &o);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the flash controller state");
	inv->rdp_level = (int)o.level;
	inv->rdp_raw = o.rdp;
	inv->flash_readable = o.level == 0;
	inv->intrusion = o.level >= 1 && !f->bl;
	if (!f->bl) { /* the ROM does not read peripheral registers out */
		l4_reg_add(inv, "SR", STM32L4_FLASH_SR, o.sr);
		l4_reg_add(inv, "CR", STM32L4_FLASH_CR, o.cr);
		l4_reg_add(inv, "ECCR", STM32L4_FLASH_ECCR, o.eccr);
	}
	for (unsigned i = 0; i < d->nregs && !o.hidden; i++)
		l4_reg_add(inv, d->regs[i].name, f->bl ? stm32l4_ob_addr(d->regs[i].off)
						       : STM32L4_FLASH_REGS + d->regs[i].off, o.w[i]);
	l4_inv_options(f, &o, inv);
	inv->nsectors = FK_MIN(f->npages, FK_INV_MAX_SECTORS);
	for (unsigned i = 0; i < inv->nsectors; i++) {
		const fk_erase_unit *u = &f->units[i];
		inv->sectors[i] = (fk_sector_info){.number = u->number, .addr = u->addr,
						   .size = u->size, .blank = -1};
		for (unsigned k = 0; k < 4 && !o.hidden; k++) {
			stm32l4_area a;
			stm32l4_wrp_area(f, o.w, k, &a);
			inv->sectors[i].wrp |= a.used && u->addr < a.hi && u->addr + u->size > a.lo;
			stm32l4_pcrop_area(f, o.w, k & 1U, &a);
			inv->sectors[i].pcrop |= a.used && u->addr < a.hi && u->addr + u->size > a.lo;
		}
	}
	l4_inv_locks(f, &o, inv);
	for (unsigned i = 0; i < inv->nlocks; i++)
		inv->write_blocked |= inv->locks[i].blocks_write;
	return FK_OK;
}

/* ---- plans ---- */
/* The step's payload: the option words it writes, kept in the driver by step id. */
static void l4_step_target(stm32l4drv *f, fk_step *s, const uint32_t *w)
{
	const stm32l4_device *d = f->dev;
	memcpy(f->target[s->id], w, sizeof f->target[s->id]);
	f->target_set[s->id] = true;
	s->value[0] = w[0];
	s->value[1] = w[d->i_wrp[0]];
}

static void l4_describe_write(const stm32l4drv *f, const uint32_t *w, const uint32_t *cur,
			      fk_step *s, const char *lead)
{
	const stm32l4_device *d = f->dev;
	s->what[0] = '\0';
	fk_snprintf_cat(s->what, sizeof s->what, "%s", lead);
	bool any = false;
	for (unsigned i = 0; i < d->nregs; i++)
		if (((w[i] ^ cur[i]) & d->regs[i].mask)) {
			fk_snprintf_cat(s->what, sizeof s->what, "%sFLASH_%s=0x%08X", any ? " " : "",
					d->regs[i].name, (cur[i] & ~d->regs[i].mask) |
								 (w[i] & d->regs[i].mask));
			any = true;
		}
	fk_snprintf_cat(s->what, sizeof s->what, "%s", any ? ", OPTSTRT, OBL_LAUNCH (a system "
							     "reset), read back"
							   : "rewrite the option words unchanged, "
							     "OPTSTRT, OBL_LAUNCH, read back");
}

static void l4_plan_keys(const fk_inventory *inv, fk_plan *plan, fk_step_id upto)
{
	fk_step *s;
	for (unsigned i = 0; i < inv->nlocks; i++) {
		const fk_lock *l = &inv->locks[i];
		if (l->kind == FK_LOCK_ERRORS && upto >= FK_STEP_ERRORS &&
		    (s = fk_plan_step_add(plan, FK_STEP_ERRORS))) {
			snprintf(s->what, sizeof s->what, "clear %.60s in FLASH_SR by writing them "
				 "back as 1", l->state);
			fk_strlcpy(s->cost_text, "nothing", sizeof s->cost_text);
		}
	}
	for (unsigned i = 0; i < inv->nlocks; i++) {
		const fk_lock *l = &inv->locks[i];
		if (l->kind == FK_LOCK_CTRL && upto >= FK_STEP_CTRL &&
		    (s = fk_plan_step_add(plan, FK_STEP_CTRL))) {
			fk_strlcpy(s->what, "write KEY1, KEY2 to FLASH_KEYR once (LOCK read first; a "
					    "wrong sequence is never retried)", sizeof s->what);
			fk_strlcpy(s->cost_text, "nothing", sizeof s->cost_text);
			if (l->step < 0) {
				s->refused = true;
				s->pending = FK_PENDING_RESET;
				fk_strlcpy(s->why, "FLASH_CR is locked until the next reset because a "
						   "key sequence failed: run `flashkey reset` first",
					   sizeof s->why);
			}
		}
	}
	for (unsigned i = 0; i < inv->nlocks; i++)
		if (inv->locks[i].kind == FK_LOCK_OPT && upto >= FK_STEP_OPT &&
		    (s = fk_plan_step_add(plan, FK_STEP_OPT))) {
			fk_strlcpy(s->what, "write OPTKEY1, OPTKEY2 to FLASH_OPTKEYR once (clears "
					    "FLASH_CR.OPTLOCK)", sizeof s->what);
			fk_strlcpy(s->cost_text, "nothing", sizeof s->cost_text);
		}
}

static void l4_refuse_level2(const stm32l4drv *f, fk_step *s, const stm32l4_optstate *o)
{
	char sec[32];
	if (o->level != 2)
		return;
	s->refused = true;
	snprintf(s->why, sizeof s->why, "RDP level 2 is permanent (%s): the option bytes can no "
		 "longer be changed and no tool can regress it",
		 stm32l4_sec(f, "3.5.1", sec, sizeof sec));
}

static bool l4_any_pcrop(const stm32l4drv *f, const uint32_t *w)
{
	for (unsigned i = 0; i < 2; i++) {
		stm32l4_area a;
		stm32l4_pcrop_area(f, w, i, &a);
		if (a.used)
			return true;
	}
	return false;
}

/* What a regression from these options erases, for the plan's words. */
static void l4_regress_cost(const stm32l4drv *f, const uint32_t *w, bool pcrop_rdp, fk_step *s)
{
	const stm32l4_device *d = f->dev;
	char keep[96] = "";
	uint64_t kept = 0;
	for (unsigned i = 0; i < 2 && !pcrop_rdp; i++) {
		stm32l4_area a;
		stm32l4_pcrop_area(f, w, i, &a);
		if (!a.used)
			continue;
		/* the pages holding PCROP data survive (§3.5.1) */
		uint32_t plo = a.lo - (a.lo - STM32L4_FLASH_BASE) % d->page_bytes;
		uint32_t phi = a.hi + (d->page_bytes - (a.hi - STM32L4_FLASH_BASE) % d->page_bytes) %
					      d->page_bytes;
		kept |= l4_units_mask(f, plo, phi);
		fk_snprintf_cat(keep, sizeof keep, "%s0x%08X-0x%08X", keep[0] ? ", " : "", plo,
				phi - 1U);
	}
	if (keep[0])
		snprintf(s->cost_text, sizeof s->cost_text, "all flash but the PCROP pages "
			 "%.45s (PCROP_RDP = 0 keeps them), and the %u %s", keep, d->nbkp, d->bkp_name);
	else
		snprintf(s->cost_text, sizeof s->cost_text, "all flash (%u KiB)%s and the %u %s",
			 f->flash_kb, l4_any_pcrop(f, w) ? ", the PCROP areas" : "", d->nbkp,
			 d->bkp_name);
	(void)kept;
	s->cost = FK_COST_ALL_FLASH;
	s->destructive = true;
	s->backup = true;
}

static void l4_plan_unlock(stm32l4drv *f, const stm32l4_optstate *o, const fk_inventory *inv,
			   fk_step_id upto, fk_plan *plan)
{
	const stm32l4_device *d = f->dev;
	char sec[32];
	l4_plan_keys(inv, plan, upto);
	uint32_t w[STM32L4_MAXREG];
	memcpy(w, o->w, sizeof w);
	fk_step *s;
	bool wrp = false;
	for (unsigned i = 0; i < 4 && !o->hidden; i++) {
		stm32l4_area a;
		stm32l4_wrp_area(f, o->w, i, &a);
		wrp |= a.used;
	}
	if ((wrp || ((o->sr & STM32L4_FLASH_SR_OPTVERR) && o->level == 0)) && upto >= FK_STEP_WRP &&
	    (s = fk_plan_step_add(plan, FK_STEP_WRP))) {
		for (unsigned i = 0; i < 4; i++) {
			stm32l4_area a;
			stm32l4_wrp_area(f, o->w, i, &a);
			if (a.used)
				s->sectors |= l4_units_mask(f, a.lo, a.hi);
			if (d->i_wrp[i] >= 0)
				w[d->i_wrp[i]] = (w[d->i_wrp[i]] & ~(d->wrp_field | d->wrp_field << 16)) |
						 d->wrp_field;
		}
		l4_describe_write(f, w, o->w, s, "remove write protection (areas set unused, STRT > "
						 "END): ");
		fk_strlcpy(s->cost_text, "nothing: no data is lost (the other option values are "
					 "kept)", sizeof s->cost_text);
		l4_step_target(f, s, w);
		l4_refuse_level2(f, s, o);
	}
	bool pcrop = !o->hidden && l4_any_pcrop(f, o->w);
	if (pcrop && !o->pcrop_rdp && upto >= FK_STEP_RDP && o->level < 2 &&
	    (s = fk_plan_step_add(plan, FK_STEP_RDP_RAISE))) {
		/* PCROP goes only with a regression that has PCROP_RDP = 1 (§3.5.2): set it (and
		 * level 1 when at 0, so that the regression can follow) */
		w[d->i_pce[0]] |= STM32L4_PCROP_RDP;
		if (o->level == 0)
			w[0] = (w[0] & ~0xFFU) | 0xBBU;
		l4_describe_write(f, w, o->w, s, o->level == 0
						     ? "prepare PCROP removal: set PCROP_RDP (it can "
						       "only be set, never cleared by software) and "
						       "RDP level 1 (0xBB): "
						     : "prepare PCROP removal: set PCROP_RDP (it can "
						       "only be set, never cleared by software): ");
		snprintf(s->cost_text, sizeof s->cost_text, "nothing yet, but the next step erases "
			 "all flash including the PCROP areas (%s)%s",
			 stm32l4_sec(f, "3.5.2", sec, sizeof sec),
			 o->level == 0 ? "; at level 1 the debugger cannot read flash" : "");
		s->backup = o->level == 0;
		l4_step_target(f, s, w);
	}
	if ((o->level == 1 || (pcrop && o->level == 0)) && upto >= FK_STEP_RDP &&
	    (s = fk_plan_step_add(plan, FK_STEP_RDP))) {
		bool prdp = o->pcrop_rdp || pcrop;
		w[0] = (w[0] & ~0xFFU) | 0xAAU;
		l4_describe_write(f, w, o->w, s, "regress to level 0 (RDP=0xAA): ");
		l4_regress_cost(f, o->w, prdp, s);
		if (o->hidden) {
			snprintf(s->cost_text, sizeof s->cost_text, "all flash (but the pages of PCROP "
				 "areas if PCROP_RDP = 0: unreadable through the bootloader at level "
				 "1) and the %u %s", d->nbkp, d->bkp_name);
		}
		l4_step_target(f, s, w);
	}
	if (o->level == 2 && upto >= FK_STEP_RDP && (s = fk_plan_step_add(plan, FK_STEP_RDP))) {
		fk_strlcpy(s->what, "regress RDP level 2", sizeof s->what);
		s->cost = FK_COST_IMPOSSIBLE;
		fk_strlcpy(s->cost_text, "impossible", sizeof s->cost_text);
		l4_refuse_level2(f, s, o);
	}
	plan->nothing_to_do = plan->nsteps == 0;
}

static int l4_plan_options(stm32l4drv *f, fk_ctx *ctx, const stm32l4_optstate *o,
			   const fk_inventory *inv, const uint32_t *want, fk_plan *plan)
{
	const stm32l4_device *d = f->dev;
	char sec[32];
	bool same = true;
	for (unsigned i = 0; i < d->nregs; i++)
		same &= ((want[i] ^ o->w[i]) & d->regs[i].mask) == 0;
	if (same) {
		plan->nothing_to_do = true;
		return FK_OK;
	}
	l4_plan_keys(inv, plan, FK_STEP_OPT);
	unsigned to = stm32l4_rdp_level((uint8_t)want[0]);
	fk_step_id id = to < o->level ? FK_STEP_RDP : to > o->level ? FK_STEP_RDP_RAISE
								    : FK_STEP_WRP;
	fk_step *s = fk_plan_step_add(plan, id);
	if (!s)
		return fk_fail(ctx, FK_E_INTERNAL, "plan full");
	bool set_prdp = (want[d->i_pce[0]] & STM32L4_PCROP_RDP) && !o->pcrop_rdp;
	l4_describe_write(f, want, o->w, s, set_prdp ? "set PCROP_RDP (it can only be set, never "
						       "cleared by software; only a full "
						       "regression erase clears it): "
						     : id == FK_STEP_RDP ? "regress to level 0: " : "");
	fk_strlcpy(s->cost_text, "nothing: no data is lost", sizeof s->cost_text);
	if (id == FK_STEP_RDP) {
		l4_regress_cost(f, o->w, (want[d->i_pce[0]] & STM32L4_PCROP_RDP) != 0, s);
	} else if (id == FK_STEP_RDP_RAISE) {
		s->backup = true;
		if (to == 2) {
			s->irreversible = true;
			s->cost = FK_COST_IMPOSSIBLE;
			snprintf(s->cost_text, sizeof s->cost_text, "PERMANENT: level 2 disables the "
				 "debug port and the bootloader for good and freezes the option bytes "
				 "(%s); nothing can undo it", stm32l4_sec(f, "3.5.1", sec, sizeof sec));
		} else {
			fk_strlcpy(s->cost_text, "nothing lost, but main flash becomes unreadable from "
						 "the debugger and the bootloader; going back to "
						 "level 0 erases it", sizeof s->cost_text);
		}
	}
	l4_step_target(f, s, want);
	l4_refuse_level2(f, s, o);
	return FK_OK;
}

/* On the bootloader path an option step is possible only as one of the ROM's protection
 * commands (stm32l4_boot_cmd_for): the plan names the command, or refuses the step and says
 * which path can. */
static void l4_plan_boot_check(stm32l4drv *f, const stm32l4_optstate *o, fk_plan *plan)
{
	static const char *const cmd_what[256] = {
		[0x73] = "remove write protection: AN3155 Write Unprotect (0x73); the ROM sets every "
			 "WRP area unused (STRT > END) and loads the option bytes (a system reset), "
			 "then read back",
		[0x82] = "raise to RDP level 1: AN3155 Readout Protect (0x82); the ROM writes a "
			 "level-1 RDP byte and loads it (a system reset), then read back",
		[0x92] = "regress to level 0: AN3155 Readout Unprotect (0x92); the ROM writes "
			 "RDP=0xAA and loads it (a system reset: the regression erases), then read "
			 "back",
	};
	if (!f->bl)
		return;
	for (unsigned i = 0; i < plan->nsteps; i++) {
		fk_step *s = &plan->steps[i];
		if (!f->target_set[s->id] || s->refused)
			continue;
		char why[sizeof s->why];
		uint8_t cmd = stm32l4_boot_cmd_for(f, o, f->target[s->id], why, sizeof why);
		if (!cmd) {
			s->refused = true;
			fk_strlcpy(s->why, why, sizeof s->why);
		} else {
			fk_strlcpy(s->what, cmd_what[cmd], sizeof s->what);
		}
	}
}

int stm32l4_plan(stm32l4drv *f, fk_ctx *ctx, const fk_inventory *inv, const fk_change *req,
		 fk_plan *plan)
{
	stm32l4_optstate o;
	int rc = stm32l4_options(f, ctx, &o);
	if (rc)
		return rc;
	memset(plan, 0, sizeof *plan);
	memset(f->target_set, 0, sizeof f->target_set);
	if (req->kind == FK_CHANGE_UNLOCK) {
		l4_plan_unlock(f, &o, inv, req->upto, plan);
		l4_plan_boot_check(f, &o, plan);
		return FK_OK;
	}
	uint32_t want[STM32L4_MAXREG];
	memcpy(want, o.w, sizeof want);
	if (req->kind == FK_CHANGE_OPTIONS) {
		for (unsigned i = 0; i < req->nkv; i++) {
			rc = stm32l4_opt_apply(f, ctx, req->kv[i], want);
			if (rc)
				return rc;
		}
		rc = l4_plan_options(f, ctx, &o, inv, want, plan);
		l4_plan_boot_check(f, &o, plan);
		return rc;
	}
	if (req->kind == FK_CHANGE_OPTIONS_RAW) {
		if (!req->raw || req->raw_len != 4U * f->dev->nregs)
			return fk_fail(ctx, FK_E_BAD_FILE, "option backup of %u bytes: the %s keeps "
							   "%u (its option registers)", req->raw_len,
				       f->dev->desc, 4U * f->dev->nregs);
		for (unsigned i = 0; i < f->dev->nregs; i++)
			want[i] = fk_get_le32(req->raw + 4 * i);
		rc = l4_plan_options(f, ctx, &o, inv, want, plan);
		l4_plan_boot_check(f, &o, plan);
		return rc;
	}
	if (req->kind == FK_CHANGE_OPTIONS_IMAGE)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "the %s: option bytes in an image are not "
						      "applied yet; set them with `flashkey options "
						      "set` (nothing was written)", f->dev->desc);
	return fk_fail(ctx, FK_E_UNSUPPORTED, "the %s's OTP area is not handled by flashkey yet "
					      "(change kind %d)", f->dev->desc, (int)req->kind);
}

/* After OBL_LAUNCH the registers show what was loaded: it must be what was written. */
static int l4_readback(stm32l4drv *f, fk_ctx *ctx, const uint32_t *w)
{
	const stm32l4_device *d = f->dev;
	stm32l4_optstate o;
	int rc = stm32l4_options(f, ctx, &o);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the option registers back after OBL_LAUNCH");
	for (unsigned i = 0; i < d->nregs; i++) {
		uint32_t m = d->regs[i].mask;
		if (i == (unsigned)d->i_pce[0] && !(w[i] & STM32L4_PCROP_RDP))
			m &= ~STM32L4_PCROP_RDP; /* a full regression erase may have cleared it */
		for (unsigned k = 0; k < 4; k++) {
			stm32l4_area want, got;
			if (d->i_wrp[k] != (int)i)
				continue;
			stm32l4_wrp_area(f, w, k, &want);
			stm32l4_wrp_area(f, o.w, k, &got);
			/* an unused area has many encodings (any STRT > END, §3.5.3): the ROM's
			 * Write Unprotect chooses its own */
			if (!want.used && !got.used)
				m &= ~(d->wrp_field | d->wrp_field << 16);
		}
		if (((o.w[i] ^ w[i]) & m) == 0)
			continue;
		return fk_fail(ctx, FK_E_VERIFY, "FLASH_%s reads 0x%08X after loading 0x%08X "
						 "(bits 0x%08X differ)", d->regs[i].name, o.w[i],
			       w[i] & m, (o.w[i] ^ w[i]) & m);
	}
	return FK_OK;
}

int stm32l4_step(stm32l4drv *f, fk_ctx *ctx, const fk_step *st)
{
	char sec[32];
	switch (st->id) {
	case FK_STEP_ERRORS: return stm32l4_clear_errors(f, ctx);
	case FK_STEP_CTRL: return stm32l4_unlock_ctrl(f, ctx);
	case FK_STEP_OPT: return stm32l4_unlock_opt(f, ctx);
	case FK_STEP_WRP:
	case FK_STEP_RDP_RAISE:
	case FK_STEP_RDP: {
		if (!f->target_set[st->id])
			return fk_fail(ctx, FK_E_INTERNAL, "step %s: no option values planned",
				       st->name);
		uint32_t w[STM32L4_MAXREG];
		memcpy(w, f->target[st->id], sizeof w);
		stm32l4_optstate o;
		int rc = stm32l4_options(f, ctx, &o);
		if (rc)
			return rc;
		if (o.level == 2)
			return fk_fail(ctx, FK_E_PROTECTED, "RDP level 2: the option bytes are frozen "
				       "for good (%s)", stm32l4_sec(f, "3.5.1", sec, sizeof sec));
		bool regress = stm32l4_rdp_level((uint8_t)w[0]) < o.level;
		if (regress != (st->id == FK_STEP_RDP))
			return fk_fail(ctx, FK_E_INTERNAL, "step %s: RDP 0x%02X at level %u does not "
				       "match the plan", st->name, w[0] & 0xFFU, o.level);
		if (f->bl) {
			rc = stm32l4_boot_options_write(f, ctx, &o, w);
			stm32l4_optstate n;
			if (!rc)
				rc = stm32l4_options(f, ctx, &n);
			if (rc)
				return fk_fail_wrap(ctx, rc, "reading the option words back");
			unsigned want = stm32l4_rdp_level((uint8_t)w[0]);
			/* the words were unknown before (level 1) or are now (level 1 hides them):
			 * the level is what can be read back */
			if (o.hidden || n.hidden)
				return n.level == want ? FK_OK
						       : fk_fail(ctx, FK_E_VERIFY, "RDP level %u after "
								 "the bootloader command, not %u",
								 n.level, want);
		} else {
			rc = stm32l4_write_options(f, ctx, w);
		}
		if (!rc && regress && (w[f->dev->i_pce[0]] & STM32L4_PCROP_RDP)) {
			/* the full erase removed the PCROP areas and cleared PCROP_RDP (§3.5.2) */
			const stm32l4_device *d = f->dev;
			for (unsigned i = 0; i < 2; i++)
				if (d->i_pcs[i] >= 0) {
					w[d->i_pcs[i]] |= d->pcrop_field;
					w[d->i_pce[i]] &= ~(d->pcrop_field | STM32L4_PCROP_RDP);
				}
			rc = l4_readback(f, ctx, w);
		} else if (!rc) {
			rc = l4_readback(f, ctx, w);
		}
		return rc;
	}
	default:
		return fk_fail(ctx, FK_E_INTERNAL, "step %s: not a step of this family", st->name);
	}
}
