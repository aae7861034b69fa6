/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F0/F1/F3: option bytes as semantic keys, the protection inventory, the unlock ladder and
 * option changes as plans of steps, and running those steps.
 *
 * Sources: PM0075 Rev 2 §2.4.1 (RDP: 0xA5 = unprotected, any other value protected; at level 1
 * the debugger, SRAM boot and the bootloader cannot read main flash, the first 4 KiB are
 * write-protected, program/erase only from code in flash, mass erase allowed; "the
 * unprotection first forces a mass erase"), §2.4.2 (WRPx bits, 4 pages per bit medium density,
 * 2 high density), §2.5 Table 4 (option bytes: RDP, USER = WDG_SW | nRST_STOP << 1 |
 * nRST_STDBY << 2, Data0, Data1, WRP0-3, each with its complement; loaded at reset; a mismatch
 * sets OPTERR and forces the byte to 0xFF), §3.7 (FLASH_OBR: OPTERR bit 0, RDPRT bit 1, USER
 * [9:2], Data0 [17:10], Data1 [25:18]), §3.8 (FLASH_WRPR); RM0091 Rev 10 §3.3 Table 11 (F0
 * USER: nBOOT1 bit 4, VDDA_MONITOR bit 5, RAM_PARITY_CHECK bit 6), §3.3.1 Tables 9-10 (0xAA
 * level 0, 0xCC level 2 "irreversible": debug, RAM boot and bootloader disabled, option bytes
 * frozen; level 1: program/erase from the debugger refused), §3.5.8 (FLASH_OBR: RDPRT [2:1],
 * USER [15:8], Data0 [23:16], Data1 [31:24]); RM0316 §4.3-§4.5 (F3, as F0);
 * ../shared/reference/stm32-fpec.md §2-§4. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chip/stm32f1_fam.h"
#include "core/core.h"
#include "flashkey/flashkey.h"

static bool f1_pair_ok(uint8_t v, uint8_t c)
{
	return (uint8_t)(v ^ c) == 0xFFU || (v == 0xFFU && c == 0xFFU);
}

void stm32f1_opt_decode(const stm32f1_device *dev, stm32f1_optstate *o)
{
	const uint8_t *r = o->raw;
	o->bad_pairs = 0;
	for (unsigned i = 0; i < 8; i++)
		if (!f1_pair_ok(r[2 * i], r[2 * i + 1]))
			o->bad_pairs |= 1U << i;
	o->stored = (stm32f1_opts){r[0], r[2], r[4], r[6],
				   (uint32_t)r[8] | (uint32_t)r[10] << 8 | (uint32_t)r[12] << 16 |
					   (uint32_t)r[14] << 24};
	o->opterr = (o->obr & STM32F1_FLASH_OBR_OPTERR) != 0;
	if (dev->family == STM32F1_FAM_F1) {
		o->level = (o->obr >> 1) & 1U;
		o->loaded.user = (uint8_t)(o->obr >> 2);
		o->loaded.data0 = (uint8_t)(o->obr >> 10);
		o->loaded.data1 = (uint8_t)(o->obr >> 18);
	} else {
		o->level = (o->obr & 4U) ? 2U : (o->obr & 2U) ? 1U : 0U;
		o->loaded.user = (uint8_t)(o->obr >> 8);
		o->loaded.data0 = (uint8_t)(o->obr >> 16);
		o->loaded.data1 = (uint8_t)(o->obr >> 24);
	}
	o->loaded.wrp = o->wrpr;
	/* OBR keeps only the level: the byte is the stored one when it gives that level */
	o->loaded.rdp = stm32f1_dev_rdp_level(dev, o->stored.rdp) == o->level &&
				!(o->bad_pairs & 1U)
			    ? o->stored.rdp
			    : stm32f1_rdp_code(dev, o->level, 0xFF);
}

uint8_t stm32f1_rdp_code(const stm32f1_device *dev, unsigned level, uint8_t keep)
{
	if (level == 0)
		return stm32f1_dev_rdp_level0(dev);
	if (level == 2)
		return stm32f1_dev_rdp_level2(dev);
	/* any other byte is level 1; keep the chip's own when it is one, else 0x00 (what
	 * OpenOCD's `stm32f1x lock` writes, stm32-fpec.md §5) */
	return stm32f1_dev_rdp_level(dev, keep) == 1 ? keep : 0x00;
}

/* WRP bits that exist on this part (16 on 64-KiB F0 parts: WRP0/WRP1 only). */
static uint32_t f1_wrp_mask(const stm32f1_device *dev)
{
	return dev->wrp_bits >= 32 ? 0xFFFFFFFFU : (1U << dev->wrp_bits) - 1U;
}

bool stm32f1_page_protected(const stm32f1drv *f, const stm32f1_optstate *o, unsigned page,
			    const char **why)
{
	const stm32f1_device *dev = f->dev;
	unsigned bit = stm32f1_dev_wrp_bit(dev, page);
	if (!((o->wrpr >> bit) & 1U)) {
		*why = "WRP";
		return true;
	}
	if ((dev->flags & STM32F1_F_RDP_4K_WRP) && o->level >= 1 &&
	    (page + 1U) * dev->page_bytes <= 4096U) {
		*why = "RDP level 1 (first 4 KiB)";
		return true;
	}
	return false;
}

/* "0-3, 8-11": the pages the cleared bits of wrp protect. */
static void f1_wrp_text(const stm32f1drv *f, uint32_t wrp, char *out, size_t n)
{
	out[0] = '\0';
	unsigned first, last;
	for (unsigned bit = 0; bit < f->dev->wrp_bits; bit++) {
		if ((wrp >> bit) & 1U)
			continue;
		if (!stm32f1_dev_wrp_range(f->dev, f->flash_kb, bit, &first, &last))
			continue;
		fk_snprintf_cat(out, n, "%s%u-%u", out[0] ? ", " : "", first, last);
	}
	if (!out[0])
		fk_strlcpy(out, "none", n);
}

/* ---- the options schema (driver.h fk_opt_field) ---- */
unsigned stm32f1_opt_fields(const stm32f1_device *dev, fk_opt_field *out, unsigned cap)
{
	bool l2 = (dev->flags & STM32F1_F_LEVEL2) != 0;
	const fk_opt_field common[] = {
		{"rdp", l2 ? "0|1|2" : "0|1",
		 l2 ? "read-out protection: 0 = 0xAA, 1 = any other byte, 2 = 0xCC (permanent: debug "
		      "and bootloader gone for good), RM0091 §3.3.1"
		    : "read-out protection: 0 = 0xA5, 1 = any other byte (PM0075 §2.4.1); 1 -> 0 "
		      "mass-erases",
		 l2},
		{"wdg_sw", "0|1", "USER bit 0 WDG_SW: 1 = watchdog started by software, 0 = by "
				  "hardware at reset", false},
		{"nrst_stop", "0|1", "USER bit 1 nRST_STOP: 0 = reset when entering Stop", false},
		{"nrst_stdby", "0|1", "USER bit 2 nRST_STDBY: 0 = reset when entering Standby", false},
		{"data0", "0-255", "user data byte 0 (option byte Data0)", false},
		{"data1", "0-255", "user data byte 1 (option byte Data1)", false},
		{"wrp", "none|all|LIST", "write-protected pages in whole WRP groups, e.g. 0-3,8-11 "
					 "(WRPx option bytes)", false},
	};
	const fk_opt_field f0[] = {
		{"nboot1", "0|1", "USER bit 4 nBOOT1: with BOOT0 = 1, 1 boots system memory, 0 SRAM "
				  "(RM0091 §3.3 Table 11)", false},
		{"vdda_monitor", "0|1", "USER bit 5 VDDA_MONITOR: 1 = VDDA supervisor on", false},
		{"ram_parity", "0|1", "USER bit 6 RAM_PARITY_CHECK: 0 = parity check enabled",
		 false},
	};
	unsigned n = 0;
	for (unsigned i = 0; i < FK_ARRAY_SIZE(common) && n < cap; i++)
		out[n++] = common[i];
	if (dev->flags & STM32F1_F_F0_USER)
		for (unsigned i = 0; i < FK_ARRAY_SIZE(f0) && n < cap; i++)
			out[n++] = f0[i];
	return n;
}

static int f1_bit_value(fk_ctx *ctx, const char *key, const char *val, uint8_t *user,
			uint8_t bit)
{
	if (strcmp(val, "0") == 0)
		*user = (uint8_t)(*user & ~bit);
	else if (strcmp(val, "1") == 0)
		*user = (uint8_t)(*user | bit);
	else
		return fk_fail(ctx, FK_E_INVALID_ARG, "%s=%s: expected 0 or 1", key, val);
	return FK_OK;
}

/* "0-3,8-11" -> the WRP bits whose whole page groups the list names; partial groups refused. */
static int f1_wrp_list(const stm32f1drv *f, fk_ctx *ctx, const char *list, uint32_t *wrp)
{
	unsigned npages = f->npages;
	uint8_t *want = calloc(npages ? npages : 1, 1);
	if (!want)
		return fk_fail(ctx, FK_E_NOMEM, "wrp list");
	int rc = FK_OK;
	for (const char *p = list; *p && !rc;) {
		size_t w = strcspn(p, ",");
		char tok[32], *dash;
		if (w == 0 || w >= sizeof tok) {
			rc = fk_fail(ctx, FK_E_INVALID_ARG, "wrp=%s: bad page list near \"%.*s\"", list,
				     (int)(w < 20 ? w : 20), p);
			break;
		}
		memcpy(tok, p, w);
		tok[w] = '\0';
		uint32_t a, b;
		dash = strchr(tok, '-');
		if (dash)
			*dash = '\0';
		if (fk_parse_u32(tok, &a) || (dash ? fk_parse_u32(dash + 1, &b) : (b = a, 0)) ||
		    b < a) {
			rc = fk_fail(ctx, FK_E_INVALID_ARG, "wrp=%s: \"%.*s\" is not a page or a "
							    "range of pages (0-3)", list, (int)w, p);
			break;
		}
		if (b >= npages) {
			rc = fk_fail(ctx, FK_E_RANGE, "wrp=%s: page %u does not exist (pages 0-%u)",
				     list, b, npages - 1U);
			break;
		}
		for (uint32_t i = a; i <= b; i++)
			want[i] = 1;
		p += w;
		p += *p == ',';
	}
	for (unsigned bit = 0; bit < f->dev->wrp_bits && !rc; bit++) {
		unsigned first, last, n = 0;
		if (!stm32f1_dev_wrp_range(f->dev, f->flash_kb, bit, &first, &last))
			continue;
		for (unsigned i = first; i <= last; i++)
			n += want[i];
		if (n && n != last - first + 1U) {
			fk_hint(ctx, "write protection covers whole groups: list pages %u-%u", first,
				last);
			rc = fk_fail(ctx, FK_E_INVALID_ARG, "wrp=%s: pages %u-%u form one group (WRP "
							    "bit %u, PM0075 §2.4.2); the list names "
							    "only part of it", list, first, last, bit);
		}
		if (n)
			*wrp &= ~(1U << bit);
	}
	free(want);
	return rc;
}

int stm32f1_opt_apply(const stm32f1drv *f, fk_ctx *ctx, const char *kv, stm32f1_opts *want)
{
	const stm32f1_device *dev = f->dev;
	const char *eq = strchr(kv, '=');
	char key[24];
	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof key)
		return fk_fail(ctx, FK_E_INVALID_ARG, "\"%s\": expected KEY=VALUE", kv);
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	const char *val = eq + 1;
	uint32_t n;
	bool f0 = (dev->flags & STM32F1_F_F0_USER) != 0;
	if (strcasecmp(key, "rdp") == 0) {
		if (fk_parse_u32(val, &n) || n > 2)
			return fk_fail(ctx, FK_E_INVALID_ARG, "rdp=%s: expected 0, 1 or 2", val);
		if (n == 2 && !(dev->flags & STM32F1_F_LEVEL2))
			return fk_fail(ctx, FK_E_UNSUPPORTED, "rdp=2: the %s has no read protection "
							      "level 2 (PM0075 §2.4.1: 0xA5 or "
							      "level 1)", dev->desc);
		want->rdp = stm32f1_rdp_code(dev, n, want->rdp);
		return FK_OK;
	}
	if (strcasecmp(key, "wdg_sw") == 0 || strcasecmp(key, "wdg") == 0) {
		const char *v = strcasecmp(val, "sw") == 0 ? "1" : strcasecmp(val, "hw") == 0 ? "0"
											: val;
		return f1_bit_value(ctx, key, v, &want->user, STM32F1_USER_WDG_SW);
	}
	if (strcasecmp(key, "nrst_stop") == 0)
		return f1_bit_value(ctx, key, val, &want->user, STM32F1_USER_NRST_STOP);
	if (strcasecmp(key, "nrst_stdby") == 0)
		return f1_bit_value(ctx, key, val, &want->user, STM32F1_USER_NRST_STDBY);
	if (f0 && strcasecmp(key, "nboot1") == 0)
		return f1_bit_value(ctx, key, val, &want->user, STM32F1_USER_NBOOT1);
	if (f0 && strcasecmp(key, "vdda_monitor") == 0)
		return f1_bit_value(ctx, key, val, &want->user, STM32F1_USER_VDDA_MONITOR);
	if (f0 && strcasecmp(key, "ram_parity") == 0)
		return f1_bit_value(ctx, key, val, &want->user, STM32F1_USER_RAM_PARITY);
	if (strcasecmp(key, "data0") == 0 || strcasecmp(key, "data1") == 0) {
		if (fk_parse_u32(val, &n) || n > 255)
			return fk_fail(ctx, FK_E_INVALID_ARG, "%s=%s: expected 0-255", key, val);
		if (key[4] == '0')
			want->data0 = (uint8_t)n;
		else
			want->data1 = (uint8_t)n;
		return FK_OK;
	}
	if (strcasecmp(key, "wrp") == 0) {
		uint32_t keep = ~f1_wrp_mask(dev); /* absent WRPx bytes stay erased */
		if (strcasecmp(val, "none") == 0)
			want->wrp = 0xFFFFFFFFU;
		else if (strcasecmp(val, "all") == 0)
			want->wrp = keep;
		else {
			uint32_t w = 0xFFFFFFFFU;
			int rc = f1_wrp_list(f, ctx, val, &w);
			if (rc)
				return rc;
			want->wrp = w | keep;
		}
		return FK_OK;
	}
	fk_hint(ctx, "keys: rdp, wdg_sw, nrst_stop, nrst_stdby, data0, data1, wrp%s",
		f0 ? ", nboot1, vdda_monitor, ram_parity" : "");
	return fk_fail(ctx, FK_E_INVALID_ARG, "%s: not an option key of the %s", key, dev->desc);
}

/* ---- inventory ---- */
static fk_lock *f1_lock_add(fk_inventory *inv, fk_lock_kind kind, const char *name)
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

static void f1_opt_add(fk_inventory *inv, const char *key, uint32_t v, const char *fmt, ...)
	FK_PRINTF(4, 5);
static void f1_opt_add(fk_inventory *inv, const char *key, uint32_t v, const char *fmt, ...)
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

static const char *const f1_pair_names[8] = {"RDP", "USER", "Data0", "Data1",
					     "WRP0", "WRP1", "WRP2", "WRP3"};

static void f1_inv_options(const stm32f1drv *f, const stm32f1_optstate *o, fk_inventory *inv)
{
	const stm32f1_opts *l = &o->loaded;
	const char *lv = o->level == 0 ? "level 0" : o->level == 1 ? "level 1" : "level 2";
	char wrp[96];
	if (!o->raw_valid && !o->regs_valid) {
		/* the bootloader at level 1: only the refusal is known (AN3155 Table 2) */
		f1_opt_add(inv, "rdp", 0xFFU, "%s (byte unreadable over the bootloader)", lv);
		return;
	}
	f1_opt_add(inv, "rdp", o->stored.rdp, "%s (0x%02X)", lv, o->stored.rdp);
	f1_opt_add(inv, "wdg_sw", l->user & 1U, "%s", (l->user & 1U) ? "software" : "hardware");
	f1_opt_add(inv, "nrst_stop", (l->user >> 1) & 1U, "%s",
		   (l->user & STM32F1_USER_NRST_STOP) ? "no reset" : "reset on Stop");
	f1_opt_add(inv, "nrst_stdby", (l->user >> 2) & 1U, "%s",
		   (l->user & STM32F1_USER_NRST_STDBY) ? "no reset" : "reset on Standby");
	f1_opt_add(inv, "data0", l->data0, "0x%02X", l->data0);
	f1_opt_add(inv, "data1", l->data1, "0x%02X", l->data1);
	f1_wrp_text(f, l->wrp, wrp, sizeof wrp);
	f1_opt_add(inv, "wrp", l->wrp, "pages %s", wrp);
	if (f->dev->flags & STM32F1_F_F0_USER) {
		f1_opt_add(inv, "nboot1", (l->user >> 4) & 1U, "%u", (l->user >> 4) & 1U);
		f1_opt_add(inv, "vdda_monitor", (l->user >> 5) & 1U, "%s",
			   (l->user & STM32F1_USER_VDDA_MONITOR) ? "on" : "off");
		f1_opt_add(inv, "ram_parity", (l->user >> 6) & 1U, "%s",
			   (l->user & STM32F1_USER_RAM_PARITY) ? "check off" : "check on");
	}
}

/* One WRP lock per run of pages the loaded WRPR protects, as an address range (an HD part's
 * WRP31 covers pages 62-255, PM0075 §2.4.2). */
static void f1_inv_wrp(const stm32f1drv *f, const stm32f1_optstate *o, fk_inventory *inv)
{
	for (unsigned p = 0; p < f->npages;) {
		const char *why;
		if (!stm32f1_page_protected(f, o, p, &why) || strcmp(why, "WRP") != 0) {
			p++;
			continue;
		}
		unsigned q = p;
		while (q + 1U < f->npages && stm32f1_page_protected(f, o, q + 1U, &why) &&
		       strcmp(why, "WRP") == 0)
			q++;
		fk_lock *l = f1_lock_add(inv, FK_LOCK_WRP, "WRP");
		if (!l)
			return;
		snprintf(l->state, sizeof l->state, "pages %u-%u", p, q);
		snprintf(l->raw, sizeof l->raw, "FLASH_WRPR=0x%08X", o->wrpr);
		l->range_addr = f->units[p].addr;
		l->range_len = f->units[q].addr + f->units[q].size - l->range_addr;
		for (unsigned i = p; i <= q && i < 64; i++)
			l->sectors |= 1ULL << i;
		l->blocks_write = true;
		l->step = FK_STEP_WRP;
		l->cost = FK_COST_NOTHING;
		l->pending = FK_PENDING_RESET;
		fk_strlcpy(l->remedy, "erase the option bytes and program them with WRPx = 0xFF, the "
				      "other options kept (PM0075 §2.5); no data is lost; loads at "
				      "the next reset", sizeof l->remedy);
		p = q + 1U;
	}
}

static void f1_inv_locks(const stm32f1drv *f, const stm32f1_optstate *o, uint32_t sr,
			 uint32_t cr, fk_inventory *inv)
{
	const stm32f1_device *dev = f->dev;
	fk_lock *l;
	/* PM0075 §3.4 FLASH_SR.BSY: an operation runs, or the controller is stuck (class 16) */
	if ((sr & STM32F1_FLASH_SR_BSY) && (l = f1_lock_add(inv, FK_LOCK_BUSY, "FLASH_SR.BSY"))) {
		fk_strlcpy(l->state, "busy: an operation runs, or the controller is stuck",
			   sizeof l->state);
		snprintf(l->raw, sizeof l->raw, "FLASH_SR=0x%08X", sr);
		fk_strlcpy(l->remedy, "flashkey waits for it (saying so after a second) before any erase or program; a flag that never clears is a stuck controller: reset the chip (`flashkey reset`) or power-cycle it", sizeof l->remedy);
	}
	if ((sr & STM32F1_FLASH_SR_ERRORS) && (l = f1_lock_add(inv, FK_LOCK_ERRORS, "FLASH_SR"))) {
		snprintf(l->state, sizeof l->state, "%s%s",
			 (sr & STM32F1_FLASH_SR_PGERR) ? "PGERR " : "",
			 (sr & STM32F1_FLASH_SR_WRPRTERR) ? "WRPRTERR" : "");
		snprintf(l->raw, sizeof l->raw, "FLASH_SR=0x%08X", sr);
		l->step = FK_STEP_ERRORS;
		fk_strlcpy(l->remedy, "cleared by writing them back as 1 (PM0075 §3.4); costs "
				      "nothing", sizeof l->remedy);
	}
	if ((cr & STM32F1_FLASH_CR_LOCK) && (l = f1_lock_add(inv, FK_LOCK_CTRL, "FLASH_CR.LOCK"))) {
		snprintf(l->raw, sizeof l->raw, "FLASH_CR=0x%08X", cr);
		if (f->ops->key_failed && f->ops->key_failed(f->h, false)) {
			fk_strlcpy(l->state, "locked until reset (a key sequence failed)",
				   sizeof l->state);
			l->blocks_write = true;
			l->pending = FK_PENDING_RESET;
			fk_strlcpy(l->remedy, "a wrong key sequence locks the FPEC until the next "
					      "reset (PM0075 §2.3.1): run `flashkey reset`",
				   sizeof l->remedy);
		} else {
			fk_strlcpy(l->state, "locked (reset state)", sizeof l->state);
			l->step = FK_STEP_CTRL;
			fk_strlcpy(l->remedy, "KEY1, KEY2 to FLASH_KEYR (PM0075 §2.3.1); costs nothing",
				   sizeof l->remedy);
		}
	}
	if (!(cr & STM32F1_FLASH_CR_OPTWRE) &&
	    (l = f1_lock_add(inv, FK_LOCK_OPT, "FLASH_CR.OPTWRE"))) {
		fk_strlcpy(l->state, "0: option bytes write-locked (reset state)", sizeof l->state);
		snprintf(l->raw, sizeof l->raw, "FLASH_CR=0x%08X", cr);
		l->step = FK_STEP_OPT;
		fk_strlcpy(l->remedy, "KEY1, KEY2 to FLASH_OPTKEYR (PM0075 §2.5.1); costs nothing",
			   sizeof l->remedy);
	}
	if (o->opterr && (l = f1_lock_add(inv, FK_LOCK_OPTIONS_TORN, "FLASH_OBR.OPTERR"))) {
		char bad[64] = "";
		for (unsigned i = 0; i < 8; i++)
			if (o->bad_pairs & (1U << i))
				fk_snprintf_cat(bad, sizeof bad, "%s%s", bad[0] ? ", " : "",
						f1_pair_names[i]);
		snprintf(l->state, sizeof l->state, "option byte%s %s do%s not match %s complement: "
			 "loaded as 0xFF (an interrupted option write?)",
			 strchr(bad, ',') ? "s" : "", bad[0] ? bad : "(now rewritten)",
			 strchr(bad, ',') ? "" : "es", strchr(bad, ',') ? "their" : "its");
		snprintf(l->raw, sizeof l->raw, "FLASH_OBR=0x%08X", o->obr);
		l->step = o->level >= 1 ? FK_STEP_RDP : FK_STEP_WRP;
		l->cost = o->level >= 1 ? FK_COST_ALL_FLASH : FK_COST_NOTHING;
		l->pending = FK_PENDING_RESET;
		fk_strlcpy(l->remedy, "rewrite the option bytes with valid complements (erase + "
				      "program, PM0075 §2.5); a torn RDP byte loads as level 1, "
				      "and regressing it mass-erases", sizeof l->remedy);
	}
	if (o->level >= 1 && (l = f1_lock_add(inv, FK_LOCK_RDP, "RDP"))) {
		if (!o->raw_valid)
			snprintf(l->state, sizeof l->state, "level 1 (the bootloader refuses Read "
				 "Memory, AN3155 Table 2: the RDP byte is not readable this way)%s",
				 (dev->flags & STM32F1_F_RDP_4K_WRP) ? "; first 4 KiB write-protected"
								      : "");
		else
			snprintf(l->state, sizeof l->state, "level %u (RDP byte 0x%02X, complement "
				 "0x%02X)%s", o->level, o->raw[0], o->raw[1],
				 o->level == 1 && (dev->flags & STM32F1_F_RDP_4K_WRP)
				     ? "; first 4 KiB write-protected"
				     : o->level == 2 ? "; debug port and bootloader disabled" : "");
		snprintf(l->raw, sizeof l->raw, "FLASH_OBR=0x%08X", o->obr);
		l->blocks_write = true;
		if (o->level == 2) {
			l->cost = FK_COST_IMPOSSIBLE;
			l->reversible = false;
			fk_strlcpy(l->remedy, "level 2 is permanent (RM0091 §3.3.1): no tool can "
					      "regress it", sizeof l->remedy);
		} else {
			l->step = FK_STEP_RDP;
			l->cost = FK_COST_ALL_FLASH;
			l->pending = FK_PENDING_RESET;
			snprintf(l->remedy, sizeof l->remedy, "%s RDP=0x%02X mass-erases all "
				 "flash (%u KiB) first, then a reset loads level 0 (%s)",
				 f->kind == FK_PATH_ROM_STREAM ? "AN3155 Readout Unprotect programming"
							       : "programming",
				 stm32f1_dev_rdp_level0(dev), f->flash_kb,
				 dev->family == STM32F1_FAM_F1 ? "PM0075 §2.4.1" : "RM0091 §3.3.1");
		}
	}
	f1_inv_wrp(f, o, inv);
}

/* Content and CRC of each page listed, where flash reads (level 0); a page that does not read
 * stays "unreadable" (blank = -1). */
static void f1_sector_scan(stm32f1drv *f, fk_inventory *inv)
{
	uint8_t *buf = malloc(f->dev->page_bytes);
	fk_ctx *quiet = fk_ctx_new();
	for (unsigned i = 0; buf && quiet && i < inv->nsectors; i++) {
		fk_sector_info *si = &inv->sectors[i];
		if (si->size > f->dev->page_bytes || f->ops->read(f->h, quiet, si->addr, buf, si->size))
			continue;
		si->crc = fk_crc32(0, buf, si->size);
		si->blank = 1;
		for (uint32_t k = 0; k < si->size && si->blank; k++)
			si->blank = buf[k] == 0xFF;
	}
	fk_ctx_free(quiet);
	free(buf);
}

int stm32f1_inventory(stm32f1drv *f, fk_ctx *ctx, fk_inventory *inv)
{
	const fk_chip_desc *c = &f->desc;
	memset(inv, 0, sizeof *inv);
	fk_strlcpy(inv->chip, c->part, sizeof inv->chip);
	fk_strlcpy(inv->family, c->family, sizeof inv->family);
	fk_strlcpy(inv->path, f->ops->name, sizeof inv->path);
	inv->dev_id = c->dev_id;
	inv->rev_id = c->rev_id;
	fk_strlcpy(inv->revision, c->revision, sizeof inv->revision);
	inv->flash_base = c->flash_base;
	inv->flash_size = c->flash_size;
	inv->flash_size_assumed = c->flash_size_assumed;
	/* the bootloader path reads no FPEC register: the ROM unlocks and relocks by itself,
	 * so there are no key steps, and OBR/WRPR are inferred from the stored bytes */
	bool regs = f->ops->regs != NULL;
	uint32_t sr = 0, cr = regs ? 0 : STM32F1_FLASH_CR_OPTWRE;
	stm32f1_optstate o;
	int rc = regs ? f->ops->regs(f->h, ctx, &sr, &cr) : FK_OK;
	if (!rc)
		rc = f->ops->options(f->h, ctx, &o);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the flash controller state");
	inv->rdp_level = (int)o.level;
	inv->rdp_raw = o.raw[0];
	inv->flash_readable = o.level == 0;
	inv->intrusion = o.level >= 1;
	fk_inv_reg_add(inv, "FLASH_SR", STM32F1_FLASH_SR, sr, regs);
	fk_inv_reg_add(inv, "FLASH_CR", STM32F1_FLASH_CR, cr, regs);
	fk_inv_reg_add(inv, "FLASH_OBR", STM32F1_FLASH_OBR, o.obr, o.regs_valid);
	fk_inv_reg_add(inv, "FLASH_WRPR", STM32F1_FLASH_WRPR, o.wrpr, o.regs_valid);
	static const char *const words[4] = {"OB_RDP_USER", "OB_DATA", "OB_WRP01", "OB_WRP23"};
	for (unsigned i = 0; i < 4; i++)
		fk_inv_reg_add(inv, words[i], STM32F1_OPTBYTES + 4U * i, fk_get_le32(o.raw + 4 * i),
			   o.raw_valid);
	f1_inv_options(f, &o, inv);
	inv->nsectors = FK_MIN(f->npages, FK_INV_MAX_SECTORS);
	for (unsigned i = 0; i < inv->nsectors; i++) {
		const char *why;
		inv->sectors[i] = (fk_sector_info){.number = f->units[i].number,
						   .addr = f->units[i].addr,
						   .size = f->units[i].size,
						   .blank = -1};
		inv->sectors[i].wrp = stm32f1_page_protected(f, &o, i, &why);
	}
	if (o.level == 0)
		f1_sector_scan(f, inv);
	f1_inv_locks(f, &o, sr, cr, inv);
	for (unsigned i = 0; i < inv->nlocks; i++)
		inv->write_blocked |= inv->locks[i].blocks_write;
	return FK_OK;
}

/* ---- plans ---- */
void stm32f1_step_pack(const stm32f1_opts *o, fk_step *st)
{
	st->value[0] = (uint32_t)o->rdp | (uint32_t)o->user << 8 | (uint32_t)o->data0 << 16 |
		    (uint32_t)o->data1 << 24;
	st->value[1] = o->wrp;
}

void stm32f1_step_unpack(const fk_step *st, stm32f1_opts *o)
{
	o->rdp = (uint8_t)st->value[0];
	o->user = (uint8_t)(st->value[0] >> 8);
	o->data0 = (uint8_t)(st->value[0] >> 16);
	o->data1 = (uint8_t)(st->value[0] >> 24);
	o->wrp = st->value[1];
}

/* The option values the next load would give, each bad pair as the loader forces it (0xFF):
 * what an option write "keeps". RDP keeps the level in force. */
/* The stored layout of o (value, then its complement, per byte) (PM0075 §2.5). */
static void f1_opts_to_raw(const stm32f1_opts *o, uint8_t r[STM32F1_OPTBYTES_LEN])
{
	const uint8_t v[8] = {o->rdp, o->user, o->data0, o->data1, (uint8_t)o->wrp,
			      (uint8_t)(o->wrp >> 8), (uint8_t)(o->wrp >> 16), (uint8_t)(o->wrp >> 24)};
	for (unsigned i = 0; i < 8; i++) {
		r[2 * i] = v[i];
		r[2 * i + 1] = (uint8_t)~v[i];
	}
}

static stm32f1_opts f1_opts_kept(const stm32f1drv *f, const stm32f1_optstate *o)
{
	stm32f1_opts k = o->stored;
	uint8_t *b[4] = {&k.rdp, &k.user, &k.data0, &k.data1};
	for (unsigned i = 1; i < 4; i++)
		if (o->bad_pairs & (1U << i))
			*b[i] = 0xFF;
	for (unsigned i = 4; i < 8; i++)
		if (o->bad_pairs & (1U << i))
			k.wrp |= 0xFFU << (8 * (i - 4));
	k.rdp = stm32f1_rdp_code(f->dev, o->level, (o->bad_pairs & 1U) ? 0x00 : o->stored.rdp);
	return k;
}

static void f1_plan_keys(const stm32f1drv *f, const fk_inventory *inv, fk_plan *plan,
			 fk_step_id upto)
{
	(void)f;
	fk_step *s;
	for (unsigned i = 0; i < inv->nlocks; i++) {
		const fk_lock *l = &inv->locks[i];
		if (l->kind == FK_LOCK_ERRORS && upto >= FK_STEP_ERRORS &&
		    (s = fk_plan_step_add(plan, FK_STEP_ERRORS))) {
			fk_snprintf_cat(s->what, sizeof s->what, "clear %s", l->state);
			fk_snprintf_cat(s->what, sizeof s->what, "%s",
					" in FLASH_SR by writing them back as 1");
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
						   "key sequence failed (PM0075 §2.3.1): run "
						   "`flashkey reset` first", sizeof s->why);
			}
		}
	}
	for (unsigned i = 0; i < inv->nlocks; i++)
		if (inv->locks[i].kind == FK_LOCK_OPT && upto >= FK_STEP_OPT &&
		    (s = fk_plan_step_add(plan, FK_STEP_OPT))) {
			fk_strlcpy(s->what, "write KEY1, KEY2 to FLASH_OPTKEYR once (sets "
					    "FLASH_CR.OPTWRE)", sizeof s->what);
			fk_strlcpy(s->cost_text, "nothing", sizeof s->cost_text);
		}
}

static void f1_refuse_level2(fk_step *s, const stm32f1_optstate *o)
{
	if (o->level != 2)
		return;
	s->refused = true;
	fk_strlcpy(s->why, "RDP level 2 is permanent (RM0091 §3.3.1): the option bytes can no "
			   "longer be erased or programmed and no tool can regress it",
		   sizeof s->why);
}

static void f1_describe_write(const stm32f1drv *f, const stm32f1_opts *w, fk_step *s,
			      const char *lead)
{
	char wrp[96];
	f1_wrp_text(f, w->wrp, wrp, sizeof wrp);
	s->what[0] = '\0';
	if (f->kind == FK_PATH_ROM_STREAM) { /* the ROM does the FPEC sequence (AN3155 §3.6) */
		fk_snprintf_cat(s->what, sizeof s->what, "%s%sAN3155 Write Memory of the option "
				"bytes at 0x%08X (the bootloader erases and programs them): RDP=0x%02X "
				"USER=0x%02X Data0=0x%02X Data1=0x%02X WRP=0x%08X with complements, "
				"read back; protected pages: ", lead,
				strstr(lead, "regress") ? "AN3155 Readout Unprotect (0x92: the "
							  "bootloader mass-erases), then " : "",
				STM32F1_OPTBYTES, w->rdp, w->user, w->data0, w->data1, w->wrp);
		fk_snprintf_cat(s->what, sizeof s->what, "%s", wrp);
		stm32f1_step_pack(w, s);
		return;
	}
	fk_snprintf_cat(s->what, sizeof s->what, "%serase the option bytes (OPTER), program "
			"RDP=0x%02X USER=0x%02X Data0=0x%02X Data1=0x%02X WRP=0x%08X with "
			"complements (OPTPG), read back; protected pages: ", lead, w->rdp, w->user,
			w->data0, w->data1, w->wrp);
	fk_snprintf_cat(s->what, sizeof s->what, "%s", wrp);
	stm32f1_step_pack(w, s);
}

static void f1_plan_unlock(const stm32f1drv *f, const stm32f1_optstate *o,
			   const fk_inventory *inv, fk_step_id upto, fk_plan *plan)
{
	f1_plan_keys(f, inv, plan, upto);
	stm32f1_opts w = f1_opts_kept(f, o);
	uint32_t prot = ~o->wrpr & f1_wrp_mask(f->dev);
	fk_step *s;
	if ((prot || (o->opterr && o->level == 0)) && upto >= FK_STEP_WRP &&
	    (s = fk_plan_step_add(plan, FK_STEP_WRP))) {
		w.wrp = 0xFFFFFFFFU;
		f1_describe_write(f, &w, s, prot ? "remove write protection: " : "rewrite torn "
										"option bytes: ");
		fk_strlcpy(s->cost_text, "nothing: no data is lost (the option bytes are rewritten "
					 "with the other values kept)", sizeof s->cost_text);
		for (unsigned p = 0; p < f->npages && p < 64; p++)
			if (!((o->wrpr >> stm32f1_dev_wrp_bit(f->dev, p)) & 1U))
				s->sectors |= 1ULL << p;
		s->pending = FK_PENDING_RESET;
		f1_refuse_level2(s, o);
	}
	if (o->level >= 1 && upto >= FK_STEP_RDP && (s = fk_plan_step_add(plan, FK_STEP_RDP))) {
		w.rdp = stm32f1_dev_rdp_level0(f->dev);
		f1_describe_write(f, &w, s, "regress to level 0: ");
		snprintf(s->cost_text, sizeof s->cost_text, "all flash (%u KiB): the chip mass-erases "
			 "before it accepts RDP=0x%02X; %s", f->flash_kb, w.rdp,
			 o->raw_valid ? "the other option bytes are kept"
				      : "the other option bytes (unreadable here) end as the "
					"bootloader leaves them");
		s->cost = FK_COST_ALL_FLASH;
		s->destructive = true;
		s->backup = true;
		s->pending = FK_PENDING_RESET;
		f1_refuse_level2(s, o);
	}
	plan->nothing_to_do = plan->nsteps == 0;
}

static int f1_plan_options(const stm32f1drv *f, fk_ctx *ctx, const stm32f1_optstate *o,
			   const fk_inventory *inv, const stm32f1_opts *want, fk_plan *plan)
{
	const stm32f1_device *dev = f->dev;
	stm32f1_opts kept = f1_opts_kept(f, o);
	unsigned to = stm32f1_dev_rdp_level(dev, want->rdp);
	if (memcmp(&kept, want, sizeof kept) == 0 && !o->opterr) {
		plan->nothing_to_do = true;
		return FK_OK;
	}
	f1_plan_keys(f, inv, plan, FK_STEP_OPT);
	/* the errors step only clears flags; the keys are part of the write */
	fk_step_id id = to < o->level ? FK_STEP_RDP : to > o->level ? FK_STEP_RDP_RAISE
								    : FK_STEP_WRP;
	fk_step *s = fk_plan_step_add(plan, id);
	if (!s)
		return fk_fail(ctx, FK_E_INTERNAL, "plan full");
	f1_describe_write(f, want, s, "");
	s->pending = FK_PENDING_RESET;
	fk_strlcpy(s->cost_text, "nothing: no data is lost", sizeof s->cost_text);
	if (id == FK_STEP_RDP) {
		snprintf(s->cost_text, sizeof s->cost_text, "all flash (%u KiB): RDP 1 -> 0 makes "
			 "the chip mass-erase first", f->flash_kb);
		s->cost = FK_COST_ALL_FLASH;
		s->destructive = true;
		s->backup = true;
	} else if (id == FK_STEP_RDP_RAISE) {
		/* the new level loads at the next reset (F1) or OBL_LAUNCH (F0/F3); PM0075
		 * §2.4.1: the debugger that set it stays shut out of flash until a power-on
		 * reset anyway */
		if (to == 2) {
			s->irreversible = true;
			s->cost = FK_COST_IMPOSSIBLE;
			/* not loaded by this session (an OBL_LAUNCH would cut the debug port
			 * under it): the options load at the next power-on or OBL_LAUNCH
			 * (RM0091 §3.5.5), which the user does knowingly */
			s->pending = FK_PENDING_POWER_ON;
			fk_strlcpy(s->cost_text, "PERMANENT: level 2 disables the debug port and the "
						 "bootloader for good and freezes the option bytes "
						 "(RM0091 §3.3.1); nothing can undo it",
				   sizeof s->cost_text);
		} else {
			fk_strlcpy(s->cost_text, "nothing lost, but main flash becomes unreadable "
						 "from the debugger and the bootloader; going back "
						 "to level 0 mass-erases", sizeof s->cost_text);
		}
	}
	f1_refuse_level2(s, o);
	return FK_OK;
}

int stm32f1_plan(stm32f1drv *f, fk_ctx *ctx, const fk_inventory *inv, const fk_change *req,
		 fk_plan *plan)
{
	stm32f1_optstate o;
	int rc = f->ops->options(f->h, ctx, &o);
	if (rc)
		return rc;
	memset(plan, 0, sizeof *plan);
	if (req->kind == FK_CHANGE_UNLOCK) {
		f1_plan_unlock(f, &o, inv, req->upto, plan);
		return FK_OK;
	}
	stm32f1_opts want = f1_opts_kept(f, &o);
	if (req->kind == FK_CHANGE_OPTIONS) {
		for (unsigned i = 0; i < req->nkv; i++) {
			rc = stm32f1_opt_apply(f, ctx, req->kv[i], &want);
			if (rc)
				return rc;
		}
		return f1_plan_options(f, ctx, &o, inv, &want, plan);
	}
	if (req->kind == FK_CHANGE_OPTIONS_RAW || req->kind == FK_CHANGE_OPTIONS_IMAGE) {
		/* PM0075 §2.5 / RM0091 §4: the option bytes as stored, value at the even offset, its
		 * complement at the odd one (written by the controller itself): RDP +0, USER +2,
		 * Data0 +4, Data1 +6, WRP0-3 +8..+14. A backup keeps them so (backup_options); an
		 * image's bytes in that area are laid over the current values. */
		uint8_t r[STM32F1_OPTBYTES_LEN];
		if (req->kind == FK_CHANGE_OPTIONS_RAW) {
			if (!req->raw || req->raw_len != STM32F1_OPTBYTES_LEN)
				return fk_fail(ctx, FK_E_BAD_FILE, "option backup of %u bytes: the %s "
								   "keeps %u (0x%08X..)", req->raw_len,
					       f->dev->desc, STM32F1_OPTBYTES_LEN, STM32F1_OPTBYTES);
			memcpy(r, req->raw, sizeof r);
		} else {
			f1_opts_to_raw(&want, r);
			for (unsigned i = 0; i < req->nsegs; i++) {
				const struct fk_seg *g = &req->segs[i];
				if (g->addr >= STM32F1_OPTBYTES && (uint64_t)g->addr + g->len <=
				    (uint64_t)STM32F1_OPTBYTES + STM32F1_OPTBYTES_LEN)
					memcpy(r + (g->addr - STM32F1_OPTBYTES), g->data, g->len);
			}
		}
		want = (stm32f1_opts){r[0], r[2], r[4], r[6],
				      (uint32_t)r[8] | (uint32_t)r[10] << 8 | (uint32_t)r[12] << 16 |
					      (uint32_t)r[14] << 24};
		return f1_plan_options(f, ctx, &o, inv, &want, plan);
	}
	return fk_fail(ctx, FK_E_UNSUPPORTED, "the %s has no OTP area (change kind %d)",
		       f->dev->desc, (int)req->kind);
}

/* Read back after an option write: the stored bytes must be the values with complements. */
static int f1_opt_readback(stm32f1drv *f, fk_ctx *ctx, const stm32f1_opts *w)
{
	stm32f1_optstate o;
	int rc = f->ops->options(f->h, ctx, &o);
	if (rc)
		return fk_fail_wrap(ctx, rc, "reading the option bytes back");
	const uint8_t v[8] = {w->rdp,		  w->user,		    w->data0,
			      w->data1,		  (uint8_t)w->wrp,	    (uint8_t)(w->wrp >> 8),
			      (uint8_t)(w->wrp >> 16), (uint8_t)(w->wrp >> 24)};
	for (unsigned i = 0; i < 8; i++) {
		if (i >= 6 && f->dev->wrp_bits <= 16)
			continue;
		uint8_t c = (uint8_t)(v[i] ^ 0xFFU);
		if (o.raw[2 * i] != v[i] || o.raw[2 * i + 1] != c)
			return fk_fail(ctx, FK_E_VERIFY, "option byte %s at 0x%08X reads 0x%02X/0x%02X "
							 "after programming 0x%02X (value/complement)",
				       f1_pair_names[i], STM32F1_OPTBYTES + 2U * i, o.raw[2 * i],
				       o.raw[2 * i + 1], v[i]);
	}
	return FK_OK;
}

int stm32f1_step(stm32f1drv *f, fk_ctx *ctx, const fk_step *st)
{
	switch (st->id) {
	case FK_STEP_ERRORS:
	case FK_STEP_CTRL:
	case FK_STEP_OPT: {
		int (*op)(void *, fk_ctx *) = st->id == FK_STEP_ERRORS ? f->ops->clear_errors
					      : st->id == FK_STEP_CTRL ? f->ops->unlock_ctrl
									: f->ops->unlock_opt;
		if (!op) /* the bootloader does it by itself */
			return fk_fail(ctx, FK_E_UNSUPPORTED, "step %s: the %s path has no access "
				       "to FLASH_SR/KEYR/OPTKEYR", st->name, f->ops->name);
		return op(f->h, ctx);
	}
	case FK_STEP_WRP:
	case FK_STEP_RDP_RAISE:
	case FK_STEP_RDP: {
		stm32f1_opts w;
		stm32f1_optstate o;
		stm32f1_step_unpack(st, &w);
		int rc = f->ops->options(f->h, ctx, &o);
		if (rc)
			return rc;
		if (o.level == 2)
			return fk_fail(ctx, FK_E_PROTECTED, "RDP level 2: the option bytes are frozen "
							    "for good (RM0091 §3.3.1)");
		bool regress = stm32f1_dev_rdp_level(f->dev, w.rdp) == 0 && o.level >= 1;
		if (regress != (st->id == FK_STEP_RDP))
			return fk_fail(ctx, FK_E_INTERNAL, "step %s: RDP 0x%02X at level %u does not "
							   "match the plan", st->name, w.rdp,
				       o.level);
		rc = f->ops->write_options(f->h, ctx, &w, regress);
		if (!rc)
			rc = f1_opt_readback(f, ctx, &w);
		return rc;
	}
	default:
		return fk_fail(ctx, FK_E_INTERNAL, "step %s: not a step of this family", st->name);
	}
}
