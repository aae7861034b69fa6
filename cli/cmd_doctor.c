/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey doctor: from another tool's error message to the cause and the fix (docs/DOCTOR.md).
 *   flashkey doctor "TEXT"          offline: best match, alternatives, causes, what to check
 *   flashkey doctor -               the same, text read from stdin (a pasted log)
 *   flashkey doctor --list          the catalogue: tool, message, causes
 *   flashkey -c CONN doctor [TEXT]  live: read-only inventory, which cause holds, the plan
 * The catalogue and the matcher live in lib/doctor (include/flashkey/doctor.h). */
#include <stdlib.h>
#include <string.h>

#include "cmd_doctor.h"

#define DOCTOR_MAX_HITS 8

static const cli_opt doctor_opts[] = {
	{"list", 0, CLI_FLAG, NULL, "print the catalogue: tool, message, causes"},
	{NULL, 0, 0, NULL, NULL},
};

/* The text to diagnose: the positional arguments joined by spaces, or stdin for "-". */
static int doctor_text(cli_env *e, char **out, size_t *len)
{
	size_t cap = FK_DOCTOR_MAX_INPUT + 2, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return fk_fail(e->ctx, FK_E_NOMEM, "reading the text to diagnose");
	const char *a0 = cli_arg(e, 0);
	if (a0 && strcmp(a0, "-") == 0 && cli_nargs(e) == 1) {
		n = fread(buf, 1, cap - 1, stdin);
	} else {
		for (unsigned i = 0; i < cli_nargs(e) && n + 1 < cap; i++) {
			size_t k = strlen(cli_arg(e, i));
			k = k < cap - 1 - n ? k : cap - 1 - n;
			memcpy(buf + n, cli_arg(e, i), k);
			n += k;
			if (n + 1 < cap)
				buf[n++] = ' ';
		}
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return FK_OK;
}

static void doctor_print_cause(const fk_doctor_cause *c, unsigned rank)
{
	printf("  %u. %s: %s\n", rank, c->id, c->text);
	if (c->check)
		printf("     check: %s\n", c->check);
	if (c->fix)
		printf("     fix:   %s\n", c->fix);
	if (c->explain)
		printf("     %s %s\n", c->fix ? "      " : "note: ", c->explain);
}

static void doctor_print_entry(const fk_doctor_hit *h)
{
	const fk_doctor_entry *en = h->entry;
	printf("%s: \"%s\" (match %u%%)\n", en->tool, en->text, h->score);
	if (en->note)
		printf("  %s\n", en->note);
	printf("  source: %s\n", en->source);
	if (en->outside)
		printf("  This is not a microcontroller flash problem flashkey can fix; see below for "
		       "the right tool.\n");
	printf("Possible causes, most likely first:\n");
	for (unsigned k = 0; k < en->ncauses; k++)
		doctor_print_cause(en->causes[k], k + 1);
}

static void doctor_print_offline(const cli_env *e, const fk_doctor_hit *hits, unsigned n,
				 bool truncated)
{
	if (truncated)
		printf("(only the first %u KiB of the text were read)\n", FK_DOCTOR_MAX_INPUT / 1024);
	doctor_print_entry(&hits[0]);
	if (n > 1)
		printf("Also matching:\n");
	for (unsigned i = 1; i < n; i++)
		printf("  %3u%%  %-22s %s: \"%s\"\n", hits[i].score, hits[i].entry->id,
		       hits[i].entry->tool, hits[i].entry->text);
	if (!e->connection && !hits[0].entry->outside)
		printf("Next: check these causes on the chip, read-only: flashkey -c CONN doctor "
		       "\"...\" (CONN e.g. stlink, uart:/dev/ttyUSB0, twin:board.twin)\n");
}

void doctor_json_cause(json_w *j, const fk_doctor_cause *c)
{
	json_kv_str(j, "id", c->id);
	json_kv_str(j, "text", c->text);
	if (c->check)
		json_kv_str(j, "check", c->check);
	if (c->fix)
		json_kv_str(j, "fix", c->fix);
	if (c->explain)
		json_kv_str(j, "explain", c->explain);
	json_kv_bool(j, "outside", c->outside);
	json_key(j, "confirm");
	json_arr_begin(j);
	for (unsigned i = 0; i < c->confirm.n; i++) {
		char atom[40];
		snprintf(atom, sizeof atom, "%s%s", c->confirm.negated[i] ? "!" : "",
			 fk_doctor_fact_name(c->confirm.fact[i]));
		json_str(j, atom);
	}
	json_arr_end(j);
}

static void doctor_json_entry(json_w *j, const fk_doctor_entry *en)
{
	json_kv_str(j, "id", en->id);
	json_kv_str(j, "tool", en->tool);
	json_kv_str(j, "message", en->text);
	json_kv_str(j, "source", en->source);
	if (en->note)
		json_kv_str(j, "note", en->note);
	json_kv_bool(j, "outside", en->outside);
	json_key(j, "causes");
	json_arr_begin(j);
	for (unsigned k = 0; k < en->ncauses; k++) {
		json_obj_begin(j);
		json_kv_uint(j, "rank", k + 1);
		doctor_json_cause(j, en->causes[k]);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void doctor_json_hits(json_w *j, const fk_doctor_hit *hits, unsigned n)
{
	json_key(j, "matches");
	json_arr_begin(j);
	for (unsigned i = 0; i < n; i++) {
		json_obj_begin(j);
		json_kv_uint(j, "score", hits[i].score);
		json_kv_uint(j, "offset", hits[i].offset);
		json_kv_uint(j, "length", hits[i].length);
		doctor_json_entry(j, hits[i].entry);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* One JSON document for every form; error (code != 0) goes in as "error". */
void doctor_json_begin(json_w *j, const char *mode)
{
	json_init(j, stdout, 2);
	json_obj_begin(j);
	json_kv_str(j, "command", "doctor");
	json_kv_str(j, "mode", mode);
}

void doctor_json_end(cli_env *e, json_w *j, int code)
{
	json_kv_bool(j, "ok", code == FK_OK);
	if (code != FK_OK) {
		json_key(j, "error");
		cli_json_error(j, e->ctx, code);
	}
	json_obj_end(j);
	json_finish(j);
	e->json_done = true;
}

static int doctor_list(cli_env *e, const fk_doctor_catalogue *cat)
{
	unsigned n = fk_doctor_entry_count(cat);
	if (e->out.json) {
		json_w j;
		doctor_json_begin(&j, "list");
		json_key(&j, "entries");
		json_arr_begin(&j);
		for (unsigned i = 0; i < n; i++) {
			json_obj_begin(&j);
			doctor_json_entry(&j, fk_doctor_entry_at(cat, i));
			json_obj_end(&j);
		}
		json_arr_end(&j);
		doctor_json_end(e, &j, FK_OK);
		return FK_OK;
	}
	for (unsigned i = 0; i < n; i++) {
		const fk_doctor_entry *en = fk_doctor_entry_at(cat, i);
		printf("%-24s %s\n  causes:", en->tool, en->text);
		for (unsigned k = 0; k < en->ncauses; k++)
			printf(" %s", en->causes[k]->id);
		printf("\n");
	}
	printf("%u messages\n", n);
	return FK_OK;
}

static int doctor_unknown(cli_env *e, bool truncated)
{
	fk_hint(e->ctx, "paste the exact error line of the other tool (or a whole log with "
			"`flashkey doctor - < log.txt`); `flashkey doctor --list` shows the messages "
			"known; `flashkey -c CONN doctor` checks the chip without any message");
	if (truncated)
		return fk_fail(e->ctx, FK_E_NOT_FOUND, "no known message in the first %u KiB of the "
			       "text given; the rest was not read (paste the part of the log around "
			       "the error)", FK_DOCTOR_MAX_INPUT / 1024);
	return fk_fail(e->ctx, FK_E_NOT_FOUND, "no known message in the text given");
}

static int doctor_offline(cli_env *e, const fk_doctor_catalogue *cat, const char *text,
			  size_t len)
{
	fk_doctor_hit hits[DOCTOR_MAX_HITS];
	int n = fk_doctor_match(cat, text, len, hits, DOCTOR_MAX_HITS);
	if (n < 0)
		return fk_fail(e->ctx, n, "matching the text against the catalogue");
	unsigned shown = (unsigned)n < DOCTOR_MAX_HITS ? (unsigned)n : DOCTOR_MAX_HITS;
	int code = shown ? FK_OK : doctor_unknown(e, len > FK_DOCTOR_MAX_INPUT);
	if (e->out.json) {
		json_w j;
		doctor_json_begin(&j, "offline");
		json_kv_bool(&j, "input_truncated", len > FK_DOCTOR_MAX_INPUT);
		doctor_json_hits(&j, hits, shown);
		doctor_json_end(e, &j, code);
	} else if (shown) {
		doctor_print_offline(e, hits, shown, len > FK_DOCTOR_MAX_INPUT);
	}
	return code;
}

static int doctor_run_text(cli_env *e, const fk_doctor_catalogue *cat)
{
	char *text = NULL;
	size_t len = 0;
	int rc = doctor_text(e, &text, &len);
	if (rc)
		return rc;
	if (e->connection)
		rc = doctor_live(e, cat, text, len);
	else
		rc = doctor_offline(e, cat, text, len);
	free(text);
	return rc;
}

static int cmd_doctor_run(cli_env *e)
{
	bool list = cli_flag(&e->args, "list");
	if (!list && !cli_nargs(e) && !e->connection) {
		fk_hint(e->ctx, "give the other tool's message: flashkey doctor \"Error: stm32x device "
				"protected\", or a connection for a health check: flashkey -c CONN doctor");
		return fk_fail(e->ctx, FK_E_USAGE, "`doctor` needs a message to diagnose or -c CONN");
	}
	fk_doctor_catalogue *cat = NULL;
	int rc = fk_doctor_load_builtin(e->ctx, &cat);
	if (rc == FK_OK) {
		if (list)
			rc = doctor_list(e, cat);
		else if (!cli_nargs(e))
			rc = doctor_health(e, cat);
		else
			rc = doctor_run_text(e, cat);
	}
	fk_doctor_free(cat);
	return rc;
}

const cli_command cli_cmd_doctor = {
	.name = "doctor",
	.synopsis = "doctor [--list] [TEXT | -]",
	.summary = "from another tool's error message to the cause and the fix",
	.details = "Recognises error messages of STM32CubeProgrammer, ST-LINK Utility, OpenOCD, "
		   "st-flash, stm32flash, probe-rs, pyOCD, J-Flash, esptool, lpc21isp, dfu-util, "
		   "flashrom and phone flashing tools, and names the likely causes, most likely "
		   "first, with what to check and the fix. TEXT may hold several messages or a "
		   "whole log (`-` reads stdin). With -c CONN the chip is inventoried read-only: "
		   "doctor says which cause holds and prints the plan (a dry run); without TEXT it "
		   "runs a health check. Exit 0 when a message was recognised (or the chip is "
		   "healthy), 1 when nothing was recognised, 3 when the chip cannot be reached, 4 "
		   "when the health check finds a problem. "
		   "See docs/DOCTOR.md.",
	.opts = doctor_opts,
	.run = cmd_doctor_run,
};
