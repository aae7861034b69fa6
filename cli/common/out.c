/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output helpers (see out.h). */
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "common/out.h"

void cli_out_init(cli_out *o, const char *prog)
{
	memset(o, 0, sizeof *o);
	o->prog = prog;
	o->tty_err = isatty(STDERR_FILENO);
	o->interactive = isatty(STDIN_FILENO);
}

static void cli_log_cb(void *user, fk_log_level level, unsigned category, const char *msg)
{
	cli_out *o = user;
	static const char *names[] = {"error", "warning", "info", "debug", "trace"};
	if (level >= FK_LOG_INFO && o->verbosity < 0)
		return;
	if (level == FK_LOG_TRACE)
		fprintf(stderr, "[%s] %s\n", fk_trace_name(category), msg);
	else if (level == FK_LOG_INFO)
		fprintf(stderr, "%s\n", msg);
	else
		fprintf(stderr, "%s: %s: %s\n", o->prog, names[level], msg);
}

static void cli_progress_cb(void *user, const char *phase, uint64_t done, uint64_t total)
{
	cli_out *o = user;
	if (!o->tty_err || o->verbosity < 0)
		return;
	unsigned pct = total ? (unsigned)(done * 100 / total) : 100;
	unsigned width = 30, fill = pct * width / 100;
	char bar[32];
	for (unsigned i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = '\0';
	fprintf(stderr, "\r%-8s [%s] %3u%% %llu/%llu", phase, bar, pct, (unsigned long long)done,
		(unsigned long long)total);
	if (done >= total)
		fputc('\n', stderr);
	fflush(stderr);
}

void cli_out_attach(cli_out *o, fk_ctx *ctx)
{
	fk_log_level lvl = o->verbosity < 0 ? FK_LOG_WARN
			   : o->verbosity == 0 ? FK_LOG_INFO
			   : o->verbosity == 1 ? FK_LOG_DEBUG
					       : FK_LOG_TRACE;
	fk_ctx_set_log(ctx, cli_log_cb, o, lvl);
	fk_ctx_set_progress(ctx, cli_progress_cb, o);
}

int cli_report(cli_out *o, fk_ctx *ctx, int code)
{
	if (code == FK_OK)
		return 0;
	char msg[FK_CHAIN_MSG_MAX];
	fk_ctx_message(ctx, msg, sizeof msg);
	if (fk_ctx_error(ctx) == code && msg[0])
		fprintf(stderr, "%s: error: %s\n", o->prog, msg);
	else
		fprintf(stderr, "%s: error: %s\n", o->prog, fk_strerror(code));
	fprintf(stderr, "  (%s: %s; exit code %d)\n", fk_error_name(code), fk_strerror(code),
		fk_error_exit_code(code));
	const char *hint = fk_ctx_hint(ctx);
	if (hint && hint[0])
		fprintf(stderr, "hint: %s\n", hint);
	return fk_error_exit_code(code);
}

void cli_json_error(json_w *j, fk_ctx *ctx, int code)
{
	char msg[FK_CHAIN_MSG_MAX];
	fk_ctx_message(ctx, msg, sizeof msg);
	json_obj_begin(j);
	json_kv_int(j, "code", code);
	json_kv_str(j, "name", fk_error_name(code));
	json_kv_str(j, "text", fk_strerror(code));
	json_kv_int(j, "exit_code", fk_error_exit_code(code));
	json_kv_str(j, "message", msg[0] ? msg : fk_strerror(code));
	json_key(j, "chain");
	json_arr_begin(j);
	for (unsigned i = 0; i < fk_ctx_depth(ctx); i++)
		json_str(j, fk_ctx_frame(ctx, i));
	json_arr_end(j);
	json_kv_str(j, "hint", fk_ctx_hint(ctx));
	json_obj_end(j);
}

static bool cli_read_line(char *buf, size_t size)
{
	if (!fgets(buf, (int)size, stdin))
		return false;
	buf[strcspn(buf, "\r\n")] = '\0';
	return true;
}

bool cli_confirm_typed(cli_out *o, const char *question, const char *word)
{
	if (!o->interactive)
		return false;
	fprintf(stderr, "%s\nType %s to continue, anything else to stop: ", question, word);
	fflush(stderr);
	char line[128];
	return cli_read_line(line, sizeof line) && strcmp(line, word) == 0;
}

bool cli_confirm(cli_out *o, const char *question)
{
	if (o->yes)
		return true;
	if (!o->interactive)
		return false;
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	char line[16];
	return cli_read_line(line, sizeof line) && (strcmp(line, "y") == 0 || strcmp(line, "yes") == 0);
}

void cli_note(cli_out *o, const char *fmt, ...)
{
	if (o->verbosity < 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
