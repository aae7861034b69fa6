/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey restore DIR: write a backup's flash back (sectors that already match are left
 * alone); option bytes only with --options, through the same gates as `options set`; OTP is
 * never written back: differences are reported. */
#include "cmd_common.h"

static const cli_opt restore_opts[] = {
	{"options", 0, CLI_FLAG, NULL, "also restore the option bytes (RDP/WRP gates apply)"},
	{NULL, 0, 0, NULL, NULL},
};

static int cmd_restore_run(cli_env *e)
{
	const char *dir = cli_arg(e, 0);
	fk_session *s = NULL;
	fk_perms perms;
	unsigned diffs = 0;
	if (!dir || cli_nargs(e) != 1)
		return fk_fail(e->ctx, FK_E_USAGE, "usage: flashkey restore DIR");
	cli_perms(e, &perms);
	int rc = cli_session(e, &s);
	if (!rc)
		cli_consent_erase_all(e, &perms, "Restoring overwrites all of main flash.");
	if (!rc)
		rc = fk_restore(s, dir, cli_flag(&e->args, "options"), &perms, &diffs);
	char backup[256] = "";
	if (s)
		fk_strlcpy(backup, fk_session_backup_dir(s), sizeof backup);
	rc = fk_session_end(s, rc);
	if (e->out.json) {
		json_w j;
		cli_json_begin(e, &j, rc);
		json_kv_str(&j, "dir", dir);
		json_kv_uint(&j, "otp_differences", diffs);
		json_kv_str(&j, "backup_dir", backup);
		cli_json_end(e, &j, rc);
	} else if (!rc) {
		if (backup[0])
			printf("backup of the current contents written and verified: %s\n", backup);
		printf("restored %s%s\n", dir, e->dry_run ? " (dry run: nothing written)" : "");
		if (diffs)
			printf("note: OTP differs from the backup in %u byte%s; OTP is never written "
			       "back\n", diffs, diffs == 1 ? "" : "s");
	}
	return rc;
}

const cli_command cli_cmd_restore = {
	.name = "restore",
	.synopsis = "restore DIR [--options]",
	.summary = "write a backup back (options only when asked, OTP never)",
	.opts = restore_opts,
	.run = cmd_restore_run,
};
