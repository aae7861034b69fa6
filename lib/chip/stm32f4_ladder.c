/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F4 unlock ladder: protection inventory -> ordered steps, safest first (pure, no I/O);
 * stm32f4_plan_values then fills the option words of each step. Order and costs follow RM0090
 * Rev 21: error flags are w1c (§3.9.5); a wrong key locks FLASH_CR/OPTCR until reset, so keys
 * are written once (§3.7.2); WRP removal is a same-level option write that loses nothing
 * (§3.7.4); the RDP 1->0 regression mass-erases flash and backup SRAM (§3.7.3); PCROP is
 * removed only together with it, from level 1 (§3.7.5). Moved here from lib/plan (issue 12:
 * the planner names no family). */
#include <stdio.h>
#include <string.h>

#include "chip/stm32f4.h"
#include "core/core.h"

static const fk_lock *f4l_find(const fk_inventory *inv, fk_lock_kind kind)
{
	for (unsigned i = 0; i < inv->nlocks; i++)
		if (inv->locks[i].kind == kind)
			return &inv->locks[i];
	return NULL;
}

static void f4l_sector_list(char *buf, size_t n, uint64_t mask)
{
	for (unsigned i = 0; i < 64; i++)
		if (mask & (1ULL << i))
			fk_snprintf_cat(buf, n, "%s%u", buf[0] ? "," : "", i);
}

static void f4l_step_keys(const fk_inventory *inv, fk_plan *plan, fk_step_id upto)
{
	const fk_lock *ctrl = f4l_find(inv, FK_LOCK_CTRL);
	if (ctrl && upto >= FK_STEP_CTRL) {
		fk_step *s = fk_plan_step_add(plan, FK_STEP_CTRL);
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
	if (f4l_find(inv, FK_LOCK_OPT) && upto >= FK_STEP_OPT) {
		fk_step *s = fk_plan_step_add(plan, FK_STEP_OPT);
		fk_strlcpy(s->what, "write OPTKEY1, OPTKEY2 to FLASH_OPTKEYR once (OPTLOCK read first)",
			   sizeof s->what);
		fk_strlcpy(s->cost_text, "nothing", sizeof s->cost_text);
	}
}

static void f4l_step_wrp(const fk_inventory *inv, fk_plan *plan, fk_step_id upto)
{
	const fk_lock *wrp = f4l_find(inv, FK_LOCK_WRP);
	if (!wrp || upto < FK_STEP_WRP)
		return;
	fk_step *s = fk_plan_step_add(plan, FK_STEP_WRP);
	char list[96] = "";
	f4l_sector_list(list, sizeof list, wrp->sectors);
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

static void f4l_rdp_refusal(const fk_inventory *inv, fk_step *s)
{
	if (inv->rdp_level == 2) {
		s->refused = true;
		fk_strlcpy(s->why, "RDP level 2 is permanent (RM0090 §3.7.3): no tool can regress it",
			   sizeof s->why);
	} else if (f4l_find(inv, FK_LOCK_WATCHDOG)) {
		s->refused = true;
		fk_strlcpy(s->why, "the hardware watchdog (WDG_SW=0) would reset the chip during the "
				   "mass erase and abort the regression: run `flashkey options set "
				   "wdg=sw`, then `flashkey reset`, then unlock again", sizeof s->why);
	}
}

static void f4l_step_rdp(const fk_inventory *inv, fk_plan *plan, fk_step_id upto)
{
	const fk_lock *rdp = f4l_find(inv, FK_LOCK_RDP);
	const fk_lock *torn = f4l_find(inv, FK_LOCK_OPTIONS_TORN);
	const fk_lock *pcrop = f4l_find(inv, FK_LOCK_PCROP);
	if ((!rdp && !torn && !pcrop) || upto < FK_STEP_RDP)
		return;
	if (pcrop && inv->rdp_level == 0) {
		fk_step *r = fk_plan_step_add(plan, FK_STEP_RDP_RAISE);
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
	fk_step *s = fk_plan_step_add(plan, FK_STEP_RDP);
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
	f4l_rdp_refusal(inv, s);
}

void stm32f4_ladder_build(const fk_inventory *inv, fk_step_id upto, fk_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	const fk_lock *err = f4l_find(inv, FK_LOCK_ERRORS);
	if (err && upto >= FK_STEP_ERRORS) {
		fk_step *s = fk_plan_step_add(plan, FK_STEP_ERRORS);
		/* the flag list comes from the inventory; cut, never overflow, if it were long */
		fk_snprintf_cat(s->what, sizeof s->what, "clear %s", err->state);
		fk_snprintf_cat(s->what, sizeof s->what, "%s", " in FLASH_SR by writing them back as 1");
		fk_strlcpy(s->cost_text, "nothing", sizeof s->cost_text);
	}
	f4l_step_keys(inv, plan, upto);
	f4l_step_wrp(inv, plan, upto);
	f4l_step_rdp(inv, plan, upto);
	plan->nothing_to_do = plan->nsteps == 0;
}
