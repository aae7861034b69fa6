/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doctor/facts: a read-only protection inventory (include/flashkey/inventory.h) -> the facts the
 * catalogue's causes are judged on. A fact is only "false" when the register that shows it was
 * read; what this access path could not read stays unknown (on an STM32 at RDP level 1 with a
 * debugger attached, flash and OTP are unreadable: the driver then marks them so). */
#include <stdio.h>
#include <string.h>

#include "doctor/doctor_int.h"

static const fk_lock *inv_lock(const fk_inventory *inv, fk_lock_kind kind)
{
	for (unsigned i = 0; i < inv->nlocks && i < FK_INV_MAX_LOCKS; i++)
		if (inv->locks[i].kind == kind)
			return &inv->locks[i];
	return NULL;
}

static bool inv_reg_valid(const fk_inventory *inv, const char *name)
{
	for (unsigned i = 0; i < inv->nregs && i < FK_INV_MAX_REGS; i++)
		if (strcmp(inv->regs[i].name, name) == 0)
			return inv->regs[i].valid;
	return false;
}

static const fk_option_value *inv_opt(const fk_inventory *inv, const char *key)
{
	for (unsigned i = 0; i < inv->nopts && i < FK_INV_MAX_OPTS; i++)
		if (strcmp(inv->opts[i].key, key) == 0)
			return &inv->opts[i];
	return NULL;
}

/* Sets fact from a lock of kind: true when present, false when `known`, else unknown. */
static void fact_lock(fk_doctor_facts *f, int fact, const fk_lock *l, bool known)
{
	char d[96];
	if (l) {
		fk_strlcpy(d, l->name, sizeof d);
		fk_snprintf_cat(d, sizeof d, ": %s%s%s", l->state, l->raw[0] ? ", " : "", l->raw);
		fk_doctor_facts_set(f, fact, true, d);
	} else if (known) {
		fk_doctor_facts_set(f, fact, false, NULL);
	}
}

static void facts_rdp(const fk_inventory *inv, fk_doctor_facts *f)
{
	if (inv->rdp_level < 0)
		return;
	char d[96];
	snprintf(d, sizeof d, "RDP byte 0x%02X: level %d", inv->rdp_raw, inv->rdp_level);
	fk_doctor_facts_set(f, FK_FACT_RDP0, inv->rdp_level == 0, d);
	fk_doctor_facts_set(f, FK_FACT_RDP1, inv->rdp_level == 1, d);
	fk_doctor_facts_set(f, FK_FACT_RDP2, inv->rdp_level == 2, d);
	if (inv->rdp_level == 2)
		fk_doctor_facts_set(f, FK_FACT_DEBUG_DISABLED, true, d);
}

static void facts_ctrl(const fk_inventory *inv, fk_doctor_facts *f)
{
	const fk_lock *ctrl = inv_lock(inv, FK_LOCK_CTRL);
	/* FLASH_CR.LOCK is set after every reset and a wrong-key lockout reads the same (the STM32
	 * key sequence): only LOCK=0, or a key sequence this session saw fail, decides it */
	if (ctrl && ctrl->blocks_write)
		fact_lock(f, FK_FACT_FPEC_LOCKOUT, ctrl, true);
	else if (!ctrl && inv_reg_valid(inv, "FLASH_CR"))
		fk_doctor_facts_set(f, FK_FACT_FPEC_LOCKOUT, false, "FLASH_CR.LOCK=0");
	else if (ctrl)
		fk_strlcpy(f->detail[FK_FACT_FPEC_LOCKOUT],
			   "FLASH_CR.LOCK=1: a lockout reads like the reset state until a key is tried",
			   sizeof f->detail[0]);
	fact_lock(f, FK_FACT_SR_ERRORS, inv_lock(inv, FK_LOCK_ERRORS), inv_reg_valid(inv, "FLASH_SR"));
	fact_lock(f, FK_FACT_FLASH_BUSY, inv_lock(inv, FK_LOCK_BUSY), inv_reg_valid(inv, "FLASH_SR"));
}

static void facts_options(const fk_inventory *inv, fk_doctor_facts *f)
{
	/* the option fields are known only when the driver read and decoded the option register
	 * (inv->opts filled): the bootloader path infers RDP level 1 from a refused read and sees
	 * nothing else (AN3155 §2) */
	bool known = inv->rdp_level >= 0 && inv->nopts > 0;
	fact_lock(f, FK_FACT_WRP, inv_lock(inv, FK_LOCK_WRP), known);
	fact_lock(f, FK_FACT_PCROP, inv_lock(inv, FK_LOCK_PCROP), known && !inv->pcrop_mode);
	if (inv->pcrop_mode && f->v[FK_FACT_PCROP] != 1)
		fk_doctor_facts_set(f, FK_FACT_PCROP, true, "SPRMOD=1");
	fact_lock(f, FK_FACT_OPTIONS_BAD, inv_lock(inv, FK_LOCK_OPTIONS_TORN), known);
	const fk_option_value *wdg = inv_opt(inv, "wdg");
	const fk_lock *w = inv_lock(inv, FK_LOCK_WATCHDOG);
	if (w || wdg)
		fk_doctor_facts_set(f, FK_FACT_HW_WATCHDOG, w || wdg->value == 0,
				    w ? w->state : wdg->text);
}

static void facts_otp(const fk_inventory *inv, fk_doctor_facts *f)
{
	bool readable = inv->notp > 0;
	for (unsigned i = 0; i < inv->notp && i < FK_INV_MAX_OTP; i++)
		readable = readable && inv->otp[i].readable;
	fact_lock(f, FK_FACT_OTP_LOCKED, inv_lock(inv, FK_LOCK_OTP), readable);
}

/* An attached SPI flash (its status register SR1 read) and eFuse-based locks (eFuse words read,
 * or the ROM's security info): known false only when what shows them was read. */
static void facts_spi_efuse(const fk_inventory *inv, fk_doctor_facts *f)
{
	fact_lock(f, FK_FACT_SPI_BP, inv_lock(inv, FK_LOCK_SPI_BP), inv_reg_valid(inv, "SR1"));
	fact_lock(f, FK_FACT_BOOT_LOCK, inv_lock(inv, FK_LOCK_BOOT), inv_reg_valid(inv, "EFUSE0"));
}

/* NXP Code Read Protection: known when the driver read the CRP state (its "crp" option); in
 * force when the CRP lock blocks a write (a word written but not latched yet does not). */
static void facts_crp(const fk_inventory *inv, fk_doctor_facts *f)
{
	const fk_lock *l = inv_lock(inv, FK_LOCK_CRP);
	if (l && !l->blocks_write)
		l = NULL;
	fact_lock(f, FK_FACT_CRP, l, inv_opt(inv, "crp") != NULL);
}

/* A debug lock the driver reported (a debug policy closing the core's access port, JTAG fuses):
 * true when present; absent says nothing, since not every driver can see one. */
static void facts_debug_lock(const fk_inventory *inv, fk_doctor_facts *f)
{
	fact_lock(f, FK_FACT_DEBUG_LOCK, inv_lock(inv, FK_LOCK_DEBUG), false);
}

void fk_doctor_facts_from_inventory(const fk_inventory *inv, fk_doctor_facts *f)
{
	fk_doctor_facts_init(f);
	char d[96];
	fk_strlcpy(d, inv->chip, sizeof d);
	fk_snprintf_cat(d, sizeof d, " over the %s path", inv->path);
	fk_doctor_facts_set(f, FK_FACT_CONNECTED, true, d);
	if (strcmp(inv->path, "debug") == 0 && inv->rdp_level != 2)
		fk_doctor_facts_set(f, FK_FACT_DEBUG_DISABLED, false, "the debug port answered");
	facts_rdp(inv, f);
	facts_ctrl(inv, f);
	facts_options(inv, f);
	facts_otp(inv, f);
	facts_spi_efuse(inv, f);
	facts_crp(inv, f);
	facts_debug_lock(inv, f);
}
