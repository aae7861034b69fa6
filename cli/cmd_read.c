/* flashkey read: read flash into a file.
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_read_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey read` is not implemented yet");
}

const cli_command cli_cmd_read = {
	.name = "read",
	.synopsis = "read FILE [ADDR:LEN]",
	.summary = "read flash into a file",
	.run = cmd_read_run,
};
