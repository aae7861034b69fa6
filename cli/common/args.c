/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Table-driven option parser (see args.h). */
#include <stdio.h>
#include <string.h>

#include "common/args.h"

static const cli_opt *cli_find_long(const cli_args *a, const char *name, size_t len)
{
	for (int t = 1; t >= 0; t--) { /* the command's table wins over the global one */
		const cli_opt *o = a->tables[t];
		for (; o && o->name; o++)
			if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
				return o;
	}
	return NULL;
}

static const cli_opt *cli_find_short(const cli_args *a, char c)
{
	for (int t = 1; t >= 0; t--) {
		const cli_opt *o = a->tables[t];
		for (; o && o->name; o++)
			if (o->shortc && o->shortc == c)
				return o;
	}
	return NULL;
}

static int cli_record(cli_args *a, const cli_opt *o, const char *value)
{
	if (a->nseen == CLI_MAX_OPTS) {
		snprintf(a->error, sizeof a->error, "too many options");
		return -1;
	}
	a->seen[a->nseen].opt = o;
	a->seen[a->nseen].value = value;
	a->nseen++;
	return 0;
}

static int cli_take(cli_args *a, const cli_opt *o, const char *inline_value, int *i, int argc,
		    char **argv)
{
	if (o->kind == CLI_FLAG) {
		if (inline_value) {
			snprintf(a->error, sizeof a->error, "option --%s takes no value", o->name);
			return -1;
		}
		return cli_record(a, o, NULL);
	}
	if (inline_value)
		return cli_record(a, o, inline_value);
	if (*i + 1 >= argc) {
		snprintf(a->error, sizeof a->error, "option --%s needs a value (%s)", o->name,
			 o->metavar ? o->metavar : "VALUE");
		return -1;
	}
	(*i)++;
	return cli_record(a, o, argv[*i]);
}

int cli_parse(cli_args *a, const cli_opt *global, const cli_opt *cmd, int argc, char **argv)
{
	memset(a, 0, sizeof *a);
	a->tables[0] = global;
	a->tables[1] = cmd;
	bool only_pos = false;
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];
		if (only_pos || s[0] != '-' || s[1] == '\0') {
			if (a->npos == CLI_MAX_POS) {
				snprintf(a->error, sizeof a->error, "too many arguments");
				return -1;
			}
			a->pos[a->npos++] = s;
			continue;
		}
		if (strcmp(s, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (s[1] == '-') {
			const char *name = s + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const cli_opt *o = cli_find_long(a, name, len);
			if (!o) {
				snprintf(a->error, sizeof a->error, "unknown option --%.*s", (int)len, name);
				return -1;
			}
			if (cli_take(a, o, eq ? eq + 1 : NULL, &i, argc, argv))
				return -1;
			continue;
		}
		/* -abc short flags; a value-taking short option consumes the rest or the next arg */
		for (const char *c = s + 1; *c; c++) {
			const cli_opt *o = cli_find_short(a, *c);
			if (!o) {
				snprintf(a->error, sizeof a->error, "unknown option -%c", *c);
				return -1;
			}
			if (o->kind != CLI_FLAG) {
				if (cli_take(a, o, c[1] ? c + 1 : NULL, &i, argc, argv))
					return -1;
				break;
			}
			if (cli_record(a, o, NULL))
				return -1;
		}
	}
	return 0;
}

bool cli_flag(const cli_args *a, const char *name)
{
	for (unsigned i = 0; i < a->nseen; i++)
		if (strcmp(a->seen[i].opt->name, name) == 0)
			return true;
	return false;
}

const char *cli_value(const cli_args *a, const char *name)
{
	const char *v = NULL;
	for (unsigned i = 0; i < a->nseen; i++)
		if (strcmp(a->seen[i].opt->name, name) == 0)
			v = a->seen[i].value;
	return v;
}

const char *cli_multi(const cli_args *a, const char *name, unsigned idx)
{
	for (unsigned i = 0; i < a->nseen; i++)
		if (strcmp(a->seen[i].opt->name, name) == 0 && idx-- == 0)
			return a->seen[i].value;
	return NULL;
}

static void cli_opt_label(const cli_opt *o, char *buf, size_t size)
{
	if (o->shortc)
		snprintf(buf, size, "-%c, --%s%s%s", o->shortc, o->name, o->kind ? " " : "",
			 o->kind ? (o->metavar ? o->metavar : "VALUE") : "");
	else
		snprintf(buf, size, "    --%s%s%s", o->name, o->kind ? " " : "",
			 o->kind ? (o->metavar ? o->metavar : "VALUE") : "");
}

void cli_print_opts(FILE *out, const cli_opt *o)
{
	for (; o && o->name; o++) {
		char label[96];
		cli_opt_label(o, label, sizeof label);
		fprintf(out, "  %-34s %s%s\n", label, o->help, o->kind == CLI_MULTI ? " (repeatable)" : "");
	}
}

void cli_man_text(FILE *out, const char *t)
{
	if (*t == '.' || *t == '\'')
		fputs("\\&", out);
	for (; *t; t++) {
		if (*t == '\\')
			fputs("\\e", out);
		else if (*t == '-')
			fputs("\\-", out);
		else
			fputc(*t, out);
	}
}

void cli_man_opts(FILE *out, const cli_opt *o)
{
	for (; o && o->name; o++) {
		char label[96];
		cli_opt_label(o, label, sizeof label);
		const char *l = label;
		while (*l == ' ')
			l++;
		fputs(".TP\n.B ", out);
		cli_man_text(out, l);
		fputs("\n", out);
		cli_man_text(out, o->help);
		fputs("\n", out);
	}
}
