/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey backup DIR: every readable region (main flash, option registers, OTP) into a new
 * timestamped directory under DIR with a manifest of CRCs, verified by reading back. */
#include "cmd_common.h"

static int cmd_backup_run(cli_env *e)
{
	const char *dir = cli_arg(e, 0);
	fk_session *s = NULL;
	fk_backup_result r = {0};
	if (cli_nargs(e) > 1)
		return fk_fail(e->ctx, FK_E_USAGE, "usage: flashkey backup [DIR]");
	if (!dir)
		dir = e->backup_dir ? e->backup_dir : "flashkey-backups";
	int rc = cli_session_ro(e, &s);
	if (!rc)
		rc = e->dry_run ? fk_backup_check(s, dir, &r) : fk_backup(s, dir, &r);
	rc = fk_session_end(s, rc);
	if (e->out.json) {
		json_w j;
		cli_json_begin(e, &j, rc);
		json_kv_str(&j, "dir", r.dir);
		json_kv_bool(&j, "dry_run", e->dry_run);
		json_kv_bool(&j, "flash", r.flash_saved);
		json_kv_uint(&j, "flash_missing_bytes", r.flash_missing);
		json_kv_bool(&j, "options", r.options_saved);
		json_kv_bool(&j, "otp", r.otp_saved);
		json_kv_str(&j, "missing", r.why_not);
		cli_json_end(e, &j, rc);
	} else if (!rc) {
		const char *yes = e->dry_run ? "would be saved" : "saved";
		char flash[96];
		if (r.flash_saved && r.flash_missing) /* recorded as missing, never filled (class 9) */
			snprintf(flash, sizeof flash, "%s except %u bytes the chip refuses to read",
				 yes, r.flash_missing);
		else
			snprintf(flash, sizeof flash, "%s", r.flash_saved ? yes : "NOT saved");
		printf("%sbackup %s: flash %s, options %s, OTP %s; %s\n",
		       e->dry_run ? "dry run: " : "", r.dir, flash,
		       r.options_saved ? yes : "NOT saved", r.otp_saved ? yes : "NOT saved",
		       e->dry_run ? "nothing was written" : "verified");
		if (r.why_not[0])
			printf("note: %s\n", r.why_not);
	}
	return rc;
}

const cli_command cli_cmd_backup = {
	.name = "backup",
	.synopsis = "backup [DIR]",
	.summary = "save flash, option bytes and OTP with a manifest of CRCs, verified",
	.run = cmd_backup_run,
};
