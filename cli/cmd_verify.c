/* flashkey verify: compare flash with an image.
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_verify_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey verify` is not implemented yet");
}

const cli_command cli_cmd_verify = {
	.name = "verify",
	.synopsis = "verify FILE",
	.summary = "compare flash with an image",
	.run = cmd_verify_run,
};
