/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The flashkey tool: one file per command (cmd_*.c), each exporting one cli_command. The command
 * list is in commands.c; the option tables feed parsing, --help and the man page. */
#ifndef FK_CLI_CLI_H
#define FK_CLI_CLI_H

#include <stdbool.h>

#include "common/args.h"
#include "common/json.h"
#include "common/out.h"
#include "flashkey/backend.h"
#include "flashkey/core.h"

typedef struct cli_env {
	cli_out out;
	fk_ctx *ctx;
	cli_args args; /* global and command options, positional arguments after the command */
	const struct cli_command *cmd;
	/* Global flags, decoded (DESIGN.md §4). */
	const char *connection;         /* -c; NULL when not given */
	const char *chip;               /* --chip */
	bool dry_run;                   /* --dry-run */
	bool allow_erase_all;           /* --allow-erase-all */
	const char *allow_irreversible; /* --allow-irreversible=CONSEQUENCE, e.g. PERMANENT */
	bool no_backup;                 /* --no-backup */
	bool halt;                      /* --halt: leave the core halted */
	const char *backup_dir;         /* --backup-dir (default: ./flashkey-backups) */
	fk_conn_opts conn_opts;         /* --baud, --8n1, --boot-seq, --speed, --connect, --reset */
	bool json_done; /* the command printed its own JSON document (with any error in it) */
} cli_env;

typedef struct cli_command {
	const char *name;
	const char *synopsis; /* after "flashkey [OPTIONS] " */
	const char *summary;  /* one line */
	const char *details;  /* paragraph(s) for help and man page; may be NULL */
	const cli_opt *opts;  /* command options, may be NULL */
	int (*run)(cli_env *e); /* returns 0 or an FK_E_* code (with the cause chain in e->ctx) */
} cli_command;

extern const cli_command *const cli_commands[]; /* NULL-terminated, in help order */
extern const cli_opt cli_global_opts[];

/* Positional argument i after the command name, or NULL. */
const char *cli_arg(const cli_env *e, unsigned i);
unsigned cli_nargs(const cli_env *e);
/* Open the -c connection; fails with a usage error naming the command when -c is missing. */
int cli_open_transport(cli_env *e, fk_transport *t);

#endif
