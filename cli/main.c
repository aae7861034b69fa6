/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey: entry point, global options, help, man page and exit codes. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fktwin/fktwin.h"

const cli_opt cli_global_opts[] = {
	{"connection", 'c', CLI_VALUE, "CONN", "connection: twin:PATH, uart:DEV[@BAUD], stlink[:SERIAL], cmsis-dap[:SERIAL], jlink[:SERIAL]"},
	{"chip", 0, CLI_VALUE, "NAME", "expect this chip (e.g. stm32f407); fail if the target differs"},
	{"allow-wrong-memory-map", 0, CLI_FLAG, NULL, "with --chip: use that part's memory map although the chip's IDs say otherwise (erase/program may hit wrong addresses)"},
	{"json", 0, CLI_FLAG, NULL, "print one JSON document with the full result on stdout"},
	{"dry-run", 'n', CLI_FLAG, NULL, "identify, inventory, plan and check permissions, then stop before the first write"},
	{"yes", 'y', CLI_FLAG, NULL, "answer yes to the confirmation a terminal gets before `erase` erases sectors; grants no permission (--allow-erase-all, --allow-irreversible)"},
	{"allow-erase-all", 0, CLI_FLAG, NULL, "permit steps that destroy flash contents (RDP regression, mass erase)"},
	{"allow-irreversible", 0, CLI_VALUE, "CONSEQUENCE", "permit a permanent step by naming its consequence (PERMANENT)"},
	{"halt", 0, CLI_FLAG, NULL, "leave the core halted when done (status, info, read, verify, backup and doctor otherwise let a core they found running run on)"},
	{"no-backup", 0, CLI_FLAG, NULL, "do not back up readable memory before destructive steps"},
	{"backup-dir", 0, CLI_VALUE, "DIR", "where backups go (default ./flashkey-backups)"},
	{"verbose", 'v', CLI_FLAG, NULL, "more output (repeat for debug)"},
	{"quiet", 'q', CLI_FLAG, NULL, "only errors"},
	{"trace", 0, CLI_VALUE, "LIST", "trace layers: link,usb,dap,adi,cortexm,boot,flash,chip,plan,image,twin,doctor or all"},
	{"baud", 0, CLI_VALUE, "RATE", "serial baud rate for uart: connections (default 115200)"},
	{"8n1", 0, CLI_FLAG, NULL, "serial framing 8N1 instead of AN3155's 8E1"},
	{"boot-seq", 0, CLI_VALUE, "SEQ", "DTR/RTS boot-entry sequence (stm32flash -i syntax, e.g. 'rts,-dtr,dtr:rts')"},
	{"before", 0, CLI_VALUE, "MODE", "esp: how to enter the ROM, as esptool: default_reset | usb_reset | no_reset | no_reset_no_sync"},
	{"after", 0, CLI_VALUE, "MODE", "esp: what to do when done, as esptool: hard_reset | soft_reset | no_reset"},
	{"speed", 0, CLI_VALUE, "KHZ", "SWD/JTAG clock, or SPI clock on serprog:, in kHz"},
	{"connect", 0, CLI_VALUE, "MODE", "normal | under-reset (hold NRST while attaching)"},
	{"reset", 0, CLI_VALUE, "MODE", "sw | hw | none: how to reset the target"},
	{"help", 'h', CLI_FLAG, NULL, "show help (for a command: flashkey COMMAND --help)"},
	{"version", 'V', CLI_FLAG, NULL, "print the version"},
	{"man", 0, CLI_FLAG, NULL, "print the man page (roff)"},
	{NULL, 0, 0, NULL, NULL},
};

const char *cli_arg(const cli_env *e, unsigned i)
{
	return i + 1 < e->args.npos ? e->args.pos[i + 1] : NULL;
}

unsigned cli_nargs(const cli_env *e)
{
	return e->args.npos ? e->args.npos - 1 : 0;
}

int cli_open_transport(cli_env *e, fk_transport *t)
{
	if (!e->connection) {
		fk_hint(e->ctx, "give a connection, e.g. `flashkey -c twin:board.twin %s` "
				"(create a twin with `flashkey-twin new stm32f407 board.twin`)",
			e->cmd->name);
		return fk_fail(e->ctx, FK_E_USAGE, "`%s` needs a target: no -c CONNECTION given",
			       e->cmd->name);
	}
	return fk_transport_open(e->ctx, e->connection, &e->conn_opts, t);
}

static const cli_command *cli_find(const char *name)
{
	for (const cli_command *const *c = cli_commands; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}

static void cli_help(FILE *out)
{
	fprintf(out, "flashkey %s: diagnose and safely clear microcontroller flash protection; "
		     "program flash fast\n\n",
		fk_version());
	fprintf(out, "Usage: flashkey [OPTIONS] COMMAND [ARGS]\n\nCommands:\n");
	for (const cli_command *const *c = cli_commands; *c; c++)
		fprintf(out, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(out, "\nOptions:\n");
	cli_print_opts(out, cli_global_opts);
	fprintf(out, "\nConnections:\n");
	const char *help;
	for (unsigned i = 0; fk_backend_scheme(i, &help); i++)
		fprintf(out, "  %-10s %s\n", fk_backend_scheme(i, NULL), help ? help : "");
	fprintf(out, "\nExit codes: 0 ok, 1 failure, 2 usage, 3 no connection, 4 blocked by "
		     "protection,\n5 refused by a safety gate, 6 verify mismatch, 7 bad input file, "
		     "8 target error,\n9 unsupported, 10 interrupted (docs/EXIT-CODES.md).\n");
	fprintf(out, "Numbers (sectors, blocks, addresses, lengths, rates) are decimal, leading zeros "
		     "included (012 is twelve),\nor hex with 0x; anything else is refused.\n");
	fprintf(out, "Run `flashkey COMMAND --help` for a command's options.\n");
}

static void cli_command_help(FILE *out, const cli_command *c)
{
	fprintf(out, "Usage: flashkey [OPTIONS] %s\n\n%s\n", c->synopsis, c->summary);
	if (c->details)
		fprintf(out, "\n%s\n", c->details);
	if (c->opts && c->opts[0].name) {
		fprintf(out, "\nOptions of %s:\n", c->name);
		cli_print_opts(out, c->opts);
	}
	fprintf(out, "\nGlobal options: see `flashkey --help`.\n");
}

static void cli_man(FILE *out)
{
	fprintf(out, ".TH FLASHKEY 1 \"\" \"flashkey %s\" \"User Commands\"\n", fk_version());
	fputs(".SH NAME\nflashkey \\- diagnose and safely clear microcontroller flash protection\n", out);
	fputs(".SH SYNOPSIS\n.B flashkey\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n", out);
	fputs(".SH DESCRIPTION\nflashkey reads one inventory of everything that locks a chip's flash, "
	      "plans the removal from the safest to the most aggressive step with the cost of each, "
	      "backs up what is readable before anything destructive, and asks for a typed "
	      "confirmation before anything irreversible.\n",
	      out);
	fputs(".SH OPTIONS\n", out);
	cli_man_opts(out, cli_global_opts);
	fputs(".SH COMMANDS\n", out);
	for (const cli_command *const *c = cli_commands; *c; c++) {
		fputs(".SS ", out);
		cli_man_text(out, (*c)->synopsis);
		fputs("\n", out);
		cli_man_text(out, (*c)->summary);
		fputs("\n", out);
		if ((*c)->details) {
			fputs(".PP\n", out);
			cli_man_text(out, (*c)->details);
			fputs("\n", out);
		}
		if ((*c)->opts && (*c)->opts[0].name) {
			fputs(".RS\n", out);
			cli_man_opts(out, (*c)->opts);
			fputs(".RE\n", out);
		}
	}
	fputs(".SH NUMBERS\nSector and block numbers, addresses, lengths and rates are decimal, leading "
	      "zeros included (012 is twelve, never octal), or hexadecimal with 0x; anything else, "
	      "or a value out of range, is refused with the value quoted.\n",
	      out);
	fputs(".SH EXIT STATUS\n0 success, 1 failure, 2 usage error, 3 no connection, 4 blocked by "
	      "protection, 5 refused by a safety gate, 6 verify mismatch, 7 malformed input file, "
	      "8 target error, 9 unsupported, 10 interrupted.\n",
	      out);
}

static int cli_decode_globals(cli_env *e)
{
	const cli_args *a = &e->args;
	e->connection = cli_value(a, "connection");
	e->chip = cli_value(a, "chip");
	e->out.json = cli_flag(a, "json");
	e->dry_run = cli_flag(a, "dry-run");
	e->halt = cli_flag(a, "halt");
	e->out.yes = cli_flag(a, "yes");
	e->allow_erase_all = cli_flag(a, "allow-erase-all");
	e->allow_irreversible = cli_value(a, "allow-irreversible");
	e->no_backup = cli_flag(a, "no-backup");
	e->backup_dir = cli_value(a, "backup-dir");
	for (unsigned i = 0; i < a->nseen; i++) {
		if (strcmp(a->seen[i].opt->name, "verbose") == 0)
			e->out.verbosity++;
		if (strcmp(a->seen[i].opt->name, "quiet") == 0)
			e->out.verbosity = -1;
	}
	cli_out_attach(&e->out, e->ctx); /* the log level follows -v / -q */
	e->conn_opts.reset_mode = -1;
	const char *v;
	if ((v = cli_value(a, "baud")) && (fk_parse_u32(v, &e->conn_opts.baud) || !e->conn_opts.baud))
		return fk_fail(e->ctx, FK_E_USAGE, "--baud %s: not a baud rate", v);
	e->conn_opts.parity_none = cli_flag(a, "8n1");
	e->conn_opts.boot_seq = cli_value(a, "boot-seq");
	e->conn_opts.before = cli_value(a, "before");
	e->conn_opts.after = cli_value(a, "after");
	e->conn_opts.allow_wrong_memory_map = cli_flag(a, "allow-wrong-memory-map");
	if (e->conn_opts.allow_wrong_memory_map && !e->chip)
		return fk_fail(e->ctx, FK_E_USAGE, "--allow-wrong-memory-map needs --chip NAME: it "
			       "names the part whose memory map is used");
	if ((v = cli_value(a, "speed")) && fk_parse_u32(v, &e->conn_opts.swd_khz))
		return fk_fail(e->ctx, FK_E_USAGE, "--speed %s: not a number of kHz", v);
	if ((v = cli_value(a, "connect"))) {
		if (strcmp(v, "under-reset") == 0)
			e->conn_opts.connect_under_reset = 1;
		else if (strcmp(v, "normal") != 0)
			return fk_fail(e->ctx, FK_E_USAGE, "--connect %s: expected normal or under-reset", v);
	}
	if ((v = cli_value(a, "reset"))) {
		if (strcmp(v, "sw") == 0)
			e->conn_opts.reset_mode = FK_RESET_SYSTEM;
		else if (strcmp(v, "hw") == 0)
			e->conn_opts.reset_mode = FK_RESET_HARDWARE;
		else if (strcmp(v, "none") == 0)
			e->conn_opts.reset_mode = FK_RESET_POWER_CYCLE; /* "none": never reset */
		else
			return fk_fail(e->ctx, FK_E_USAGE, "--reset %s: expected sw, hw or none", v);
	}
	if ((v = cli_value(a, "trace"))) {
		unsigned mask;
		const char *bad = NULL;
		if (fk_trace_parse(v, &mask, &bad)) {
			fk_hint(e->ctx, "trace layers: link,usb,dap,adi,cortexm,boot,flash,chip,plan,"
					"image,twin,doctor or all");
			return fk_fail(e->ctx, FK_E_USAGE, "--trace: unknown layer \"%s\"", bad);
		}
		if (e->out.verbosity < 2)
			e->out.verbosity = 2;
		cli_out_attach(&e->out, e->ctx);
		fk_ctx_set_trace(e->ctx, mask);
	}
	return FK_OK;
}

/* Finds the command name: the first positional argument. Options are parsed twice: first
 * against the global table alone (tolerating unknown options), then with the command's table. */
static const char *cli_first_word(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "--") == 0)
			return i + 1 < argc ? argv[i + 1] : NULL;
		if (s[0] != '-')
			return s;
		/* skip the value of a global value option given as a separate word */
		for (const cli_opt *o = cli_global_opts; o->name; o++) {
			if (o->kind == CLI_FLAG)
				continue;
			bool is_long = s[1] == '-' && strcmp(s + 2, o->name) == 0;
			bool is_short = o->shortc && s[1] == o->shortc && s[2] == '\0';
			if (is_long || is_short) {
				i++;
				break;
			}
		}
	}
	return NULL;
}

/* Was --json given (before any "--")? Asked before the options are parsed, so that an error in
 * the options themselves, or an unknown command, still answers with a JSON document (issue 13
 * class 19). */
static bool cli_wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--json") == 0)
			return true;
	}
	return false;
}

/* The one error document of a failed run (docs/JSON.md): command (null when there is none),
 * ok false, error. */
static void cli_json_failure(const cli_env *e, const char *word, int code)
{
	json_w j;
	json_init(&j, stdout, 2);
	json_obj_begin(&j);
	if (e->cmd || word)
		json_kv_str(&j, "command", e->cmd ? e->cmd->name : word);
	else {
		json_key(&j, "command");
		json_null(&j);
	}
	json_kv_bool(&j, "ok", false);
	json_key(&j, "error");
	cli_json_error(&j, e->ctx, code);
	json_obj_end(&j);
	json_finish(&j);
}

/* ---- SIGINT / SIGTERM (issue 13 class 13) ----
 * The first signal asks the library to stop at its next safe point (fk_stop_requested): what
 * was done and what the chip holds is then reported as FK_E_INTERRUPTED, exit 10. A second one
 * ends the process at once, as without a handler (exit 130/143). No SA_RESTART: a confirmation
 * prompt waiting on the terminal returns, and counts as "no". */
static volatile sig_atomic_t cli_signal;

static void cli_on_signal(int sig)
{
	if (cli_signal) {
		signal(sig, SIG_DFL);
		raise(sig); /* delivered when the handler returns */
		return;
	}
	cli_signal = sig;
	static const char msg[] = "\nflashkey: stopping at the next safe point (an erase or program "
				  "that has started is finished first); send the signal again to "
				  "abandon at once\n";
	ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)w;
}

static bool cli_stop_requested(void *user)
{
	(void)user;
	return cli_signal != 0;
}

static void cli_catch_signals(fk_ctx *ctx)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = cli_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fk_ctx_set_stop(ctx, cli_stop_requested, NULL);
}

/* After a command during which a signal came: say which, and what it did to the run. */
static int cli_after_signal(cli_env *e, int code)
{
	const char *name = cli_signal == SIGTERM ? "SIGTERM" : "SIGINT";
	if (code == FK_E_INTERRUPTED)
		return fk_fail_wrap(e->ctx, code, "%s received", name);
	fflush(stdout);
	if (code == FK_OK)
		fprintf(stderr, "flashkey: %s received after the last point where `%s` could stop "
				"safely: it ran to its end, and what it reported above stands\n",
			name, e->cmd ? e->cmd->name : "flashkey");
	else
		fprintf(stderr, "flashkey: %s received while `%s` was running; it ended with the "
				"error below\n", name, e->cmd ? e->cmd->name : "flashkey");
	return code;
}

int main(int argc, char **argv)
{
	cli_env e;
	memset(&e, 0, sizeof e);
	cli_out_init(&e.out, "flashkey");
	e.ctx = fk_ctx_new();
	if (!e.ctx) {
		fprintf(stderr, "flashkey: out of memory\n");
		return FK_EXIT_FAILURE;
	}
	fk_register_builtin_backends();
	fktwin_register_backends();

	const char *word = cli_first_word(argc, argv);
	e.cmd = word ? cli_find(word) : NULL;
	bool json = cli_wants_json(argc, argv);
	int rc, code;
	if (cli_parse(&e.args, cli_global_opts, e.cmd ? e.cmd->opts : NULL, argc - 1, argv + 1)) {
		fk_hint(e.ctx, "run `flashkey %s%s--help` for usage", e.cmd ? e.cmd->name : "",
			e.cmd ? " " : "");
		code = fk_fail(e.ctx, FK_E_USAGE, "%s", e.args.error);
		goto failed;
	}
	if (cli_flag(&e.args, "version")) {
		printf("flashkey %s\n", fk_version());
		rc = 0;
		goto out;
	}
	if (cli_flag(&e.args, "man")) {
		cli_man(stdout);
		rc = 0;
		goto out;
	}
	if (cli_flag(&e.args, "help") || (!word && !json)) {
		if (e.cmd)
			cli_command_help(stdout, e.cmd);
		else
			cli_help(word || cli_flag(&e.args, "help") ? stdout : stderr);
		rc = (word || cli_flag(&e.args, "help")) ? 0 : FK_EXIT_USAGE;
		goto out;
	}
	if (!e.cmd) {
		fk_hint(e.ctx, "run `flashkey --help` for the list of commands");
		code = word ? fk_fail(e.ctx, FK_E_USAGE, "unknown command \"%s\"", word)
			    : fk_fail(e.ctx, FK_E_USAGE, "no command given");
		goto failed;
	}
	cli_out_attach(&e.out, e.ctx);
	cli_catch_signals(e.ctx);
	code = cli_decode_globals(&e);
	if (code == FK_OK)
		code = e.cmd->run(&e);
	if (cli_signal)
		code = cli_after_signal(&e, code);
failed:
	if (code != FK_OK && json && !e.json_done)
		cli_json_failure(&e, word, code);
	rc = cli_report(&e.out, e.ctx, code);
out:
	fk_ctx_free(e.ctx);
	return rc;
}
