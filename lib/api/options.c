/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Option bytes on a session: `options set KEY=VALUE` is a change the family driver plans
 * (lib/chip/driver.h plan(), FK_CHANGE_OPTIONS: its rules, the gates of each step and the
 * reset it needs) and the one executor runs (lib/api/unlock.c: gates on the whole plan first,
 * backup before a destructive step, read back after each, the pending reset reported). */
#include <stdlib.h>
#include <string.h>

#include "api/session.h"
#include "core/core.h"

int fk_api_change_plan(fk_session *s, const fk_change *req, fk_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	fk_inventory *inv = malloc(sizeof *inv);
	if (!inv)
		return fk_fail(s->ctx, FK_E_NOMEM, "planning a change: inventory");
	int rc = fk_session_inventory(s, inv);
	if (!rc)
		rc = s->drv->plan(s->chip, s->ctx, inv, req, plan);
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

int fk_api_change_run(fk_session *s, const fk_plan *plan, const fk_perms *perms,
		      fk_pending *pending)
{
	*pending = FK_PENDING_NONE;
	if (plan->nothing_to_do || !plan->nsteps)
		return FK_OK;
	return fk_unlock_run(s, plan, perms, fk_opt_step_done, pending);
}

int fk_options_plan(fk_session *s, const char *const *kv, unsigned n, fk_plan *plan)
{
	fk_change req = {.kind = FK_CHANGE_OPTIONS, .kv = kv, .nkv = n};
	return fk_api_change_plan(s, &req, plan);
}

int fk_options_preview(fk_session *s, const char *const *kv, unsigned n, bool *irreversible,
		       bool *erases_all)
{
	fk_plan plan;
	int rc = fk_options_plan(s, kv, n, &plan);
	*irreversible = *erases_all = false;
	for (unsigned i = 0; !rc && i < plan.nsteps; i++) {
		*irreversible |= plan.steps[i].irreversible;
		*erases_all |= plan.steps[i].destructive;
	}
	return rc;
}

int fk_options_set(fk_session *s, const char *const *kv, unsigned n, const fk_perms *perms,
		   fk_pending *pending)
{
	fk_plan plan;
	*pending = FK_PENDING_NONE;
	int rc = fk_options_plan(s, kv, n, &plan);
	return rc ? rc : fk_api_change_run(s, &plan, perms, pending);
}
