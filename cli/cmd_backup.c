/* flashkey backup: save all readable flash, option bytes and OTP with a manifest and CRCs.
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_backup_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey backup` is not implemented yet");
}

const cli_command cli_cmd_backup = {
	.name = "backup",
	.synopsis = "backup DIR",
	.summary = "save all readable flash, option bytes and OTP with a manifest and CRCs",
	.run = cmd_backup_run,
};
