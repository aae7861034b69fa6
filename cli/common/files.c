/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Output-file checks shared by both tools (see files.h). */
#include <sys/stat.h>

#include "common/files.h"

int cli_refuse_existing(fk_ctx *ctx, const char *path, bool force, const char *what)
{
	struct stat st;
	if (force || lstat(path, &st) != 0)
		return FK_OK;
	const char *kind = S_ISDIR(st.st_mode)    ? "a directory"
			   : S_ISLNK(st.st_mode)  ? "a symlink"
			   : S_ISREG(st.st_mode)  ? "a file"
						  : "a special file";
	fk_hint(ctx, "choose another name, or give --force to replace %s", path);
	return fk_fail(ctx, FK_E_PERMISSION, "%s exists (%s of %lld bytes): not replacing it with %s",
		       path, kind, (long long)st.st_size, what);
}
