/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey-twin new CHIP PATH [...] and set PATH --option KEY=VALUE: create or change a twin of
 * any registered chip model (fktwin/chip.h). The generic options are here; each model adds its
 * own (tw_model.new_opts: protection levels, OTP, images...) and applies them in configure(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/files.h"
#include "twin_cli.h"

#define TCLI_NEW_FIXED 3

static cli_opt tcli_new_table[TCLI_NEW_FIXED + CLI_MAX_OPTS];
static char tcli_option_help[1024];

static bool tcli_has_opt(const cli_opt *t, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n && t[i].name; i++)
		if (strcmp(t[i].name, name) == 0)
			return true;
	return false;
}

/* The union of every model's options (a model refuses those it does not declare, below). */
const cli_opt *tcli_new_opts(void)
{
	unsigned n = 0;
	fk_strlcpy(tcli_option_help, "model settings (raw option fields, pins, supply, faults); keys",
		   sizeof tcli_option_help);
	for (unsigned m = 0; tw_model_at(m); m++)
		fk_snprintf_cat(tcli_option_help, sizeof tcli_option_help, "%s %s: %s",
				m ? ";" : "", tw_model_at(m)->name, tw_model_at(m)->option_keys);
	for (unsigned m = 0; tw_model_at(m); m++)
		for (const tw_model_opt *o = tw_model_at(m)->new_opts; o && o->name; o++) {
			if (tcli_has_opt(tcli_new_table, n, o->name) || n + 4 >= CLI_MAX_OPTS)
				continue;
			tcli_new_table[n++] = (cli_opt){o->name, 0,
							o->kind == TW_OPT_FLAG    ? CLI_FLAG
							: o->kind == TW_OPT_MULTI ? CLI_MULTI
										  : CLI_VALUE,
							o->metavar, o->help};
		}
	tcli_new_table[n++] = (cli_opt){"option", 0, CLI_MULTI, "KEY=VALUE", tcli_option_help};
	tcli_new_table[n++] = (cli_opt){"json", 0, CLI_FLAG, NULL, "print JSON"};
	tcli_new_table[n++] = (cli_opt){"force", 0, CLI_FLAG, NULL,
					"replace PATH if it exists (default: refuse, whatever it is)"};
	tcli_new_table[n] = (cli_opt){NULL, 0, 0, NULL, NULL};
	return tcli_new_table;
}

static const tw_model_opt *tcli_model_opt(const tw_model *m, const char *name)
{
	for (const tw_model_opt *o = m->new_opts; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

static const char *tcli_args_get(const tw_args *a, const char *name, unsigned i)
{
	const tcli_env *e = a->h;
	const tw_model_opt *o = tcli_model_opt(tw_chip_model(e->chip), name);
	if (strcmp(name, "option") == 0 || (o && o->kind == TW_OPT_MULTI))
		return cli_multi(&e->args, name, i);
	if (!o || i)
		return NULL;
	if (o->kind == TW_OPT_FLAG)
		return cli_flag(&e->args, name) ? "" : NULL;
	return cli_value(&e->args, name);
}

/* Options given that the chip's model does not have: refused, naming the model's. */
static int tcli_model_opts_only(tcli_env *e, const tw_model *m)
{
	for (unsigned i = 0; i < e->args.nseen; i++) {
		const char *name = e->args.seen[i].opt->name;
		if (!tcli_has_opt(tcli_new_table, CLI_MAX_OPTS, name) ||
		    !strcmp(name, "option") || !strcmp(name, "json") || !strcmp(name, "force") ||
		    tcli_model_opt(m, name))
			continue;
		char list[512] = "";
		for (const tw_model_opt *o = m->new_opts; o && o->name; o++)
			fk_snprintf_cat(list, sizeof list, " --%s", o->name);
		fk_hint(e->ctx, "options of %s twins:%s --option KEY=VALUE (keys: %s)", m->name,
			list, m->option_keys);
		return fk_fail(e->ctx, FK_E_USAGE, "--%s: not an option of %s twins (model %s)",
			       name, tw_chip_variant(e->chip), m->name);
	}
	return FK_OK;
}

const cli_opt tcli_set_opts[] = {
	{"option", 0, CLI_MULTI, "KEY=VALUE", "as for `new` (raw option fields change the stored and "
					      "live option bytes; no reset is done)"},
	{NULL, 0, 0, NULL, NULL},
};

/* flashkey-twin set PATH --option KEY=VALUE...: change an existing twin (scenarios: arm a power
 * cut before a command, move the boot pins, lower the supply). */
int tcli_cmd_set(tcli_env *e)
{
	int rc = tcli_need_args(e, 1);
	tw_chip *c;
	if (rc)
		return rc;
	if (!cli_multi(&e->args, "option", 0)) {
		fk_hint(e->ctx, "e.g. `flashkey-twin set %s --option fault_op=1`", tcli_arg(e, 0));
		return fk_fail(e->ctx, FK_E_USAGE, "set: nothing to change (give --option KEY=VALUE)");
	}
	if ((rc = tw_chip_open(e->ctx, tcli_arg(e, 0), &c)))
		return rc;
	const tw_model *m = tw_chip_model(c);
	const char *kv;
	for (unsigned i = 0; !rc && (kv = cli_multi(&e->args, "option", i)); i++)
		rc = m->set_option(tw_chip_impl(c), e->ctx, kv);
	if (rc) {
		tw_chip_free(c); /* unlocks without saving: the file keeps its state */
		return rc;
	}
	return tw_chip_close(c, e->ctx);
}

int tcli_cmd_new(tcli_env *e)
{
	int rc = tcli_need_args(e, 2);
	if (rc)
		return rc;
	const char *chip = tcli_arg(e, 0), *path = tcli_arg(e, 1);
	if (!tw_model_of_variant(chip, NULL))
		return tcli_unknown_chip(e, chip);
	if ((rc = tw_chip_create(e->ctx, chip, &e->chip)))
		return rc;
	const tw_model *m = tw_chip_model(e->chip);
	tw_args a = {tcli_args_get, e};
	rc = tcli_model_opts_only(e, m);
	if (!rc)
		rc = m->configure(tw_chip_impl(e->chip), e->ctx, &a);
	if (!rc) /* after the options are checked, so a bad option is still a usage error */
		rc = cli_refuse_existing(e->ctx, path, cli_flag(&e->args, "force"), "a new twin");
	if (!rc)
		rc = tw_chip_attach_path(e->chip, e->ctx, path);
	if (rc) {
		tw_chip_free(e->chip);
		e->chip = NULL;
		return rc;
	}
	char what[256] = "";
	m->event_text(tw_chip_impl(e->chip), TW_EV_CREATED, what, sizeof what);
	char variant[64];
	fk_strlcpy(variant, tw_chip_variant(e->chip), sizeof variant);
	rc = tw_chip_close(e->chip, e->ctx);
	e->chip = NULL;
	if (!rc && e->out.verbosity >= 0)
		printf("created %s: %s%s%s\n", path, variant, what[0] ? ", " : "", what);
	return rc;
}
