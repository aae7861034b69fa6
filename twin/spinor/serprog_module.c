/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `--serprog-pty LINK[@BAUD]` option of `flashkey-twin serve`. A SPI NOR twin is served by
 * its own loop (tw_spinor_serve, chosen by the CLI from the state file's magic); this entry in
 * the generic module table gives the option its place in --help and refuses it for the other
 * twins, whose chips have no SPI flash port. */
#include "serve.h"

static int tw_sp_mod_start(tw_serve *s, fk_ctx *ctx, const char *value, void **state)
{
	(void)s;
	(void)state;
	fk_hint(ctx, "create a SPI NOR twin with `flashkey-twin new w25q64jv PATH` and serve that");
	return fk_fail(ctx, FK_E_USAGE, "--serprog-pty %s: this twin is not a SPI NOR flash chip "
					"(serprog carries SPI transactions only)", value);
}

const tw_serve_module tw_serve_mod_serprog_pty = {
	.option = "serprog-pty",
	.metavar = "LINK[@BAUD]",
	.help = "SPI NOR twin: a serprog programmer on a pseudo-terminal at LINK (flashrom -p "
		"serprog:dev=LINK:BAUD)",
	.start = tw_sp_mod_start,
};
