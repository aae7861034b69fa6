/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey-twin: entry point, command table, help, shared argument helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fktwin/fktwin.h"
#include "twin_cli.h"

static const cli_opt tcli_global_opts[] = {
	{"help", 'h', CLI_FLAG, NULL, "show help"},
	{"version", 'V', CLI_FLAG, NULL, "print the version"},
	{"quiet", 'q', CLI_FLAG, NULL, "only errors"},
	{NULL, 0, 0, NULL, NULL},
};

static const cli_opt tcli_no_opts[] = {{NULL, 0, 0, NULL, NULL}};

static tcli_cmd tcli_cmds[] = {
	{"list", "list [--json]", "list the chips a twin can model", tcli_show_opts, tcli_cmd_list},
	{"new", "new CHIP PATH [state options]", "create a twin state file (factory state + options)",
	 NULL, tcli_cmd_new},
	{"set", "set PATH --option KEY=VALUE...",
	 "change an existing twin (arm a power cut, boot pins, supply...)", tcli_set_opts,
	 tcli_cmd_set},
	{"show", "show PATH [--json]",
	 "print registers, option bytes, protection summary and sector map", tcli_show_opts,
	 tcli_cmd_show},
	{"power-cycle", "power-cycle PATH",
	 "power-on reset: clears the debug intrusion latch, reloads option bytes", tcli_no_opts,
	 tcli_cmd_power_cycle},
	{"reset", "reset PATH", "system reset (NRST): reloads option bytes, relocks the controller",
	 tcli_no_opts, tcli_cmd_reset},
	{"with-usb", "with-usb PATH --probe KIND [--probe KIND...] -- COMMAND [ARGS...]",
	 "run an unmodified libusb/hidapi program with the twin behind emulated USB probes",
	 tcli_with_usb_opts, tcli_cmd_with_usb},
	/* keep serve last: main() fills its option table */
	{"serve", "serve PATH [--realtime] [SERVER OPTIONS]",
	 "expose the twin to peer tools until SIGINT/SIGTERM", NULL, tcli_cmd_serve},
};
#define TCLI_NCMDS (sizeof tcli_cmds / sizeof tcli_cmds[0])

const char *tcli_arg(const tcli_env *e, unsigned i)
{
	return i + 1 < e->args.npos ? e->args.pos[i + 1] : NULL;
}

int tcli_need_args(tcli_env *e, unsigned n)
{
	unsigned have = e->args.npos ? e->args.npos - 1 : 0;
	if (have == n)
		return FK_OK;
	fk_hint(e->ctx, "usage: flashkey-twin %s", e->cmd->synopsis);
	return fk_fail(e->ctx, FK_E_USAGE, "%s: expected %u argument%s, got %u", e->cmd->name, n,
		       n == 1 ? "" : "s", have);
}

int tcli_unknown_chip(tcli_env *e, const char *name)
{
	return tw_chip_unknown(e->ctx, name);
}

static void tcli_help(FILE *out)
{
	fprintf(out, "flashkey-twin %s: digital twins of microcontrollers for flashkey and peer "
		     "tools\n\nUsage: flashkey-twin COMMAND [ARGS]\n\nCommands:\n", fk_version());
	for (unsigned i = 0; i < TCLI_NCMDS; i++)
		fprintf(out, "  %-40s %s\n", tcli_cmds[i].synopsis, tcli_cmds[i].summary);
	fprintf(out, "\nNumbers are decimal, leading zeros included (012 is twelve), or hex with 0x.\n"
		     "Run `flashkey-twin COMMAND --help` for a command's options.\n");
}

static void tcli_cmd_help(FILE *out, const tcli_cmd *c)
{
	fprintf(out, "Usage: flashkey-twin %s\n\n%s\n", c->synopsis, c->summary);
	if (c->opts && c->opts[0].name) {
		fprintf(out, "\nOptions:\n");
		cli_print_opts(out, c->opts);
	}
}

static const tcli_cmd *tcli_find(const char *word)
{
	for (unsigned i = 0; word && i < TCLI_NCMDS; i++)
		if (strcmp(tcli_cmds[i].name, word) == 0)
			return &tcli_cmds[i];
	return NULL;
}

static const char *tcli_first_word(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-')
			return argv[i];
	return NULL;
}

/* Was --json given (before any "--")? Asked before the options are parsed, so that an error in
 * the options, or an unknown command, still answers with a JSON document (issue 13 class 19). */
static bool tcli_wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--json") == 0)
			return true;
	}
	return false;
}

/* The error document of a failed run, as flashkey prints it (docs/JSON.md). */
static void tcli_json_failure(const tcli_env *e, const char *word, int code)
{
	json_w j;
	json_init(&j, stdout, 2);
	json_obj_begin(&j);
	json_key(&j, "command");
	if (e->cmd || word)
		json_str(&j, e->cmd ? e->cmd->name : word);
	else
		json_null(&j);
	json_kv_bool(&j, "ok", false);
	json_key(&j, "error");
	cli_json_error(&j, e->ctx, code);
	json_obj_end(&j);
	json_finish(&j);
}

static int tcli_main(tcli_env *e, int argc, char **argv)
{
	const char *word = tcli_first_word(argc, argv);
	e->cmd = tcli_find(word);
	if (e->cmd && e->cmd->run == tcli_cmd_with_usb) {
		/* the command after "--" is not ours to parse */
		for (int i = 1; i < argc; i++)
			if (strcmp(argv[i], "--") == 0) {
				e->rest = argv + i + 1;
				argc = i;
				break;
			}
	}
	bool json = tcli_wants_json(argc, argv);
	int rc;
	if (cli_parse(&e->args, tcli_global_opts, e->cmd ? e->cmd->opts : NULL, argc - 1, argv + 1)) {
		fk_hint(e->ctx, "run `flashkey-twin %s%s--help` for usage", e->cmd ? e->cmd->name : "",
			e->cmd ? " " : "");
		rc = fk_fail(e->ctx, FK_E_USAGE, "%s", e->args.error);
		goto failed;
	}
	if (cli_flag(&e->args, "version")) {
		printf("flashkey-twin %s\n", fk_version());
		return 0;
	}
	if (cli_flag(&e->args, "help") || (!word && !json)) {
		if (e->cmd)
			tcli_cmd_help(stdout, e->cmd);
		else
			tcli_help(word || cli_flag(&e->args, "help") ? stdout : stderr);
		return word || cli_flag(&e->args, "help") ? 0 : FK_EXIT_USAGE;
	}
	if (!e->cmd) {
		fk_hint(e->ctx, "run `flashkey-twin --help` for the list of commands");
		rc = word ? fk_fail(e->ctx, FK_E_USAGE, "unknown command \"%s\"", word)
			  : fk_fail(e->ctx, FK_E_USAGE, "no command given");
		goto failed;
	}
	if (cli_flag(&e->args, "quiet"))
		e->out.verbosity = -1;
	rc = e->cmd->run(e);
failed:
	if (rc && json)
		tcli_json_failure(e, word, rc);
	return rc ? cli_report(&e->out, e->ctx, rc) : 0;
}

int main(int argc, char **argv)
{
	tcli_env e;
	memset(&e, 0, sizeof e);
	cli_out_init(&e.out, "flashkey-twin");
	e.ctx = fk_ctx_new();
	if (!e.ctx) {
		fprintf(stderr, "flashkey-twin: out of memory\n");
		return FK_EXIT_FAILURE;
	}
	fktwin_register_backends();
	tcli_cmds[1].opts = tcli_new_opts();
	tcli_cmds[TCLI_NCMDS - 1].opts = tcli_serve_opts();
	int rc = tcli_main(&e, argc, argv);
	fk_ctx_free(e.ctx);
	return rc;
}
