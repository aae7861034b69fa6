/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The unlock ladder on a session: plan (the family driver's, with target values and
 * refusals), permission check, and execution with a backup before
 * destructive steps and a read-back after each (DESIGN.md "Safety gates"); a step whose effect
 * waits for a reset gets one when the path can (option bytes reload at reset release). */
#include <stdio.h>
#include <string.h>

#include "api/session.h"
#include "core/core.h"
#include "plan/ladder.h"

int fk_unlock_plan(fk_session *s, const fk_inventory *inv, int upto, fk_plan *plan)
{
	fk_change req = {.kind = FK_CHANGE_UNLOCK, .upto = (fk_step_id)upto};
	memset(plan, 0, sizeof *plan);
	return s->drv->plan(s->chip, s->ctx, inv, &req, plan);
}

int fk_plan_check(fk_ctx *ctx, const fk_plan *plan, const fk_perms *perms)
{
	return fkp_plan_check(ctx, plan, perms);
}

static const fk_lock *fk_unlock_find(const fk_inventory *inv, fk_lock_kind k)
{
	for (unsigned i = 0; i < inv->nlocks; i++)
		if (inv->locks[i].kind == k)
			return &inv->locks[i];
	return NULL;
}

/* "RDP: level 1 (RDP byte 0x55) -> gone; WRP: sectors 0 1 -> gone" */
static void fk_unlock_changes(const fk_inventory *a, const fk_inventory *b, char *out, size_t n)
{
	out[0] = '\0';
	for (unsigned i = 0; i < a->nlocks; i++) {
		const fk_lock *before = &a->locks[i];
		const fk_lock *after = fk_unlock_find(b, before->kind);
		if (after && strcmp(after->state, before->state) == 0)
			continue;
		fk_snprintf_cat(out, n, "%s%s: %s -> %s", out[0] ? "; " : "", before->name,
				before->state, after ? after->state : "cleared");
	}
	if (!out[0])
		fk_strlcpy(out, "no visible change", n);
}

static int fk_unlock_backup(fk_session *s, const fk_step *st, const fk_perms *perms,
			    fk_step_result *res)
{
	if (!st->backup || perms->no_backup)
		return FK_OK;
	char what[64];
	snprintf(what, sizeof what, "step %s", st->name);
	int rc = fk_api_backup_before(s, perms, what);
	if (!rc)
		fk_strlcpy(res->backup_dir, s->backup_dir, sizeof res->backup_dir);
	return rc;
}

/* After an option step whose effect waits for the reload (option bytes load at reset
 * release), a system reset makes it effective when the connection can do one. */
bool fk_api_reset_reload(fk_session *s)
{
	fk_ctx *quiet = fk_ctx_new();
	bool done = quiet && !s->drv->reset(s->chip, quiet, FK_RESET_SYSTEM);
	if (done && s->t.kind == FK_TRANSPORT_MEM) {
		const fk_mem_ops *mem = s->t.ops;
		if (mem->halt)
			(void)mem->halt(s->t.handle, quiet);
	}
	fk_ctx_free(quiet);
	return done;
}

static void fk_unlock_settle(fk_session *s, const fk_step *st, fk_step_result *res)
{
	res->pending = st->pending;
	if (st->pending == FK_PENDING_RESET && !st->user_reset && fk_api_reset_reload(s)) {
		res->pending = FK_PENDING_NONE;
		fk_snprintf_cat(res->changed, sizeof res->changed, "; system reset done: option "
								   "bytes reloaded");
	}
}

static int fk_unlock_step(fk_session *s, const fk_step *st, const fk_perms *perms, fk_step_fn fn,
			  void *user)
{
	fk_inventory before, after;
	fk_step_result res;
	memset(&res, 0, sizeof res);
	res.step = st;
	int rc = fk_session_inventory(s, &before);
	if (!rc)
		rc = fk_unlock_backup(s, st, perms, &res);
	if (!rc) { /* a step is never stopped halfway: it ends and is read back */
		fk_stop_hold(s->ctx);
		rc = s->drv->step(s->chip, s->ctx, st);
		fk_stop_release(s->ctx);
	}
	if (rc) {
		res.rc = rc;
		if (fn)
			fn(user, &res, &before);
		return fk_fail_wrap(s->ctx, rc, "step %s", st->name);
	}
	rc = fk_session_inventory(s, &after);
	if (rc)
		return fk_fail_wrap(s->ctx, rc, "reading the state back after step %s", st->name);
	fk_unlock_changes(&before, &after, res.changed, sizeof res.changed);
	fk_unlock_settle(s, st, &res);
	if (res.pending == FK_PENDING_NONE && fk_session_inventory(s, &after))
		return fk_fail_wrap(s->ctx, fk_ctx_error(s->ctx), "reading back after the reset");
	if (fn)
		fn(user, &res, &after);
	return FK_OK;
}

int fk_unlock_run(fk_session *s, const fk_plan *plan, const fk_perms *perms, fk_step_fn fn,
		  void *user)
{
	int rc = fkp_plan_check(s->ctx, plan, perms);
	/* the backup directory is checked before any step runs, dry or not */
	for (unsigned i = 0; !rc && i < plan->nsteps; i++)
		if (plan->steps[i].backup)
			rc = fk_api_backup_dir_check(s, perms);
	if (rc || perms->dry_run)
		return rc;
	for (unsigned i = 0; i < plan->nsteps; i++) {
		if (fk_stop_requested(s->ctx)) { /* between steps: each one done is read back */
			fk_hint(s->ctx, "run `flashkey status` to see what is still locked, then the "
					"same command again to go on");
			return fk_fail(s->ctx, FK_E_INTERRUPTED, "stopped on request before step %s "
				       "(%u of %u): %u step%s done and read back, the rest not "
				       "started", plan->steps[i].name, i + 1, plan->nsteps, i,
				       i == 1 ? "" : "s");
		}
		rc = fk_unlock_step(s, &plan->steps[i], perms, fn, user);
		if (rc)
			return rc;
	}
	return FK_OK;
}
