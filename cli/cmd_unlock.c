/* flashkey unlock: remove protection step by step, safest first, with backup and read-back.
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_unlock_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey unlock` is not implemented yet");
}

const cli_command cli_cmd_unlock = {
	.name = "unlock",
	.synopsis = "unlock [--upto STEP]",
	.summary = "remove protection step by step, safest first, with backup and read-back",
	.run = cmd_unlock_run,
};
