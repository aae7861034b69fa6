/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output helpers shared by the tools: error reports with the cause chain and a hint, log lines,
 * progress bars (only on a TTY), and typed confirmations. */
#ifndef FK_CLI_OUT_H
#define FK_CLI_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "common/json.h"
#include "flashkey/core.h"

typedef struct cli_out {
	const char *prog; /* "flashkey" */
	bool json;
	int verbosity;    /* -1 quiet, 0 normal, 1.. verbose */
	bool tty_err;     /* stderr is a terminal: draw progress */
	bool interactive; /* stdin is a terminal: prompts possible */
	bool yes;         /* --yes: answer prompts for permitted steps */
} cli_out;

void cli_out_init(cli_out *o, const char *prog);
/* Installs log and progress callbacks on ctx according to o. */
void cli_out_attach(cli_out *o, fk_ctx *ctx);
/* Prints "prog: error: <chain>" + "hint: ..." to stderr; returns the exit code for code. */
int cli_report(cli_out *o, fk_ctx *ctx, int code);
/* The same as a JSON "error" member (key written by the caller's object). */
void cli_json_error(json_w *j, fk_ctx *ctx, int code);
/* Asks the user to type `word` exactly; false when not interactive or anything else is typed. */
bool cli_confirm_typed(cli_out *o, const char *question, const char *word);
/* Yes/no question: --yes answers yes; non-interactive without --yes answers no. */
bool cli_confirm(cli_out *o, const char *question);
void cli_note(cli_out *o, const char *fmt, ...) FK_PRINTF(2, 3); /* stderr unless quiet */

#endif
