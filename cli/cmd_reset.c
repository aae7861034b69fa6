/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey reset [sw|hw|power]: system reset (AIRCR.SYSRESETREQ; reloads option bytes, ends a
 * key lockout), NRST pulse, or a power-on reset (twins, powered probes; clears the debug
 * intrusion latch an STM32 sets at RDP level 1; the driver names its manual's section). */
#include <string.h>

#include "cmd_common.h"

static int cmd_reset_run(cli_env *e)
{
	const char *k = cli_arg(e, 0);
	fk_reset_kind kind = FK_RESET_SYSTEM;
	if (cli_nargs(e) > 1 || (k && strcmp(k, "sw") && strcmp(k, "hw") && strcmp(k, "power")))
		return fk_fail(e->ctx, FK_E_USAGE, "usage: flashkey reset [sw|hw|power]");
	if (k && strcmp(k, "hw") == 0)
		kind = FK_RESET_HARDWARE;
	if (k && strcmp(k, "power") == 0)
		kind = FK_RESET_POWER_CYCLE;
	fk_session *s = NULL;
	int rc = cli_session(e, &s);
	if (!rc)
		rc = e->dry_run ? fk_session_reset_check(s, kind) : fk_session_reset(s, kind);
	rc = fk_session_end(s, rc);
	if (e->out.json) {
		json_w j;
		cli_json_begin(e, &j, rc);
		json_kv_str(&j, "kind", k ? k : "sw");
		json_kv_bool(&j, "dry_run", e->dry_run);
		cli_json_end(e, &j, rc);
	} else if (!rc) {
		printf("%s%s reset %s\n", e->dry_run ? "dry run: would do a " : "",
		       kind == FK_RESET_POWER_CYCLE ? "power-on"
		       : kind == FK_RESET_HARDWARE  ? "NRST" : "system",
		       e->dry_run ? "(nothing was done)" : "done");
	}
	return rc;
}

const cli_command cli_cmd_reset = {
	.name = "reset",
	.synopsis = "reset [sw|hw|power]",
	.summary = "reset the target: system (default), NRST pin, or power-on",
	.run = cmd_reset_run,
};
