/* flashkey info: identify the chip: ID, revision, flash size, memory map.
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_info_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey info` is not implemented yet");
}

const cli_command cli_cmd_info = {
	.name = "info",
	.synopsis = "info",
	.summary = "identify the chip: ID, revision, flash size, memory map",
	.run = cmd_info_run,
};
