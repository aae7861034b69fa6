/* flashkey reset: reset the target.
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_reset_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey reset` is not implemented yet");
}

const cli_command cli_cmd_reset = {
	.name = "reset",
	.synopsis = "reset [sw|hw|power]",
	.summary = "reset the target",
	.run = cmd_reset_run,
};
