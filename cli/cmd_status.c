/* flashkey status: read-only inventory of every protection, with the cost of removing each.
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_status_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey status` is not implemented yet");
}

const cli_command cli_cmd_status = {
	.name = "status",
	.synopsis = "status",
	.summary = "read-only inventory of every protection, with the cost of removing each",
	.run = cmd_status_run,
};
