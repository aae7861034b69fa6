/* flashkey restore: write a backup back (flash; option bytes only when asked).
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_restore_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey restore` is not implemented yet");
}

const cli_command cli_cmd_restore = {
	.name = "restore",
	.synopsis = "restore DIR",
	.summary = "write a backup back (flash; option bytes only when asked)",
	.run = cmd_restore_run,
};
