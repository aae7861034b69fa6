/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `--lpc-pty LINK` option of `flashkey-twin serve`. A twin whose model offers stream ports
 * and no debug port (an NXP LPC twin) is served by the stream server (twin/stream_serve.c,
 * chosen by the CLI from the model); this entry in the generic module table gives the option its
 * place in --help and refuses it for twins served by the main loop, which have no LPC ISP. */
#include "serve.h"

static int tw_lpc_mod_start(tw_serve *s, fk_ctx *ctx, const char *value, void **state)
{
	(void)s;
	(void)state;
	fk_hint(ctx, "create an LPC twin with `flashkey-twin new lpc1768 PATH` and serve that");
	return fk_fail(ctx, FK_E_USAGE, "--lpc-pty %s: this twin has no NXP LPC UART ISP", value);
}

const tw_serve_module tw_serve_mod_lpc_pty = {
	.option = "lpc-pty",
	.metavar = "LINK[@BAUD]",
	.help = "NXP LPC twin: the boot ROM's UART ISP on a pseudo-terminal at LINK, characters "
		"charged at BAUD (default 115200; lpc21isp FILE LINK 115200 12000); the board is "
		"reset into ISP when a peer opens it",
	.start = tw_lpc_mod_start,
};
