/* flashkey otp: show, program and lock one-time-programmable blocks.
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_otp_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey otp` is not implemented yet");
}

const cli_command cli_cmd_otp = {
	.name = "otp",
	.synopsis = "otp show | write BLOCK DATA | lock BLOCK",
	.summary = "show, program and lock one-time-programmable blocks",
	.run = cmd_otp_run,
};
