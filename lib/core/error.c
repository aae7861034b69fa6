/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error table lookups: names, sentences and exit codes from the one X-macro in errors.h. */
#include "core/core.h"

struct fk_error_row {
	int code;
	int exit_code;
	const char *name;
	const char *text;
};

static const struct fk_error_row fk_error_rows[] = {
#define FK_X_ROW(num, sym, exitc, txt) {(num), (exitc), "FK_" #sym, (txt)},
	FK_ERROR_TABLE(FK_X_ROW)
#undef FK_X_ROW
};

static const struct fk_error_row *fk_error_find(int code)
{
	for (size_t i = 0; i < FK_ARRAY_SIZE(fk_error_rows); i++)
		if (fk_error_rows[i].code == code)
			return &fk_error_rows[i];
	return NULL;
}

const char *fk_error_name(int code)
{
	const struct fk_error_row *r = fk_error_find(code);
	return r ? r->name : "FK_E_UNKNOWN";
}

const char *fk_strerror(int code)
{
	const struct fk_error_row *r = fk_error_find(code);
	return r ? r->text : "unknown error";
}

int fk_error_exit_code(int code)
{
	const struct fk_error_row *r = fk_error_find(code);
	return r ? r->exit_code : FK_EXIT_FAILURE;
}

const char *fk_version(void)
{
	return FK_VERSION;
}
