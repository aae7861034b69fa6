/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option bytes on a session: semantic KEY=VALUE changes checked against RM0090 §3.7.3-§3.7.5
 * (stm32f4_opt_check), gated (RDP 2: PERMANENT; RDP 1->0: allow_erase_all, backup first),
 * written, read back, and the pending reset reported (RM0090 §3.7.3: raising RDP with a
 * debugger attached needs a power-on reset). */
#include <stdlib.h>
#include <string.h>

#include "api/session.h"
#include "core/core.h"

static int fk_opt_current(fk_session *s, stm32f4_options *cur, uint32_t *optcr, uint32_t *optcr1)
{
	if (!FK_IS_F4(s))
		return fk_api_f4_only(s, "options set");
	int rc = stm32f4_options_read(FK_F4(s), s->ctx, optcr, optcr1);
	if (rc)
		return fk_fail_wrap(s->ctx, rc, "reading FLASH_OPTCR");
	stm32f4_opt_decode(FK_F4(s)->dev, *optcr, *optcr1, cur);
	return FK_OK;
}

static int fk_opt_want(fk_session *s, const char *const *kv, unsigned n, stm32f4_options *cur,
		       stm32f4_options *want, uint32_t *optcr, uint32_t *optcr1)
{
	int rc = fk_opt_current(s, cur, optcr, optcr1);
	*want = *cur;
	for (unsigned i = 0; i < n && !rc; i++)
		rc = stm32f4_opt_apply(FK_F4(s)->dev, FK_F4(s)->nsectors, s->ctx, kv[i], want);
	return rc;
}

/* A family on the driver interface: its plan of the change (FK_CHANGE_OPTIONS). */
static int fk_opt_driver_plan(fk_session *s, const char *const *kv, unsigned n, fk_plan *plan)
{
	fk_inventory *inv = malloc(sizeof *inv);
	if (!inv)
		return fk_fail(s->ctx, FK_E_NOMEM, "options: inventory");
	fk_change req = {.kind = FK_CHANGE_OPTIONS, .kv = kv, .nkv = n};
	int rc = fk_session_inventory(s, inv);
	if (!rc)
		rc = s->drv->plan(s->chip, s->ctx, inv, &req, plan);
	free(inv);
	return rc;
}

/* What is still needed after each step the executor ran: none when it did the reset that
 * loads the options itself (lib/api/unlock.c), else the step's pending action. */
static void fk_opt_step_done(void *user, const fk_step_result *r, const fk_inventory *after)
{
	fk_pending *pending = user;
	(void)after;
	if (!r->rc && r->pending > *pending)
		*pending = r->pending;
}

int fk_options_plan(fk_session *s, const char *const *kv, unsigned n, fk_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	if (FK_IS_F4(s)) /* no frame: nothing failed, there is just no driver plan to show */
		return FK_E_UNSUPPORTED;
	return fk_opt_driver_plan(s, kv, n, plan);
}

int fk_options_preview(fk_session *s, const char *const *kv, unsigned n, bool *irreversible,
		       bool *erases_all)
{
	if (!FK_IS_F4(s)) {
		fk_plan plan;
		int rc = fk_opt_driver_plan(s, kv, n, &plan);
		*irreversible = *erases_all = false;
		for (unsigned i = 0; !rc && i < plan.nsteps; i++) {
			*irreversible |= plan.steps[i].irreversible;
			*erases_all |= plan.steps[i].destructive;
		}
		return rc;
	}

	stm32f4_options cur, want;
	uint32_t optcr, optcr1;
	int rc = fk_opt_want(s, kv, n, &cur, &want, &optcr, &optcr1);
	return rc ? rc : stm32f4_opt_check(FK_F4(s)->dev, s->ctx, &cur, &want, irreversible, erases_all);
}

static fk_pending fk_opt_pending(const stm32f4_options *cur, const stm32f4_options *want)
{
	int from = stm32f4_rdp_level(cur->rdp), to = stm32f4_rdp_level(want->rdp);
	if (to > from)
		return FK_PENDING_POWER_ON;
	if (from != to || cur->wdg_sw != want->wdg_sw || cur->bor_lev != want->bor_lev ||
	    cur->nrst_stop != want->nrst_stop || cur->nrst_stdby != want->nrst_stdby ||
	    cur->db1m != want->db1m || cur->bfb2 != want->bfb2 || cur->sprmod != want->sprmod)
		return FK_PENDING_RESET;
	return FK_PENDING_NONE;
}

/* Shared with restore: gates, backup before a regression, write, read back. */
int fk_api_options_write(fk_session *s, const stm32f4_options *cur, const stm32f4_options *want,
			 uint32_t cur_optcr, const fk_perms *perms, fk_pending *pending,
			 bool *mass_erase);
int fk_api_options_write(fk_session *s, const stm32f4_options *cur, const stm32f4_options *want,
			 uint32_t cur_optcr, const fk_perms *perms, fk_pending *pending,
			 bool *mass_erase)
{
	bool irr, all;
	int rc = stm32f4_opt_check(FK_F4(s)->dev, s->ctx, cur, want, &irr, &all);
	if (mass_erase)
		*mass_erase = !rc && all && !perms->dry_run;
	if (!rc && irr)
		rc = fk_api_need_irreversible(s->ctx, perms, "RDP level 2 (disables debug and the "
							    "bootloader for good)");
	if (!rc && all)
		rc = fk_api_need_erase_all(s->ctx, perms, "RDP 1->0");
	if (!rc && all && perms->dry_run)
		rc = fk_api_backup_dir_check(s, perms);
	if (rc || perms->dry_run)
		return rc;
	if (all)
		rc = fk_api_backup_before(s, perms, "RDP 1->0 (a mass erase)");
	if (rc)
		return rc;
	uint32_t optcr, optcr1;
	stm32f4_opt_encode(FK_F4(s)->dev, want, &optcr, &optcr1);
	optcr |= cur_optcr & FK_F4(s)->dev->optcr_reserved;
	fk_stop_hold(s->ctx); /* an option write is not stopped halfway */
	rc = stm32f4_options_write(FK_F4(s), s->ctx, optcr, optcr1);
	fk_stop_release(s->ctx);
	if (!rc && pending)
		*pending = fk_opt_pending(cur, want);
	return rc;
}

int fk_options_set(fk_session *s, const char *const *kv, unsigned n, const fk_perms *perms,
		   fk_pending *pending)
{
	stm32f4_options cur, want;
	uint32_t optcr, optcr1;
	*pending = FK_PENDING_NONE;
	if (!FK_IS_F4(s)) { /* planned by the driver, run (gates, backup, read back) as unlock */
		fk_plan plan;
		int rc = fk_opt_driver_plan(s, kv, n, &plan);
		if (!rc && !plan.nothing_to_do)
			rc = fk_unlock_run(s, &plan, perms, fk_opt_step_done, pending);
		return rc;
	}
	int rc = fk_opt_want(s, kv, n, &cur, &want, &optcr, &optcr1);
	if (rc)
		return rc;
	if (memcmp(&cur, &want, sizeof cur) == 0)
		return FK_OK;
	return fk_api_options_write(s, &cur, &want, optcr, perms, pending, NULL);
}
