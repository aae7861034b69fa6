/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `--lpc-pty LINK` option of `flashkey-twin serve`. An NXP LPC twin asked for stream servers
 * only is served by the stream server (twin/stream_serve.c, chosen by the CLI from the model and
 * the options); this entry in the generic module table gives the option its place in --help and
 * refuses it in the main loop: other twins, or an LPC twin asked for --jtag-bitbang as well (the
 * two servers do not share one twin; serve them one after the other). */
#include "serve.h"

static int tw_lpc_mod_start(tw_serve *s, fk_ctx *ctx, const char *value, void **state)
{
	(void)s;
	(void)state;
	fk_hint(ctx, "serve an LPC twin (`flashkey-twin new lpc1768 PATH`) with --lpc-pty alone; "
		     "its debug port (--jtag-bitbang) in another run");
	return fk_fail(ctx, FK_E_USAGE, "--lpc-pty %s: this twin has no NXP LPC UART ISP, or other "
					"servers were asked for with it (--lpc-pty runs alone)", value);
}

const tw_serve_module tw_serve_mod_lpc_pty = {
	.option = "lpc-pty",
	.metavar = "LINK[@BAUD]",
	.help = "NXP LPC twin: the boot ROM's UART ISP on a pseudo-terminal at LINK, characters "
		"charged at BAUD (default 115200; lpc21isp FILE LINK 115200 12000); the board is "
		"reset into ISP when a peer opens it",
	.start = tw_lpc_mod_start,
};
