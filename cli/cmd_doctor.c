/* flashkey doctor: from another tool's error message to the cause and the fix.
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_doctor_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey doctor` is not implemented yet");
}

const cli_command cli_cmd_doctor = {
	.name = "doctor",
	.synopsis = "doctor [TEXT]",
	.summary = "from another tool's error message to the cause and the fix",
	.run = cmd_doctor_run,
};
