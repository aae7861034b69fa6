/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey status: read-only inventory of every protection (as the chip's driver reads it),
 * with the cost of removing each; exit 4 when something would stop a write. */
#include <string.h>

#include "cmd_common.h"

/* "RDP level 1; WRP sectors 0 1" for the failure message. */
static void status_blockers(const fk_inventory *inv, char *buf, size_t n)
{
	buf[0] = '\0';
	for (unsigned i = 0; i < inv->nlocks; i++)
		if (inv->locks[i].blocks_write)
			fk_snprintf_cat(buf, n, "%s%s %s", buf[0] ? "; " : "", inv->locks[i].name,
					inv->locks[i].state);
}

static int cmd_status_run(cli_env *e)
{
	fk_session *s;
	fk_inventory inv;
	int rc = cli_session_ro(e, &s);
	if (rc)
		return rc;
	rc = fk_session_inventory(s, &inv);
	fk_session_close(s);
	if (rc)
		return rc;
	int result = FK_OK;
	if (inv.write_blocked) {
		char why[600];
		status_blockers(&inv, why, sizeof why);
		fk_hint(e->ctx, "see the removal plan with `flashkey unlock --dry-run`");
		result = fk_fail(e->ctx, FK_E_PROTECTED, "a write would be blocked by: %s", why);
	}
	if (e->out.json) {
		json_w j;
		cli_json_begin(e, &j, result);
		json_key(&j, "inventory");
		cli_json_inventory(&j, &inv);
		cli_json_end(e, &j, result);
	} else {
		cli_print_inventory(&inv);
	}
	return result;
}

const cli_command cli_cmd_status = {
	.name = "status",
	.synopsis = "status",
	.summary = "read-only inventory of every protection, with the cost of removing each",
	.details = "Lists FLASH_CR LOCK, OPTLOCK, latched error flags, the RDP level with its raw "
		   "byte, WRP/PCROP per sector, OTP blocks, user options, and for every lock what "
		   "removing it costs, whether it is reversible and what reset it needs. Exits 4 "
		   "when something would stop a write. Never writes to the chip.",
	.run = cmd_status_run,
};
