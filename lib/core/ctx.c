/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The diagnostic context: cause chain, hint, log and progress delivery. The library never
 * prints; the tool installs callbacks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

fk_ctx *fk_ctx_new(void)
{
	fk_ctx *ctx = calloc(1, sizeof *ctx);
	if (ctx)
		ctx->log_max = FK_LOG_INFO;
	return ctx;
}

void fk_ctx_free(fk_ctx *ctx)
{
	free(ctx);
}

void fk_ctx_set_log(fk_ctx *ctx, fk_log_fn fn, void *user, fk_log_level max_level)
{
	ctx->log_fn = fn;
	ctx->log_user = user;
	ctx->log_max = max_level;
}

void fk_ctx_set_trace(fk_ctx *ctx, unsigned categories)
{
	ctx->trace = categories;
	if (categories && ctx->log_max < FK_LOG_TRACE)
		ctx->log_max = FK_LOG_TRACE;
}

void fk_ctx_set_progress(fk_ctx *ctx, fk_progress_fn fn, void *user)
{
	ctx->progress_fn = fn;
	ctx->progress_user = user;
}

void fk_ctx_set_stop(fk_ctx *ctx, fk_stop_fn fn, void *user)
{
	ctx->stop_fn = fn;
	ctx->stop_user = user;
}

bool fk_stop_requested(const fk_ctx *ctx)
{
	return ctx && !ctx->stop_hold && ctx->stop_fn && ctx->stop_fn(ctx->stop_user);
}

void fk_stop_hold(fk_ctx *ctx)
{
	if (ctx)
		ctx->stop_hold++;
}

void fk_stop_release(fk_ctx *ctx)
{
	if (ctx && ctx->stop_hold)
		ctx->stop_hold--;
}

static void fk_frame_vformat(char *dst, const char *fmt, va_list ap)
{
	vsnprintf(dst, FK_FRAME_LEN, fmt, ap);
}

int fk_fail(fk_ctx *ctx, int code, const char *fmt, ...)
{
	if (!ctx)
		return code;
	ctx->error = code;
	ctx->depth = 1;
	va_list ap;
	va_start(ap, fmt);
	fk_frame_vformat(ctx->frames[0], fmt, ap);
	va_end(ap);
	return code;
}

int fk_fail_wrap(fk_ctx *ctx, int code, const char *fmt, ...)
{
	if (!ctx)
		return code;
	if (ctx->depth == 0) { /* nothing below: this frame is the whole story */
		ctx->depth = 1;
	} else if (ctx->depth < FK_CHAIN_FRAMES) {
		ctx->depth++;
	} /* else: a full chain keeps its innermost frames and replaces the outermost */
	ctx->error = code;
	va_list ap;
	va_start(ap, fmt);
	fk_frame_vformat(ctx->frames[ctx->depth - 1], fmt, ap);
	va_end(ap);
	return code;
}

void fk_hint(fk_ctx *ctx, const char *fmt, ...)
{
	if (!ctx)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->hint, sizeof ctx->hint, fmt, ap);
	va_end(ap);
}

void fk_ctx_clear(fk_ctx *ctx)
{
	ctx->error = FK_OK;
	ctx->depth = 0;
	ctx->hint[0] = '\0';
}

int fk_ctx_error(const fk_ctx *ctx)
{
	return ctx->error;
}

unsigned fk_ctx_depth(const fk_ctx *ctx)
{
	return ctx->depth;
}

const char *fk_ctx_frame(const fk_ctx *ctx, unsigned i)
{
	if (i >= ctx->depth)
		return NULL;
	return ctx->frames[ctx->depth - 1 - i];
}

const char *fk_ctx_message(const fk_ctx *ctx, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < ctx->depth; i++)
		fk_snprintf_cat(buf, size, "%s%s", i ? ": " : "", fk_ctx_frame(ctx, i));
	return buf;
}

const char *fk_ctx_hint(const fk_ctx *ctx)
{
	return ctx->hint;
}

void fk_log(fk_ctx *ctx, fk_log_level level, unsigned category, const char *fmt, ...)
{
	if (!ctx || !ctx->log_fn || level > ctx->log_max)
		return;
	if (level == FK_LOG_TRACE && !(ctx->trace & category))
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_user, level, category, msg);
}

void fk_progress(fk_ctx *ctx, const char *phase, uint64_t done, uint64_t total)
{
	if (!ctx || !ctx->progress_fn)
		return;
	if (ctx->span_phase && phase && strcmp(ctx->span_phase, phase) == 0) {
		if (!ctx->span_total)
			return;
		uint64_t part = !total ? ctx->span_len
			      : done >= total ? ctx->span_len
					      : (uint64_t)((double)done / (double)total *
							   (double)ctx->span_len);
		done = ctx->span_base + part;
		total = ctx->span_total;
		if (done > total)
			done = total;
	}
	ctx->progress_fn(ctx->progress_user, phase, done, total);
}

void fk_progress_span(fk_ctx *ctx, const char *phase, uint64_t base, uint64_t len,
		      uint64_t total)
{
	if (!ctx)
		return;
	ctx->span_phase = phase;
	ctx->span_base = base;
	ctx->span_len = len;
	ctx->span_total = total;
}

void fk_progress_part(fk_ctx *ctx, const char *phase, uint64_t done, uint64_t total)
{
	if (ctx && ctx->span_phase && phase && strcmp(ctx->span_phase, phase) == 0)
		fk_progress(ctx, phase, done, total);
}

void fk_progress_span_end(fk_ctx *ctx)
{
	if (ctx)
		ctx->span_phase = NULL;
}

static const struct {
	unsigned bit;
	const char *name;
} fk_trace_names[] = {
#define FK_X_TNAME(sym, nm, b) {FK_TRACE_##sym, nm},
	FK_TRACE_TABLE(FK_X_TNAME)
#undef FK_X_TNAME
};

const char *fk_trace_name(unsigned category)
{
	for (size_t i = 0; i < FK_ARRAY_SIZE(fk_trace_names); i++)
		if (fk_trace_names[i].bit == category)
			return fk_trace_names[i].name;
	return "?";
}

int fk_trace_parse(const char *list, unsigned *mask, const char **bad)
{
	static char badword[32];
	*mask = 0;
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == 3 && strncmp(p, "all", 3) == 0) {
			*mask = FK_TRACE_ALL;
		} else if (n > 0) {
			unsigned found = 0;
			for (size_t i = 0; i < FK_ARRAY_SIZE(fk_trace_names); i++)
				if (strlen(fk_trace_names[i].name) == n &&
				    strncmp(p, fk_trace_names[i].name, n) == 0)
					found = fk_trace_names[i].bit;
			if (!found) {
				snprintf(badword, sizeof badword, "%.*s", (int)FK_MIN(n, 31), p);
				if (bad)
					*bad = badword;
				return -1;
			}
			*mask |= found;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}
