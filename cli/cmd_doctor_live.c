/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey -c CONN doctor [TEXT]: the live forms of doctor (docs/DOCTOR.md).
 * Read-only: the transport is asked for the target voltage and DHCSR (ARMv7-M ARM C1.6.2:
 * S_HALT is bit 17), then the chip session reads the protection inventory; nothing is written.
 * With TEXT the message's ranked causes are judged on those facts and, for the cause that holds,
 * the unlock ladder is planned (a dry run) and the exact command printed. Without TEXT every
 * health item of the catalogue (the seed-002 symptom table plus voltage and debug pins) is
 * judged. */
#include <stdlib.h>
#include <string.h>

#include "cmd_doctor.h"
#include "flashkey/flashkey.h"

#define DOCTOR_DHCSR 0xE000EDF0u
#define DOCTOR_DHCSR_S_HALT (1u << 17)
#define DOCTOR_LOW_MV 1800 /* below 1.8 V no supported STM32 programs its flash (datasheets) */

typedef struct live {
	fk_doctor_facts facts;
	fk_session *s;
	fk_inventory inv;
	bool have_inv;
	int open_rc; /* why the session could not be opened (FK_OK when it was) */
} live;

static void live_probe_mem(const fk_transport *t, fk_ctx *ctx, fk_doctor_facts *f)
{
	const fk_mem_ops *ops = t->ops;
	char d[64];
	int mv = ops->voltage_mv ? ops->voltage_mv(t->handle, ctx) : -1;
	if (mv >= 0) {
		snprintf(d, sizeof d, "target supply %d.%02d V", mv / 1000, (mv % 1000) / 10);
		fk_doctor_facts_set(f, FK_FACT_LOW_VOLTAGE, mv < DOCTOR_LOW_MV, d);
	}
	uint8_t b[4];
	if (ops->read && ops->read(t->handle, ctx, DOCTOR_DHCSR, b, 4, 4) == FK_OK) {
		uint32_t v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			     (uint32_t)b[3] << 24;
		snprintf(d, sizeof d, "DHCSR=0x%08X (S_HALT=%u)", v, !!(v & DOCTOR_DHCSR_S_HALT));
		fk_doctor_facts_set(f, FK_FACT_RUNNING, !(v & DOCTOR_DHCSR_S_HALT), d);
	}
	fk_ctx_clear(ctx);
}

/* Voltage and core state, straight from the transport; failures leave the facts unknown. */
static void live_probe(cli_env *e, fk_doctor_facts *f)
{
	fk_transport t;
	memset(&t, 0, sizeof t);
	if (cli_open_transport(e, &t) != FK_OK) {
		fk_ctx_clear(e->ctx);
		return;
	}
	if (t.kind == FK_TRANSPORT_MEM && t.ops)
		live_probe_mem(&t, e->ctx, f);
	fk_transport_close(&t);
}

static int live_open(cli_env *e, live *l)
{
	memset(l, 0, sizeof *l);
	fk_doctor_facts_init(&l->facts);
	live_probe(e, &l->facts);
	l->open_rc = fk_session_open(e->ctx, e->connection, &e->conn_opts, e->chip, &l->s);
	if (!l->open_rc && !e->halt) /* doctor only reads: a running core runs on (class 12) */
		fk_session_restore_run_state(l->s);
	if (l->open_rc != FK_OK) {
		fk_doctor_facts_set(&l->facts, FK_FACT_CONNECTED, false, fk_strerror(l->open_rc));
		if (l->open_rc == FK_E_DEBUG_DISABLED)
			fk_doctor_facts_set(&l->facts, FK_FACT_DEBUG_DISABLED, true,
					    "the debug port did not answer");
		/* a path that read the option byte and refused because of it says so in its
		 * error ("RDP=0xCC", "at RDP level 2": the twins' refusals, which read the level);
		 * the cause is then confirmed, not undecided (issue 13 class 17). A silent wire
		 * (FK_E_CONNECT) says neither: rdp2 stays one cause among several. */
		char msg[FK_CHAIN_MSG_MAX];
		fk_ctx_message(e->ctx, msg, sizeof msg);
		if (l->open_rc == FK_E_DEBUG_DISABLED &&
		    (strstr(msg, "RDP=0xCC") || strstr(msg, "at RDP level 2") ||
		     strstr(msg, "disabled at RDP level 2"))) {
			fk_doctor_facts_set(&l->facts, FK_FACT_RDP2, true, "RDP=0xCC (level 2), as "
					    "the error below says");
			fk_doctor_facts_set(&l->facts, FK_FACT_RDP0, false, "RDP level 2");
			fk_doctor_facts_set(&l->facts, FK_FACT_RDP1, false, "RDP level 2");
		}
		if (l->open_rc == FK_E_NO_POWER)
			fk_doctor_facts_set(&l->facts, FK_FACT_LOW_VOLTAGE, true,
					    "target not powered (the connection reports no supply)");
		return l->open_rc;
	}
	int rc = fk_session_inventory(l->s, &l->inv);
	if (rc != FK_OK)
		return fk_fail_wrap(e->ctx, rc, "reading the protection inventory");
	fk_doctor_facts saved = l->facts;
	fk_doctor_facts_from_inventory(&l->inv, &l->facts);
	for (int i = 0; i < FK_DOCTOR_FACT_COUNT; i++) /* keep what the transport measured */
		if (saved.v[i] != FK_DOCTOR_UNKNOWN && l->facts.v[i] == FK_DOCTOR_UNKNOWN)
			fk_doctor_facts_set(&l->facts, i, saved.v[i] == 1, saved.detail[i]);
	l->have_inv = true;
	return FK_OK;
}

/* rc: the command's result so far; a state that could not be saved fails it (class 7). */
static int live_close(live *l, int rc)
{
	rc = fk_session_end(l->s, rc);
	l->s = NULL;
	return rc;
}

/* The catalogue's fix with CONN replaced by the user's connection. */
static void live_command(const char *fix, const char *conn, char *buf, size_t size)
{
	buf[0] = '\0';
	for (const char *p = fix; *p;) {
		const char *c = strstr(p, "CONN");
		size_t n = c ? (size_t)(c - p) : strlen(p);
		fk_snprintf_cat(buf, size, "%.*s", (int)n, p);
		if (!c)
			break;
		fk_snprintf_cat(buf, size, "%s", conn);
		p = c + 4;
	}
}

/* How a fact was established, or its bare value when the inventory gave no detail. */
static const char *live_fact_detail(const live *l, int fact)
{
	if (fact < 0 || fact >= FK_DOCTOR_FACT_COUNT)
		return "";
	if (l->facts.detail[fact][0])
		return l->facts.detail[fact];
	return l->facts.v[fact] == FK_DOCTOR_UNKNOWN ? "not readable on this path"
	       : l->facts.v[fact]                   ? "true"
							: "false";
}

static void live_print_verdict(const live *l, const fk_doctor_cause *c, unsigned rank)
{
	int why = -1;
	fk_doctor_verdict v = fk_doctor_judge(c, &l->facts, &why);
	const char *d = live_fact_detail(l, why);
	printf("  %u. %-14s %-13s %s%s%s\n", rank, c->id, fk_doctor_verdict_name(v),
	       why >= 0 ? fk_doctor_fact_name(why) : "", d[0] ? ": " : "", d);
}

static void live_print_plan(const fk_plan *plan)
{
	if (plan->nothing_to_do || !plan->nsteps) {
		printf("Plan: nothing to do.\n");
		return;
	}
	printf("Plan (dry run, nothing written):\n");
	for (unsigned i = 0; i < plan->nsteps; i++) {
		const fk_step *st = &plan->steps[i];
		printf("  %u. %-9s %s\n", i + 1, st->name, st->what);
		printf("     cost: %s%s%s\n", st->cost_text,
		       st->destructive ? "; needs --allow-erase-all" : "",
		       st->backup ? "; backup first" : "");
		if (st->pending)
			printf("     then: %s\n", fk_pending_name(st->pending));
		if (st->refused)
			printf("     refused: %s\n", st->why);
	}
}

static void live_json_facts(json_w *j, const live *l)
{
	json_key(j, "facts");
	json_obj_begin(j);
	for (int i = 0; i < FK_DOCTOR_FACT_COUNT; i++) {
		json_key(j, fk_doctor_fact_name(i));
		json_obj_begin(j);
		json_key(j, "value");
		if (l->facts.v[i] == FK_DOCTOR_UNKNOWN)
			json_null(j);
		else
			json_bool(j, l->facts.v[i] == 1);
		json_kv_str(j, "detail", l->facts.detail[i]);
		json_obj_end(j);
	}
	json_obj_end(j);
}

static void live_json_verdicts(json_w *j, const live *l, const fk_doctor_cause *const *causes,
			       unsigned n)
{
	json_key(j, "verdicts");
	json_arr_begin(j);
	for (unsigned k = 0; k < n; k++) {
		int why = -1;
		fk_doctor_verdict v = fk_doctor_judge(causes[k], &l->facts, &why);
		json_obj_begin(j);
		json_kv_str(j, "cause", causes[k]->id);
		json_kv_str(j, "verdict", fk_doctor_verdict_name(v));
		if (why >= 0) {
			json_kv_str(j, "because", fk_doctor_fact_name(why));
			json_kv_str(j, "detail", live_fact_detail(l, why));
		}
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void live_json_plan(json_w *j, const fk_plan *plan)
{
	json_key(j, "plan");
	json_arr_begin(j);
	for (unsigned i = 0; plan && i < plan->nsteps; i++) {
		const fk_step *st = &plan->steps[i];
		json_obj_begin(j);
		json_kv_str(j, "step", st->name);
		json_kv_str(j, "what", st->what);
		json_kv_str(j, "cost", st->cost_text);
		json_kv_bool(j, "destructive", st->destructive);
		json_kv_bool(j, "irreversible", st->irreversible);
		json_kv_str(j, "pending", fk_pending_name(st->pending));
		json_kv_bool(j, "refused", st->refused);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* The first cause of the entry confirmed on the chip, or NULL. */
static const fk_doctor_cause *live_holds(const live *l, const fk_doctor_entry *en)
{
	for (unsigned k = 0; k < en->ncauses; k++)
		if (fk_doctor_judge(en->causes[k], &l->facts, NULL) == FK_DOCTOR_CONFIRMED)
			return en->causes[k];
	return NULL;
}

/* Of the confirmed causes, the one whose fix climbs the ladder highest: its plan covers the
 * others (the ladder runs from the safest step up). */
static const fk_doctor_cause *live_plan_cause(const live *l, const fk_doctor_entry *en)
{
	const fk_doctor_cause *best = NULL;
	for (unsigned k = 0; k < en->ncauses; k++) {
		const fk_doctor_cause *c = en->causes[k];
		if (fk_doctor_judge(c, &l->facts, NULL) == FK_DOCTOR_CONFIRMED && c->step >= 0 &&
		    (!best || c->step > best->step))
			best = c;
	}
	return best;
}

static int live_plan_for(cli_env *e, live *l, const fk_doctor_cause *c, fk_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	if (!c || c->step < 0 || !l->have_inv)
		return 1; /* no plan to show */
	int rc = fk_unlock_plan(l->s, &l->inv, c->step, plan);
	return rc ? fk_fail_wrap(e->ctx, rc, "planning the unlock ladder up to %s",
				  fk_step_name((fk_step_id)c->step))
		  : FK_OK;
}

static void live_print_text(cli_env *e, live *l, const fk_doctor_hit *h, unsigned nhits,
			    const fk_doctor_cause *holds, const fk_plan *plan, bool have_plan)
{
	const fk_doctor_entry *en = h->entry;
	printf("%s: \"%s\" (match %u%%)\n", en->tool, en->text, h->score);
	for (unsigned i = 1; i < nhits; i++)
		printf("  also matching %u%%: %s: \"%s\"\n", h[i].score, h[i].entry->tool, h[i].entry->text);
	printf("On the chip (%s, read-only):\n", e->connection);
	if (l->open_rc != FK_OK)
		printf("  (the chip could not be read, see the error below: causes stay undecided)\n");
	for (unsigned k = 0; k < en->ncauses; k++)
		live_print_verdict(l, en->causes[k], k + 1);
	if (!holds) {
		printf("None of these causes is confirmed on this chip.\n");
		for (unsigned k = 0; k < en->ncauses; k++)
			if (fk_doctor_judge(en->causes[k], &l->facts, NULL) == FK_DOCTOR_UNDECIDED &&
			    en->causes[k]->check)
				printf("To decide %s: %s\n", en->causes[k]->id, en->causes[k]->check);
		return;
	}
	char cmd[512];
	for (unsigned k = 0; k < en->ncauses; k++) {
		const fk_doctor_cause *c = en->causes[k];
		if (fk_doctor_judge(c, &l->facts, NULL) != FK_DOCTOR_CONFIRMED)
			continue;
		printf("Cause: %s: %s\n", c->id, c->text);
		if (c->fix) {
			live_command(c->fix, e->connection, cmd, sizeof cmd);
			printf("Fix: %s\n", cmd);
		}
		if (c->explain)
			printf("  %s\n", c->explain);
	}
	if (have_plan)
		live_print_plan(plan);
}

static void live_json_text(cli_env *e, live *l, const fk_doctor_hit *hits, unsigned n,
			   const fk_doctor_cause *holds, const fk_plan *plan, int code)
{
	json_w j;
	doctor_json_begin(&j, "live");
	json_kv_str(&j, "connection", e->connection);
	doctor_json_hits(&j, hits, n);
	live_json_facts(&j, l);
	if (n)
		live_json_verdicts(&j, l, hits[0].entry->causes, hits[0].entry->ncauses);
	json_key(&j, "holds");
	if (holds) {
		char cmd[512] = "";
		if (holds->fix)
			live_command(holds->fix, e->connection, cmd, sizeof cmd);
		json_obj_begin(&j);
		doctor_json_cause(&j, holds);
		json_kv_str(&j, "command", cmd);
		json_obj_end(&j);
	} else {
		json_null(&j);
	}
	live_json_plan(&j, plan);
	doctor_json_end(e, &j, code);
}

int doctor_live(cli_env *e, const fk_doctor_catalogue *cat, const char *text, size_t len)
{
	fk_doctor_hit hits[8];
	int n = fk_doctor_match(cat, text, len, hits, 8);
	if (n < 0)
		return fk_fail(e->ctx, n, "matching the text against the catalogue");
	if (n == 0) {
		fk_hint(e->ctx, "paste the exact error line; `flashkey -c %s doctor` without a message "
				"runs a health check", e->connection);
		return fk_fail(e->ctx, FK_E_NOT_FOUND, "no known message in the text given");
	}
	unsigned shown = n < 8 ? (unsigned)n : 8;
	live l;
	int rc = live_open(e, &l);
	const fk_doctor_cause *holds = live_holds(&l, hits[0].entry);
	fk_plan plan;
	int prc = rc == FK_OK ? live_plan_for(e, &l, live_plan_cause(&l, hits[0].entry), &plan) : 1;
	if (prc < 0)
		rc = prc;
	if (rc == FK_OK && l.s) /* a state that could not be saved fails (issue 13 class 7) */
		rc = fk_session_sync(l.s);
	if (e->out.json)
		live_json_text(e, &l, hits, shown, holds, prc == FK_OK ? &plan : NULL, rc);
	else
		live_print_text(e, &l, hits, shown, holds, &plan, prc == FK_OK);
	return live_close(&l, rc);
}

/* ------------------------------------------------------------------ health check */
typedef enum { H_OK, H_UNKNOWN, H_PROBLEM, H_NOTE } h_state;

static h_state health_state(const live *l, const fk_doctor_health *h, const fk_doctor_cause **hit)
{
	bool all_out = true;
	for (unsigned k = 0; k < h->ncauses; k++) {
		fk_doctor_verdict v = fk_doctor_judge(h->causes[k], &l->facts, NULL);
		if (v == FK_DOCTOR_CONFIRMED) {
			*hit = h->causes[k];
			return h->blocking ? H_PROBLEM : H_NOTE;
		}
		all_out = all_out && v == FK_DOCTOR_RULED_OUT;
	}
	return all_out ? H_OK : H_UNKNOWN;
}

static const char *const h_names[] = {"ok", "unknown", "problem", "note"};

static void health_print_item(cli_env *e, const live *l, const fk_doctor_health *h, h_state st,
			      const fk_doctor_cause *c)
{
	printf("  %-8s %s\n", h_names[st], h->symptom);
	bool found = st == H_PROBLEM || st == H_NOTE;
	for (unsigned k = 0; k < h->ncauses && !found; k++) {
		int why = -1;
		fk_doctor_verdict v = fk_doctor_judge(h->causes[k], &l->facts, &why);
		if (why >= 0)
			printf("           %s %s: %s\n", h->causes[k]->id, fk_doctor_verdict_name(v),
			       live_fact_detail(l, why));
	}
	if (!found)
		return;
	int why = -1;
	fk_doctor_judge(c, &l->facts, &why);
	printf("           %s: %s\n", c->id, live_fact_detail(l, why));
	char cmd[512];
	if (c->fix) {
		live_command(c->fix, e->connection, cmd, sizeof cmd);
		printf("           fix: %s\n", cmd);
	} else if (c->explain) {
		printf("           %s\n", c->explain);
	}
}

static void health_json_item(json_w *j, const live *l, const fk_doctor_health *h, h_state st,
			     const fk_doctor_cause *c, const char *conn)
{
	json_obj_begin(j);
	json_kv_str(j, "id", h->id);
	json_kv_str(j, "symptom", h->symptom);
	json_kv_str(j, "state", h_names[st]);
	json_kv_str(j, "source", h->source);
	live_json_verdicts(j, l, h->causes, h->ncauses);
	if (c) {
		char cmd[512] = "";
		if (c->fix)
			live_command(c->fix, conn, cmd, sizeof cmd);
		json_kv_str(j, "cause", c->id);
		json_kv_str(j, "fix", cmd);
	}
	json_obj_end(j);
}

static unsigned health_report(cli_env *e, const live *l, const fk_doctor_catalogue *cat,
			      json_w *j)
{
	unsigned problems = 0;
	if (!j) {
		printf("Health check of %s (read-only):\n", e->connection);
		if (l->open_rc != FK_OK)
			printf("  (the chip could not be read, see the error below)\n");
	} else {
		json_key(j, "checks");
		json_arr_begin(j);
	}
	for (unsigned i = 0; i < fk_doctor_health_count(cat); i++) {
		const fk_doctor_health *h = fk_doctor_health_at(cat, i);
		const fk_doctor_cause *c = NULL;
		h_state st = health_state(l, h, &c);
		problems += st == H_PROBLEM;
		if (j)
			health_json_item(j, l, h, st, c, e->connection);
		else
			health_print_item(e, l, h, st, c);
	}
	if (j)
		json_arr_end(j);
	return problems;
}

int doctor_health(cli_env *e, const fk_doctor_catalogue *cat)
{
	live l;
	int rc = live_open(e, &l);
	json_w j;
	if (e->out.json) {
		doctor_json_begin(&j, "health");
		json_kv_str(&j, "connection", e->connection);
		live_json_facts(&j, &l);
	}
	if (rc == FK_OK && l.s) /* a state that could not be saved fails (issue 13 class 7) */
		rc = fk_session_sync(l.s);
	unsigned problems = health_report(e, &l, cat, e->out.json ? &j : NULL);
	if (rc == FK_OK && problems) {
		fk_hint(e->ctx, "run the fix shown for each problem; `flashkey -c %s unlock --dry-run` "
				"shows the whole ladder", e->connection);
		rc = fk_fail(e->ctx, FK_E_PROTECTED, "health check: %u problem%s found", problems,
			     problems == 1 ? "" : "s");
	}
	if (e->out.json)
		doctor_json_end(e, &j, rc);
	else if (rc == FK_OK)
		printf("No problem found.\n");
	return live_close(&l, rc);
}
