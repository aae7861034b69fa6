/* flashkey erase: erase sectors (never touches option bytes).
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_erase_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey erase` is not implemented yet");
}

const cli_command cli_cmd_erase = {
	.name = "erase",
	.synopsis = "erase SECTORS... | --all",
	.summary = "erase sectors (never touches option bytes)",
	.run = cmd_erase_run,
};
