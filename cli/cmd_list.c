/* flashkey list: list attached probes and serial ports.
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_list_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey list` is not implemented yet");
}

const cli_command cli_cmd_list = {
	.name = "list",
	.synopsis = "list",
	.summary = "list attached probes and serial ports",
	.run = cmd_list_run,
};
