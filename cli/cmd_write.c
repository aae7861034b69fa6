/* flashkey write: program an image: plan, erase what is needed, program, verify.
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_write_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey write` is not implemented yet");
}

const cli_command cli_cmd_write = {
	.name = "write",
	.synopsis = "write FILE",
	.summary = "program an image: plan, erase what is needed, program, verify",
	.run = cmd_write_run,
};
