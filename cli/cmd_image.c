/* flashkey image: inspect and convert firmware images.
 * Placeholder until its issue lands: it fails honestly with FK_E_UNSUPPORTED. */
#include "cli.h"

static int cmd_image_run(cli_env *e)
{
	fk_hint(e->ctx, "this command is not built yet; see `flashkey --help` for what works");
	return fk_fail(e->ctx, FK_E_UNSUPPORTED, "`flashkey image` is not implemented yet");
}

const cli_command cli_cmd_image = {
	.name = "image",
	.synopsis = "image info FILE | convert IN OUT --format bin|ihex|srec",
	.summary = "inspect and convert firmware images",
	.run = cmd_image_run,
};
