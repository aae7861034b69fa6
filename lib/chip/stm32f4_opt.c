/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 option bytes, pure: decode/encode FLASH_OPTCR/OPTCR1, semantic KEY=VALUE settings,
 * and the RM0090 rules a change must respect before anything is written.
 * Sources: RM0090 Rev 21 §3.7.1 (Tables 15-17), §3.7.3 (RDP levels, 1->0 regression, level 2
 * permanent), §3.7.5 (PCROP: SPRMOD/nWRP may only be cleared together with RDP 1->0),
 * §3.9.10-§3.9.11 (OPTCR/OPTCR1 bits); BMP stm32f4_option_write() for the hardware-watchdog
 * refusal (stm32.md §3.1). */
#include <string.h>

#include "chip/stm32f4.h"
#include "core/core.h"

int stm32f4_rdp_level(uint8_t rdp)
{
	return rdp == STM32F4_RDP_LEVEL0 ? 0 : rdp == STM32F4_RDP_LEVEL2 ? 2 : 1;
}

uint32_t stm32f4_opt_nwrp_mask(const stm32f4_device *dev)
{
	uint32_t m = (1U << dev->nwrp_bits) - 1U;
	return dev->has_optcr1 ? m | 0xFFF000U : m;
}

void stm32f4_opt_decode(const stm32f4_device *dev, uint32_t optcr, uint32_t optcr1,
			stm32f4_options *o)
{
	memset(o, 0, sizeof *o);
	o->rdp = (uint8_t)(optcr >> STM32F4_FLASH_OPTCR_RDP_SHIFT);
	o->bor_lev = (optcr >> STM32F4_FLASH_OPTCR_BOR_SHIFT) & 3U;
	o->bfb2 = dev->has_bfb2 && (optcr & STM32F4_FLASH_OPTCR_BFB2);
	o->wdg_sw = optcr & STM32F4_FLASH_OPTCR_WDG_SW;
	o->nrst_stop = optcr & STM32F4_FLASH_OPTCR_NRST_STOP;
	o->nrst_stdby = optcr & STM32F4_FLASH_OPTCR_NRST_STDBY;
	o->db1m = dev->has_db1m && (optcr & STM32F4_FLASH_OPTCR_DB1M);
	o->sprmod = dev->has_sprmod && (optcr & STM32F4_FLASH_OPTCR_SPRMOD);
	o->nwrp = (optcr >> STM32F4_FLASH_OPTCR_NWRP_SHIFT) & ((1U << dev->nwrp_bits) - 1U);
	if (dev->has_optcr1)
		o->nwrp |= ((optcr1 >> 16) & 0xFFFU) << 12;
}

void stm32f4_opt_encode(const stm32f4_device *dev, const stm32f4_options *o, uint32_t *optcr,
			uint32_t *optcr1)
{
	uint32_t v = (uint32_t)o->rdp << STM32F4_FLASH_OPTCR_RDP_SHIFT;
	v |= (o->bor_lev & 3U) << STM32F4_FLASH_OPTCR_BOR_SHIFT;
	v |= o->bfb2 && dev->has_bfb2 ? STM32F4_FLASH_OPTCR_BFB2 : 0;
	v |= o->wdg_sw ? STM32F4_FLASH_OPTCR_WDG_SW : 0;
	v |= o->nrst_stop ? STM32F4_FLASH_OPTCR_NRST_STOP : 0;
	v |= o->nrst_stdby ? STM32F4_FLASH_OPTCR_NRST_STDBY : 0;
	v |= (o->nwrp & ((1U << dev->nwrp_bits) - 1U)) << STM32F4_FLASH_OPTCR_NWRP_SHIFT;
	v |= o->db1m && dev->has_db1m ? STM32F4_FLASH_OPTCR_DB1M : 0;
	v |= o->sprmod && dev->has_sprmod ? STM32F4_FLASH_OPTCR_SPRMOD : 0;
	*optcr = v;
	*optcr1 = dev->has_optcr1 ? (((o->nwrp >> 12) & 0xFFFU) << 16) : 0;
}

static int stm32f4_opt_bool(fk_ctx *ctx, const char *key, const char *v, bool *out)
{
	if (strcmp(v, "1") == 0 || strcmp(v, "on") == 0) {
		*out = true;
		return FK_OK;
	}
	if (strcmp(v, "0") == 0 || strcmp(v, "off") == 0) {
		*out = false;
		return FK_OK;
	}
	return fk_fail(ctx, FK_E_USAGE, "%s=%s: expected 0 or 1", key, v);
}

/* "none", "all" or a list "0,1,5-7" of sector numbers -> bit mask over o->nwrp indices. */
static int stm32f4_opt_sectors(fk_ctx *ctx, const char *key, const char *v, unsigned nsectors,
			       uint32_t *mask)
{
	*mask = 0;
	if (strcmp(v, "none") == 0)
		return FK_OK;
	if (strcmp(v, "all") == 0) {
		*mask = 0xFFFFFFU;
		return FK_OK;
	}
	for (const char *p = v; *p;) {
		char tok[16];
		size_t w = strcspn(p, ",");
		uint32_t lo, hi;
		if (w == 0 || w >= sizeof tok)
			return fk_fail(ctx, FK_E_USAGE, "%s=%s: expected none, all or sectors like 0,1,5-7",
				       key, v);
		memcpy(tok, p, w);
		tok[w] = '\0';
		p += w + (p[w] == ',');
		char *dash = strchr(tok, '-');
		if (dash)
			*dash = '\0';
		if (fk_parse_u32(tok, &lo) || (dash ? fk_parse_u32(dash + 1, &hi) : (hi = lo, 0)) ||
		    lo > hi || hi >= 24)
			return fk_fail(ctx, FK_E_USAGE, "%s=%s: expected none, all or sectors like 0,1,5-7",
				       key, v);
		if (hi >= nsectors)
			return fk_fail(ctx, FK_E_USAGE, "%s=%s: this chip has sectors 0-%u", key, v,
				       nsectors - 1);
		for (uint32_t i = lo; i <= hi; i++)
			*mask |= 1U << i;
	}
	return FK_OK;
}

static int stm32f4_opt_rdp(fk_ctx *ctx, const char *v, stm32f4_options *o)
{
	if (strcmp(v, "0") == 0)
		o->rdp = STM32F4_RDP_LEVEL0;
	else if (strcmp(v, "1") == 0)
		o->rdp = o->rdp == STM32F4_RDP_LEVEL0 || o->rdp == STM32F4_RDP_LEVEL2 ? STM32F4_RDP_LEVEL1
										     : o->rdp;
	else if (strcmp(v, "2") == 0)
		o->rdp = STM32F4_RDP_LEVEL2;
	else
		return fk_fail(ctx, FK_E_USAGE, "rdp=%s: expected 0, 1 or 2", v);
	return FK_OK;
}

static int stm32f4_opt_bor(fk_ctx *ctx, const char *v, stm32f4_options *o)
{
	/* BOR_LEV field: 00 = level 3, 01 = level 2, 10 = level 1, 11 = off (§3.9.10) */
	static const char *const names[] = {"3", "2", "1", "off"};
	for (unsigned i = 0; i < 4; i++) {
		if (strcmp(v, names[i]) == 0) {
			o->bor_lev = i;
			return FK_OK;
		}
	}
	return fk_fail(ctx, FK_E_USAGE, "bor=%s: expected off, 1, 2 or 3", v);
}

static int stm32f4_opt_protect(const stm32f4_device *dev, unsigned nsectors, fk_ctx *ctx,
			       const char *key, const char *v, stm32f4_options *o)
{
	uint32_t mask;
	int rc = stm32f4_opt_sectors(ctx, key, v, nsectors, &mask);
	if (rc)
		return rc;
	mask &= stm32f4_opt_nwrp_mask(dev);
	if (strcmp(key, "wrp") == 0) {
		if (o->sprmod)
			return fk_fail(ctx, FK_E_USAGE, "wrp=%s: the chip is in PCROP mode (SPRMOD=1), "
							 "where nWRP bits select PCROP sectors", v);
		o->nwrp = stm32f4_opt_nwrp_mask(dev) & ~mask; /* nWRPi = 0: protected */
		return FK_OK;
	}
	if (!dev->has_sprmod)
		return fk_fail(ctx, FK_E_UNSUPPORTED, "pcrop: %s has no SPRMOD bit", dev->name);
	o->sprmod = mask != 0;
	o->nwrp = mask; /* SPRMOD=1: nWRPi = 1 selects PCROP (§3.7.5) */
	return FK_OK;
}

int stm32f4_opt_apply(const stm32f4_device *dev, unsigned nsectors, fk_ctx *ctx, const char *kv,
		      stm32f4_options *o)
{
	const char *eq = strchr(kv, '=');
	char key[24];
	if (!eq || (size_t)(eq - kv) >= sizeof key)
		return fk_fail(ctx, FK_E_USAGE, "\"%s\": expected KEY=VALUE", kv);
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	const char *v = eq + 1;
	if (strcmp(key, "rdp") == 0)
		return stm32f4_opt_rdp(ctx, v, o);
	if (strcmp(key, "bor") == 0)
		return stm32f4_opt_bor(ctx, v, o);
	if (strcmp(key, "wrp") == 0 || strcmp(key, "pcrop") == 0)
		return stm32f4_opt_protect(dev, nsectors, ctx, key, v, o);
	if (strcmp(key, "wdg") == 0) {
		if (strcmp(v, "sw") && strcmp(v, "hw"))
			return fk_fail(ctx, FK_E_USAGE, "wdg=%s: expected sw or hw", v);
		o->wdg_sw = strcmp(v, "sw") == 0;
		return FK_OK;
	}
	if (strcmp(key, "nrst_stop") == 0)
		return stm32f4_opt_bool(ctx, key, v, &o->nrst_stop);
	if (strcmp(key, "nrst_stdby") == 0)
		return stm32f4_opt_bool(ctx, key, v, &o->nrst_stdby);
	if (strcmp(key, "sprmod") == 0 && dev->has_sprmod)
		return stm32f4_opt_bool(ctx, key, v, &o->sprmod);
	if (strcmp(key, "db1m") == 0 && dev->has_db1m)
		return stm32f4_opt_bool(ctx, key, v, &o->db1m);
	if (strcmp(key, "bfb2") == 0 && dev->has_bfb2)
		return stm32f4_opt_bool(ctx, key, v, &o->bfb2);
	fk_hint(ctx, "keys: rdp, bor, wdg, nrst_stop, nrst_stdby, wrp, pcrop%s%s%s",
		dev->has_sprmod ? ", sprmod" : "", dev->has_db1m ? ", db1m" : "",
		dev->has_bfb2 ? ", bfb2" : "");
	return fk_fail(ctx, FK_E_USAGE, "unknown option key \"%s\" for %s", key, dev->name);
}

/* §3.7.5: leaving PCROP mode or unprotecting a PCROP sector needs RDP 1 -> 0 at once. */
static int stm32f4_opt_check_pcrop(fk_ctx *ctx, const stm32f4_options *cur,
				   const stm32f4_options *want, int from, int to)
{
	if (!cur->sprmod)
		return FK_OK;
	uint32_t unprotected = want->sprmod ? cur->nwrp & ~want->nwrp : cur->nwrp;
	if (!unprotected)
		return FK_OK;
	if (from == 1 && to == 0)
		return FK_OK;
	if (from == 0)
		fk_hint(ctx, "raise RDP to level 1 first; `flashkey unlock --allow-erase-all` does "
			     "both steps (all flash is erased)");
	else
		fk_hint(ctx, "clear PCROP together with RDP 1->0: `flashkey options set rdp=0 "
			     "sprmod=0 wrp=none --allow-erase-all`");
	return fk_fail(ctx, FK_E_PROTECTED,
		       "PCROP (SPRMOD=1) on sectors mask 0x%06X can only be removed while RDP "
		       "changes from level 1 to 0 (RM0090 §3.7.5); the chip would set WRPERR",
		       unprotected);
}

int stm32f4_opt_check(const stm32f4_device *dev, fk_ctx *ctx, const stm32f4_options *cur,
		      const stm32f4_options *want, bool *irreversible, bool *erases_all)
{
	(void)dev;
	int from = stm32f4_rdp_level(cur->rdp), to = stm32f4_rdp_level(want->rdp);
	*irreversible = to == 2 && from != 2;
	*erases_all = from == 1 && to == 0;
	if (from == 2) {
		if (memcmp(cur, want, sizeof *cur) == 0)
			return FK_OK;
		return fk_fail(ctx, FK_E_PROTECTED, "RDP is at level 2 (RDP byte 0xCC): option bytes "
						    "can no longer be changed (RM0090 §3.7.3)");
	}
	if (*erases_all && !want->wdg_sw) {
		fk_hint(ctx, "select the software watchdog first: `flashkey options set wdg=sw`, "
			     "then `flashkey reset` and run the regression again");
		return fk_fail(ctx, FK_E_PROTECTED,
			       "the hardware watchdog is selected (OPTCR.WDG_SW=0): it would reset the "
			       "chip during the RDP 1->0 mass erase and abort the regression");
	}
	return stm32f4_opt_check_pcrop(ctx, cur, want, from, to);
}

/* Target option values of the ladder's option steps, each built on the previous one. */
void stm32f4_plan_values(const stm32f4_device *dev, uint32_t optcr, uint32_t optcr1,
			 fk_plan *plan)
{
	stm32f4_options o;
	stm32f4_opt_decode(dev, optcr, optcr1, &o);
	for (unsigned i = 0; i < plan->nsteps; i++) {
		fk_step *s = &plan->steps[i];
		if (s->id == FK_STEP_WRP && !o.sprmod)
			o.nwrp = stm32f4_opt_nwrp_mask(dev);
		else if (s->id == FK_STEP_RDP_RAISE)
			o.rdp = STM32F4_RDP_LEVEL1;
		else if (s->id == FK_STEP_RDP) {
			o.rdp = STM32F4_RDP_LEVEL0;
			if (o.sprmod) {
				o.sprmod = false;
				o.nwrp = stm32f4_opt_nwrp_mask(dev);
			}
		} else
			continue;
		stm32f4_opt_encode(dev, &o, &s->value[0], &s->value[1]);
		/* reserved bits are written back as read (e.g. nWRP[11:8] on an 8-sector F411) */
		s->value[0] |= optcr & dev->optcr_reserved;
		s->value[1] |= optcr1 & ~0x0FFF0000U & 0xF0000000U;
	}
}
