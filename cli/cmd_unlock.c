/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey unlock: run the unlock ladder (lib/plan) from the safest step to the most
 * aggressive, as the chip's driver plans it (on an STM32F4: clear error flags -> unlock FLASH_CR
 * -> unlock the option register -> remove WRP -> RDP 1->0).
 * Destructive steps need --allow-erase-all or a typed "yes"; a backup precedes them unless
 * --no-backup; --dry-run prints the plan a real run would execute and stops. */
#include <string.h>

#include "cmd_common.h"

static const cli_opt unlock_opts[] = {
	{"upto", 0, CLI_VALUE, "STEP", "stop after STEP: errors, ctrl, opt, wrp, rdp (default: all)"},
	{NULL, 0, 0, NULL, NULL},
};

typedef struct unlock_log {
	cli_env *e;
	unsigned n;
	fk_step_result r[FK_PLAN_MAX_STEPS];
	fk_step steps[FK_PLAN_MAX_STEPS];
} unlock_log;

static void unlock_step_done(void *user, const fk_step_result *r, const fk_inventory *after)
{
	unlock_log *log = user;
	(void)after;
	if (log->n < FK_PLAN_MAX_STEPS) {
		log->steps[log->n] = *r->step;
		log->r[log->n] = *r;
		log->r[log->n].step = &log->steps[log->n];
		log->n++;
	}
	if (log->e->out.json)
		return;
	if (r->backup_dir[0])
		printf("     backup written and verified: %s\n", r->backup_dir);
	if (r->rc)
		printf("  %s: FAILED\n", r->step->name);
	else
		printf("  %s: done: %s%s%s\n", r->step->name, r->changed,
		       r->pending != FK_PENDING_NONE ? "; pending: " : "",
		       r->pending != FK_PENDING_NONE ? fk_pending_name(r->pending) : "");
}

static int unlock_upto(cli_env *e, int *upto)
{
	const char *v = cli_value(&e->args, "upto");
	fk_step_id id;
	*upto = FK_STEP_COUNT_;
	if (!v)
		return FK_OK;
	if (fk_step_parse(v, &id))
		return fk_fail(e->ctx, FK_E_USAGE, "--upto %s: expected errors, ctrl, opt, wrp or rdp", v);
	*upto = (int)id;
	return FK_OK;
}

static void unlock_json(cli_env *e, int rc, const fk_inventory *before, const fk_plan *plan,
			const unlock_log *log, const fk_inventory *after)
{
	json_w j;
	cli_json_begin(e, &j, rc);
	json_kv_bool(&j, "dry_run", e->dry_run);
	json_key(&j, "before");
	cli_json_inventory(&j, before);
	json_key(&j, "plan");
	cli_json_plan(&j, plan);
	json_key(&j, "steps");
	json_arr_begin(&j);
	for (unsigned i = 0; i < log->n; i++) {
		json_obj_begin(&j);
		json_kv_str(&j, "step", log->steps[i].name);
		json_kv_bool(&j, "ok", log->r[i].rc == 0);
		json_kv_str(&j, "changed", log->r[i].changed);
		json_kv_str(&j, "pending", fk_pending_name(log->r[i].pending));
		json_kv_str(&j, "backup_dir", log->r[i].backup_dir);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	if (after) {
		json_key(&j, "after");
		cli_json_inventory(&j, after);
	}
	cli_json_end(e, &j, rc);
}

static void unlock_level1_note(cli_env *e, fk_session *s, const fk_inventory *inv,
			       const fk_plan *plan)
{
	for (unsigned i = 0; i < plan->nsteps; i++) {
		if (!plan->steps[i].backup || e->out.json)
			continue;
		if (e->no_backup)
			printf("note: --no-backup given: nothing is saved before step %s\n",
			       plan->steps[i].name);
		else if (!inv->flash_readable) {
			char guard[96];
			fk_inventory_read_guard(inv, guard, sizeof guard);
			printf("note: with %s nothing in flash or OTP is readable through %s (%s): "
			       "the backup can hold %s only\n", guard, inv->path,
			       fk_session_chip(s)->rdp_source,
			       fk_session_chip(s)->option_base && inv->rdp_level >= 0
				       ? "the option bytes" : "what the chip still shows");
		}
	}
}

static int unlock_gate(cli_env *e, const fk_plan *plan, fk_perms *perms)
{
	int rc = fk_plan_check(e->ctx, plan, perms);
	if (rc != FK_E_PERMISSION || e->dry_run)
		return rc;
	if (!cli_consent_erase_all(e, perms, "The RDP 1->0 regression mass-erases all flash."))
		return rc;
	fk_ctx_clear(e->ctx);
	return fk_plan_check(e->ctx, plan, perms);
}

/* Steps ran and none waits for a reset or reconnect to take effect: the inventory read after
 * them is the chip's final word (a CRP or RDP change latched at the next reset is not). */
static bool unlock_took_effect(const fk_plan *plan)
{
	if (plan->nothing_to_do || !plan->nsteps)
		return false;
	for (unsigned i = 0; i < plan->nsteps && i < FK_PLAN_MAX_STEPS; i++)
		if (plan->steps[i].pending != FK_PENDING_NONE)
			return false;
	return true;
}

/* The whole ladder ran (no --upto) and every step was read back, yet a lock still stops a
 * write (one no step can remove, such as an eFuse, or a policy the chip kept): not a success. */
static int unlock_still_blocked(cli_env *e, const fk_inventory *after)
{
	const fk_lock *l = NULL;
	for (unsigned i = 0; i < after->nlocks && i < FK_INV_MAX_LOCKS && !l; i++)
		if (after->locks[i].blocks_write)
			l = &after->locks[i];
	fk_hint(e->ctx, "`flashkey status` shows the lock and what still works; the plan above "
		"says which steps could not remove it");
	return fk_fail(e->ctx, FK_E_PROTECTED, "unlock ran every step it could, but a write is still "
		       "blocked by %s%s%s", l ? l->name : "a lock", l && l->state[0] ? ": " : "",
		       l ? l->state : "");
}

static int unlock_execute(cli_env *e, fk_session *s, const fk_inventory *inv, fk_plan *plan,
			  bool full)
{
	fk_perms perms;
	unlock_log log = {.e = e};
	fk_inventory after;
	bool have_after = false;
	cli_perms(e, &perms);
	if (!e->out.json)
		cli_print_plan(plan);
	int rc = unlock_gate(e, plan, &perms);
	/* a dry run exits with the code the real run would: 5 while a permission is missing */
	if (e->dry_run && !rc) /* the checks a real run makes before its first step */
		rc = fk_unlock_run(s, plan, &perms, NULL, NULL);
	if (e->dry_run && !e->out.json)
		printf(rc ? "dry run: a real run would stop here: see the error below\n"
			  : "dry run: nothing was written\n");
	if (!rc && !e->dry_run && !plan->nothing_to_do) {
		unlock_level1_note(e, s, inv, plan);
		if (!e->out.json)
			printf("running:\n");
		rc = fk_unlock_run(s, plan, &perms, unlock_step_done, &log);
	}
	if (!rc) /* what ran is reported done only once the target holds it (class 7) */
		rc = fk_session_sync(s);
	if (!e->dry_run && !fk_session_inventory(s, &after)) {
		have_after = true;
		const char *verdict = after.write_blocked
					      ? "a write is still blocked: see `flashkey status`"
					      : "nothing blocks a write: flash is writable";
		if (!e->out.json && !rc && after.rdp_level >= 0)
			printf("now: RDP level %d; %s\n", after.rdp_level, verdict);
		else if (!e->out.json && !rc) /* a chip without read-out protection levels */
			printf("now: %s\n", verdict);
		if (!rc && full && after.write_blocked && unlock_took_effect(plan))
			rc = unlock_still_blocked(e, &after);
	}
	if (e->out.json)
		unlock_json(e, rc, inv, plan, &log, have_after ? &after : NULL);
	return rc;
}

static int cmd_unlock_run(cli_env *e)
{
	fk_session *s;
	fk_inventory inv;
	fk_plan plan;
	int upto;
	int rc = unlock_upto(e, &upto);
	if (!rc)
		rc = cli_session(e, &s);
	if (rc)
		return rc;
	rc = fk_session_inventory(s, &inv);
	if (!rc)
		rc = fk_unlock_plan(s, &inv, upto, &plan);
	if (!rc)
		rc = unlock_execute(e, s, &inv, &plan, upto == FK_STEP_COUNT_);
	rc = fk_session_end(s, rc);
	return rc;
}

const cli_command cli_cmd_unlock = {
	.name = "unlock",
	.synopsis = "unlock [--upto STEP]",
	.summary = "remove protection step by step, safest first, with a backup before data is lost",
	.details = "Steps: errors (clear latched FLASH_SR flags), ctrl (FLASH_CR keys, never retried "
		   "after a failure), opt (option register keys), wrp (nWRP=1, other options kept, no data "
		   "lost), rdp (RDP 1->0: the chip erases all flash; PCROP goes in the same write). "
		   "The rdp step needs --allow-erase-all or a typed yes; --yes does not grant it. A "
		   "verified backup is written under --backup-dir first unless --no-backup. Each step "
		   "is read back and what changed and what is pending is reported.",
	.opts = unlock_opts,
	.run = cmd_unlock_run,
};
