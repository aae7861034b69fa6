/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command-line parsing shared by flashkey and flashkey-twin: one option table per command feeds
 * the parser, --help and the man page. */
#ifndef FK_CLI_ARGS_H
#define FK_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum cli_opt_kind {
	CLI_FLAG = 0,  /* --name */
	CLI_VALUE = 1, /* --name VALUE or --name=VALUE */
	CLI_MULTI = 2, /* --name VALUE, may repeat */
} cli_opt_kind;

typedef struct cli_opt {
	const char *name; /* long name without dashes */
	char shortc;      /* 0 = none */
	cli_opt_kind kind;
	const char *metavar; /* "FILE", "KEY=VALUE" ... */
	const char *help;
} cli_opt;

#define CLI_MAX_OPTS 48
#define CLI_MAX_POS 32
#define CLI_MAX_MULTI 32

typedef struct cli_args {
	const cli_opt *tables[2]; /* global table, command table */
	struct {
		const cli_opt *opt;
		const char *value; /* NULL for flags */
	} seen[CLI_MAX_OPTS];
	unsigned nseen;
	const char *pos[CLI_MAX_POS];
	unsigned npos;
	char error[256];
} cli_args;

/* Parse argv against the NULL-name-terminated tables (either may be NULL). Options may appear
 * anywhere; "--" ends options. Returns 0, or -1 with args->error set. */
int cli_parse(cli_args *args, const cli_opt *global, const cli_opt *cmd, int argc, char **argv);
bool cli_flag(const cli_args *args, const char *name);
const char *cli_value(const cli_args *args, const char *name); /* last given, or NULL */
/* The i-th value of a repeatable option, NULL past the end. */
const char *cli_multi(const cli_args *args, const char *name, unsigned i);

/* Help: prints the options of a table, aligned. */
void cli_print_opts(FILE *out, const cli_opt *table);
/* Man-page (roff) option list. */
void cli_man_opts(FILE *out, const cli_opt *table);
/* Escape text for roff. */
void cli_man_text(FILE *out, const char *text);

#endif
