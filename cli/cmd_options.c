/* flashkey options: show or change option bytes (RDP, WRP, BOR, user options).
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_options_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey options` is not implemented yet");
}

const cli_command cli_cmd_options = {
	.name = "options",
	.synopsis = "options show | set KEY=VALUE...",
	.summary = "show or change option bytes (RDP, WRP, BOR, user options)",
	.run = cmd_options_run,
};
