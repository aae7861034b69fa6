/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 protection inventory, pure part: raw FLASH_SR/CR/OPTCR/OPTCR1 values and OTP lock
 * bytes -> the generic fk_inventory (locks with cost, reversibility, pending reset).
 * Sources: RM0090 Rev 21 §3.7.2 (OPTLOCK), §3.7.3 (RDP levels, Table 18 access, POR note),
 * §3.7.4 (WRP), §3.7.5 (PCROP), §3.8 (OTP lock bytes), §3.9.5-§3.9.11 (registers);
 * stm32.md §3.1 (torn option bytes after power loss, BMP's watchdog refusal). */
#include <stdio.h>
#include <string.h>

#include "chip/stm32f4.h"
#include "core/core.h"

static fk_lock *stm32f4_inv_add(fk_inventory *inv, fk_lock_kind kind, const char *name)
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

static void stm32f4_inv_reg(fk_inventory *inv, const char *name, uint32_t addr, uint32_t v,
			    bool valid)
{
	(void)fk_inv_reg_add(inv, name, addr, valid ? v : 0, valid);
}

static void stm32f4_inv_opt(fk_inventory *inv, const char *key, uint32_t v, const char *text)
{
	if (inv->nopts >= FK_INV_MAX_OPTS)
		return;
	fk_option_value *o = &inv->opts[inv->nopts++];
	fk_strlcpy(o->key, key, sizeof o->key);
	o->value = v;
	fk_strlcpy(o->text, text, sizeof o->text);
}

static void stm32f4_inv_errors(const stm32f4_regs *r, fk_inventory *inv)
{
	static const char *const names[] = {"EOP", "OPERR", "", "", "WRPERR", "PGAERR", "PGPERR",
					    "PGSERR", "RDERR"};
	uint32_t err = r->sr & STM32F4_FLASH_SR_ERRORS;
	if (!r->sr_valid || !err)
		return;
	fk_lock *l = stm32f4_inv_add(inv, FK_LOCK_ERRORS, "FLASH_SR errors");
	if (!l)
		return;
	for (unsigned b = 1; b <= 8; b++)
		if (err & (1U << b))
			fk_snprintf_cat(l->state, sizeof l->state, "%s%s", l->state[0] ? " " : "",
					names[b]);
	fk_snprintf_cat(l->state, sizeof l->state, " latched");
	snprintf(l->raw, sizeof l->raw, "FLASH_SR=0x%08X", r->sr);
	l->step = FK_STEP_ERRORS;
	fk_strlcpy(l->remedy, "cleared by writing them back as 1 (w1c); costs nothing; write and "
			      "erase clear them first anyway", sizeof l->remedy);
}

/* FLASH_SR.BSY (RM0090 §3.9.5): an operation flashkey did not start is running, or the
 * controller is stuck (issue 13 class 16: status used to say nothing) */
static void stm32f4_inv_busy(const stm32f4_regs *r, fk_inventory *inv)
{
	if (!r->sr_valid || !(r->sr & STM32F4_FLASH_SR_BSY))
		return;
	fk_lock *l = stm32f4_inv_add(inv, FK_LOCK_BUSY, "FLASH_SR.BSY");
	if (!l)
		return;
	fk_strlcpy(l->state, "busy: an operation runs, or the controller is stuck",
		   sizeof l->state);
	snprintf(l->raw, sizeof l->raw, "FLASH_SR=0x%08X", r->sr);
	fk_strlcpy(l->remedy, "flashkey waits for it (saying so after a second) before any erase or program; a flag that never clears is a stuck controller: reset the chip (`flashkey reset`) or power-cycle it", sizeof l->remedy);
}

static void stm32f4_inv_keys(const stm32f4_regs *r, fk_inventory *inv)
{
	if (r->cr_valid && (r->cr & STM32F4_FLASH_CR_LOCK)) {
		fk_lock *l = stm32f4_inv_add(inv, FK_LOCK_CTRL, "FLASH_CR.LOCK");
		if (!l)
			return;
		snprintf(l->raw, sizeof l->raw, "FLASH_CR=0x%08X", r->cr);
		if (r->cr_key_failed) {
			fk_strlcpy(l->state, "locked until reset (a key sequence failed)", sizeof l->state);
			l->blocks_write = true;
			l->pending = FK_PENDING_RESET;
			fk_strlcpy(l->remedy, "a wrong key sequence locks FLASH_CR until the next reset "
					      "(RM0090 §3.7.2): run `flashkey reset`", sizeof l->remedy);
		} else {
			fk_strlcpy(l->state, "locked (reset state)", sizeof l->state);
			l->step = FK_STEP_CTRL;
			fk_strlcpy(l->remedy, "KEY1/KEY2 to FLASH_KEYR; costs nothing; write and erase "
					      "unlock it themselves", sizeof l->remedy);
		}
	}
	if (r->optcr_valid && (r->optcr & STM32F4_FLASH_OPTCR_OPTLOCK)) {
		fk_lock *l = stm32f4_inv_add(inv, FK_LOCK_OPT, "FLASH_OPTCR.OPTLOCK");
		if (!l)
			return;
		fk_strlcpy(l->state, "locked (reset state)", sizeof l->state);
		snprintf(l->raw, sizeof l->raw, "FLASH_OPTCR=0x%08X", r->optcr);
		l->step = FK_STEP_OPT;
		fk_strlcpy(l->remedy, "OPTKEY1/OPTKEY2 to FLASH_OPTKEYR; costs nothing",
			   sizeof l->remedy);
	}
}

static void stm32f4_inv_rdp(const stm32f4_options *o, const stm32f4_regs *r, bool intrusion,
			    fk_inventory *inv)
{
	int level = stm32f4_rdp_level(o->rdp);
	inv->rdp_level = level;
	inv->rdp_raw = o->rdp;
	if (level == 0)
		return;
	fk_lock *l = stm32f4_inv_add(inv, o->rdp == 0xFF ? FK_LOCK_OPTIONS_TORN : FK_LOCK_RDP, "RDP");
	if (!l)
		return;
	snprintf(l->raw, sizeof l->raw, "FLASH_OPTCR=0x%08X (RDP byte 0x%02X)", r->optcr, o->rdp);
	l->blocks_write = true;
	if (level == 2) {
		snprintf(l->state, sizeof l->state, "level 2 (RDP byte 0xCC): permanent");
		l->cost = FK_COST_IMPOSSIBLE;
		l->reversible = false;
		fk_strlcpy(l->remedy, "level 2 cannot be undone (RM0090 §3.7.3): only user code "
				      "running from flash can still write it", sizeof l->remedy);
		return;
	}
	/* built in pieces: the explanations may be cut at the field size, never overflow it */
	snprintf(l->state, sizeof l->state, "level 1 (RDP byte 0x%02X)", o->rdp);
	if (o->rdp == 0xFF)
		fk_snprintf_cat(l->state, sizeof l->state, "%s",
				", option bytes look erased (power loss during an option write?)");
	if (intrusion)
		fk_snprintf_cat(l->state, sizeof l->state, "%s",
				", debugger attached: flash and OTP unreadable");
	l->step = FK_STEP_RDP;
	l->cost = FK_COST_ALL_FLASH;
	l->pending = FK_PENDING_RESET;
	fk_strlcpy(l->remedy, "RDP 1->0 regression: the chip mass-erases all flash and backup SRAM "
			      "(OTP kept); options reload at the next reset", sizeof l->remedy);
}

/* The bootloader path: no option bytes to show, only the refusal it saw (AN3155 Table 2). */
static void stm32f4_inv_rdp_inferred(const stm32f4_regs *r, fk_inventory *inv)
{
	inv->rdp_level = r->rdp_inferred_level;
	fk_lock *l = stm32f4_inv_add(inv, FK_LOCK_RDP, "RDP");
	if (!l)
		return;
	fk_strlcpy(l->raw, "Read Memory refused (NACK) by the bootloader; option bytes unreadable",
		   sizeof l->raw);
	snprintf(l->state, sizeof l->state, "level %d (the bootloader refuses reads; WRP unknown)",
		 r->rdp_inferred_level);
	l->blocks_write = true;
	l->step = FK_STEP_RDP;
	l->cost = FK_COST_ALL_FLASH;
	l->pending = FK_PENDING_NONE;
	fk_strlcpy(l->remedy, "Readout Unprotect (AN3155 0x92): the chip mass-erases all flash, removes "
			      "RDP and resets by itself", sizeof l->remedy);
}

static void stm32f4_inv_wrp(const stm32f4_device *dev, const stm32f4_sector *sec, unsigned n,
			    const stm32f4_options *o, const stm32f4_regs *r, fk_inventory *inv)
{
	uint64_t wrp = 0, pcrop = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned bit = sec[i].bank ? 12U + sec[i].wrp_bit : sec[i].wrp_bit;
		bool set = o->nwrp & (1U << bit);
		if (o->sprmod && set)
			pcrop |= 1ULL << sec[i].number;
		else if (!o->sprmod && !set)
			wrp |= 1ULL << sec[i].number;
	}
	(void)dev;
	inv->pcrop_mode = o->sprmod;
	if (!wrp && !pcrop)
		return;
	fk_lock *l = stm32f4_inv_add(inv, wrp ? FK_LOCK_WRP : FK_LOCK_PCROP, wrp ? "WRP" : "PCROP");
	if (!l)
		return;
	l->sectors = wrp ? wrp : pcrop;
	l->blocks_write = true;
	snprintf(l->raw, sizeof l->raw, "FLASH_OPTCR=0x%08X FLASH_OPTCR1=0x%08X", r->optcr, r->optcr1);
	fk_strlcpy(l->state, wrp ? "sectors" : "SPRMOD=1, sectors", sizeof l->state);
	for (unsigned i = 0; i < 64; i++)
		if (l->sectors & (1ULL << i))
			fk_snprintf_cat(l->state, sizeof l->state, " %u", i);
	if (wrp) {
		l->step = FK_STEP_WRP;
		fk_strlcpy(l->remedy, "set nWRPi=1 in FLASH_OPTCR (other options kept); no data is "
				      "lost", sizeof l->remedy);
		return;
	}
	l->step = inv->rdp_level == 0 ? FK_STEP_RDP_RAISE : FK_STEP_RDP;
	l->cost = FK_COST_ALL_FLASH;
	l->pending = FK_PENDING_RESET;
	fk_strlcpy(l->remedy, "PCROP goes only with RDP 1->0 and SPRMOD=0 in the same option write "
			      "(RM0090 §3.7.5): all flash is erased", sizeof l->remedy);
}

static void stm32f4_inv_otp(const uint8_t *lock, const uint8_t *data, fk_inventory *inv)
{
	inv->notp = STM32F4_OTP_BLOCKS;
	for (unsigned b = 0; b < STM32F4_OTP_BLOCKS; b++) {
		fk_otp_info *oi = &inv->otp[b];
		oi->readable = lock != NULL;
		if (!lock)
			continue;
		oi->lock_byte = lock[b];
		oi->locked = lock[b] == 0x00;
		for (unsigned i = 0; data && i < STM32F4_OTP_BLOCK_SIZE; i++)
			oi->written |= data[b * STM32F4_OTP_BLOCK_SIZE + i] != 0xFF;
		if (lock[b] == 0xFF)
			continue;
		char name[32];
		snprintf(name, sizeof name, "OTP block %u", b);
		fk_lock *l = stm32f4_inv_add(inv, FK_LOCK_OTP, name);
		if (!l)
			return;
		l->sectors = 1ULL << b;
		l->cost = FK_COST_IMPOSSIBLE;
		l->reversible = false;
		snprintf(l->raw, sizeof l->raw, "LOCKB%u at 0x%08X = 0x%02X", b,
			 STM32F4_OTP_LOCK_BASE + b, lock[b]);
		snprintf(l->state, sizeof l->state, "%s", lock[b] == 0 ? "locked"
						   : "lock byte neither 0x00 nor 0xFF: undefined");
		fk_strlcpy(l->remedy, "OTP locks are permanent (RM0090 §3.8)", sizeof l->remedy);
	}
}

static void stm32f4_inv_watchdog(const stm32f4_options *o, fk_inventory *inv)
{
	if (o->wdg_sw || inv->rdp_level != 1)
		return;
	fk_lock *l = stm32f4_inv_add(inv, FK_LOCK_WATCHDOG, "WDG_SW");
	if (!l)
		return;
	fk_strlcpy(l->state, "hardware watchdog selected (WDG_SW=0)", sizeof l->state);
	fk_strlcpy(l->remedy, "it would abort an RDP 1->0 regression: `flashkey options set wdg=sw`, "
			      "then reset", sizeof l->remedy);
	l->pending = FK_PENDING_RESET;
}

static void stm32f4_inv_options(const stm32f4_options *o, fk_inventory *inv)
{
	static const char *const bor[] = {"level 3 (2.70-3.60 V)", "level 2 (2.40-2.70 V)",
					  "level 1 (2.10-2.40 V)", "off (POR/PDR only)"};
	char t[64];
	snprintf(t, sizeof t, "level %d (0x%02X)", stm32f4_rdp_level(o->rdp), o->rdp);
	stm32f4_inv_opt(inv, "rdp", o->rdp, t);
	stm32f4_inv_opt(inv, "bor", o->bor_lev, bor[o->bor_lev & 3U]);
	stm32f4_inv_opt(inv, "wdg", o->wdg_sw, o->wdg_sw ? "software" : "hardware");
	stm32f4_inv_opt(inv, "nrst_stop", o->nrst_stop, o->nrst_stop ? "no reset" : "reset on Stop");
	stm32f4_inv_opt(inv, "nrst_stdby", o->nrst_stdby,
			o->nrst_stdby ? "no reset" : "reset on Standby");
	stm32f4_inv_opt(inv, "sprmod", o->sprmod, o->sprmod ? "PCROP mode" : "WRP mode");
	snprintf(t, sizeof t, "0x%06X", o->nwrp);
	stm32f4_inv_opt(inv, "nwrp", o->nwrp, t);
}

void stm32f4_inventory_decode(const stm32f4_device *dev, const stm32f4_sector *sectors,
			      unsigned nsectors, const stm32f4_regs *r, bool intrusion,
			      const uint8_t *otp_lock, const uint8_t *otp_data, fk_inventory *inv)
{
	stm32f4_options o;
	stm32f4_opt_decode(dev, r->optcr, r->optcr1, &o);
	inv->rdp_level = -1;
	stm32f4_inv_reg(inv, "FLASH_SR", STM32F4_FLASH_SR, r->sr, r->sr_valid);
	stm32f4_inv_reg(inv, "FLASH_CR", STM32F4_FLASH_CR, r->cr, r->cr_valid);
	stm32f4_inv_reg(inv, "FLASH_OPTCR", STM32F4_FLASH_OPTCR, r->optcr, r->optcr_valid);
	if (dev->has_optcr1)
		stm32f4_inv_reg(inv, "FLASH_OPTCR1", STM32F4_FLASH_OPTCR1, r->optcr1, r->optcr1_valid);
	stm32f4_inv_errors(r, inv);
	stm32f4_inv_busy(r, inv);
	stm32f4_inv_keys(r, inv);
	if (r->optcr_valid) {
		stm32f4_inv_rdp(&o, r, intrusion, inv);
		stm32f4_inv_wrp(dev, sectors, nsectors, &o, r, inv);
		stm32f4_inv_watchdog(&o, inv);
		stm32f4_inv_options(&o, inv);
	} else if (r->rdp_inferred) {
		stm32f4_inv_rdp_inferred(r, inv);
	}
	inv->intrusion = intrusion && inv->rdp_level == 1;
	stm32f4_inv_otp(otp_lock, otp_data, inv);
	inv->nsectors = FK_MIN(nsectors, FK_INV_MAX_SECTORS);
	for (unsigned i = 0; i < inv->nsectors; i++) {
		fk_sector_info *si = &inv->sectors[i];
		si->number = sectors[i].number;
		si->addr = sectors[i].addr;
		si->size = sectors[i].size;
		si->blank = -1;
		for (unsigned k = 0; k < inv->nlocks; k++) {
			const fk_lock *l = &inv->locks[k];
			bool in = l->sectors & (1ULL << si->number);
			si->wrp |= l->kind == FK_LOCK_WRP && in;
			si->pcrop |= l->kind == FK_LOCK_PCROP && in;
		}
	}
	for (unsigned k = 0; k < inv->nlocks; k++)
		inv->write_blocked |= inv->locks[k].blocks_write;
}
