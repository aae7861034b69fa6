/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The backend registry: connection schemes ("twin", "uart", "stlink", ...) to open functions. */
#include <string.h>

#include "core/core.h"

#define FK_MAX_BACKENDS 24

static struct {
	char scheme[24];
	fk_backend_open_fn open;
	const char *help;
} fk_backends[FK_MAX_BACKENDS];
static unsigned fk_backend_count;

int fk_backend_register(const char *scheme, fk_backend_open_fn open, const char *help)
{
	for (unsigned i = 0; i < fk_backend_count; i++)
		if (strcmp(fk_backends[i].scheme, scheme) == 0) {
			if (fk_backends[i].open == open)
				return FK_OK; /* registering twice is harmless */
			return FK_E_BUSY;
		}
	if (fk_backend_count == FK_MAX_BACKENDS || strlen(scheme) >= sizeof fk_backends[0].scheme)
		return FK_E_BUSY;
	fk_strlcpy(fk_backends[fk_backend_count].scheme, scheme, sizeof fk_backends[0].scheme);
	fk_backends[fk_backend_count].open = open;
	fk_backends[fk_backend_count].help = help;
	fk_backend_count++;
	return FK_OK;
}

const char *fk_backend_scheme(unsigned i, const char **help)
{
	if (i >= fk_backend_count)
		return NULL;
	if (help)
		*help = fk_backends[i].help;
	return fk_backends[i].scheme;
}

int fk_transport_open(fk_ctx *ctx, const char *connection, const fk_conn_opts *opts,
		      fk_transport *out)
{
	memset(out, 0, sizeof *out);
	size_t n = strcspn(connection, ":");
	const char *arg = connection[n] == ':' ? connection + n + 1 : "";
	for (unsigned i = 0; i < fk_backend_count; i++) {
		if (strlen(fk_backends[i].scheme) == n &&
		    strncmp(fk_backends[i].scheme, connection, n) == 0) {
			fk_conn_opts none = {0};
			none.reset_mode = -1;
			return fk_backends[i].open(ctx, arg, opts ? opts : &none, out);
		}
	}
	char known[256] = "";
	for (unsigned i = 0; i < fk_backend_count; i++)
		fk_snprintf_cat(known, sizeof known, "%s%s:", i ? ", " : "", fk_backends[i].scheme);
	fk_hint(ctx, "connections look like twin:PATH or uart:/dev/ttyUSB0@115200; known: %s",
		known[0] ? known : "(none registered)");
	return fk_fail(ctx, FK_E_USAGE, "unknown connection \"%.*s\"", (int)FK_MIN(n, 40),
		       connection);
}

int fk_transport_sync(fk_transport *t, fk_ctx *ctx)
{
	if (!t || t->kind == FK_TRANSPORT_NONE || !t->sync)
		return FK_OK;
	return t->sync(t->handle, ctx);
}

void fk_transport_close(fk_transport *t)
{
	if (!t || t->kind == FK_TRANSPORT_NONE)
		return;
	if (t->close)
		t->close(t->handle);
	t->kind = FK_TRANSPORT_NONE;
	t->handle = NULL;
}
