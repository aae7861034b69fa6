/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unlock ladder (see ladder.h). Order and costs follow RM0090 Rev 21: error flags are w1c
 * (§3.9.5); a wrong key locks FLASH_CR/OPTCR until reset, so keys are written once (§3.7.2);
 * WRP removal is a same-level option write that loses nothing (§3.7.4); the RDP 1->0 regression
 * mass-erases flash and backup SRAM (§3.7.3); PCROP is removed only together with it, from
 * level 1 (§3.7.5). */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "plan/ladder.h"

static fk_step *fkp_step_add(fk_plan *plan, fk_step_id id)
{
	if (plan->nsteps >= FK_PLAN_MAX_STEPS)
		return NULL;
	fk_step *s = &plan->steps[plan->nsteps++];
	memset(s, 0, sizeof *s);
	s->id = id;
	s->name = fk_step_name(id);
	return s;
}

static const fk_lock *fkp_find(const fk_inventory *inv, fk_lock_kind kind)
{
	for (unsigned i = 0; i < inv->nlocks; i++)
		if (inv->locks[i].kind == kind)
			return &inv->locks[i];
	return NULL;
}

static void fkp_sector_list(char *buf, size_t n, uint64_t mask)
{
	for (unsigned i = 0; i < 64; i++)
		if (mask & (1ULL << i))
			fk_snprintf_cat(buf, n, "%s%u", buf[0] ? "," : "", i);
}

static void fkp_step_keys(const fk_inventory *inv, fk_plan *plan, fk_step_id upto)
{
	const fk_lock *ctrl = fkp_find(inv, FK_LOCK_CTRL);
	if (ctrl && upto >= FK_STEP_CTRL) {
		fk_step *s = fkp_step_add(plan, FK_STEP_CTRL);
		fk_strlcpy(s->what, "write KEY1, KEY2 to FLASH_KEYR once (LOCK read first; a wrong "
				    "sequence is never retried)", sizeof s->what);
		fk_strlcpy(s->cost_text, "nothing", sizeof s->cost_text);
		if (ctrl->step < 0) {
			s->refused = true;
			s->pending = FK_PENDING_RESET;
			fk_strlcpy(s->why, "FLASH_CR is locked until the next reset because a key "
					   "sequence failed (RM0090 §3.7.2): run `flashkey reset` first",
				   sizeof s->why);
		}
	}
	if (fkp_find(inv, FK_LOCK_OPT) && upto >= FK_STEP_OPT) {
		fk_step *s = fkp_step_add(plan, FK_STEP_OPT);
		fk_strlcpy(s->what, "write OPTKEY1, OPTKEY2 to FLASH_OPTKEYR once (OPTLOCK read first)",
			   sizeof s->what);
		fk_strlcpy(s->cost_text, "nothing", sizeof s->cost_text);
	}
}

static void fkp_step_wrp(const fk_inventory *inv, fk_plan *plan, fk_step_id upto)
{
	const fk_lock *wrp = fkp_find(inv, FK_LOCK_WRP);
	if (!wrp || upto < FK_STEP_WRP)
		return;
	fk_step *s = fkp_step_add(plan, FK_STEP_WRP);
	char list[96] = "";
	fkp_sector_list(list, sizeof list, wrp->sectors);
	snprintf(s->what, sizeof s->what, "set nWRP=1 for sectors %s (other option bytes kept), "
					  "OPTSTRT, read back", list);
	fk_strlcpy(s->cost_text, "nothing: no data is lost", sizeof s->cost_text);
	s->sectors = wrp->sectors;
	if (inv->rdp_level == 2) {
		s->refused = true;
		fk_strlcpy(s->why, "RDP level 2: option bytes can no longer be changed (RM0090 §3.7.3)",
			   sizeof s->why);
	}
}

static void fkp_rdp_refusal(const fk_inventory *inv, fk_step *s)
{
	if (inv->rdp_level == 2) {
		s->refused = true;
		fk_strlcpy(s->why, "RDP level 2 is permanent (RM0090 §3.7.3): no tool can regress it",
			   sizeof s->why);
	} else if (fkp_find(inv, FK_LOCK_WATCHDOG)) {
		s->refused = true;
		fk_strlcpy(s->why, "the hardware watchdog (WDG_SW=0) would reset the chip during the "
				   "mass erase and abort the regression: run `flashkey options set "
				   "wdg=sw`, then `flashkey reset`, then unlock again", sizeof s->why);
	}
}

static void fkp_step_rdp(const fk_inventory *inv, fk_plan *plan, fk_step_id upto)
{
	const fk_lock *rdp = fkp_find(inv, FK_LOCK_RDP);
	const fk_lock *torn = fkp_find(inv, FK_LOCK_OPTIONS_TORN);
	const fk_lock *pcrop = fkp_find(inv, FK_LOCK_PCROP);
	if ((!rdp && !torn && !pcrop) || upto < FK_STEP_RDP)
		return;
	if (pcrop && inv->rdp_level == 0) {
		fk_step *r = fkp_step_add(plan, FK_STEP_RDP_RAISE);
		fk_strlcpy(r->what, "set RDP to level 1 (0x55) keeping SPRMOD and nWRP, OPTSTRT: PCROP "
				    "can only be cleared on the way from level 1 to 0", sizeof r->what);
		fk_strlcpy(r->cost_text, "nothing by itself; it commits to the regression that follows",
			   sizeof r->cost_text);
		r->destructive = true;
		/* level 1 makes flash unreadable to a debugger (RM0090 §3.7.3): the backup goes
		 * before this step, the point of no return, not before the erase that follows */
		r->backup = true;
	}
	bool backed_up = plan->nsteps && plan->steps[plan->nsteps - 1].id == FK_STEP_RDP_RAISE;
	fk_step *s = fkp_step_add(plan, FK_STEP_RDP);
	if (pcrop && strcmp(inv->path, "bootloader") == 0) {
		/* RM0090 §3.7.5: SPRMOD=0 must be written together with the 1 -> 0 regression; at
		 * level 1 the ROM bootloader accepts only Readout Unprotect (AN3155 Table 2), which
		 * sets RDP and nothing else. Raising RDP and regressing would erase all flash and
		 * leave PCROP in place: refuse both steps before anything is written. */
		for (unsigned i = 0; i < plan->nsteps; i++) {
			fk_step *p = &plan->steps[i];
			if (p->id != FK_STEP_RDP_RAISE && p != s)
				continue;
			p->refused = true;
			fk_strlcpy(p->why, "PCROP is cleared only by one option write of SPRMOD=0 with RDP "
					   "1 -> 0 (RM0090 §3.7.5); the bootloader offers only Readout "
					   "Unprotect, which leaves SPRMOD: use a debug probe "
					   "(-c stlink, -c cmsis-dap)", sizeof p->why);
		}
	}
	snprintf(s->what, sizeof s->what, "set RDP=0xAA (level 0)%s, OPTSTRT: the chip mass-erases "
					  "flash and backup SRAM, then read back",
		 pcrop ? " with SPRMOD=0 and every nWRP=1 in the same write" : "");
	snprintf(s->cost_text, sizeof s->cost_text, "all flash (%u KB) and backup SRAM; OTP and the "
						    "other option bytes are kept",
		 inv->flash_size / 1024U);
	s->cost = FK_COST_ALL_FLASH;
	s->destructive = true;
	s->backup = !backed_up; /* else taken before rdp-raise, while flash was readable */
	s->pending = FK_PENDING_RESET;
	fkp_rdp_refusal(inv, s);
}

void fkp_ladder_build(const fk_inventory *inv, fk_step_id upto, fk_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	const fk_lock *err = fkp_find(inv, FK_LOCK_ERRORS);
	if (err && upto >= FK_STEP_ERRORS) {
		fk_step *s = fkp_step_add(plan, FK_STEP_ERRORS);
		/* the flag list comes from the inventory; cut, never overflow, if it were long */
		fk_snprintf_cat(s->what, sizeof s->what, "clear %s", err->state);
		fk_snprintf_cat(s->what, sizeof s->what, "%s", " in FLASH_SR by writing them back as 1");
		fk_strlcpy(s->cost_text, "nothing", sizeof s->cost_text);
	}
	fkp_step_keys(inv, plan, upto);
	fkp_step_wrp(inv, plan, upto);
	fkp_step_rdp(inv, plan, upto);
	plan->nothing_to_do = plan->nsteps == 0;
}

int fkp_plan_check(fk_ctx *ctx, const fk_plan *plan, const fk_perms *perms)
{
	for (unsigned i = 0; i < plan->nsteps; i++) {
		const fk_step *s = &plan->steps[i];
		if (s->refused) {
			fk_hint(ctx, "%s", s->why);
			return fk_fail(ctx, s->id == FK_STEP_CTRL ? FK_E_LOCKED : FK_E_PROTECTED,
				       "step %s refused: %s", s->name, s->why);
		}
		if (s->destructive && !perms->allow_erase_all) {
			fk_hint(ctx, "review the plan with `flashkey unlock --dry-run`, then add "
				     "--allow-erase-all (or answer the prompt by typing yes)");
			return fk_fail(ctx, FK_E_PERMISSION, "step %s destroys data (%s) and needs "
							     "--allow-erase-all; nothing was changed",
				       s->name, s->cost_text[0] ? s->cost_text : "all flash");
		}
		if (s->irreversible && (!perms->allow_irreversible ||
					strcmp(perms->allow_irreversible, "PERMANENT") != 0)) {
			fk_hint(ctx, "name the consequence: --allow-irreversible=PERMANENT");
			return fk_fail(ctx, FK_E_PERMISSION, "step %s is irreversible (%s); nothing "
							     "was changed", s->name,
				       s->cost_text[0] ? s->cost_text : s->what);
		}
	}
	return FK_OK;
}
